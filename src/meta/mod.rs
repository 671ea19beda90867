//! Bytes → [`Extracted`]: the credits, caption and pixel facts a file carries about itself.
//!
//! Pure: no storage, no clock, no `image`. A damaged block never fails the whole read; it
//! becomes a warning and the other blocks still count. Only bytes that are not an image at
//! all give an error.
//!
//! # Blocks
//! [`container`] finds the blocks (EXIF, XMP and extended XMP, Photoshop/IIM, PNG text),
//! [`exif`], [`iptc`] and [`xmp`] decode them. Every block's own value of every field is
//! kept in [`Extracted::blocks`]; [`Extracted::sources`] says which one was chosen
//! (`pick`, by the rules below). `xmp_props` turns XMP packets into typed field values.
//!
//! # Precedence (MWG, as ExifTool's `-use MWG`; see `tests/data/CREDITS.md`)
//! - `caption`, `copyright`, `creators`: a non-empty EXIF value wins; otherwise XMP, unless
//!   the stored IPTCDigest (Photoshop 0x0425) no longer matches the IIM, in which case IIM
//!   was edited later and wins; PNG native text comes last.
//! - `date_created`: EXIF DateTimeOriginal, then XMP, then IIM 2:55 + 2:60.
//! - Every other field: XMP first (same digest rule), then IIM, then PNG text.
//! - An IIM value exactly at its dataset's byte limit that is a prefix of the XMP value was
//!   cut by the 32/64/… byte limit: XMP is taken whatever the digest says.
//! - Whenever blocks hold different values (ignoring surrounding space and line-break style)
//!   a warning names each block's value and the one chosen.

pub mod container;
pub mod exif;
pub mod iptc;
mod pick;
pub mod xmp;
mod xmp_props;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Fields, Format, Rights};

