//! Reads of the index: records, pages of a query, renditions, uses, tokens.

use std::collections::BTreeSet;
use std::ops::Bound;

use sled::Tree;

use super::key::{
    ORDER_LEN, Order, decode, hex_prefix_scan, id_from, name_key, order, words, year_key,
};
use super::{After, Db, Query, db_err};
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Event, Photo, Rendition, Token, Use};

impl Db {
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
}
