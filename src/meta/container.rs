//! Format sniffing and the segment/chunk/box walkers: where each metadata block sits in a JPEG,
//! PNG, TIFF, WebP or HEIC file, plus the frame facts (pixel size, truncation) in its headers.
//!
//! Hand-written: each container is a few fixed fields, and reading them here avoids decoding
//! pixels (and avoids `image`, which only `rendition` may touch). This module only finds
//! bytes; it never decodes text or interprets a block (that is `exif`, `iptc` and `xmp`).
//! Every length read from the file is checked against the bytes actually there.

use std::borrow::Cow;
use std::io::Read;

use super::xmp::MAX_PACKET;
use crate::model::Format;

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

/// A decompressed PNG text chunk may be at most this long (XMP's own bound is 1 MB).
const MAX_INFLATED: u64 = 4 << 20;

/// All the XMP items of one HEIC file together may be at most this long (an item alone, at most
/// [`MAX_PACKET`]).
const MAX_HEIC_XMP: usize = 4 * MAX_PACKET;

/// All the decompressed PNG text of one file together may be at most this long, so many small
/// zlib bombs cannot add up to gigabytes.
const MAX_INFLATED_TOTAL: u64 = 16 << 20;

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

fn png<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    let mut pos = 8;
    let mut saw_end = false;
    let mut capped = false;
    let mut parts = 0;
    let mut inflate_left = MAX_INFLATED_TOTAL;
    while let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) {
        // A large image has thousands of IDAT chunks: only the others count against the cap.
        if kind != b"IDAT" {
            parts += 1;
            if parts > MAX_PARTS {
                s.warnings.push(format!(
                    "png: more than {MAX_PARTS} chunks; the rest are not read"
                ));
                capped = true;
                break;
            }
        }
        let start = pos + 8;
        let Some(data) = span(b, start, len) else {
            s.warnings.push(format!(
                "png: chunk at byte {pos} runs past the end of the file"
            ));
            break;
        };
        match kind {
            b"IHDR" => {
                s.width = be32(data, 0);
                s.height = be32(data, 4);
            }
            b"eXIf" => s.exif.push(Cow::Borrowed(data)),
            b"tEXt" | b"zTXt" | b"iTXt" => png_text(kind, data, &mut inflate_left, s),
            b"IEND" => {
                saw_end = true;
                break;
            }
            _ => {}
        }
        pos = start + data.len() + 4; // + CRC
    }
    // Past the cap the end was not looked for, which is not evidence of a cut file.
    s.truncated = !saw_end && !capped;
}

/// A PNG text chunk: native text (`Author`), XMP (`XML:com.adobe.xmp`), or ImageMagick's
/// hex-encoded "Raw profile type exif/iptc/xmp/APP1". Compressed text draws on `inflate_left`,
/// the file's remaining [`MAX_INFLATED_TOTAL`].
fn png_text<'a>(kind: &[u8], data: &'a [u8], inflate_left: &mut u64, s: &mut Segments<'a>) {
    let Some(nul) = data.iter().position(|&c| c == 0) else {
        return;
    };
    let keyword = String::from_utf8_lossy(data.get(..nul).unwrap_or_default()).into_owned();
    let rest = data.get(nul + 1..).unwrap_or_default();
    let text: Cow<'_, [u8]> = match kind {
        // tEXt: keyword\0 Latin-1 text.
        b"tEXt" => Cow::Borrowed(rest),
        // zTXt: keyword\0 method(0) zlib-data.
        b"zTXt" => match inflate(rest.get(1..).unwrap_or_default(), &keyword, inflate_left, s) {
            Some(t) => Cow::Owned(t),
            None => return,
        },
        // iTXt: keyword\0 flag method lang\0 translated\0 UTF-8 text (PNG 1.2, 4.2.3.3).
        _ => {
            let (Some(&flag), Some(tail)) = (rest.first(), rest.get(2..)) else {
                return;
            };
            let Some(l) = tail.iter().position(|&c| c == 0) else {
                return;
            };
            let tail = tail.get(l + 1..).unwrap_or_default();
            let Some(t) = tail.iter().position(|&c| c == 0) else {
                return;
            };
            let body = tail.get(t + 1..).unwrap_or_default();
            if flag == 1 {
                match inflate(body, &keyword, inflate_left, s) {
                    Some(t) => Cow::Owned(t),
                    None => return,
                }
            } else {
                Cow::Borrowed(body)
            }
        }
    };
    if keyword == "XML:com.adobe.xmp" {
        s.xmp.push(text);
    } else if let Some(profile) = keyword.strip_prefix("Raw profile type ") {
        let Some(raw) = raw_profile(&text) else {
            s.warnings
                .push(format!("png: raw profile '{profile}' is not valid hex"));
            return;
        };
        match profile {
            "exif" | "APP1" => {
                let tiff = raw.strip_prefix(b"Exif\0\0").map(<[u8]>::to_vec);
                s.exif.push(Cow::Owned(tiff.unwrap_or(raw)));
            }
            "iptc" | "8bim" => {
                if raw.starts_with(b"8BIM") {
                    s.photoshop = Some(Cow::Owned(raw));
                } else {
                    s.iim.push(Cow::Owned(raw));
                }
            }
            "xmp" => s.xmp.push(Cow::Owned(raw)),
            _ => {}
        }
    } else {
        // Native text is Latin-1 in tEXt/zTXt, UTF-8 in iTXt.
        let value = if kind == b"iTXt" {
            String::from_utf8_lossy(&text).into_owned()
        } else {
            text.iter().map(|&c| char::from(c)).collect()
        };
        s.png_text.push((keyword, value));
    }
}

