//! The index: sled trees derived from the journal. The only module that touches sled.
//!
//! Nothing here is the truth — every tree can be rebuilt by replaying the journal — so sled's
//! lack of fsync (0.34 `flush` uses `sync_file_range`) loses nothing: `applied_seq` is written in
//! the same transaction as the records it covers, and events past it are replayed on open.
//!
//! Trees and keys (ids are raw 32 bytes, integers big-endian so keys sort):
//! - `meta`: `schema`, `applied_seq` (u64), `applied_offset` (journal byte offset, u64)
//! - `photos`: id → Photo JSON
//! - `history`: id ‖ seq → Event JSON
//! - `idx_added`: order → (), where order = added_at (ns, i128 sign-flipped) ‖ id: the order
//!   `list` answers in, so a page starts with a seek, not a sort
//! - `idx_agency`, `idx_creator`: normalised name ‖ 0 ‖ order → ()
//! - `idx_year`: year (i32, sign-flipped) ‖ order → ()
//! - `idx_word`: word ‖ 0 ‖ order → () (caption, headline, keywords and the other text fields)
//! - `idx_incomplete`: order → ()
//! - `idx_fingerprint`: dHash (u64) ‖ id → ()
//! - `renditions`: rendition key → Rendition JSON, where rendition key = rendition id ‖ photo ‖
//!   spec (max side u32, format u8, quality u8): two presets can give the same bytes (a small
//!   original is never upscaled), and each keeps its own record;
//!   `idx_rendition_photo`: photo ‖ rendition key → ()
//! - `uses`: ledger number (u64) → Use JSON; `idx_use_photo`: photo ‖ ledger number
//! - `tokens`: token name → Token JSON (hashes only)

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Transactional, Tree};

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Change, Event, OutputFormat, Photo, Rendition, Status, Token, Use};

/// Version of the tree layout above; an index of another version is rebuilt on open.
const SCHEMA: u32 = 3;

/// The sled index of a store. Cloning is cheap and gives another handle on the same index
/// (sled is safe to read from many threads while one writes).
#[derive(Clone)]
pub struct Db {
    db: sled::Db,
    meta: Tree,
    photos: Tree,
    history: Tree,
    added: Tree,
    agency: Tree,
    creator: Tree,
    year: Tree,
    word: Tree,
    incomplete: Tree,
    fingerprint: Tree,
    renditions: Tree,
    rendition_photo: Tree,
    uses: Tree,
    use_photo: Tree,
    tokens: Tree,
}

/// Gives the record after an event from the record before it (`edit::apply`).
pub type Reducer = dyn Fn(Option<Photo>, &Event) -> Result<Option<Photo>>;

/// Where a page of [`Db::list`] starts: just after the photo added at this time (ns since
/// the epoch) with this id.
pub type After = (i128, BlobId);

/// Filters for [`Db::list`]; every given filter must match.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Agency name, case-insensitive.
    pub agency: Option<String>,
    /// A creator's full name, case-insensitive.
    pub creator: Option<String>,
    /// The photo's year.
    pub year: Option<i32>,
    /// Words that must all appear (as word prefixes) in the photo's text fields.
    pub text: Option<String>,
    /// Only photos with missing fields.
    pub incomplete: bool,
}

fn db_err(e: sled::Error) -> Error {
    Error::Db(e.to_string())
}

fn abort(e: Error) -> ConflictableTransactionError<Error> {
    ConflictableTransactionError::Abort(e)
}

fn tx_err(e: TransactionError<Error>) -> Error {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => db_err(e),
    }
}

impl Db {
    /// Open (or create) the index at `dir`. Fails with [`Error::Db`] if sled cannot read it;
    /// the caller then rebuilds from the journal.
    pub fn open(dir: &Path) -> Result<Db> {
        let db = sled::Config::new().path(dir).open().map_err(|e| {
            // sled holds its own exclusive file lock; another process has the index open.
            if e.to_string().contains("could not acquire lock") {
                Error::Locked {
                    path: dir.to_path_buf(),
                    holder: "another byline command".into(),
                }
            } else {
                db_err(e)
            }
        })?;
        Db::from_sled(db)
    }

