//! The records of a store — its event log and the index derived from it — as one interface,
//! [`Records`], with two implementations: [`Embedded`] (the fsynced journal file plus the sled
//! index, the default) and [`Postgres`] (an `events` table and index tables written in the
//! same transaction as each event, for several servers on one database).
//!
//! Why one trait for journal and index together: in PostgreSQL the events table *is* the
//! journal, and an index row is only trustworthy because it commits with its event. So the
//! unit both implementations share is "commit these events", not "append" then "apply".
//!
//! What every implementation guarantees:
//! - [`Records::commit`] is all or nothing, and what it returns is durable when it returns.
//!   It numbers the events itself (the `seq` given is provisional): increasing, in the order
//!   the events of one photo were committed. A use's ledger number is its event's number.
//!   The file journal has no gaps; PostgreSQL's sequence may skip numbers a rolled-back
//!   transaction took.
//! - A `PhotoAdded` for bytes another writer stored first (at the same moment) is dropped and
//!   reported in [`Committed::duplicates`], never stored twice.
//! - An edit made against a revision that is no longer current fails the whole commit with
//!   [`Error::Conflict`](crate::Error::Conflict).
//! - Reads see whole commits. Pages are keyset pages (`added_at`, then the order the photos
//!   were added; a use's ledger number), read as they are iterated: a page costs the same on
//!   a store of any size, and nothing long is collected and sorted.
//! - [`Records::reindex`] rebuilds every index from the events alone.
//!
//! This module stores records; it never touches blobs. `library` is still the only
//! coordinator: it decides what to commit and when blobs are published.

mod embedded;
mod postgres;

pub use embedded::Embedded;
pub use postgres::{Changed, OnChange, Postgres, Server, Watch, has_password, redact};

use crate::db::{After, Query};
use crate::error::Result;
use crate::id::BlobId;
use crate::model::{Event, Photo, Rendition, Token, Use};

/// Photos, read one at a time as the iterator is advanced.
pub type PhotoPages = Box<dyn Iterator<Item = Result<Photo>> + Send>;

/// Uses, in ledger order, read one at a time.
pub type UsePages<'a> = Box<dyn Iterator<Item = Result<Use>> + Send + 'a>;

/// Every photo with its uses (in ledger order), read one photo at a time.
pub type PhotosWithUses<'a> = Box<dyn Iterator<Item = Result<(Photo, Vec<Use>)>> + Send + 'a>;

/// Called on each event replayed into a rebuilt index; returns a replacement when the event
/// should be indexed differently (`library` gives old photos their crop fingerprints). A
/// rebuild of the embedded index keeps what it returns for an added photo's crop
/// fingerprints in a cache beside the journal and asks again only on a miss.
pub type Fill<'a> = dyn Fn(&Event) -> Option<Event> + Sync + 'a;

/// What [`Records::commit`] stored.
#[derive(Debug, Default)]
pub struct Committed {
    /// The events as stored, numbered, in order.
    pub events: Vec<Event>,
    /// Photos staged as new whose bytes another writer stored first: their `PhotoAdded`
    /// was dropped (the caller reports them as duplicates).
    pub duplicates: Vec<BlobId>,
}

/// A store's events and the index derived from them. Reads take `&self` and may run on any
/// thread while one writer commits.
pub trait Records: Send + Sync {
    /// Commit `events` as one unit, provided each `(photo, revision)` of `expect` is still
    /// that photo's current revision.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) when an expected revision is stale;
    /// nothing is stored then.
    fn commit(&self, events: Vec<Event>, expect: &[(BlobId, u64)]) -> Result<Committed>;

    /// The number the next event would get if committed now by this process (a provisional
    /// number for staged events; [`Records::commit`] gives the final one).
    fn next_seq(&self) -> Result<u64>;

    /// Throw the index away and rebuild it from the events. Returns warnings.
    fn reindex(&self, fill: &Fill) -> Result<Vec<String>>;