pub use container::sniff;
use pick::{Candidates, Picker, Rule};
use xmp_props::{array, lang_alt, read_xmp, simple};

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
    pub blocks: BTreeMap<String, BTreeMap<String, Value>>,
    /// Lang-alt fields (`caption`, `copyright`, `usage_terms`) → language → text, for the
    /// languages other than `x-default` (whose text is the value in `fields`).
    pub alt_languages: BTreeMap<String, BTreeMap<String, String>>,
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
    let mut seg = container::segments(bytes);
    let mut out = Extracted {
        format: Some(format),
        width: seg.width,
        height: seg.height,
        truncated: seg.truncated,
        warnings: std::mem::take(&mut seg.warnings),
        ..Extracted::default()
    };

    let exif = match (format, seg.exif.first()) {
        (Format::Heic, _) => exif::read_container(bytes, &mut out.warnings),
        (_, Some(tiff)) => exif::read_tiff(tiff, &mut out.warnings),
        (_, None) => exif::ExifValues::default(),
    };
    out.orientation = exif.orientation;
    if out.width.is_none() {
        // TIFF: IFD0 holds the stored size; elsewhere it is a fallback for odd headers.
        out.width = exif.width.or(exif.pixel_width);
        out.height = exif.height.or(exif.pixel_height);
    }

    let bare: Vec<&[u8]> = seg.iim.iter().map(|c| &c[..]).collect();
    let iim = iptc::read(seg.photoshop.as_deref(), &bare);
    out.warnings.extend(iim.warnings.iter().cloned());
    let props = read_xmp(&seg, &mut out.warnings);
    let png: BTreeMap<&str, &str> = seg
        .png_text
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();

    let mut pick = Picker {
        out: &mut out,
        xmp_first: iim.digest != Some(iptc::Digest::Stale),
    };
    let text = |s: &Option<String>| s.clone().map(Value::String);
    let iim_text = |n: u8| iim.first(n).map(|t| (t.value.clone(), t.bytes));
    let png_text = |k: &str| png.get(k).map(|v| Value::String((*v).to_string()));

    // caption, copyright, creators: EXIF first (MWG).
    let caption_xmp = lang_alt(&props, "dc:description", "caption", pick.out);
    let caption = pick.field(
        "caption",
        Rule::ExifFirst,
        Candidates {
            exif: text(&exif.description),
            iptc: iim_text(120).map(|(v, n)| (Value::String(v), n, 120)),
            xmp: caption_xmp,
            png: png_text("Description"),
        },
    );
    pick.out.fields.caption = as_text(caption);
    let rights_xmp = lang_alt(&props, "dc:rights", "copyright", pick.out);
    let copyright = pick.field(
        "copyright",
        Rule::ExifFirst,
        Candidates {
            exif: text(&exif.copyright),
            iptc: iim_text(116).map(|(v, n)| (Value::String(v), n, 116)),
            xmp: rights_xmp,
            png: png_text("Copyright"),
        },
    );
    pick.out.fields.copyright = as_text(copyright);
    let by_line = iim.all(80);
    let creators = pick.field(
        "creators",
        Rule::ExifFirst,
        Candidates {
            // EXIF Artist joins several creators with "; " (MWG).
            exif: exif
                .artist
                .as_deref()
                .map(|a| list(a.split(';').map(str::trim).filter(|s| !s.is_empty()))),
            iptc: (!by_line.is_empty()).then(|| {
                let longest = by_line.iter().map(|t| t.bytes).max().unwrap_or(0);
                (list(by_line.iter().map(|t| t.value.as_str())), longest, 80)
            }),
            xmp: array(&props, "dc:creator"),
            png: png.get("Author").map(|a| list([*a])),
        },
    );
    pick.out.fields.creators = as_list(creators);

    let date = pick.field(
        "date_created",
        Rule::Date,
        Candidates {
            exif: text(&exif.date_taken),
            iptc: iim.first(55).and_then(|d| {
                let t = iim.first(60).map(|t| t.value.as_str());
                iptc::date_time(&d.value, t).map(|v| (Value::String(v), 0, 55))
            }),
            xmp: simple(&props, "photoshop:DateCreated")
                .or_else(|| simple(&props, "exif:DateTimeOriginal"))
                .and_then(|v| v.as_str().map(|d| Value::String(lenient_date(d)))),
            png: None,
        },
    );
    pick.out.fields.date_created = as_text(date);
    pick.out.fields.year = pick.out.fields.date_created.as_deref().and_then(year_of);
    if let Some(src) = pick.out.sources.get("date_created").cloned()
        && pick.out.fields.year.is_some()
    {
        pick.out.sources.insert("year".into(), src);
    }

    // Every other field: XMP first, then IIM (MWG).
    let simple_fields: [(&str, &str, u8, Option<&str>); 9] = [
        ("credit_line", "photoshop:Credit", 110, None),
        ("source", "photoshop:Source", 115, None),
        ("headline", "photoshop:Headline", 105, Some("Title")),
        ("creator_title", "photoshop:AuthorsPosition", 85, None),
        ("city", "photoshop:City", 90, None),
        ("state", "photoshop:State", 95, None),
        ("country", "photoshop:Country", 101, None),
        ("country_code", "Iptc4xmpCore:CountryCode", 100, None),
        ("instructions", "photoshop:Instructions", 40, None),
    ];
    for (field, prop, number, png_key) in simple_fields {
        let chosen = pick.field(
            field,
            Rule::XmpFirst,
            Candidates {
                exif: None,
                iptc: iim_text(number).map(|(v, n)| (Value::String(v), n, number)),
                xmp: simple(&props, prop),
                png: png_key.and_then(png_text),
            },
        );
        let v = as_text(chosen);
        let f = &mut pick.out.fields;
        match field {
            "credit_line" => f.credit_line = v,
            "source" => f.source = v,
            "headline" => f.headline = v,
            "creator_title" => f.creator_title = v,
            "city" => f.city = v,
            "state" => f.state = v,
            "country" => f.country = v,
            "country_code" => f.country_code = v,
            _ => f.instructions = v,
        }
    }
    let keywords = iim.all(25);
    let chosen = pick.field(
        "keywords",
        Rule::XmpFirst,
        Candidates {
            exif: None,
            iptc: (!keywords.is_empty()).then(|| {
                let longest = keywords.iter().map(|t| t.bytes).max().unwrap_or(0);
                (list(keywords.iter().map(|t| t.value.as_str())), longest, 25)
            }),
            xmp: array(&props, "dc:subject"),
            png: None,
        },
    );
    pick.out.fields.keywords = as_list(chosen);

    // XMP-only fields.
    let usage = lang_alt(&props, "xmpRights:UsageTerms", "usage_terms", pick.out);
    pick.out.fields.usage_terms = as_text(pick.xmp_only("usage_terms", usage));
    let web = simple(&props, "xmpRights:WebStatement");
    pick.out.fields.web_statement = as_text(pick.xmp_only("web_statement", web));
    let licensor = simple(&props, "plus:Licensor/plus:LicensorName");
    pick.out.fields.licensor = as_text(pick.xmp_only("licensor", licensor));
    let dst = simple(&props, "Iptc4xmpExt:DigitalSourceType");
    pick.out.fields.digital_source_type = as_text(pick.xmp_only("digital_source_type", dst));
    let required = simple(&props, "plus:CreditLineRequired")
        .and_then(|v| v.as_str().and_then(credit_required))
        .map(Value::Bool);
    pick.out.fields.credit_line_required = pick
        .xmp_only("credit_line_required", required)
        .and_then(|v| v.as_bool());

    // Rights: IIM 2:30/2:35 release, 2:37/2:38 expiry, `plus:LicenseEndDate`. A value that is
    // there but not a date is a warning, never a silent gap.
    let iim_moment = |d: u8, t: u8| {
        let date = iim.first(d)?.value.as_str();
        let time = iim.first(t).map(|t| t.value.as_str());
        let at = iptc::date_time(date, time).and_then(|iso| timestamp(&iso));
        Some((time.map_or(date.to_string(), |t| format!("{date} {t}")), at))
    };
    let embargo = iim_moment(30, 35);
    out.rights.embargo_until = rights_date("embargo", "--embargo-until", embargo, &mut out);
    let xmp_end = props
        .get("plus:LicenseEndDate")
        .and_then(|v| v.first())
        .map(|i| (i.value.clone(), timestamp(&lenient_date(&i.value))));
    let xmp_end = rights_date("expiry", "--expires", xmp_end, &mut out);
    let iim_end = iim_moment(37, 38);
    out.rights.expires = xmp_end.or_else(|| rights_date("expiry", "--expires", iim_end, &mut out));
    Ok(out)
}

