//! Key encoding of the index trees: order keys, names, years, words, record codecs.

use std::collections::BTreeSet;

use sled::Tree;

use super::db_err;
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{OutputFormat, Photo, Rendition, Status};

/// Length of an order key: added_at (16 bytes) ‖ id (32).
pub(super) const ORDER_LEN: usize = 48;
pub(super) type Order = [u8; ORDER_LEN];

/// The key that sorts photos by `added_at` (nanoseconds), then id.
pub(super) fn order(nanos: i128, id: &BlobId) -> Order {
    let mut k = [0; ORDER_LEN];
    // Flip the sign bit so times before 1970 sort first.
    k[..16].copy_from_slice(&((nanos as u128) ^ (1 << 127)).to_be_bytes());
    k[16..].copy_from_slice(id.as_bytes());
    k
}

/// Index entries of a record: (tree number in `apply`'s order, key).
pub(super) fn index_keys(p: &Photo) -> Vec<(usize, Vec<u8>)> {
    let place = order(p.added_at.as_nanosecond(), &p.id);
    let with_id = |mut k: Vec<u8>| {
        k.extend_from_slice(p.id.as_bytes());
        k
    };
    let with_order = |mut k: Vec<u8>| {
        k.extend_from_slice(&place);
        k
    };
    let named = |name: &str| {
        let mut k = name_key(name);
        k.push(0);
        with_order(k)
    };
    let f = &p.fields;
    let mut keys = Vec::new();
    if let Some(a) = &f.agency {
        keys.push((0, named(a)));
    }
    for c in &f.creators {
        keys.push((1, named(c)));
    }
    if let Some(y) = f.year {
        keys.push((2, with_order(year_key(y))));
    }
    let mut seen = BTreeSet::new();
    let texts = [
        &f.caption,
        &f.headline,
        &f.city,
        &f.state,
        &f.country,
        &f.credit_line,
        &f.source,
        &f.instructions,
        &f.creator_title,
    ]
    .into_iter()
    .flatten()
    .chain(f.keywords.iter());
    for text in texts {
        for w in words(text) {
            if seen.insert(w.clone()) {
                let mut k = w.into_bytes();
                k.push(0);
                keys.push((3, with_order(k)));
            }
        }
    }
    if p.status == Status::Incomplete {
        keys.push((4, place.to_vec()));
    }
    if let Some(fp) = p
        .original
        .fingerprint
        .as_deref()
        .and_then(|h| u64::from_str_radix(h, 16).ok())
    {
        keys.push((5, with_id(fp.to_be_bytes().to_vec())));
    }
    keys.push((6, place.to_vec()));
    keys
}

/// Lower-cased, whitespace-collapsed name.
pub(super) fn name_key(name: &str) -> Vec<u8> {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .into_bytes()
}

pub(super) fn year_key(year: i32) -> Vec<u8> {
    // Flip the sign bit so negative years sort before positive ones.
    ((year as u32) ^ 0x8000_0000).to_be_bytes().to_vec()
}

/// Lower-case alphanumeric words of `text`, as indexed and searched.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Entries of a tree keyed by blob id whose hex id starts with `prefix` (any length: the
/// whole bytes narrow the scan, an odd last digit is checked on the hex).
pub(super) fn hex_prefix_scan(
    tree: &Tree,
    prefix: &str,
    limit: usize,
) -> Result<Vec<(BlobId, sled::IVec)>> {
    let whole: Vec<u8> = prefix
        .as_bytes()
        .chunks_exact(2)
        .filter_map(|p| Some(crate::id::hex_value(p[0])? << 4 | crate::id::hex_value(p[1])?))
        .collect();
    let mut out: Vec<(BlobId, sled::IVec)> = Vec::new();
    for kv in tree.scan_prefix(&whole) {
        let (k, v) = kv.map_err(db_err)?;
        // Keys start with the id; several rendition records may share one: keep the first.
        let id = id_from(k.get(..32).unwrap_or(&[]))?;
        if out.last().is_some_and(|(last, _)| *last == id) {
            continue;
        }
        if id.to_hex().starts_with(prefix) {
            out.push((id, v));
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The key of a rendition record: rendition id ‖ photo ‖ spec.
pub(super) fn rendition_key(r: &Rendition) -> Vec<u8> {
    let mut k = Vec::with_capacity(70);
    k.extend_from_slice(r.id.as_bytes());
    k.extend_from_slice(r.photo.as_bytes());
    k.extend_from_slice(&r.spec.max_side.to_be_bytes());
    k.push(match r.spec.format {
        OutputFormat::Jpeg => 0,
        OutputFormat::Webp => 1,
    });
    k.push(r.spec.quality);
    k
}

/// A photo id followed by a second key part.
pub(super) fn pair(id: &BlobId, rest: &[u8]) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.extend_from_slice(rest);
    k
}

pub(super) fn id_from(k: &[u8]) -> Result<BlobId> {
    let bytes: [u8; 32] = k
        .try_into()
        .map_err(|_| Error::Db("index key is damaged".into()))?;
    Ok(BlobId::from_bytes(bytes))
}

pub(super) fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::Db(format!("cannot encode: {e}")))
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(v: &[u8]) -> Result<T> {
    serde_json::from_slice(v).map_err(|e| Error::Db(format!("damaged index record: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn year_keys_sort_like_years(a in -3000i32..3000, b in -3000i32..3000) {
            prop_assert_eq!(a.cmp(&b), year_key(a).cmp(&year_key(b)));
        }

        #[test]
        fn order_keys_sort_by_time_then_id(a: i64, b: i64, x: [u8; 32], y: [u8; 32]) {
            let (x, y) = (BlobId::from_bytes(x), BlobId::from_bytes(y));
            prop_assert_eq!(
                (a, x).cmp(&(b, y)),
                order(i128::from(a), &x).cmp(&order(i128::from(b), &y))
            );
        }
    }

    #[test]
    fn words_split_on_punctuation_and_fold_case() {
        assert_eq!(
            words("NATO's emblem, Brussels"),
            ["nato", "s", "emblem", "brussels"]
        );
    }
}
