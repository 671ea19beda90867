//! A real PostgreSQL (15, from Debian) on loopback, for the records tests: a cluster made
//! by `initdb` in a temporary folder, started by `pg_ctl` on a free port, shared by the tests
//! of one binary that run at the same time, and stopped by its postmaster's PID when the last
//! of them is done. Each test gets a database of its own. `.ci/run` installs `postgresql`;
//! without it the tests skip, unless `BYLINE_REQUIRE_POSTGRES` is set.
//!
//! `initdb` refuses to run as root: as root the cluster belongs to the `postgres` user
//! (`runuser`), otherwise to whoever runs the tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Where Debian puts PostgreSQL 15's programs (`BYLINE_PG_BIN` overrides it).
const BIN: &str = "/usr/lib/postgresql/15/bin";

/// The superuser `initdb` makes (trusted on loopback only).
const USER: &str = "byline";

/// A running cluster; stopped (SIGINT to its postmaster: a fast shutdown) when dropped.
pub struct Cluster {
    port: u16,
    data: PathBuf,
    /// The server options `pg_ctl start` passes (port, socket folder, loopback).
    options: String,
    dir: tempfile::TempDir,
}

/// A database of its own for one test, on the shared cluster.
pub struct Database {
    /// `postgres://byline@127.0.0.1:PORT/NAME`.
    pub url: String,
    cluster: Arc<Cluster>,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh database, or `None` (after saying so) when PostgreSQL is not installed.
pub fn database() -> Option<Database> {
    let cluster = {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        match shared.upgrade() {
            Some(c) => c,
            None => {
                let c = Arc::new(Cluster::start()?);
                *shared = Arc::downgrade(&c);
                c
            }
        }
    };
    Some(database_on(cluster))
}

/// A database on a cluster of its own, which the test may stop and start again
/// ([`Database::stop_server`]) without disturbing the other tests.
pub fn database_alone() -> Option<Database> {
    Some(database_on(Arc::new(Cluster::start()?)))
}

fn database_on(cluster: Arc<Cluster>) -> Database {
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(
        &format!("postgres://{USER}@127.0.0.1:{}/postgres", cluster.port),
        postgres::NoTls,
    )
    .expect("connect to the test cluster");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    Database {
        url: format!("postgres://{USER}@127.0.0.1:{}/{name}", cluster.port),
        cluster,
    }
}

impl Database {
    /// Stop the cluster (a fast shutdown, SIGINT to its postmaster by PID), as an outage
    /// would; only for a database made by [`database_alone`].
    pub fn stop_server(&self) {
        self.cluster.stop();
    }

    /// Start the stopped cluster again on the same port and data.
    pub fn start_server(&self) {
        self.cluster.pg_ctl_start();
    }
}

fn bin() -> PathBuf {
    std::env::var_os("BYLINE_PG_BIN").map_or_else(|| PathBuf::from(BIN), PathBuf::from)
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A command running `program` of PostgreSQL as the cluster's owner.
fn as_owner(program: &str) -> Command {
    let path = bin().join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    }
}

impl Cluster {
    fn start() -> Option<Cluster> {
        if !bin().join("initdb").is_file() {
            super::skip_missing_peer("postgresql", "BYLINE_REQUIRE_POSTGRES");
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        if is_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(owned.success(), "chown the cluster folder to postgres");
        }
        let data = dir.path().join("data");
        let init = as_owner("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", USER, "-A", "trust", "--no-sync", "-E", "UTF8"])
            .stdout(Stdio::null())
            .output()
            .expect("initdb runs");
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let port = super::seaweed::free_ports(1)[0];
        let options = format!(
            "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.path().display()
        );
        let cluster = Cluster {
            port,
            data,
            options,
            dir,
        };
        cluster.pg_ctl_start();
        Some(cluster)
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    fn pg_ctl_start(&self) {
        let log = self.dir.path().join("postgres.log");
        let started = as_owner("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-o", &self.options, "-l"])
            .arg(&log)
            .args(["-w", "start"])
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            started.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&started.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// A fast shutdown (SIGINT to the postmaster, by its PID), waited for.
    fn stop(&self) {
        let Some(pid) = postmaster(&self.data) else {
            return;
        };
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        // A fast shutdown takes well under a second; the folder goes once it is down.
        let start = Instant::now();
        while self.data.join("postmaster.pid").exists() && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The postmaster's PID, from the first line of `postmaster.pid`.
fn postmaster(data: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
    Some(text.lines().next()?.trim().to_string())
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}
