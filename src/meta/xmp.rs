//! XMP packets (RDF/XML) → property values, through quick-xml's namespace-aware reader.
//!
//! Properties are keyed by a canonical prefix chosen from the namespace URI (a file may bind
//! `dc` to any prefix); struct fields get `parent/field` keys (`plus:Licensor/plus:LicensorName`).
//! Only namespaces byline reads are kept. A packet with a DOCTYPE is refused outright, so no
//! entity is ever expanded or fetched; packets over [`MAX_PACKET`] and deeper than
//! [`MAX_DEPTH`] are refused too. This module never decides between blocks (that is `mod.rs`).

use std::collections::BTreeMap;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

/// Largest XMP packet read, main and extended together (1 MB, the issue's bound).
pub const MAX_PACKET: usize = 1 << 20;

/// Deepest element nesting followed; real packets nest fewer than a dozen levels.
pub const MAX_DEPTH: usize = 64;

/// Most values kept from one packet.
const MAX_ITEMS: usize = 100_000;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// One value of a property: an `rdf:li` of an array or the text of a simple property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `xml:lang` in force (lang-alt entries carry `x-default`, `fa-IR`, …).
    pub lang: Option<String>,
    /// The text.
    pub value: String,
}

/// Property key (`dc:creator`) → values in document order.
pub type Properties = BTreeMap<String, Vec<Item>>;

/// Canonical prefix of the namespaces byline reads.
fn prefix(ns: &str) -> Option<&'static str> {
    Some(match ns {
        "http://purl.org/dc/elements/1.1/" => "dc",
        "http://ns.adobe.com/photoshop/1.0/" => "photoshop",
        "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" => "Iptc4xmpCore",
        "http://iptc.org/std/Iptc4xmpExt/2008-02-29/" => "Iptc4xmpExt",
        "http://ns.adobe.com/xap/1.0/rights/" => "xmpRights",
        "http://ns.useplus.org/ldf/xmp/1.0/" => "plus",
        "http://ns.adobe.com/exif/1.0/" => "exif",
        "http://ns.adobe.com/tiff/1.0/" => "tiff",
        "http://ns.adobe.com/xmp/note/" => "xmpNote",
        _ => return None,
    })
}

/// What an open element is, for the value its end produces.
#[derive(Debug)]
enum Frame {
    /// `rdf:RDF`, `rdf:Description`, `rdf:Seq`/`Bag`/`Alt`: structure only.
    Node,
    /// An `rdf:li`: its text is a value of the enclosing property.
    Item,
    /// A property element of a known namespace; its key was pushed on the path.
    Prop,
    /// A property of a namespace byline ignores, with everything inside it.
    Skip,
}

struct Open {
    frame: Frame,
    lang: Option<String>,
    text: String,
    had_child: bool,
    /// The element's `rdf:resource`, which stands for its text.
    resource: Option<String>,
}

