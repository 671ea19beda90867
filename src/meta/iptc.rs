//! IPTC-IIM: Photoshop image resources (`8BIM`), the IIM datasets inside resource 0x0404, the
//! IPTCDigest (0x0425), and the charset rules that turn dataset bytes into text.
//!
//! Hand-written: the `iptc` crate (0.3, JPEG only) decodes text itself and keeps neither the
//! raw bytes, 1:90, nor split APP13 segments, and img-parts stops at segment level; both
//! formats are a five-byte header per record. Nothing here panics or trusts a length: a
//! dataset that runs past its data ends the walk with a warning.

use std::collections::BTreeMap;

use encoding_rs::{MACINTOSH, WINDOWS_1252};

/// One IIM dataset: record, dataset number and its undecoded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset<'a> {
    /// Record number (1 envelope, 2 application).
    pub record: u8,
    /// Dataset number within the record (2:80 is By-line).
    pub number: u8,
    /// The value's bytes.
    pub data: &'a [u8],
}

/// At most this many datasets or resources are read; real files have a few hundred.
const MAX_RECORDS: usize = 10_000;

/// Walk the IIM datasets of `data`. Returns what could be read and what went wrong.
pub fn parse(data: &[u8]) -> (Vec<Dataset<'_>>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() && out.len() < MAX_RECORDS {
        let rest = data.get(pos..).unwrap_or_default();
        // Writers pad the block with zeros (Photoshop pads resources to even lengths).
        // Checked only off a tag, so the scan runs once, not once per dataset.
        if rest.first() != Some(&0x1C) && rest.iter().all(|&b| b == 0) {
            break;
        }
        let (Some(&0x1C), Some(&record), Some(&number), Some(len)) =
            (rest.first(), rest.get(1), rest.get(2), rest.get(3..5))
        else {
            warnings.push(format!("iptc: no dataset tag at byte {pos}; rest ignored"));
            break;
        };
        let Ok(len) = <[u8; 2]>::try_from(len) else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(len));
        let mut head = 5;
        // Extended dataset (IIM 4.1, 1.5.2): the low 15 bits give the size of the length.
        let size = if len & 0x8000 != 0 {
            let n = len & 0x7FFF;
            let Some(bytes) = rest.get(5..5 + n).filter(|_| n <= 4) else {
                warnings.push(format!(
                    "iptc: bad extended length at byte {pos}; rest ignored"
                ));
                break;
            };
            head += n;
            bytes
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
        } else {
            len
        };
        let Some(value) = rest.get(head..head.saturating_add(size)) else {
            warnings.push(format!(
                "iptc: dataset {record}:{number} claims {size} bytes but only {} remain",
                rest.len().saturating_sub(head)
            ));
            break;
        };
        out.push(Dataset {
            record,
            number,
            data: value,
        });
        pos += head + size;
    }
    (out, warnings)
}

/// Photoshop image resources (`8BIM` id, Pascal name, size, data; each padded to even length).
pub fn resources(data: &[u8]) -> (Vec<(u16, &[u8])>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut pos = 0usize;
    while pos + 4 <= data.len() && out.len() < MAX_RECORDS {
        let rest = data.get(pos..).unwrap_or_default();
        if !matches!(
            rest.get(..4),
            Some(b"8BIM" | b"PHUT" | b"AgHg" | b"DCSR" | b"MeSa")
        ) {
            if rest.iter().any(|&b| b != 0) {
                warnings.push(format!("photoshop: no resource signature at byte {pos}"));
            }
            break;
        }
        let (Some(id), Some(&name_len)) = (rest.get(4..6), rest.get(6)) else {
            break;
        };
        let Ok(id) = <[u8; 2]>::try_from(id).map(u16::from_be_bytes) else {
            break;
        };
        // The Pascal name with its length byte is padded to an even size.
        let name = (1 + usize::from(name_len) + 1) & !1;
        let at = 6 + name;
        let Some(size) = rest
            .get(at..at + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map(u32::from_be_bytes)
            .and_then(|s| usize::try_from(s).ok())
        else {
            warnings.push(format!("photoshop: resource 0x{id:04X} is cut short"));
            break;
        };
        let Some(body) = rest.get(at + 4..(at + 4).saturating_add(size)) else {
            warnings.push(format!(
                "photoshop: resource 0x{id:04X} claims {size} bytes but the data ends first"
            ));
            break;
        };
        out.push((id, body));
        pos += at + 4 + ((size + 1) & !1);
    }
    (out, warnings)
}

/// Whether the XMP may be trusted over the IIM (MWG: the stored IPTCDigest, resource 0x0425).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// No IPTCDigest is stored: XMP is preferred.
    Absent,
    /// The stored digest is the MD5 of the current IIM: XMP is preferred.
    Current,
    /// The IIM was changed after the XMP was synchronised: IIM is preferred.
    Stale,
}

