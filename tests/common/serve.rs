//! A real `byline serve` on an ephemeral port, for the HTTP tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::Store;

/// A running `byline serve` on a store; killed (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Start it on an ephemeral port and wait for its address.
    pub fn start(store: &Store) -> Server {
        Server::start_with_env(store, Vec::new())
    }

    /// [`Server::start`] with extra environment variables (e.g. an object store's).
    pub fn start_with_env(store: &Store, env: Vec<(&'static str, String)>) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_byline"))
            .envs(env)
            .env_remove("BYLINE_STORE")
            .env_remove("BYLINE_SERVER")
            .arg("--store")
            .arg(store.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("byline serve starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("serve prints its address");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server { child, base }
    }

    /// Send SIGTERM and wait for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        signal(self.child.id(), "TERM");
        let status = self.child.wait().expect("serve exits");
        self.child.stderr.take();
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Send signal `name` (TERM, KILL, …) to `pid`.
pub fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(ok.success());
}

impl Server {
    /// Start it on a store whose `config.toml` has this `[server]` section.
    pub fn with_config(store: &Store, server_config: &str) -> Server {
        let config = store.path().join("config.toml");
        std::fs::write(&config, format!("[server]\n{server_config}\n")).expect("config written");
        Server::start(store)
    }

    /// `127.0.0.1:PORT`, for raw sockets.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// The server's peak resident memory so far, in MB (`VmHWM` in `/proc/PID/status`).
    pub fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kb / 1024
    }
}
