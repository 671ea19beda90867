//! Writes: events committed with their index rows in one transaction, and the index tables
//! rebuilt from the events.

use std::collections::HashSet;

use postgres::{Client, Transaction};

use super::{as_i64, as_u64, decode, encode, listen, pg_err, schema};
use crate::db::{indexed_words, normal_name, prints_of};
use crate::edit;
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Change, Event, OutputFormat, Photo, Rendition, Status};
use crate::records::{Committed, Fill, number, stale};

/// Events read per round trip when replaying them.
const EVENTS_PER_FETCH: i32 = 1000;

/// Commit `events` in one transaction (see [`crate::records::Records::commit`]).
pub(super) fn commit(
    client: &mut Client,
    events: Vec<Event>,
    expect: &[(BlobId, u64)],
) -> Result<Committed> {
    let mut tx = client.transaction().map_err(pg_err)?;
    lock_photos(&mut tx, &events, expect)?;
    for (id, revision) in expect {
        // Locked until the commit: no other writer can change it in between.
        let row = tx
            .query_opt(
                "SELECT revision FROM photos WHERE id = $1 FOR UPDATE",
                &[&id.as_bytes().as_slice()],
            )
            .map_err(pg_err)?;
        let now = row.map(|r| as_u64(r.get(0))).transpose()?;
        if now != Some(*revision) {
            return Err(stale(id, *revision, now));
        }
    }
    let mut out = Committed::default();
    let mut seen = HashSet::new();
    for e in events {
        if let Change::PhotoAdded { photo } = &e.change
            && !seen.insert(photo.id)
        {
            out.duplicates.push(photo.id);
            continue;
        }
        let id = e.change.photo_id();
        match apply(&mut tx, e, false)? {
            Some(e) => out.events.push(e),
            None => out.duplicates.extend(id),
        }
    }
    // Every server keeping answers computed from these photos forgets them once this commits.
    let changed: Vec<BlobId> = out
        .events
        .iter()
        .filter_map(|e| e.change.photo_id())
        .collect();
    listen::notify(&mut tx, &changed)?;
    tx.commit().map_err(pg_err)?;
    Ok(out)
}

