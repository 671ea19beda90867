//! Bytes → pixels: size limits checked from the headers first, JPEG decoded by libjpeg-turbo
//! at the smallest DCT scale that still covers the largest rendition (shrink-on-load), HEIC by
//! libheif (`heic`), other formats by `image`; the EXIF orientation and the colour profile are read alongside.
//!
//! Must not allocate a pixel buffer before the header's size has passed [`check_size`], and
//! must not convert colours or orient pixels: that happens after resizing, on fewer pixels.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};
use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor};

use crate::error::{Error, Result};
use crate::model::Format;

/// Widest or tallest image byline renders (issue 4, "Limits").
pub const MAX_SIDE: u32 = 20_000;
/// Largest image byline renders, in pixels (100 megapixels).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Most memory one decode may hold at once, in bytes: the decoder's own pixel buffer plus the
/// 8-bit copy made from it (issue 15). Checked from the header before anything is allocated,
/// and given to `image` as its allocation limit. 100 MP fits as 8-bit RGB, RGBA or grey (not
/// grey with alpha: 89 MP); 16-bit files fit up to about 59 MP (RGB) or 44 MP (RGBA).
pub const MAX_DECODE_BYTES: u64 = 512 << 20;

/// Interleaved 8-bit pixels: 3 channels (RGB) or 4 (CMYK as stored).
#[derive(Debug, Clone)]
pub(super) struct Raster {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

/// What the decoded samples mean, so they can be brought to sRGB later.
#[derive(Debug, Clone)]
pub(super) enum Colour {
    /// RGB with no profile (taken as sRGB).
    Srgb,
    /// RGB described by this ICC profile (Display P3, Adobe RGB, …).
    Rgb(Vec<u8>),
    /// CMYK, 0 = no ink, with its ICC profile when the file has one.
    Cmyk(Option<Vec<u8>>),
}

/// A decoded picture and what is needed to finish it.
#[derive(Debug)]
pub(super) struct Decoded {
    pub raster: Raster,
    pub colour: Colour,
    /// EXIF orientation 1–8 (anything else is taken as 1).
    pub orientation: u16,
    /// Stored size of the original, before DCT scaling and orientation.
    pub width: u32,
    /// Stored height of the original.
    pub height: u32,
    pub warnings: Vec<String>,
    /// Only part of the picture could be decoded; the rest is filled grey.
    pub partial: bool,
}

/// Refuse sizes beyond [`MAX_SIDE`] or [`MAX_PIXELS`] (and empty ones) before any allocation.
pub(super) fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::InvalidInput(format!(
            "image header says {width}×{height} px: there are no pixels to render"
        )));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::InvalidInput(format!(
            "image is {width}×{height} px; byline renders images up to {MAX_SIDE} px a side \
             and {} megapixels",
            MAX_PIXELS / 1_000_000
        )));
    }
    Ok(())
}

/// Refuse a decode that would hold more than [`MAX_DECODE_BYTES`] at once.
pub(super) fn check_budget(what: &str, width: u32, height: u32, bytes: u64) -> Result<()> {
    if bytes > MAX_DECODE_BYTES {
        return Err(Error::InvalidInput(format!(
            "{what}: decoding this {width}×{height} px image would take {} MB of memory; \
             byline decodes within {} MB",
            bytes >> 20,
            MAX_DECODE_BYTES >> 20
        )));
    }
    Ok(())
}

/// Decode `bytes` so that the longest side is at least `target` (or full size if smaller).
pub(super) fn decode(bytes: &[u8], target: u32) -> Result<Decoded> {
    match crate::meta::sniff(bytes) {
        Some(Format::Jpeg) => jpeg(bytes, target),
        Some(Format::Png) => other(bytes, image::ImageFormat::Png),
        Some(Format::Tiff) => other(bytes, image::ImageFormat::Tiff),
        Some(Format::Webp) => other(bytes, image::ImageFormat::WebP),
        Some(Format::Heic) => super::heic::decode(bytes),
        None => Err(Error::UnsupportedFormat(
            "not an image byline can render (expected JPEG, PNG, TIFF, WebP or HEIC)".into(),
        )),
    }
}

