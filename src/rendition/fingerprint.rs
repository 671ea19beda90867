//! Perceptual fingerprints for `byline identify`: a 64-bit dHash of the whole picture and
//! of the crops pages make of it, plus a finer check that confirms a candidate.
//!
//! A resized or re-encoded copy lands within a few bits of the whole picture's dHash, but a
//! crop moves every cell of the 9×8 grid the hash is read from, so pages that cut a photo to
//! 16:9, 4:3 or a square missed it. So an original also gets [`Prints::crops`]: the dHash of
//! each standard centred crop (and of two slight insets, for trimmed edges), kept beside the
//! whole one in the index. The hash alone is coarse (64 bits; some unrelated photos land
//! within reach), so a candidate is confirmed by [`resemblance`]: the picture's gradients
//! against the original's over the same crops, at 24×24. Near-flat pictures (one colour,
//! gradients, lazy-load greys) carry no detail to match and are never matched
//! ([`Look::is_flat`]).
//!
//! Hand-written: dHash is a dozen lines on top of our own decoder and resizer, and the crates
//! that offer it (img_hash, image_hasher) would decode the image a second time with `image`.

use super::{decode, resize};
use crate::error::Result;

/// Longest side the picture is decoded at (JPEG: the coarsest DCT scale that covers it).
const DECODE_SIDE: u32 = 64;
/// Longest side of the grey picture a [`Look`] keeps.
const LOOK_SIDE: u32 = 128;
/// Side of the grid [`resemblance`] compares gradients on.
const GRID: usize = 24;
/// Below this mean absolute Laplacian (grey levels, on the 24×24 grid) a picture is flat.
const FLAT: f64 = 2.0;
/// Aspect ratios (width / height) pages crop to: 16:9, 3:2, 4:3, square, 4:5, 2:3, 9:16.
const ASPECTS: [f64; 7] = [16.0 / 9.0, 1.5, 4.0 / 3.0, 1.0, 0.8, 2.0 / 3.0, 9.0 / 16.0];
/// Fractions of each side kept by the edge trims ("8 % a side" sits between them).
const INSETS: [f64; 2] = [0.9, 0.8];
/// A crop keeping more than this fraction of both sides is the whole picture to a dHash.
const SAME_FRAME: f64 = 0.96;

/// A rectangle in fractions of the picture's width and height: left, top, right, bottom.
type Rect = [f64; 4];

/// The fingerprints of an original: the whole picture and its standard crops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prints {
    /// The dHash of the whole picture.
    pub full: u64,
    /// The dHashes of the standard crops; empty for a near-flat picture.
    pub crops: Vec<u64>,
}

/// A picture as displayed (orientation applied, sRGB), shrunk to grey for matching.
#[derive(Debug, Clone)]
pub struct Look {
    width: usize,
    height: usize,
    /// Summed-area table, `(width + 1) × (height + 1)`: any box average in O(1).
    sums: Vec<f64>,
}

/// Decode a picture for matching.
///
/// # Errors
/// The decoder's: unsupported format, damage, or a picture over the limits.
pub fn look(bytes: &[u8]) -> Result<Look> {
    let decoded = decode::decode(bytes, DECODE_SIDE)?;
    let mut ignored = Vec::new();
    let srgb = resize::to_srgb(decoded.raster, &decoded.colour, &mut ignored);
    let upright = if decoded.orientation > 1 {
        resize::orient(&srgb, decoded.orientation)
    } else {
        srgb
    };
    let (w, h) = resize::fit(upright.width, upright.height, LOOK_SIDE);
    let small = resize::resize(&upright, w, h)?;
    let channels = usize::from(small.channels.max(1));
    let grey: Vec<f64> = small
        .data
        .chunks_exact(channels)
        .map(|p| match p {
            [r, g, b, ..] => 0.299 * f64::from(*r) + 0.587 * f64::from(*g) + 0.114 * f64::from(*b),
            [y, ..] => f64::from(*y),
            [] => 0.0,
        })
        .collect();
    Ok(Look::from_grey(
        small.width as usize,
        small.height as usize,
        &grey,
    ))
}

/// The dHash of the whole picture as displayed.
///
/// # Errors
/// As [`look`].
pub fn fingerprint(bytes: &[u8]) -> Result<u64> {
    Ok(look(bytes)?.fingerprint())
}

