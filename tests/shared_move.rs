//! `byline migrate --to`: a local store moved into PostgreSQL with its blobs in a bucket
//! (SeaweedFS), and back into a local folder, on the real engines. What must hold: the same
//! records, renditions, uses and tokens on the other side; a rerun (after a kill too) copies
//! only what is missing; a served store refuses to move; no password on the command line.

mod common;

use std::time::Duration;

use common::serve::{Server, signal};
use common::shared::{BUCKET, Shared, json, output};
use common::{Store, json_lines, samples_dir};
use serde_json::Value;

/// `byline --store LOCAL migrate ARGS…` with the object store's environment.
fn migrate(local: &Store, s: &Shared, args: &[&str]) -> (i32, String, String) {
    let mut c = local.cmd(&["migrate"]);
    c.args(args).envs(s.weed.env());
    output(c.output().expect("byline runs"))
}

/// `list --json` as sorted lines (the order of photos added in one batch may differ).
fn listed(out: &str) -> Vec<String> {
    let mut lines: Vec<String> = json_lines(out).iter().map(Value::to_string).collect();
    lines.sort();
    lines
}

/// The uses as (photo, outlet, url), sorted: ledger numbers are the target's own.
fn uses(out: &str) -> Vec<String> {
    let mut all: Vec<String> = json_lines(out)
        .iter()
        .map(|u| format!("{} {} {}", u["photo"], u["outlet"], u["url"]))
        .collect();
    all.sort();
    all
}

