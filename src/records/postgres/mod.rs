//! [`Postgres`]: the records of a store shared by several servers, in PostgreSQL.
//!
//! The `events` table is the truth, numbered by a sequence; the index tables (`photos` with
//! its list filters, fingerprints, renditions, uses, tokens; `schema.rs`) are written in the
//! same transaction as the events they derive from (`write.rs`), so an index row never exists
//! without its event, nor an event without its rows. Reads (`read.rs`) take a connection from
//! a small pool for each query; pages are keyset pages fetched as they are iterated.
//!
//! Several writers at once, with no store lock:
//! - a photo's row is locked (`FOR UPDATE`) before its event takes a number, so the events of
//!   one photo are numbered in the order they were applied and a replay by number rebuilds
//!   the same record;
//! - adding bytes already stored inserts nothing (`ON CONFLICT DO NOTHING` on the photo's
//!   id, which waits for a concurrent insert of the same id to commit or roll back), so the
//!   same bytes added at once give one record, and the loser reports a duplicate;
//! - an edit checks, under that lock, that the photo is still at the revision it was made on.
//!
//! Never touches blobs, sled or the journal file.

mod listen;
mod pool;
mod read;
mod schema;
mod servers;
mod write;

pub use listen::{Changed, OnChange, Watch};
pub use servers::Server;

use std::sync::Arc;
use std::time::Duration;

use postgres::Client;

use super::{Committed, Fill, PhotoPages, Records, UsePages};
use crate::db::{After, Query};
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Event, Photo, Rendition, Token, Use};

use pool::{Manager, Session};

type Pool = r2d2::Pool<Manager>;
type Conn = r2d2::PooledConnection<Manager>;

/// Connections kept open per process: a server's reader threads and its one writer.
const POOL_SIZE: u32 = 16;

/// How long to wait for a connection before answering "unavailable".
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The records of a store in a PostgreSQL database. Cloning gives another handle on the
/// same pool.
#[derive(Clone)]
pub struct Postgres {
    pool: Arc<Connections>,
    /// The URL connected to, its password hidden (for messages).
    url: Arc<str>,
    /// How to connect, for a connection outside the pool ([`Postgres::watch`]).
    config: Arc<postgres::Config>,
}

/// The pool, closed where closing may block: the synchronous client waits on a runtime of
/// its own as each connection closes, which tokio forbids on a thread driving one (where
/// `byline serve` drops its library when it stops), so there they close on a thread of
/// their own. `None` only while being dropped.
struct Connections(Option<Pool>);

impl Drop for Connections {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            // A panic there would only mean a connection closed badly; nothing to undo.
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// A PostgreSQL error as ours: a connection that failed or broke, or a server that is
/// shutting down, starting up or out of connections, is [`Error::Unavailable`] (it may work
/// again later: `byline serve` answers 503); any other error the server answered is
/// [`Error::Db`].
fn pg_err(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) if passing(db.code()) => {
            Error::Unavailable(format!("postgresql: {}", db.message()))
        }
        Some(db) => Error::Db(format!("postgresql: {}", db.message())),
        None => Error::Unavailable(format!("postgresql: {e}")),
    }
}

/// Whether an error the server sent says it cannot serve now rather than that the request
/// was wrong: class 08 (connection exception), 53 (insufficient resources, such as too many
/// connections) and 57P (shut down by an operator or a crash, not yet accepting
/// connections, database dropped).
fn passing(code: &postgres::error::SqlState) -> bool {
    let c = code.code();
    c.starts_with("08") || c.starts_with("53") || c.starts_with("57P")
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Corrupt(format!("a record in postgresql does not parse: {e}"))
}

fn encode<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Db(format!("cannot encode: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(json_err)
}

/// `n` as PostgreSQL's `bigint`.
fn as_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::Db(format!("{n} is past what postgresql's bigint holds")))
}

/// A `bigint` read back as a count or number (never negative when we wrote it).
fn as_u64(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| Error::Corrupt(format!("a negative number ({n}) in postgresql")))
}

