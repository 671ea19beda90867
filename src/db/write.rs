//! Writes to the index: journal events applied in one transaction.

use sled::Transactional;

use super::key::{decode, encode, index_keys, pair, rendition_key};
use super::{Db, Reducer, abort, tx_err};
use crate::error::{Error, Result};
use crate::model::{Change, Event, Photo, Token};

impl Db {
    /// before it; `events` pairs each event with the journal offset just past it.
    pub fn apply(&self, events: &[(u64, Event)], reduce: &Reducer) -> Result<()> {
        let Some((last_offset, last)) = events.last() else {
            return Ok(());
        };
        let all = self.trees();
        all[..]
            .transaction(|t| {
                let [
                    agency,
                    creator,
                    year,
                    word,
                    incomplete,
                    fingerprint,
                    added,
                    meta,
                    photos,
                    history,
                    renditions,
                    rendition_photo,
                    uses,
                    use_photo,
                    tokens,
                ] = t.as_slice()
                else {
                    return Err(abort(Error::Db("the index trees did not open".into())));
                };
                let trees = [agency, creator, year, word, incomplete, fingerprint, added];
                for (_, event) in events {
                    match &event.change {
                        Change::TokenCreated { name, hash, access } => {
                            let token = Token {
                                name: name.clone(),
                                hash: hash.clone(),
                                access: *access,
                                created: event.at,
                            };
                            tokens.insert(name.as_bytes(), encode(&token).map_err(abort)?)?;
                        }
                        Change::TokenRevoked { name } => {
                            tokens.remove(name.as_bytes())?;
                        }
                        Change::RenditionMade { rendition: r } => {
                            let key = rendition_key(r);
                            renditions.insert(key.as_slice(), encode(r).map_err(abort)?)?;
                            rendition_photo.insert(pair(&r.photo, &key), &[])?;
                        }
                        Change::UseRecorded { usage: u } => {
                            uses.insert(&u.id.to_be_bytes(), encode(u).map_err(abort)?)?;
                            use_photo.insert(pair(&u.photo, &u.id.to_be_bytes()), &[])?;
                        }
                        Change::PhotoAdded { .. } | Change::FieldsEdited { .. } => {}
                    }
                    let Some(id) = event.change.photo_id() else {
                        continue;
                    };
                    // Reads inside the transaction see its own earlier writes.
                    let stored = photos.get(id.as_bytes())?;
                    if !event.change.changes_record() {
                        // A rendition or a use: the record and its index keys stay as
                        // they are, so nothing is decoded or re-encoded.
                        if stored.is_none() {
                            return Err(abort(Error::Corrupt(format!(
                                "journal event {} refers to photo {id}, which was never added",
                                event.seq
                            ))));
                        }
                    } else {
                        let before: Option<Photo> = match stored {
                            Some(v) => Some(decode(&v).map_err(abort)?),
                            None => None,
                        };
                        let old_keys = before.as_ref().map(index_keys).unwrap_or_default();
                        let after = reduce(before, event).map_err(abort)?;
                        let new_keys = after.as_ref().map(index_keys).unwrap_or_default();
                        if old_keys != new_keys {
                            for (t, key) in &old_keys {
                                trees[*t].remove(key.as_slice())?;
                            }
                            for (t, key) in new_keys {
                                trees[t].insert(key, &[])?;
                            }
                        }
                        match &after {
                            Some(p) => photos.insert(id.as_bytes(), encode(p).map_err(abort)?)?,
                            None => photos.remove(id.as_bytes())?,
                        };
                    }
                    history.insert(
                        pair(&id, &event.seq.to_be_bytes()),
                        encode(event).map_err(abort)?,
                    )?;
                }
                meta.insert("applied_seq", &last.seq.to_be_bytes())?;
                meta.insert("applied_offset", &last_offset.to_be_bytes())?;
                Ok(())
            })
            .map_err(tx_err)
    }
}
