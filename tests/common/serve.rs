//! A real `byline serve` on an ephemeral port, for the HTTP tests, and raw-socket helpers for
//! the hostile-client tests (requests written by hand, answers read as text).

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

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
        let mut env = env;
        env.push(("BYLINE_STORE", store.path().display().to_string()));
        Server::start_on(env)
    }

    /// Serve the store `BYLINE_STORE` in `env` names (a folder or a PostgreSQL URL).
    pub fn start_on(env: Vec<(&'static str, String)>) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_byline"))
            .env_remove("BYLINE_STORE")
            .env_remove("BYLINE_SERVER")
            .envs(env)
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

/// A store with a write token; returns the store and the token.
pub fn store_with_writer() -> (Store, String) {
    let s = Store::new();
    let out = s.ok(&["token", "create", "desk", "--write", "--json"]);
    let v: Value = serde_json::from_str(out.trim()).expect("token JSON");
    let token = v["token"].as_str().expect("token").to_string();
    (s, token)
}

pub fn connect(srv: &Server) -> TcpStream {
    let s = TcpStream::connect(srv.addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

/// Read what the server sends until it has sent a whole head (and, for an error, its small
/// JSON body) or closes; the text read.
pub fn read_answer(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Whether the server closes `s` within `limit` (reading and dropping whatever it sends).
pub fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

pub fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The JSON body of an answer read by [`read_answer`].
pub fn json_of(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// Check `value` against a schema of `schema/openapi.json`'s components.
pub fn check_component(name: &str, value: &Value) {
    let schema = serde_json::json!({
        "$ref": format!("https://byline.invalid/schema/openapi.json#/components/schemas/{name}")
    });
    super::check_against(name, Some(schema), value);
}

/// An upload's request head.
pub fn upload_head(srv: &Server, token: Option<&str>, len: u64, expect: bool) -> String {
    let mut head = format!(
        "POST /photos?name=x.jpg HTTP/1.1\r\nHost: {}\r\nContent-Type: image/jpeg\r\n\
         Content-Length: {len}\r\n",
        srv.addr()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if expect {
        head.push_str("Expect: 100-continue\r\n");
    }
    head.push_str("\r\n");
    head
}

/// `n` zero bytes, zlib-compressed (a bomb: about 1,000 to 1).
pub fn zeros_deflated(n: usize) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(zeros.len());
        z.write_all(&zeros[..k]).expect("deflate");
        left -= k;
    }
    z.finish().expect("deflate")
}

/// A grey `width`×`height` 8-bit RGB PNG with `extra` chunks (kind, data) before its `IDAT`.
pub fn png_with(width: u32, height: u32, extra: &[(&[u8], Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut row = vec![0u8];
    row.extend(std::iter::repeat_n(0x80, width as usize * 3));
    let mut idat = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..height {
        idat.write_all(&row).expect("deflate");
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    for (kind, data) in extra {
        chunk(&mut png, kind, data);
    }
    chunk(&mut png, b"IDAT", &idat.finish().expect("deflate"));
    chunk(&mut png, b"IEND", b"");
    png
}
