//! Format sniffing and the segment/chunk/box walkers: where each metadata block sits in a JPEG,
//! PNG, TIFF, WebP or HEIC file, plus the frame facts (pixel size, truncation) in its headers.
//!
//! Hand-written: each container is a few fixed fields, and reading them here avoids decoding
//! pixels (and avoids `image`, which only `rendition` may touch). This module only finds
//! bytes; it never decodes text or interprets a block (that is `exif`, `iptc` and `xmp`).
//! Every length read from the file is checked against the bytes actually there.

use std::borrow::Cow;

use crate::model::Format;

mod heic;
mod png;

use heic::heic;
use png::png;

/// Recognise an image container from its first bytes; never from a file name.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let at = |r: std::ops::Range<usize>| bytes.get(r);
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if at(0..4) == Some(b"RIFF") && at(8..12) == Some(b"WEBP") {
        Some(Format::Webp)
    } else if at(4..8) == Some(b"ftyp") && at(8..12).is_some_and(is_heif_brand) {
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

/// An extended-XMP chunk (JPEG APP1 `http://ns.adobe.com/xmp/extension/`, XMP spec part 3).
#[derive(Debug, Clone)]
pub struct XmpChunk<'a> {
    /// The MD5 of the full extended packet, as 32 hex digits; ties chunks to the main packet.
    pub guid: &'a [u8],
    /// Length of the whole extended packet.
    pub total: u32,
    /// Where this chunk's bytes go in the whole packet.
    pub offset: u32,
    /// This chunk's bytes.
    pub data: &'a [u8],
}

/// Every metadata block found in a file, still undecoded, plus the frame facts.
#[derive(Debug, Default)]
pub struct Segments<'a> {
    /// The container, from magic bytes.
    pub format: Option<Format>,
    /// TIFF-structured EXIF (starting at the `II`/`MM` header).
    pub exif: Vec<Cow<'a, [u8]>>,
    /// XMP packets (the main packet first when the container orders them).
    pub xmp: Vec<Cow<'a, [u8]>>,
    /// Extended-XMP chunks (JPEG only).
    pub xmp_extended: Vec<XmpChunk<'a>>,
    /// Photoshop image-resource blocks (`8BIM` records), JPEG APP13 segments joined in order.
    pub photoshop: Option<Cow<'a, [u8]>>,
    /// Bare IPTC-IIM data (TIFF tag 33723, PNG raw profiles that hold IIM directly).
    pub iim: Vec<Cow<'a, [u8]>>,
    /// PNG native text chunks: keyword and text (`Author`, `Copyright`, `Title`, …).
    pub png_text: Vec<(String, String)>,
    /// Stored pixel width.
    pub width: Option<u32>,
    /// Stored pixel height.
    pub height: Option<u32>,
    /// The compressed image data ends early.
    pub truncated: bool,
    /// What was odd or damaged about the container.
    pub warnings: Vec<String>,
}

/// At most this many segments, chunks, boxes or IFD entries are walked: real files have
/// dozens, so a larger count means a crafted or corrupt file.
const MAX_PARTS: usize = 10_000;

/// Find every metadata block in `bytes`. Never fails: damage becomes a warning.
pub fn segments(bytes: &[u8]) -> Segments<'_> {
    let mut s = Segments {
        format: sniff(bytes),
        ..Segments::default()
    };
    match s.format {
        Some(Format::Jpeg) => jpeg(bytes, &mut s),
        Some(Format::Png) => png(bytes, &mut s),
        Some(Format::Tiff) => tiff(bytes, &mut s),
        Some(Format::Webp) => webp(bytes, &mut s),
        Some(Format::Heic) => heic(bytes, &mut s),
        None => {}
    }
    s
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT_SIG: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

