//! Immutable sorted runs: the base tier of the index, one file per tree, holding the same key
//! and value bytes as the sled trees.
//!
//! A small format of our own rather than a crate: `tantivy-sstable` (the nearest fit) brings
//! tantivy-common, tantivy-fst and tantivy-bitpacker and shapes its API around tantivy's
//! `FileSlice`/`OwnedBytes` and typed values, while all the index needs is ordered byte keys
//! with positioned reads — about two hundred lines.
//!
//! Layout: blocks of about [`BLOCK`] bytes, then the block index, then a 32-byte footer.
//! - An entry: varint bytes shared with the previous key of the block, varint length of the
//!   rest, varint value length + 1 (0 marks a tombstone, kept only in runs that will be merged
//!   again), the rest of the key, the value. The first entry of a block shares nothing.
//! - The block index: per block, varint key length, its last key, offset (u64), length (u32).
//! - The footer: index offset (u64), index length (u64), entries (u64), magic.
//!
//! The block index is read on the first read of the run (a command touches few trees), so
//! opening costs a footer read per tree; a point read then costs one positioned block read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::error::{Error, IoContext, Result};

/// Target size of a block: one positioned read per point lookup.
const BLOCK: usize = 4096;
const MAGIC: &[u8; 8] = b"BYLRUN01";
const FOOTER: u64 = 32;

/// A key with its value, or `None` for a tombstone.
pub(super) type Entry = (Vec<u8>, Option<Vec<u8>>);

/// One immutable run, read with positioned reads (cheap to share between threads).
#[derive(Debug)]
pub(super) struct Run {
    file: File,
    path: PathBuf,
    index_at: u64,
    index_len: u64,
    blocks: OnceLock<Arc<Vec<BlockRef>>>,
}

#[derive(Debug)]
struct BlockRef {
    last: Vec<u8>,
    at: u64,
    len: u32,
}

fn damaged(path: &Path, what: &str) -> Error {
    Error::Db(format!("index run {} is damaged ({what})", path.display()))
}