/// What the JPEG marker segments before the first scan say.
#[derive(Debug, Default)]
struct JpegHead {
    width: u32,
    height: u32,
    orientation: u16,
    icc: Vec<(u8, Vec<u8>)>,
    adobe: bool,
    truncated: bool,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// Walk the marker segments up to SOS: frame size (SOFn), EXIF (APP1), ICC (APP2 chunks),
/// Adobe (APP14, whose presence means inverted CMYK).
fn jpeg_head(b: &[u8]) -> Result<JpegHead> {
    let mut head = JpegHead {
        orientation: 1,
        ..JpegHead::default()
    };
    let mut pos = 2;
    let mut saw_frame = false;
    while pos + 4 <= b.len() {
        if b.get(pos) != Some(&0xFF) {
            break;
        }
        let marker = b.get(pos + 1).copied().unwrap_or(0);
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let Some(len) = be16(b, pos + 2).map(usize::from) else {
            break;
        };
        let seg = b
            .get(pos + 4..(pos + 2 + len).min(b.len()))
            .unwrap_or_default();
        match marker {
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): P, Y, X.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                head.height = be16(seg, 1).map_or(0, u32::from);
                head.width = be16(seg, 3).map_or(0, u32::from);
                saw_frame = true;
            }
            0xE1 if seg.starts_with(b"Exif\0\0") => {
                head.orientation = orientation(seg.get(6..).unwrap_or_default());
            }
            0xE2 if seg.starts_with(b"ICC_PROFILE\0") => {
                // ICC.1 annex B.4: sequence number, count, then the chunk.
                let seq = seg.get(12).copied().unwrap_or(0);
                head.icc
                    .push((seq, seg.get(14..).unwrap_or_default().to_vec()));
            }
            0xEE if seg.starts_with(b"Adobe") => head.adobe = true,
            0xDA => break,
            _ => {}
        }
        pos += 2 + len;
    }
    if !saw_frame {
        return Err(Error::Image(
            "jpeg: no frame header (SOF) before the image data; the file is damaged".into(),
        ));
    }
    // Entropy-coded data never holds FF D9 except as the end-of-image marker.
    head.truncated = !b.windows(2).rev().take(1 << 16).any(|w| w == [0xFF, 0xD9]);
    Ok(head)
}

