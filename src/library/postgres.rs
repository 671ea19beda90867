//! Opening a store whose records live in PostgreSQL: several `byline serve` processes and
//! CLI commands on one database and one bucket, with no store lock.
//!
//! What every server must agree on is in the database: the store's `config.toml` (presets,
//! outlets and `[blobs] url`), recorded by the first writer that opens it. A local folder
//! (`work`) holds only what is never the truth: uploads being received and the crawl cache.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use super::{Access, Library, migrate};
use crate::blob::{BlobBackend, S3Backend};
use crate::config::{Config, DEFAULT_TOML};
use crate::error::{Error, IoContext, Result};
use crate::records::{OnChange, Postgres, Watch};

/// The setting holding the store's config file.
const CONFIG: &str = "config.toml";

/// How to reach a store's records in PostgreSQL.
#[derive(Debug, Clone, Copy)]
pub struct PgStore<'a> {
    /// `postgres://user@host:port/db` (a password in it is used too).
    pub url: &'a str,
    /// The password when the URL has none (the CLI reads `PGPASSWORD`).
    pub password: Option<&'a str>,
    /// A local folder for uploads being received and the crawl cache.
    pub work: &'a Path,
}

impl Library {
    /// Open the store whose records are in the PostgreSQL database `pg` and whose blobs are
    /// in the bucket its config names. The first writer records `blobs` (`s3://BUCKET/PREFIX`)
    /// as that bucket; later opens may omit it, and fail if they name another. `remote`
    /// holds the object store settings (as for [`Library::open_with_settings`]).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when PostgreSQL cannot be reached; [`Error::Config`] when no
    /// bucket is recorded or given, or another one is; [`Error::NotFound`] when reading a
    /// database no writer has opened yet.
    pub fn open_postgres(
        pg: PgStore<'_>,
        access: Access,
        blobs: Option<&str>,
        remote: &[(String, String)],
    ) -> Result<Library> {
        Library::open_postgres_first(pg, access, blobs, remote, DEFAULT_TOML)
    }

    /// [`Library::open_postgres`], recording `first` (a config file's text, with `blobs` as
    /// its bucket) if no writer has recorded one yet: a store moved into the database keeps
    /// its presets and outlets.
    pub(super) fn open_postgres_first(
        pg: PgStore<'_>,
        access: Access,
        blobs: Option<&str>,
        remote: &[(String, String)],
        first: &str,
    ) -> Result<Library> {
        let records = Postgres::connect(pg.url, pg.password)?;
        let config = store_config(&records, access, blobs, first)?;
        let url = config.blobs.url.clone().ok_or_else(|| {
            Error::Config(
                "a store in PostgreSQL keeps its blobs in a bucket every server reaches: give \
                 one the first time (BYLINE_BLOBS=s3://BUCKET/PREFIX)"
                    .into(),
            )
        })?;
        let backend = Arc::new(S3Backend::open(&url, remote)?);
        open_shared(pg.work, records, backend, config, access)
    }

    /// [`Library::open_postgres`] with another blob backend (`MemBackend` in tests); the
    /// database's config is used as it is.
    pub fn open_postgres_with_blobs(
        pg: PgStore<'_>,
        access: Access,
        blobs: Box<dyn BlobBackend>,
    ) -> Result<Library> {
        let records = Postgres::connect(pg.url, pg.password)?;
        let config = store_config(&records, access, None, DEFAULT_TOML)?;
        open_shared(pg.work, records, Arc::from(blobs), config, access)
    }