/// Inflate one compressed text chunk, within `MAX_INFLATED` and what is `left` of the file's
/// budget; `None`, with a warning, when it is damaged, longer than `MAX_INFLATED` (refused
/// whole: a cut XMP packet or EXIF block would be read wrong) or the budget runs out (warned
/// once: `left` is 0 only after that warning).
fn inflate(data: &[u8], keyword: &str, left: &mut u64, s: &mut Segments<'_>) -> Option<Vec<u8>> {
    if *left == 0 {
        return None;
    }
    let mut out = Vec::new();
    // One byte past the chunk's limit tells a chunk at the limit from one over it.
    let read = flate2::read::ZlibDecoder::new(data)
        .take((MAX_INFLATED + 1).min(*left))
        .read_to_end(&mut out);
    let n = u64::try_from(out.len()).unwrap_or(u64::MAX);
    if n > MAX_INFLATED {
        *left = left.saturating_sub(n);
        s.warnings.push(format!(
            "png: compressed text chunk '{keyword}' inflates to over {} MB; it is ignored",
            MAX_INFLATED >> 20
        ));
        return None;
    }
    if read.is_err() {
        *left = left.saturating_sub(n);
        s.warnings
            .push(format!("png: compressed text chunk '{keyword}' is damaged"));
        return None;
    }
    if n >= *left {
        *left = 0;
        s.warnings.push(format!(
            "png: compressed text reaches the {MAX_INFLATED_TOTAL}-byte limit for one file \
             at '{keyword}'; it and later compressed chunks are ignored"
        ));
        return None;
    }
    *left -= n;
    Some(out)
}

/// ImageMagick's raw profile: `\nNAME\n   LENGTH\nHEX…` with hex split over lines.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let mut lines = text.split(|&c| c == b'\n').filter(|l| !l.is_empty());
    let _name = lines.next()?;
    let len: usize = std::str::from_utf8(lines.next()?)
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let mut out = Vec::with_capacity(len.min(text.len() / 2));
    let mut high: Option<u8> = None;
    for &c in lines.flatten() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
        if out.len() == len {
            break;
        }
    }
    Some(out)
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

/// One ISO-BMFF box: its type and body.
struct Bmff<'a> {
    kind: &'a [u8],
    body: &'a [u8],
}

/// The boxes directly inside `b`; stops quietly at the first one that does not fit.
fn boxes(b: &[u8]) -> impl Iterator<Item = Bmff<'_>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let size = be32(b, pos)?;
        let kind = b.get(pos + 4..pos + 8)?;
        let (head, len) = match size {
            1 => (16, usize::try_from(be64(b, pos + 8)?).ok()?),
            0 => (8, b.len() - pos),
            n => (8, usize::try_from(n).ok()?),
        };
        let body = b.get(pos + head..pos.checked_add(len)?)?;
        pos += len.max(head);
        Some(Bmff { kind, body })
    })
    .take(MAX_PARTS)
}