fn jpeg<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    let mut pos = 2;
    let mut saw_scan = false;
    let mut photoshop: Vec<&[u8]> = Vec::new();
    for _ in 0..MAX_PARTS {
        let (Some(&ff), Some(&marker)) = (b.get(pos), b.get(pos + 1)) else {
            break;
        };
        if ff != 0xFF {
            s.warnings
                .push(format!("jpeg: expected a marker at byte {pos}"));
            break;
        }
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let Some(len) = be16(b, pos + 2) else { break };
        let start = pos + 4;
        let end = pos + 2 + usize::from(len);
        let Some(seg) = b.get(start..end.max(start)) else {
            s.warnings.push(format!(
                "jpeg: segment at byte {pos} runs past the end of the file"
            ));
            break;
        };
        match marker {
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                s.height = be16(seg, 1).map(u32::from);
                s.width = be16(seg, 3).map(u32::from);
            }
            0xE1 => app1(seg, s),
            // APP13 "Photoshop 3.0\0": image resources, possibly split over several segments.
            0xED => {
                if let Some(rest) = seg.strip_prefix(b"Photoshop 3.0\0") {
                    photoshop.push(rest);
                }
            }
            0xDA => {
                saw_scan = true;
                break;
            }
            _ => {}
        }
        pos = end;
    }
    s.photoshop = match photoshop.len() {
        0 => None,
        1 => photoshop.first().map(|p| Cow::Borrowed(*p)),
        _ => Some(Cow::Owned(photoshop.concat())),
    };
    // Entropy-coded data never contains FF D9 except as the end-of-image marker.
    s.truncated = saw_scan
        && !b
            .get(pos..)
            .is_some_and(|t| t.windows(2).rev().any(|w| w == [0xFF, 0xD9]));
    if !saw_scan {
        s.warnings
            .push("jpeg: no image data (start-of-scan marker missing)".into());
        s.truncated = true;
    }
}

fn app1<'a>(seg: &'a [u8], s: &mut Segments<'a>) {
    if let Some(tiff) = seg.strip_prefix(b"Exif\0\0") {
        s.exif.push(Cow::Borrowed(tiff));
    } else if let Some(xmp) = seg.strip_prefix(XMP_SIG) {
        s.xmp.push(Cow::Borrowed(xmp));
    } else if let Some(ext) = seg.strip_prefix(XMP_EXT_SIG) {
        // 32-byte GUID, 4-byte full length, 4-byte offset, then the data (XMP part 3, 1.1.3.1).
        match (ext.get(..32), be32(ext, 32), be32(ext, 36), ext.get(40..)) {
            (Some(guid), Some(total), Some(offset), Some(data)) => {
                s.xmp_extended.push(XmpChunk {
                    guid,
                    total,
                    offset,
                    data,
                });
            }
            _ => s
                .warnings
                .push("xmp: extended XMP chunk is too short".into()),
        }
    } else if let Some(at) = seg
        .get(..64.min(seg.len()))
        .and_then(|head| find(head, b"ns.adobe.com/xap/1.0/\0"))
    {
        // Some writers (AFP's, for one) spell the header `XMP\0://ns.adobe.com/xap/1.0/\0`.
        s.warnings
            .push("xmp: non-standard header on the APP1 XMP segment".into());
        if let Some(xmp) = seg.get(at + 22..) {
            s.xmp.push(Cow::Borrowed(xmp));
        }
    }
}

/// First position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The `len` bytes at `start`, if the file holds them all.
fn span(b: &[u8], start: usize, len: u32) -> Option<&[u8]> {
    let len = usize::try_from(len).ok()?;
    b.get(start..start.checked_add(len)?)
}

/// TIFF: the file is the EXIF block; IFD0 also holds IIM (tag 33723) and XMP (tag 700).
fn tiff<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    s.exif.push(Cow::Borrowed(b));
    let little = b.starts_with(b"II");
    let u16_at = |at: usize| -> Option<u16> {
        let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(x)
        } else {
            u16::from_be_bytes(x)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let x: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(x)
        } else {
            u32::from_be_bytes(x)
        })
    };
    let Some(ifd) = u32_at(4).and_then(|o| usize::try_from(o).ok()) else {
        return;
    };
    let count = u16_at(ifd).unwrap_or(0);
    for i in 0..usize::from(count) {
        let e = ifd + 2 + i * 12;
        let (Some(tag), Some(kind), Some(n)) = (u16_at(e), u16_at(e + 2), u32_at(e + 4)) else {
            s.warnings
                .push("tiff: IFD0 runs past the end of the file".into());
            break;
        };
        if tag != 700 && tag != 33723 {
            continue;
        }
        // BYTE/UNDEFINED (1, 7) count bytes; some writers store IIM as LONG (4).
        let unit: usize = match kind {
            1 | 2 | 7 => 1,
            3 => 2,
            4 | 9 => 4,
            _ => continue,
        };
        let Some(len) = usize::try_from(n).ok().and_then(|n| n.checked_mul(unit)) else {
            continue;
        };
        let data = if len <= 4 {
            b.get(e + 8..e + 8 + len)
        } else {
            u32_at(e + 8)
                .and_then(|o| usize::try_from(o).ok())
                .and_then(|o| b.get(o..o.checked_add(len)?))
        };
        let Some(data) = data else {
            s.warnings
                .push(format!("tiff: tag {tag} points past the end of the file"));
            continue;
        };
        if tag == 700 {
            s.xmp.push(Cow::Borrowed(data));
        } else {
            s.iim.push(Cow::Borrowed(data));
        }
    }
}