    /// Check that every event about a photo is in that photo's indexed history and that the
    /// index has applied every event; each mismatch is passed to `mismatch`.
    fn check_events(&self, mismatch: &mut dyn FnMut(String)) -> Result<()>;

    /// Ask the index to write its caches out (not a durability point).
    fn flush(&self) -> Result<()>;

    /// Whether a photo is stored (its record is not read).
    fn has_photo(&self, id: &BlobId) -> Result<bool>;

    /// A photo's current record.
    fn photo(&self, id: &BlobId) -> Result<Option<Photo>>;

    /// Up to `limit` photos whose hex id starts with `prefix` (lower-case hex).
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<BlobId>>;

    /// A photo's events, oldest first.
    fn history(&self, id: &BlobId) -> Result<Vec<Event>>;

    /// Photos matching `q`, oldest first (by `added_at`, then the order they were added),
    /// starting after `after`, one record at a time.
    fn pages(&self, q: &Query, after: Option<After>) -> Result<PhotoPages>;

    /// Every photo, in the order they were added, one record at a time.
    fn all(&self) -> Result<PhotoPages>;

    /// Every photo with its uses (in ledger order), in the order they were added. The
    /// default asks for each photo's uses; an index keyed by photo walks both side by side.
    fn all_with_uses(&self) -> Result<PhotosWithUses<'_>> {
        let photos = self.all()?;
        Ok(Box::new(photos.map(move |p| {
            let p = p?;
            let uses = self.uses(Some(&p.id), None, None)?.collect::<Result<_>>()?;
            Ok((p, uses))
        })))
    }

    /// Number of photos.
    fn len(&self) -> Result<u64>;

    /// Whether no photo is stored.
    fn is_empty(&self) -> Result<bool>;

    /// A rendition by its id (of records sharing these bytes, the first).
    fn rendition(&self, id: &BlobId) -> Result<Option<Rendition>>;

    /// Whether a rendition with these bytes is stored.
    fn has_rendition(&self, id: &BlobId) -> Result<bool>;

    /// Up to `limit` renditions whose hex id starts with `prefix`, one per id.
    fn renditions_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Rendition>>;

    /// A photo's renditions, in id order.
    fn renditions_of(&self, photo: &BlobId) -> Result<Vec<Rendition>>;

    /// Photos whose indexed text has any of `words` (whole words), with how many of them
    /// each has, most first; words in very many photos are passed over.
    fn photos_sharing_words(&self, words: &[String]) -> Result<Vec<(BlobId, usize)>>;

    /// Uses in ledger order, of one photo, of one outlet (case-insensitive), or all, from
    /// just after ledger number `after`.
    fn uses<'a>(
        &'a self,
        photo: Option<&BlobId>,
        outlet: Option<&str>,
        after: Option<u64>,
    ) -> Result<UsePages<'a>>;

    /// The uses of `photo` recorded for one page (`outlet`, case-insensitive, and `url`).
    fn page_uses(&self, photo: &BlobId, outlet: &str, url: &str) -> Result<Vec<Use>>;

    /// Photos whose fingerprint is at most `bits` apart from `fp`, closest first.
    fn similar(&self, fp: u64, bits: u32, limit: usize) -> Result<Vec<(BlobId, u32)>>;

    /// Every live API token.
    fn tokens(&self) -> Result<Vec<Token>>;
}

/// The error for an edit made against `expected` while photo `id` is at `now`.
pub(crate) fn stale(id: &BlobId, expected: u64, now: Option<u64>) -> crate::Error {
    match now {
        Some(now) => crate::Error::Conflict(format!(
            "photo {id} was changed by someone else: the edit was made on revision {expected}, \
             it is now at revision {now}; look at the current record and make the edit again"
        )),
        None => crate::Error::NotFound(format!("no photo with id {id}")),
    }
}

/// Give a staged event its final number; a use's ledger number is its event's number.
fn number(event: &mut Event, seq: u64) {
    event.seq = seq;
    if let crate::model::Change::UseRecorded { usage } = &mut event.change {
        usage.id = seq;
    }
}
