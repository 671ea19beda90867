//! The IPTC-IIM block written into JPEG renditions (Photoshop resource 0x0404 in APP13).
//!
//! IIM 4.2 limits every dataset's length, and one APP13 segment limits the whole block. Values
//! over their dataset's limit are cut on a character boundary; when the block is full the
//! credit datasets (2:80 By-line, 2:110 Credit, 2:115 Source, 2:116 CopyrightNotice) have
//! already taken their room, then the caption, and so on, keywords last. Every cut or dropped
//! value is reported. The datasets are still written in dataset-number order, as IIM 4.2
//! section 1.5 asks and ExifTool writes them.

use crate::model::Fields;

use super::{clean, cut};

/// Bytes one dataset costs besides its value: tag marker, record, number, 2-byte length.
const DATASET_HEAD: usize = 5;

/// IIM record 1 (1:90 CodedCharacterSet = `ESC % G`, UTF-8) and record 2 datasets, at most
/// `max` bytes.
pub(super) fn block(fields: &Fields, max: usize, warnings: &mut Vec<String>) -> Vec<u8> {
    fn one(v: &Option<String>) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    fn many(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let date = fields.date_created.as_deref().and_then(iim_date);
    // (dataset, name, values, byte limit from IIM 4.2), in the order they get room.
    let table = [
        (80, "By-line", many(&fields.creators), 32),
        (110, "Credit", one(&fields.credit_line), 32),
        (115, "Source", one(&fields.source), 32),
        (116, "CopyrightNotice", one(&fields.copyright), 128),
        (120, "Caption-Abstract", one(&fields.caption), 2000),
        (105, "Headline", one(&fields.headline), 256),
        (40, "SpecialInstructions", one(&fields.instructions), 256),
        (85, "By-lineTitle", one(&fields.creator_title), 32),
        (55, "DateCreated", one(&date), 8),
        (90, "City", one(&fields.city), 32),
        (95, "Province-State", one(&fields.state), 32),
        (
            100,
            "Country-PrimaryLocationCode",
            one(&fields.country_code),
            3,
        ),
        (101, "Country-PrimaryLocationName", one(&fields.country), 64),
        (25, "Keywords", many(&fields.keywords), 64),
    ];
    let mut head = Vec::new();
    dataset(&mut head, 1, 90, b"\x1b%G");
    dataset(&mut head, 2, 0, &[0, 4]); // 2:00 RecordVersion 4
    let mut used = head.len();
    // (dataset, order of arrival, value) of every value that fits.
    let mut kept: Vec<(u8, usize, String)> = Vec::new();
    for (number, name, values, limit) in table {
        let mut dropped = 0;
        for value in values {
            let value = clean(value);
            let short = cut(&value, limit);
            if short.len() < value.len() {
                warnings.push(format!(
                    "iim 2:{number} {name} cut to its {limit}-byte limit; XMP keeps the full \
                     value"
                ));
            }
            if used + DATASET_HEAD + short.len() > max {
                dropped += 1;
                continue;
            }
            used += DATASET_HEAD + short.len();
            kept.push((number, kept.len(), short.to_string()));
        }
        if dropped > 0 {
            warnings.push(format!(
                "iim 2:{number} {name}: {dropped} value(s) left out, the IPTC block is full \
                 ({max} bytes); XMP keeps them"
            ));
        }
    }
    kept.sort_by_key(|(number, arrival, _)| (*number, *arrival));
    let mut out = head;
    for (number, _, value) in kept {
        dataset(&mut out, 2, number, value.as_bytes());
    }
    out
}

/// `2013-10-22T14:05:00+02:00` → IIM 2:55 `20131022` (CCYYMMDD).
fn iim_date(date: &str) -> Option<String> {
    let d: String = date
        .get(..10)?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (d.len() == 8).then_some(d)
}

/// One IIM dataset: tag marker 0x1C, record, number, 2-byte length (standard form, < 32768).
fn dataset(out: &mut Vec<u8>, record: u8, number: u8, value: &[u8]) {
    let value = value.get(..0x7FFF).unwrap_or(value);
    out.extend_from_slice(&[0x1C, record, number]);
    out.extend_from_slice(&u16::try_from(value.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            creators: vec!["Evan Vucci".into(), "Jane Doe".into()],
            credit_line: Some("AP Photo/Evan Vucci".into()),
            copyright: Some("© 2024 The Associated Press".into()),
            caption: Some("A caption".into()),
            ..Fields::default()
        }
    }

    /// Every value of `record:number`, in the order written.
    fn all_datasets(b: &[u8], record: u8, number: u8) -> Vec<&[u8]> {
        let mut found = Vec::new();
        let mut i = 0;
        while i + 5 <= b.len() {
            let len = usize::from(u16::from_be_bytes([b[i + 3], b[i + 4]]));
            if b[i + 1] == record && b[i + 2] == number {
                found.push(&b[i + 5..i + 5 + len]);
            }
            i += 5 + len;
        }
        found
    }

    /// The dataset numbers of record 2, in the order written.
    fn numbers(b: &[u8]) -> Vec<u8> {
        let mut found = Vec::new();
        let mut i = 0;
        while i + 5 <= b.len() {
            let len = usize::from(u16::from_be_bytes([b[i + 3], b[i + 4]]));
            if b[i + 1] == 2 {
                found.push(b[i + 2]);
            }
            i += 5 + len;
        }
        found
    }

    #[test]
    fn starts_with_utf8_charset_and_cuts_on_char_boundary() {
        let mut f = fields();
        // 31 ASCII bytes then a 2-byte 'é': the 32-byte cut must not split it.
        f.credit_line = Some(format!("{}é", "a".repeat(31)));
        let mut w = Vec::new();
        let block = block(&f, 65_000, &mut w);
        assert_eq!(&block[..8], b"\x1c\x01\x5a\x00\x03\x1b%G");
        let credit = all_datasets(&block, 2, 110);
        assert_eq!(credit, vec!["a".repeat(31).as_bytes()]);
        assert_eq!(w.len(), 1, "the cut is reported: {w:?}");
        let bylines = all_datasets(&block, 2, 80);
        assert_eq!(bylines, vec![&b"Evan Vucci"[..], &b"Jane Doe"[..]]);
    }

    #[test]
    fn a_full_block_keeps_the_credit_and_says_what_it_left_out() {
        let mut f = fields();
        f.keywords = (0..2000).map(|i| format!("{i:0>60}")).collect();
        let mut w = Vec::new();
        let block = block(&f, 65_000, &mut w);
        assert!(block.len() <= 65_000, "{}", block.len());
        assert_eq!(
            all_datasets(&block, 2, 110),
            vec![&b"AP Photo/Evan Vucci"[..]]
        );
        assert_eq!(all_datasets(&block, 2, 80).len(), 2);
        assert_eq!(all_datasets(&block, 2, 116).len(), 1);
        assert_eq!(all_datasets(&block, 2, 120), vec![&b"A caption"[..]]);
        let keywords = all_datasets(&block, 2, 25);
        assert!(keywords.len() > 900 && keywords.len() < 2000);
        // The first keywords are kept, in their order.
        assert_eq!(keywords[0], format!("{:0>60}", 0).as_bytes());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("2:25 Keywords") && w[0].contains("left out"),
            "{w:?}"
        );
        // Written in dataset-number order all the same.
        let order = numbers(&block);
        assert!(order.windows(2).all(|p| p[0] <= p[1]), "{order:?}");
    }

    #[test]
    fn dates_become_ccyymmdd() {
        assert_eq!(
            iim_date("2013-10-22T14:05:00+02:00").as_deref(),
            Some("20131022")
        );
        assert_eq!(iim_date("2013"), None);
    }
}
