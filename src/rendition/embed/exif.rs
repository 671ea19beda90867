//! The EXIF IFD0 written into renditions: ImageDescription (0x010E), Orientation (0x0112) = 1,
//! Artist (0x013B) and Copyright (0x8298), as a big-endian TIFF structure.
//!
//! A JPEG's APP1 segment bounds the structure; Artist and Copyright get their room first and
//! the caption what is left, cut on a character boundary and reported. WebP's `EXIF` chunk has
//! no such bound.

use crate::model::Fields;

use super::{clean, cut};

/// TIFF header (8 bytes) + entry count (2) + next-IFD offset (4).
const FIXED: usize = 8 + 2 + 4;
/// One IFD entry.
const ENTRY: usize = 12;

enum Entry {
    Short(u16),
    Ascii(String),
}

/// A value's size after the IFD: the string, its NUL, padded to even; 0 when it fits inline.
fn outside(s: &str) -> usize {
    let n = s.len() + 1;
    if n <= 4 { 0 } else { n + n % 2 }
}

/// The TIFF structure for `fields`, at most `max` bytes.
pub(super) fn ifd(fields: &Fields, max: usize, warnings: &mut Vec<String>) -> Vec<u8> {
    // MWG: several creators are joined with "; " in EXIF Artist.
    let artist = (!fields.creators.is_empty()).then(|| clean(&fields.creators.join("; ")));
    let copyright = fields.copyright.as_deref().map(clean);
    let caption = fields.caption.as_deref().map(clean);
    let count = 1 + [&artist, &copyright, &caption]
        .iter()
        .filter(|v| v.is_some())
        .count();
    let mut room = max.saturating_sub(FIXED + count * ENTRY);
    // The credit first, then the caption; each takes what it needs of what is left.
    let mut fit = |tag: &str, value: Option<String>| {
        value.map(|v| {
            let need = outside(&v);
            if need <= room {
                room -= need;
                return v;
            }
            // Room for the string, its NUL and an alignment byte.
            let kept = cut(&v, room.saturating_sub(2)).to_string();
            room = room.saturating_sub(outside(&kept));
            warnings.push(format!(
                "exif {tag} cut from {} to {} bytes to fit the EXIF block; XMP keeps the \
                 full value",
                v.len(),
                kept.len()
            ));
            kept
        })
    };
    let artist = fit("Artist", artist);
    let copyright = fit("Copyright", copyright);
    let caption = fit("ImageDescription", caption);

    // IFD entries in ascending tag order (TIFF 6.0, section 2).
    let mut entries: Vec<(u16, Entry)> = Vec::new();
    if let Some(c) = caption {
        entries.push((0x010E, Entry::Ascii(c)));
    }
    // The pixels are written upright, so the rendition's orientation is always 1.
    entries.push((0x0112, Entry::Short(1)));
    if let Some(a) = artist {
        entries.push((0x013B, Entry::Ascii(a)));
    }
    if let Some(c) = copyright {
        entries.push((0x8298, Entry::Ascii(c)));
    }

    let mut out = b"MM\0\x2a\0\0\0\x08".to_vec();
    let count = u16::try_from(entries.len()).unwrap_or(0);
    out.extend_from_slice(&count.to_be_bytes());
    // Values longer than 4 bytes live after the IFD (entries, then a zero next-IFD offset).
    let mut data_at = FIXED + entries.len() * ENTRY;
    let mut data = Vec::new();
    for (tag, entry) in &entries {
        out.extend_from_slice(&tag.to_be_bytes());
        match entry {
            Entry::Short(v) => {
                out.extend_from_slice(&3u16.to_be_bytes());
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(&v.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            Entry::Ascii(s) => {
                let mut bytes = s.as_bytes().to_vec();
                bytes.push(0);
                out.extend_from_slice(&2u16.to_be_bytes());
                out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(0).to_be_bytes());
                if bytes.len() <= 4 {
                    bytes.resize(4, 0);
                    out.extend_from_slice(&bytes);
                } else {
                    out.extend_from_slice(&u32::try_from(data_at).unwrap_or(0).to_be_bytes());
                    if bytes.len() % 2 == 1 {
                        bytes.push(0); // keep offsets word-aligned (TIFF 6.0, section 2)
                    }
                    data_at += bytes.len();
                    data.extend_from_slice(&bytes);
                }
            }
        }
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            creators: vec!["Evan Vucci".into(), "Jane Doe".into()],
            credit_line: Some("AP Photo/Evan Vucci".into()),
            copyright: Some("© 2024 The Associated Press".into()),
            caption: Some("A <caption> & \"quotes\"".into()),
            ..Fields::default()
        }
    }

    fn read(raw: Vec<u8>) -> exif::Exif {
        exif::Reader::new()
            .read_raw(raw)
            .expect("our own IFD parses")
    }

    fn ascii(parsed: &exif::Exif, tag: exif::Tag) -> Option<Vec<u8>> {
        match &parsed.get_field(tag, exif::In::PRIMARY)?.value {
            exif::Value::Ascii(parts) => parts.first().cloned(),
            _ => None,
        }
    }

    #[test]
    fn ifd_is_readable_by_kamadak() {
        let mut w = Vec::new();
        let parsed = read(ifd(&fields(), 65_527, &mut w));
        assert_eq!(
            ascii(&parsed, exif::Tag::Artist).as_deref(),
            Some(&b"Evan Vucci; Jane Doe"[..])
        );
        let orientation = parsed
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .map(|f| f.display_value().to_string());
        assert_eq!(
            orientation.as_deref(),
            Some("row 0 at top and column 0 at left")
        );
        assert_eq!(
            ascii(&parsed, exif::Tag::Copyright).as_deref(),
            Some("© 2024 The Associated Press".as_bytes())
        );
        assert!(w.is_empty());
    }

    #[test]
    fn an_oversized_caption_is_cut_after_the_credit_has_its_room() {
        let mut f = fields();
        f.caption = Some("ü".repeat(50_000)); // 100,000 bytes
        f.creators = vec!["C".repeat(30_000)];
        let mut w = Vec::new();
        let raw = ifd(&f, 65_527, &mut w);
        assert!(raw.len() <= 65_527, "{}", raw.len());
        let parsed = read(raw);
        assert_eq!(
            ascii(&parsed, exif::Tag::Artist).map(|a| a.len()),
            Some(30_000)
        );
        assert!(ascii(&parsed, exif::Tag::Copyright).is_some());
        let caption = ascii(&parsed, exif::Tag::ImageDescription).expect("caption");
        assert!(caption.len() > 30_000, "{}", caption.len());
        assert!(
            std::str::from_utf8(&caption).is_ok(),
            "cut on a character boundary"
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("ImageDescription"), "{w:?}");
    }

    #[test]
    fn without_a_bound_nothing_is_cut() {
        let mut f = fields();
        f.caption = Some("x".repeat(200_000));
        let mut w = Vec::new();
        let parsed = read(ifd(&f, usize::MAX, &mut w));
        assert_eq!(
            ascii(&parsed, exif::Tag::ImageDescription).map(|c| c.len()),
            Some(200_000)
        );
        assert!(w.is_empty());
    }
}
