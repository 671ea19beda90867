//! [`Embedded`]: the records of a local store, the fsynced journal file (the truth) plus the
//! sled index that points into it. A commit appends and fsyncs, then applies to sled; an index
//! left behind by a crash is caught up from the journal by `library::recover` on open.

use std::path::Path;

use super::{Records, without_duplicates};
use crate::db::{After, Db, Query};
use crate::edit;
use crate::error::Result;
use crate::id::BlobId;
use crate::journal::{Journal, Span};
use crate::model::{Event, Photo};

/// Events per sled transaction when applying many (a replay): one transaction holds its
/// writes in memory.
const EVENTS_PER_TRANSACTION: usize = 512;

/// The journal file and the sled index of one store, opened to write.
pub struct Embedded {
    journal: Journal,
    db: Db,
}

impl Embedded {
    /// Open (or create) the journal at `journal` and the index at `index`, and bring the
    /// index up to the journal.
    pub fn open(journal: &Path, index: &Path) -> Result<Embedded> {
        let mut journal = Journal::open(journal, true)?;
        let db = Db::open(index, journal.path())?;
        let (seq, offset) = db.applied()?;
        journal.replay_from(offset, seq.saturating_add(1), |events| apply(&db, events))?;
        Ok(Embedded { journal, db })
    }
}

fn apply(db: &Db, events: &[(Span, Event)]) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_TRANSACTION) {
        db.apply(chunk, &edit::apply)?;
    }
    Ok(())
}

impl Records for Embedded {
    fn commit(&mut self, events: Vec<Event>) -> Result<Vec<Event>> {
        let db = &self.db;
        let mut events = without_duplicates(events, |id| db.has_photo(id))?;
        if events.is_empty() {
            return Ok(events);
        }
        let first = self.journal.last_seq() + 1;
        for (seq, e) in (first..).zip(events.iter_mut()) {
            e.seq = seq;
        }
        let spans = self.journal.append(&events)?;
        let applied: Vec<(Span, Event)> = spans.into_iter().zip(events).collect();
        apply(&self.db, &applied)?;
        Ok(applied.into_iter().map(|(_, e)| e).collect())
    }

    fn photo(&mut self, id: &BlobId) -> Result<Option<Photo>> {
        self.db.photo(id)
    }

    fn history(&mut self, id: &BlobId) -> Result<Vec<Event>> {
        self.db.history(id)
    }

    fn list(&mut self, q: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>> {
        self.db.list(q, after, limit)
    }

    fn len(&mut self) -> Result<u64> {
        self.db.len()
    }

    fn events(
        &mut self,
        from_seq: u64,
        each: &mut dyn FnMut(&[Event]) -> Result<()>,
    ) -> Result<()> {
        let mut chunk = Vec::new();
        self.journal.replay_from(0, 1, |events| {
            chunk.clear();
            chunk.extend(
                events
                    .iter()
                    .filter(|(_, e)| e.seq >= from_seq)
                    .map(|(_, e)| e.clone()),
            );
            if chunk.is_empty() {
                Ok(())
            } else {
                each(&chunk)
            }
        })?;
        Ok(())
    }

    fn reindex(&mut self) -> Result<()> {
        self.db.clear()?;
        let db = &self.db;
        self.journal.replay_from(0, 1, |events| apply(db, events))?;
        db.flush()
    }
}