/// EXIF orientation (0x0112) from a TIFF structure; 1 when absent or out of range. Read as
/// the metadata reader reads it (past a damaged entry), so a rendition is turned exactly as
/// the record says.
fn orientation(tiff: &[u8]) -> u16 {
    crate::meta::exif::read_tiff(tiff, &mut Vec::new())
        .orientation
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

/// The coarsest of libjpeg-turbo's SIMD-accelerated DCT scales (1/8, 1/4, 1/2) that keeps
/// the longest side at or above `target`.
fn dct_scale(long: u32, target: u32) -> ScalingFactor {
    for f in [
        ScalingFactor::ONE_EIGHTH,
        ScalingFactor::ONE_QUARTER,
        ScalingFactor::ONE_HALF,
    ] {
        if f.scale(long as usize) >= target as usize {
            return f;
        }
    }
    ScalingFactor::ONE
}

fn jpeg(bytes: &[u8], target: u32) -> Result<Decoded> {
    let head = jpeg_head(bytes)?;
    check_size(head.width, head.height)?;
    let tj = |e: turbojpeg::Error| Error::Image(format!("jpeg: {e}"));
    let mut d = Decompressor::new().map_err(tj)?;
    // A progressive file with thousands of tiny scans is a known decoder-exhaustion trick
    // (libjpeg-turbo's "TwoIssues" report); real photos use about ten.
    d.set_scan_limit(500).map_err(tj)?;
    // Chroma is replicated rather than interpolated (TJPARAM_FASTUPSAMPLE): every rendition
    // is resampled down afterwards, which hides the difference, and decoding is ~20% faster.
    d.set_fast_upsample(true).map_err(tj)?;
    let header = d.read_header(bytes).map_err(tj)?;
    // The buffer below is sized from libjpeg's reading of the header, so that is the one the
    // limits must hold for (the SOF check above refuses before libjpeg is even started).
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (width, height) = (side(header.width), side(header.height));
    check_size(width, height)?;
    let long = width.max(height);
    let scale = if header.is_lossless {
        ScalingFactor::ONE
    } else {
        dct_scale(long, target.min(long))
    };
    d.set_scaling_factor(scale).map_err(tj)?;
    let scaled = header.scaled(scale);
    let cmyk = matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK);
    let (format, channels) = if cmyk {
        (PixelFormat::CMYK, 4)
    } else {
        (PixelFormat::RGB, 3)
    };
    let size = scaled.width as u64 * scaled.height as u64 * channels as u64;
    check_budget("jpeg", width, height, size)?;
    let mut pixels = vec![0u8; scaled.width * scaled.height * channels];
    let mut warnings = Vec::new();
    let mut partial = false;
    let image = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: scaled.width,
        pitch: scaled.width * channels,
        height: scaled.height,
        format,
    };
    if let Err(e) = d.decompress(bytes, image) {
        // libjpeg reports a short or damaged scan as a warning after filling the rest of the
        // picture grey; TurboJPEG surfaces it as an error. Keep what was decoded and say so.
        let msg = e.to_string();
        let msg = msg.trim_start_matches("TurboJPEG error: ");
        match jpeg_warning(msg, head.truncated) {
            None => return Err(tj(e)),
            Some(Damage::Harmless) => warnings.push(format!(
                "jpeg: {msg} (harmless: the picture decoded in full)"
            )),
            Some(Damage::Partial) => {
                partial = true;
                warnings.push(format!(
                    "jpeg: the image data is cut short or damaged ({msg}); rendered what could \
                     be decoded, the rest is grey"
                ));
            }
        }
    }
    let icc = assemble_icc(head.icc).filter(|p| {
        // Up to 255 APP2 chunks of 64 KB: a 16 MB profile is possible, and refused (issue 15).
        let fits = p.len() <= super::profile::MAX_ICC;
        if !fits {
            warnings.push(super::profile::too_big("jpeg"));
        }
        fits
    });
    let colour = if cmyk {
        if head.adobe {
            // Adobe (Photoshop) CMYK JPEGs store inverted samples: 255 = no ink.
            for v in &mut pixels {
                *v = 255 - *v;
            }
        }
        Colour::Cmyk(icc)
    } else {
        icc.map_or(Colour::Srgb, Colour::Rgb)
    };
    Ok(Decoded {
        raster: Raster {
            width: u32::try_from(scaled.width).unwrap_or(0),
            height: u32::try_from(scaled.height).unwrap_or(0),
            channels: u8::try_from(channels).unwrap_or(3),
            data: pixels,
        },
        colour,
        orientation: head.orientation,
        width: head.width,
        height: head.height,
        warnings,
        partial,
    })
}

/// How bad a libjpeg warning is.
#[derive(Debug, PartialEq)]
enum Damage {
    /// Stray bytes between segments (JWRN_EXTRANEOUS_DATA): every pixel still decoded.
    Harmless,
    /// Data missing or corrupt (JWRN_JPEG_EOF, JWRN_HIT_MARKER, JWRN_HUFF_BAD_CODE, …).
    Partial,
}

/// Classify a TurboJPEG message: `None` for a real error (nothing usable was decoded).
fn jpeg_warning(msg: &str, truncated: bool) -> Option<Damage> {
    if truncated || msg.contains("Premature end") || msg.contains("premature end") {
        Some(Damage::Partial)
    } else if msg.contains("extraneous bytes before marker") {
        Some(Damage::Harmless)
    } else if msg.starts_with("Corrupt JPEG data") {
        Some(Damage::Partial)
    } else {
        None
    }
}