/// Whether a libpq-style URL (`postgres://user:password@host/db`) carries a password: the
/// CLI refuses one given as a flag, which `ps` shows.
pub fn has_password(url: &str) -> bool {
    url.parse::<postgres::Config>()
        .is_ok_and(|c| c.get_password().is_some())
}

impl Postgres {
    /// Connect with a URL (`postgres://user@host:port/db`, or libpq's `host=… user=…`),
    /// using `password` when the URL has none, and bring the schema up to this version.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that does not parse; [`Error::Unavailable`] when the
    /// server cannot be reached or refuses the login.
    pub fn connect(url: &str, password: Option<&str>) -> Result<Postgres> {
        let mut config: postgres::Config = url.parse().map_err(|e| {
            Error::InvalidInput(format!("'{}' is not a PostgreSQL URL: {e}", redact(url)))
        })?;
        if let Some(p) = password
            && config.get_password().is_none()
        {
            config.password(p);
        }
        config.connect_timeout(CONNECT_TIMEOUT);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            // Not a test query before every read: see `pool`.
            .test_on_check_out(false)
            .connection_timeout(CONNECT_TIMEOUT)
            .build(Manager(config.clone()))
            .map_err(|e| Error::Unavailable(format!("postgresql at {}: {e}", redact(url))))?;
        let out = Postgres {
            pool: Arc::new(Connections(Some(pool))),
            url: redact(url).into(),
            config: Arc::new(config),
        };
        out.writing(schema::migrate)?;
        Ok(out)
    }

    /// The URL connected to, its password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Run the read `f` on a pooled connection, where the synchronous client may block. A
    /// connection found broken by `f` (the server restarted since it was last used) is
    /// dropped and `f` tried once more on another: a read can be repeated.
    fn with<T: Send>(&self, f: impl Fn(&mut Session) -> Result<T> + Send + Sync) -> Result<T> {
        blocking(|| {
            let mut conn = self.conn()?;
            match f(&mut conn) {
                Err(Error::Unavailable(_)) if conn.client.is_closed() => {
                    drop(conn);
                    f(&mut *self.conn()?)
                }
                done => done,
            }
        })
    }

    /// Run the write `f` on a pooled connection tested first: a write cut off by a broken
    /// connection may have been applied, so it is never repeated.
    fn writing<T: Send>(&self, f: impl FnOnce(&mut Client) -> Result<T> + Send) -> Result<T> {
        blocking(|| {
            let mut conn = self.conn()?;
            if conn.client.simple_query("").is_err() {
                drop(conn);
                conn = self.conn()?;
            }
            f(&mut conn.client)
        })
    }

    fn conn(&self) -> Result<Conn> {
        self.pool
            .0
            .as_ref()
            .ok_or_else(|| Error::Unavailable("postgresql: the pool is closed".into()))?
            .get()
            .map_err(|e| Error::Unavailable(format!("postgresql: {e}")))
    }

    /// The setting `key` (`config.toml`), if recorded.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = self.with(|c| {
            c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
                .map_err(pg_err)
        })?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Record `value` as the setting `key` unless one is recorded already (the first server
    /// to set it wins); returns the value recorded.
    pub fn setting_or_insert(&self, key: &str, value: &str) -> Result<String> {
        self.writing(|c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &value],
            )
            .map_err(pg_err)?;
            let row = c
                .query_one("SELECT value FROM settings WHERE key = $1", &[&key])
                .map_err(pg_err)?;
            Ok(row.get(0))
        })
    }
}

/// Run `f` where it may block on the synchronous client, which drives a runtime of its own:
/// tokio forbids that on a thread already driving one (`byline serve` answers short reads on
/// its runtime threads), so there it runs as a blocking section of that runtime, or on a
/// thread of its own under a single-threaded one.
fn blocking<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => f(),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| s.spawn(f).join())
            .unwrap_or_else(|_| Err(Error::Db("a postgresql query failed unexpectedly".into()))),
    }
}

