//! Writes to the index: journal events applied in one transaction.

use sled::Transactional;

use super::key::{
    Index, Pn, Stored, damaged, encode, index_keys, named_number, page_use, pair, record_bytes,
    record_from, rendition_key, span_bytes, u64_at,
};
use super::tier::{Layer, On, T, TxLayers};
use super::{Db, Reducer, abort, prints, tx_err};
use crate::error::{Error, Result};
use crate::journal::Span;
use crate::model::{Change, Event, Photo};

type TxResult<T> = std::result::Result<T, sled::transaction::ConflictableTransactionError<Error>>;

impl Db {
    /// Apply journal events in one transaction on the delta: records, history, indexes and
    /// `applied_*` change together or not at all. `reduce` gives the record after an event from
    /// the record before it; `events` pairs each event with where its journal line lies.
    pub fn apply(&self, events: &[(Span, Event)], reduce: &Reducer) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let g = self.current();
        self.sled()?;
        let deltas = T::ALL
            .iter()
            .map(|t| g.tier(*t).delta.as_ref())
            .collect::<Option<Vec<&sled::Tree>>>()
            .ok_or_else(|| Error::Db("an index tree has no delta".into()))?;
        // Before anything can reach the delta: a crash past here must not leave a marker that
        // lets a reader skip it.
        self.mark_dirty(g.number)?;
        deltas[..]
            .transaction(|tx| {
                let layers = TxLayers {
                    tiers: tx
                        .iter()
                        .zip(T::ALL)
                        .map(|(tx, t)| (tx, &*g.tier(t).base))
                        .collect(),
                };
                self.apply_events(&layers, events, reduce)
            })
            .map_err(tx_err)?;
        self.shared
            .delta_events
            .fetch_add(events.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The writes of `events` on `l`: the delta in a sled transaction, or a bulk build.
    pub(super) fn apply_events(
        &self,
        l: &dyn Layer,
        events: &[(Span, Event)],
        reduce: &Reducer,
    ) -> TxResult<()> {
        let Some((last_span, last)) = events.last() else {
            return Ok(());
        };
        let at = |t: T| On { l, t };
        let (meta, ids, photos, history) = (at(T::Meta), at(T::Ids), at(T::Photos), at(T::History));
        let (renditions, rendition_photo, tokens, fingerprint) = (
            at(T::Renditions),
            at(T::RenditionPhoto),
            at(T::Tokens),
            at(T::Fingerprint),
        );
        let (uses, use_photo, use_outlet, use_page) = (
            at(T::Uses),
            at(T::UsePhoto),
            at(T::UseOutlet),
            at(T::UsePage),
        );
        let index = |i: Index| match i {
            Index::Agency => at(T::Agency),
            Index::Creator => at(T::Creator),
            Index::Year => at(T::Year),
            Index::Word => at(T::Word),
            Index::Incomplete => at(T::Incomplete),
            Index::Added => at(T::Added),
        };
        let mut next_pn = meta_get(meta, "next_pn")?.unwrap_or(1);
        let mut count = meta_get(meta, "photos")?.unwrap_or(0);
        for (span, event) in events {
            match &event.change {
                Change::TokenCreated { name, .. } => {
                    let token = event.change.created_token(event.at);
                    tokens.insert(name.as_bytes(), encode(&token).map_err(abort)?)?;
                }
                Change::TokenRevoked { name } => {
                    tokens.remove(name.as_bytes())?;
                }
                Change::RenditionMade { rendition: r } => {
                    let key = rendition_key(r);
                    renditions.insert(key.as_slice(), encode(r).map_err(abort)?)?;
                    let mut k = r.photo.as_bytes().to_vec();
                    k.extend_from_slice(&key);
                    rendition_photo.insert(k, [])?;
                }
                Change::UseRecorded { .. }
                | Change::PhotoAdded { .. }
                | Change::FieldsEdited { .. } => {}
            }
            let Some(id) = event.change.photo_id() else {
                continue;
            };
            // Reads inside the transaction see its own earlier writes.
            let pn: Pn = match ids.get(id.as_bytes())? {
                Some(v) => u64_at(&v, 0).map_err(abort)?,
                None if matches!(event.change, Change::PhotoAdded { .. }) => {
                    let pn = next_pn;
                    next_pn += 1;
                    count += 1;
                    ids.insert(id.as_bytes(), pn.to_be_bytes())?;
                    pn
                }
                None => {
                    return Err(abort(Error::Corrupt(format!(
                        "journal event {} refers to photo {id}, which was never added",
                        event.seq
                    ))));
                }
            };
            if let Change::UseRecorded { usage: u } = &event.change {
                uses.insert(u.id.to_be_bytes(), span_bytes(*span))?;
                use_photo.insert(pair(pn, u.id), [])?;
                use_outlet.insert(named_number(&u.outlet, u.id), [])?;
                use_page.insert(page_use(pn, &u.outlet, &u.url, u.id), [])?;
            }
            if event.change.changes_record() {
                // A rendition or a use leaves the record and its index keys as they
                // are, so nothing is decoded or re-encoded for it.
                let before = match photos.get(pn.to_be_bytes())? {
                    Some(v) => Some(self.resolve(&v).map_err(abort)?),
                    None => None,
                };
                let old_keys = before
                    .as_ref()
                    .map(|p| index_keys(p, pn))
                    .unwrap_or_default();
                let after = reduce(before, event).map_err(abort)?;
                let new_keys = after
                    .as_ref()
                    .map(|p| index_keys(p, pn))
                    .unwrap_or_default();
                if old_keys != new_keys {
                    for (i, key) in &old_keys {
                        index(*i).remove(key.as_slice())?;
                    }
                    for (i, key) in new_keys {
                        index(i).insert(key, [])?;
                    }
                }
                // Only an add sets the original's fingerprints (an edit never does),
                // so only an add rewrites the photo's entry in its block.
                if let (Change::PhotoAdded { .. }, Some(p)) = (&event.change, &after) {
                    let key = prints::block_key(pn);
                    let old = fingerprint.get(key)?;
                    let block = prints::with_entry(old.as_deref(), pn, &prints::prints_of(p))
                        .map_err(abort)?;
                    match block.is_empty() {
                        true => fingerprint.remove(key)?,
                        false => fingerprint.insert(key, block)?,
                    };
                }
                match after {
                    Some(p) => {
                        let stored = match &event.change {
                            // Unedited: the journal already holds it whole.
                            Change::PhotoAdded { photo } if **photo == p => Stored::Added(*span),
                            _ => Stored::Inline(Box::new(p)),
                        };
                        let v = record_bytes(&id, &stored).map_err(abort)?;
                        photos.insert(pn.to_be_bytes(), v)?;
                    }
                    None => {
                        return Err(abort(Error::Corrupt(format!(
                            "journal event {} leaves photo {id} without a record",
                            event.seq
                        ))));
                    }
                }
            }
            history.insert(pair(pn, event.seq), span_bytes(*span))?;
        }
        meta.insert("next_pn", next_pn.to_be_bytes())?;
        meta.insert("photos", count.to_be_bytes())?;
        meta.insert("applied_seq", last.seq.to_be_bytes())?;
        meta.insert("applied_offset", last_span.end.to_be_bytes())?;
        Ok(())
    }

    /// The record a `photos` value holds (reading the journal when it points there).
    pub(super) fn resolve(&self, v: &[u8]) -> Result<Photo> {
        let (id, stored) = record_from(v)?;
        match stored {
            Stored::Inline(p) => Ok(*p),
            Stored::Added(span) => match self.shared.events.read(span)?.change {
                Change::PhotoAdded { photo } if photo.id == id => Ok(*photo),
                _ => Err(Error::Db(format!(
                    "the index record of {id} points at another journal event; run `byline \
                     reindex`"
                ))),
            },
        }
    }
}

fn meta_get(meta: On, key: &str) -> TxResult<Option<u64>> {
    match meta.get(key.as_bytes())? {
        Some(v) => Ok(Some(u64_at(&v, 0).map_err(|_| abort(damaged()))?)),
        None => Ok(None),
    }
}
