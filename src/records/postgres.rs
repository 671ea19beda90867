//! [`Postgres`]: the records of a store shared by several servers, in PostgreSQL.
//!
//! The `events` table is the truth, numbered by its sequence; `photos` holds each photo's
//! current record and the columns the list filters read. Both are written in one transaction
//! per commit, so an index row never exists without its event, nor an event without its rows.
//! Renditions, uses and tokens are kept as events (nothing is lost) but have no index tables
//! yet.
//!
//! Several writers at once: a photo row is locked (`FOR UPDATE`) before its event takes a
//! number, so the events of one photo are numbered in the order they were applied and a
//! replay by number rebuilds the same record. Adding bytes already stored inserts nothing
//! (`ON CONFLICT DO NOTHING` on the photo's id, which waits for a concurrent insert of the
//! same id to commit or roll back), so the same bytes added at once give one record.
//!
//! Schema migrations are numbered, run at connect in one transaction under an advisory lock,
//! so two servers starting at once apply each exactly once.

mod schema;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Transaction};

use super::{Records, without_duplicates};
use crate::db::{After, Query, normal_name, words};
use crate::edit;
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Change, Event, Photo, Status};

/// Events read per round trip when streaming them.
const EVENTS_PER_FETCH: i32 = 1000;

/// A connection to the database holding a store's records.
pub struct Postgres {
    client: Client,
}

/// A PostgreSQL error as ours: one the server answered is [`Error::Db`]; a connection that
/// failed or broke is [`Error::Unavailable`] (it may work again later).
fn pg_err(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Db(format!("postgresql: {}", db.message())),
        None => Error::Unavailable(format!("postgresql: {e}")),
    }
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Corrupt(format!("a record in postgresql does not parse: {e}"))
}

impl Postgres {
    /// Connect with a libpq-style connection string (`postgres://user@host/db` or
    /// `host=… user=…`) and bring the schema up to this version.
    pub fn connect(url: &str) -> Result<Postgres> {
        let mut client = Client::connect(url, NoTls).map_err(pg_err)?;
        schema::migrate(&mut client)?;
        Ok(Postgres { client })
    }
}

