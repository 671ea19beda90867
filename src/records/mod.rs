//! The records of a store — its event log and the index derived from it — as one interface,
//! [`Records`], with two implementations: [`Embedded`] (the fsynced journal file plus the sled
//! index, the default) and [`Postgres`] (an `events` table and index tables written in the
//! same transaction as each event, for several servers on one database).
//!
//! Why one trait for journal and index together: in PostgreSQL the events table *is* the
//! journal, and an index row is only trustworthy because it commits with its event. So the
//! unit both implementations share is "commit these events", not "append" then "apply".
//!
//! What every implementation guarantees (the tests in `tests/records.rs` hold both to it):
//! - [`Records::commit`] is all or nothing, and the events it returns are durable when it
//!   returns. It numbers the events itself (the `seq` given is ignored): increasing, in the
//!   order the events were committed. The file journal has no gaps; PostgreSQL's sequence
//!   may skip numbers a rolled-back transaction took.
//! - A `PhotoAdded` for bytes already stored (by an earlier commit, earlier in the same
//!   batch, or by another writer at the same moment) is dropped, not an error: the same bytes
//!   added twice give one record, and [`Records::commit`] leaves the dropped event out of what
//!   it returns.
//! - Reads see whole commits, and [`Records::list`] pages by keyset (`added_at`, then the
//!   order the photos were added), so a page costs the same on a store of any size.
//! - [`Records::reindex`] rebuilds every index from the events alone.
//!
//! `library` is still the only coordinator: it decides what to commit and when blobs are
//! published; this module only stores records. (This first slice is not yet wired into
//! `library`, which still drives `journal` and `db` directly; see `src/lib.rs`.)

mod embedded;
mod postgres;

pub use embedded::Embedded;
pub use postgres::Postgres;

use crate::db::{After, Query};
use crate::error::Result;
use crate::id::BlobId;
use crate::model::{Change, Event, Photo};

/// A store's events and the index derived from them.
pub trait Records {
    /// Commit `events` as one unit and return them as stored, numbered, without the
    /// `PhotoAdded` events of photos already stored.
    fn commit(&mut self, events: Vec<Event>) -> Result<Vec<Event>>;

    /// The current record of a photo.
    fn photo(&mut self, id: &BlobId) -> Result<Option<Photo>>;

    /// Every event that changed a photo's record, oldest first.
    fn history(&mut self, id: &BlobId) -> Result<Vec<Event>>;

    /// At most `limit` photos matching `q`, oldest first (by `added_at`, then the order they
    /// were added), starting after the photo `after` names.
    fn list(&mut self, q: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>>;

    /// Number of photos.
    fn len(&mut self) -> Result<u64>;

    /// Every event from `from_seq` on, in order, a chunk at a time (memory of one chunk).
    fn events(
        &mut self,
        from_seq: u64,
        each: &mut dyn FnMut(&[Event]) -> Result<()>,
    ) -> Result<()>;

    /// Throw the index away and rebuild it from the events.
    fn reindex(&mut self) -> Result<()>;
}

/// Drop the `PhotoAdded` events of `events` whose photo `stored` says is already there or that
/// an earlier event of the batch adds.
fn without_duplicates(
    events: Vec<Event>,
    mut stored: impl FnMut(&BlobId) -> Result<bool>,
) -> Result<Vec<Event>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        if let Change::PhotoAdded { photo } = &e.change
            && (!seen.insert(photo.id) || stored(&photo.id)?)
        {
            continue;
        }
        out.push(e);
    }
    Ok(out)
}