/// One decoded IIM text value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub value: String,
    /// Its length in bytes as stored, to spot values cut at the dataset's limit.
    pub bytes: usize,
}

/// The IIM block of a file, decoded.
#[derive(Debug, Default)]
pub struct Block {
    /// (record, dataset) → values in file order (2:25 and 2:80 repeat).
    pub values: BTreeMap<(u8, u8), Vec<Text>>,
    /// The IPTCDigest verdict; `None` when there is no IIM at all.
    pub digest: Option<Digest>,
    /// Charset guesses and damage.
    pub warnings: Vec<String>,
}

impl Block {
    /// The first value of dataset 2:`number`.
    pub fn first(&self, number: u8) -> Option<&Text> {
        self.values.get(&(2, number)).and_then(|v| v.first())
    }

    /// Every value of dataset 2:`number`.
    pub fn all(&self, number: u8) -> &[Text] {
        self.values.get(&(2, number)).map_or(&[], Vec::as_slice)
    }
}

/// The byte limit of an application-record dataset (IIM 4.1, chapter 6), for truncation.
pub fn limit(number: u8) -> Option<usize> {
    Some(match number {
        25 | 101 => 64,
        80 | 85 | 90 | 95 | 110 | 115 => 32,
        40 | 105 => 256,
        100 => 3,
        116 => 128,
        120 => 2000,
        _ => return None,
    })
}

/// How the text of a record is encoded, from 1:90 CodedCharacterSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Latin1,
    Undeclared,
}

/// Decode the IIM of a file: from Photoshop resources (0x0404 + digest 0x0425) or bare.
pub fn read(photoshop: Option<&[u8]>, bare: &[&[u8]]) -> Block {
    let mut block = Block::default();
    let mut iim: Vec<&[u8]> = Vec::new();
    let mut stored_digest = None;
    if let Some(ps) = photoshop {
        let (res, warnings) = resources(ps);
        block.warnings.extend(warnings);
        for (id, body) in res {
            match id {
                0x0404 => iim.push(body),
                0x0425 => stored_digest = Some(body),
                _ => {}
            }
        }
    }
    iim.extend_from_slice(bare);
    if iim.is_empty() {
        return block;
    }
    block.digest = Some(match stored_digest {
        None => Digest::Absent,
        Some(d) if iim.first().is_some_and(|i| md5::compute(i).0 == d) => Digest::Current,
        Some(_) => Digest::Stale,
    });
    if block.digest == Some(Digest::Stale) {
        block.warnings.push(
            "iptc: the stored IPTCDigest does not match the IIM; IIM was edited after the XMP, \
             so IIM is preferred (MWG)"
                .into(),
        );
    }
    let mut datasets = Vec::new();
    for data in iim {
        let (ds, warnings) = parse(data);
        block.warnings.extend(warnings);
        datasets.extend(ds);
    }
    let charset = datasets
        .iter()
        .rev()
        .find(|d| (d.record, d.number) == (1, 90))
        .map(|d| match d.data {
            // ESC % G: UTF-8 (ISO 2022 / ISO-IR 196).
            b"\x1b%G" => Charset::Utf8,
            // ESC - A / ESC . A: ISO 8859-1 designated as G1 or G2.
            b"\x1b-A" | b"\x1b.A" => Charset::Latin1,
            _ => Charset::Undeclared,
        })
        .unwrap_or(Charset::Undeclared);
    let mut guessed: Vec<String> = Vec::new();
    // 2:00 RecordVersion is a binary number and 2:200+ hold previews, not text (IIM 4.1, 6).
    for d in datasets
        .iter()
        .filter(|d| d.record == 2 && (1..200).contains(&d.number))
    {
        let (value, guess) = decode(d.data, charset);
        if let Some(g) = guess {
            guessed.push(format!("2:{} as {g}", d.number));
        }
        block.values.entry((2, d.number)).or_default().push(Text {
            value,
            bytes: d.data.len(),
        });
    }
    if !guessed.is_empty() {
        let why = match charset {
            Charset::Utf8 => "1:90 declares UTF-8 but these values are not valid UTF-8",
            _ => "no 1:90 declares the charset and these values are not valid UTF-8",
        };
        block
            .warnings
            .push(format!("iptc: {why}; read {}", guessed.join(", ")));
    }
    block
}

