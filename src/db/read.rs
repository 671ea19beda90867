//! Reads of the index: records, pages of a query by merging sorted ranges, renditions, uses,
//! tokens. Everything that can be long is an iterator; nothing collects a whole tree.

use std::collections::BTreeMap;

use super::key::{
    ORDER_LEN, Order, Pn, damaged, decode, hex_bytes, id_from, name_key, order, page_prefix, pair,
    pn_of, span_from, successor, u64_at, words, year_key,
};
use super::tier::{T, Tier};
use super::{After, Db, Query, prints};
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
    tree: Tier,
    prefixes: Vec<(Vec<u8>, Option<Order>)>,
}

impl Cursor {
    fn new(tree: &Tier, prefixes: Vec<Vec<u8>>) -> Cursor {
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
                    let next = match self.tree.range_from(&start)?.next() {
                        Some(kv) => Some(kv?.0),
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
        match self.current().tier(T::Ids).get(id.as_bytes())? {
            Some(v) => u64_at(&v, 0).map(Some),
            None => Ok(None),
        }
    }

    fn photo_by_pn(&self, pn: Pn) -> Result<Option<Photo>> {
        match self.current().tier(T::Photos).get(&pn.to_be_bytes())? {
            Some(v) => self.resolve(&v).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a photo is stored (its record is not read).
    pub fn has_photo(&self, id: &BlobId) -> Result<bool> {
        self.current().tier(T::Ids).contains_key(id.as_bytes())
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
        for kv in self
            .current()
            .tier(T::Ids)
            .scan_prefix(&hex_bytes(prefix))?
        {
            let id = id_from(&kv?.0)?;
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
        self.current()
            .tier(T::History)
            .scan_prefix(&pn.to_be_bytes())?
            .map(|kv| self.shared.events.read(span_from(&kv?.1)?))
            .collect()
    }

    /// Whether the index has the journal event `seq` of photo `id`, at `span`.
    pub fn has_event(&self, id: &BlobId, seq: u64, span: Span) -> Result<bool> {
        let Some(pn) = self.pn(id)? else {
            return Ok(false);
        };
        match self.current().tier(T::History).get(&pair(pn, seq))? {
            Some(v) => Ok(span_from(&v)? == span),
            None => Ok(false),
        }
    }

    /// Every photo, in the order the journal added them.
    pub fn all(&self) -> Result<impl Iterator<Item = Result<Photo>> + Send + 'static> {
        let db = self.clone();
        Ok(self
            .current()
            .tier(T::Photos)
            .iter()?
            .map(move |kv| kv.and_then(|(_, v)| db.resolve(&v))))
    }

    /// Every photo with its uses (in ledger order), in the order the journal added the
    /// photos: the records and the photo-to-use index walked side by side (both are keyed by
    /// photo number first), so no photo is looked up by id and no range is opened per photo.
    pub fn all_with_uses(&self) -> Result<impl Iterator<Item = Result<(Photo, Vec<Use>)>> + '_> {
        let g = self.current();
        let mut links = g.tier(T::UsePhoto).iter()?.peekable();
        Ok(g.tier(T::Photos).iter()?.map(move |kv| {
            let (k, v) = kv?;
            let pn = u64_at(&k, 0)?;
            let photo = self.resolve(&v)?;
            let mut uses = Vec::new();
            loop {
                let link_pn = match links.peek() {
                    None => break,
                    Some(Ok((k, _))) => u64_at(k, 0)?,
                    Some(Err(_)) => match links.next() {
                        Some(Err(e)) => return Err(e),
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
        }))
    }

    /// Photos matching `q`, oldest first (by `added_at`, then the order the journal added
    /// them), starting after `after`, one record at a time: a page costs the same on a store
    /// of any size.
    pub fn pages(&self, q: &Query, after: Option<After>) -> Result<Pages> {
        let g = self.current();
        let mut cursors = Vec::new();
        if let Some(a) = &q.agency {
            cursors.push(Cursor::new(g.tier(T::Agency), vec![exact(&name_key(a))]));
        }
        if let Some(c) = &q.creator {
            cursors.push(Cursor::new(g.tier(T::Creator), vec![exact(&name_key(c))]));
        }
        if let Some(y) = q.year {
            cursors.push(Cursor::new(g.tier(T::Year), vec![year_key(y)]));
        }
        if let Some(text) = &q.text {
            for w in words(text) {
                cursors.push(Cursor::new(g.tier(T::Word), self.words_starting(&w)?));
            }
        }
        if q.incomplete {
            cursors.push(Cursor::new(g.tier(T::Incomplete), vec![Vec::new()]));
        }
        if cursors.is_empty() {
            cursors.push(Cursor::new(g.tier(T::Added), vec![Vec::new()]));
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
        let word = self.current().tier(T::Word).clone();
        while let Some(kv) = word.range_from(&from)?.next() {
            let (k, _) = kv?;
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
        match self
            .current()
            .tier(T::Renditions)
            .scan_prefix(id.as_bytes())?
            .next()
        {
            Some(kv) => decode(&kv?.1).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a rendition with these bytes is stored (no record is read).
    pub fn has_rendition(&self, id: &BlobId) -> Result<bool> {
        Ok(self
            .current()
            .tier(T::Renditions)
            .scan_prefix(id.as_bytes())?
            .next()
            .transpose()?
            .is_some())
    }

    /// Every rendition whose hex id starts with `prefix`.
    pub fn renditions_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Rendition>> {
        let mut out: Vec<Rendition> = Vec::new();
        for kv in self
            .current()
            .tier(T::Renditions)
            .scan_prefix(&hex_bytes(prefix))?
        {
            let (k, v) = kv?;
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
        let g = self.current();
        let mut hits: BTreeMap<Pn, usize> = BTreeMap::new();
        for w in words {
            let prefix = exact(w.as_bytes());
            let entries: Vec<Pn> = g
                .tier(T::Word)
                .scan_prefix(&prefix)?
                .take(COMMON_WORD + 1)
                .map(|kv| pn_of(&kv?.0))
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
            if let Some(v) = g.tier(T::Photos).get(&pn.to_be_bytes())? {
                out.push((id_from(v.get(..32).ok_or_else(damaged)?)?, n));
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A photo's renditions, in id order.
    pub fn renditions_of(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        let g = self.current();
        let mut out = Vec::new();
        for kv in g.tier(T::RenditionPhoto).scan_prefix(photo.as_bytes())? {
            let (k, _) = kv?;
            if let Some(v) = g.tier(T::Renditions).get(k.get(32..).unwrap_or(&[]))? {
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
        let g = self.current();
        let numbers: Box<dyn Iterator<Item = Result<u64>> + Send> = match (photo, outlet) {
            (Some(p), _) => {
                let Some(pn) = self.pn(p)? else {
                    return Ok(Box::new(std::iter::empty()));
                };
                let scan = g
                    .tier(T::UsePhoto)
                    .range_within(&pair(pn, from), &pn.to_be_bytes())?;
                Box::new(scan.map(|kv| u64_at(&kv?.0, 8)))
            }
            (None, Some(o)) => {
                let prefix = exact(&name_key(o));
                let mut start = prefix.clone();
                start.extend_from_slice(&from.to_be_bytes());
                let at = prefix.len();
                let scan = g.tier(T::UseOutlet).range_within(&start, &prefix)?;
                Box::new(scan.map(move |kv| u64_at(&kv?.0, at)))
            }
            (None, None) => Box::new(
                g.tier(T::Uses)
                    .range_from(&from.to_be_bytes())?
                    .map(|kv| u64_at(&kv?.0, 0)),
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
        self.current()
            .tier(T::UsePage)
            .scan_prefix(&prefix)?
            .map(|kv| self.use_at(u64_at(&kv?.0, 24)?))
            .collect()
    }

    /// The use with ledger number `n`.
    fn use_at(&self, n: u64) -> Result<Use> {
        let v = self
            .current()
            .tier(T::Uses)
            .get(&n.to_be_bytes())?
            .ok_or_else(|| Error::Db(format!("use {n} is indexed but not stored")))?;
        match self.shared.events.read(span_from(&v)?)?.change {
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
        let g = self.current();
        let mut near: Vec<(u32, Pn)> = Vec::new();
        for kv in g.tier(T::Fingerprint).iter()? {
            let (k, v) = kv?;
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
            if let Some(v) = g.tier(T::Photos).get(&pn.to_be_bytes())? {
                out.push((id_from(v.get(..32).ok_or_else(damaged)?)?, d));
            }
        }
        out.sort_by_key(|(id, d)| (*d, *id));
        out.truncate(limit);
        Ok(out)
    }

    /// Every live API token.
    pub fn tokens(&self) -> Result<Vec<Token>> {
        self.current()
            .tier(T::Tokens)
            .iter()?
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}

/// A name or word followed by the 0 separator: keys of exactly that name.
fn exact(name: &[u8]) -> Vec<u8> {
    let mut k = name.to_vec();
    k.push(0);
    k
}