/// Join APP2 ICC chunks in sequence-number order; `None` if there are none.
fn assemble_icc(mut chunks: Vec<(u8, Vec<u8>)>) -> Option<Vec<u8>> {
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|(seq, _)| *seq);
    Some(chunks.into_iter().flat_map(|(_, c)| c).collect())
}

/// PNG, TIFF and WebP through `image`, with its limits set to ours.
fn other(bytes: &[u8], format: image::ImageFormat) -> Result<Decoded> {
    let name = format!("{format:?}").to_lowercase();
    let err = |e: image::ImageError| match e {
        image::ImageError::Limits(l) => Error::InvalidInput(format!("{name}: {l}")),
        e => Error::Image(format!("{name}: {e}")),
    };
    // An iCCP bomb is cut out before `png` reads the header and inflates it (issue 15).
    let mut warnings = Vec::new();
    let stripped = (format == image::ImageFormat::Png)
        .then(|| super::profile::png_without_big_icc(bytes))
        .flatten()
        .map(|(png, warning)| {
            warnings.push(warning);
            png
        });
    let bytes = stripped.as_deref().unwrap_or(bytes);
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .map_err(err)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    // The decoder's buffer, then the 8-bit RGB(A) copy unless it already is one: RGBA8 is
    // flattened in place, anything else converted into a new buffer.
    let color = decoder.color_type();
    let pixels = u64::from(width) * u64::from(height);
    let copy = match color {
        image::ColorType::Rgb8 | image::ColorType::Rgba8 => 0,
        c if c.has_alpha() => pixels * 4,
        _ => pixels * 3,
    };
    check_budget(
        &name,
        width,
        height,
        decoder.total_bytes().saturating_add(copy),
    )?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    decoder.set_limits(limits).map_err(err)?;
    let icc = decoder.icc_profile().ok().flatten().filter(|p| {
        let fits = p.len() <= super::profile::MAX_ICC;
        if !fits {
            warnings.push(super::profile::too_big(&name));
        }
        fits
    });
    let orientation = decoder
        .orientation()
        .ok()
        .map_or(1, |o| u16::from(o.to_exif()));
    let image = DynamicImage::from_decoder(decoder).map_err(err)?;
    let data = if image.color().has_alpha() {
        // Renditions carry no alpha: composite onto white, as a page background would show.
        flatten(image.into_rgba8().into_raw())
    } else {
        image.into_rgb8().into_raw()
    };
    Ok(Decoded {
        raster: Raster {
            width,
            height,
            channels: 3,
            data,
        },
        colour: icc.map_or(Colour::Srgb, Colour::Rgb),
        orientation,
        width,
        height,
        warnings,
        partial: false,
    })
}

/// RGBA → RGB over white, in place: a 100 MP picture needs no second buffer of 300 MB.
pub(super) fn flatten(mut rgba: Vec<u8>) -> Vec<u8> {
    let n = rgba.len() / 4;
    for i in 0..n {
        // Pixel `i` is read whole before its RGB is written at `3i`, which never passes `4i`.
        let [r, g, b, a] = [
            rgba[4 * i],
            rgba[4 * i + 1],
            rgba[4 * i + 2],
            rgba[4 * i + 3],
        ];
        let a = u16::from(a);
        let over =
            |c: u8| u8::try_from((u16::from(c) * a + 255 * (255 - a) + 127) / 255).unwrap_or(255);
        rgba[3 * i] = over(r);
        rgba[3 * i + 1] = over(g);
        rgba[3 * i + 2] = over(b);
    }
    rgba.truncate(n * 3);
    rgba
}

#[cfg(test)]
mod tests {