/// HEIC: EXIF is read by kamadak-exif from the whole file; here the XMP item (a `mime` item of
/// type `application/rdf+xml`, ISO 23008-12) and the primary item's `ispe` pixel size.
fn heic<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    let Some(meta) = boxes(b).find(|x| x.kind == b"meta") else {
        s.warnings.push("heic: no meta box".into());
        return;
    };
    // `meta` is a full box: 4 bytes of version and flags before its children.
    let children = meta.body.get(4..).unwrap_or_default();
    let mut primary = None;
    let mut xmp_items = Vec::new();
    let mut iloc = None;
    let mut iprp = None;
    let mut idat: &[u8] = &[];
    for x in boxes(children) {
        match x.kind {
            b"pitm" => {
                primary = match x.body.first() {
                    Some(0) => be16(x.body, 4).map(u32::from),
                    _ => be32(x.body, 4),
                }
            }
            b"iinf" => xmp_items = xmp_item_ids(x.body),
            b"iloc" => iloc = Some(x.body),
            b"iprp" => iprp = Some(x.body),
            b"idat" => idat = x.body,
            _ => {}
        }
    }
    if let (Some(iloc), false) = (iloc, xmp_items.is_empty()) {
        let mut copied = 0usize;
        for (id, method, extents) in item_locations(iloc) {
            if !xmp_items.contains(&id) {
                continue;
            }
            if copied > MAX_HEIC_XMP {
                s.warnings.push(format!(
                    "heic: XMP items over {MAX_HEIC_XMP} bytes in all; the rest are ignored"
                ));
                break;
            }
            let src = if method == 1 { idat } else { b };
            let mut data = Vec::new();
            let mut over = false;
            for (off, len) in extents {
                // Checked before copying: extents may repeat, each naming the whole file.
                if data.len().saturating_add(len) > MAX_PACKET {
                    s.warnings
                        .push(format!("heic: XMP item over {MAX_PACKET} bytes; ignored"));
                    over = true;
                    break;
                }
                match src.get(off..off.saturating_add(len)) {
                    Some(d) => data.extend_from_slice(d),
                    None => s.warnings.push("heic: XMP item points past the end".into()),
                }
            }
            if !over {
                copied += data.len();
                s.xmp.push(Cow::Owned(data));
            }
        }
    }
    if let Some((w, h)) = iprp.zip(primary).and_then(|(i, p)| primary_size(i, p)) {
        s.width = Some(w);
        s.height = Some(h);
    }
}

/// Item ids in `iinf` whose `infe` says `mime` + `application/rdf+xml` (XMP).
fn xmp_item_ids(iinf: &[u8]) -> Vec<u32> {
    // Full-box header, then an entry count of 16 bits (version 0) or 32 bits.
    let skip = if iinf.first() == Some(&0) { 6 } else { 8 };
    let mut ids = Vec::new();
    for infe in boxes(iinf.get(skip..).unwrap_or_default()).filter(|x| x.kind == b"infe") {
        let v = infe.body.first().copied().unwrap_or(0);
        // infe v2: id u16, protection u16, type 4cc; v3: id u32.
        let (id, kind_at) = match v {
            2 => (be16(infe.body, 4).map(u32::from), 8),
            3 => (be32(infe.body, 4), 10),
            _ => continue,
        };
        let (Some(id), Some(kind)) = (id, infe.body.get(kind_at..kind_at + 4)) else {
            continue;
        };
        if kind != b"mime" {
            continue;
        }
        // name\0 content_type\0
        let rest = infe.body.get(kind_at + 4..).unwrap_or_default();
        let mut parts = rest.split(|&c| c == 0);
        let _name = parts.next();
        if parts.next() == Some(b"application/rdf+xml") {
            ids.push(id);
        }
    }
    ids
}

/// One `iloc` entry: item id, construction method (0 file, 1 `idat`), (offset, length) extents.
type Location = (u32, u8, Vec<(usize, usize)>);

/// The `iloc` entries (ISO 14496-12, 8.11.3).
fn item_locations(iloc: &[u8]) -> Vec<Location> {
    let mut out = Vec::new();
    let version = iloc.first().copied().unwrap_or(0);
    let (Some(&a), Some(&c)) = (iloc.get(4), iloc.get(5)) else {
        return out;
    };
    let (off_size, len_size, base_size) = (a >> 4, a & 15, c >> 4);
    let idx_size = if version == 1 || version == 2 {
        c & 15
    } else {
        0
    };
    let mut pos = 6;
    let count = if version < 2 {
        be16(iloc, pos).map(u32::from).inspect(|_| pos += 2)
    } else {
        be32(iloc, pos).inspect(|_| pos += 4)
    };
    let read = |pos: &mut usize, size: u8| -> Option<usize> {
        let v = match size {
            0 => 0,
            4 => u64::from(be32(iloc, *pos)?),
            8 => be64(iloc, *pos)?,
            _ => return None,
        };
        *pos += usize::from(size);
        usize::try_from(v).ok()
    };
    for _ in 0..count.unwrap_or(0).min(MAX_PARTS as u32) {
        let id = if version < 2 {
            be16(iloc, pos).map(u32::from)
        } else {
            be32(iloc, pos)
        };
        let Some(id) = id else { break };
        pos += if version < 2 { 2 } else { 4 };
        let method = if version == 1 || version == 2 {
            let m = be16(iloc, pos).map(|m| (m & 15) as u8);
            pos += 2;
            m.unwrap_or(0)
        } else {
            0
        };
        pos += 2; // data reference index
        let Some(base) = read(&mut pos, base_size) else {
            break;
        };
        let Some(n) = be16(iloc, pos) else { break };
        pos += 2;
        let mut extents = Vec::new();
        for _ in 0..n {
            if idx_size > 0 && read(&mut pos, idx_size).is_none() {
                break;
            }
            let (Some(off), Some(len)) = (read(&mut pos, off_size), read(&mut pos, len_size))
            else {
                break;
            };
            extents.push((base.saturating_add(off), len));
        }
        out.push((id, method, extents));
    }
    out
}

