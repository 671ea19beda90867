//! Reads: point reads by id, and keyset pages fetched a batch at a time as they are iterated
//! (a page starts with an index seek past the last key, never an `OFFSET`, never a sort of
//! every match).
//!
//! A filtered list is driven by one filter's index range, in (added_ns, pn) order — the most
//! telling filter given: creator, agency, year, then the first word (every indexed word it
//! is a prefix of, merged in order) — and every other filter is checked per photo through
//! its (pn, value) index.

use std::collections::{BTreeMap, VecDeque};

use postgres::types::ToSql;

use super::pool::Session;
use super::{Postgres, as_i64, as_u64, decode, pg_err, write::page_key};
use crate::db::{After, COMMON_WORD, Query, normal_name, words};
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Change, Event, Photo, Rendition, Token, Use};
use crate::records::{PhotoPages, UsePages};

/// Rows fetched per round trip by an iterator.
const BATCH: i64 = 64;

/// Words a prefix may stand for and still drive a list (each is a range merged in order);
/// a broader prefix is checked per photo instead.
const DRIVING_WORDS: i64 = 256;

/// A parameter list for a statement built at run time.
type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

fn id_from(bytes: &[u8]) -> Result<BlobId> {
    let b: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::Corrupt("a photo id in postgresql is not 32 bytes".into()))?;
    Ok(BlobId::from_bytes(b))
}

