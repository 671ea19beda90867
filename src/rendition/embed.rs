//! Writes the photo's current credit into a rendition: XMP, IPTC-IIM and EXIF blocks built
//! from [`Fields`], and their insertion into encoded JPEG and WebP bytes.
//!
//! Every block is written from scratch: nothing is copied from the original, so GPS, camera
//! serial numbers and maker notes never reach a rendition. Output is deterministic (no dates,
//! no generated ids), so the same fields give the same bytes.

use crate::model::Fields;

/// Largest payload of one JPEG marker segment (the length field counts itself).
const SEGMENT_MAX: usize = 65_533;
/// The identifier that opens an XMP APP1 segment (XMP spec part 3, 1.1.3).
const XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// Longest caption copied into EXIF and XMP; IIM keeps its own 2000-byte limit (2:120).
const CAPTION_MAX: usize = 16_000;

/// The three metadata blocks of one rendition.
pub(super) struct Blocks {
    /// A TIFF structure (from its `MM` byte-order mark) holding IFD0.
    pub exif: Vec<u8>,
    /// A complete `<?xpacket …?>` packet, UTF-8.
    pub xmp: Vec<u8>,
    /// IIM datasets (record 1 then record 2), as carried in Photoshop resource 0x0404.
    pub iim: Vec<u8>,
}

/// Build every block for `fields`; a field that would overflow its container is cut and the
/// cut is reported in `warnings`.
pub(super) fn blocks(fields: &Fields, warnings: &mut Vec<String>) -> Blocks {
    Blocks {
        exif: exif(fields),
        xmp: xmp(fields, warnings),
        iim: iim(fields, warnings),
    }
}

/// Insert APP1 EXIF, APP1 XMP and APP13 IIM right after the encoder's SOI and JFIF APP0.
pub(super) fn into_jpeg(jpeg: &[u8], blocks: &Blocks) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + blocks.xmp.len() + blocks.iim.len() + 1024);
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
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&blocks.exif);
    segment(&mut out, 0xE1, &exif);
    let mut xmp = XMP_ID.to_vec();
    xmp.extend_from_slice(&blocks.xmp);
    segment(&mut out, 0xE1, &xmp);
    segment(&mut out, 0xED, &photoshop_irb(&blocks.iim));
    out.extend_from_slice(tail);
    out
}

/// Rewrap a simple-format WebP (`RIFF…WEBPVP8 `) as extended format with `EXIF` and `XMP `
/// chunks (WebP container spec: VP8X, image data, EXIF, XMP in that order). WebP has no
/// place for IIM; XMP carries the same fields.
pub(super) fn into_webp(webp: &[u8], width: u32, height: u32, blocks: &Blocks) -> Vec<u8> {
    let image = webp.get(12..).unwrap_or_default();
    let mut body = Vec::with_capacity(image.len() + blocks.exif.len() + blocks.xmp.len() + 64);
    body.extend_from_slice(b"WEBP");
    let mut vp8x = [0u8; 10];
    vp8x[0] = 0x08 | 0x04; // EXIF and XMP present
    vp8x[4..7].copy_from_slice(&le24(width.saturating_sub(1)));
    vp8x[7..10].copy_from_slice(&le24(height.saturating_sub(1)));
    chunk(&mut body, b"VP8X", &vp8x);
    body.extend_from_slice(image);
    chunk(&mut body, b"EXIF", &blocks.exif);
    chunk(&mut body, b"XMP ", &blocks.xmp);
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&body);
    out
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

