//! The PostgreSQL schema, as numbered migrations applied in order at connect.
//!
//! All pending migrations run in one transaction that first takes a transaction-scoped
//! advisory lock, so servers starting at once wait for each other and each migration is
//! applied exactly once; a failed migration leaves the schema as it was (DDL is
//! transactional in PostgreSQL). A database migrated by a newer byline is refused.

use postgres::Client;

use super::pg_err;
use crate::error::{Error, Result};

/// The advisory lock key that serialises migrations ("byline" in ASCII).
const LOCK: i64 = 0x6279_6c69_6e65;

/// The migrations, version `i + 1` at index `i`. Append; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the events (the truth) and the photo records with their list filters.
    "CREATE TABLE events (
         seq bigserial PRIMARY KEY,
         photo bytea,
         revises boolean NOT NULL,
         event jsonb NOT NULL
     );
     CREATE INDEX events_photo ON events (photo, seq) WHERE photo IS NOT NULL;
     CREATE TABLE photos (
         id bytea PRIMARY KEY,
         pn bigint NOT NULL UNIQUE,
         added_ns bigint NOT NULL,
         record jsonb NOT NULL,
         agency text,
         creators text[] NOT NULL,
         year integer,
         words text[] NOT NULL,
         incomplete boolean NOT NULL
     );
     CREATE INDEX photos_added ON photos (added_ns, pn);
     CREATE INDEX photos_agency ON photos (agency, added_ns, pn);
     CREATE INDEX photos_year ON photos (year, added_ns, pn);
     CREATE INDEX photos_incomplete ON photos (added_ns, pn) WHERE incomplete;
     CREATE INDEX photos_creators ON photos USING gin (creators);",
];

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
        .query_one("SELECT coalesce(max(version), 0) FROM byline_migrations", &[])
        .map_err(pg_err)?;
    let at = usize::try_from(row.get::<_, i32>(0)).unwrap_or(0);
    if at > MIGRATIONS.len() {
        return Err(Error::Db(format!(
            "the database was migrated by a newer byline (schema {at}; this version knows {})",
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