/// A URL with its password (if any) replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            match user.split_once(':') {
                Some((name, _)) => format!("{}{name}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Records for Postgres {
    fn commit(&self, events: Vec<Event>, expect: &[(BlobId, u64)]) -> Result<Committed> {
        self.writing(|c| write::commit(c, events, expect))
    }

    fn next_seq(&self) -> Result<u64> {
        // Provisional only: the sequence numbers events as they commit.
        Ok(1)
    }

    fn reindex(&self, fill: &Fill) -> Result<Vec<String>> {
        self.writing(|c| write::reindex(c, fill))?;
        Ok(Vec::new())
    }

    fn check_events(&self, mismatch: &mut dyn FnMut(String)) -> Result<()> {
        for m in self.with(read::check_events)? {
            mismatch(m);
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn has_photo(&self, id: &BlobId) -> Result<bool> {
        self.with(|c| read::has_photo(c, id))
    }

    fn photo(&self, id: &BlobId) -> Result<Option<Photo>> {
        self.with(|c| read::photo(c, id))
    }

    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<BlobId>> {
        self.with(|c| read::ids_with_prefix(c, prefix, limit))
    }

    fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        self.with(|c| read::history(c, id))
    }

    fn pages(&self, q: &Query, after: Option<After>) -> Result<PhotoPages> {
        read::pages(self.clone(), q, after)
    }

    fn all(&self) -> Result<PhotoPages> {
        Ok(read::all(self.clone()))
    }

    fn len(&self) -> Result<u64> {
        self.with(read::count)
    }

    fn is_empty(&self) -> Result<bool> {
        Ok(!self.with(read::any)?)
    }

    fn rendition(&self, id: &BlobId) -> Result<Option<Rendition>> {
        self.with(|c| read::rendition(c, id))
    }

    fn has_rendition(&self, id: &BlobId) -> Result<bool> {
        Ok(self.with(|c| read::rendition(c, id))?.is_some())
    }

    fn renditions_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Rendition>> {
        self.with(|c| read::renditions_with_prefix(c, prefix, limit))
    }

    fn renditions_of(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        self.with(|c| read::renditions_of(c, photo))
    }

    fn photos_sharing_words(&self, words: &[String]) -> Result<Vec<(BlobId, usize)>> {
        self.with(|c| read::photos_sharing_words(c, words))
    }

    fn uses<'a>(
        &'a self,
        photo: Option<&BlobId>,
        outlet: Option<&str>,
        after: Option<u64>,
    ) -> Result<UsePages<'a>> {
        Ok(read::uses(self.clone(), photo, outlet, after))
    }

    fn page_uses(&self, photo: &BlobId, outlet: &str, url: &str) -> Result<Vec<Use>> {
        self.with(|c| read::page_uses(c, photo, outlet, url))
    }

    fn similar(&self, fp: u64, bits: u32, limit: usize) -> Result<Vec<(BlobId, u32)>> {
        self.with(|c| read::similar(c, fp, bits, limit))
    }

    fn tokens(&self) -> Result<Vec<Token>> {
        self.with(read::tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://news:s3cret@db.example:5432/byline"),
            "postgres://news:***@db.example:5432/byline"
        );
        assert_eq!(
            redact("postgres://news@db/byline"),
            "postgres://news@db/byline"
        );
        assert!(has_password("postgres://news:s3cret@db/byline"));
        assert!(!has_password("postgres://news@db/byline"));
    }

    #[test]
    fn a_server_going_away_is_unavailable_and_a_bad_query_is_not() {
        use postgres::error::SqlState;
        for gone in [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_FAILURE,
        ] {
            assert!(passing(&gone), "{gone:?}");
        }
        for wrong in [
            SqlState::SYNTAX_ERROR,
            SqlState::UNIQUE_VIOLATION,
            SqlState::QUERY_CANCELED,
            SqlState::T_R_SERIALIZATION_FAILURE,
        ] {
            assert!(!passing(&wrong), "{wrong:?}");
        }
    }
}