impl Run {
    /// Open the run at `path`, reading its footer.
    pub(super) fn open(path: &Path) -> Result<Run> {
        let file = File::open(path).at(path)?;
        let size = file.metadata().at(path)?.len();
        if size < FOOTER {
            return Err(damaged(path, "too short"));
        }
        let mut footer = [0; FOOTER as usize];
        file.read_exact_at(&mut footer, size - FOOTER).at(path)?;
        let word =
            |i: usize| u64::from_be_bytes(footer[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let (index_at, index_len) = (word(0), word(1));
        if &footer[24..] != MAGIC || index_at.checked_add(index_len) != Some(size - FOOTER) {
            return Err(damaged(path, "bad footer"));
        }
        Ok(Run {
            file,
            path: path.to_path_buf(),
            index_at,
            index_len,
            blocks: OnceLock::new(),
        })
    }

    fn blocks(&self) -> Result<Arc<Vec<BlockRef>>> {
        if let Some(b) = self.blocks.get() {
            return Ok(b.clone());
        }
        let len = usize::try_from(self.index_len).map_err(|_| damaged(&self.path, "index"))?;
        let mut buf = vec![0; len];
        self.file
            .read_exact_at(&mut buf, self.index_at)
            .at(&self.path)?;
        let mut out = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let klen = varint(&buf, &mut at).ok_or_else(|| damaged(&self.path, "index"))?;
            let end = usize::try_from(klen).ok().and_then(|k| at.checked_add(k));
            let parts = end.and_then(|end| Some((buf.get(at..end)?, buf.get(end..end + 12)?)));
            let Some((last, tail)) = parts else {
                return Err(damaged(&self.path, "index"));
            };
            let block = BlockRef {
                last: last.to_vec(),
                at: u64::from_be_bytes(tail[..8].try_into().unwrap_or([0; 8])),
                len: u32::from_be_bytes(tail[8..].try_into().unwrap_or([0; 4])),
            };
            // A block lies before the index: a damaged length never becomes a huge read.
            if block.at.checked_add(u64::from(block.len)) > Some(self.index_at) {
                return Err(damaged(&self.path, "index"));
            }
            out.push(block);
            at += last.len() + 12;
        }
        Ok(self.blocks.get_or_init(|| Arc::new(out)).clone())
    }

    /// A block's encoded bytes (its place was checked against the file by [`Run::blocks`]).
    fn read_block(&self, b: &BlockRef) -> Result<Vec<u8>> {
        let mut buf = vec![0; b.len as usize];
        self.file.read_exact_at(&mut buf, b.at).at(&self.path)?;
        Ok(buf)
    }

    fn block(&self, b: &BlockRef) -> Result<Vec<Entry>> {
        decode_block(&self.read_block(b)?).ok_or_else(|| damaged(&self.path, "block"))
    }

    /// The entry at `key`: `Some(None)` for a tombstone, `None` when the run lacks it.
    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Option<Vec<u8>>>> {
        let blocks = self.blocks()?;
        let i = blocks.partition_point(|b| b.last.as_slice() < key);
        let Some(b) = blocks.get(i) else {
            return Ok(None);
        };
        find_in_block(&self.read_block(b)?, key).ok_or_else(|| damaged(&self.path, "block"))
    }

    /// The entries from `start` on, in key order, tombstones included.
    pub(super) fn range_from(self: &Arc<Run>, start: &[u8]) -> Result<RunIter> {
        let blocks = self.blocks()?;
        let next = blocks.partition_point(|b| b.last.as_slice() < start);
        Ok(RunIter {
            run: self.clone(),
            blocks,
            next,
            entries: Vec::new().into_iter(),
            start: Some(start.to_vec()),
        })
    }
}

/// Entries of a run in key order, a block at a time.
pub(super) struct RunIter {
    run: Arc<Run>,
    blocks: Arc<Vec<BlockRef>>,
    next: usize,
    entries: std::vec::IntoIter<Entry>,
    /// Entries before this key are skipped (only in the first block read).
    start: Option<Vec<u8>>,
}

impl Iterator for RunIter {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(e) = self.entries.next() {
                return Some(Ok(e));
            }
            let b = self.blocks.get(self.next)?;
            self.next += 1;
            match self.run.block(b) {
                Ok(mut entries) => {
                    if let Some(start) = self.start.take() {
                        entries.retain(|(k, _)| *k >= start);
                    }
                    self.entries = entries.into_iter();
                }
                Err(e) => {
                    self.next = self.blocks.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

fn decode_block(buf: &[u8]) -> Option<Vec<Entry>> {
    let mut out: Vec<Entry> = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let shared = varint(buf, &mut at)? as usize;
        let rest = varint(buf, &mut at)? as usize;
        let vlen = varint(buf, &mut at)? as usize;
        let mut key = match out.last() {
            Some((k, _)) => k.get(..shared)?.to_vec(),
            None if shared == 0 => Vec::new(),
            None => return None,
        };
        key.extend_from_slice(buf.get(at..at.checked_add(rest)?)?);
        at += rest;
        let value = match vlen {
            0 => None,
            n => {
                let v = buf.get(at..at.checked_add(n - 1)?)?.to_vec();
                at += n - 1;
                Some(v)
            }
        };
        out.push((key, value));
    }
    Some(out)
}

/// The entry at `key` in an encoded block (`Some(None)`: not there), decoding key by key into
/// one buffer and stopping at the first larger key. `None` when the block is damaged.
#[allow(clippy::option_option)]
fn find_in_block(buf: &[u8], key: &[u8]) -> Option<Option<Option<Vec<u8>>>> {
    let mut at = 0;
    let mut current: Vec<u8> = Vec::new();
    while at < buf.len() {
        let shared = varint(buf, &mut at)? as usize;
        let rest = varint(buf, &mut at)? as usize;
        let vlen = varint(buf, &mut at)? as usize;
        if shared > current.len() {
            return None;
        }
        current.truncate(shared);
        current.extend_from_slice(buf.get(at..at.checked_add(rest)?)?);
        at += rest;
        let value = buf.get(at..at.checked_add(vlen.saturating_sub(1))?)?;
        at += vlen.saturating_sub(1);
        match current.as_slice().cmp(key) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return Some(Some((vlen > 0).then(|| value.to_vec()))),
            std::cmp::Ordering::Greater => return Some(None),
        }
    }
    Some(None)
}

fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes a run: entries in strictly increasing key order, then [`RunWriter::finish`].
pub(super) struct RunWriter {
    out: BufWriter<File>,
    path: PathBuf,
    at: u64,
    block: Vec<u8>,
    last: Vec<u8>,
    in_block: usize,
    index: Vec<u8>,
    entries: u64,
}

impl RunWriter {
    /// Create the run file at `path` (it must not exist).
    pub(super) fn create(path: &Path) -> Result<RunWriter> {
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(path)
            .at(path)?;
        Ok(RunWriter {
            out: BufWriter::with_capacity(1 << 16, file),
            path: path.to_path_buf(),
            at: 0,
            block: Vec::with_capacity(BLOCK * 2),
            last: Vec::new(),
            in_block: 0,
            index: Vec::new(),
            entries: 0,
        })
    }

