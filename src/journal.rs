//! The append-only journal: the store's truth. One line per event,
//! `{"sum":"<16 hex>","event":{…}}\n`, where `sum` is the first 8 bytes of blake3 over the
//! exact bytes of the `event` JSON as written. Appends are fsynced before a command reports
//! success.
//!
//! Knows nothing of sled or blobs. A torn last line (a crash mid-append) is detected by its
//! checksum or missing newline and dropped with a warning; a bad line anywhere else is
//! corruption and is refused, never skipped.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, IoContext, Result};
use crate::model::Event;

const PREFIX: &[u8] = br#"{"sum":""#;
const MIDDLE: &[u8] = br#"","event":"#;
const SUM_HEX: usize = 16;

/// Where an index said its replay should start (`offset`, event `expect`), the journal has no
/// such event: the index does not belong to this journal and is rebuilt
/// (an [`Error::Db`], which `Library::open` answers by rebuilding; damage inside the journal
/// is [`Error::Corrupt`], which it does not).
fn misfit(offset: u64, expect: u64) -> Error {
    Error::Db(format!(
        "the index stops at byte {offset} of the journal, where event {expect} does not start"
    ))
}

/// Where one event's line lies in the journal: from `start` (its first byte) to `end` (just
/// past its newline). The index keeps spans rather than copies of whole events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the line's first byte.
    pub start: u64,
    /// Byte offset just past the line's newline.
    pub end: u64,
}

/// An open journal file.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Byte length of the valid part of the file.
    len: u64,
    /// Sequence number of the last valid event (0 when empty).
    last_seq: u64,
    writable: bool,
}

/// Events read from a journal, with anything that had to be dropped.
#[derive(Debug, Default)]
pub struct Tail {
    /// `(where the event's line lies, event)`, in order.
    pub events: Vec<(Span, Event)>,
    /// Warnings, e.g. a torn last record.
    pub warnings: Vec<String>,
}

impl Journal {
    /// Open (creating if `writable`) the journal at `path`.
    pub fn open(path: impl Into<PathBuf>, writable: bool) -> Result<Journal> {
        let path = path.into();
        let file = if writable {
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&path)
        } else {
            File::open(&path)
        }
        .at(&path)?;
        Ok(Journal {
            path,
            file,
            len: 0,
            last_seq: 0,
            writable,
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read every valid event from byte `offset` on, whose first event must be `first_seq`.
    /// Afterwards appends continue from the last valid event; a torn tail is cut off first
    /// when the journal is writable. Holds every event in memory: for a whole journal, use
    /// [`Journal::replay_from`].
    pub fn read_from(&mut self, offset: u64, first_seq: u64) -> Result<Tail> {
        let mut events = Vec::new();
        let warnings = self.replay_from(offset, first_seq, |chunk| {
            events.extend_from_slice(chunk);
            Ok(())
        })?;
        Ok(Tail { events, warnings })
    }

    /// As [`Journal::read_from`], but streaming: `apply` gets the events a few thousand at a
    /// time, as `(where the event's line lies, event)`, so replaying a journal of
    /// any length takes the memory of one chunk. Returns the warnings. On a damaged record
    /// the chunks before it have been applied and the error is returned.
    pub fn replay_from(
        &mut self,
        offset: u64,
        first_seq: u64,
        mut apply: impl FnMut(&[(Span, Event)]) -> Result<()>,
    ) -> Result<Vec<String>> {
        const CHUNK: usize = 4096;
        let file_len = self.file.metadata().at(&self.path)?.len();
        self.file.seek(SeekFrom::Start(offset)).at(&self.path)?;
        let mut reader = BufReader::with_capacity(1 << 20, &self.file);
        let mut warnings = Vec::new();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut line = Vec::new();
        let mut pos = offset;
        let mut expect = first_seq;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).at(&self.path)?;
            if n == 0 {
                break;
            }
            let complete = line.last() == Some(&b'\n');
            let parsed = if complete {
                decode_line(&line[..n - 1])
            } else {
                Err("the last record has no line end".to_string())
            };
            match parsed {
                Ok(event) if event.seq == expect => {
                    let start = pos;
                    pos += n as u64;
                    chunk.push((Span { start, end: pos }, event));
                    expect += 1;
                    if chunk.len() == CHUNK {
                        apply(&chunk)?;
                        chunk.clear();
                    }
                }
                Ok(event) => {
                    if pos == offset && offset > 0 {
                        return Err(misfit(offset, expect));
                    }
                    return Err(Error::Corrupt(format!(
                        "{}: event {} found where event {expect} was expected at byte {pos}; \
                         restore journal.jsonl from a backup (the events before byte {pos} \
                         are sound)",
                        self.path.display(),
                        event.seq,
                    )));
                }
                Err(why) => {
                    let is_last = !complete || reader.fill_buf().at(&self.path)?.is_empty();
                    if !is_last && pos == offset && offset > 0 {
                        return Err(misfit(offset, expect));
                    }
                    if !is_last {
                        return Err(Error::Corrupt(format!(
                            "{}: record {expect} at byte {pos} is damaged ({why}) and records \
                             follow it; restore journal.jsonl from a backup (the events before \
                             byte {pos} are sound)",
                            self.path.display(),
                        )));
                    }
                    warnings.push(format!(
                        "{}: dropped a torn last record at byte {pos} ({why}); it was never \
                         reported as saved",
                        self.path.display(),
                    ));
                    break;
                }
            }
        }
        if !chunk.is_empty() {
            apply(&chunk)?;
        }
        self.len = pos;
        self.last_seq = expect - 1;
        if self.writable && self.len < file_len {
            self.file.set_len(self.len).at(&self.path)?;
            self.file.sync_all().at(&self.path)?;
        }
        Ok(warnings)
    }

