//! Writes the photo's current credit into a rendition: EXIF, XMP and IPTC-IIM blocks built
//! from [`Fields`] (see `exif`, `xmp`, `iim`), inserted into encoded JPEG or WebP bytes within
//! each container's real limits.
//!
//! JPEG holds each block in one marker segment of at most 65,533 bytes, so the credit gets its
//! room first and whatever is cut or left out is reported; XMP too large for one segment is
//! split into standard and extended XMP. WebP's chunks have 32-bit sizes: nothing is cut.
//!
//! Every block is written from scratch: nothing is copied from the original, so GPS, camera
//! serial numbers and maker notes never reach a rendition. Output is deterministic (no dates,
//! no generated ids; the extended XMP's GUID is the MD5 of its bytes), so the same fields give
//! the same bytes.

mod exif;
mod iim;
mod xmp;

use crate::error::{Error, Result};
use crate::model::Fields;

/// Largest payload of one JPEG marker segment (the length field counts itself).
const SEGMENT_MAX: usize = 65_533;
/// The identifier that opens an XMP APP1 segment (XMP spec part 3, 1.1.3).
const XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// The identifier that opens an EXIF APP1 segment.
const EXIF_ID: &[u8] = b"Exif\0\0";
/// What opens the APP13 payload before the IIM: `Photoshop 3.0\0`, then one 8BIM resource
/// header (signature, id 0x0404, empty name, 4-byte size).
const IRB_HEAD: usize = 14 + 4 + 2 + 2 + 4;
/// Largest portion of extended XMP in one segment: the segment less its identifier, the
/// 32-byte GUID, and the full length and offset (4 bytes each).
const EXTENDED_PORTION: usize = SEGMENT_MAX - 35 - 32 - 4 - 4;

/// Insert APP1 EXIF, APP1 XMP (standard, then any extended portions) and APP13 IIM right
/// after the encoder's SOI and JFIF APP0. What had to be cut or left out to fit its segment
/// is reported in `warnings`.
pub(super) fn into_jpeg(jpeg: &[u8], fields: &Fields, warnings: &mut Vec<String>) -> Vec<u8> {
    let exif_block = exif::ifd(fields, SEGMENT_MAX - EXIF_ID.len(), warnings);
    let xmp = xmp::split(fields, SEGMENT_MAX - XMP_ID.len(), warnings);
    // One pad byte is kept free: the resource is padded to even length.
    let iim_block = iim::block(fields, SEGMENT_MAX - IRB_HEAD - 1, warnings);
    let extended_len = xmp.extended.as_ref().map_or(0, |(_, x)| x.len());
    let mut out = Vec::with_capacity(
        jpeg.len() + exif_block.len() + xmp.standard.len() + extended_len + iim_block.len() + 1024,
    );
    // JFIF (APP0) must follow SOI directly; EXIF readers accept APP1 after it.
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        let len = jpeg
            .get(4..6)
            .map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        at = 4 + len;
    }
    let (head, tail) = jpeg.split_at(at.min(jpeg.len()));
    out.extend_from_slice(head);
    segment(&mut out, 0xE1, &[EXIF_ID, &exif_block]);
    segment(&mut out, 0xE1, &[XMP_ID, &xmp.standard]);
    if let Some((guid, extended)) = &xmp.extended {
        // XMP spec part 3, 1.1.3.1: identifier, GUID, full length, this portion's offset.
        let full = u32::try_from(extended.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes();
        for (n, portion) in extended.chunks(EXTENDED_PORTION).enumerate() {
            let offset = u32::try_from(n * EXTENDED_PORTION).unwrap_or(u32::MAX);
            segment(
                &mut out,
                0xE1,
                &[
                    xmp::EXTENSION_ID,
                    guid.as_bytes(),
                    &full,
                    &offset.to_be_bytes(),
                    portion,
                ],
            );
        }
    }
    segment(&mut out, 0xED, &[&photoshop_irb(&iim_block)]);
    out.extend_from_slice(tail);
    out
}

/// Rewrap a simple-format WebP (`RIFF…WEBPVP8 `) as extended format with `EXIF` and `XMP `
/// chunks (WebP container spec: VP8X, image data, EXIF, XMP in that order). WebP has no
/// place for IIM; XMP carries the same fields. Chunk sizes are 32-bit, so nothing is cut.
///
/// # Errors
/// [`Error::InvalidInput`] if the metadata would make the file larger than RIFF's 4 GiB.
pub(super) fn into_webp(
    webp: &[u8],
    width: u32,
    height: u32,
    fields: &Fields,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>> {
    // TIFF offsets are 32-bit.
    let exif_block = exif::ifd(fields, u32::MAX as usize, warnings);
    let xmp = xmp::packet(fields);
    let image = webp.get(12..).unwrap_or_default();
    let mut body = Vec::with_capacity(image.len() + exif_block.len() + xmp.len() + 64);
    body.extend_from_slice(b"WEBP");
    let mut vp8x = [0u8; 10];
    vp8x[0] = 0x08 | 0x04; // EXIF and XMP present
    vp8x[4..7].copy_from_slice(&le24(width.saturating_sub(1)));
    vp8x[7..10].copy_from_slice(&le24(height.saturating_sub(1)));
    chunk(&mut body, b"VP8X", &vp8x);
    body.extend_from_slice(image);
    chunk(&mut body, b"EXIF", &exif_block);
    chunk(&mut body, b"XMP ", &xmp);
    let size = u32::try_from(body.len()).map_err(|_| {
        Error::InvalidInput(format!(
            "webp: {} bytes of metadata do not fit a RIFF file (4 GiB)",
            exif_block.len() + xmp.len()
        ))
    })?;
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

fn le24(v: u32) -> [u8; 3] {
    let b = v.to_le_bytes();
    [b[0], b[1], b[2]]
}

fn chunk(out: &mut Vec<u8>, fourcc: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0); // RIFF chunks are padded to even length
    }
}

