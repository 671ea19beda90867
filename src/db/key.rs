//! Key and value encoding of the index trees: photo numbers, order keys, names, years,
//! words, journal spans and stored records. Pure byte work; no sled.
//!
//! Keys are compact because a million photos have some fifteen million index entries: a
//! photo is named inside the index by its photo number (`Pn`, 8 bytes, given in journal
//! order), not by its 32-byte id, and an order key is 20 bytes.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::journal::Span;
use crate::model::{OutputFormat, Photo, Rendition, Status};

/// A photo's number inside the index: 1, 2, 3… in the order the journal added them.
pub(super) type Pn = u64;

/// Length of an order key: added_at (seconds 8 ‖ nanoseconds 4) ‖ photo number (8).
pub(super) const ORDER_LEN: usize = 20;
/// An order key: sorts photos by `added_at`, then by photo number (journal order).
pub(super) type Order = [u8; ORDER_LEN];

/// The order key of a photo added at `nanos` (since the epoch) with number `pn`.
pub(super) fn order(nanos: i128, pn: Pn) -> Order {
    let secs = nanos.div_euclid(1_000_000_000);
    let sub = nanos.rem_euclid(1_000_000_000) as u32;
    // jiff timestamps span ±10,000 years: seconds fit an i64. Flip the sign bit so times
    // before 1970 sort first.
    let secs = i64::try_from(secs).unwrap_or(if secs < 0 { i64::MIN } else { i64::MAX });
    let mut k = [0; ORDER_LEN];
    k[..8].copy_from_slice(&((secs as u64) ^ (1 << 63)).to_be_bytes());
    k[8..12].copy_from_slice(&sub.to_be_bytes());
    k[12..].copy_from_slice(&pn.to_be_bytes());
    k
}

/// The photo number at the end of an order key.
pub(super) fn pn_of(order: &[u8]) -> Result<Pn> {
    u64_at(order, order.len().saturating_sub(8))
}

/// The order key just after `k`, or `None` after the last possible one.
pub(super) fn successor(mut k: Order) -> Option<Order> {
    for b in k.iter_mut().rev() {
        if *b == 0xff {
            *b = 0;
        } else {
            *b += 1;
            return Some(k);
        }
    }
    None
}

/// Which index tree a key of [`index_keys`] goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Index {
    Agency,
    Creator,
    Year,
    Word,
    Incomplete,
    Added,
}

/// Index entries of a record numbered `pn`.
pub(super) fn index_keys(p: &Photo, pn: Pn) -> Vec<(Index, Vec<u8>)> {
    let place = order(p.added_at.as_nanosecond(), pn);
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
        keys.push((Index::Agency, named(a)));
    }
    for c in &f.creators {
        keys.push((Index::Creator, named(c)));
    }
    if let Some(y) = f.year {
        keys.push((Index::Year, with_order(year_key(y))));
    }
    for w in indexed_words(p) {
        let mut k = w.into_bytes();
        k.push(0);
        keys.push((Index::Word, with_order(k)));
    }
    if p.status == Status::Incomplete {
        keys.push((Index::Incomplete, place.to_vec()));
    }
    keys.push((Index::Added, place.to_vec()));
    keys
}

/// The words a record is found by (caption, headline, keywords and the other text fields),
/// each once, in the order they first appear. Every records implementation indexes these.
pub fn indexed_words(p: &Photo) -> Vec<String> {
    let f = &p.fields;
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
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for text in texts {
        for w in words(text) {
            if seen.insert(w.clone()) {
                out.push(w);
            }
        }
    }
    out
}

