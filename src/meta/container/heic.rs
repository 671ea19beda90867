//! HEIC/HEIF (ISO-BMFF): the boxes that say where the EXIF and XMP items are, and the
//! primary image's size. Item counts, extents and the XMP gathered are bounded.

use std::borrow::Cow;

use super::{MAX_PARTS, Segments, be16, be32, be64};
use crate::meta::xmp::MAX_PACKET;

/// All the XMP items of one HEIC file together may be at most this long (an item alone, at most
/// [`MAX_PACKET`]).
const MAX_HEIC_XMP: usize = 4 * MAX_PACKET;

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
pub(super) fn heic<'a>(b: &'a [u8], s: &mut Segments<'a>) {
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
    use crate::meta::container::segments;
    use crate::meta::xmp::MAX_PACKET;

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
}