/// The fingerprints an original is indexed under.
///
/// # Errors
/// As [`look`].
pub fn prints(bytes: &[u8]) -> Result<Prints> {
    let l = look(bytes)?;
    let crops = if l.is_flat() {
        Vec::new()
    } else {
        let mut c: Vec<u64> = crops(l.aspect()).iter().map(|r| l.dhash(r)).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    Ok(Prints {
        full: l.fingerprint(),
        crops,
    })
}

impl Look {
    /// A look at `width`×`height` grey values, row by row.
    fn from_grey(width: usize, height: usize, grey: &[f64]) -> Look {
        let mut sums = vec![0.0; (width + 1) * (height + 1)];
        for y in 0..height {
            let mut row = 0.0;
            for x in 0..width {
                row += grey.get(y * width + x).copied().unwrap_or(0.0);
                sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1] + row;
            }
        }
        Look {
            width,
            height,
            sums,
        }
    }

    /// The memory this look holds, in bytes (for caches that bound what they keep).
    pub fn heap_bytes(&self) -> usize {
        self.sums.len() * std::mem::size_of::<f64>()
    }

    /// Width over height.
    fn aspect(&self) -> f64 {
        self.width as f64 / self.height.max(1) as f64
    }

    /// The dHash of the whole picture.
    pub fn fingerprint(&self) -> u64 {
        self.dhash(&[0.0, 0.0, 1.0, 1.0])
    }

    /// Whether the picture has too little detail to be told from others: a flat colour, a
    /// gradient, a blurred or empty placeholder. Such a picture is never matched.
    pub fn is_flat(&self) -> bool {
        let g = self.grid(&[0.0, 0.0, 1.0, 1.0], GRID, GRID);
        let mut total = 0.0;
        for y in 1..GRID - 1 {
            for x in 1..GRID - 1 {
                let at = |x: usize, y: usize| g[y * GRID + x];
                let lap =
                    4.0 * at(x, y) - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1);
                total += lap.abs();
            }
        }
        total / ((GRID - 2) * (GRID - 2)) as f64 <= FLAT
    }

    /// dHash of `rect`: shrink to 9×8 and set a bit per pair of horizontal neighbours where
    /// the left one is brighter.
    fn dhash(&self, rect: &Rect) -> u64 {
        let g = self.grid(rect, 9, 8);
        let mut hash = 0u64;
        for row in g.chunks_exact(9) {
            for pair in row.windows(2) {
                hash = (hash << 1) | u64::from(pair[0] > pair[1]);
            }
        }
        hash
    }

    /// Box averages of `rect` on a `gw`×`gh` grid (exact for fractional edges: the
    /// summed-area table is bilinear inside a pixel).
    fn grid(&self, rect: &Rect, gw: usize, gh: usize) -> Vec<f64> {
        let (w, h) = (self.width as f64, self.height as f64);
        let [x0, y0, x1, y1] = *rect;
        let (x0, x1, y0, y1) = (x0 * w, x1 * w, y0 * h, y1 * h);
        let (cw, ch) = ((x1 - x0) / gw as f64, (y1 - y0) / gh as f64);
        let mut out = Vec::with_capacity(gw * gh);
        for j in 0..gh {
            let (a, b) = (y0 + j as f64 * ch, y0 + (j + 1) as f64 * ch);
            for i in 0..gw {
                let (l, r) = (x0 + i as f64 * cw, x0 + (i + 1) as f64 * cw);
                let area = ((r - l) * (b - a)).max(f64::MIN_POSITIVE);
                let sum =
                    self.sum_to(r, b) - self.sum_to(l, b) - self.sum_to(r, a) + self.sum_to(l, a);
                out.push(sum / area);
            }
        }
        out
    }

    /// The sum of the grey values over `[0, x) × [0, y)`, `x` and `y` in pixels.
    fn sum_to(&self, x: f64, y: f64) -> f64 {
        let x = x.clamp(0.0, self.width as f64);
        let y = y.clamp(0.0, self.height as f64);
        let (xi, yi) = (x.floor() as usize, y.floor() as usize);
        let (xi, yi) = (
            xi.min(self.width.saturating_sub(1)),
            yi.min(self.height.saturating_sub(1)),
        );
        let (fx, fy) = (x - xi as f64, y - yi as f64);
        let stride = self.width + 1;
        let s = |x: usize, y: usize| self.sums.get(y * stride + x).copied().unwrap_or(0.0);
        let top = s(xi, yi) * (1.0 - fx) + s(xi + 1, yi) * fx;
        let bottom = s(xi, yi + 1) * (1.0 - fx) + s(xi + 1, yi + 1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// Horizontal and vertical neighbour differences of `rect` on the comparison grid.
    fn gradients(&self, rect: &Rect) -> Vec<f64> {
        let g = self.grid(rect, GRID, GRID);
        let mut out = Vec::with_capacity(2 * GRID * GRID);
        for y in 0..GRID {
            for x in 0..GRID {
                let at = g[y * GRID + x];
                if x + 1 < GRID {
                    out.push(g[y * GRID + x + 1] - at);
                }
                if y + 1 < GRID {
                    out.push(g[(y + 1) * GRID + x] - at);
                }
            }
        }
        out
    }
}

/// The standard crops of a picture of aspect `aspect`: centred crops to each of [`ASPECTS`]
/// and the two [`INSETS`], leaving out those a dHash cannot tell from the whole picture.
fn crops(aspect: f64) -> Vec<Rect> {
    let mut out: Vec<Rect> = ASPECTS
        .iter()
        .map(|&t| centred(aspect, t, 1.0))
        .filter(|r| r[2] - r[0] < SAME_FRAME || r[3] - r[1] < SAME_FRAME)
        .collect();
    out.extend(INSETS.iter().map(|&k| inset(k)));
    out
}

/// The largest centred crop of aspect `target` from a picture of aspect `aspect`, scaled by
/// `scale` about the centre.
fn centred(aspect: f64, target: f64, scale: f64) -> Rect {
    let (fw, fh) = if target < aspect {
        (target / aspect, 1.0)
    } else {
        (1.0, aspect / target)
    };
    let (fw, fh) = (fw * scale, fh * scale);
    [
        (1.0 - fw) / 2.0,
        (1.0 - fh) / 2.0,
        (1.0 + fw) / 2.0,
        (1.0 + fh) / 2.0,
    ]
}

/// The centred crop keeping `k` of each side.
fn inset(k: f64) -> Rect {
    [
        (1.0 - k) / 2.0,
        (1.0 - k) / 2.0,
        (1.0 + k) / 2.0,
        (1.0 + k) / 2.0,
    ]
}

/// How much `copy` looks like `original` or one of its crops, from -1 to 1: the best
/// normalised correlation of their gradients over the crops `copy` could be (the standard
/// ones, and centred crops of `copy`'s own shape, whole and slightly trimmed). A copy of
/// the photo scores about 0.8 or more; unrelated pictures rarely pass 0.5. A flat picture
/// on either side scores 0.
pub fn resemblance(copy: &Look, original: &Look) -> f64 {
    if copy.is_flat() || original.is_flat() {
        return 0.0;
    }
    let mine = copy.gradients(&[0.0, 0.0, 1.0, 1.0]);
    let mut rects = crops(original.aspect());
    rects.push([0.0, 0.0, 1.0, 1.0]);
    for scale in [1.0, 0.92, 0.84] {
        rects.push(centred(original.aspect(), copy.aspect(), scale));
    }
    rects
        .iter()
        .map(|r| correlation(&mine, &original.gradients(r)))
        .fold(0.0, f64::max)
}

/// Normalised correlation of two equally long vectors (0 when either is all zero).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa <= 0.0 || bb <= 0.0 {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

/// How many bits two fingerprints differ in (0 = the same picture, 64 = opposite).
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look_of(w: usize, h: usize, f: impl Fn(f64, f64) -> f64) -> Look {
        let grey: Vec<f64> = (0..w * h)
            .map(|i| f((i % w) as f64 / w as f64, (i / w) as f64 / h as f64))
            .collect();
        Look::from_grey(w, h, &grey)
    }

    /// A picture with detail everywhere: a few crossing waves.
    fn detailed(x: f64, y: f64) -> f64 {
        128.0 + 60.0 * (x * 37.0).sin() * (y * 23.0).cos() + 50.0 * ((x + y) * 51.0).sin()
    }

    #[test]
    fn centred_crops_keep_the_target_shape_about_the_centre() {
        let [l, t, r, b] = centred(1.5, 1.0, 1.0);
        assert!((r - l - 2.0 / 3.0).abs() < 1e-9 && (b - t - 1.0).abs() < 1e-9);
        assert!(((l + r) / 2.0 - 0.5).abs() < 1e-9);
        let [l, t, r, b] = centred(1.5, 16.0 / 9.0, 1.0);
        assert!((r - l - 1.0).abs() < 1e-9 && (b - t - 1.5 / (16.0 / 9.0)).abs() < 1e-9);
        // A 3:2 picture has no 3:2 crop (it is the whole frame), but every other shape.
        assert_eq!(crops(1.5).len(), ASPECTS.len() - 1 + INSETS.len());
    }

    #[test]
    fn flat_colours_and_gradients_are_flat_and_detail_is_not() {
        assert!(look_of(128, 72, |_, _| 200.0).is_flat());
        assert!(look_of(128, 72, |x, _| x * 255.0).is_flat());
        assert!(look_of(128, 72, |x, y| (x - 0.5).hypot(y - 0.5) * 300.0).is_flat());
        assert!(!look_of(128, 72, detailed).is_flat());
    }

    #[test]
    fn a_crop_resembles_its_original_and_a_flat_picture_nothing() {
        let whole = look_of(120, 80, detailed);
        // The centred square of the same picture, sampled on its own grid.
        let square = look_of(80, 80, |x, y| detailed(1.0 / 6.0 + x * 2.0 / 3.0, y));
        assert!(resemblance(&square, &whole) > 0.9);
        let other = look_of(80, 80, |x, y| detailed(y, 1.0 - x));
        assert!(resemblance(&other, &whole) < RESEMBLANCE_SANITY);
        assert_eq!(resemblance(&look_of(80, 80, |_, _| 90.0), &whole), 0.0);
    }

    /// Far below a match, for the rotated picture above.
    const RESEMBLANCE_SANITY: f64 = 0.5;
}
