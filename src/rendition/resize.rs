//! Pixel operations between decoding and encoding: Lanczos3 resampling (SIMD, through
//! `fast_image_resize`), conversion to sRGB through the embedded ICC profile (moxcms), and
//! the EXIF orientation transforms.
//!
//! Works on [`Raster`]s only: no file formats, no metadata, no I/O.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use std::sync::{Arc, LazyLock};

use moxcms::{ColorProfile, DataColorSpace, Layout, Transform8BitExecutor, TransformOptions};

use super::decode::{Colour, Raster};
use crate::error::{Error, Result};

/// The size that fits `max_side` on the longest side, never larger than the original.
pub(super) fn fit(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side {
        return (width, height);
    }
    let scale = f64::from(max_side) / f64::from(long);
    let side = |v: u32| {
        if v == long {
            max_side
        } else {
            // Rounded, at least one pixel; `as` is exact here since the value is ≤ max_side.
            ((f64::from(v) * scale).round() as u32).clamp(1, max_side)
        }
    };
    (side(width), side(height))
}

/// Resample to exactly `width`×`height` with Lanczos3 (convolution, so downscaling averages
/// every source pixel: no aliasing as with nearest or bilinear sampling).
pub(super) fn resize(src: &Raster, width: u32, height: u32) -> Result<Raster> {
    if (src.width, src.height) == (width, height) {
        return Ok(src.clone());
    }
    let pixel = if src.channels == 4 {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let err = |e: &dyn std::fmt::Display| Error::Image(format!("resize: {e}"));
    // The source is only read; fast_image_resize's borrowed views need `&mut`, so a typed
    // read-only view would cost a copy. `ImageRef` borrows immutably.
    let from = fast_image_resize::images::ImageRef::new(src.width, src.height, &src.data, pixel)
        .map_err(|e| err(&e))?;
    let mut to = Image::new(width, height, pixel);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&from, &mut to, &options)
        .map_err(|e| err(&e))?;
    Ok(Raster {
        width,
        height,
        channels: src.channels,
        data: to.into_vec(),
    })
}

/// Bring the samples to sRGB RGB, returning a warning when the profile could not be used.
pub(super) fn to_srgb(raster: Raster, colour: &Colour, warnings: &mut Vec<String>) -> Raster {
    match colour {
        Colour::Srgb => raster,
        Colour::Rgb(icc) => match transform(&raster, icc, false) {
            Ok(Some(r)) => r,
            Ok(None) => raster,
            Err(e) => {
                warnings.push(format!(
                    "icc: {e}; colours kept as they are (taken as sRGB)"
                ));
                raster
            }
        },
        Colour::Cmyk(icc) => {
            let converted = icc.as_deref().map(|p| transform(&raster, p, true));
            match converted {
                Some(Ok(Some(r))) => r,
                other => {
                    if let Some(Err(e)) = other {
                        warnings.push(format!("icc: {e}; CMYK converted without a profile"));
                    }
                    naive_cmyk(&raster)
                }
            }
        }
    }
}

/// Run an ICC transform to sRGB; `Ok(None)` when the profile is sRGB already.
fn transform(raster: &Raster, icc: &[u8], cmyk: bool) -> Result<Option<Raster>, String> {
    let Some(t) = srgb_transform(icc, cmyk)? else {
        return Ok(None);
    };
    let pixels = raster.data.len() / usize::from(raster.channels);
    let mut out = vec![0u8; pixels * 3];
    t.transform(&raster.data, &mut out)
        .map_err(|e| format!("conversion failed: {e}"))?;
    Ok(Some(Raster {
        width: raster.width,
        height: raster.height,
        channels: 3,
        data: out,
    }))
}

/// What a profile's transform to sRGB came to: `None` when none is needed.
type Made = Result<Option<Arc<Transform8BitExecutor>>, String>;

/// The transform from a profile to sRGB, made once per profile and kept. Building one costs
/// far more than running it on a fingerprint's few thousand pixels (a CMYK profile's 4-D
/// table above all: `perf` put it at 11 % of `byline add`), and a batch of agency photos
/// carries the same few profiles again and again.
fn srgb_transform(icc: &[u8], cmyk: bool) -> Made {
    static KEPT: LazyLock<quick_cache::sync::Cache<([u8; 32], bool), Made>> =
        LazyLock::new(|| quick_cache::sync::Cache::new(32));
    let key = (*blake3::hash(icc).as_bytes(), cmyk);
    // A failure is kept too (the same bytes fail the same way); threads asking for the same
    // profile at once wait for one build.
    let Ok(made) = KEPT.get_or_insert_with(&key, || {
        Ok::<_, std::convert::Infallible>(make_transform(icc, cmyk))
    });
    made
}

