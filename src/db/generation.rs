//! Generations of the index: which runs are the base, which sled trees the delta, and the
//! compaction that merges the two into the next generation.
//!
//! On disk, in the index folder: the sled database (the deltas, and the plain `meta` tree with
//! the layout version and which generation each delta set belongs to), `CURRENT` (the
//! generation number and its delta set, replaced atomically), and `runs-<generation>/` with a
//! run per tree. The delta trees come in two sets (`0:photos`, `1:photos`…) used by turns, so
//! a compaction fills a cleared set while the one in use stays whole for the readers still on
//! the old generation.
//!
//! A compaction writes the merged runs into a new folder and fsyncs them, clears the other
//! delta set and stamps it with the new generation, then replaces `CURRENT` (temp file, fsync,
//! rename, fsync of the folder), and only then deletes the old runs. A crash before the rename
//! leaves the old generation whole (the new folder is removed by the next compaction); after
//! it, the new one. sled does not fsync, so a delta set whose stamp is not the current
//! generation's (sled lost the clearing) is cleared on open, and the journal replay from the
//! base's `applied_seq` restores what it held.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::run::{Run, RunWriter};
use super::tier::{T, Tier};
use super::{Db, SCHEMA, db_err};
use crate::error::{Error, IoContext, Result};

/// A generation: its number, its delta set (0 or 1) and the tiers of every tree.
pub(super) struct Gen {
    pub(super) number: u64,
    pub(super) set: u8,
    tiers: Vec<Tier>,
}

impl Gen {
    pub(super) fn tier(&self, t: T) -> &Tier {
        &self.tiers[t as usize]
    }
}

const POINTER: &str = "CURRENT";
const MARKER: &str = "DELTA";

fn runs_dir(index: &Path, number: u64) -> PathBuf {
    index.join(format!("runs-{number:06}"))
}

fn set_key(set: u8) -> String {
    format!("set{set}")
}

fn delta_tree(db: &sled::Db, set: u8, t: T) -> Result<sled::Tree> {
    db.open_tree(format!("{set}:{}", t.name())).map_err(db_err)
}

/// Whether the marker says generation `number`'s delta (of this layout) is empty.
pub(super) fn marked_empty(index: &Path, number: u64) -> bool {
    let Ok(text) = fs::read_to_string(index.join(MARKER)) else {
        return false;
    };
    let expected = format!("{SCHEMA} {number} empty");
    text.trim() == expected
}

/// Replace the marker: generation `number`'s delta is `empty` or not (see the module docs).
pub(super) fn write_marker(index: &Path, number: u64, empty: bool) -> Result<()> {
    let state = if empty { "empty" } else { "dirty" };
    replace(index, MARKER, &format!("{SCHEMA} {number} {state}\n"))
}

/// `(generation, delta set)` from `CURRENT`, or `None` when there is none.
pub(super) fn read_pointer(index: &Path) -> Result<Option<(u64, u8)>> {
    let path = index.join(POINTER);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at(&path),
    };
    let mut parts = text.split_whitespace();
    match (
        parts.next().and_then(|n| n.parse().ok()),
        parts.next().and_then(|s| s.parse().ok()),
    ) {
        (Some(n), Some(s)) if s < 2 => Ok(Some((n, s))),
        _ => Err(Error::Db(format!("{} is damaged", path.display()))),
    }
}

fn write_pointer(index: &Path, number: u64, set: u8) -> Result<()> {
    replace(index, POINTER, &format!("{number} {set}\n"))
}

/// Replace `index/name` with `text` atomically and durably (temp file, fsync, rename, fsync
/// of the folder).
fn replace(index: &Path, name: &str, text: &str) -> Result<()> {
    let tmp = index.join(format!("{name}.tmp"));
    let path = index.join(name);
    {
        let mut f = fs::File::create(&tmp).at(&tmp)?;
        std::io::Write::write_all(&mut f, text.as_bytes()).at(&tmp)?;
        f.sync_all().at(&tmp)?;
    }
    fs::rename(&tmp, &path).at(&path)?;
    sync_dir(index)
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|d| d.sync_all()).at(dir)
}

/// Load generation `number` with delta set `set`: its runs and delta trees. A delta set not
/// stamped with this generation is stale or lost and is cleared (see the module docs).
pub(super) fn load(
    db: &sled::Db,
    meta: &sled::Tree,
    index: &Path,
    number: u64,
    set: u8,
) -> Result<Gen> {
    let stamp = meta.get(set_key(set)).map_err(db_err)?;
    let fresh = stamp.as_deref() != Some(number.to_be_bytes().as_slice());
    let dir = runs_dir(index, number);
    let mut tiers = Vec::with_capacity(T::ALL.len());
    for t in T::ALL {
        let delta = delta_tree(db, set, t)?;
        if fresh {
            delta.clear().map_err(db_err)?;
        }
        let base = Arc::new(Run::open(&dir.join(format!("{}.run", t.name())))?);
        tiers.push(Tier {
            delta: Some(delta),
            base,
        });
    }
    if fresh {
        meta.insert(set_key(set), &number.to_be_bytes())
            .map_err(db_err)?;
    }
    Ok(Gen { number, set, tiers })
}

