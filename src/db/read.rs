//! Reads of the index: records, pages of a query by merging sorted ranges, renditions, uses,
//! tokens. Everything that can be long is an iterator; nothing collects a whole tree.

use std::collections::BTreeMap;

use sled::Tree;

use super::key::{
    ORDER_LEN, Order, Pn, damaged, decode, hex_bytes, id_from, name_key, order, page_prefix, pair,
    pn_of, span_from, successor, u64_at, words, year_key,
};
use super::{After, Db, Query, db_err, prints};
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::journal::Span;
use crate::model::{Change, Event, Photo, Rendition, Token, Use};

/// A word in more photos than this is skipped when looking for photos that share words
/// with a printed caption: it tells them apart too little to be worth reading its entries.
pub const COMMON_WORD: usize = 20_000;

/// The photos matching a query, in list order, read a record at a time (see the module docs
/// of `db` for the merge).
pub struct Pages {
    db: Db,
    cursors: Vec<Cursor>,
    /// The smallest order key not yet ruled out; `None` once the walk is over.
    target: Option<Order>,
}

/// Uses, in ledger order, read one at a time.
pub type UsePages<'a> = Box<dyn Iterator<Item = Result<Use>> + Send + 'a>;

/// One filter of a query: the order keys under some prefixes of one tree (several for a word
/// prefix, which stands for every word starting with it).
struct Cursor {
    tree: Tree,
    prefixes: Vec<(Vec<u8>, Option<Order>)>,
}

impl Cursor {
    fn new(tree: &Tree, prefixes: Vec<Vec<u8>>) -> Cursor {
        Cursor {
            tree: tree.clone(),
            prefixes: prefixes.into_iter().map(|p| (p, None)).collect(),
        }
    }

    /// The smallest order key ≥ `from` under any prefix. Seeks only prefixes whose last
    /// answer lies before `from` (targets only grow).
    fn seek(&mut self, from: &Order) -> Result<Option<Order>> {
        let mut best: Option<Order> = None;
        for (prefix, last) in &mut self.prefixes {
            let found = match last {
                Some(k) if *k >= *from => Some(*k),
                _ => {
                    let mut start = prefix.clone();
                    start.extend_from_slice(from);
                    let next = match self.tree.range(start..).next() {
                        Some(kv) => Some(kv.map_err(db_err)?.0),
                        None => None,
                    };
                    match next {
                        Some(k) if k.starts_with(prefix) && k.len() == prefix.len() + ORDER_LEN => {
                            let o: Order = k[prefix.len()..].try_into().map_err(|_| damaged())?;
                            Some(o)
                        }
                        _ => None,
                    }
                }
            };
            *last = found;
            if let Some(k) = found
                && best.is_none_or(|b| k < b)
            {
                best = Some(k);
            }
        }
        Ok(best)
    }
}

impl Pages {
    /// The next matching order key: seek every cursor to the target until all agree.
    fn next_order(&mut self) -> Result<Option<Order>> {
        let n = self.cursors.len();
        let Some(mut target) = self.target else {
            return Ok(None);
        };
        let (mut i, mut agree) = (0, 0);
        loop {
            let Some(k) = self.cursors[i].seek(&target)? else {
                self.target = None;
                return Ok(None);
            };
            if k == target {
                agree += 1;
            } else {
                target = k;
                agree = 1;
            }
            if agree == n {
                self.target = successor(target);
                return Ok(Some(target));
            }
            i = (i + 1) % n;
        }
    }
}

impl Iterator for Pages {
    type Item = Result<Photo>;

    fn next(&mut self) -> Option<Result<Photo>> {
        let found = match self.next_order() {
            Ok(o) => o?,
            Err(e) => return Some(Err(e)),
        };
        let photo = pn_of(&found).and_then(|pn| {
            self.db
                .photo_by_pn(pn)?
                .ok_or_else(|| Error::Db(format!("index entry for photo number {pn} is stale")))
        });
        if photo.is_err() {
            self.target = None;
        }
        Some(photo)
    }
}