    /// Append an entry (`None`: a tombstone). Keys must come in increasing order.
    pub(super) fn push(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<()> {
        if self.entries > 0 && key <= self.last.as_slice() {
            return Err(Error::Db(format!(
                "index run {}: keys out of order",
                self.path.display()
            )));
        }
        let shared = match self.in_block {
            0 => 0,
            _ => key
                .iter()
                .zip(&self.last)
                .take_while(|(a, b)| a == b)
                .count(),
        };
        put_varint(&mut self.block, shared as u64);
        put_varint(&mut self.block, (key.len() - shared) as u64);
        put_varint(&mut self.block, value.map_or(0, |v| v.len() as u64 + 1));
        self.block.extend_from_slice(&key[shared..]);
        if let Some(v) = value {
            self.block.extend_from_slice(v);
        }
        self.last.clear();
        self.last.extend_from_slice(key);
        self.in_block += 1;
        self.entries += 1;
        if self.block.len() >= BLOCK {
            self.end_block()?;
        }
        Ok(())
    }

    fn end_block(&mut self) -> Result<()> {
        if self.in_block == 0 {
            return Ok(());
        }
        self.out.write_all(&self.block).at(&self.path)?;
        put_varint(&mut self.index, self.last.len() as u64);
        self.index.extend_from_slice(&self.last);
        self.index.extend_from_slice(&self.at.to_be_bytes());
        self.index
            .extend_from_slice(&(self.block.len() as u32).to_be_bytes());
        self.at += self.block.len() as u64;
        self.block.clear();
        self.in_block = 0;
        Ok(())
    }

    /// Write the block index and footer and fsync the file. Returns the number of entries.
    pub(super) fn finish(mut self) -> Result<u64> {
        self.end_block()?;
        let index = std::mem::take(&mut self.index);
        self.out.write_all(&index).at(&self.path)?;
        let mut footer = Vec::with_capacity(FOOTER as usize);
        footer.extend_from_slice(&self.at.to_be_bytes());
        footer.extend_from_slice(&(index.len() as u64).to_be_bytes());
        footer.extend_from_slice(&self.entries.to_be_bytes());
        footer.extend_from_slice(MAGIC);
        self.out.write_all(&footer).at(&self.path)?;
        let file = self
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .at(&self.path)?;
        file.sync_all().at(&self.path)?;
        Ok(self.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> Vec<u8> {
        format!("key{:08}", i * 3).into_bytes()
    }

    #[test]
    fn a_run_reads_back_point_and_range_across_blocks_with_tombstones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.run");
        let mut w = RunWriter::create(&path).expect("create");
        for i in 0..5000u32 {
            let v = i.to_be_bytes().repeat((i % 5) as usize);
            w.push(&key(i), (i % 7 != 0).then_some(v.as_slice()))
                .expect("push");
        }
        assert!(w.push(&key(1), Some(b"x")).is_err(), "out of order");
        assert_eq!(w.finish().expect("finish"), 5000);
        let run = Arc::new(Run::open(&path).expect("open"));
        assert!(run.blocks().expect("blocks").len() > 10, "several blocks");
        for i in [0u32, 1, 7, 2500, 4999] {
            let want = (i % 7 != 0).then(|| i.to_be_bytes().repeat((i % 5) as usize));
            assert_eq!(run.get(&key(i)).expect("get"), Some(want));
        }
        assert_eq!(run.get(b"key00000001").expect("get"), None);
        assert_eq!(run.get(b"zzz").expect("get"), None);
        let from: Vec<Entry> = run
            .range_from(b"key00003000")
            .expect("range")
            .collect::<Result<_>>()
            .expect("read");
        assert_eq!(from.len(), 4000);
        assert_eq!(from[0].0, key(1000));
        assert_eq!(from.last().map(|e| e.0.clone()), Some(key(4999)));
        assert!(from.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn an_empty_run_and_a_truncated_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e.run");
        RunWriter::create(&path)
            .expect("create")
            .finish()
            .expect("finish");
        let run = Arc::new(Run::open(&path).expect("open"));
        assert_eq!(run.get(b"a").expect("get"), None);
        assert_eq!(run.range_from(b"").expect("range").count(), 0);
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 3]).expect("write");
        assert!(matches!(Run::open(&path), Err(Error::Db(_))));
    }

    #[test]
    fn damaged_lengths_are_errors_not_panics_or_huge_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.run");
        let mut w = RunWriter::create(&path).expect("create");
        for i in 0..100u32 {
            w.push(&key(i), Some(b"value")).expect("push");
        }
        w.finish().expect("finish");
        let good = std::fs::read(&path).expect("read");
        let size = good.len();
        let index_at = u64::from_be_bytes(good[size - 32..size - 24].try_into().expect("8"));
        let index_at = usize::try_from(index_at).expect("small");
        // The first block's length in the index (after its key) set to u32::MAX.
        let mut bad = good.clone();
        let mut at = index_at;
        let klen = usize::try_from(varint(&bad, &mut at).expect("varint")).expect("small");
        bad[at + klen + 8..at + klen + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        std::fs::write(&path, &bad).expect("write");
        let run = Run::open(&path).expect("the footer is whole");
        assert!(matches!(run.get(&key(0)), Err(Error::Db(_))));
        // A key length in the first block that runs past every buffer.
        let mut bad = good;
        bad[1..11].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        std::fs::write(&path, &bad).expect("write");
        let run = Arc::new(Run::open(&path).expect("the footer is whole"));
        assert!(matches!(run.get(&key(0)), Err(Error::Db(_))));
        assert!(run.range_from(b"").expect("range").any(|e| e.is_err()));
    }
}