fn webp<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    let le24 = |d: &[u8], at: usize| -> Option<u32> {
        let [x, y, z]: [u8; 3] = d.get(at..at + 3)?.try_into().ok()?;
        Some(u32::from_le_bytes([x, y, z, 0]))
    };
    let mut pos = 12;
    for _ in 0..MAX_PARTS {
        let (Some(kind), Some(len)) = (b.get(pos..pos + 4), le32(b, pos + 4)) else {
            break;
        };
        let start = pos + 8;
        let Some(data) = span(b, start, len) else {
            s.warnings.push(format!(
                "webp: chunk at byte {pos} runs past the end of the file"
            ));
            s.truncated = true;
            break;
        };
        match kind {
            b"VP8X" => {
                s.width = le24(data, 4).map(|w| w + 1);
                s.height = le24(data, 7).map(|h| h + 1);
            }
            b"VP8 " if s.width.is_none() => {
                let le16 = |at: usize| {
                    let x: [u8; 2] = data.get(at..at + 2)?.try_into().ok()?;
                    Some(u16::from_le_bytes(x))
                };
                s.width = le16(6).map(|w| u32::from(w & 0x3FFF));
                s.height = le16(8).map(|h| u32::from(h & 0x3FFF));
            }
            b"VP8L" if s.width.is_none() => {
                if let Some(v) = le32(data, 1) {
                    s.width = Some((v & 0x3FFF) + 1);
                    s.height = Some(((v >> 14) & 0x3FFF) + 1);
                }
            }
            b"EXIF" => {
                let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                s.exif.push(Cow::Borrowed(tiff));
            }
            b"XMP " => s.xmp.push(Cow::Borrowed(data)),
            _ => {}
        }
        // Chunks are padded to an even length (RIFF).
        pos = start + data.len() + (data.len() & 1);
    }
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
        let s = segments(&b);
        assert_eq!((s.width, s.height, s.truncated), (Some(8), Some(4), true));
        b.extend_from_slice(&[0xFF, 0xD9]);
        assert!(!segments(&b).truncated);
    }

    #[test]
    fn jpeg_app13_segments_are_joined_and_xmp_found() {
        let mut b = vec![0xFF, 0xD8];
        for part in [&b"8BIM\x04\x04"[..], &b"\0\0\0\0\0\0"[..]] {
            let body = [&b"Photoshop 3.0\0"[..], part].concat();
            b.extend_from_slice(&[0xFF, 0xED]);
            b.extend_from_slice(&u16::try_from(body.len() + 2).unwrap_or(0).to_be_bytes());
            b.extend_from_slice(&body);
        }
        let body = [XMP_SIG, b"<x/>"].concat();
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&u16::try_from(body.len() + 2).unwrap_or(0).to_be_bytes());
        b.extend_from_slice(&body);
        let s = segments(&b);
        assert_eq!(
            s.photoshop.as_deref(),
            Some(&b"8BIM\x04\x04\0\0\0\0\0\0"[..])
        );
        assert_eq!(s.xmp.first().map(|x| &x[..]), Some(&b"<x/>"[..]));
    }

    #[test]
    fn segment_longer_than_the_file_is_a_warning() {
        let b = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, b'E', b'x'];
        let s = segments(&b);
        assert!(s.warnings.iter().any(|w| w.contains("past the end")));
        assert!(s.exif.is_empty());
    }
}
