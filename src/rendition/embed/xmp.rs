//! The XMP packet written into renditions: IPTC Core/Extension properties built from
//! [`Fields`], and, for JPEG, the split into standard and extended XMP (XMP spec part 3,
//! 1.1.3.1) that keeps the credit in the standard packet.
//!
//! Only ExifTool assembles extended XMP; exiv2, Pillow and most web tools read the standard
//! packet alone. So when a JPEG's packet is too big for one segment, the largest non-credit
//! properties move out first, as Adobe's XMP toolkit does, and the credit stays where every
//! reader finds it. Never cuts a value.

use crate::model::Fields;

use super::escape;

/// The identifier that opens an extended XMP APP1 segment (XMP spec part 3, 1.1.3.1).
pub(super) const EXTENSION_ID: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// One serialised property (a whole `<name>…</name>` line).
struct Property {
    name: &'static str,
    text: String,
    /// Carries the credit: moved to extended XMP only when nothing else is left to move.
    credit: bool,
}

/// A JPEG's XMP: the standard packet and, when it had to be split, the extended XMP with its
/// GUID (the MD5 of the extended bytes, 32 uppercase hex digits).
pub(super) struct Split {
    pub standard: Vec<u8>,
    pub extended: Option<(String, Vec<u8>)>,
}

/// The whole packet, for containers without JPEG's segment limit (WebP's `XMP ` chunk).
pub(super) fn packet(fields: &Fields) -> Vec<u8> {
    let all = properties(fields);
    wrap(&all.iter().collect::<Vec<_>>(), None).into_bytes()
}

/// Fit the packet into a standard XMP of at most `max` bytes, moving whole properties to
/// extended XMP (largest first, credit properties last). A credit property moved out is
/// reported in `warnings`: readers other than ExifTool will not see it.
pub(super) fn split(fields: &Fields, max: usize, warnings: &mut Vec<String>) -> Split {
    let all = properties(fields);
    let refs: Vec<&Property> = all.iter().collect();
    let whole = wrap(&refs, None);
    if whole.len() <= max {
        return Split {
            standard: whole.into_bytes(),
            extended: None,
        };
    }
    // The standard packet's size with a GUID of the right length, before the GUID is known.
    let placeholder = "0".repeat(32);
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (all[i].credit, std::cmp::Reverse(all[i].text.len()), i));
    let mut moved = vec![false; all.len()];
    for i in order {
        let kept: Vec<&Property> = kept(&all, &moved, false);
        if wrap(&kept, Some(&placeholder)).len() <= max {
            break;
        }
        moved[i] = true;
        if all[i].credit {
            warnings.push(format!(
                "xmp: {} ({} bytes) moved to extended XMP to fit the JPEG's 64 KB standard \
                 packet; ExifTool reads it there, exiv2 and most web tools do not",
                all[i].name,
                all[i].text.len()
            ));
        }
    }
    let extended = wrap_extended(&kept(&all, &moved, true));
    let guid = format!("{:X}", md5::compute(extended.as_bytes()));
    Split {
        standard: wrap(&kept(&all, &moved, false), Some(&guid)).into_bytes(),
        extended: Some((guid, extended.into_bytes())),
    }
}

/// The properties whose `moved` flag equals `want`, in their written order.
fn kept<'a>(all: &'a [Property], moved: &[bool], want: bool) -> Vec<&'a Property> {
    all.iter()
        .zip(moved)
        .filter(|&(_, &m)| m == want)
        .map(|(p, _)| p)
        .collect()
}

const NAMESPACES: &str = concat!(
    "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
    "    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n",
    "    xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\"\n",
    "    xmlns:Iptc4xmpCore=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\"\n",
    "    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"",
);

/// `x:xmpmeta` holding one `rdf:Description` with `props`.
fn xmpmeta(props: &[&Property], extra_attributes: &str) -> String {
    let mut out = String::from(concat!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
        "  <rdf:Description rdf:about=\"\"\n",
    ));
    out.push_str(NAMESPACES);
    out.push_str(extra_attributes);
    out.push_str(">\n");
    for p in props {
        out.push_str(&p.text);
    }
    out.push_str("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n");
    out
}

