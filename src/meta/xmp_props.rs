//! XMP packets → properties (extended XMP reassembled), and the typed reads of one
//! property (simple, array, lang-alt) that [`super::extract`] maps to fields.

use std::borrow::Cow;

use serde_json::Value;

use super::{Extracted, container, list, xmp};

/// Parse the XMP packets: the first main packet wins a property; extended XMP (JPEG, XMP
/// part 3) is reassembled from chunks whose GUID the main packet names.
pub(super) fn read_xmp(
    seg: &container::Segments<'_>,
    warnings: &mut Vec<String>,
) -> xmp::Properties {
    let mut props = xmp::Properties::new();
    for packet in &seg.xmp {
        let (p, w) = xmp::parse(packet);
        warnings.extend(w);
        for (k, v) in p {
            props.entry(k).or_insert(v);
        }
    }
    let guid = props
        .get("xmpNote:HasExtendedXMP")
        .and_then(|v| v.first())
        .map(|i| i.value.clone());
    if let Some(guid) = guid {
        match extended(seg, guid.as_bytes()) {
            Ok(whole) => {
                let (p, w) = xmp::parse(&whole);
                warnings.extend(w);
                for (k, v) in p {
                    props.entry(k).or_insert(v);
                }
            }
            Err(why) => warnings.push(format!("xmp: extended XMP {why}")),
        }
    }
    props
}

pub(super) fn extended<'a>(
    seg: &container::Segments<'a>,
    guid: &[u8],
) -> Result<Cow<'a, [u8]>, String> {
    let chunks: Vec<_> = seg.xmp_extended.iter().filter(|c| c.guid == guid).collect();
    let total = chunks
        .first()
        .map(|c| c.total)
        .ok_or("is announced but missing")?;
    let total = usize::try_from(total).map_err(|_| "is too large")?;
    if total > xmp::MAX_PACKET {
        return Err(format!("of {total} bytes is over the limit; ignored"));
    }
    let mut whole = vec![0u8; total];
    let mut filled = 0usize;
    for c in chunks {
        let at = usize::try_from(c.offset).map_err(|_| "has a bad offset")?;
        let slot = whole
            .get_mut(at..at.saturating_add(c.data.len()))
            .ok_or("has a chunk past its stated length")?;
        slot.copy_from_slice(c.data);
        filled += c.data.len();
    }
    if filled < total {
        return Err("is incomplete (chunks missing)".into());
    }
    Ok(Cow::Owned(whole))
}

/// Property values by key; a key's case is forgiven (AFP writes `dc:Rights`), as ExifTool does.
pub(super) fn lookup<'p>(props: &'p xmp::Properties, key: &str) -> Option<&'p Vec<xmp::Item>> {
    props.get(key).or_else(|| {
        props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A simple XMP property: its first value.
pub(super) fn simple(props: &xmp::Properties, key: &str) -> Option<Value> {
    let item = lookup(props, key)?.first()?;
    Some(Value::String(item.value.clone()))
}

/// An XMP array (`rdf:Seq`/`rdf:Bag`): all its values.
pub(super) fn array(props: &xmp::Properties, key: &str) -> Option<Value> {
    let items = lookup(props, key)?;
    Some(list(items.iter().map(|i| i.value.as_str())))
}

/// A lang-alt property: the `x-default` text (or the first), with the other languages put
/// in `alt_languages`.
pub(super) fn lang_alt(
    props: &xmp::Properties,
    key: &str,
    field: &str,
    out: &mut Extracted,
) -> Option<Value> {
    let items = lookup(props, key)?;
    let default = items
        .iter()
        .find(|i| i.lang.as_deref() == Some("x-default"))
        .or_else(|| items.first())?;
    for i in items {
        if let Some(lang) = i.lang.as_deref().filter(|l| *l != "x-default") {
            out.alt_languages
                .entry(field.to_string())
                .or_default()
                .insert(lang.to_string(), i.value.clone());
        }
    }
    Some(Value::String(default.value.clone()))
}