/// Parse one packet; returns the properties read and the warnings met.
pub fn parse(bytes: &[u8]) -> (Properties, Vec<String>) {
    let mut warnings = Vec::new();
    if bytes.len() > MAX_PACKET {
        warnings.push(format!(
            "xmp: packet of {} bytes is over the {MAX_PACKET}-byte limit; ignored",
            bytes.len()
        ));
        return (Properties::new(), warnings);
    }
    let text = match to_text(bytes) {
        Some(t) => t,
        None => {
            warnings.push("xmp: packet is neither UTF-8 nor UTF-16; read lossily".into());
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let props = walk(text.trim_end_matches('\0'), &mut warnings);
    (props, warnings)
}

/// The packet as text: UTF-8, or UTF-16 (by BOM, or by the zero byte of `<`, XMP part 1 §7.2).
fn to_text(b: &[u8]) -> Option<String> {
    let utf16 = |b: &[u8], big: bool| -> Option<String> {
        let units = b.chunks_exact(2).map(|c| {
            let pair: [u8; 2] = c.try_into().unwrap_or_default();
            if big {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    match b {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(str::to_string),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
        [0, x, ..] if *x != 0 => utf16(b, true),
        [x, 0, ..] if *x != 0 => utf16(b, false),
        _ => std::str::from_utf8(b).ok().map(str::to_string),
    }
}

fn walk(text: &str, warnings: &mut Vec<String>) -> Properties {
    let mut props = Properties::new();
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut items = 0usize;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (bound(&ns), event),
            Err(e) => {
                warnings.push(format!(
                    "xmp: malformed XML at byte {}: {e}; values before it are kept",
                    reader.buffer_position()
                ));
                break;
            }
        };
        match event {
            Event::DocType(_) => {
                warnings.push(
                    "xmp: packet has a DOCTYPE; refused (entities are never expanded)".into(),
                );
                return Properties::new();
            }
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                warnings.push(format!(
                    "xmp: nesting deeper than {MAX_DEPTH}; rest ignored"
                ));
                break;
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let parent_lang = stack.last().and_then(|o| o.lang.clone());
                let skipping = stack.iter().any(|o| matches!(o.frame, Frame::Skip));
                if let Some(parent) = stack.last_mut() {
                    parent.had_child = true;
                }
                let local = e.local_name();
                let local = local.as_ref();
                let frame = if skipping {
                    Frame::Skip
                } else if ns == Some(RDF) {
                    match local {
                        "li" => Frame::Item,
                        _ => Frame::Node,
                    }
                } else if let Some(p) = ns.and_then(prefix) {
                    path.push(format!("{p}:{local}"));
                    Frame::Prop
                } else if stack.is_empty() || local == "xmpmeta" {
                    Frame::Node
                } else {
                    Frame::Skip
                };
                let mut open = Open {
                    frame,
                    lang: parent_lang,
                    text: String::new(),
                    had_child: false,
                    resource: None,
                };
                if !matches!(open.frame, Frame::Skip) {
                    attributes(&reader, e, &mut open, &path, &mut props, &mut items);
                }
                stack.push(open);
                if empty {
                    close(&mut stack, &mut path, &mut props, &mut items, true);
                }
            }
            Event::End(_) => close(&mut stack, &mut path, &mut props, &mut items, false),
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => match entity(&r) {
                Some(c) => push_text(&mut stack, c.encode_utf8(&mut [0; 4])),
                None => warnings.push(format!("xmp: unknown entity &{};  left out", &*r)),
            },
            Event::Eof => break,
            _ => {}
        }
        if items > MAX_ITEMS {
            warnings.push(format!("xmp: more than {MAX_ITEMS} values; rest ignored"));
            break;
        }
    }
    props
}

fn bound<'a>(ns: &ResolveResult<'a>) -> Option<&'a str> {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Some(uri),
        _ => None,
    }
}

fn push_text(stack: &mut [Open], s: &str) {
    if let Some(top) = stack
        .last_mut()
        .filter(|t| !matches!(t.frame, Frame::Skip) && t.text.len() < MAX_PACKET)
    {
        top.text.push_str(s);
    }
}

/// `xml:lang`, `rdf:resource`, and properties written as attributes (`photoshop:City="Oslo"`
/// on an `rdf:Description`, or struct fields on a property element).
fn attributes(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    open: &mut Open,
    path: &[String],
    props: &mut Properties,
    items: &mut usize,
) {
    for attr in e.attributes().with_checks(false).flatten() {
        let key = attr.key.as_ref();
        if key == "xml:lang" {
            open.lang = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned());
            continue;
        }
        if key.starts_with("xmlns") {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = bound(&ns);
        if ns == Some(RDF) {
            if local.as_ref() == "resource" {
                open.resource = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned());
            }
            continue;
        }
        let Some(p) = ns.and_then(prefix) else {
            continue;
        };
        let Ok(value) = attr.normalized_value(XmlVersion::Implicit1_0) else {
            continue;
        };
        let mut k = path.join("/");
        if !k.is_empty() {
            k.push('/');
        }
        k.push_str(p);
        k.push(':');
        k.push_str(local.as_ref());
        *items += 1;
        props.entry(k).or_default().push(Item {
            lang: open.lang.clone(),
            value: value.into_owned(),
        });
    }
}