    #[test]
    fn orientation_survives_a_damaged_exif_entry() {
        // Little-endian TIFF, IFD0 with two entries: an ImageDescription whose 100 bytes lie
        // past the end, then Orientation = 6. The metadata reader reads past the first.
        let mut tiff = b"II*\0\x08\0\0\0\x02\0".to_vec();
        tiff.extend([0x0E, 0x01, 2, 0, 100, 0, 0, 0, 0xFF, 0xFF, 0, 0]);
        tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend([0, 0, 0, 0]);
        assert_eq!(orientation(&tiff), 6);
    }
    use super::*;

    #[test]
    fn dct_scale_keeps_the_target_covered() {
        assert_eq!(dct_scale(6000, 2048).num(), 1);
        assert_eq!(dct_scale(6000, 2048).denom(), 2);
        assert_eq!(dct_scale(6000, 320).denom(), 8);
        assert_eq!(dct_scale(3000, 2048).denom(), 1);
        assert_eq!(dct_scale(2560, 640).denom(), 4);
    }

    #[test]
    fn libjpeg_warnings_are_told_apart_from_errors() {
        // Message texts from libjpeg-turbo's jerror.h.
        let w = |m| jpeg_warning(m, false);
        assert_eq!(w("Premature end of JPEG file"), Some(Damage::Partial));
        assert_eq!(
            w("Corrupt JPEG data: premature end of data segment"),
            Some(Damage::Partial)
        );
        assert_eq!(
            w("Corrupt JPEG data: 3 extraneous bytes before marker 0xd9"),
            Some(Damage::Harmless)
        );
        assert_eq!(w("Not a JPEG file: starts with 0x89 0x50"), None);
        assert_eq!(w("Unsupported JPEG data precision 12"), None);
        assert_eq!(
            jpeg_warning("Bogus marker length", true),
            Some(Damage::Partial)
        );
    }

    #[test]
    fn size_limits() {
        assert!(check_size(20_000, 5_000).is_ok());
        assert!(check_size(20_001, 10).is_err());
        assert!(check_size(10_001, 10_000).is_err()); // 100.01 MP
        assert!(check_size(0, 10).is_err());
    }

    /// A PNG of `width`×`height` at `depth` bits and PNG colour type `colour`, all zeros.
    fn png(width: u32, height: u32, depth: u8, colour: u8) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            out.extend(kind);
            out.extend(data);
            out.extend(crc.sum().to_be_bytes());
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([depth, colour, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        // One row's worth is enough: the budget is checked before any pixel is inflated.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut z, &vec![0u8; 1024]).expect("deflate");
        chunk(&mut out, b"IDAT", &z.finish().expect("deflate"));
        chunk(&mut out, b"IEND", &[]);
        out
    }

    // See: #15 (a peak-memory budget per decode, not only pixels)
    #[test]
    fn decodes_over_the_memory_budget_are_refused_from_the_header() {
        // 10,000 × 10,000 = 100 MP, within the pixel limit. As 16-bit RGBA it would take
        // 800 MB for the decoder's buffer and 400 MB for the 8-bit copy.
        for (depth, colour, refused) in [
            (16, 6, true),
            (16, 2, true),
            (8, 4, true),
            (8, 6, false),
            (8, 0, false),
        ] {
            let got = decode(&png(10_000, 10_000, depth, colour), 2048);
            match got {
                Err(Error::InvalidInput(m)) if refused => {
                    assert!(m.contains("MB of memory"), "{m}");
                }
                Err(Error::InvalidInput(m)) => {
                    assert!(
                        !m.contains("MB of memory"),
                        "{depth}-bit type {colour}: {m}"
                    );
                }
                Err(e) => assert!(!refused, "{depth}-bit type {colour}: {e}"),
                Ok(_) => assert!(!refused, "{depth}-bit type {colour} decoded"),
            }
        }
        // 16-bit RGB at 40 MP (240 + 120 MB) is within it.
        assert!(check_budget("png", 8000, 5000, 8000 * 5000 * 9).is_ok());
    }

    #[test]
    fn flatten_composites_on_white() {
        assert_eq!(
            flatten(vec![0, 0, 0, 0, 10, 20, 30, 255]),
            vec![255, 255, 255, 10, 20, 30]
        );
    }
}