/// Take a transaction-scoped advisory lock for every photo the batch touches, in one order
/// for every writer: two writers whose batches share photos (the same file added by both,
/// in any order) then wait for each other instead of deadlocking on the rows.
fn lock_photos(tx: &mut Transaction<'_>, events: &[Event], expect: &[(BlobId, u64)]) -> Result<()> {
    let mut keys: Vec<i64> = events
        .iter()
        .filter_map(|e| e.change.photo_id())
        .chain(expect.iter().map(|(id, _)| *id))
        .map(|id| {
            let b = id.as_bytes();
            i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // `OFFSET 0` keeps the sort below the locking, so locks are taken in key order.
    tx.execute(
        "SELECT pg_advisory_xact_lock(k) FROM \
         (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k OFFSET 0) AS sorted",
        &[&keys],
    )
    .map_err(pg_err)?;
    Ok(())
}

/// Empty the index tables and replay every event into them, in one transaction that keeps
/// writers out (they wait, then go on) and shows readers the old index until it commits.
pub(super) fn reindex(client: &mut Client, fill: &Fill) -> Result<()> {
    let mut tx = client.transaction().map_err(pg_err)?;
    tx.batch_execute(&format!(
        "LOCK TABLE events IN SHARE MODE; TRUNCATE {}",
        schema::INDEX_TABLES
    ))
    .map_err(pg_err)?;
    let portal = tx
        .bind("SELECT event FROM events ORDER BY seq", &[])
        .map_err(pg_err)?;
    loop {
        let rows = tx.query_portal(&portal, EVENTS_PER_FETCH).map_err(pg_err)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let event: Event = decode(row.get(0))?;
            let event = fill(&event).unwrap_or(event);
            apply(&mut tx, event, true)?;
        }
    }
    listen::notify_everything(&mut tx)?;
    tx.commit().map_err(pg_err)
}

/// Apply one event in `tx`: number it (unless `replay`, which keeps its number), update the
/// index rows it changes and, unless replaying, insert it into `events`. Returns it as
/// stored, or `None` for the add of a photo that is already stored.
fn apply(tx: &mut Transaction<'_>, mut event: Event, replay: bool) -> Result<Option<Event>> {
    let id = event.change.photo_id();
    let key = id.map(|id| id.as_bytes().to_vec());
    // What the event applies to, locked first so one photo's events are numbered in the
    // order they are applied.
    let before: Option<(i64, Photo)> = match (&event.change, &key) {
        (Change::FieldsEdited { .. }, Some(k)) => {
            let row = tx
                .query_opt(
                    "SELECT pn, record FROM photos WHERE id = $1 FOR UPDATE",
                    &[k],
                )
                .map_err(pg_err)?;
            match row {
                Some(r) => Some((r.get(0), decode(r.get(1))?)),
                None => None,
            }
        }
        (Change::RenditionMade { .. } | Change::UseRecorded { .. }, Some(k)) => {
            let row = tx
                .query_opt("SELECT pn FROM photos WHERE id = $1 FOR KEY SHARE", &[k])
                .map_err(pg_err)?;
            if row.is_none() {
                return Err(Error::Corrupt(format!(
                    "event {} refers to photo {}, which was never added",
                    event.seq,
                    id.map(|i| i.to_string()).unwrap_or_default()
                )));
            }
            None
        }
        _ => None,
    };
    if !replay {
        let row = tx
            .query_one("SELECT nextval('events_seq')", &[])
            .map_err(pg_err)?;
        number(&mut event, as_u64(row.get(0))?);
    }
    let seq = as_i64(event.seq)?;
    match &event.change {
        Change::PhotoAdded { .. } => {
            let Some(photo) = edit::apply(None, &event)? else {
                return Err(Error::Corrupt(format!("event {seq} adds no photo")));
            };
            if !insert_photo(tx, &photo, seq)? {
                return Ok(None);
            }
        }
        Change::FieldsEdited { .. } => {
            let Some((pn, old)) = before else {
                return Err(Error::Corrupt(format!(
                    "event {seq} edits a photo that was never added"
                )));
            };
            let old_keys = Keys::of(&old);
            let Some(photo) = edit::apply(Some(old), &event)? else {
                return Err(Error::Corrupt(format!(
                    "event {seq} leaves its photo without a record"
                )));
            };
            update_photo(tx, &photo, pn, &old_keys)?;
        }
        Change::RenditionMade { rendition } => insert_rendition(tx, rendition)?,
        Change::UseRecorded { usage } => {
            tx.execute(
                "INSERT INTO uses (n, photo, outlet, page) VALUES ($1, $2, $3, $4)",
                &[
                    &seq,
                    &usage.photo.as_bytes().as_slice(),
                    &normal_name(&usage.outlet),
                    &page_key(&usage.outlet, &usage.url).as_slice(),
                ],
            )
            .map_err(pg_err)?;
        }
        Change::TokenCreated { name, .. } => {
            let token = event.change.created_token(event.at);
            tx.execute(
                "INSERT INTO tokens (name, record) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
                &[name, &encode(&token)?],
            )
            .map_err(pg_err)?;
        }
        Change::TokenRevoked { name } => {
            tx.execute("DELETE FROM tokens WHERE name = $1", &[name])
                .map_err(pg_err)?;
        }
    }
    if !replay {
        tx.execute(
            "INSERT INTO events (seq, photo, event) VALUES ($1, $2, $3)",
            &[&seq, &key, &encode(&event)?],
        )
        .map_err(pg_err)?;
    }
    Ok(Some(event))
}

/// What a record is found by in the filter tables, normalised as the sled index keys it.
#[derive(PartialEq)]
struct Keys {
    added_ns: i64,
    agency: Option<String>,
    creators: Vec<String>,
    year: Option<i32>,
    words: Vec<String>,
}

impl Keys {
    fn of(p: &Photo) -> Keys {
        let f = &p.fields;
        let mut creators: Vec<String> = f.creators.iter().map(|c| normal_name(c)).collect();
        creators.sort();
        creators.dedup();
        Keys {
            added_ns: added_ns(p),
            agency: f.agency.as_deref().map(normal_name),
            creators,
            year: f.year,
            words: indexed_words(p),
        }
    }
}

/// A photo's `added_at` in ns, clamped to what `bigint` holds (years 1677 to 2262; a time
/// outside them still sorts first or last).
fn added_ns(p: &Photo) -> i64 {
    let ns = p.added_at.as_nanosecond();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// Insert a new photo numbered `pn` with its filter rows and fingerprints; `false` when its
/// id is already stored.
fn insert_photo(tx: &mut Transaction<'_>, p: &Photo, pn: i64) -> Result<bool> {
    let keys = Keys::of(p);
    let n = tx
        .execute(
            "INSERT INTO photos (pn, id, added_ns, revision, incomplete, record) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[
                &pn,
                &p.id.as_bytes().as_slice(),
                &keys.added_ns,
                &as_i64(p.revision)?,
                &(p.status == Status::Incomplete),
                &encode(p)?,
            ],
        )
        .map_err(pg_err)?;
    if n == 0 {
        return Ok(false);
    }
    insert_keys(tx, &keys, pn)?;
    // Fingerprints are the original's: only an add sets them.
    let prints: Vec<i64> = prints_of(p)
        .into_iter()
        .map(|fp| i64::from_be_bytes(fp.to_be_bytes()))
        .collect();
    tx.execute(
        "INSERT INTO fingerprints (pn, fp) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        &[&pn, &prints],
    )
    .map_err(pg_err)?;
    Ok(true)
}

/// Store an edited record, rewriting its filter rows when what it is found by changed.
fn update_photo(tx: &mut Transaction<'_>, p: &Photo, pn: i64, old: &Keys) -> Result<()> {
    tx.execute(
        "UPDATE photos SET revision = $2, incomplete = $3, record = $4 WHERE pn = $1",
        &[
            &pn,
            &as_i64(p.revision)?,
            &(p.status == Status::Incomplete),
            &encode(p)?,
        ],
    )
    .map_err(pg_err)?;
    let keys = Keys::of(p);
    if keys != *old {
        tx.execute("DELETE FROM photo_agency WHERE pn = $1", &[&pn])
            .map_err(pg_err)?;
        tx.execute("DELETE FROM photo_creator WHERE pn = $1", &[&pn])
            .map_err(pg_err)?;
        tx.execute("DELETE FROM photo_year WHERE pn = $1", &[&pn])
            .map_err(pg_err)?;
        tx.execute("DELETE FROM photo_word WHERE pn = $1", &[&pn])
            .map_err(pg_err)?;
        insert_keys(tx, &keys, pn)?;
    }
    Ok(())
}

fn insert_keys(tx: &mut Transaction<'_>, k: &Keys, pn: i64) -> Result<()> {
    let agency: Vec<&String> = k.agency.iter().collect();
    let year: Vec<i32> = k.year.into_iter().collect();
    for (table, column, values) in [
        (
            "photo_agency",
            "name",
            &agency as &(dyn postgres::types::ToSql + Sync),
        ),
        ("photo_creator", "name", &k.creators),
        ("photo_word", "word", &k.words),
    ] {
        tx.execute(
            &format!(
                "INSERT INTO {table} ({column}, added_ns, pn) \
                 SELECT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING"
            ),
            &[values, &k.added_ns, &pn],
        )
        .map_err(pg_err)?;
    }
    tx.execute(
        "INSERT INTO photo_year (year, added_ns, pn) SELECT unnest($1::integer[]), $2, $3",
        &[&year, &k.added_ns, &pn],
    )
    .map_err(pg_err)?;
    Ok(())
}

/// Store a rendition record; two presets giving the same bytes keep a record each.
fn insert_rendition(tx: &mut Transaction<'_>, r: &Rendition) -> Result<()> {
    let max_side = i32::try_from(r.spec.max_side).unwrap_or(i32::MAX);
    let format: i16 = match r.spec.format {
        OutputFormat::Jpeg => 0,
        OutputFormat::Webp => 1,
    };
    tx.execute(
        "INSERT INTO renditions (id, photo, max_side, format, quality, record) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id, photo, max_side, format, quality) DO UPDATE SET record = EXCLUDED.record",
        &[
            &r.id.as_bytes().as_slice(),
            &r.photo.as_bytes().as_slice(),
            &max_side,
            &format,
            &i16::from(r.spec.quality),
            &encode(r)?,
        ],
    )
    .map_err(pg_err)?;
    Ok(())
}

/// The key of a published page: the first 16 bytes of blake3(normalised outlet ‖ 0 ‖ URL),
/// short whatever the URL; pages whose keys collide are told apart by the caller.
pub(super) fn page_key(outlet: &str, url: &str) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    h.update(normal_name(outlet).as_bytes());
    h.update(&[0]);
    h.update(url.as_bytes());
    let mut k = [0; 16];
    k.copy_from_slice(&h.finalize().as_bytes()[..16]);
    k
}