/// A rights date as read (`raw`, and its instant if it is one); a warning when it is not.
fn rights_date(
    what: &str,
    flag: &str,
    read: Option<(String, Option<Timestamp>)>,
    out: &mut Extracted,
) -> Option<Timestamp> {
    let (raw, at) = read?;
    if at.is_none() {
        out.warnings.push(format!(
            "rights: {what} date '{}' is not a date; set it with {flag}",
            raw.trim()
        ));
    }
    at
}

/// The year of an ISO 8601 or EXIF (`YYYY:MM:DD`) date, if it is a plausible one.
pub fn year_of(date: &str) -> Option<i32> {
    let digits = date.get(..4)?;
    let year: i32 = digits.parse().ok()?;
    (1826..=9999).contains(&year).then_some(year)
}

/// An ISO 8601 date or date-time as an instant: a date alone is 00:00 UTC, and so is a time
/// without an offset (IIM and XMP allow both; UTC is the documented assumption).
fn timestamp(iso: &str) -> Option<Timestamp> {
    let iso = iso.trim();
    if let Ok(t) = iso.parse::<Timestamp>() {
        return Some(t);
    }
    let civil = match iso.parse::<jiff::civil::DateTime>() {
        Ok(dt) => dt,
        Err(_) => iso
            .parse::<jiff::civil::Date>()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
    };
    jiff::tz::Offset::UTC.to_timestamp(civil).ok()
}

/// PLUS `CreditLineRequired` codes (`…/CR-NRQ` = not required, `CR-COI`, `CR-CAI`, `CR-CCA`
/// = required in some place) and plain booleans.
fn credit_required(v: &str) -> Option<bool> {
    let code = v.rsplit('/').next().unwrap_or(v).trim();
    match code {
        "CR-NRQ" => Some(false),
        c if c.starts_with("CR-") => Some(true),
        c if c.eq_ignore_ascii_case("true") => Some(true),
        c if c.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.into())).collect())
}