/// One JPEG marker segment from `parts`, whose total is at most [`SEGMENT_MAX`] bytes by
/// construction (`exif`, `xmp` and `iim` are given their bounds).
fn segment(out: &mut Vec<u8>, marker: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    debug_assert!(len <= SEGMENT_MAX, "segment of {len} bytes");
    if len > SEGMENT_MAX {
        return; // never written with a wrong length
    }
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&u16::try_from(len + 2).unwrap_or(u16::MAX).to_be_bytes());
    for p in parts {
        out.extend_from_slice(p);
    }
}

/// APP13 payload: Photoshop image resource block with one 8BIM resource 0x0404 (IPTC-NAA).
fn photoshop_irb(iim: &[u8]) -> Vec<u8> {
    let mut out = b"Photoshop 3.0\0".to_vec();
    out.extend_from_slice(b"8BIM");
    out.extend_from_slice(&0x0404u16.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty Pascal name, padded to even
    out.extend_from_slice(&u32::try_from(iim.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(iim);
    if iim.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// The longest prefix of `s` that fits in `max` bytes without splitting a character.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Drop characters XML 1.0 forbids and NULs (which end EXIF ASCII values early).
fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// Escape text for XML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The APP segments of a JPEG, as (marker, payload), up to the first scan.
    fn segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
        let mut out = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
            let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            out.push((jpeg[at + 1], &jpeg[at + 4..at + 2 + len]));
            at += 2 + len;
        }
        out
    }

    fn big() -> Fields {
        Fields {
            creators: vec!["Evan Vucci".into()],
            credit_line: Some("AP Photo/Evan Vucci".into()),
            copyright: Some("© 2024 The Associated Press".into()),
            caption: Some("A caption & more. ".repeat(12_000)), // 216,000 bytes
            keywords: (0..3000).map(|i| format!("{i:0>40}")).collect(),
            ..Fields::default()
        }
    }

    #[test]
    fn jpeg_segments_stay_in_bounds_and_extended_xmp_reassembles() {
        let bare =
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xFF\xDA\0\x02\xFF\xD9";
        let mut w = Vec::new();
        let out = into_jpeg(bare, &big(), &mut w);
        let segs = segments(&out);
        assert_eq!(segs[0].0, 0xE0, "JFIF stays first");
        let mut extended: Vec<(u32, &[u8])> = Vec::new();
        let mut standard = None;
        for (marker, payload) in &segs {
            assert!(payload.len() <= SEGMENT_MAX);
            if let Some(rest) = payload.strip_prefix(xmp::EXTENSION_ID) {
                let offset = u32::from_be_bytes([rest[36], rest[37], rest[38], rest[39]]);
                extended.push((offset, &rest[40..]));
            } else if let Some(rest) = payload.strip_prefix(XMP_ID) {
                standard = Some(String::from_utf8(rest.to_vec()).expect("utf-8"));
            } else if *marker == 0xED {
                assert!(payload.starts_with(b"Photoshop 3.0\0"));
            }
        }
        let standard = standard.expect("standard XMP");
        assert!(standard.contains("<photoshop:Credit>AP Photo/Evan Vucci</photoshop:Credit>"));
        assert!(extended.len() >= 4, "{} portions", extended.len());
        let whole: Vec<u8> = extended
            .iter()
            .flat_map(|(_, p)| p.iter().copied())
            .collect();
        assert!(
            extended.windows(2).all(|p| p[0].0 < p[1].0),
            "offsets ascend"
        );
        let guid = format!("{:X}", md5::compute(&whole));
        assert!(
            standard.contains(&guid),
            "the standard packet names the GUID"
        );
        // The EXIF caption was cut and the IIM keywords left out; both said so.
        assert!(w.iter().any(|m| m.contains("ImageDescription")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("2:25 Keywords")), "{w:?}");
        assert!(out.ends_with(b"\xFF\xDA\0\x02\xFF\xD9"));
    }

    #[test]
    fn webp_gets_vp8x_and_whole_blocks() {
        let simple = b"RIFF\x0c\0\0\0WEBPVP8 \x00\0\0\0";
        let mut w = Vec::new();
        let out = into_webp(simple, 640, 480, &big(), &mut w).expect("fits RIFF");
        assert_eq!(&out[12..16], b"VP8X");
        assert_eq!(out[20], 0x0C);
        assert_eq!(&out[24..30], &[0x7F, 0x02, 0, 0xDF, 0x01, 0]);
        let riff = u32::from_le_bytes([out[4], out[5], out[6], out[7]]) as usize;
        assert_eq!(riff + 8, out.len());
        assert!(w.is_empty(), "nothing cut in WebP: {w:?}");
        assert!(
            out.len() > 300_000,
            "the whole caption, twice: {}",
            out.len()
        );
    }
}