/// Decode one value; the second part names the charset guessed when the bytes were not what
/// the record declared (or nothing was declared and they are not UTF-8).
fn decode(data: &[u8], charset: Charset) -> (String, Option<&'static str>) {
    let data = trim_nul(data);
    if charset == Charset::Latin1 {
        return (
            WINDOWS_1252
                .decode_without_bom_handling(data)
                .0
                .into_owned(),
            None,
        );
    }
    if let Ok(s) = std::str::from_utf8(data) {
        return (s.to_string(), None);
    }
    if is_mac_roman(data) {
        let s = MACINTOSH.decode_without_bom_handling(data).0.into_owned();
        return (s, Some("Mac Roman"));
    }
    let s = WINDOWS_1252
        .decode_without_bom_handling(data)
        .0
        .into_owned();
    (s, Some("Windows-1252"))
}

fn trim_nul(mut data: &[u8]) -> &[u8] {
    while let [rest @ .., 0] = data {
        data = rest;
    }
    data
}

/// Mac Roman puts accented lower-case letters at 0x80–0x9F, where Windows-1252 has
/// punctuation and a few capitals. A high byte between two lower-case ASCII letters that is
/// a lower-case letter only in Mac Roman (`Tr\x9Fbiger`: `ü`, not `Ÿ`) votes for Mac Roman;
/// one that is a lower-case letter only in Windows-1252 (`Portr\xE4tt`) votes against, and so
/// do Windows-1252's curly quotes (0x91–0x94), which sit between letters in `don\x92t` and
/// would otherwise read as Mac Roman `donít` (the Navy's "Photographerís" is that mistake).
fn is_mac_roman(data: &[u8]) -> bool {
    let one = |enc: &'static encoding_rs::Encoding, b: u8| {
        enc.decode_without_bom_handling(&[b])
            .0
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    };
    let mut score = 0i32;
    for w in data.windows(3) {
        let &[a, b, c] = w else { continue };
        if b < 0x80 || !a.is_ascii_lowercase() || !c.is_ascii_lowercase() {
            continue;
        }
        if (0x91..=0x94).contains(&b) {
            score -= 1;
            continue;
        }
        match (one(MACINTOSH, b), one(WINDOWS_1252, b)) {
            (true, false) => score += 1,
            (false, true) => score -= 1,
            _ => {}
        }
    }
    score > 0
}

