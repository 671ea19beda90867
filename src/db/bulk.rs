//! Building the index from nothing (a rebuild from the journal) straight into runs, rather
//! than key by key through sled: events are applied to sorted in-memory maps; when they hold
//! more than [`BUDGET`] bytes each tree's map is written out as a spill run (tombstones kept);
//! at the end every tree's spills and what is left in memory are merged (newest wins,
//! tombstones dropped) into the runs of a new generation with an empty delta.
//!
//! Trees that applying events never reads (the history, the lookup trees, the uses) are
//! held as plain logs of writes, sorted only when spilled: at a million photos, keeping every
//! tree in a sorted map made comparing keys a quarter of a rebuild's time.
//!
//! Reads made while applying see memory first, then the spills from newest to oldest. The
//! `ids` tree, which every event reads by a random key, stays in memory until the end (about
//! 90 bytes a photo), so a new photo's lookup never reads a spill; other lookups are by
//! photo number, which a spill's block index rules out without reading a block when the
//! photo is newer than the spill.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use sled::transaction::ConflictableTransactionError;

use super::run::{Entry, Run, RunWriter};
use super::tier::{Layer, T};
use super::{Db, Reducer, db_err};
use crate::error::{Error, IoContext, Result};
use crate::journal::Span;
use crate::model::Event;

/// Bytes of keys and values (plus a map entry's overhead) held in memory before a spill (less
/// when the index's compaction threshold, times 4 KB, is smaller).
const BUDGET: usize = 160 << 20;
/// What a map entry costs beyond its key and value bytes (nodes, vector headers).
const OVERHEAD: usize = 64;

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<Error>>;
type Map = BTreeMap<Vec<u8>, Option<Vec<u8>>>;
/// Where merged entries go.
type Out<'a> = dyn FnMut(&[u8], &[u8]) -> Result<()> + 'a;

/// A rebuild of the index into runs; see the module docs.
pub struct Bulk<'a> {
    db: &'a Db,
    mem: RefCell<Vec<Map>>,
    /// Per tree that is never read while applying ([`is_read`]), its writes in order.
    logs: RefCell<Vec<Vec<Entry>>>,
    bytes: Cell<usize>,
    /// Per spill (oldest first), a run per tree.
    spills: Vec<Vec<Arc<Run>>>,
    dir: PathBuf,
    budget: usize,
}

impl Db {
    /// Start rebuilding this index, which must be empty, straight into runs.
    pub fn bulk(&self) -> Result<Bulk<'_>> {
        if self.applied()?.0 != 0 {
            return Err(Error::Db("a bulk rebuild needs an empty index".into()));
        }
        let dir = self.shared.dir.join("bulk");
        if dir.exists() {
            fs::remove_dir_all(&dir).at(&dir)?;
        }
        fs::create_dir_all(&dir).at(&dir)?;
        Ok(Bulk {
            db: self,
            mem: RefCell::new(vec![Map::new(); T::ALL.len()]),
            logs: RefCell::new(vec![Vec::new(); T::ALL.len()]),
            bytes: Cell::new(0),
            spills: Vec::new(),
            dir,
            // An index told to merge often (tests) spills often too.
            budget: usize::try_from(self.shared.compact_every.saturating_mul(4096))
                .unwrap_or(BUDGET)
                .min(BUDGET),
        })
    }
}

impl Layer for Bulk<'_> {
    fn get(&self, t: T, key: &[u8]) -> TxResult<Option<Vec<u8>>> {
        if !is_read(t) {
            return Err(ConflictableTransactionError::Abort(Error::Db(format!(
                "a bulk rebuild read tree {}, which it keeps unsorted",
                t.name()
            ))));
        }
        if let Some(v) = self.mem.borrow()[t as usize].get(key) {
            return Ok(v.clone());
        }
        for spill in self.spills.iter().rev() {
            if let Some(v) = spill[t as usize]
                .get(key)
                .map_err(ConflictableTransactionError::Abort)?
            {
                return Ok(v);
            }
        }
        Ok(None)
    }

    fn put(&self, t: T, key: &[u8], value: Option<&[u8]>) -> TxResult<()> {
        let size = key.len() + value.map_or(0, <[u8]>::len) + OVERHEAD;
        if !is_read(t) {
            self.logs.borrow_mut()[t as usize].push((key.to_vec(), value.map(<[u8]>::to_vec)));
            self.bytes.set(self.bytes.get() + size);
            return Ok(());
        }
        let old = self.mem.borrow_mut()[t as usize].insert(key.to_vec(), value.map(<[u8]>::to_vec));
        if old.is_none() && t != T::Ids {
            self.bytes.set(self.bytes.get() + size);
        }
        Ok(())
    }
}