    /// Whether this store's records are shared by several writers (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.lock.is_none()
    }

    /// On a store in PostgreSQL, pass every change any writer commits to `on` as it commits
    /// (on a thread of its own, until the [`Watch`] is dropped); `None` for a local store,
    /// where this process is the only writer. See [`Watch::is_current`] for when changes may
    /// have been missed.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the listening thread cannot be started.
    pub fn watch(&self, on: OnChange) -> Result<Option<Watch>> {
        self.pg.as_ref().map(|pg| pg.watch(on)).transpose()
    }

    /// On a store in PostgreSQL, record that a server listening on `listen` uses it, until
    /// the [`Serving`] returned is dropped (it says so again every 5 s on a
    /// thread of its own); `None` for a local store, which its lock file guards.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when PostgreSQL cannot be reached.
    pub fn serving(&self, listen: &str) -> Result<Option<Serving>> {
        let Some(pg) = self.pg.clone() else {
            return Ok(None);
        };
        let host = host_name();
        let pid = std::process::id();
        let id = pg.serving(&host, pid, listen)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let listen = listen.to_string();
        let beat = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(SERVER_BEAT) {
                // PostgreSQL away: the next beat tries again, and the row is made again if
                // it is gone.
                let _ = pg.still_serving(id, &host, pid, &listen);
            }
            let _ = pg.stopped_serving(id);
        });
        Ok(Some(Serving {
            stop: Some(stop),
            beat: Some(beat),
        }))
    }

    /// Fail when a server uses this store in PostgreSQL (one heard from within
    /// [`SERVER_GONE`]), naming them: moving the store out must not miss their writes.
    pub(super) fn refuse_if_served(&self) -> Result<()> {
        let Some(pg) = &self.pg else { return Ok(()) };
        let live = pg.servers(SERVER_GONE)?;
        if live.is_empty() {
            return Ok(());
        }
        let who: Vec<String> = live
            .iter()
            .map(|s| {
                format!(
                    "byline serve (pid {} on {}, listening on {}, last heard from {} s ago)",
                    s.pid, s.host, s.listen, s.seen_secs_ago
                )
            })
            .collect();
        Err(Error::Locked {
            path: pg.url().into(),
            holder: format!(
                "{} (a server that was killed stops counting {} s after it was last heard \
                 from)",
                who.join(", "),
                SERVER_GONE.as_secs()
            ),
        })
    }
}

/// How often a server on a store in PostgreSQL says it is still there.
const SERVER_BEAT: Duration = Duration::from_secs(5);

/// A server not heard from for this long is taken to be gone (killed, or its machine down).
const SERVER_GONE: Duration = Duration::from_secs(20);

/// A server recorded as using a store in PostgreSQL ([`Library::serving`]); dropping it
/// removes the record.
pub struct Serving {
    stop: Option<mpsc::Sender<()>>,
    beat: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(beat) = self.beat.take() {
            // A panic there would only leave the row to go stale.
            let _ = beat.join();
        }
    }
}

/// This machine's name, for telling servers apart (`HOSTNAME`, else /etc/hostname).
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".into())
}

/// The store's config from the database, recorded from `first` (with `blobs` as its bucket)
/// by the first writer; checked against `blobs` when that is given.
fn store_config(
    records: &Postgres,
    access: Access,
    blobs: Option<&str>,
    first: &str,
) -> Result<Config> {
    let text = match (records.setting(CONFIG)?, access) {
        (Some(text), _) => text,
        (None, Access::Read) => {
            return Err(Error::NotFound(
                "no byline store in this database yet: add photos first (byline add PATH)".into(),
            ));
        }
        (None, _) => {
            let first = migrate::with_blob_url(first, blobs)?;
            records.setting_or_insert(CONFIG, &first)?
        }
    };
    let config = Config::parse(&text)?;
    if let (Some(given), Some(recorded)) = (blobs, config.blobs.url.as_deref())
        && given != recorded
    {
        return Err(Error::Config(format!(
            "this store keeps its blobs at {recorded}, not {given}: every server must use the \
             bucket recorded in the database (leave BYLINE_BLOBS unset or set it to \
             {recorded})"
        )));
    }
    Ok(config)
}

fn open_shared(
    work: &Path,
    records: Postgres,
    blobs: Arc<dyn BlobBackend>,
    config: Config,
    access: Access,
) -> Result<Library> {
    std::fs::create_dir_all(work).at(work)?;
    let writable = access != Access::Read;
    let mut lib = Library::assemble(
        work,
        Arc::new(records.clone()),
        blobs,
        config,
        None,
        writable,
        Vec::new(),
    )?;
    lib.pg = Some(records);
    if access == Access::Reindex {
        lib.rebuild_index()?;
    }
    Ok(lib)
}
