//! Bytes → [`Extracted`]: the credits, caption and pixel facts a file carries about itself.
//!
//! Pure: no storage, no clock, no `image`. A damaged block never fails the whole read; it
//! becomes a warning and the other blocks still count. Only bytes that are not an image at
//! all give an error.
//!
//! Blocks and precedence: EXIF (kamadak-exif) today; IPTC-IIM and XMP arrive with the
//! metadata issue and follow the MWG rules in `shared/CREDITS.md`.

mod container;
mod exif;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Fields, Format, Rights};

pub use container::sniff;

/// What a file says about itself.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extracted {
    /// Container format, from magic bytes.
    pub format: Option<Format>,
    /// Stored pixel width.
    pub width: Option<u32>,
    /// Stored pixel height.
    pub height: Option<u32>,
    /// EXIF orientation 1–8.
    pub orientation: Option<u16>,
    /// The chosen value of every field.
    pub fields: Fields,
    /// Release and expiry dates and restrictions found in the file.
    pub rights: Rights,
    /// Field name → the block its chosen value came from (`exif`, `iptc`, `xmp`, `png`).
    pub sources: BTreeMap<String, String>,
    /// Field name → block → that block's own value, for `inspect` and audits.
    pub blocks: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Charset guesses, disagreements, damage.
    pub warnings: Vec<String>,
    /// The compressed image data ends early (a JPEG with no end-of-image marker).
    pub truncated: bool,
}

/// Read every metadata block of `bytes`.
///
/// # Errors
/// [`Error::UnsupportedFormat`] when the bytes are empty or not a known image format.
pub fn extract(bytes: &[u8]) -> Result<Extracted> {
    let format = sniff(bytes).ok_or_else(|| {
        if bytes.is_empty() {
            Error::UnsupportedFormat("empty file".into())
        } else {
            Error::UnsupportedFormat(
                "not an image byline can read (expected JPEG, PNG, TIFF, WebP or HEIC)".into(),
            )
        }
    })?;
    let mut out = Extracted {
        format: Some(format),
        ..Extracted::default()
    };
    let frame = container::frame(format, bytes, &mut out.warnings);
    out.width = frame.width;
    out.height = frame.height;
    out.truncated = frame.truncated;

    let exif = exif::read(bytes, &mut out.warnings);
    out.orientation = exif.orientation;
    if out.width.is_none() {
        out.width = exif.width;
        out.height = exif.height;
    }
    let mut pick = |field: &str, value: Option<String>| -> Option<String> {
        let v = value?;
        out.blocks
            .entry(field.to_string())
            .or_default()
            .insert("exif".into(), serde_json::Value::String(v.clone()));
        out.sources.insert(field.to_string(), "exif".into());
        Some(v)
    };
    out.fields.caption = pick("caption", exif.description);
    out.fields.copyright = pick("copyright", exif.copyright);
    out.fields.date_created = pick("date_created", exif.date_taken);
    if let Some(artist) = pick("creators", exif.artist) {
        // EXIF Artist joins several creators with "; " (MWG).
        out.fields.creators = artist
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
    }
    out.fields.year = out.fields.date_created.as_deref().and_then(year_of);
    if out.fields.year.is_some() {
        out.sources
            .insert("year".into(), out.sources["date_created"].clone());
    }
    Ok(out)
}

/// The year of an ISO 8601 or EXIF (`YYYY:MM:DD`) date, if it is a plausible one.
pub fn year_of(date: &str) -> Option<i32> {
    let digits = date.get(..4)?;
    let year: i32 = digits.parse().ok()?;
    (1826..=9999).contains(&year).then_some(year)
}
