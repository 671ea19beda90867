//! Upright sRGB pixels → compressed bytes: JPEG through libjpeg-turbo (baseline, 4:2:0),
//! lossy WebP through libwebp.
//!
//! Writes no metadata itself (`embed` adds the credit afterwards) and nothing time- or
//! thread-dependent, so equal pixels always give equal bytes.

use turbojpeg::{Compressor, Image, PixelFormat, Subsamp};

use super::decode::Raster;
use crate::error::{Error, Result};

/// Largest side libwebp can encode (VP8 frame header: 14 bits).
pub const WEBP_MAX_SIDE: u32 = 16_383;

/// Baseline JPEG at `quality` (1–100), chroma subsampled 4:2:0 as cameras and libvips do.
pub(super) fn jpeg(raster: &Raster, quality: u8) -> Result<Vec<u8>> {
    let tj = |e: turbojpeg::Error| Error::Image(format!("jpeg encode: {e}"));
    let mut c = Compressor::new().map_err(tj)?;
    c.set_quality(i32::from(quality)).map_err(tj)?;
    c.set_subsamp(Subsamp::Sub2x2).map_err(tj)?;
    let width = raster.width as usize;
    let image = Image {
        pixels: raster.data.as_slice(),
        width,
        pitch: width * 3,
        height: raster.height as usize,
        format: PixelFormat::RGB,
    };
    c.compress_to_vec(image).map_err(tj)
}

/// Lossy WebP at `quality` (1–100), libwebp's default method.
pub(super) fn webp(raster: &Raster, quality: u8) -> Result<Vec<u8>> {
    if raster.width > WEBP_MAX_SIDE || raster.height > WEBP_MAX_SIDE {
        return Err(Error::InvalidInput(format!(
            "webp: {}×{} px is larger than WebP allows ({WEBP_MAX_SIDE} px a side)",
            raster.width, raster.height
        )));
    }
    let encoder = webp::Encoder::from_rgb(&raster.data, raster.width, raster.height);
    let memory = encoder
        .encode_simple(false, f32::from(quality))
        .map_err(|e| Error::Image(format!("webp encode: {e:?}")))?;
    Ok(memory.to_vec())
}