    /// Sequence number of the last valid event read or appended.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Byte length of the valid journal.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the journal holds no events.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append events (their `seq` must continue the journal) and fsync once. Returns where
    /// each event's line lies.
    pub fn append(&mut self, events: &[Event]) -> Result<Vec<Span>> {
        if !self.writable {
            return Err(Error::InvalidInput(
                "the journal was opened read-only".into(),
            ));
        }
        let mut out = Vec::with_capacity(events.len() * 512);
        let mut ends = Vec::with_capacity(events.len());
        let mut seq = self.last_seq;
        for e in events {
            seq += 1;
            if e.seq != seq {
                return Err(Error::Corrupt(format!(
                    "event {} appended where {seq} was due",
                    e.seq
                )));
            }
            let start = self.len + out.len() as u64;
            encode_line(e, &mut out)?;
            ends.push(Span {
                start,
                end: self.len + out.len() as u64,
            });
        }
        self.file.write_all(&out).at(&self.path)?;
        self.file.sync_data().at(&self.path)?;
        self.len += out.len() as u64;
        self.last_seq = seq;
        Ok(ends)
    }
}

/// Reads single events where the index says they lie, from any thread (positioned reads on
/// one shared file handle). Cloning is cheap.
#[derive(Debug, Clone)]
pub struct EventReader {
    path: Arc<PathBuf>,
    file: Arc<File>,
}

/// The longest line [`EventReader::read`] accepts: a span longer than this is damage.
const MAX_LINE: u64 = 64 << 20;

impl EventReader {
    /// Open the journal at `path` for reading single events.
    pub fn open(path: &Path) -> Result<EventReader> {
        let file = File::open(path).at(path)?;
        Ok(EventReader {
            path: Arc::new(path.to_path_buf()),
            file: Arc::new(file),
        })
    }

    /// The event whose line lies at `span`, its checksum checked.
    ///
    /// # Errors
    /// [`Error::Db`] when the bytes there are not one whole, sound event: the index does not
    /// fit the journal (`byline reindex` rebuilds it).
    pub fn read(&self, span: Span) -> Result<Event> {
        let len = span.end.saturating_sub(span.start);
        if !(2..=MAX_LINE).contains(&len) {
            return Err(self.misfit(span, "impossible length"));
        }
        let mut line = vec![0; len as usize];
        self.file
            .read_exact_at(&mut line, span.start)
            .map_err(|e| self.misfit(span, &e.to_string()))?;
        if line.pop() != Some(b'\n') {
            return Err(self.misfit(span, "no line end"));
        }
        decode_line(&line).map_err(|why| self.misfit(span, &why))
    }

    fn misfit(&self, span: Span, why: &str) -> Error {
        Error::Db(format!(
            "the index points at bytes {}..{} of {}, which are not an event ({why}); \
             run `byline reindex`",
            span.start,
            span.end,
            self.path.display()
        ))
    }
}