pub(super) fn has_photo(c: &mut Session, id: &BlobId) -> Result<bool> {
    let row = c
        .query_opt(
            "SELECT 1 FROM photos WHERE id = $1",
            &[&id.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    Ok(row.is_some())
}

pub(super) fn photo(c: &mut Session, id: &BlobId) -> Result<Option<Photo>> {
    let row = c
        .query_opt(
            "SELECT record FROM photos WHERE id = $1",
            &[&id.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    row.map(|r| decode(r.get(0))).transpose()
}

fn pn_of(c: &mut Session, id: &BlobId) -> Result<Option<i64>> {
    let row = c
        .query_opt(
            "SELECT pn FROM photos WHERE id = $1",
            &[&id.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    Ok(row.map(|r| r.get(0)))
}

/// The byte range of ids whose hex starts with `prefix` (lower-case hex): `[low, high)`, no
/// upper end when the prefix is all `f`.
fn id_range(prefix: &str) -> (Vec<u8>, Option<Vec<u8>>) {
    let digits: Vec<u8> = prefix.bytes().filter_map(crate::id::hex_value).collect();
    let bytes = |d: &[u8]| -> Vec<u8> {
        d.chunks(2)
            .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
            .collect()
    };
    let mut next = digits.clone();
    while let Some(last) = next.pop() {
        if last < 15 {
            next.push(last + 1);
            return (bytes(&digits), Some(bytes(&next)));
        }
    }
    (bytes(&digits), None)
}

pub(super) fn ids_with_prefix(c: &mut Session, prefix: &str, limit: usize) -> Result<Vec<BlobId>> {
    let (low, high) = id_range(prefix);
    let rows = c
        .query(
            "SELECT id FROM photos WHERE id >= $1 AND ($2::bytea IS NULL OR id < $2) \
             ORDER BY id LIMIT $3",
            &[&low, &high, &as_i64(limit as u64)?],
        )
        .map_err(pg_err)?;
    rows.iter().map(|r| id_from(r.get(0))).collect()
}

pub(super) fn history(c: &mut Session, id: &BlobId) -> Result<Vec<Event>> {
    let rows = c
        .query(
            "SELECT event FROM events WHERE photo = $1 ORDER BY seq",
            &[&id.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    rows.iter().map(|r| decode(r.get(0))).collect()
}

pub(super) fn count(c: &mut Session) -> Result<u64> {
    let row = c
        .query_one("SELECT count(*) FROM photos", &[])
        .map_err(pg_err)?;
    as_u64(row.get(0))
}

/// Rows of one fetch, with their keys, and how many rows the database sent (a fetch may
/// drop repeats): fewer than [`BATCH`] sent means there are no more.
type Fetched<K, T> = (Vec<(K, T)>, usize);

/// Fetches the batch after a key.
type Fetch<K, T> = Box<dyn FnMut(&K) -> Result<Fetched<K, T>> + Send>;

/// Whether any photo is stored (without counting them).
pub(super) fn any(c: &mut Session) -> Result<bool> {
    let row = c
        .query_one("SELECT EXISTS (SELECT 1 FROM photos)", &[])
        .map_err(pg_err)?;
    Ok(row.get(0))
}

/// An iterator over rows fetched [`BATCH`] at a time past the last key seen.
struct Keyset<K, T> {
    last: K,
    buffer: VecDeque<T>,
    done: bool,
    fetch: Fetch<K, T>,
}

impl<K: Send, T: Send> Iterator for Keyset<K, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.buffer.is_empty() && !self.done {
            match (self.fetch)(&self.last) {
                Ok((rows, sent)) => {
                    self.done = (sent as i64) < BATCH;
                    for (k, t) in rows {
                        self.last = k;
                        self.buffer.push_back(t);
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

fn keyset<K: Send + 'static, T: Send + 'static>(
    first: K,
    fetch: impl FnMut(&K) -> Result<Fetched<K, T>> + Send + 'static,
) -> Keyset<K, T> {
    Keyset {
        last: first,
        buffer: VecDeque::new(),
        done: false,
        fetch: Box::new(fetch),
    }
}

pub(super) fn all(pg: Postgres) -> PhotoPages {
    Box::new(keyset(0i64, move |after| {
        let rows = pg.with(|c| {
            c.query(
                "SELECT pn, record FROM photos WHERE pn > $1 ORDER BY pn LIMIT $2",
                &[after, &BATCH],
            )
            .map_err(pg_err)
        })?;
        let out = rows
            .iter()
            .map(|r| Ok((r.get(0), decode(r.get(1))?)))
            .collect::<Result<_>>()?;
        Ok((out, rows.len()))
    }))
}

/// The words of the index starting with `prefix` (at most `limit`), found by skipping from
/// one word to the next rather than reading their entries.
fn words_starting(c: &mut Session, prefix: &str, limit: i64) -> Result<Vec<String>> {
    let rows = c
        .query(
            "WITH RECURSIVE w(word) AS ( \
                 (SELECT word FROM photo_word WHERE word >= $1 AND word < $2 \
                  ORDER BY word LIMIT 1) \
                 UNION ALL \
                 SELECT (SELECT x.word FROM photo_word x WHERE x.word > w.word AND x.word < $2 \
                         ORDER BY x.word LIMIT 1) \
                 FROM w WHERE w.word IS NOT NULL \
             ) SELECT word FROM w WHERE word IS NOT NULL LIMIT $3",
            &[&prefix, &word_end(prefix), &limit],
        )
        .map_err(pg_err)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Just past every word starting with `prefix` in byte order (`COLLATE "C"`): the prefix
/// followed by U+10FFFF, which is not alphanumeric and so never inside an indexed word.
fn word_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// One page's statement: `$1`, `$2` are the cursor (added_ns, pn), `$3` the batch size.
struct Plan {
    sql: String,
    params: Params,
}

impl Plan {
    fn param(&mut self, v: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(v));
        format!("${}", self.params.len() + 3)
    }
}

/// The statement for a page of `q` (see the module docs for the plan).
fn plan(c: &mut Session, q: &Query) -> Result<Plan> {
    let mut p = Plan {
        sql: String::new(),
        params: Vec::new(),
    };
    let texts: Vec<String> = q.text.as_deref().map(words).unwrap_or_default();
    let creator = q.creator.as_deref().map(normal_name);
    let agency = q.agency.as_deref().map(normal_name);
    // The first word drives when no name or year does and it stands for few enough words.
    let driving_words = match (&creator, &agency, q.year, texts.first()) {
        (None, None, None, Some(w)) => Some(words_starting(c, w, DRIVING_WORDS + 1)?)
            .filter(|ws| ws.len() as i64 <= DRIVING_WORDS),
        _ => None,
    };
    let after = "(added_ns, pn) > ($1, $2)";
    let driver = if let Some(name) = &creator {
        let v = p.param(name.clone());
        format!("SELECT added_ns, pn FROM photo_creator WHERE name = {v} AND {after}")
    } else if let Some(name) = &agency {
        let v = p.param(name.clone());
        format!("SELECT added_ns, pn FROM photo_agency WHERE name = {v} AND {after}")
    } else if let Some(y) = q.year {
        let v = p.param(y);
        format!("SELECT added_ns, pn FROM photo_year WHERE year = {v} AND {after}")
    } else if let Some(ws) = &driving_words {
        if ws.is_empty() {
            // The word is in no photo: nothing matches.
            format!("SELECT added_ns, pn FROM photos WHERE false AND {after}")
        } else {
            let branches: Vec<String> = ws
                .iter()
                .map(|w| {
                    let v = p.param(w.clone());
                    format!("(SELECT added_ns, pn FROM photo_word WHERE word = {v} AND {after})")
                })
                .collect();
            branches.join(" UNION ALL ")
        }
    } else if q.incomplete {
        format!("SELECT added_ns, pn FROM photos WHERE incomplete AND {after}")
    } else {
        format!("SELECT added_ns, pn FROM photos WHERE {after}")
    };
    let mut checks = Vec::new();
    if let (Some(name), true) = (&agency, creator.is_some()) {
        let v = p.param(name.clone());
        checks.push(format!(
            "EXISTS (SELECT 1 FROM photo_agency f WHERE f.pn = d.pn AND f.name = {v})"
        ));
    }
    if let (Some(y), true) = (q.year, creator.is_some() || agency.is_some()) {
        let v = p.param(y);
        checks.push(format!(
            "EXISTS (SELECT 1 FROM photo_year f WHERE f.pn = d.pn AND f.year = {v})"
        ));
    }
    let skip = usize::from(driving_words.is_some());
    for w in texts.iter().skip(skip) {
        let low = p.param(w.clone());
        let high = p.param(word_end(w));
        checks.push(format!(
            "EXISTS (SELECT 1 FROM photo_word f WHERE f.pn = d.pn AND f.word >= {low} \
             AND f.word < {high})"
        ));
    }
    if q.incomplete {
        checks.push("p.incomplete".into());
    }
    let filter = match checks.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", checks.join(" AND ")),
    };
    p.sql = format!(
        "SELECT d.added_ns, d.pn, p.record FROM ({driver}) d JOIN photos p ON p.pn = d.pn \
         {filter} ORDER BY d.added_ns, d.pn LIMIT $3"
    );
    Ok(p)
}

pub(super) fn pages(pg: Postgres, q: &Query, after: Option<After>) -> Result<PhotoPages> {
    let (plan, first) = pg.with(|c| {
        let plan = plan(c, q)?;
        let first = match after {
            Some((nanos, id)) => {
                let ns =
                    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX });
                // A cursor naming a photo this store does not know starts after every photo
                // added at that time.
                (ns, pn_of(c, &id)?.unwrap_or(i64::MAX))
            }
            None => (i64::MIN, i64::MIN),
        };
        Ok((plan, first))
    })?;
    Ok(Box::new(keyset(first, move |last: &(i64, i64)| {
        let rows = pg.with(|c| {
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&last.0, &last.1, &BATCH];
            params.extend(refs(&plan.params));
            c.client.query(&plan.sql, &params).map_err(pg_err)
        })?;
        let mut out: Vec<((i64, i64), Photo)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let key: (i64, i64) = (r.get(0), r.get(1));
            // A photo found through two words of one prefix comes twice, side by side.
            if out.last().is_some_and(|(k, _)| *k == key) {
                continue;
            }
            out.push((key, decode(r.get(2))?));
        }
        Ok((out, rows.len()))
    })))
}

pub(super) fn rendition(c: &mut Session, id: &BlobId) -> Result<Option<Rendition>> {
    let row = c
        .query_opt(
            "SELECT record FROM renditions WHERE id = $1 \
             ORDER BY photo, max_side, format, quality LIMIT 1",
            &[&id.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    row.map(|r| decode(r.get(0))).transpose()
}

pub(super) fn renditions_with_prefix(
    c: &mut Session,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Rendition>> {
    let (low, high) = id_range(prefix);
    let rows = c
        .query(
            "SELECT DISTINCT ON (id) record FROM renditions \
             WHERE id >= $1 AND ($2::bytea IS NULL OR id < $2) \
             ORDER BY id, photo, max_side, format, quality LIMIT $3",
            &[&low, &high, &as_i64(limit as u64)?],
        )
        .map_err(pg_err)?;
    rows.iter().map(|r| decode(r.get(0))).collect()
}

pub(super) fn renditions_of(c: &mut Session, photo: &BlobId) -> Result<Vec<Rendition>> {
    let rows = c
        .query(
            "SELECT record FROM renditions WHERE photo = $1 \
             ORDER BY id, max_side, format, quality",
            &[&photo.as_bytes().as_slice()],
        )
        .map_err(pg_err)?;
    rows.iter().map(|r| decode(r.get(0))).collect()
}

pub(super) fn photos_sharing_words(
    c: &mut Session,
    words: &[String],
) -> Result<Vec<(BlobId, usize)>> {
    let most = as_i64(COMMON_WORD as u64 + 1)?;
    let mut hits: BTreeMap<i64, usize> = BTreeMap::new();
    for w in words {
        let rows = c
            .query(
                "SELECT pn FROM photo_word WHERE word = $1 LIMIT $2",
                &[w, &most],
            )
            .map_err(pg_err)?;
        // A word in very many photos tells them apart too little to be worth reading.
        if rows.len() > COMMON_WORD {
            continue;
        }
        for r in rows {
            *hits.entry(r.get(0)).or_default() += 1;
        }
    }
    let pns: Vec<i64> = hits.keys().copied().collect();
    let rows = c
        .query("SELECT pn, id FROM photos WHERE pn = ANY($1)", &[&pns])
        .map_err(pg_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let n = hits.get(&r.get::<_, i64>(0)).copied().unwrap_or(0);
        out.push((id_from(r.get(1))?, n));
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// The use an event row records, checked to be use `n`.
fn use_of(n: i64, event: &str) -> Result<Use> {
    match decode::<Event>(event)?.change {
        Change::UseRecorded { usage } if i64::try_from(usage.id) == Ok(n) => Ok(usage),
        _ => Err(Error::Db(format!(
            "use {n} points at another event; run `byline reindex`"
        ))),
    }
}

pub(super) fn uses<'a>(
    pg: Postgres,
    photo: Option<&BlobId>,
    outlet: Option<&str>,
    after: Option<u64>,
) -> UsePages<'a> {
    let photo = photo.map(|p| p.as_bytes().to_vec());
    let outlet = outlet.map(normal_name);
    let first = after.map_or(0, |a| i64::try_from(a).unwrap_or(i64::MAX));
    Box::new(keyset(first, move |last: &i64| {
        let sql = "SELECT u.n, e.event FROM uses u JOIN events e ON e.seq = u.n \
                   WHERE u.n > $1 AND ($2::bytea IS NULL OR u.photo = $2) \
                   AND ($3::text IS NULL OR u.outlet = $3) ORDER BY u.n LIMIT $4";
        let rows = pg.with(|c| {
            c.query(sql, &[last, &photo, &outlet, &BATCH])
                .map_err(pg_err)
        })?;
        let out = rows
            .iter()
            .map(|r| {
                let n: i64 = r.get(0);
                Ok((n, use_of(n, r.get(1))?))
            })
            .collect::<Result<_>>()?;
        Ok((out, rows.len()))
    }))
}

pub(super) fn page_uses(
    c: &mut Session,
    photo: &BlobId,
    outlet: &str,
    url: &str,
) -> Result<Vec<Use>> {
    let rows = c
        .query(
            "SELECT u.n, e.event FROM uses u JOIN events e ON e.seq = u.n \
             WHERE u.photo = $1 AND u.page = $2 ORDER BY u.n",
            &[
                &photo.as_bytes().as_slice(),
                &page_key(outlet, url).as_slice(),
            ],
        )
        .map_err(pg_err)?;
    rows.iter().map(|r| use_of(r.get(0), r.get(1))).collect()
}

pub(super) fn similar(
    c: &mut Session,
    fp: u64,
    bits: u32,
    limit: usize,
) -> Result<Vec<(BlobId, u32)>> {
    // A photo has several fingerprints (whole picture and crops): its nearest one counts.
    let rows = c
        .query(
            "SELECT p.id, f.d FROM ( \
                 SELECT pn, min(bit_count((fp # $1)::bit(64))) AS d FROM fingerprints \
                 GROUP BY pn \
             ) f JOIN photos p ON p.pn = f.pn WHERE f.d <= $2 ORDER BY f.d, p.id LIMIT $3",
            &[
                &i64::from_be_bytes(fp.to_be_bytes()),
                &i64::from(bits),
                &as_i64(limit as u64)?,
            ],
        )
        .map_err(pg_err)?;
    rows.iter()
        .map(|r| {
            let d = u32::try_from(r.get::<_, i64>(1)).unwrap_or(u32::MAX);
            Ok((id_from(r.get(0))?, d))
        })
        .collect()
}

pub(super) fn tokens(c: &mut Session) -> Result<Vec<Token>> {
    let rows = c
        .query("SELECT record FROM tokens ORDER BY name COLLATE \"C\"", &[])
        .map_err(pg_err)?;
    rows.iter().map(|r| decode(r.get(0))).collect()
}

/// Every event about a photo must have that photo's row (a photo's history is its events,
/// so nothing else can be missing from it); the mismatches.
pub(super) fn check_events(c: &mut Session) -> Result<Vec<String>> {
    let rows = c
        .query(
            "SELECT e.seq, e.photo FROM events e WHERE e.photo IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = e.photo) ORDER BY e.seq \
             LIMIT 1001",
            &[],
        )
        .map_err(pg_err)?;
    rows.iter()
        .map(|r| {
            let seq: i64 = r.get(0);
            Ok(format!(
                "{}: event {seq} is not in the index",
                id_from(r.get(1))?
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_prefixes_become_byte_ranges() {
        assert_eq!(id_range("ab"), (vec![0xab], Some(vec![0xac])));
        assert_eq!(id_range("abc"), (vec![0xab, 0xc0], Some(vec![0xab, 0xd0])));
        assert_eq!(id_range("af"), (vec![0xaf], Some(vec![0xb0])));
        assert_eq!(id_range("ff"), (vec![0xff], None));
        assert_eq!(id_range("1ff"), (vec![0x1f, 0xf0], Some(vec![0x20])));
    }
}
