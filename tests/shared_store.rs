//! A store that several servers and CLI commands share, as an operator runs it: records in
//! PostgreSQL (`BYLINE_STORE=postgres://…`), blobs in an S3-compatible bucket recorded in the
//! database (SeaweedFS here). Both engines are real, started on loopback by the test; each
//! test skips when either is missing, unless CI requires it.

mod common;

use std::process::Output;

use assert_cmd::Command;
use common::pg::Database;
use common::seaweed::Seaweed;
use common::{json_lines, samples_dir};
use serde_json::Value;

const BUCKET: &str = "s3://byline-test/shared";

/// The engines and a local work folder, as one operator's machine would have them.
struct Shared {
    db: Database,
    weed: Seaweed,
    work: tempfile::TempDir,
}

impl Shared {
    fn start() -> Option<Shared> {
        let db = common::pg::database()?;
        let weed = Seaweed::start()?;
        Some(Shared {
            db,
            weed,
            work: tempfile::tempdir().expect("tempdir"),
        })
    }

    /// `byline ARGS…` pointed at the shared store through the environment only.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("byline").expect("the byline binary");
        c.env("BYLINE_STORE", &self.db.url)
            .env("BYLINE_BLOBS", BUCKET)
            .env("BYLINE_WORK", self.work.path())
            .env("USER", "tester")
            .envs(self.weed.env())
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        output(self.cmd(args).output().expect("byline runs"))
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "byline {args:?}: {err}\n{out}");
        out
    }
}

fn output(o: Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_store_in_postgres_adds_lists_edits_and_reindexes_with_blobs_in_the_bucket() {
    let Some(s) = Shared::start() else { return };
    let samples = samples_dir().display().to_string();
    let added = json_lines(&s.ok(&["add", "--json", &samples]));
    let ids: Vec<String> = added
        .iter()
        .filter(|l| l["status"] == "added")
        .filter_map(|l| l["id"].as_str().map(String::from))
        .collect();
    assert!(ids.len() >= 3, "the samples are added: {added:?}");
    assert!(
        !s.work.path().join("blobs").exists(),
        "blobs went to local disk, not the bucket"
    );
    // Again: every file is a duplicate, read from the database.
    let again = json_lines(&s.ok(&["add", "--json", &samples]));
    assert!(
        again.iter().all(|l| l["status"] == "duplicate"),
        "{again:?}"
    );

    let afp = added
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.contains("afp-nato")))
        .and_then(|l| l["id"].as_str())
        .expect("the AFP sample")
        .to_string();
    let shown = json(&s.ok(&["show", "--json", &afp]));
    assert_eq!(shown["agency"], "AFP");
    assert_eq!(shown["revision"], 1);
    let listed = json_lines(&s.ok(&["list", "--json", "--agency", "afp"]));
    assert_eq!(listed.len(), 1, "{listed:?}");

    // An edit on the revision shown applies; the same edit on that revision again is a
    // conflict that says what to do, and changes nothing.
    s.ok(&["edit", &afp, "--revision", "1", "--caption", "First fix"]);
    let (code, out, err) = s.run(&["edit", &afp, "--revision", "1", "--caption", "Late fix"]);
    assert_eq!(code, 2, "a stale edit fails: {out}");
    assert!(err.contains("revision 2"), "{err}");
    assert!(err.contains("byline show"), "says what to do: {err}");
    let shown = json(&s.ok(&["show", "--json", &afp]));
    assert_eq!(shown["caption"], "First fix");
    assert_eq!(shown["revision"], 2);

    // Renditions and uses land in the bucket and the database.
    s.ok(&["render", "--json", &afp, "--preset", "thumb"]);
    s.ok(&[
        "use",
        &afp,
        "--outlet",
        "Le Soir",
        "--url",
        "https://example.org/a",
        "--published",
        "2026-02-01",
        "--printed-credit",
        "AFP",
    ]);
    let uses = json_lines(&s.ok(&["uses", "--json", "--outlet", "le soir"]));
    assert_eq!(uses.len(), 1, "{uses:?}");

    let before = s.ok(&["list", "--json"]);
    s.ok(&["reindex"]);
    assert_eq!(
        s.ok(&["list", "--json"]),
        before,
        "reindex rebuilds the same index"
    );
    let report = json(&s.ok(&["verify", "--json"]));
    assert_eq!(
        report["index_mismatches"],
        Value::Array(Vec::new()),
        "{report}"
    );
    assert_eq!(
        report["corrupt_blobs"],
        Value::Array(Vec::new()),
        "{report}"
    );
}

