//! A perceptual fingerprint of a picture (dHash, 64 bits) for `byline identify`: resized,
//! re-encoded or lightly cropped copies of a photo land within a few bits of it.
//!
//! Hand-written: dHash is a dozen lines on top of our own decoder and resizer, and the crates
//! that offer it (img_hash, image_hasher) would decode the image a second time with `image`.

use super::{decode, resize};
use crate::error::Result;

/// Longest side the picture is decoded at (JPEG: the coarsest DCT scale that covers it).
const DECODE_SIDE: u32 = 64;

/// The dHash of a picture as it is displayed (orientation applied, colours in sRGB): shrink to
/// 9×8 grey, and set one bit per pair of horizontal neighbours where the left is brighter.
pub fn fingerprint(original: &[u8]) -> Result<u64> {
    let decoded = decode::decode(original, DECODE_SIDE)?;
    let mut ignored = Vec::new();
    let srgb = resize::to_srgb(decoded.raster, &decoded.colour, &mut ignored);
    let upright = if decoded.orientation > 1 {
        resize::orient(&srgb, decoded.orientation)
    } else {
        srgb
    };
    let small = resize::resize(&upright, 9, 8)?;
    let channels = usize::from(small.channels.max(1));
    let luma: Vec<u32> = small
        .data
        .chunks_exact(channels)
        .map(|p| match p {
            [r, g, b, ..] => {
                (299 * u32::from(*r) + 587 * u32::from(*g) + 114 * u32::from(*b)) / 1000
            }
            [y, ..] => u32::from(*y),
            [] => 0,
        })
        .collect();
    let mut hash = 0u64;
    for row in luma.chunks_exact(9).take(8) {
        for pair in row.windows(2) {
            hash = (hash << 1) | u64::from(pair[0] > pair[1]);
        }
    }
    Ok(hash)
}

/// How many bits two fingerprints differ in (0 = the same picture, 64 = opposite).
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}