fn checksum(bytes: &[u8]) -> String {
    let h = blake3::hash(bytes);
    h.as_bytes()[..SUM_HEX / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serialise one event as a journal line, newline included.
pub fn encode_line(event: &Event, out: &mut Vec<u8>) -> Result<()> {
    let body = serde_json::to_vec(event)
        .map_err(|e| Error::Corrupt(format!("cannot serialise event {}: {e}", event.seq)))?;
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(checksum(&body).as_bytes());
    out.extend_from_slice(MIDDLE);
    out.extend_from_slice(&body);
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// Parse and check one journal line (without its newline).
pub fn decode_line(line: &[u8]) -> std::result::Result<Event, String> {
    let head = PREFIX.len() + SUM_HEX + MIDDLE.len();
    if line.len() < head + 2
        || !line.starts_with(PREFIX)
        || &line[PREFIX.len() + SUM_HEX..head] != MIDDLE
        || line.last() != Some(&b'}')
    {
        return Err("not a journal record".into());
    }
    let sum = &line[PREFIX.len()..PREFIX.len() + SUM_HEX];
    let body = &line[head..line.len() - 1];
    if checksum(body).as_bytes() != sum {
        return Err("checksum mismatch".into());
    }
    serde_json::from_slice(body).map_err(|e| format!("unreadable event: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::BlobId;
    use crate::model::{Change, FieldChange};

    fn event(seq: u64) -> Event {
        Event {
            seq,
            at: jiff::Timestamp::UNIX_EPOCH,
            by: "test".into(),
            change: Change::FieldsEdited {
                id: BlobId::of(b"x"),
                changes: vec![FieldChange {
                    field: "caption".into(),
                    old: serde_json::Value::Null,
                    new: serde_json::Value::String(format!("caption {seq}")),
                }],
            },
        }
    }

    #[test]
    fn torn_tail_is_dropped_and_cut() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path, true)?;
        j.read_from(0, 1)?;
        j.append(&[event(1), event(2)])?;
        let good_len = j.len();
        drop(j);
        // Simulate a crash halfway through appending event 3.
        let mut line = Vec::new();
        encode_line(&event(3), &mut line)?;
        let mut f = OpenOptions::new().append(true).open(&path).at(&path)?;
        f.write_all(&line[..line.len() / 2]).at(&path)?;
        drop(f);

        let mut j = Journal::open(&path, true)?;
        let tail = j.read_from(0, 1)?;
        assert_eq!(tail.events.len(), 2);
        assert_eq!(tail.warnings.len(), 1);
        assert_eq!(j.len(), good_len);
        j.append(&[event(3)])?;
        let mut j = Journal::open(&path, false)?;
        let tail = j.read_from(0, 1)?;
        assert_eq!(tail.events.len(), 3);
        assert!(tail.warnings.is_empty());
        Ok(())
    }

    #[test]
    fn damage_before_the_end_is_refused() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path, true)?;
        j.read_from(0, 1)?;
        j.append(&[event(1), event(2)])?;
        let mut bytes = std::fs::read(&path).at(&path)?;
        let i = bytes
            .windows(9)
            .position(|w| w == b"caption 1")
            .unwrap_or(0);
        bytes[i] = b'C';
        std::fs::write(&path, &bytes).at(&path)?;
        let mut j = Journal::open(&path, false)?;
        assert!(matches!(j.read_from(0, 1), Err(Error::Corrupt(_))));
        Ok(())
    }

    #[test]
    fn reading_from_an_offset_continues() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path, true)?;
        j.read_from(0, 1)?;
        let ends = j.append(&[event(1), event(2), event(3)])?;
        let mut j = Journal::open(&path, false)?;
        let tail = j.read_from(ends[0].end, 2)?;
        let seqs: Vec<u64> = tail.events.iter().map(|(_, e)| e.seq).collect();
        assert_eq!(seqs, vec![2, 3]);
        assert_eq!(tail.events[1].0, ends[2]);
        // Each span reads back as its event.
        let reader = EventReader::open(&path)?;
        for (span, event) in &tail.events {
            assert_eq!(reader.read(*span)?.seq, event.seq);
        }
        let torn = Span {
            start: ends[1].start + 1,
            end: ends[1].end,
        };
        assert!(matches!(reader.read(torn), Err(Error::Db(_))));
        Ok(())
    }
}