impl Records for Postgres {
    fn commit(&mut self, events: Vec<Event>) -> Result<Vec<Event>> {
        let mut tx = self.client.transaction().map_err(pg_err)?;
        // Within the batch; ids stored by others are found by the insert itself.
        let events = without_duplicates(events, |_| Ok(false))?;
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            if let Some(e) = apply(&mut tx, e, None)? {
                out.push(e);
            }
        }
        tx.commit().map_err(pg_err)?;
        Ok(out)
    }

    fn photo(&mut self, id: &BlobId) -> Result<Option<Photo>> {
        let row = self
            .client
            .query_opt(
                "SELECT record::text FROM photos WHERE id = $1",
                &[&id.as_bytes().as_slice()],
            )
            .map_err(pg_err)?;
        row.map(|r| serde_json::from_str(r.get(0)).map_err(json_err))
            .transpose()
    }

    fn history(&mut self, id: &BlobId) -> Result<Vec<Event>> {
        let rows = self
            .client
            .query(
                "SELECT event::text FROM events WHERE photo = $1 AND revises ORDER BY seq",
                &[&id.as_bytes().as_slice()],
            )
            .map_err(pg_err)?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get(0)).map_err(json_err))
            .collect()
    }

    fn list(&mut self, q: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>> {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut sql = String::from("SELECT record::text FROM photos WHERE true");
        let mut param = |sql: &mut String, cond: &str, v: Box<dyn ToSql + Sync>| {
            params.push(v);
            sql.push_str(&cond.replace('?', &format!("${}", params.len())));
        };
        if let Some(a) = &q.agency {
            param(&mut sql, " AND agency = ?", Box::new(normal_name(a)));
        }
        if let Some(c) = &q.creator {
            param(&mut sql, " AND ? = ANY(creators)", Box::new(normal_name(c)));
        }
        if let Some(y) = q.year {
            param(&mut sql, " AND year = ?", Box::new(y));
        }
        for w in q.text.as_deref().map(words).unwrap_or_default() {
            let cond = " AND EXISTS (SELECT 1 FROM unnest(words) w WHERE starts_with(w, ?))";
            param(&mut sql, cond, Box::new(w));
        }
        if q.incomplete {
            sql.push_str(" AND incomplete");
        }
        if let Some((nanos, id)) = after {
            // A cursor naming a photo this store does not know starts after every photo
            // added at that time.
            let nanos = i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX });
            param(&mut sql, " AND (added_ns, pn) > (?, ", Box::new(nanos));
            let id = id.as_bytes().to_vec();
            let cond = "COALESCE((SELECT pn FROM photos WHERE id = ?), 9223372036854775807))";
            param(&mut sql, cond, Box::new(id));
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        param(&mut sql, " ORDER BY added_ns, pn LIMIT ?", Box::new(limit));
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let rows = self.client.query(&sql, &refs).map_err(pg_err)?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get(0)).map_err(json_err))
            .collect()
    }

    fn len(&mut self) -> Result<u64> {
        let row = self
            .client
            .query_one("SELECT count(*) FROM photos", &[])
            .map_err(pg_err)?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    fn events(
        &mut self,
        from_seq: u64,
        each: &mut dyn FnMut(&[Event]) -> Result<()>,
    ) -> Result<()> {
        let mut tx = self.client.transaction().map_err(pg_err)?;
        stream_events(&mut tx, from_seq, |_, chunk| each(chunk))?;
        tx.commit().map_err(pg_err)
    }

    fn reindex(&mut self) -> Result<()> {
        let mut tx = self.client.transaction().map_err(pg_err)?;
        // Writers wait (their photo rows are locked first) until the rebuild commits.
        tx.batch_execute("LOCK TABLE photos IN ACCESS EXCLUSIVE MODE; TRUNCATE photos")
            .map_err(pg_err)?;
        let mut replayed = Vec::new();
        stream_events(&mut tx, 1, |tx, chunk| {
            replayed.clear();
            replayed.extend_from_slice(chunk);
            for e in replayed.drain(..) {
                let seq = e.seq;
                apply(tx, e, Some(seq))?;
            }
            Ok(())
        })?;
        tx.commit().map_err(pg_err)
    }
}

/// Every event from `from_seq` on, in order, a fetch at a time, through a portal (so
/// `each` may run statements in the same transaction between fetches).
fn stream_events(
    tx: &mut Transaction<'_>,
    from_seq: u64,
    mut each: impl FnMut(&mut Transaction<'_>, &[Event]) -> Result<()>,
) -> Result<()> {
    let from = i64::try_from(from_seq).unwrap_or(i64::MAX);
    let portal = tx
        .bind(
            "SELECT event::text FROM events WHERE seq >= $1 ORDER BY seq",
            &[&from],
        )
        .map_err(pg_err)?;
    loop {
        let rows = tx.query_portal(&portal, EVENTS_PER_FETCH).map_err(pg_err)?;
        if rows.is_empty() {
            return Ok(());
        }
        let chunk = rows
            .iter()
            .map(|r| serde_json::from_str(r.get(0)).map_err(json_err))
            .collect::<Result<Vec<Event>>>()?;
        each(tx, &chunk)?;
    }
}

/// Apply one event in `tx`: number it (or keep `replay`'s number), update the photo's rows,
/// and, unless replaying, insert it into `events`. Returns it as stored, or `None` for the
/// add of a photo already stored.
fn apply(tx: &mut Transaction<'_>, mut event: Event, replay: Option<u64>) -> Result<Option<Event>> {
    let photo = event.change.photo_id();
    let before = match (&event.change, photo) {
        (Change::FieldsEdited { .. }, Some(id)) => {
            let row = tx
                .query_opt(
                    "SELECT record::text FROM photos WHERE id = $1 FOR UPDATE",
                    &[&id.as_bytes().as_slice()],
                )
                .map_err(pg_err)?;
            let text: Option<String> = row.map(|r| r.get(0));
            text.map(|t| serde_json::from_str::<Photo>(&t).map_err(json_err))
                .transpose()?
        }
        _ => None,
    };
    let seq = match replay {
        Some(seq) => seq,
        None => next_seq(tx)?,
    };
    event.seq = seq;
    if event.change.changes_record() {
        let after = edit::apply(before, &event)?.ok_or_else(|| {
            Error::Corrupt(format!("event {seq} leaves its photo without a record"))
        })?;
        let row = Row::of(&after)?;
        let stored = match &event.change {
            Change::PhotoAdded { .. } => insert_photo(tx, &row, seq)?,
            _ => update_photo(tx, &row)?,
        };
        if !stored {
            return Ok(None);
        }
    }
    if replay.is_none() {
        let json = serde_json::to_string(&event).map_err(|e| Error::Db(e.to_string()))?;
        let photo = photo.map(|id| id.as_bytes().to_vec());
        tx.execute(
            "INSERT INTO events (seq, photo, revises, event) VALUES ($1, $2, $3, $4::text::jsonb)",
            &[&as_i64(seq)?, &photo, &event.change.changes_record(), &json],
        )
        .map_err(pg_err)?;
    }
    Ok(Some(event))
}

fn as_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::Db(format!("{n} is past what postgresql's bigint holds")))
}

