"""SSIM of byline's renditions against libvips's Lanczos3 output at the same size.

For each OUT_DIR/NAME-SIDE.jpg made by byline, libvips makes the reference from the
original (`thumbnail` with size=force to byline's exact width and height: shrink-on-load,
then vips_resize's default Lanczos3 kernel), kept uncompressed in memory. SSIM is
scikit-image's structural_similarity with the parameters of Wang et al. 2004 (Gaussian
window, sigma 1.5, population covariance, data_range 255) on luma (BT.601 Y), the usual
form; the mean over the R, G and B channels is printed too. As a yardstick the same is
computed for libvips's own q85 JPEG of the same size: JPEG q85 alone costs about as much.
Usage: python ssim.py BYLINE_DIR VIPS_DIR PHOTO..."""
import os
import sys

import numpy as np
import pyvips
from skimage.metrics import structural_similarity


def array(image):
    image = image.colourspace("srgb")
    if image.bands == 4:
        image = image.flatten(background=255)
    return np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8,
                      shape=[image.height, image.width, image.bands])


def luma(px):
    return px[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def ssim(a, b):
    wang = dict(data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    y = structural_similarity(luma(a), luma(b), **wang)
    rgb = structural_similarity(a, b, channel_axis=-1, **wang)
    return y, rgb


ours_dir, vips_dir, photos = sys.argv[1], sys.argv[2], sys.argv[3:]
ours_all, vips_all = [], []
print(f"{'photo':<36} {'side':>5} {'size':>11} {'byline Y':>8} {'RGB':>6} {'vips Y':>7} {'RGB':>6}")
for photo in photos:
    stem = os.path.splitext(os.path.basename(photo))[0]
    for side in (2048, 1280, 640, 320):
        ours = pyvips.Image.new_from_file(f"{ours_dir}/{stem}-{side}.jpg")
        ref = pyvips.Image.thumbnail(photo, ours.width, height=ours.height, size="force")
        ref_px = array(ref)
        s_ours = ssim(array(ours), ref_px)
        ours_all.append(s_ours)
        line = f"{stem[:36]:<36} {side:>5} {ours.width:>5}x{ours.height:<5} {s_ours[0]:8.4f} {s_ours[1]:6.4f}"
        vips_file = f"{vips_dir}/{stem}-{side}.jpg"
        if os.path.exists(vips_file):
            theirs = pyvips.Image.new_from_file(vips_file)
            if (theirs.width, theirs.height) == (ours.width, ours.height):
                s_vips = ssim(array(theirs), ref_px)
                vips_all.append(s_vips)
                line += f" {s_vips[0]:7.4f} {s_vips[1]:6.4f}"
        print(line)
ours_all, vips_all = np.array(ours_all), np.array(vips_all)
print(f"SSIM byline vs libvips Lanczos3: mean luma {ours_all[:, 0].mean():.4f} "
      f"(min {ours_all[:, 0].min():.4f}), mean RGB {ours_all[:, 1].mean():.4f}, "
      f"{len(ours_all)} renditions")
if len(vips_all):
    print(f"SSIM libvips's own q85 JPEG vs the same reference: mean luma "
          f"{vips_all[:, 0].mean():.4f}, mean RGB {vips_all[:, 1].mean():.4f}, "
          f"{len(vips_all)} renditions of equal size")