fn as_text(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn as_list(v: Option<Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// An XMP date as ISO 8601, forgiving the EXIF spelling some writers use in XMP
/// (`2019:07:14 09:21:11.47`) and a space before the offset (`…T00:00:00 +00:00`).
fn lenient_date(d: &str) -> String {
    let mut s: String = d.trim().to_string();
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if digits(0..4) && b.get(4) == Some(&b':') && digits(5..7) && b.get(7) == Some(&b':') {
        s.replace_range(4..5, "-");
        s.replace_range(7..8, "-");
    }
    if s.get(10..11) == Some(" ")
        && s.get(11..13)
            .is_some_and(|h| h.bytes().all(|c| c.is_ascii_digit()))
    {
        s.replace_range(10..11, "T");
    }
    for sign in [" +", " -", " Z"] {
        if let Some(at) = s.rfind(sign).filter(|&at| at > 10) {
            s.remove(at);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with the given APP segments (marker, payload) and an empty scan.
    fn jpeg(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        for (marker, body) in segments {
            b.extend_from_slice(&[0xFF, *marker]);
            b.extend_from_slice(&u16::try_from(body.len() + 2).unwrap_or(0).to_be_bytes());
            b.extend_from_slice(body);
        }
        b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        b.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        b
    }

    fn iim(datasets: &[(u8, &str)]) -> Vec<u8> {
        let mut iim = Vec::new();
        for (n, v) in datasets {
            iim.extend_from_slice(&[0x1C, 2, *n]);
            iim.extend_from_slice(&u16::try_from(v.len()).unwrap_or(0).to_be_bytes());
            iim.extend_from_slice(v.as_bytes());
        }
        let mut ps = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        ps.extend_from_slice(&u32::try_from(iim.len()).unwrap_or(0).to_be_bytes());
        ps.extend_from_slice(&iim);
        ps
    }

    const RIGHTS_XMP: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
      xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
      xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
      xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
      xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
      xmlns:xmpNote="http://ns.adobe.com/xmp/note/"
      plus:CreditLineRequired="http://ns.useplus.org/ldf/vocab/CR-CAI"
      plus:LicenseEndDate="2031-12-31"
      xmpRights:WebStatement="https://example.org/licence"
      xmpNote:HasExtendedXMP="0123456789ABCDEF0123456789ABCDEF">
      <plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource">
        <plus:LicensorName>Agence Exemple</plus:LicensorName></rdf:li></rdf:Seq></plus:Licensor>
      <xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">Editorial use only</rdf:li>
        <rdf:li xml:lang="fr">Usage éditorial</rdf:li></rdf:Alt></xmpRights:UsageTerms>
      </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    const EXTENDED_XMP: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
      xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
      xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
      Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/screenCapture"/>
      </rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn rights_dates_plus_fields_and_extended_xmp() {
        let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        app1.extend_from_slice(RIGHTS_XMP.as_bytes());
        // Extended XMP in two chunks, out of order (XMP part 3, 1.1.3.1).
        let ext = EXTENDED_XMP.as_bytes();
        let half = ext.len() / 2;
        let chunk = |offset: usize, data: &[u8]| {
            let mut c = b"http://ns.adobe.com/xmp/extension/\0".to_vec();
            c.extend_from_slice(b"0123456789ABCDEF0123456789ABCDEF");
            c.extend_from_slice(&u32::try_from(ext.len()).unwrap_or(0).to_be_bytes());
            c.extend_from_slice(&u32::try_from(offset).unwrap_or(0).to_be_bytes());
            c.extend_from_slice(data);
            c
        };
        let b = jpeg(&[
            (0xE1, app1),
            (0xE1, chunk(half, &ext[half..])),
            (0xE1, chunk(0, &ext[..half])),
            // IIM 2:30/2:35 release, 2:37 expiry (ignored: XMP LicenseEndDate comes first).
            (
                0xED,
                iim(&[(30, "20240501"), (35, "120000+0200"), (37, "20300101")]),
            ),
        ]);
        let e = extract(&b).expect("a JPEG");
        assert_eq!((e.width, e.height), (Some(3), Some(2)));
        assert_eq!(
            e.rights.embargo_until.map(|t| t.to_string()).as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        assert_eq!(
            e.rights.expires.map(|t| t.to_string()).as_deref(),
            Some("2031-12-31T00:00:00Z")
        );
        assert_eq!(e.fields.credit_line_required, Some(true));
        assert_eq!(e.fields.licensor.as_deref(), Some("Agence Exemple"));
        assert_eq!(e.fields.usage_terms.as_deref(), Some("Editorial use only"));
        assert_eq!(e.alt_languages["usage_terms"]["fr"], "Usage éditorial");
        assert_eq!(
            e.fields.web_statement.as_deref(),
            Some("https://example.org/licence")
        );
        assert_eq!(
            e.fields.digital_source_type.as_deref(),
            Some("http://cv.iptc.org/newscodes/digitalsourcetype/screenCapture")
        );
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    }

    #[test]
    fn missing_extended_xmp_is_a_warning() {
        let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        app1.extend_from_slice(RIGHTS_XMP.as_bytes());
        let e = extract(&jpeg(&[(0xE1, app1)])).expect("a JPEG");
        assert!(
            e.warnings
                .iter()
                .any(|w| w.contains("extended XMP is announced but missing"))
        );
        assert_eq!(e.fields.licensor.as_deref(), Some("Agence Exemple"));
    }

    #[test]
    fn dates_become_instants() {
        let t = |s| timestamp(s).map(|t| t.to_string());
        assert_eq!(t("2024-05-01").as_deref(), Some("2024-05-01T00:00:00Z"));
        assert_eq!(
            t("2024-05-01T12:00:00-04:00").as_deref(),
            Some("2024-05-01T16:00:00Z")
        );
        assert_eq!(t("not a date"), None);
    }

    #[test]
    fn fractional_seconds_without_an_offset_are_utc() {
        let t = |s| timestamp(s).map(|t| t.to_string());
        assert_eq!(
            t("2031-12-31T23:59:59.000").as_deref(),
            Some("2031-12-31T23:59:59Z")
        );
        assert_eq!(
            t("2024-05-01T12:00:00.5").as_deref(),
            Some("2024-05-01T12:00:00.5Z")
        );
        assert_eq!(
            t("2024-05-01T12:00").as_deref(),
            Some("2024-05-01T12:00:00Z")
        );
    }

    #[test]
    fn rights_dates_in_odd_spellings_are_read_and_bad_ones_warned() {
        let xmp = RIGHTS_XMP
            .replace("2031-12-31", "2031-12-31T23:59:59.000")
            .replace(
                " xmpNote:HasExtendedXMP=\"0123456789ABCDEF0123456789ABCDEF\"",
                "",
            );
        let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        app1.extend_from_slice(xmp.as_bytes());
        let b = jpeg(&[
            (0xE1, app1),
            (0xED, iim(&[(30, "20240501"), (35, "120000.5")])),
        ]);
        let e = extract(&b).expect("a JPEG");
        assert_eq!(
            e.rights.embargo_until.map(|t| t.to_string()).as_deref(),
            Some("2024-05-01T12:00:00.5Z")
        );
        assert_eq!(
            e.rights.expires.map(|t| t.to_string()).as_deref(),
            Some("2031-12-31T23:59:59Z")
        );
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);

        let b = jpeg(&[(0xED, iim(&[(30, "2024-13"), (37, "20300101")]))]);
        let e = extract(&b).expect("a JPEG");
        assert_eq!(e.rights.embargo_until, None);
        assert_eq!(
            e.warnings,
            ["rights: embargo date '2024-13' is not a date; set it with --embargo-until"]
        );
        assert!(e.rights.expires.is_some());
    }

    #[test]
    fn xmp_dates_in_exif_spelling_are_made_iso() {
        assert_eq!(
            lenient_date("2019:07:14 09:21:11.47"),
            "2019-07-14T09:21:11.47"
        );
        assert_eq!(
            lenient_date("2015-01-22T00:00:00 +00:00"),
            "2015-01-22T00:00:00+00:00"
        );
        assert_eq!(
            lenient_date("2017-05-29T17:19:21-04:00"),
            "2017-05-29T17:19:21-04:00"
        );
    }

    #[test]
    fn plus_credit_codes() {
        assert_eq!(
            credit_required("http://ns.useplus.org/ldf/vocab/CR-NRQ"),
            Some(false)
        );
        assert_eq!(
            credit_required("http://ns.useplus.org/ldf/vocab/CR-COI"),
            Some(true)
        );
        assert_eq!(credit_required("True"), Some(true));
        assert_eq!(credit_required("maybe"), None);
    }
}