fn next_seq(tx: &mut Transaction<'_>) -> Result<u64> {
    let row = tx
        .query_one("SELECT nextval('events_seq_seq')", &[])
        .map_err(pg_err)?;
    u64::try_from(row.get::<_, i64>(0)).map_err(|_| Error::Db("a negative event number".into()))
}

/// A photo's row: its record and the columns the list filters read, normalised as the sled
/// index keys them (`db::key`).
struct Row {
    id: Vec<u8>,
    added_ns: i64,
    record: String,
    agency: Option<String>,
    creators: Vec<String>,
    year: Option<i32>,
    words: Vec<String>,
    incomplete: bool,
}

impl Row {
    fn of(p: &Photo) -> Result<Row> {
        let f = &p.fields;
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
        ];
        let mut all: Vec<String> = texts
            .into_iter()
            .flatten()
            .chain(f.keywords.iter())
            .flat_map(|t| words(t))
            .collect();
        all.sort();
        all.dedup();
        Ok(Row {
            id: p.id.as_bytes().to_vec(),
            added_ns: i64::try_from(p.added_at.as_nanosecond())
                .map_err(|_| Error::InvalidInput(format!("photo {} has no storable time", p.id)))?,
            record: serde_json::to_string(p).map_err(|e| Error::Db(e.to_string()))?,
            agency: f.agency.as_deref().map(normal_name),
            creators: f.creators.iter().map(|c| normal_name(c)).collect(),
            year: f.year,
            words: all,
            incomplete: p.status == Status::Incomplete,
        })
    }
}

/// Insert a new photo numbered `pn`; `false` when its id is already stored.
fn insert_photo(tx: &mut Transaction<'_>, r: &Row, pn: u64) -> Result<bool> {
    let n = tx
        .execute(
            "INSERT INTO photos (id, pn, added_ns, record, agency, creators, year, words, \
             incomplete) VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO NOTHING",
            &[
                &r.id,
                &as_i64(pn)?,
                &r.added_ns,
                &r.record,
                &r.agency,
                &r.creators,
                &r.year,
                &r.words,
                &r.incomplete,
            ],
        )
        .map_err(pg_err)?;
    Ok(n == 1)
}

fn update_photo(tx: &mut Transaction<'_>, r: &Row) -> Result<bool> {
    let n = tx
        .execute(
            "UPDATE photos SET record = $2::text::jsonb, agency = $3, creators = $4, year = $5, \
             words = $6, incomplete = $7 WHERE id = $1",
            &[
                &r.id,
                &r.record,
                &r.agency,
                &r.creators,
                &r.year,
                &r.words,
                &r.incomplete,
            ],
        )
        .map_err(pg_err)?;
    Ok(n == 1)
}