impl Bulk<'_> {
    /// Apply journalled events (in journal order).
    pub fn apply(&mut self, events: &[(Span, Event)], reduce: &Reducer) -> Result<()> {
        for chunk in events.chunks(16) {
            self.db
                .apply_events(&*self, chunk, reduce)
                .map_err(|e| match e {
                    ConflictableTransactionError::Abort(e) => e,
                    ConflictableTransactionError::Storage(e) => db_err(e),
                    _ => Error::Db("a bulk rebuild conflicted with itself".into()),
                })?;
            if self.bytes.get() >= self.budget {
                self.spill()?;
            }
        }
        Ok(())
    }

    /// Write every tree's map but `ids` as a spill run and empty them.
    fn spill(&mut self) -> Result<()> {
        let dir = self.dir.join(format!("spill-{}", self.spills.len()));
        fs::create_dir_all(&dir).at(&dir)?;
        let mut runs = Vec::with_capacity(T::ALL.len());
        let mut mem = self.mem.borrow_mut();
        let mut logs = self.logs.borrow_mut();
        for t in T::ALL {
            let path = dir.join(format!("{}.run", t.name()));
            let mut w = RunWriter::create(&path)?;
            if !is_read(t) {
                for (k, v) in sorted(std::mem::take(&mut logs[t as usize])) {
                    w.push(&k, v.as_deref())?;
                }
            } else if t != T::Ids {
                for (k, v) in std::mem::take(&mut mem[t as usize]) {
                    w.push(&k, v.as_deref())?;
                }
            }
            w.finish()?;
            runs.push(Arc::new(Run::open(&path)?));
        }
        drop((mem, logs));
        self.spills.push(runs);
        self.bytes.set(0);
        Ok(())
    }

    /// Merge the spills and memory into a new generation of the index and switch to it.
    pub fn finish(self) -> Result<()> {
        let mut mem = self.mem.take();
        let mut logs = self.logs.take();
        let spills = &self.spills;
        self.db.switch(&mut |t, w| {
            let mut sources: Vec<Box<dyn Iterator<Item = Result<Entry>>>> = Vec::new();
            for spill in spills {
                sources.push(Box::new(spill[t as usize].range_from(&[])?));
            }
            match is_read(t) {
                true => {
                    let held = std::mem::take(&mut mem[t as usize]);
                    sources.push(Box::new(held.into_iter().map(Ok)));
                }
                false => {
                    let held = sorted(std::mem::take(&mut logs[t as usize]));
                    sources.push(Box::new(held.into_iter().map(Ok)));
                }
            }
            merge(sources, &mut |k, v| w.push(k, Some(v)))
        })?;
        fs::remove_dir_all(&self.dir).at(&self.dir)
    }
}

/// Whether applying events reads tree `t` (`Db::apply_events`): those are kept sorted in
/// memory, the others as logs.
fn is_read(t: T) -> bool {
    matches!(t, T::Meta | T::Ids | T::Photos | T::Fingerprint)
}

/// A log of writes sorted by key, the last write of each key kept.
fn sorted(mut log: Vec<Entry>) -> Vec<Entry> {
    // Stable: equal keys stay in the order they were written.
    log.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<Entry> = Vec::with_capacity(log.len());
    for e in log {
        match out.last_mut() {
            Some(last) if last.0 == e.0 => *last = e,
            _ => out.push(e),
        }
    }
    out
}

/// Merge sorted sources (oldest first) into `out`: on equal keys the newest source's entry
/// wins, and tombstones are dropped.
fn merge(sources: Vec<Box<dyn Iterator<Item = Result<Entry>> + '_>>, out: &mut Out) -> Result<()> {
    let mut heads: Vec<Option<Entry>> = Vec::with_capacity(sources.len());
    let mut sources = sources;
    for s in &mut sources {
        heads.push(s.next().transpose()?);
    }
    loop {
        // The smallest key; of the sources holding it, the newest.
        let mut best: Option<usize> = None;
        for (i, h) in heads.iter().enumerate() {
            if let Some((k, _)) = h
                && best.is_none_or(|b| heads[b].as_ref().is_some_and(|(bk, _)| k <= bk))
            {
                best = Some(i);
            }
        }
        let Some(b) = best else {
            return Ok(());
        };
        let Some((key, value)) = heads[b].take() else {
            return Ok(());
        };
        for (i, h) in heads.iter_mut().enumerate() {
            if i == b || h.as_ref().is_some_and(|(k, _)| *k == key) {
                *h = sources[i].next().transpose()?;
            }
        }
        if let Some(v) = value {
            out(&key, &v)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(entries: &[(&str, Option<&str>)]) -> Box<dyn Iterator<Item = Result<Entry>>> {
        let v: Vec<Result<Entry>> = entries
            .iter()
            .map(|(k, v)| Ok((k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()))))
            .collect();
        Box::new(v.into_iter())
    }

    #[test]
    fn a_sorted_log_keeps_the_last_write_of_each_key() {
        let e =
            |k: &str, v: Option<&str>| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()));
        let log = vec![
            e("b", Some("1")),
            e("a", Some("1")),
            e("b", None),
            e("c", Some("1")),
            e("a", Some("2")),
        ];
        assert_eq!(
            sorted(log),
            vec![e("a", Some("2")), e("b", None), e("c", Some("1"))]
        );
    }

    #[test]
    fn the_newest_source_wins_and_tombstones_are_dropped() {
        let old = source(&[("a", Some("1")), ("b", Some("1")), ("d", Some("1"))]);
        let mid = source(&[("b", None), ("c", Some("2"))]);
        let new = source(&[("c", Some("3")), ("d", Some("3")), ("e", None)]);
        let mut out = Vec::new();
        merge(vec![old, mid, new], &mut |k, v| {
            out.push(format!(
                "{}={}",
                String::from_utf8_lossy(k),
                String::from_utf8_lossy(v)
            ));
            Ok(())
        })
        .expect("merge");
        assert_eq!(out, ["a=1", "c=3", "d=3"]);
    }
}