/// Lower-cased, whitespace-collapsed name, as the agency and creator filters match it.
pub fn normal_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub(super) fn name_key(name: &str) -> Vec<u8> {
    normal_name(name).into_bytes()
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

/// The bytes of a whole id given as a hex prefix (an odd last digit is left off).
pub(super) fn hex_bytes(prefix: &str) -> Vec<u8> {
    prefix
        .as_bytes()
        .chunks_exact(2)
        .filter_map(|p| Some(crate::id::hex_value(p[0])? << 4 | crate::id::hex_value(p[1])?))
        .collect()
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

/// Two big-endian numbers, e.g. photo number ‖ seq.
pub(super) fn pair(a: u64, b: u64) -> [u8; 16] {
    let mut k = [0; 16];
    k[..8].copy_from_slice(&a.to_be_bytes());
    k[8..].copy_from_slice(&b.to_be_bytes());
    k
}

/// Where a photo was used: pn ‖ the first 16 bytes of blake3(outlet name key ‖ 0 ‖ URL).
/// A hash keeps the key short whatever the URL; two pages that collide only cost reading
/// the other's uses, which the caller tells apart by their outlet and URL.
pub(super) fn page_prefix(pn: u64, outlet: &str, url: &str) -> [u8; 24] {
    let mut h = blake3::Hasher::new();
    h.update(&name_key(outlet));
    h.update(&[0]);
    h.update(url.as_bytes());
    let mut k = [0; 24];
    k[..8].copy_from_slice(&pn.to_be_bytes());
    k[8..].copy_from_slice(&h.finalize().as_bytes()[..16]);
    k
}

/// [`page_prefix`] ‖ a use's ledger number.
pub(super) fn page_use(pn: u64, outlet: &str, url: &str, n: u64) -> [u8; 32] {
    let mut k = [0; 32];
    k[..24].copy_from_slice(&page_prefix(pn, outlet, url));
    k[24..].copy_from_slice(&n.to_be_bytes());
    k
}

/// A name key, a 0 separator, then a big-endian number.
pub(super) fn named_number(name: &str, n: u64) -> Vec<u8> {
    let mut k = name_key(name);
    k.push(0);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

pub(super) fn u64_at(k: &[u8], at: usize) -> Result<u64> {
    k.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(damaged)
}

pub(super) fn id_from(k: &[u8]) -> Result<BlobId> {
    let bytes: [u8; 32] = k.try_into().map_err(|_| damaged())?;
    Ok(BlobId::from_bytes(bytes))
}

pub(super) fn damaged() -> Error {
    Error::Db("index key is damaged".into())
}

/// A journal span as 12 bytes: start (8) ‖ length (4).
pub(super) fn span_bytes(s: Span) -> [u8; 12] {
    let mut v = [0; 12];
    v[..8].copy_from_slice(&s.start.to_be_bytes());
    let len = u32::try_from(s.end.saturating_sub(s.start)).unwrap_or(u32::MAX);
    v[8..].copy_from_slice(&len.to_be_bytes());
    v
}

pub(super) fn span_from(v: &[u8]) -> Result<Span> {
    let start = u64_at(v, 0)?;
    let len: [u8; 4] = v
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(damaged)?;
    Ok(Span {
        start,
        end: start + u64::from(u32::from_be_bytes(len)),
    })
}

/// How a photo's current record is kept in the `photos` tree (after its 32-byte id).
#[derive(Debug)]
pub(super) enum Stored {
    /// The record is the photo of the `PhotoAdded` event at this span, as it was added: kept
    /// once, in the journal.
    Added(Span),
    /// An edited record, kept whole (deflated JSON).
    Inline(Box<Photo>),
}

const ADDED: u8 = 0;
const INLINE: u8 = 1;

/// The `photos` value: id ‖ tag ‖ span or deflated JSON.
pub(super) fn record_bytes(id: &BlobId, stored: &Stored) -> Result<Vec<u8>> {
    let mut v = id.as_bytes().to_vec();
    match stored {
        Stored::Added(span) => {
            v.push(ADDED);
            v.extend_from_slice(&span_bytes(*span));
        }
        Stored::Inline(p) => {
            v.push(INLINE);
            let json =
                serde_json::to_vec(p).map_err(|e| Error::Db(format!("cannot encode: {e}")))?;
            let mut z = flate2::write::DeflateEncoder::new(v, flate2::Compression::fast());
            z.write_all(&json)
                .map_err(|e| Error::Db(format!("cannot compress a record: {e}")))?;
            v = z
                .finish()
                .map_err(|e| Error::Db(format!("cannot compress a record: {e}")))?;
        }
    }
    Ok(v)
}

/// The id and stored form of a `photos` value.
pub(super) fn record_from(v: &[u8]) -> Result<(BlobId, Stored)> {
    let id = id_from(v.get(..32).ok_or_else(damaged)?)?;
    let rest = v.get(33..).unwrap_or(&[]);
    let stored = match v.get(32) {
        Some(&ADDED) => Stored::Added(span_from(rest)?),
        Some(&INLINE) => {
            let mut json = Vec::with_capacity(rest.len() * 3);
            flate2::read::DeflateDecoder::new(rest)
                .read_to_end(&mut json)
                .map_err(|e| Error::Db(format!("damaged index record: {e}")))?;
            Stored::Inline(Box::new(decode(&json)?))
        }
        _ => return Err(damaged()),
    };
    Ok((id, stored))
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
        fn order_keys_sort_by_time_then_number(a: i64, b: i64, x: u64, y: u64) {
            prop_assert_eq!(
                (a, x).cmp(&(b, y)),
                order(i128::from(a), x).cmp(&order(i128::from(b), y))
            );
        }

        #[test]
        fn successor_is_the_next_key(a: i64, x in 0u64..u64::MAX) {
            let k = order(i128::from(a), x);
            prop_assert_eq!(successor(k), Some(order(i128::from(a), x + 1)));
        }
    }

    #[test]
    fn words_split_on_punctuation_and_fold_case() {
        assert_eq!(
            words("NATO's emblem, Brussels"),
            ["nato", "s", "emblem", "brussels"]
        );
    }

    #[test]
    fn spans_round_trip() -> Result<()> {
        let s = Span {
            start: 1 << 40,
            end: (1 << 40) + 1234,
        };
        assert_eq!(span_from(&span_bytes(s))?, s);
        Ok(())
    }
}