impl Db {
    fn pn(&self, id: &BlobId) -> Result<Option<Pn>> {
        match self.ids.get(id.as_bytes()).map_err(db_err)? {
            Some(v) => u64_at(&v, 0).map(Some),
            None => Ok(None),
        }
    }

    fn photo_by_pn(&self, pn: Pn) -> Result<Option<Photo>> {
        match self.photos.get(pn.to_be_bytes()).map_err(db_err)? {
            Some(v) => self.resolve(&v).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a photo is stored (its record is not read).
    pub fn has_photo(&self, id: &BlobId) -> Result<bool> {
        self.ids.contains_key(id.as_bytes()).map_err(db_err)
    }

    /// A photo's current record.
    pub fn photo(&self, id: &BlobId) -> Result<Option<Photo>> {
        match self.pn(id)? {
            Some(pn) => self.photo_by_pn(pn),
            None => Ok(None),
        }
    }

    /// Every photo whose hex id starts with `prefix` (lower-case hex, any length).
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<BlobId>> {
        let mut out = Vec::new();
        for kv in self.ids.scan_prefix(hex_bytes(prefix)) {
            let id = id_from(&kv.map_err(db_err)?.0)?;
            if id.to_hex().starts_with(prefix) {
                out.push(id);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// A photo's events, oldest first, read from the journal where the index says they lie.
    pub fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        let Some(pn) = self.pn(id)? else {
            return Ok(Vec::new());
        };
        self.history
            .scan_prefix(pn.to_be_bytes())
            .map(|kv| self.events.read(span_from(&kv.map_err(db_err)?.1)?))
            .collect()
    }

    /// Whether the index has the journal event `seq` of photo `id`, at `span`.
    pub fn has_event(&self, id: &BlobId, seq: u64, span: Span) -> Result<bool> {
        let Some(pn) = self.pn(id)? else {
            return Ok(false);
        };
        match self.history.get(pair(pn, seq)).map_err(db_err)? {
            Some(v) => Ok(span_from(&v)? == span),
            None => Ok(false),
        }
    }

    /// Every photo, in the order the journal added them.
    pub fn all(&self) -> impl Iterator<Item = Result<Photo>> + Send + 'static {
        let db = self.clone();
        self.photos
            .iter()
            .map(move |kv| kv.map_err(db_err).and_then(|(_, v)| db.resolve(&v)))
    }

    /// Every photo with its uses (in ledger order), in the order the journal added the
    /// photos: the records and the photo-to-use index walked side by side (both are keyed by
    /// photo number first), so no photo is looked up by id and no range is opened per photo.
    pub fn all_with_uses(&self) -> impl Iterator<Item = Result<(Photo, Vec<Use>)>> + '_ {
        let mut links = self.use_photo.iter().peekable();
        self.photos.iter().map(move |kv| {
            let (k, v) = kv.map_err(db_err)?;
            let pn = u64_at(&k, 0)?;
            let photo = self.resolve(&v)?;
            let mut uses = Vec::new();
            loop {
                let link_pn = match links.peek() {
                    None => break,
                    Some(Ok((k, _))) => u64_at(k, 0)?,
                    Some(Err(_)) => match links.next() {
                        Some(Err(e)) => return Err(db_err(e)),
                        _ => break,
                    },
                };
                if link_pn > pn {
                    break;
                }
                // A link to a photo number the records lack is skipped, as `uses` would.
                if let Some(Ok((k, _))) = links.next()
                    && link_pn == pn
                {
                    uses.push(self.use_at(u64_at(&k, 8)?)?);
                }
            }
            Ok((photo, uses))
        })
    }

    /// Photos matching `q`, oldest first (by `added_at`, then the order the journal added
    /// them), starting after `after`, one record at a time: a page costs the same on a store
    /// of any size.
    pub fn pages(&self, q: &Query, after: Option<After>) -> Result<Pages> {
        let mut cursors = Vec::new();
        if let Some(a) = &q.agency {
            cursors.push(Cursor::new(&self.agency, vec![exact(&name_key(a))]));
        }
        if let Some(c) = &q.creator {
            cursors.push(Cursor::new(&self.creator, vec![exact(&name_key(c))]));
        }
        if let Some(y) = q.year {
            cursors.push(Cursor::new(&self.year, vec![year_key(y)]));
        }
        if let Some(text) = &q.text {
            for w in words(text) {
                cursors.push(Cursor::new(&self.word, self.words_starting(&w)?));
            }
        }
        if q.incomplete {
            cursors.push(Cursor::new(&self.incomplete, vec![Vec::new()]));
        }
        if cursors.is_empty() {
            cursors.push(Cursor::new(&self.added, vec![Vec::new()]));
        }
        let target = match after {
            // A cursor names a stored photo; one this index does not know starts after every
            // photo added at that time.
            Some((nanos, id)) => match self.pn(&id)? {
                Some(pn) => successor(order(nanos, pn)),
                None => successor(order(nanos, Pn::MAX)),
            },
            None => Some([0; ORDER_LEN]),
        };
        Ok(Pages {
            db: self.clone(),
            cursors,
            target,
        })
    }

    /// At most `limit` photos of [`Db::pages`].
    pub fn list(&self, q: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>> {
        self.pages(q, after)?.take(limit).collect()
    }

    /// The exact word keys (word ‖ 0) of every indexed word starting with `prefix`, found by
    /// skipping from one word to the next rather than reading their entries.
    fn words_starting(&self, prefix: &str) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut from = prefix.as_bytes().to_vec();
        while let Some(kv) = self.word.range(from.clone()..).next() {
            let (k, _) = kv.map_err(db_err)?;
            if !k.starts_with(prefix.as_bytes()) {
                break;
            }
            let word = k
                .get(..k.len().saturating_sub(ORDER_LEN + 1))
                .ok_or_else(damaged)?;
            out.push(exact(word));
            // Words never hold a 0 byte, so word ‖ 1 sorts after all of this word's keys.
            from = word.to_vec();
            from.push(1);
        }
        Ok(out)
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
        let mut out: Vec<Rendition> = Vec::new();
        for kv in self.renditions.scan_prefix(hex_bytes(prefix)) {
            let (k, v) = kv.map_err(db_err)?;
            // Several rendition records may share one id: keep the first.
            let id = id_from(k.get(..32).ok_or_else(damaged)?)?;
            if out.last().is_some_and(|r| r.id == id) || !id.to_hex().starts_with(prefix) {
                continue;
            }
            out.push(decode(&v)?);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Photos whose indexed text has any of `words` (whole words), with how many of the words
    /// each has, most first: the candidates for a fuzzy caption match. Words in more than
    /// twenty thousand photos are passed over (they tell photos apart too little), so this
    /// costs the same on a store of any size.
    pub fn photos_sharing_words(&self, words: &[String]) -> Result<Vec<(BlobId, usize)>> {
        let mut hits: BTreeMap<Pn, usize> = BTreeMap::new();
        for w in words {
            let prefix = exact(w.as_bytes());
            let entries: Vec<Pn> = self
                .word
                .scan_prefix(&prefix)
                .take(COMMON_WORD + 1)
                .map(|kv| pn_of(&kv.map_err(db_err)?.0))
                .collect::<Result<_>>()?;
            if entries.len() > COMMON_WORD {
                continue;
            }
            for pn in entries {
                *hits.entry(pn).or_default() += 1;
            }
        }
        let mut out = Vec::with_capacity(hits.len());
        for (pn, n) in hits {
            if let Some(v) = self.photos.get(pn.to_be_bytes()).map_err(db_err)? {
                out.push((id_from(v.get(..32).ok_or_else(damaged)?)?, n));
            }
        }
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

    /// Recorded uses in ledger order, of one photo, of one outlet (case-insensitive), or all,
    /// from just after ledger number `after`. Each is read from the journal as it is reached.
    pub fn uses(
        &self,
        photo: Option<&BlobId>,
        outlet: Option<&str>,
        after: Option<u64>,
    ) -> Result<UsePages<'_>> {
        let from = after.map_or(0, |a| a.saturating_add(1));
        let numbers: Box<dyn Iterator<Item = Result<u64>> + Send> = match (photo, outlet) {
            (Some(p), _) => {
                let Some(pn) = self.pn(p)? else {
                    return Ok(Box::new(std::iter::empty()));
                };
                let prefix = pn.to_be_bytes();
                let scan = self.use_photo.range(pair(pn, from)..);
                Box::new(
                    scan.take_while(move |kv| {
                        kv.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix))
                    })
                    .map(|kv| u64_at(&kv.map_err(db_err)?.0, 8)),
                )
            }
            (None, Some(o)) => {
                let prefix = exact(&name_key(o));
                let mut start = prefix.clone();
                start.extend_from_slice(&from.to_be_bytes());
                let at = prefix.len();
                let scan = self.use_outlet.range(start..);
                Box::new(
                    scan.take_while(move |kv| {
                        kv.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix))
                    })
                    .map(move |kv| u64_at(&kv.map_err(db_err)?.0, at)),
                )
            }
            (None, None) => Box::new(
                self.uses
                    .range(from.to_be_bytes()..)
                    .map(|kv| u64_at(&kv.map_err(db_err)?.0, 0)),
            ),
        };
        let outlet = outlet.map(name_key);
        let by_photo = photo.is_some();
        Ok(Box::new(numbers.filter_map(move |n| {
            let usage = n.and_then(|n| self.use_at(n));
            match (&usage, &outlet) {
                // A photo's uses filtered by outlet too.
                (Ok(u), Some(o)) if by_photo && name_key(&u.outlet) != *o => None,
                _ => Some(usage),
            }
        })))
    }

