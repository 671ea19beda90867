//! The fingerprint tree's encoding: every photo's fingerprints (whole picture and standard
//! crops) packed into blocks of [`BLOCK`] consecutive photo numbers, one sled value a block.
//!
//! A photo has about ten fingerprints. Kept as one key each (hash ‖ photo number) they were
//! the index's largest tree after the word index, and `similar`, which has to compare every
//! fingerprint with the one it is given (its radius of 16 bits of 64 rules out any exact-match
//! shortcut), walked eleven sled keys a photo. A block is read as one value and compared
//! without allocating: the scan is a pass over packed integers, and a million photos are
//! 15,625 sled entries.
//!
//! Block value: entries in photo-number order, each `offset (u8, pn mod BLOCK) ‖ count (u8)
//! ‖ count × fingerprint (u64 big-endian)`.

use super::key::{Pn, damaged};
use crate::error::Result;
use crate::model::Photo;

/// Photos a block holds: small enough that adding one photo rewrites a few kilobytes.
pub(super) const BLOCK: u64 = 64;

/// Most fingerprints kept for one photo (the whole picture and its crops are about ten).
const MOST: usize = u8::MAX as usize;

/// The key of the block holding photo `pn`.
pub(super) fn block_key(pn: Pn) -> [u8; 8] {
    (pn / BLOCK).to_be_bytes()
}

/// A record's fingerprints (whole picture, then crops), sound ones only, without repeats.
pub fn prints_of(p: &Photo) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    let all = p
        .original
        .fingerprint
        .iter()
        .chain(&p.original.crop_fingerprints);
    for fp in all.filter_map(|h| u64::from_str_radix(h, 16).ok()) {
        if !out.contains(&fp) && out.len() < MOST {
            out.push(fp);
        }
    }
    out
}

/// One entry of a block: the photo number and its packed fingerprints.
pub(super) struct Entry<'a> {
    pub pn: Pn,
    packed: &'a [u8],
}

impl Entry<'_> {
    /// The fingerprints, in the order they were stored.
    pub fn prints(&self) -> impl Iterator<Item = u64> + '_ {
        self.packed
            .chunks_exact(8)
            .filter_map(|c| c.try_into().ok().map(u64::from_be_bytes))
    }
}

/// The entries of the block stored under `key`, checked as they are read.
pub(super) fn entries<'a>(key: &[u8], block: &'a [u8]) -> Result<Vec<Entry<'a>>> {
    let base = super::key::u64_at(key, 0)?.saturating_mul(BLOCK);
    let mut out = Vec::new();
    let mut at = 0;
    while at < block.len() {
        let (&offset, &count) = block.get(at).zip(block.get(at + 1)).ok_or_else(damaged)?;
        let end = at + 2 + usize::from(count) * 8;
        let packed = block.get(at + 2..end).ok_or_else(damaged)?;
        out.push(Entry {
            pn: base + u64::from(offset),
            packed,
        });
        at = end;
    }
    Ok(out)
}

/// The block `old` (if any, stored under the key of `pn`) with photo `pn`'s fingerprints
/// set to `prints` (none: its entry dropped).
pub(super) fn with_entry(old: Option<&[u8]>, pn: Pn, prints: &[u64]) -> Result<Vec<u8>> {
    let key = block_key(pn);
    let kept = match old {
        Some(b) => entries(&key, b)?,
        None => Vec::new(),
    };
    let mut out = Vec::with_capacity(old.map_or(0, <[u8]>::len) + 2 + prints.len() * 8);
    let mut placed = prints.is_empty();
    for e in kept.iter().filter(|e| e.pn != pn) {
        if !placed && e.pn > pn {
            put(&mut out, pn, &mut prints.iter().copied());
            placed = true;
        }
        put(&mut out, e.pn, &mut e.prints());
    }
    if !placed {
        put(&mut out, pn, &mut prints.iter().copied());
    }
    Ok(out)
}

/// Append photo `pn`'s entry (at most [`MOST`] fingerprints) to a block.
fn put(out: &mut Vec<u8>, pn: Pn, prints: &mut dyn Iterator<Item = u64>) {
    let mark = out.len();
    out.extend_from_slice(&[(pn % BLOCK) as u8, 0]);
    let mut n = 0u8;
    for fp in prints.take(MOST) {
        out.extend_from_slice(&fp.to_be_bytes());
        n += 1;
    }
    out[mark + 1] = n;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Setting entries in any order gives each photo its last prints, in pn order.
        #[test]
        fn blocks_keep_each_photos_last_prints(
            sets in proptest::collection::vec((0u64..BLOCK, proptest::collection::vec(any::<u64>(), 0..12)), 1..40),
            block in 0u64..1000,
        ) {
            let mut want = std::collections::BTreeMap::new();
            let mut stored: Option<Vec<u8>> = None;
            for (offset, prints) in &sets {
                let pn = block * BLOCK + offset;
                stored = Some(with_entry(stored.as_deref(), pn, prints)?);
                if prints.is_empty() {
                    want.remove(&pn);
                } else {
                    want.insert(pn, prints.clone());
                }
            }
            let bytes = stored.unwrap_or_default();
            let key = block_key(block * BLOCK);
            let got: std::collections::BTreeMap<Pn, Vec<u64>> = entries(&key, &bytes)?
                .iter()
                .map(|e| (e.pn, e.prints().collect()))
                .collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_torn_block_is_an_error_not_a_panic() {
        let good = with_entry(None, 3, &[1, 2]).unwrap_or_default();
        assert!(entries(&block_key(3), &good[..good.len() - 1]).is_err());
        assert!(entries(&block_key(3), &[7]).is_err());
    }
}