#[test]
fn a_local_store_moves_into_postgres_and_the_bucket_and_back() {
    let Some(s) = Shared::start() else { return };
    let local = Store::new();
    let added = json_lines(&local.ok(&["add", "--json", &samples_dir().display().to_string()]));
    let afp = added
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.contains("afp-nato")))
        .and_then(|l| l["id"].as_str())
        .expect("the AFP sample")
        .to_string();
    local.ok(&["edit", &afp, "--caption", "Moved with its history"]);
    local.ok(&["render", &afp, "--preset", "thumb"]);
    local.ok(&[
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
    local.ok(&["token", "create", "desk", "--write"]);
    let photos = json_lines(&local.ok(&["list", "--json"])).len();

    // A served store refuses to move, and says what to do.
    let srv = Server::start(&local);
    let (code, _, err) = migrate(&local, &s, &["--to", &s.db.url, "--blobs", BUCKET]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stop the server"), "{err}");
    srv.stop();

    // No password on the command line.
    let with_password = s.db.url.replacen("byline@", "byline:secret@", 1);
    let (code, _, err) = migrate(&local, &s, &["--to", &with_password, "--blobs", BUCKET]);
    assert_eq!(code, 2);
    assert!(err.contains("PGPASSWORD"), "{err}");

    let (code, out, err) = migrate(
        &local,
        &s,
        &["--json", "--to", &s.db.url, "--blobs", BUCKET],
    );
    assert_eq!(code, 0, "{err}\n{out}");
    let report = json(&out);
    assert_eq!(report["photos"], photos, "{report}");
    assert_eq!(report["copied_photos"], photos, "{report}");
    assert_eq!(report["copied_tokens"], 1, "{report}");
    assert!(
        report["blobs"]["copied"].as_u64() > Some(photos as u64 - 1),
        "{report}"
    );
    assert!(
        !report["to"].as_str().unwrap_or("").contains("secret"),
        "{report}"
    );

    // The same store on the other side.
    assert_eq!(
        listed(&s.ok(&["list", "--json"])),
        listed(&local.ok(&["list", "--json"]))
    );
    assert_eq!(
        s.ok(&["show", "--json", &afp]),
        local.ok(&["show", "--json", &afp])
    );
    assert_eq!(
        s.ok(&["renditions", "--json", &afp]),
        local.ok(&["renditions", "--json", &afp])
    );
    assert_eq!(
        uses(&s.ok(&["uses", "--json"])),
        uses(&local.ok(&["uses", "--json"]))
    );
    assert!(s.ok(&["token", "list"]).contains("desk"));
    let (code, out, _) = s.run(&["verify", "--json"]);
    assert_eq!(code, 0, "{out}");

    // Run again: nothing is copied twice. A photo added since is all that moves.
    let (code, out, err) = migrate(
        &local,
        &s,
        &["--json", "--to", &s.db.url, "--blobs", BUCKET],
    );
    assert_eq!(code, 0, "{err}");
    let again = json(&out);
    assert_eq!(again["copied_photos"], 0, "{again}");
    assert_eq!(again["photos_already_there"], photos, "{again}");
    assert_eq!(again["blobs"]["copied"], 0, "{again}");
    assert_eq!(again["copied_tokens"], 0, "{again}");
    local.ok(&[
        "add",
        &common::corpus("afp-getty-xmp.jpg").display().to_string(),
    ]);
    let (code, out, err) = migrate(
        &local,
        &s,
        &["--json", "--to", &s.db.url, "--blobs", BUCKET],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["copied_photos"], 1, "{out}");

    // And back into a local folder, blobs and all.
    let back = tempfile::tempdir().expect("tempdir");
    let dir = back.path().join("store");
    let (code, out, err) = output(
        s.cmd(&["migrate", "--json", "--to", &dir.display().to_string()])
            .output()
            .expect("byline runs"),
    );
    assert_eq!(code, 0, "{err}\n{out}");
    assert_eq!(json(&out)["copied_photos"], photos + 1, "{out}");
    let home = Store { dir: back };
    assert_eq!(
        listed(&home.ok(&["list", "--json"])),
        listed(&s.ok(&["list", "--json"]))
    );
    assert_eq!(
        home.ok(&["show", "--json", &afp]),
        s.ok(&["show", "--json", &afp])
    );
    let (code, out, _) = home.run(&["verify", "--json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        dir.join("blobs").is_dir(),
        "the blobs came back to the folder"
    );
}

#[test]
fn a_killed_move_is_finished_by_running_it_again() {
    let Some(s) = Shared::start() else { return };
    let local = Store::new();
    let corpus = common::corpus("");
    local.run(&["add", &corpus.display().to_string()]);
    local.ok(&["add", &samples_dir().display().to_string()]);
    let photos = json_lines(&local.ok(&["list", "--json"])).len();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_byline"));
    c.env_remove("BYLINE_STORE")
        .envs(s.weed.env())
        .arg("--store")
        .arg(local.path())
        .args([
            "migrate", "--jobs", "1", "--to", &s.db.url, "--blobs", BUCKET,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().expect("migrate starts");
    std::thread::sleep(Duration::from_millis(700));
    signal(child.id(), "KILL");
    let _ = child.wait();
    let (code, out, err) = migrate(
        &local,
        &s,
        &["--json", "--to", &s.db.url, "--blobs", BUCKET],
    );
    assert_eq!(code, 0, "{err}\n{out}");
    let report = json(&out);
    assert_eq!(report["photos"], photos, "{report}");
    assert_eq!(
        listed(&s.ok(&["list", "--json"])),
        listed(&local.ok(&["list", "--json"]))
    );
    let (code, out, _) = s.run(&["verify", "--json"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_store_in_postgres_that_servers_use_refuses_to_move_out_until_they_stop() {
    let Some(s) = Shared::start() else { return };
    s.ok(&[
        "add",
        &common::sample("afp-nato-brussels.jpg")
            .display()
            .to_string(),
    ]);
    let a = Server::start_on(s.server_env());
    let b = Server::start_on(s.server_env());
    let back = tempfile::tempdir().expect("tempdir");
    let dir = back.path().join("store");
    let move_out = || {
        output(
            s.cmd(&["migrate", "--to", &dir.display().to_string()])
                .output()
                .expect("byline runs"),
        )
    };
    let (code, out, err) = move_out();
    assert_eq!(code, 2, "refused while served: {out}{err}");
    for srv in [&a, &b] {
        assert!(
            err.contains(&format!("pid {}", srv.child.id())),
            "names each server: {err}"
        );
        assert!(err.contains(&srv.base), "and where it listens: {err}");
    }
    assert!(err.contains("stop it"), "says what to do: {err}");
    assert!(!dir.exists(), "nothing was moved");

    // A server stopped cleanly no longer counts; the other still does.
    let a_pid = a.child.id();
    a.stop();
    let (code, _, err) = move_out();
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains(&format!("pid {a_pid}")), "{err}");
    assert!(err.contains(&format!("pid {}", b.child.id())), "{err}");
    b.stop();
    let (code, out, err) = move_out();
    assert_eq!(code, 0, "moves once no server runs: {err}\n{out}");
    assert_eq!(
        json_lines(&Store { dir: back }.ok(&["list", "--json"])).len(),
        1
    );
}
