//! The PostgreSQL schema, as numbered migrations applied in order when a store is opened.
//!
//! All pending migrations run in one transaction that first takes a transaction-scoped
//! advisory lock, so servers starting at once wait for each other and each migration is
//! applied exactly once; a failed migration leaves the schema as it was (DDL is
//! transactional in PostgreSQL). A database migrated by a newer byline is refused.
//!
//! Text that is compared or ranged (names, words) is `COLLATE "C"`: byte order, as the sled
//! index sorts, whatever the database's locale, so a word prefix is a range.

use postgres::Client;

use super::pg_err;
use crate::error::{Error, Result};

/// The advisory lock key that serialises migrations ("byline" in ASCII).
const LOCK: i64 = 0x6279_6c69_6e65;

/// The migrations, version `i + 1` at index `i`. Append; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the events (the truth), settings, and the index tables derived from the events.
    r#"
    CREATE SEQUENCE events_seq;
    -- The truth: every change, numbered by events_seq. `photo` is the photo the event
    -- concerns, so a photo's history is one index range.
    CREATE TABLE events (
        seq bigint PRIMARY KEY,
        photo bytea,
        event text NOT NULL
    );
    CREATE INDEX events_photo ON events (photo, seq) WHERE photo IS NOT NULL;
    -- What every server must agree on: the store's config.toml (with the blob bucket).
    CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL
    );
    -- A photo's current record; `pn` is the number of the event that added it, so photos
    -- sort by (added_ns, pn) as the sled index sorts them.
    CREATE TABLE photos (
        pn bigint PRIMARY KEY,
        id bytea NOT NULL UNIQUE,
        added_ns bigint NOT NULL,
        revision bigint NOT NULL,
        incomplete boolean NOT NULL,
        record text NOT NULL
    );
    CREATE INDEX photos_added ON photos (added_ns, pn);
    CREATE INDEX photos_incomplete ON photos (added_ns, pn) WHERE incomplete;
    -- The list filters: each a sorted range of (added_ns, pn) per value to page through,
    -- plus (pn, value) to check one photo against it.
    CREATE TABLE photo_agency (
        name text COLLATE "C" NOT NULL, added_ns bigint NOT NULL, pn bigint NOT NULL,
        PRIMARY KEY (name, added_ns, pn)
    );
    CREATE INDEX photo_agency_pn ON photo_agency (pn, name);
    CREATE TABLE photo_creator (
        name text COLLATE "C" NOT NULL, added_ns bigint NOT NULL, pn bigint NOT NULL,
        PRIMARY KEY (name, added_ns, pn)
    );
    CREATE INDEX photo_creator_pn ON photo_creator (pn, name);
    CREATE TABLE photo_year (
        year integer NOT NULL, added_ns bigint NOT NULL, pn bigint NOT NULL,
        PRIMARY KEY (year, added_ns, pn)
    );
    CREATE INDEX photo_year_pn ON photo_year (pn, year);
    CREATE TABLE photo_word (
        word text COLLATE "C" NOT NULL, added_ns bigint NOT NULL, pn bigint NOT NULL,
        PRIMARY KEY (word, added_ns, pn)
    );
    CREATE INDEX photo_word_pn ON photo_word (pn, word);
    -- Perceptual fingerprints (whole picture and standard crops), compared by a scan.
    CREATE TABLE fingerprints (
        pn bigint NOT NULL, fp bigint NOT NULL,
        PRIMARY KEY (pn, fp)
    );
    CREATE TABLE renditions (
        id bytea NOT NULL, photo bytea NOT NULL, max_side integer NOT NULL,
        format smallint NOT NULL, quality smallint NOT NULL, record text NOT NULL,
        PRIMARY KEY (id, photo, max_side, format, quality)
    );
    CREATE INDEX renditions_photo ON renditions (photo, id);
    -- Uses point at their event (n is its seq); `page` is a hash of outlet and URL.
    CREATE TABLE uses (
        n bigint PRIMARY KEY, photo bytea NOT NULL, outlet text COLLATE "C" NOT NULL,
        page bytea NOT NULL
    );
    CREATE INDEX uses_photo ON uses (photo, n);
    CREATE INDEX uses_outlet ON uses (outlet, n);
    CREATE INDEX uses_page ON uses (photo, page, n);
    CREATE TABLE tokens (
        name text PRIMARY KEY,
        record text NOT NULL
    );
    "#,
    // 2: the servers using the store (`servers.rs`), so moving it out can refuse while one
    // runs. Not derived from the events: a reindex leaves it alone.
    r#"
    CREATE TABLE servers (
        id bigserial PRIMARY KEY,
        host text NOT NULL,
        pid bigint NOT NULL,
        listen text NOT NULL,
        started timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now()
    );
    "#,
];

/// The tables derived from the events, emptied by a reindex.
pub(super) const INDEX_TABLES: &str = "photos, photo_agency, photo_creator, photo_year, \
                                       photo_word, fingerprints, renditions, uses, tokens";

/// Bring the schema up to [`MIGRATIONS`]; returns the version it is at.
pub(super) fn migrate(client: &mut Client) -> Result<usize> {
    let mut tx = client.transaction().map_err(pg_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .map_err(pg_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS byline_migrations (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .map_err(pg_err)?;
    let row = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM byline_migrations",
            &[],
        )
        .map_err(pg_err)?;
    let at = usize::try_from(row.get::<_, i32>(0)).unwrap_or(0);
    if at > MIGRATIONS.len() {
        return Err(Error::Db(format!(
            "the database was migrated by a newer byline (schema {at}; this version knows {}); \
             upgrade byline on this machine",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(at) {
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.batch_execute(sql).map_err(pg_err)?;
        tx.execute(
            "INSERT INTO byline_migrations (version) VALUES ($1)",
            &[&version],
        )
        .map_err(pg_err)?;
    }
    tx.commit().map_err(pg_err)?;
    Ok(MIGRATIONS.len())
}
