//! A store that several servers and CLI commands share, as an operator runs it: records in
//! PostgreSQL (`BYLINE_STORE=postgres://…`), blobs in an S3-compatible bucket recorded in the
//! database (SeaweedFS here). Both engines are real, started on loopback by the test; each
//! test skips when either is missing, unless CI requires it.

mod common;

use assert_cmd::Command;
use common::shared::{BUCKET, Shared, call, distinct_photos, json, output, upload};
use common::{check_schema, json_lines, samples_dir};
use serde_json::Value;
use std::time::{Duration, Instant};

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
    check_schema("verify.schema.json", &report);
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

#[test]
fn two_servers_on_one_database_store_an_upload_once_and_refuse_a_stale_edit() {
    let Some(s) = Shared::start() else { return };
    let token = s.write_token();
    let a = common::serve::Server::start_on(s.server_env());
    let b = common::serve::Server::start_on(s.server_env());
    // Two servers, 8 clients each, every client uploading the same 100 files (each in an
    // order of its own): exactly 100 records, each reported new exactly once.
    let files = distinct_photos(100);
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..16)
            .map(|c| {
                let (base, files, token) =
                    (if c % 2 == 0 { &a.base } else { &b.base }, &files, &token);
                scope.spawn(move || {
                    (0..files.len())
                        .map(|k| {
                            let i = (k * 37 + c * 11) % files.len();
                            upload(base, token, &format!("f{i}.jpg"), files[i].clone())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().expect("a client"))
            .collect()
    });
    assert_eq!(answers.len(), 1600);
    let created = answers.iter().filter(|(st, _)| *st == 201).count();
    let again = answers.iter().filter(|(st, _)| *st == 200).count();
    let odd: Vec<_> = answers
        .iter()
        .filter(|(st, _)| *st != 200 && *st != 201)
        .take(5)
        .collect();
    assert!(
        odd.is_empty(),
        "every upload is stored or a duplicate: {odd:?}"
    );
    assert_eq!(
        (created, again),
        (100, 1500),
        "each file is new exactly once"
    );
    let listed = json_lines(&s.ok(&["list", "--json"]));
    assert_eq!(listed.len(), 100, "exactly 100 records");
    let report = json(&s.ok(&["verify", "--json"]));
    assert_eq!(report["blobs_checked"], 100, "{report}");

    // The same file uploaded to both at once: one record, one 201 and one 200.
    let bytes = std::fs::read(samples_dir().join("ap-pool-summit.jpg")).expect("sample");
    let (x, y) = std::thread::scope(|scope| {
        let x = scope.spawn(|| upload(&a.base, &token, "summit.jpg", bytes.clone()));
        let y = scope.spawn(|| upload(&b.base, &token, "summit.jpg", bytes.clone()));
        (x.join().expect("a"), y.join().expect("b"))
    });
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [200, 201], "{x:?} {y:?}");
    assert_eq!(x.1["id"], y.1["id"]);
    let id = x.1["id"].as_str().expect("an id").to_string();
    assert_eq!(json_lines(&s.ok(&["list", "--json"])).len(), 101);

    // B answers (and caches) the credit; an edit through A reaches B's answer within a second.
    let credit = |base: &str| {
        call(
            "GET",
            &format!("{base}/photos/{id}/credit"),
            &token,
            &[],
            Vec::new(),
        )
    };
    let before = credit(&b.base);
    assert_eq!(before.0, 200, "{before:?}");

    // Both servers see revision 1; the first edit wins, the second is told.
    let patch = |base: &str, field: &str, value: &str| {
        let body = serde_json::json!({ field: value }).to_string().into_bytes();
        let headers = [("Content-Type", "application/json"), ("If-Match", "\"1\"")];
        call(
            "PATCH",
            &format!("{base}/photos/{id}"),
            &token,
            &headers,
            body,
        )
    };
    let first = patch(&a.base, "credit_line", "Fixed on A / Pool");
    assert_eq!(first.0, 200, "{first:?}");
    assert_eq!(first.1["revision"], 2);
    let second = patch(&b.base, "credit_line", "Fixed on B");
    assert_eq!(second.0, 409, "{second:?}");
    assert_eq!(second.1["code"], "conflict");
    let shown = json(&s.ok(&["show", "--json", &id]));
    assert_eq!(shown["credit_line"], "Fixed on A / Pool");
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let after = credit(&b.base);
    assert_eq!(after.0, 200, "{after:?}");
    assert_ne!(
        after.1, before.1,
        "B still answers the credit from before A's edit"
    );
    assert!(
        after.1.to_string().contains("Fixed on A"),
        "B answers the edited credit: {}",
        after.1
    );

    // A token revoked through one process is refused by every server at once.
    s.ok(&["token", "revoke", "desk"]);
    let after = patch(&b.base, "caption", "Too late");
    assert_eq!(after.0, 401, "{after:?}");

    // A server on PostgreSQL stops cleanly on SIGTERM (its connections close off the runtime).
    let status = a.stop();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status}");
}