#[test]
fn two_commands_adding_the_same_files_at_once_store_each_once() {
    let Some(s) = Shared::start() else { return };
    let samples = samples_dir().display().to_string();
    let files = std::fs::read_dir(samples_dir()).expect("samples").count();
    let a = s.cmd(&["add", "--json", &samples]);
    let b = s.cmd(&["add", "--json", &samples]);
    let (a, b) = std::thread::scope(|scope| {
        let run = |mut c: Command| scope.spawn(move || output(c.output().expect("byline runs")));
        let (x, y) = (run(a), run(b));
        (x.join().expect("first"), y.join().expect("second"))
    });
    let mut new = 0;
    for (code, out, err) in [&a, &b] {
        assert!(*code == 0 || *code == 1, "add: {err}\n{out}");
        new += json_lines(out)
            .iter()
            .filter(|l| l["status"] == "added")
            .count();
    }
    let listed = json_lines(&s.ok(&["list", "--json"]));
    assert_eq!(new, listed.len(), "each stored photo was reported new once");
    assert!(listed.len() <= files && listed.len() >= 3, "{listed:?}");
}

#[test]
fn credentials_come_from_the_environment_and_the_bucket_from_the_database() {
    let Some(s) = Shared::start() else { return };
    s.ok(&[
        "add",
        "--json",
        &samples_dir()
            .join("afp-nato-brussels.jpg")
            .display()
            .to_string(),
    ]);
    // A password in a flag would show in `ps`.
    let with_password = s.db.url.replacen("byline@", "byline:secret@", 1);
    let (code, _, err) = output(
        s.cmd(&["--store", &with_password, "list"])
            .env_remove("BYLINE_STORE")
            .output()
            .expect("byline runs"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("PGPASSWORD"), "{err}");
    // Every server uses the bucket the database recorded.
    let (code, _, err) = output(
        s.cmd(&["list"])
            .env("BYLINE_BLOBS", "s3://another-bucket/x")
            .output()
            .expect("byline runs"),
    );
    assert_eq!(code, 2);
    assert!(err.contains(BUCKET), "names the recorded bucket: {err}");
    // Once recorded, later commands need not name it.
    let (code, out, err) = output(
        s.cmd(&["list", "--json"])
            .env_remove("BYLINE_BLOBS")
            .output()
            .expect("byline runs"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_lines(&out).len(), 1);
    // An unreachable database is a clear error, not a hang.
    let (code, _, err) = output(
        s.cmd(&["list"])
            .env("BYLINE_STORE", "postgres://byline@127.0.0.1:1/none")
            .output()
            .expect("byline runs"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("unavailable"), "{err}");
}

/// A request to a server; `(status, JSON body)`.
fn call(
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, Value) {
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
    let mut res = agent
        .run(req.body(body).expect("a request"))
        .expect("the server answers");
    let text = res.body_mut().read_to_string().unwrap_or_default();
    (
        res.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[test]
fn two_servers_on_one_database_store_an_upload_once_and_refuse_a_stale_edit() {
    let Some(s) = Shared::start() else { return };
    let token = json(&s.ok(&["token", "create", "desk", "--write", "--json"]));
    let token = token["token"].as_str().expect("a secret").to_string();
    let mut env = s.weed.env();
    env.extend([
        ("BYLINE_STORE", s.db.url.clone()),
        ("BYLINE_BLOBS", BUCKET.to_string()),
        ("BYLINE_WORK", s.work.path().display().to_string()),
    ]);
    let a = common::serve::Server::start_on(env.clone());
    let b = common::serve::Server::start_on(env);
    // The same file uploaded to both at once: one record, one 201 and one 200.
    let bytes = std::fs::read(samples_dir().join("ap-pool-summit.jpg")).expect("sample");
    let upload = |base: &str| {
        let url = format!("{base}/photos?name=summit.jpg");
        call(
            "POST",
            &url,
            &token,
            &[("Content-Type", "image/jpeg")],
            bytes.clone(),
        )
    };
    let (x, y) = std::thread::scope(|scope| {
        let x = scope.spawn(|| upload(&a.base));
        let y = scope.spawn(|| upload(&b.base));
        (x.join().expect("a"), y.join().expect("b"))
    });
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [200, 201], "{x:?} {y:?}");
    assert_eq!(x.1["id"], y.1["id"]);
    let id = x.1["id"].as_str().expect("an id").to_string();
    assert_eq!(json_lines(&s.ok(&["list", "--json"])).len(), 1);

    // Both servers see revision 1; the first edit wins, the second is told.
    let patch = |base: &str, caption: &str| {
        let body = serde_json::json!({ "caption": caption })
            .to_string()
            .into_bytes();
        let headers = [("Content-Type", "application/json"), ("If-Match", "\"1\"")];
        call(
            "PATCH",
            &format!("{base}/photos/{id}"),
            &token,
            &headers,
            body,
        )
    };
    let first = patch(&a.base, "Fixed on A");
    assert_eq!(first.0, 200, "{first:?}");
    assert_eq!(first.1["revision"], 2);
    let second = patch(&b.base, "Fixed on B");
    assert_eq!(second.0, 409, "{second:?}");
    assert_eq!(second.1["code"], "conflict");
    let shown = json(&s.ok(&["show", "--json", &id]));
    assert_eq!(shown["caption"], "Fixed on A");

    // A token revoked through one process is refused by every server at once.
    s.ok(&["token", "revoke", "desk"]);
    let after = patch(&b.base, "Too late");
    assert_eq!(after.0, 401, "{after:?}");
}
