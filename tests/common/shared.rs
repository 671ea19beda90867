//! A store several servers and CLI commands share, for the tests that run one: records in
//! PostgreSQL, blobs in SeaweedFS, both real and on loopback, reached through the environment
//! only (`BYLINE_STORE`, `BYLINE_BLOBS`, `AWS_*`), as an operator runs it.

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use super::pg::Database;
use super::seaweed::Seaweed;

/// The bucket and prefix the store records.
pub const BUCKET: &str = "s3://byline-test/shared";

/// The engines and a local work folder, as one operator's machine would have them.
pub struct Shared {
    pub db: Database,
    pub weed: Seaweed,
    pub work: tempfile::TempDir,
}

impl Shared {
    /// Start both engines (PostgreSQL's cluster shared with the binary's other tests), or
    /// `None` when either is missing.
    pub fn start() -> Option<Shared> {
        Shared::on(super::pg::database()?)
    }

    /// [`Shared::start`] with a PostgreSQL cluster of its own, which the test may stop.
    pub fn start_alone() -> Option<Shared> {
        Shared::on(super::pg::database_alone()?)
    }

    fn on(db: Database) -> Option<Shared> {
        let weed = Seaweed::start()?;
        Some(Shared {
            db,
            weed,
            work: tempfile::tempdir().expect("tempdir"),
        })
    }

    /// `byline ARGS…` pointed at the shared store through the environment only.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("byline").expect("the byline binary");
        c.env("BYLINE_STORE", &self.db.url)
            .env("BYLINE_BLOBS", BUCKET)
            .env("BYLINE_WORK", self.work.path())
            .env("USER", "tester")
            .envs(self.weed.env())
            .args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        output(self.cmd(args).output().expect("byline runs"))
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "byline {args:?}: {err}\n{out}");
        out
    }
}

/// A finished command as `(exit code, stdout, stderr)`.
pub fn output(o: Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `text` as JSON, or a panic quoting it.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A request to a server; `(status, JSON body)`.
pub fn call(
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, Value) {
    try_call(method, url, token, headers, body).expect("the server answers")
}

/// [`call`], or `None` when no answer came (the server is gone).
pub fn try_call(
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Option<(u16, Value)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Authorization", format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut res = agent.run(req.body(body).expect("a request")).ok()?;
    let text = res.body_mut().read_to_string().unwrap_or_default();
    Some((
        res.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    ))
}

impl Shared {
    /// The environment of a `byline serve` on this store.
    pub fn server_env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.weed.env();
        env.extend([
            ("BYLINE_STORE", self.db.url.clone()),
            ("BYLINE_BLOBS", BUCKET.to_string()),
            ("BYLINE_WORK", self.work.path().display().to_string()),
        ]);
        env
    }

    /// A token that may write, made through the CLI.
    pub fn write_token(&self) -> String {
        let token = json(&self.ok(&["token", "create", "desk", "--write", "--json"]));
        token["token"].as_str().expect("a secret").to_string()
    }
}

/// `n` different JPEG files: one small corpus photo with a different trailer after its end
/// marker each (decoders stop at the marker; the bytes, so the ids, differ).
pub fn distinct_photos(n: usize) -> Vec<Vec<u8>> {
    let base = std::fs::read(super::corpus("afp-getty-xmp.jpg")).expect("corpus photo");
    (0..n)
        .map(|i| {
            let mut b = base.clone();
            b.extend_from_slice(format!("byline test file {i}").as_bytes());
            b
        })
        .collect()
}

/// Upload `bytes` as a client would: again, after a pause, while the server says it is busy
/// with as many uploads as it runs at once.
pub fn upload(base: &str, token: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    try_upload(base, token, name, bytes).expect("the server answers")
}

/// [`upload`], or `None` when no answer came (the server is gone).
pub fn try_upload(base: &str, token: &str, name: &str, bytes: Vec<u8>) -> Option<(u16, Value)> {
    let url = format!("{base}/photos?name={name}");
    loop {
        let answer = try_call(
            "POST",
            &url,
            token,
            &[("Content-Type", "image/jpeg")],
            bytes.clone(),
        )?;
        if answer.0 != 503 || answer.1["code"] != "busy" {
            return Some(answer);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
