"""libvips in one process, cascading: the 2048 thumbnail (shrink-on-load) is made once and
kept in memory, and each smaller preset is resized from the one above it, as byline does.
Usage: python vips_cascade.py OUT_DIR PHOTO..."""
import os
import sys
import time

import pyvips

out, photos = sys.argv[1], sys.argv[2:]
os.makedirs(out, exist_ok=True)
start = time.perf_counter()
count = 0
for photo in photos:
    stem = os.path.splitext(os.path.basename(photo))[0]
    image = pyvips.Image.thumbnail(photo, 2048, height=2048).copy_memory()
    image.jpegsave(f"{out}/{stem}-2048.jpg", Q=85)
    count += 1
    for side in (1280, 640, 320):
        image = image.thumbnail_image(side, height=side).copy_memory()
        image.jpegsave(f"{out}/{stem}-{side}.jpg", Q=85)
        count += 1
secs = time.perf_counter() - start
print(f"vips-cascade: {count} renditions in {secs:.3f} s = {count / secs:.1f} renditions/s")