/// The `ispe` (image spatial extents) property associated with the primary item.
fn primary_size(iprp: &[u8], primary: u32) -> Option<(u32, u32)> {
    let ipco = boxes(iprp).find(|x| x.kind == b"ipco")?;
    let props: Vec<Bmff<'_>> = boxes(ipco.body).collect();
    for ipma in boxes(iprp).filter(|x| x.kind == b"ipma") {
        let version = *ipma.body.first()?;
        let wide = ipma.body.get(3).is_some_and(|f| f & 1 == 1);
        let count = be32(ipma.body, 4)?;
        let mut pos = 8;
        for _ in 0..count.min(MAX_PARTS as u32) {
            let id = if version < 1 {
                let v = be16(ipma.body, pos).map(u32::from);
                pos += 2;
                v?
            } else {
                let v = be32(ipma.body, pos);
                pos += 4;
                v?
            };
            let n = *ipma.body.get(pos)?;
            pos += 1;
            for _ in 0..n {
                let index = if wide {
                    let v = be16(ipma.body, pos)? & 0x7FFF;
                    pos += 2;
                    usize::from(v)
                } else {
                    let v = ipma.body.get(pos)? & 0x7F;
                    pos += 1;
                    usize::from(v)
                };
                if id != primary || index == 0 {
                    continue;
                }
                let prop = props.get(index - 1)?;
                if prop.kind == b"ispe" {
                    return Some((be32(prop.body, 4)?, be32(prop.body, 8)?));
                }
            }
        }
    }
    None
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

    /// A PNG of an IHDR (3x2), the given chunks and an IEND; CRCs are not checked.
    fn png_file(chunks: &[(&[u8], Vec<u8>)]) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        let ihdr = [&[0, 0, 0, 3, 0, 0, 0, 2][..], &[8, 2, 0, 0, 0]].concat();
        let all = std::iter::once((&b"IHDR"[..], ihdr))
            .chain(chunks.iter().cloned())
            .chain(std::iter::once((&b"IEND"[..], Vec::new())));
        for (kind, data) in all {
            b.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
            b.extend_from_slice(kind);
            b.extend_from_slice(&data);
            b.extend_from_slice(&[0; 4]);
        }
        b
    }

    #[test]
    fn idat_chunks_do_not_count_against_the_part_cap() {
        let idat: Vec<(&[u8], Vec<u8>)> = vec![(b"IDAT", vec![0; 4]); MAX_PARTS + 10];
        let file = png_file(&idat);
        let s = segments(&file);
        assert!(!s.truncated);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!((s.width, s.height), (Some(3), Some(2)));

        // Past the cap for other chunks: a warning, but not a truncated file.
        let text: Vec<(&[u8], Vec<u8>)> = vec![(b"tEXt", b"k\0v".to_vec()); MAX_PARTS + 10];
        let file = png_file(&text);
        let s = segments(&file);
        assert!(!s.truncated);
        assert!(
            s.warnings.iter().any(|w| w.contains("more than")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn compressed_png_text_has_a_budget_for_the_whole_file() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'a'; 1 << 20]).unwrap_or_default();
        let bomb = z.finish().unwrap_or_default();
        let chunk = [&b"Comment\0\0"[..], &bomb].concat();
        let chunks: Vec<(&[u8], Vec<u8>)> = vec![(b"zTXt", chunk); 40];
        let file = png_file(&chunks);
        let s = segments(&file);
        let inflated: usize = s.png_text.iter().map(|(_, t)| t.len()).sum();
        assert!(inflated as u64 <= MAX_INFLATED_TOTAL, "{inflated}");
        assert_eq!(s.png_text.len(), 15);
        let over: Vec<_> = s
            .warnings
            .iter()
            .filter(|w| w.contains("limit for one file"))
            .collect();
        assert_eq!(over.len(), 1, "{:?}", s.warnings);
    }

    // See: #15 (compressed metadata chunks over a few MB are refused with a warning)
    #[test]
    fn a_compressed_png_chunk_over_its_limit_is_refused_whole() {
        use std::io::Write;
        let deflated = |n: u64| {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(&vec![b'a'; usize::try_from(n).unwrap_or(0)])
                .unwrap_or_default();
            z.finish().unwrap_or_default()
        };
        for (over, fits) in [(MAX_INFLATED + 1, MAX_INFLATED), (5 << 20, 1 << 20)] {
            let z = [&b"Comment\0\0"[..], &deflated(over)].concat();
            // iTXt: keyword, NUL, compressed flag, method, language NUL, translated NUL.
            let i = [&b"XML:com.adobe.xmp\0\x01\0\0\0"[..], &deflated(over)].concat();
            let ok = [&b"Author\0\0"[..], &deflated(fits)].concat();
            let chunks: Vec<(&[u8], Vec<u8>)> = vec![(b"zTXt", z), (b"iTXt", i), (b"zTXt", ok)];
            let file = png_file(&chunks);
            let s = segments(&file);
            let refused: Vec<_> = s
                .warnings
                .iter()
                .filter(|w| w.contains("inflates to over 4 MB"))
                .collect();
            assert_eq!(refused.len(), 2, "{over}: {:?}", s.warnings);
            assert!(refused[0].contains("'Comment'") && refused[1].contains("xmp"));
            assert!(s.xmp.is_empty(), "no cut packet is read");
            // A chunk within the limit, after them, is read whole.
            assert_eq!(s.png_text.len(), 1);
            assert_eq!(s.png_text[0].1.len() as u64, fits);
        }
    }

    fn bmff(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let size = u32::try_from(body.len() + 8).unwrap_or(0);
        [&size.to_be_bytes()[..], kind, body].concat()
    }

    /// A HEIC whose XMP item (id 1) is `items` iloc entries of `extents` × 1000 file bytes.
    fn heic_file(items: usize, extents: usize) -> Vec<u8> {
        let ftyp = bmff(b"ftyp", b"heic\0\0\0\0mif1heic");
        let infe = bmff(
            b"infe",
            b"\x02\0\0\0\0\x01\0\0mimexmp\0application/rdf+xml\0",
        );
        let iinf = bmff(b"iinf", &[&[0, 0, 0, 0, 0, 1][..], &infe].concat());
        let mut iloc = vec![0, 0, 0, 0, 0x44, 0];
        iloc.extend_from_slice(&u16::try_from(items).unwrap_or(0).to_be_bytes());
        for _ in 0..items {
            iloc.extend_from_slice(&[0, 1, 0, 0]);
            iloc.extend_from_slice(&u16::try_from(extents).unwrap_or(0).to_be_bytes());
            for _ in 0..extents {
                iloc.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x03, 0xE8]);
            }
        }
        let meta = bmff(
            b"meta",
            &[&[0, 0, 0, 0][..], &iinf, &bmff(b"iloc", &iloc)].concat(),
        );
        [ftyp, meta, bmff(b"mdat", &[0; 1000])].concat()
    }

    #[test]
    fn heic_xmp_item_is_bounded() {
        let file = heic_file(1, 10);
        let s = segments(&file);
        assert_eq!(s.xmp.first().map(|x| x.len()), Some(10_000));
        // 2000 extents of 1000 bytes: 2 MB, over the packet limit, never copied.
        let file = heic_file(1, 2000);
        let s = segments(&file);
        assert!(s.xmp.is_empty());
        assert_eq!(
            s.warnings,
            [format!("heic: XMP item over {MAX_PACKET} bytes; ignored")]
        );
        // Many items each under the limit are bounded in all.
        let file = heic_file(20, 1000);
        let s = segments(&file);
        assert_eq!(s.xmp.len(), 5);
        assert!(
            s.warnings.iter().any(|w| w.contains("in all")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn raw_profile_hex_is_decoded() {
        let t = b"\nexif\n       8\n45786966 0000\n4d4d\n";
        assert_eq!(raw_profile(t).as_deref(), Some(&b"Exif\0\0MM"[..]));
        assert_eq!(raw_profile(b"\nexif\n 2\nzz"), None);
    }
}