/// One JPEG marker segment; `data` is at most [`SEGMENT_MAX`] bytes by construction.
fn segment(out: &mut Vec<u8>, marker: u8, data: &[u8]) {
    let data = data.get(..SEGMENT_MAX).unwrap_or(data);
    out.extend_from_slice(&[0xFF, marker]);
    let len = u16::try_from(data.len() + 2).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
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

/// EXIF IFD0 with ImageDescription (0x010E), Orientation (0x0112) = 1, Artist (0x013B) and
/// Copyright (0x8298); big-endian TIFF.
fn exif(fields: &Fields) -> Vec<u8> {
    let caption = fields.caption.as_deref().map(|c| cut(c, CAPTION_MAX));
    // MWG: several creators are joined with "; " in EXIF Artist.
    let artist = (!fields.creators.is_empty()).then(|| fields.creators.join("; "));
    let mut entries: Vec<(u16, Entry)> = Vec::new();
    if let Some(c) = caption {
        entries.push((0x010E, Entry::Ascii(clean(c))));
    }
    // The pixels are written upright, so the rendition's orientation is always 1.
    entries.push((0x0112, Entry::Short(1)));
    if let Some(a) = artist {
        entries.push((0x013B, Entry::Ascii(clean(&a))));
    }
    if let Some(c) = &fields.copyright {
        entries.push((0x8298, Entry::Ascii(clean(c))));
    }

    let mut out = b"MM\0\x2a\0\0\0\x08".to_vec();
    let count = u16::try_from(entries.len()).unwrap_or(0);
    out.extend_from_slice(&count.to_be_bytes());
    // Values longer than 4 bytes live after the IFD (entries, then a zero next-IFD offset).
    let mut data_at = 8 + 2 + entries.len() * 12 + 4;
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

enum Entry {
    Short(u16),
    Ascii(String),
}

/// IIM record 1 (1:90 CodedCharacterSet = `ESC % G`, UTF-8) and record 2 datasets, each cut
/// to its byte limit from the IIM 4.2 spec (the full value stays in XMP).
fn iim(fields: &Fields, warnings: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::new();
    dataset(&mut out, 1, 90, b"\x1b%G");
    dataset(&mut out, 2, 0, &[0, 4]); // 2:00 RecordVersion 4
    fn one(v: &Option<String>) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    fn many(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let date = fields.date_created.as_deref().and_then(iim_date);
    // (dataset, name, values, byte limit), in dataset order as IIM 4.2 recommends.
    let table = [
        (25, "Keywords", many(&fields.keywords), 64),
        (40, "SpecialInstructions", one(&fields.instructions), 256),
        (55, "DateCreated", one(&date), 8),
        (80, "By-line", many(&fields.creators), 32),
        (85, "By-lineTitle", one(&fields.creator_title), 32),
        (90, "City", one(&fields.city), 32),
        (95, "Province-State", one(&fields.state), 32),
        (
            100,
            "Country-PrimaryLocationCode",
            one(&fields.country_code),
            3,
        ),
        (101, "Country-PrimaryLocationName", one(&fields.country), 64),
        (105, "Headline", one(&fields.headline), 256),
        (110, "Credit", one(&fields.credit_line), 32),
        (115, "Source", one(&fields.source), 32),
        (116, "CopyrightNotice", one(&fields.copyright), 128),
        (120, "Caption-Abstract", one(&fields.caption), 2000),
    ];
    for (number, name, values, max) in table {
        for value in values {
            let value = clean(value);
            let kept = cut(&value, max);
            if kept.len() < value.len() {
                warnings.push(format!(
                    "iim 2:{number} {name} cut to its {max}-byte limit; XMP keeps the full value"
                ));
            }
            dataset(&mut out, 2, number, kept.as_bytes());
        }
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

/// The XMP packet: IPTC Core/Extension properties for every field that has a value.
fn xmp(fields: &Fields, warnings: &mut Vec<String>) -> Vec<u8> {
    let mut body = String::new();
    let simple = |body: &mut String, name: &str, value: &Option<String>| {
        if let Some(v) = value {
            body.push_str(&format!("   <{name}>{}</{name}>\n", escape(v)));
        }
    };
    let alt = |body: &mut String, name: &str, value: Option<&str>| {
        if let Some(v) = value {
            body.push_str(&format!(
                "   <{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{name}>\n",
                escape(v)
            ));
        }
    };
    let list = |body: &mut String, name: &str, kind: &str, values: &[String]| {
        if values.is_empty() {
            return;
        }
        body.push_str(&format!("   <{name}><rdf:{kind}>"));
        for v in values {
            body.push_str(&format!("<rdf:li>{}</rdf:li>", escape(v)));
        }
        body.push_str(&format!("</rdf:{kind}></{name}>\n"));
    };
    list(&mut body, "dc:creator", "Seq", &fields.creators);
    alt(
        &mut body,
        "dc:description",
        fields.caption.as_deref().map(|c| cut(c, CAPTION_MAX)),
    );
    alt(&mut body, "dc:rights", fields.copyright.as_deref());
    list(&mut body, "dc:subject", "Bag", &fields.keywords);
    simple(
        &mut body,
        "photoshop:AuthorsPosition",
        &fields.creator_title,
    );
    simple(&mut body, "photoshop:City", &fields.city);
    simple(&mut body, "photoshop:Country", &fields.country);
    simple(&mut body, "photoshop:Credit", &fields.credit_line);
    simple(&mut body, "photoshop:DateCreated", &fields.date_created);
    simple(&mut body, "photoshop:Headline", &fields.headline);
    simple(&mut body, "photoshop:Instructions", &fields.instructions);
    simple(&mut body, "photoshop:Source", &fields.source);
    simple(&mut body, "photoshop:State", &fields.state);
    simple(&mut body, "Iptc4xmpCore:CountryCode", &fields.country_code);
    simple(
        &mut body,
        "Iptc4xmpExt:DigitalSourceType",
        &fields.digital_source_type,
    );
    alt(
        &mut body,
        "xmpRights:UsageTerms",
        fields.usage_terms.as_deref(),
    );
    simple(&mut body, "xmpRights:WebStatement", &fields.web_statement);

    let mut packet = String::from(concat!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
        "  <rdf:Description rdf:about=\"\"\n",
        "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
        "    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n",
        "    xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\"\n",
        "    xmlns:Iptc4xmpCore=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\"\n",
        "    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\">\n",
    ));
    packet.push_str(&body);
    packet.push_str(concat!(
        "  </rdf:Description>\n",
        " </rdf:RDF>\n",
        "</x:xmpmeta>\n",
        "<?xpacket end=\"w\"?>",
    ));
    if packet.len() + XMP_ID.len() > SEGMENT_MAX {
        // Extended XMP (split over several APP1 segments) is not written; the IIM and EXIF
        // blocks still carry the credit.
        warnings.push(format!(
            "xmp: {} bytes does not fit one JPEG segment; rendition written without XMP",
            packet.len()
        ));
        return Vec::new();
    }
    packet.into_bytes()
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

    fn fields() -> Fields {
        Fields {
            creators: vec!["Evan Vucci".into(), "Jane Doe".into()],
            credit_line: Some("AP Photo/Evan Vucci".into()),
            copyright: Some("© 2024 The Associated Press".into()),
            caption: Some("A <caption> & \"quotes\"".into()),
            ..Fields::default()
        }
    }

    #[test]
    fn exif_ifd_is_readable_by_kamadak() {
        let raw = exif(&fields());
        let parsed = exif::Reader::new()
            .read_raw(raw)
            .expect("our own IFD parses");
        let text = |tag| {
            parsed
                .get_field(tag, exif::In::PRIMARY)
                .map(|f| f.display_value().to_string())
        };
        assert_eq!(
            text(exif::Tag::Artist).as_deref(),
            Some("\"Evan Vucci; Jane Doe\"")
        );
        assert_eq!(
            text(exif::Tag::Orientation).as_deref(),
            Some("row 0 at top and column 0 at left")
        );
        let copyright = parsed.get_field(exif::Tag::Copyright, exif::In::PRIMARY);
        let exif::Value::Ascii(parts) = &copyright.expect("copyright written").value else {
            panic!("copyright is ASCII");
        };
        assert_eq!(parts[0], "© 2024 The Associated Press".as_bytes());
    }

    #[test]
    fn iim_starts_with_utf8_charset_and_cuts_on_char_boundary() {
        let mut f = fields();
        // 31 ASCII bytes then a 2-byte 'é': the 32-byte cut must not split it.
        f.credit_line = Some(format!("{}é", "a".repeat(31)));
        let mut w = Vec::new();
        let block = iim(&f, &mut w);
        assert_eq!(&block[..8], b"\x1c\x01\x5a\x00\x03\x1b%G");
        let credit = find_dataset(&block, 2, 110).expect("2:110 written");
        assert_eq!(credit, "a".repeat(31).as_bytes());
        assert_eq!(w.len(), 1, "the cut is reported: {w:?}");
        let bylines: Vec<_> = all_datasets(&block, 2, 80);
        assert_eq!(bylines, vec![&b"Evan Vucci"[..], &b"Jane Doe"[..]]);
    }

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

    fn find_dataset(b: &[u8], record: u8, number: u8) -> Option<&[u8]> {
        all_datasets(b, record, number).into_iter().next()
    }

    #[test]
    fn xmp_escapes_and_is_deterministic() {
        let mut w = Vec::new();
        let a = xmp(&fields(), &mut w);
        let b = xmp(&fields(), &mut w);
        assert_eq!(a, b);
        let s = String::from_utf8(a).expect("utf-8");
        assert!(
            s.contains("A &lt;caption&gt; &amp; &quot;quotes&quot;"),
            "{s}"
        );
        assert!(s.contains("<rdf:Seq><rdf:li>Evan Vucci</rdf:li><rdf:li>Jane Doe</rdf:li>"));
        // Well-formed: quick-xml reads it to the end without error.
        let mut reader = quick_xml::Reader::from_str(&s);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("xmp is not well-formed: {e}"),
            }
        }
    }

    #[test]
    fn webp_gets_vp8x_with_exif_and_xmp_flags() {
        let simple = b"RIFF\x0c\0\0\0WEBPVP8 \x00\0\0\0";
        let blocks = Blocks {
            exif: b"MM\0\x2a".to_vec(),
            xmp: b"<x/>".to_vec(),
            iim: Vec::new(),
        };
        let out = into_webp(simple, 640, 480, &blocks);
        assert_eq!(&out[12..16], b"VP8X");
        assert_eq!(out[20], 0x0C);
        assert_eq!(&out[24..30], &[0x7F, 0x02, 0, 0xDF, 0x01, 0]);
        let riff = u32::from_le_bytes([out[4], out[5], out[6], out[7]]) as usize;
        assert_eq!(riff + 8, out.len());
    }
}
