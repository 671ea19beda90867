//! One tree of the index in two tiers: an immutable sorted run (the base) under a sled tree
//! holding what changed since the run was written (the delta). Every read merges the two: the
//! delta wins, and its tombstones hide base entries.
//!
//! A delta value is one tag byte then the value: [`LIVE`] ‖ value, or [`TOMB`] alone. Inside
//! a sled transaction reads fall through to the base too; the store has one writer, and only
//! that writer replaces the base (between transactions), so the base is fixed while it writes.

use std::sync::Arc;

use sled::transaction::TransactionalTree;

use super::run::{Entry, Run, RunIter};
use super::{abort, db_err};
use crate::error::{Error, Result};

const LIVE: u8 = 1;
const TOMB: u8 = 0;

type TxResult<T> = std::result::Result<T, sled::transaction::ConflictableTransactionError<Error>>;

/// The trees of the index (see the module docs of `db`), in the order of [`T::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum T {
    Meta,
    Ids,
    Photos,
    History,
    Added,
    Agency,
    Creator,
    Year,
    Word,
    Incomplete,
    Fingerprint,
    Renditions,
    RenditionPhoto,
    Uses,
    UsePhoto,
    UseOutlet,
    UsePage,
    Tokens,
}

impl T {
    pub(super) const ALL: [T; 18] = [
        T::Meta,
        T::Ids,
        T::Photos,
        T::History,
        T::Added,
        T::Agency,
        T::Creator,
        T::Year,
        T::Word,
        T::Incomplete,
        T::Fingerprint,
        T::Renditions,
        T::RenditionPhoto,
        T::Uses,
        T::UsePhoto,
        T::UseOutlet,
        T::UsePage,
        T::Tokens,
    ];

    /// The tree's name: its run file and (after the delta set's prefix) its sled tree.
    pub(super) fn name(self) -> &'static str {
        match self {
            T::Meta => "meta",
            T::Ids => "ids",
            T::Photos => "photos",
            T::History => "history",
            T::Added => "idx_added",
            T::Agency => "idx_agency",
            T::Creator => "idx_creator",
            T::Year => "idx_year",
            T::Word => "idx_word",
            T::Incomplete => "idx_incomplete",
            T::Fingerprint => "fingerprints",
            T::Renditions => "renditions",
            T::RenditionPhoto => "idx_rendition_photo",
            T::Uses => "uses",
            T::UsePhoto => "idx_use_photo",
            T::UseOutlet => "idx_use_outlet",
            T::UsePage => "idx_use_page",
            T::Tokens => "tokens",
        }
    }
}

/// A tree's base run and delta. Cloning is cheap.
#[derive(Clone)]
pub(super) struct Tier {
    /// `None` when the index was opened from its runs alone, its delta known to be empty
    /// (`generation.rs`, the marker).
    pub(super) delta: Option<sled::Tree>,
    pub(super) base: Arc<Run>,
}

/// A delta value as the reads see it: `Some(None)` is a tombstone.
fn untag(v: &[u8]) -> Result<Option<Vec<u8>>> {
    match v.split_first() {
        Some((&LIVE, rest)) => Ok(Some(rest.to_vec())),
        Some((&TOMB, [])) => Ok(None),
        _ => Err(Error::Db("an index delta value is damaged".into())),
    }
}

fn tagged(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + 1);
    out.push(LIVE);
    out.extend_from_slice(v);
    out
}

impl Tier {
    /// The value at `key`.
    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let found = match &self.delta {
            Some(d) => d.get(key).map_err(db_err)?,
            None => None,
        };
        match found {
            Some(v) => untag(&v),
            None => Ok(self.base.get(key)?.flatten()),
        }
    }

    /// Whether `key` has a value.
    pub(super) fn contains_key(&self, key: &[u8]) -> Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// Entries from `start` on, in key order.
    pub(super) fn range_from(&self, start: &[u8]) -> Result<TierIter> {
        Ok(TierIter {
            delta: self
                .delta
                .as_ref()
                .map(|d| d.range(start.to_vec()..).peekable()),
            base: self.base.range_from(start)?.peekable(),
            prefix: None,
        })
    }

    /// Entries whose key starts with `prefix`, in key order.
    pub(super) fn scan_prefix(&self, prefix: &[u8]) -> Result<TierIter> {
        let mut it = self.range_from(prefix)?;
        it.prefix = Some(prefix.to_vec());
        Ok(it)
    }

    /// Entries from `start` on whose key starts with `prefix`, in key order.
    pub(super) fn range_within(&self, start: &[u8], prefix: &[u8]) -> Result<TierIter> {
        let mut it = self.range_from(start)?;
        it.prefix = Some(prefix.to_vec());
        Ok(it)
    }

    /// Every entry, in key order.
    pub(super) fn iter(&self) -> Result<TierIter> {
        self.range_from(&[])
    }

    /// Whether the tree has no entries.
    pub(super) fn is_empty(&self) -> Result<bool> {
        Ok(self.iter()?.next().transpose()?.is_none())
    }
}