/// `CCYYMMDD` (2:55) and `HHMMSS±HHMM` (2:60) → ISO 8601; `None` when the date is malformed.
/// Some writers put `CCYY-MM-DD` and fractions of a second (`135926.054-0600`); both are
/// accepted, as ExifTool does.
pub fn date_time(date: &str, time: Option<&str>) -> Option<String> {
    let digits: String = date.trim().chars().filter(|&c| c != '-').collect();
    if digits.len() != 8
        || !digits.bytes().all(|c| c.is_ascii_digit())
        || digits.starts_with("0000")
    {
        return None;
    }
    let mut out = format!(
        "{}-{}-{}",
        digits.get(..4)?,
        digits.get(4..6)?,
        digits.get(6..8)?
    );
    let Some(t) = time.map(str::trim).filter(|t| t.len() >= 6) else {
        return Some(out);
    };
    if !t
        .get(..6)
        .is_some_and(|h| h.bytes().all(|c| c.is_ascii_digit()))
    {
        return Some(out);
    }
    out.push_str(&format!(
        "T{}:{}:{}",
        t.get(..2)?,
        t.get(2..4)?,
        t.get(4..6)?
    ));
    let mut rest = t.get(6..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        out.push('.');
        out.push_str(frac.get(..n)?);
        rest = frac.get(n..).unwrap_or_default();
    }
    // `±HHMM` as the standard says; `±HH:MM` and the short `±HH` from some writers.
    if let Some(sign @ ('+' | '-')) = rest.chars().next() {
        let off: String = rest.chars().skip(1).filter(|&c| c != ':').collect();
        if matches!(off.len(), 2 | 4) && off.bytes().all(|c| c.is_ascii_digit()) {
            let mm = off.get(2..).filter(|m| !m.is_empty()).unwrap_or("00");
            out.push_str(&format!("{sign}{}:{mm}", off.get(..2)?));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(record: u8, number: u8, value: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1C, record, number];
        v.extend_from_slice(&u16::try_from(value.len()).unwrap_or(0).to_be_bytes());
        v.extend_from_slice(value);
        v
    }

    #[test]
    fn datasets_are_read_in_order() {
        let data = [ds(2, 80, b"A"), ds(2, 80, b"B"), ds(2, 110, b"AP Photo")].concat();
        let (d, w) = parse(&data);
        assert!(w.is_empty());
        assert_eq!(d.len(), 3);
        assert_eq!((d[2].number, d[2].data), (110, &b"AP Photo"[..]));
    }

    #[test]
    fn dataset_running_past_the_data_stops_with_a_warning() {
        let mut data = ds(2, 80, b"Evan Vucci");
        data.extend_from_slice(&[0x1C, 2, 120, 0x7F, 0xFF, b'x']);
        let (d, w) = parse(&data);
        assert_eq!(d.len(), 1);
        assert!(w[0].contains("claims 32767 bytes"), "{w:?}");
    }

    #[test]
    fn extended_length_is_bounded() {
        let (d, w) = parse(&[0x1C, 2, 120, 0x80, 0x08, 0xFF, 0xFF]);
        assert!(d.is_empty());
        assert_eq!(w.len(), 1);
        let (d, _) = parse(&[0x1C, 2, 120, 0x80, 0x02, 0x00, 0x02, b'h', b'i']);
        assert_eq!(d[0].data, b"hi");
    }

    #[test]
    fn charset_rules() {
        let utf8 = "Bjørn".as_bytes();
        // With 1:90 = UTF-8, and without it when the bytes are valid UTF-8.
        assert_eq!(decode(utf8, Charset::Utf8), ("Bjørn".into(), None));
        assert_eq!(decode(utf8, Charset::Undeclared), ("Bjørn".into(), None));
        // Latin-1 copyright sign, undeclared: not UTF-8, so Windows-1252, with a note.
        assert_eq!(
            decode(b"\xA9 Peter", Charset::Undeclared),
            ("© Peter".into(), Some("Windows-1252"))
        );
        assert_eq!(
            decode(b"Portr\xE4tt p\xE5 Eva", Charset::Undeclared).0,
            "Porträtt på Eva"
        );
        // Mac Roman ü between lower-case letters.
        assert_eq!(
            decode(b"Jens Tr\x9Fbiger", Charset::Undeclared),
            ("Jens Trübiger".into(), Some("Mac Roman"))
        );
        // A curly apostrophe between letters is Windows-1252, not Mac Roman í.
        assert_eq!(
            decode(b"Photographer\x92s Mate", Charset::Undeclared),
            ("Photographer’s Mate".into(), Some("Windows-1252"))
        );
        // 1:90 = ESC - A: Latin-1 even if the bytes happen to be valid UTF-8.
        assert_eq!(decode("é".as_bytes(), Charset::Latin1).0, "Ã©");
    }

    #[test]
    fn iim_dates_become_iso() {
        assert_eq!(
            date_time("20170529", Some("171921-0400")).as_deref(),
            Some("2017-05-29T17:19:21-04:00")
        );
        assert_eq!(date_time("20040621", None).as_deref(), Some("2004-06-21"));
        assert_eq!(date_time("2004", None), None);
        assert_eq!(date_time("2015-01-22", None).as_deref(), Some("2015-01-22"));
        assert_eq!(
            date_time("20080314", Some("135926.054-0600")).as_deref(),
            Some("2008-03-14T13:59:26.054-06:00")
        );
    }

    #[test]
    fn short_and_colon_offsets_are_kept() {
        // Dropping the offset would silently read the time as UTC.
        assert_eq!(
            date_time("20240501", Some("120000+02")).as_deref(),
            Some("2024-05-01T12:00:00+02:00")
        );
        assert_eq!(
            date_time("20240501", Some("120000-05:30")).as_deref(),
            Some("2024-05-01T12:00:00-05:30")
        );
    }

    #[test]
    fn digest_decides_staleness() {
        let iim = ds(2, 80, b"Someone");
        let digest = md5::compute(&iim).0;
        let res = |d: &[u8; 16]| {
            let mut v = b"8BIM\x04\x04\0\0".to_vec();
            v.extend_from_slice(&u32::try_from(iim.len()).unwrap_or(0).to_be_bytes());
            v.extend_from_slice(&iim);
            if iim.len() % 2 == 1 {
                v.push(0);
            }
            v.extend_from_slice(b"8BIM\x04\x25\0\0\0\0\0\x10");
            v.extend_from_slice(d);
            v
        };
        assert_eq!(read(Some(&res(&digest)), &[]).digest, Some(Digest::Current));
        assert_eq!(read(Some(&res(&[0; 16])), &[]).digest, Some(Digest::Stale));
        assert_eq!(read(None, &[&iim]).digest, Some(Digest::Absent));
        assert_eq!(read(None, &[]).digest, None);
    }
}