/// A standard packet (with its `<?xpacket?>` wrapper); `guid` names the extended XMP.
fn wrap(props: &[&Property], guid: Option<&str>) -> String {
    let note = guid.map_or(String::new(), |g| {
        format!(
            "\n    xmlns:xmpNote=\"http://ns.adobe.com/xmp/note/\"\n    \
             xmpNote:HasExtendedXMP=\"{g}\""
        )
    });
    let mut out = String::from("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    out.push_str(&xmpmeta(props, &note));
    out.push_str("<?xpacket end=\"w\"?>");
    out
}

/// The extended XMP: a full `x:xmpmeta` without packet wrapper (XMP spec part 3, 1.1.3.1).
fn wrap_extended(props: &[&Property]) -> String {
    xmpmeta(props, "")
}

/// Every property that has a value, in a fixed order (so output is deterministic).
fn properties(fields: &Fields) -> Vec<Property> {
    let mut out = Vec::new();
    let mut simple = |name: &'static str, value: &Option<String>, credit: bool| {
        if let Some(v) = value {
            out.push(Property {
                name,
                text: format!("   <{name}>{}</{name}>\n", escape(v)),
                credit,
            });
        }
    };
    simple("photoshop:AuthorsPosition", &fields.creator_title, false);
    simple("photoshop:City", &fields.city, false);
    simple("photoshop:Country", &fields.country, false);
    simple("photoshop:Credit", &fields.credit_line, true);
    simple("photoshop:DateCreated", &fields.date_created, false);
    simple("photoshop:Headline", &fields.headline, false);
    simple("photoshop:Instructions", &fields.instructions, false);
    simple("photoshop:Source", &fields.source, true);
    simple("photoshop:State", &fields.state, false);
    simple("Iptc4xmpCore:CountryCode", &fields.country_code, false);
    simple(
        "Iptc4xmpExt:DigitalSourceType",
        &fields.digital_source_type,
        true,
    );
    simple("xmpRights:WebStatement", &fields.web_statement, true);
    let alt = |name: &'static str, value: &Option<String>, credit: bool| {
        value.as_ref().map(|v| Property {
            name,
            text: format!(
                "   <{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{name}>\n",
                escape(v)
            ),
            credit,
        })
    };
    let list = |name: &'static str, kind: &str, values: &[String], credit: bool| {
        (!values.is_empty()).then(|| {
            let mut text = format!("   <{name}><rdf:{kind}>");
            for v in values {
                text.push_str(&format!("<rdf:li>{}</rdf:li>", escape(v)));
            }
            text.push_str(&format!("</rdf:{kind}></{name}>\n"));
            Property { name, text, credit }
        })
    };
    // The credit (dc:creator, dc:rights, xmpRights:UsageTerms) leads the packet.
    let head = [
        list("dc:creator", "Seq", &fields.creators, true),
        alt("dc:rights", &fields.copyright, true),
        alt("xmpRights:UsageTerms", &fields.usage_terms, true),
        alt("dc:description", &fields.caption, false),
        list("dc:subject", "Bag", &fields.keywords, false),
    ];
    head.into_iter().flatten().chain(out).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(caption_bytes: usize) -> Fields {
        Fields {
            creators: vec!["Evan Vucci".into()],
            credit_line: Some("AP Photo/Evan Vucci".into()),
            copyright: Some("© 2024 The Associated Press".into()),
            caption: Some("é".repeat(caption_bytes / 2)),
            keywords: (0..500).map(|i| format!("keyword {i}")).collect(),
            ..Fields::default()
        }
    }

    fn well_formed(xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}"),
            }
        }
    }

    #[test]
    fn a_packet_that_fits_is_not_split() {
        let mut w = Vec::new();
        let s = split(&fields(1000), 65_504, &mut w);
        assert!(s.extended.is_none());
        assert_eq!(s.standard, packet(&fields(1000)));
        assert!(w.is_empty());
    }

    #[test]
    fn the_largest_properties_move_out_and_the_credit_stays() {
        let f = fields(100_000);
        let mut w = Vec::new();
        let s = split(&f, 65_504, &mut w);
        assert!(s.standard.len() <= 65_504, "{}", s.standard.len());
        let standard = String::from_utf8(s.standard).expect("utf-8");
        let (guid, extended) = s.extended.expect("split");
        let extended = String::from_utf8(extended).expect("utf-8");
        well_formed(&standard);
        well_formed(&extended);
        // The caption moved; the keywords (a few KB) still fit beside the credit.
        assert!(extended.contains("<dc:description>"));
        assert!(!standard.contains("<dc:description>"));
        for credit in ["<dc:creator>", "<photoshop:Credit>", "<dc:rights>"] {
            assert!(
                standard.contains(credit),
                "{credit} stays in the standard packet"
            );
        }
        assert!(standard.contains("<dc:subject>"));
        assert!(standard.contains(&format!("xmpNote:HasExtendedXMP=\"{guid}\"")));
        assert_eq!(guid, format!("{:X}", md5::compute(extended.as_bytes())));
        assert!(
            !extended.starts_with("<?xpacket"),
            "no wrapper on extended XMP"
        );
        assert!(w.is_empty(), "nothing of the credit moved: {w:?}");
    }

    #[test]
    fn an_oversized_credit_moves_last_and_is_reported() {
        let mut f = fields(100_000);
        f.credit_line = Some("c".repeat(70_000));
        let mut w = Vec::new();
        let s = split(&f, 65_504, &mut w);
        let standard = String::from_utf8(s.standard).expect("utf-8");
        assert!(standard.len() <= 65_504);
        assert!(standard.contains("<photoshop:Source>") || f.source.is_none());
        assert!(standard.contains("<dc:creator>"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("photoshop:Credit"), "{w:?}");
    }
}