fn make_transform(icc: &[u8], cmyk: bool) -> Made {
    let profile =
        ColorProfile::new_from_slice(icc).map_err(|e| format!("profile unreadable: {e}"))?;
    if !cmyk && profile.color_space == DataColorSpace::Gray {
        // A grey JPEG decodes to equal R, G and B; its grey profile (e.g. "Dot Gain 20%")
        // would only shift the tone curve slightly, so the samples are kept as they are.
        return Ok(None);
    }
    let expected = if cmyk {
        DataColorSpace::Cmyk
    } else {
        DataColorSpace::Rgb
    };
    if profile.color_space != expected {
        return Err(format!(
            "profile is for {:?} but the pixels are {expected:?}",
            profile.color_space
        ));
    }
    let srgb = ColorProfile::new_srgb();
    if !cmyk && is_srgb(&profile, &srgb) {
        return Ok(None);
    }
    let layout = if cmyk { Layout::Rgba } else { Layout::Rgb };
    profile
        .create_transform_8bit(layout, &srgb, Layout::Rgb, TransformOptions::default())
        .map(Some)
        .map_err(|e| format!("cannot convert from this profile: {e}"))
}

/// A matrix/TRC profile whose primaries match sRGB's within rounding (skips a no-op pass).
fn is_srgb(p: &ColorProfile, srgb: &ColorProfile) -> bool {
    let close = |a: moxcms::Xyzd, b: moxcms::Xyzd| {
        (a.x - b.x).abs() < 0.002 && (a.y - b.y).abs() < 0.002 && (a.z - b.z).abs() < 0.002
    };
    p.red_trc.is_some()
        && p.lut_a_to_b_perceptual.is_none()
        && close(p.red_colorant, srgb.red_colorant)
        && close(p.green_colorant, srgb.green_colorant)
        && close(p.blue_colorant, srgb.blue_colorant)
        && p.description
            .as_ref()
            .is_some_and(|d| format!("{d:?}").contains("sRGB"))
}

/// CMYK → RGB without a profile: R = (1 − C)(1 − K), and likewise for G and B.
fn naive_cmyk(raster: &Raster) -> Raster {
    let mut out = Vec::with_capacity(raster.data.len() / 4 * 3);
    for px in raster.data.chunks_exact(4) {
        let k = 255 - u32::from(px[3]);
        for &c in &px[..3] {
            out.push(u8::try_from((255 - u32::from(c)) * k / 255).unwrap_or(0));
        }
    }
    Raster {
        width: raster.width,
        height: raster.height,
        channels: 3,
        data: out,
    }
}

/// Apply EXIF orientation `o` (1–8) so the picture displays upright with orientation 1.
pub(super) fn orient(raster: &Raster, o: u16) -> Raster {
    let Some(orientation) = u8::try_from(o)
        .ok()
        .and_then(image::metadata::Orientation::from_exif)
        .filter(|o| *o != image::metadata::Orientation::NoTransforms)
    else {
        return raster.clone();
    };
    let Some(buffer) = image::RgbImage::from_raw(raster.width, raster.height, raster.data.clone())
    else {
        return raster.clone();
    };
    let mut img = image::DynamicImage::ImageRgb8(buffer);
    img.apply_orientation(orientation);
    Raster {
        width: img.width(),
        height: img.height(),
        channels: 3,
        data: img.into_rgb8().into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_scales_longest_side_and_never_upscales() {
        assert_eq!(fit(6000, 4000, 2048), (2048, 1365));
        assert_eq!(fit(4000, 6000, 320), (213, 320));
        assert_eq!(fit(300, 200, 640), (300, 200));
        assert_eq!(fit(20000, 1, 320), (320, 1));
    }

    #[test]
    fn orientation_6_rotates_clockwise() {
        // 2×1: red, blue. Orientation 6 = stored picture must turn 90° clockwise.
        let r = Raster {
            width: 2,
            height: 1,
            channels: 3,
            data: vec![255, 0, 0, 0, 0, 255],
        };
        let o = orient(&r, 6);
        assert_eq!((o.width, o.height), (1, 2));
        assert_eq!(o.data, vec![255, 0, 0, 0, 0, 255]);
        let r = Raster {
            width: 2,
            height: 1,
            channels: 3,
            data: vec![255, 0, 0, 0, 0, 255],
        };
        // Orientation 8 turns counter-clockwise: blue ends on top.
        assert_eq!(orient(&r, 8).data, vec![0, 0, 255, 255, 0, 0]);
    }

    #[test]
    fn lanczos_averages_instead_of_picking() {
        // A 1-px checkerboard shrunk 4× must come out mid-grey, not black or white.
        let mut data = Vec::new();
        for y in 0..64u32 {
            for x in 0..64u32 {
                let v = if (x + y) % 2 == 0 { 255 } else { 0 };
                data.extend_from_slice(&[v, v, v]);
            }
        }
        let r = Raster {
            width: 64,
            height: 64,
            channels: 3,
            data,
        };
        let small = resize(&r, 16, 16).expect("resize");
        assert!(
            small.data.iter().all(|&v| (120..=135).contains(&v)),
            "{:?}",
            &small.data[..12]
        );
    }

    #[test]
    fn naive_cmyk_maps_inks() {
        let r = Raster {
            width: 2,
            height: 1,
            channels: 4,
            data: vec![0, 0, 0, 0, 255, 0, 0, 0],
        };
        assert_eq!(naive_cmyk(&r).data, vec![255, 255, 255, 0, 255, 255]);
    }
}