/// A merged walk of a tier: delta and base side by side, the delta winning on equal keys and
/// its tombstones dropped with the base entries they hide.
pub(super) struct TierIter {
    delta: Option<std::iter::Peekable<sled::Iter>>,
    base: std::iter::Peekable<RunIter>,
    prefix: Option<Vec<u8>>,
}

impl TierIter {
    fn step(&mut self) -> Result<Option<Entry>> {
        let Some(delta) = self.delta.as_mut() else {
            return self.base.next().transpose();
        };
        let order = match (delta.peek(), self.base.peek()) {
            (None, None) => return Ok(None),
            (Some(Err(_)), _) | (Some(Ok(_)), None) => std::cmp::Ordering::Less,
            (None, Some(_)) | (_, Some(Err(_))) => std::cmp::Ordering::Greater,
            (Some(Ok((d, _))), Some(Ok((b, _)))) => d.as_ref().cmp(b.as_slice()),
        };
        if order == std::cmp::Ordering::Greater {
            return self.base.next().transpose();
        }
        if order == std::cmp::Ordering::Equal {
            self.base.next().transpose()?;
        }
        match delta.next() {
            Some(kv) => {
                let (k, v) = kv.map_err(db_err)?;
                Ok(Some((k.to_vec(), untag(&v)?)))
            }
            None => Ok(None),
        }
    }
}

impl Iterator for TierIter {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.step() {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some((k, v))) => {
                    if let Some(p) = &self.prefix
                        && !k.starts_with(p)
                    {
                        return None;
                    }
                    if let Some(v) = v {
                        return Some(Ok((k, v)));
                    }
                }
            }
        }
    }
}

/// Where the writes of `Db::apply_events` go: every tree's reads and writes, by tree.
pub(super) trait Layer {
    /// The value at `key` in tree `t`, seeing the layer's own earlier writes.
    fn get(&self, t: T, key: &[u8]) -> TxResult<Option<Vec<u8>>>;
    /// Set `key` in tree `t` to `value`; `None` removes it (a tombstone).
    fn put(&self, t: T, key: &[u8], value: Option<&[u8]>) -> TxResult<()>;
}

/// One tree of a [`Layer`].
#[derive(Clone, Copy)]
pub(super) struct On<'a> {
    pub(super) l: &'a dyn Layer,
    pub(super) t: T,
}

impl On<'_> {
    pub(super) fn get(self, key: impl AsRef<[u8]>) -> TxResult<Option<Vec<u8>>> {
        self.l.get(self.t, key.as_ref())
    }

    pub(super) fn insert(self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> TxResult<()> {
        self.l.put(self.t, key.as_ref(), Some(value.as_ref()))
    }

    pub(super) fn remove(self, key: impl AsRef<[u8]>) -> TxResult<()> {
        self.l.put(self.t, key.as_ref(), None)
    }
}

/// The delta trees inside a sled transaction, each over its base run. Reads fall through
/// to the base; a removal is a tombstone, which hides the base's entry until the next
/// compaction.
pub(super) struct TxLayers<'a> {
    pub(super) tiers: Vec<(&'a TransactionalTree, &'a Run)>,
}

impl Layer for TxLayers<'_> {
    fn get(&self, t: T, key: &[u8]) -> TxResult<Option<Vec<u8>>> {
        let (tx, base) = self.tiers[t as usize];
        match tx.get(key)? {
            Some(v) => untag(&v).map_err(abort),
            None => Ok(base.get(key).map_err(abort)?.flatten()),
        }
    }

    fn put(&self, t: T, key: &[u8], value: Option<&[u8]>) -> TxResult<()> {
        let (tx, _) = self.tiers[t as usize];
        match value {
            Some(v) => tx.insert(key, tagged(v))?,
            None => tx.insert(key, &[TOMB])?,
        };
        Ok(())
    }
}