    /// The uses of `photo` recorded for a page (`outlet`, case-insensitive, and `url`), in
    /// ledger order. Reads only that page's uses (and, rarely, another page's whose key
    /// collides, which the caller tells apart by its outlet and URL).
    pub fn page_uses(&self, photo: &BlobId, outlet: &str, url: &str) -> Result<Vec<Use>> {
        let Some(pn) = self.pn(photo)? else {
            return Ok(Vec::new());
        };
        let prefix = page_prefix(pn, outlet, url);
        self.use_page
            .scan_prefix(prefix)
            .map(|kv| self.use_at(u64_at(&kv.map_err(db_err)?.0, 24)?))
            .collect()
    }

    /// The use with ledger number `n`.
    fn use_at(&self, n: u64) -> Result<Use> {
        let v = self
            .uses
            .get(n.to_be_bytes())
            .map_err(db_err)?
            .ok_or_else(|| Error::Db(format!("use {n} is indexed but not stored")))?;
        match self.events.read(span_from(&v)?)?.change {
            Change::UseRecorded { usage } if usage.id == n => Ok(usage),
            _ => Err(Error::Db(format!(
                "the index entry of use {n} points at another journal event; run `byline \
                 reindex`"
            ))),
        }
    }

    /// Photos whose fingerprint is at most `bits` apart from `fp`, closest first, at most
    /// `limit` of them. Reads the packed fingerprint blocks alone (no record is decoded).
    pub fn similar(&self, fp: u64, bits: u32, limit: usize) -> Result<Vec<(BlobId, u32)>> {
        let mut near: Vec<(u32, Pn)> = Vec::new();
        for kv in self.fingerprint.iter() {
            let (k, v) = kv.map_err(db_err)?;
            for entry in prints::entries(&k, &v)? {
                // A photo has several fingerprints (whole picture and crops): its nearest
                // one counts.
                let d = entry.prints().map(|p| (p ^ fp).count_ones()).min();
                if let Some(d) = d.filter(|d| *d <= bits) {
                    near.push((d, entry.pn));
                }
            }
        }
        let mut out = Vec::with_capacity(near.len());
        for (d, pn) in near {
            if let Some(v) = self.photos.get(pn.to_be_bytes()).map_err(db_err)? {
                out.push((id_from(v.get(..32).ok_or_else(damaged)?)?, d));
            }
        }
        out.sort_by_key(|(id, d)| (*d, *id));
        out.truncate(limit);
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

/// A name or word followed by the 0 separator: keys of exactly that name.
fn exact(name: &[u8]) -> Vec<u8> {
    let mut k = name.to_vec();
    k.push(0);
    k
}
