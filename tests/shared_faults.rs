//! Faults on a store several servers share (records in PostgreSQL, blobs in SeaweedFS, both
//! real and on loopback): PostgreSQL stopped during uploads, the object store killed, a server
//! SIGKILLed during uploads, wrong object-store credentials, and an upload whose event never
//! came. What must hold: a clear 503 (the JSON error of `schema/openapi.json`) while an engine
//! is away and recovery without a restart when it is back; every upload answered 2xx still
//! there; `verify` clean once the orphans it lists are swept by `verify --repair`.

mod common;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::json_lines;
use common::serve::{Server, check_component, signal};
use common::shared::{BUCKET, Shared, call, distinct_photos, json, try_upload, upload};
use serde_json::Value;

/// One upload's outcome: the file's index and the answer, if one came.
type Answered = (usize, Option<(u16, Value)>);

/// Upload every file of `files` once, from `clients` threads (file `i` by client
/// `i % clients`, to server `bases[client % bases.len()]`), while `fault` runs on a thread of
/// its own, given the answers so far. A client whose server stopped answering gives up.
fn uploads_during(
    bases: &[&str],
    token: &str,
    files: &[Vec<u8>],
    clients: usize,
    fault: impl FnOnce(&Mutex<Vec<Answered>>) + Send,
) -> Vec<Answered> {
    let answers = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for c in 0..clients {
            let (answers, base) = (&answers, bases[c % bases.len()]);
            scope.spawn(move || {
                for i in (c..files.len()).step_by(clients) {
                    let got = try_upload(base, token, &format!("f{i}.jpg"), files[i].clone());
                    let gone = got.is_none();
                    answers.lock().expect("answers").push((i, got));
                    if gone {
                        break;
                    }
                }
            });
        }
        scope.spawn(|| fault(&answers));
    });
    answers.into_inner().expect("answers")
}

