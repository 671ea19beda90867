//! Format sniffing and the frame facts (pixel size, truncation) read from container headers.
//!
//! Hand-written: each header is a few fixed fields, and reading them here avoids decoding
//! pixels (and avoids `image`, which only `rendition` may touch).

use crate::model::Format;

/// Recognise an image container from its first bytes; never from a file name.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && is_heif_brand(&bytes[8..12]) {
        Some(Format::Heic)
    } else {
        None
    }
}

fn is_heif_brand(brand: &[u8]) -> bool {
    matches!(
        brand,
        b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
    )
}

/// Pixel size and damage as far as the container headers tell.
#[derive(Debug, Default)]
pub struct Frame {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub truncated: bool,
}

/// Read the frame facts of a sniffed container.
pub fn frame(format: Format, bytes: &[u8], warnings: &mut Vec<String>) -> Frame {
    match format {
        Format::Jpeg => jpeg_frame(bytes, warnings),
        Format::Png => png_frame(bytes),
        Format::Webp => webp_frame(bytes),
        // TIFF and HEIC sizes come from their IFD / `ispe` box (EXIF reader for now).
        Format::Tiff | Format::Heic => Frame::default(),
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn jpeg_frame(b: &[u8], warnings: &mut Vec<String>) -> Frame {
    let mut f = Frame::default();
    let mut pos = 2;
    let mut saw_scan = false;
    while pos + 4 <= b.len() {
        if b[pos] != 0xFF {
            warnings.push(format!("jpeg: expected a marker at byte {pos}"));
            break;
        }
        let marker = b[pos + 1];
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let Some(len) = be16(b, pos + 2) else { break };
        let seg = pos + 4;
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            f.height = be16(b, seg + 1).map(u32::from);
            f.width = be16(b, seg + 3).map(u32::from);
        }
        if marker == 0xDA {
            saw_scan = true;
            break;
        }
        pos = seg + usize::from(len).saturating_sub(2);
    }
    // Entropy-coded data never contains FF D9 except as the end-of-image marker.
    f.truncated = saw_scan && !b.windows(2).rev().any(|w| w == [0xFF, 0xD9]);
    if !saw_scan {
        warnings.push("jpeg: no image data (start-of-scan marker missing)".into());
        f.truncated = true;
    }
    f
}

fn png_frame(b: &[u8]) -> Frame {
    // IHDR is always the first chunk: width and height at bytes 16..24.
    let be32 = |at: usize| {
        b.get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let ihdr = b.get(12..16) == Some(b"IHDR");
    Frame {
        width: if ihdr { be32(16) } else { None },
        height: if ihdr { be32(20) } else { None },
        truncated: !b.windows(4).rev().take(64).any(|w| w == b"IEND"),
    }
}

fn webp_frame(b: &[u8]) -> Frame {
    let mut f = Frame::default();
    let le24 = |at: usize| -> Option<u32> {
        let s = b.get(at..at + 3)?;
        Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
    };
    match b.get(12..16) {
        Some(b"VP8X") => {
            f.width = le24(24).map(|w| w + 1);
            f.height = le24(27).map(|h| h + 1);
        }
        Some(b"VP8 ") => {
            let le16 = |at: usize| b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
            f.width = le16(26).map(|w| u32::from(w & 0x3FFF));
            f.height = le16(28).map(|h| u32::from(h & 0x3FFF));
        }
        Some(b"VP8L") => {
            if let Some(s) = b.get(21..25) {
                let v = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
                f.width = Some((v & 0x3FFF) + 1);
                f.height = Some(((v >> 14) & 0x3FFF) + 1);
            }
        }
        _ => {}
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_magic_not_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(sniff(b"II*\0rest"), Some(Format::Tiff));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(Format::Heic));
        assert_eq!(sniff(b"hello, this is text"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn jpeg_without_end_marker_is_truncated() {
        // SOI, SOF0 (8x4), SOS, two bytes of scan data, no EOI.
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 4, 0, 8, 1, 1, 0x11, 0];
        b.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0x12, 0x34]);
        let mut w = Vec::new();
        let f = jpeg_frame(&b, &mut w);
        assert_eq!((f.width, f.height, f.truncated), (Some(8), Some(4), true));
        b.extend_from_slice(&[0xFF, 0xD9]);
        assert!(!jpeg_frame(&b, &mut w).truncated);
    }
}