/// How long after a change it showed in `answer`, polled every 20 ms; `None` when it had not
/// after `limit`.
fn seen_within(limit: Duration, mut answer: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    loop {
        if answer() {
            return Some(start.elapsed());
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The credit answers a server keeps (for as long as nothing changes) are forgotten as soon
/// as any writer changes their photo: another server or a command. PostgreSQL tells every
/// server as the change commits; with nothing telling them, the answer kept would be served
/// for as long as it stayed in the cache.
#[test]
fn an_edit_made_anywhere_reaches_every_servers_kept_credit_within_a_second() {
    let Some(s) = Shared::start() else { return };
    let token = s.write_token();
    let a = common::serve::Server::start_on(s.server_env());
    let b = common::serve::Server::start_on(s.server_env());
    let ids: Vec<String> = distinct_photos(2)
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| {
            let (status, body) = upload(&a.base, &token, &format!("p{i}.jpg"), bytes);
            assert_eq!(status, 201, "{body}");
            body["id"].as_str().expect("an id").to_string()
        })
        .collect();
    let credit = |base: &str, id: &str| {
        let (status, body) = call(
            "GET",
            &format!("{base}/photos/{id}/credit"),
            &token,
            &[],
            Vec::new(),
        );
        assert_eq!(status, 200, "{body}");
        body.to_string()
    };
    // Styles may print names in capitals.
    let shows = |id: &str, name: &str| {
        credit(&b.base, id)
            .to_lowercase()
            .contains(&name.to_lowercase())
    };
    // B answers both, and keeps its answers; longer than an answer would be kept untold.
    let other = credit(&b.base, &ids[1]);
    assert!(!shows(&ids[0], "Edith Amsel"));
    std::thread::sleep(Duration::from_millis(700));
    assert!(!shows(&ids[0], "Edith Amsel"));

    // An edit through server A.
    let body = serde_json::json!({ "creators": ["Edith Amsel"] });
    let (status, edited) = call(
        "PATCH",
        &format!("{}/photos/{}", a.base, ids[0]),
        &token,
        &[("Content-Type", "application/json")],
        body.to_string().into_bytes(),
    );
    assert_eq!(status, 200, "{edited}");
    let took = seen_within(Duration::from_secs(1), || shows(&ids[0], "Edith Amsel"));
    assert!(
        took.is_some(),
        "B still answers the credit from before A's edit"
    );
    eprintln!("an edit through A showed on B after {took:?}");
    assert_eq!(
        credit(&b.base, &ids[1]),
        other,
        "the other photo is unchanged"
    );

    // An edit by a command (no server), after B kept the answer again.
    std::thread::sleep(Duration::from_millis(700));
    s.ok(&["edit", &ids[0], "--creator", "Cora Command"]);
    let took = seen_within(Duration::from_secs(1), || shows(&ids[0], "Cora Command"));
    assert!(
        took.is_some(),
        "B still answers the credit from before the command's edit"
    );

    // The connections the servers listen on are cut: an edit made before they listen again
    // still shows (answers are forgotten when a connection is lost, and kept only briefly
    // until another listens).
    std::thread::sleep(Duration::from_millis(700));
    let mut admin = postgres::Client::connect(&s.db.url, postgres::NoTls).expect("connect");
    let cut = admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'byline listen' AND datname = current_database()",
            &[],
        )
        .expect("terminate");
    assert_eq!(cut, 2, "each server listens on a connection of its own");
    s.ok(&["edit", &ids[0], "--creator", "Una Unheard"]);
    let took = seen_within(Duration::from_secs(1), || shows(&ids[0], "Una Unheard"));
    assert!(
        took.is_some(),
        "B kept an answer while it could not hear changes"
    );
}