    /// A throw-away index in memory, for tests.
    pub fn temporary() -> Result<Db> {
        let db = sled::Config::new().temporary(true).open().map_err(db_err)?;
        Db::from_sled(db)
    }

    fn from_sled(db: sled::Db) -> Result<Db> {
        let tree = |name: &str| db.open_tree(name).map_err(db_err);
        let out = Db {
            meta: tree("meta")?,
            photos: tree("photos")?,
            history: tree("history")?,
            added: tree("idx_added")?,
            agency: tree("idx_agency")?,
            creator: tree("idx_creator")?,
            year: tree("idx_year")?,
            word: tree("idx_word")?,
            incomplete: tree("idx_incomplete")?,
            fingerprint: tree("idx_fingerprint")?,
            renditions: tree("renditions")?,
            rendition_photo: tree("idx_rendition_photo")?,
            uses: tree("uses")?,
            use_photo: tree("idx_use_photo")?,
            tokens: tree("tokens")?,
            db,
        };
        match out.meta_u64("schema")? {
            None if out.photos.is_empty() => {
                out.meta
                    .insert("schema", &u64::from(SCHEMA).to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v == u64::from(SCHEMA) => {}
            other => {
                let found = other.map_or("none".into(), |v| v.to_string());
                return Err(Error::Db(format!(
                    "it was made by another version of byline (layout {found}; this version \
                     uses {SCHEMA})"
                )));
            }
        }
        Ok(out)
    }

    fn meta_u64(&self, key: &str) -> Result<Option<u64>> {
        let Some(v) = self.meta.get(key).map_err(db_err)? else {
            return Ok(None);
        };
        let bytes: [u8; 8] = v
            .as_ref()
            .try_into()
            .map_err(|_| Error::Db(format!("index meta '{key}' is damaged")))?;
        Ok(Some(u64::from_be_bytes(bytes)))
    }

    /// `(last applied journal seq, journal byte offset just past it)`.
    pub fn applied(&self) -> Result<(u64, u64)> {
        Ok((
            self.meta_u64("applied_seq")?.unwrap_or(0),
            self.meta_u64("applied_offset")?.unwrap_or(0),
        ))
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.photos.len()
    }

    /// Whether the index holds no photos.
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty()
    }

    /// Whether a photo is stored (its record is not read).
    pub fn has_photo(&self, id: &BlobId) -> Result<bool> {
        self.photos.contains_key(id.as_bytes()).map_err(db_err)
    }

    /// A photo's current record.
    pub fn photo(&self, id: &BlobId) -> Result<Option<Photo>> {
        match self.photos.get(id.as_bytes()).map_err(db_err)? {
            Some(v) => decode(&v).map(Some),
            None => Ok(None),
        }
    }

    /// Every photo whose hex id starts with `prefix` (lower-case hex, any length).
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<BlobId>> {
        hex_prefix_scan(&self.photos, prefix, limit)?
            .into_iter()
            .map(|(id, _)| Ok(id))
            .collect()
    }

    /// A photo's events, oldest first.
    pub fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        self.history
            .scan_prefix(id.as_bytes())
            .map(|kv| decode(&kv.map_err(db_err)?.1))
            .collect()
    }