/// Wait until `answers` holds at least `n` (or 60 s passed).
fn wait_for(answers: &Mutex<Vec<Answered>>, n: usize) {
    let start = Instant::now();
    while answers.lock().expect("answers").len() < n && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The ids of the uploads answered 2xx.
fn stored(answers: &[Answered]) -> HashSet<String> {
    answers
        .iter()
        .filter_map(|(_, a)| a.as_ref())
        .filter(|(status, _)| *status == 200 || *status == 201)
        .filter_map(|(_, body)| body["id"].as_str().map(String::from))
        .collect()
}

/// Every upload answered 2xx is listed; returns the ids listed.
fn assert_all_listed(s: &Shared, answered: &HashSet<String>) -> HashSet<String> {
    let listed: HashSet<String> = json_lines(&s.ok(&["list", "--json"]))
        .iter()
        .filter_map(|l| l["id"].as_str().map(String::from))
        .collect();
    let lost: Vec<_> = answered.difference(&listed).collect();
    assert!(lost.is_empty(), "uploads answered 2xx were lost: {lost:?}");
    listed
}

/// `verify` finds nothing wrong but orphans (uploads whose event never came, none of them a
/// stored photo); `verify --repair` sweeps those, and `verify` is then clean (exit 0).
fn assert_verify_clean_after_repair(s: &Shared, listed: &HashSet<String>) {
    let (_, out, err) = s.run(&["verify", "--json"]);
    let report = json(&out);
    for key in [
        "corrupt_blobs",
        "missing_originals",
        "missing_renditions",
        "index_mismatches",
    ] {
        assert_eq!(
            report[key],
            Value::Array(Vec::new()),
            "{key}: {report}\n{err}"
        );
    }
    for orphan in report["orphan_blobs"].as_array().expect("orphan_blobs") {
        let id = orphan.as_str().expect("an id");
        assert!(!listed.contains(id), "a stored photo reported orphan: {id}");
    }
    // A PUT the killed server had already sent can land in the object store after the
    // sweep has listed the bucket, as a new orphan. So sweep until a verify finds nothing,
    // for a few rounds; a blob the sweep removed must never be listed again (a delete that
    // did not happen).
    let mut removed = HashSet::new();
    for round in 0.. {
        let (_, out, _) = s.run(&["verify", "--repair", "--min-age", "0", "--json"]);
        // Absent when nothing was removed.
        for id in json(&out)["removed_orphans"]
            .as_array()
            .into_iter()
            .flatten()
        {
            removed.insert(id.as_str().expect("an id").to_string());
        }
        let (code, out, err) = s.run(&["verify", "--json"]);
        if code == 0 {
            break;
        }
        for orphan in json(&out)["orphan_blobs"].as_array().expect("orphan_blobs") {
            let id = orphan.as_str().expect("an id");
            assert!(!removed.contains(id), "a swept orphan is still there: {id}");
        }
        assert!(round < 5, "verify is clean after the repair: {out}\n{err}");
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn postgres_stopped_during_uploads_is_a_503_and_nothing_answered_is_lost() {
    let Some(s) = Shared::start_alone() else {
        return;
    };
    let token = s.write_token();
    let srv = Server::start_on(s.server_env());
    let files = distinct_photos(40);
    let probe = Mutex::new(None);
    let answers = uploads_during(&[&srv.base], &token, &files, 4, |answers| {
        wait_for(answers, 8);
        s.db.stop_server();
        // A read while PostgreSQL is down: a 503 in the documented shape, within seconds.
        let start = Instant::now();
        let read = call(
            "GET",
            &format!("{}/photos", srv.base),
            &token,
            &[],
            Vec::new(),
        );
        *probe.lock().expect("probe") = Some((read, start.elapsed()));
        // Keep it down long enough for uploads in flight to be refused too.
        std::thread::sleep(Duration::from_secs(4));
        s.db.start_server();
    });
    let (read, took) = probe.into_inner().expect("probe").expect("probed");
    assert_eq!(read.0, 503, "{read:?}");
    assert_eq!(read.1["code"], "store_unavailable", "{read:?}");
    check_component("Error", &read.1);
    assert!(took < Duration::from_secs(15), "the 503 took {took:?}");

    // Refused uploads are refused as unavailable, never as an internal error.
    let mut refused = Vec::new();
    for (i, a) in &answers {
        let (status, body) = a.as_ref().expect("the server stays up");
        match status {
            200 | 201 => {}
            503 => {
                assert_eq!(body["code"], "store_unavailable", "{body}");
                refused.push(*i);
            }
            _ => panic!("file {i}: {status} {body}"),
        }
    }
    assert_eq!(answers.len(), files.len());

    // The server recovers on its own: reads answer, and the refused uploads now succeed.
    let back = call(
        "GET",
        &format!("{}/photos", srv.base),
        &token,
        &[],
        Vec::new(),
    );
    assert_eq!(back.0, 200, "{back:?}");
    eprintln!(
        "{} uploads refused while PostgreSQL was down",
        refused.len()
    );
    let answered = stored(&answers);
    for i in &refused {
        let (status, body) = upload(&srv.base, &token, "again.jpg", files[*i].clone());
        assert!(status == 200 || status == 201, "{status} {body}");
    }
    let listed = assert_all_listed(&s, &answered);
    assert_eq!(listed.len(), files.len(), "every file is stored once");
    assert_verify_clean_after_repair(&s, &listed);
}

#[test]
fn a_server_killed_during_uploads_loses_no_answered_upload() {
    let Some(s) = Shared::start() else { return };
    let token = s.write_token();
    let a = Server::start_on(s.server_env());
    let b = Server::start_on(s.server_env());
    let files = distinct_photos(60);
    let answers = uploads_during(&[&a.base, &b.base], &token, &files, 8, |answers| {
        wait_for(answers, 12);
        signal(a.child.id(), "KILL");
    });
    let gone = answers.iter().filter(|(_, a)| a.is_none()).count();
    assert!(gone > 0, "some uploads to the killed server got no answer");
    for (i, a) in &answers {
        if let Some((status, body)) = a {
            assert!(
                [200, 201, 503].contains(status),
                "file {i}: {status} {body}"
            );
        }
    }
    let answered = stored(&answers);
    let listed = assert_all_listed(&s, &answered);
    assert_verify_clean_after_repair(&s, &listed);
    // The server still up takes what the killed one did not finish.
    for (i, bytes) in files.iter().enumerate() {
        let (status, body) = upload(&b.base, &token, &format!("f{i}.jpg"), bytes.clone());
        assert!(status == 200 || status == 201, "{status} {body}");
    }
    assert_eq!(json_lines(&s.ok(&["list", "--json"])).len(), files.len());
}

#[test]
fn the_object_store_down_is_a_503_until_it_is_back() {
    let Some(mut s) = Shared::start() else {
        return;
    };
    let token = s.write_token();
    let srv = Server::start_on(s.server_env());
    let files = distinct_photos(2);
    let first = upload(&srv.base, &token, "a.jpg", files[0].clone());
    assert_eq!(first.0, 201, "{first:?}");
    s.weed.kill();
    let down = upload(&srv.base, &token, "b.jpg", files[1].clone());
    assert_eq!(down.0, 503, "{down:?}");
    assert_eq!(down.1["code"], "store_unavailable");
    check_component("Error", &down.1);
    let id = first.1["id"].as_str().expect("an id");
    let original = call(
        "GET",
        &format!("{}/photos/{id}/original", srv.base),
        &token,
        &[],
        Vec::new(),
    );
    assert_eq!(original.0, 503, "{original:?}");
    s.weed.restart();
    let back = upload(&srv.base, &token, "b.jpg", files[1].clone());
    assert_eq!(back.0, 201, "the server recovers on its own: {back:?}");
}

#[test]
fn wrong_object_store_credentials_are_a_clear_error_at_start() {
    let Some(s) = Shared::start() else { return };
    s.ok(&["token", "create", "desk", "--write"]);
    let mut env = s.server_env();
    env.retain(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY");
    env.push(("AWS_SECRET_ACCESS_KEY", "not-the-secret".into()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_byline"))
        .env_remove("BYLINE_STORE")
        .envs(env)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("byline serve starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("serve started with wrong credentials");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("credentials"), "says what is wrong: {err}");
    assert!(err.contains(BUCKET), "names the bucket: {err}");
    assert!(
        !err.contains("not-the-secret"),
        "never prints the secret: {err}"
    );
}

#[test]
fn an_upload_without_its_event_is_an_orphan_that_verify_lists_and_repair_sweeps() {
    use byline::blob::{BlobBackend, S3Backend};
    let Some(s) = Shared::start() else { return };
    let files = distinct_photos(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kept.jpg");
    std::fs::write(&path, &files[0]).expect("write");
    s.ok(&["add", &path.display().to_string()]);
    // The bytes of an upload whose writer died before its event was written.
    let settings: Vec<(String, String)> = s
        .weed
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let bucket = S3Backend::open(BUCKET, &settings).expect("the bucket");
    let (orphan, _) = bucket
        .stage(b"uploaded, then the writer died")
        .expect("upload");
    let (code, out, _) = s.run(&["verify", "--json"]);
    assert_eq!(code, 1, "an orphan is a finding: {out}");
    let report = json(&out);
    assert_eq!(
        report["orphan_blobs"],
        serde_json::json!([orphan.to_string()]),
        "{report}"
    );
    assert_eq!(report["records_checked"], 1);
    // Fresh, it may be an upload another server is about to record: kept by default.
    let (code, out, _) = s.run(&["verify", "--repair", "--json"]);
    assert_eq!(code, 1, "{out}");
    common::check_schema("verify.schema.json", &json(&out));
    check_component("VerifyReport", &json(&out));
    assert_eq!(
        json(&out)["young_orphans"],
        serde_json::json!([orphan.to_string()]),
        "{out}"
    );
    assert!(bucket.contains(&orphan), "a fresh orphan is kept");
    s.ok(&["verify", "--repair", "--min-age", "0"]);
    assert!(!bucket.contains(&orphan), "the orphan is swept");
    let (code, out, _) = s.run(&["verify", "--json"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        json(&out)["blobs_checked"],
        1,
        "the photo's original is kept"
    );
}