fn close(
    stack: &mut Vec<Open>,
    path: &mut Vec<String>,
    props: &mut Properties,
    items: &mut usize,
    empty: bool,
) {
    let Some(open) = stack.pop() else { return };
    let leaf = !open.had_child;
    let value = match open.resource {
        Some(r) => Some(r),
        // An empty element is an empty value only for a lang-alt/array item.
        None if empty && !matches!(open.frame, Frame::Item) => None,
        None if leaf => Some(open.text),
        None => None,
    };
    match open.frame {
        Frame::Item | Frame::Prop => {
            if let (Some(value), false) = (value, path.is_empty()) {
                *items += 1;
                props.entry(path.join("/")).or_default().push(Item {
                    lang: open.lang,
                    value,
                });
            }
            if matches!(open.frame, Frame::Prop) {
                path.pop();
            }
        }
        Frame::Node | Frame::Skip => {}
    }
}

/// The character an XML reference stands for: a character reference (`&#233;`) or one of
/// XML's five predefined entities; `None` for any other (XML without a DTD defines no more).
/// The crawler's sitemap reader uses it too.
pub(crate) fn entity(r: &BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match &**r {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKET: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:ps="http://ns.adobe.com/photoshop/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
    ps:Credit="AP Photo/Evan Vucci">
   <ps:City>Washington &amp; DC</ps:City>
   <dc:creator><rdf:Seq><rdf:li>Evan Vucci</rdf:li><rdf:li>Second</rdf:li></rdf:Seq></dc:creator>
   <dc:rights><rdf:Alt>
     <rdf:li xml:lang="x-default">&#169; AP</rdf:li><rdf:li xml:lang="fa-IR">اپ</rdf:li>
   </rdf:Alt></dc:rights>
   <plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource">
     <plus:LicensorName>AP Images</plus:LicensorName>
   </rdf:li></rdf:Seq></plus:Licensor>
   <other:Thing xmlns:other="urn:x"><rdf:Bag><rdf:li>no</rdf:li></rdf:Bag></other:Thing>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"#;

    fn values(p: &Properties, key: &str) -> Vec<String> {
        p.get(key)
            .map(|v| v.iter().map(|i| i.value.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn reads_simple_array_langalt_and_struct_properties() {
        let (p, w) = parse(PACKET.as_bytes());
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(values(&p, "photoshop:Credit"), ["AP Photo/Evan Vucci"]);
        assert_eq!(values(&p, "photoshop:City"), ["Washington & DC"]);
        assert_eq!(values(&p, "dc:creator"), ["Evan Vucci", "Second"]);
        let rights = &p["dc:rights"];
        assert_eq!(rights[0].lang.as_deref(), Some("x-default"));
        assert_eq!(rights[0].value, "© AP");
        assert_eq!(rights[1].lang.as_deref(), Some("fa-IR"));
        assert_eq!(values(&p, "plus:Licensor/plus:LicensorName"), ["AP Images"]);
        assert_eq!(p.keys().filter(|k| k.contains("Thing")).count(), 0);
    }

    #[test]
    fn utf16_packets_are_read() {
        let be: Vec<u8> = PACKET.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = PACKET.encode_utf16().flat_map(u16::to_le_bytes).collect();
        for b in [be, le] {
            let (p, _) = parse(&b);
            assert_eq!(values(&p, "photoshop:City"), ["Washington & DC"]);
        }
    }

    #[test]
    fn doctype_is_refused() {
        let evil = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
            PACKET.replace("AP Photo/Evan Vucci", "&e;")
        );
        let (p, w) = parse(evil.as_bytes());
        assert!(p.is_empty());
        assert!(w[0].contains("DOCTYPE"), "{w:?}");
    }

    #[test]
    fn oversized_and_overdeep_packets_are_bounded() {
        let (p, w) = parse(&vec![b' '; MAX_PACKET + 1]);
        assert!(p.is_empty() && w[0].contains("limit"));
        let deep = "<a>".repeat(10_000);
        let (_, w) = parse(deep.as_bytes());
        assert!(w.iter().any(|w| w.contains("nesting")), "{w:?}");
    }

    #[test]
    fn malformed_xml_keeps_what_came_before() {
        let cut = PACKET
            .get(..PACKET.find("<dc:rights>").unwrap_or(0))
            .unwrap_or("");
        let broken = format!("{cut}</wrong>");
        let (p, w) = parse(broken.as_bytes());
        assert_eq!(values(&p, "dc:creator"), ["Evan Vucci", "Second"]);
        assert!(!w.is_empty());
    }
}