/// Load generation `number` from its runs alone, without a delta: only when the marker says
/// its delta is empty.
pub(super) fn load_runs(index: &Path, number: u64, set: u8) -> Result<Gen> {
    let dir = runs_dir(index, number);
    let mut tiers = Vec::with_capacity(T::ALL.len());
    for t in T::ALL {
        let base = Arc::new(Run::open(&dir.join(format!("{}.run", t.name())))?);
        tiers.push(Tier { delta: None, base });
    }
    Ok(Gen { number, set, tiers })
}

/// What fills a tree's run in a new generation.
pub(super) type Fill<'a> = dyn FnMut(T, &mut RunWriter) -> Result<()> + 'a;

/// Make generation `number` on delta set `set`: clear and stamp the set, then write a run per
/// tree as `fill` fills it, fsynced. `CURRENT` is not touched.
pub(super) fn write(
    db: &sled::Db,
    meta: &sled::Tree,
    index: &Path,
    number: u64,
    set: u8,
    fill: &mut Fill,
) -> Result<Gen> {
    for t in T::ALL {
        delta_tree(db, set, t)?.clear().map_err(db_err)?;
    }
    meta.insert(set_key(set), &number.to_be_bytes())
        .map_err(db_err)?;
    db.flush().map_err(db_err)?;
    let dir = runs_dir(index, number);
    if dir.exists() {
        fs::remove_dir_all(&dir).at(&dir)?;
    }
    fs::create_dir_all(&dir).at(&dir)?;
    for t in T::ALL {
        let mut w = RunWriter::create(&dir.join(format!("{}.run", t.name())))?;
        fill(t, &mut w)?;
        w.finish()?;
    }
    sync_dir(&dir)?;
    load(db, meta, index, number, set)
}

impl Db {
    /// Merge the base and the delta into the runs of a new generation with an empty delta
    /// (or, with `empty`, start a new generation with nothing in it), switch to it and delete
    /// the old runs. Run by the writer, between transactions.
    pub(super) fn next_generation(&self, empty: bool) -> Result<()> {
        let old = self.current();
        self.switch(&mut |t, w| {
            if !empty {
                for kv in old.tier(t).iter()? {
                    let (k, v) = kv?;
                    w.push(&k, Some(&v))?;
                }
            }
            Ok(())
        })
    }

    /// Write the next generation's runs as `fill` fills them, with an empty delta, switch to
    /// it and delete the old runs.
    pub(super) fn switch(&self, fill: &mut Fill) -> Result<()> {
        let s = &self.shared;
        let old = self.current();
        let (number, set) = (old.number + 1, 1 - old.set);
        remove_other_runs(&s.dir, old.number)?;
        let (db, meta) = self.sled()?;
        let new = write(db, meta, &s.dir, number, set, fill)?;
        write_pointer(&s.dir, number, set)?;
        write_marker(&s.dir, number, true)?;
        *s.current.write().map_err(|_| poisoned())? = Arc::new(new);
        s.delta_events
            .store(0, std::sync::atomic::Ordering::Relaxed);
        s.marked_dirty
            .store(false, std::sync::atomic::Ordering::SeqCst);
        drop(old);
        remove_other_runs(&s.dir, number)
    }
}

/// Create the first generation of a new index (no runs' entries, delta set 0).
pub(super) fn create(db: &sled::Db, meta: &sled::Tree, index: &Path) -> Result<Gen> {
    let g = write(db, meta, index, 1, 0, &mut |_, _| Ok(()))?;
    write_pointer(index, 1, 0)?;
    write_marker(index, 1, true)?;
    Ok(g)
}

pub(super) fn poisoned() -> Error {
    Error::Db("an earlier index compaction failed; open the store again".into())
}

/// Delete every `runs-*` folder but generation `keep`'s (old ones, or one a crash left).
fn remove_other_runs(index: &Path, keep: u64) -> Result<()> {
    let keep = runs_dir(index, keep);
    for e in fs::read_dir(index).at(index)? {
        let path = e.at(index)?.path();
        let is_runs = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("runs-"));
        if is_runs && path != keep {
            fs::remove_dir_all(&path).at(&path)?;
        }
    }
    Ok(())
}