    /// Every photo, in id order.
    pub fn all(&self) -> impl Iterator<Item = Result<Photo>> + '_ {
        self.photos
            .iter()
            .map(|kv| kv.map_err(db_err).and_then(|(_, v)| decode(&v)))
    }

    /// Photos matching `q`, oldest first (by `added_at`, then id), at most `limit` of them,
    /// starting after `after`. Answered from the index trees: only the records returned are
    /// read, so a page costs the same on a store of any size.
    pub fn list(&self, q: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>> {
        let from = match after {
            Some((nanos, id)) => Bound::Excluded(order(nanos, &id)),
            None => Bound::Unbounded,
        };
        let mut sets: Vec<BTreeSet<Order>> = Vec::new();
        if let Some(a) = &q.agency {
            sets.push(self.orders_under(&self.agency, &name_key(a), true)?);
        }
        if let Some(c) = &q.creator {
            sets.push(self.orders_under(&self.creator, &name_key(c), true)?);
        }
        if let Some(y) = q.year {
            sets.push(self.orders_under(&self.year, &year_key(y), false)?);
        }
        if let Some(text) = &q.text {
            for w in words(text) {
                sets.push(self.orders_under(&self.word, w.as_bytes(), false)?);
            }
        }
        if q.incomplete {
            sets.push(self.orders_under(&self.incomplete, b"", false)?);
        }
        let mut out = Vec::new();
        let mut push = |place: &[u8]| -> Result<bool> {
            let id = id_from(place.get(16..).unwrap_or(&[]))?;
            if let Some(p) = self.photo(&id)? {
                out.push(p);
            }
            Ok(out.len() < limit)
        };
        // Walk the smallest set in order, checking the others.
        sets.sort_by_key(BTreeSet::len);
        let mut sets = sets.into_iter();
        match sets.next() {
            None => {
                let from = from.map(|k| k.to_vec());
                for kv in self.added.range((from, Bound::Unbounded)) {
                    if !push(&kv.map_err(db_err)?.0)? {
                        break;
                    }
                }
            }
            Some(first) => {
                let rest: Vec<BTreeSet<Order>> = sets.collect();
                for key in first.range((from, Bound::Unbounded)) {
                    if rest.iter().all(|s| s.contains(key)) && !push(key)? {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Order keys (the key's last 48 bytes) of the keys under `prefix`. With `exact`, the
    /// prefix must be followed by the 0 separator.
    fn orders_under(&self, tree: &Tree, prefix: &[u8], exact: bool) -> Result<BTreeSet<Order>> {
        let mut p = prefix.to_vec();
        if exact {
            p.push(0);
        }
        let mut out = BTreeSet::new();
        for kv in tree.scan_prefix(&p) {
            let (k, _) = kv.map_err(db_err)?;
            let tail = k.get(k.len().saturating_sub(ORDER_LEN)..).unwrap_or(&[]);
            out.insert(
                tail.try_into()
                    .map_err(|_| Error::Db("index key is damaged".into()))?,
            );
        }
        Ok(out)
    }

    /// Apply journal events in one transaction: records, history, indexes and `applied_*`
    /// change together or not at all. `reduce` gives the record after an event from the record
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

    /// A rendition by its id.
    /// (Of the records sharing these bytes, the first: same pixels, size and format.)
    pub fn rendition(&self, id: &BlobId) -> Result<Option<Rendition>> {
        match self.renditions.scan_prefix(id.as_bytes()).next() {
            Some(kv) => decode(&kv.map_err(db_err)?.1).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a rendition with these bytes is stored (no record is read).
    pub fn has_rendition(&self, id: &BlobId) -> Result<bool> {
        Ok(self.renditions.scan_prefix(id.as_bytes()).next().is_some())
    }

    /// Every rendition whose hex id starts with `prefix`.
    pub fn renditions_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Rendition>> {
        hex_prefix_scan(&self.renditions, prefix, limit)?
            .into_iter()
            .map(|(_, v)| decode(&v))
            .collect()
    }

    /// Photos whose indexed text has each of `words` (as word prefixes), with how many of the
    /// words each has, most first: the candidates for a fuzzy caption match.
    pub fn photos_sharing_words(&self, words: &[String]) -> Result<Vec<(BlobId, usize)>> {
        let mut hits: std::collections::BTreeMap<BlobId, usize> = std::collections::BTreeMap::new();
        for w in words {
            for place in self.orders_under(&self.word, w.as_bytes(), true)? {
                *hits.entry(id_from(&place[16..])?).or_default() += 1;
            }
        }
        let mut out: Vec<(BlobId, usize)> = hits.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A photo's renditions, in id order.
    pub fn renditions_of(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        let mut out = Vec::new();
        for kv in self.rendition_photo.scan_prefix(photo.as_bytes()) {
            let (k, _) = kv.map_err(db_err)?;
            if let Some(v) = self
                .renditions
                .get(k.get(32..).unwrap_or(&[]))
                .map_err(db_err)?
            {
                out.push(decode(&v)?);
            }
        }
        Ok(out)
    }

    /// Recorded uses, oldest first: of one photo, or all.
    pub fn uses(&self, photo: Option<&BlobId>) -> Result<Vec<Use>> {
        let mut out = Vec::new();
        match photo {
            Some(p) => {
                for kv in self.use_photo.scan_prefix(p.as_bytes()) {
                    let (k, _) = kv.map_err(db_err)?;
                    if let Some(v) = self.uses.get(k.get(32..).unwrap_or(&[])).map_err(db_err)? {
                        out.push(decode(&v)?);
                    }
                }
            }
            None => {
                for kv in self.uses.iter() {
                    out.push(decode(&kv.map_err(db_err)?.1)?);
                }
            }
        }
        Ok(out)
    }

    /// Every photo's fingerprint, read from the index keys alone (no record is decoded).
    pub fn fingerprints(&self) -> Result<Vec<(u64, BlobId)>> {
        let mut out = Vec::with_capacity(self.fingerprint.len());
        for kv in self.fingerprint.iter() {
            let (k, _) = kv.map_err(db_err)?;
            let fp: [u8; 8] = k
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::Db("fingerprint key is damaged".into()))?;
            out.push((u64::from_be_bytes(fp), id_from(k.get(8..).unwrap_or(&[]))?));
        }
        Ok(out)
    }

    /// Every live API token.
    pub fn tokens(&self) -> Result<Vec<Token>> {
        self.tokens
            .iter()
            .map(|kv| decode(&kv.map_err(db_err)?.1))
            .collect()
    }

    /// Every tree. More than sled's tuple transactions take, so `apply` uses a slice: the
    /// first seven are the ones `index_keys` numbers.
    fn trees(&self) -> [&Tree; 15] {
        [
            &self.agency,
            &self.creator,
            &self.year,
            &self.word,
            &self.incomplete,
            &self.fingerprint,
            &self.added,
            &self.meta,
            &self.photos,
            &self.history,
            &self.renditions,
            &self.rendition_photo,
            &self.uses,
            &self.use_photo,
            &self.tokens,
        ]
    }

    /// Empty every tree, for a rebuild from the journal. Other handles on the index see it
    /// empty until the replay has been applied.
    pub fn clear(&self) -> Result<()> {
        for tree in self.trees() {
            tree.clear().map_err(db_err)?;
        }
        self.meta
            .insert("schema", &u64::from(SCHEMA).to_be_bytes())
            .map_err(db_err)?;
        Ok(())
    }

    /// Ask sled to write its caches out. Not a durability point (the journal is).
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(db_err)
    }
}

/// Length of an order key: added_at (16 bytes) ‖ id (32).
const ORDER_LEN: usize = 48;
type Order = [u8; ORDER_LEN];

/// The key that sorts photos by `added_at` (nanoseconds), then id.
fn order(nanos: i128, id: &BlobId) -> Order {
    let mut k = [0; ORDER_LEN];
    // Flip the sign bit so times before 1970 sort first.
    k[..16].copy_from_slice(&((nanos as u128) ^ (1 << 127)).to_be_bytes());
    k[16..].copy_from_slice(id.as_bytes());
    k
}

/// Index entries of a record: (tree number in `apply`'s order, key).
fn index_keys(p: &Photo) -> Vec<(usize, Vec<u8>)> {
    let place = order(p.added_at.as_nanosecond(), &p.id);
    let with_id = |mut k: Vec<u8>| {
        k.extend_from_slice(p.id.as_bytes());
        k
    };
    let with_order = |mut k: Vec<u8>| {
        k.extend_from_slice(&place);
        k
    };
    let named = |name: &str| {
        let mut k = name_key(name);
        k.push(0);
        with_order(k)
    };
    let f = &p.fields;
    let mut keys = Vec::new();
    if let Some(a) = &f.agency {
        keys.push((0, named(a)));
    }
    for c in &f.creators {
        keys.push((1, named(c)));
    }
    if let Some(y) = f.year {
        keys.push((2, with_order(year_key(y))));
    }
    let mut seen = BTreeSet::new();
    let texts = [
        &f.caption,
        &f.headline,
        &f.city,
        &f.state,
        &f.country,
        &f.credit_line,
        &f.source,
        &f.instructions,
        &f.creator_title,
    ]
    .into_iter()
    .flatten()
    .chain(f.keywords.iter());
    for text in texts {
        for w in words(text) {
            if seen.insert(w.clone()) {
                let mut k = w.into_bytes();
                k.push(0);
                keys.push((3, with_order(k)));
            }
        }
    }
    if p.status == Status::Incomplete {
        keys.push((4, place.to_vec()));
    }
    if let Some(fp) = p
        .original
        .fingerprint
        .as_deref()
        .and_then(|h| u64::from_str_radix(h, 16).ok())
    {
        keys.push((5, with_id(fp.to_be_bytes().to_vec())));
    }
    keys.push((6, place.to_vec()));
    keys
}

/// Lower-cased, whitespace-collapsed name.
fn name_key(name: &str) -> Vec<u8> {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .into_bytes()
}

fn year_key(year: i32) -> Vec<u8> {
    // Flip the sign bit so negative years sort before positive ones.
    ((year as u32) ^ 0x8000_0000).to_be_bytes().to_vec()
}

/// Lower-case alphanumeric words of `text`, as indexed and searched.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Entries of a tree keyed by blob id whose hex id starts with `prefix` (any length: the
/// whole bytes narrow the scan, an odd last digit is checked on the hex).
fn hex_prefix_scan(tree: &Tree, prefix: &str, limit: usize) -> Result<Vec<(BlobId, sled::IVec)>> {
    let whole: Vec<u8> = prefix
        .as_bytes()
        .chunks_exact(2)
        .filter_map(|p| Some(crate::id::hex_value(p[0])? << 4 | crate::id::hex_value(p[1])?))
        .collect();
    let mut out: Vec<(BlobId, sled::IVec)> = Vec::new();
    for kv in tree.scan_prefix(&whole) {
        let (k, v) = kv.map_err(db_err)?;
        // Keys start with the id; several rendition records may share one: keep the first.
        let id = id_from(k.get(..32).unwrap_or(&[]))?;
        if out.last().is_some_and(|(last, _)| *last == id) {
            continue;
        }
        if id.to_hex().starts_with(prefix) {
            out.push((id, v));
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The key of a rendition record: rendition id ‖ photo ‖ spec.
fn rendition_key(r: &Rendition) -> Vec<u8> {
    let mut k = Vec::with_capacity(70);
    k.extend_from_slice(r.id.as_bytes());
    k.extend_from_slice(r.photo.as_bytes());
    k.extend_from_slice(&r.spec.max_side.to_be_bytes());
    k.push(match r.spec.format {
        OutputFormat::Jpeg => 0,
        OutputFormat::Webp => 1,
    });
    k.push(r.spec.quality);
    k
}

/// A photo id followed by a second key part.
fn pair(id: &BlobId, rest: &[u8]) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.extend_from_slice(rest);
    k
}

fn id_from(k: &[u8]) -> Result<BlobId> {
    let bytes: [u8; 32] = k
        .try_into()
        .map_err(|_| Error::Db("index key is damaged".into()))?;
    Ok(BlobId::from_bytes(bytes))
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::Db(format!("cannot encode: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(v: &[u8]) -> Result<T> {
    serde_json::from_slice(v).map_err(|e| Error::Db(format!("damaged index record: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn year_keys_sort_like_years(a in -3000i32..3000, b in -3000i32..3000) {
            prop_assert_eq!(a.cmp(&b), year_key(a).cmp(&year_key(b)));
        }

        #[test]
        fn order_keys_sort_by_time_then_id(a: i64, b: i64, x: [u8; 32], y: [u8; 32]) {
            let (x, y) = (BlobId::from_bytes(x), BlobId::from_bytes(y));
            prop_assert_eq!(
                (a, x).cmp(&(b, y)),
                order(i128::from(a), &x).cmp(&order(i128::from(b), &y))
            );
        }
    }

    #[test]
    fn words_split_on_punctuation_and_fold_case() {
        assert_eq!(
            words("NATO's emblem, Brussels"),
            ["nato", "s", "emblem", "brussels"]
        );
    }
}
