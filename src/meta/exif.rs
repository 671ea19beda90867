//! EXIF through kamadak-exif: Artist, Copyright, ImageDescription, DateTimeOriginal,
//! Orientation and pixel size. Broken IFDs give partial results plus warnings; this module
//! never looks at IPTC or XMP, and never fails a read.

use std::io::Cursor;

use exif::{Exif, Field, In, Reader, Tag, Value};

/// The EXIF values byline uses, as text already decoded.
#[derive(Debug, Default)]
pub struct ExifValues {
    /// IFD0 Artist 0x013B (several creators joined by "; ").
    pub artist: Option<String>,
    /// IFD0 Copyright 0x8298, the photographer's part.
    pub copyright: Option<String>,
    /// IFD0 ImageDescription 0x010E.
    pub description: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SS[.fff][±HH:MM]` from DateTimeOriginal (+ SubSec, OffsetTime).
    pub date_taken: Option<String>,
    /// IFD0 Orientation 0x0112 as stored (0 and values over 8 included).
    pub orientation: Option<u16>,
    /// IFD0 ImageWidth (the stored size of a TIFF).
    pub width: Option<u32>,
    /// IFD0 ImageLength.
    pub height: Option<u32>,
    /// Exif IFD PixelXDimension, for containers whose header has no size.
    pub pixel_width: Option<u32>,
    /// Exif IFD PixelYDimension.
    pub pixel_height: Option<u32>,
}

/// Read a TIFF-structured EXIF block (the bytes after JPEG's `Exif\0\0`, a PNG `eXIf`, …).
pub fn read_tiff(tiff: &[u8], warnings: &mut Vec<String>) -> ExifValues {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    values(reader.read_raw(tiff.to_vec()), warnings)
}

/// Read the EXIF of a container kamadak-exif walks itself (HEIF's `Exif` item).
pub fn read_container(bytes: &[u8], warnings: &mut Vec<String>) -> ExifValues {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    values(
        reader.read_from_container(&mut Cursor::new(bytes)),
        warnings,
    )
}

fn values(read: Result<Exif, exif::Error>, warnings: &mut Vec<String>) -> ExifValues {
    let exif = match read {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, errors) = partial.into_inner();
            for e in errors {
                warnings.push(format!("exif: {e}"));
            }
            exif
        }
        Err(exif::Error::NotFound(_)) => return ExifValues::default(),
        Err(e) => {
            warnings.push(format!("exif: {e}"));
            return ExifValues::default();
        }
    };
    let get = |tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag| get(tag).and_then(ascii);
    let date = text(Tag::DateTimeOriginal).and_then(|d| {
        let sub = text(Tag::SubSecTimeOriginal);
        let off = text(Tag::OffsetTimeOriginal);
        exif_date(&d, sub.as_deref(), off.as_deref())
    });
    let uint = |tag| get(tag).and_then(|f| f.value.get_uint(0));
    // EXIF says ASCII; UTF-8 is common in practice, anything else is read as Windows-1252.
    let guessed: Vec<String> = [Tag::Artist, Tag::Copyright, Tag::ImageDescription]
        .into_iter()
        .filter(|&tag| get(tag).is_some_and(|f| !is_utf8(f)))
        .map(|tag| tag.to_string())
        .collect();
    if !guessed.is_empty() {
        warnings.push(format!(
            "exif: {} not UTF-8; read as Windows-1252",
            guessed.join(", ")
        ));
    }
    ExifValues {
        artist: text(Tag::Artist),
        copyright: text(Tag::Copyright).map(|c| first_copyright(&c)),
        description: text(Tag::ImageDescription),
        date_taken: date,
        orientation: uint(Tag::Orientation).and_then(|o| u16::try_from(o).ok()),
        width: uint(Tag::ImageWidth),
        height: uint(Tag::ImageLength),
        pixel_width: uint(Tag::PixelXDimension),
        pixel_height: uint(Tag::PixelYDimension),
    }
}

fn is_utf8(field: &Field) -> bool {
    match &field.value {
        Value::Ascii(parts) => parts.iter().all(|p| std::str::from_utf8(p).is_ok()),
        _ => true,
    }
}

/// Decode an ASCII field: UTF-8 when valid (common in practice), else Windows-1252.
fn ascii(field: &Field) -> Option<String> {
    let Value::Ascii(parts) = &field.value else {
        return None;
    };
    let joined: Vec<u8> = parts.join(&b"\0"[..]);
    let text = match std::str::from_utf8(&joined) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&joined)
            .0
            .into_owned(),
    };
    // Only NUL padding is dropped: the value is kept as written (ExifTool does the same).
    let text = text.trim_end_matches('\0');
    (!text.trim().is_empty()).then(|| text.to_string())
}

/// EXIF Copyright holds "photographer\0editor"; the photographer's part is the notice.
fn first_copyright(c: &str) -> String {
    c.split('\0').next().unwrap_or(c).trim().to_string()
}

/// `2013:10:22 14:05:00` (+ sub-seconds, offset) → ISO 8601; `None` for blank dates.
fn exif_date(d: &str, sub: Option<&str>, off: Option<&str>) -> Option<String> {
    let d = d.trim();
    let b = d.as_bytes();
    let year = d
        .get(..4)
        .filter(|y| y.bytes().all(|c| c.is_ascii_digit()))?;
    if b.len() < 10 || year == "0000" {
        return None;
    }
    let mut out = format!("{year}-{}-{}", d.get(5..7)?, d.get(8..10)?);
    if let Some(time) = d.get(11..19) {
        out.push('T');
        out.push_str(time);
        if let Some(s) = sub.filter(|s| s.bytes().all(|c| c.is_ascii_digit())) {
            out.push('.');
            out.push_str(s);
        }
        if let Some(o) = off.filter(|o| o.len() == 6) {
            out.push_str(o);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF with one IFD0 entry: Artist = `artist` (ASCII, NUL added).
    fn tiff_with_artist(artist: &[u8]) -> Vec<u8> {
        let count = u32::try_from(artist.len() + 1).unwrap_or(0);
        let mut t = b"II*\0\x08\0\0\0\x01\0".to_vec();
        t.extend_from_slice(&0x013Bu16.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&26u32.to_le_bytes()); // value offset: after the IFD
        t.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
        t.extend_from_slice(artist);
        t.push(0);
        t
    }

    #[test]
    fn artist_in_utf8_or_windows_1252() {
        let mut w = Vec::new();
        let v = read_tiff(&tiff_with_artist("Bjørn".as_bytes()), &mut w);
        assert_eq!((v.artist.as_deref(), w.len()), (Some("Bjørn"), 0));
        let v = read_tiff(&tiff_with_artist(b"Bj\xF8rn"), &mut w);
        assert_eq!(v.artist.as_deref(), Some("Bjørn"));
        assert!(w.iter().any(|w| w.contains("not UTF-8")), "{w:?}");
    }

    #[test]
    fn exif_dates_become_iso() {
        assert_eq!(
            exif_date("2013:10:22 14:05:00", Some("25"), Some("+02:00")).as_deref(),
            Some("2013-10-22T14:05:00.25+02:00")
        );
        assert_eq!(exif_date("0000:00:00 00:00:00", None, None), None);
        assert_eq!(exif_date("    :  :     :  :  ", None, None), None);
    }
}
