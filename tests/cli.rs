//! The editor's command line, driven through the real binary in a temporary store: one test
//! per user story of the core issue, bad input included. Output is checked against `schema/`.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{Store, check_schema, corpus, json_lines, sample, samples_dir};

#[test]
fn adding_the_samples_reads_their_credits() {
    let s = Store::new();
    let lines = s.add(&[samples_dir().as_path()]);
    assert_eq!(lines.len(), 5, "{lines:?}");
    for l in &lines {
        check_schema("add-line.schema.json", l);
        assert_eq!(l["status"], "added", "{l}");
    }
    let afp = lines
        .iter()
        .find(|l| {
            l["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("afp-nato-brussels.jpg"))
        })
        .expect("the AFP sample was added");
    assert_eq!(afp["missing"], serde_json::json!([]));
    let rec = s.record(afp["id"].as_str().expect("id"));
    check_schema("record.schema.json", &rec);
    // EXIF Artist wins for the creator (MWG); the year comes from DateTimeOriginal.
    assert_eq!(rec["creators"], serde_json::json!(["John Thys"]));
    assert_eq!(rec["year"], 2013);
    assert_eq!(rec["agency"], "AFP");
    assert!(
        rec["caption"]
            .as_str()
            .is_some_and(|c| c.contains("defence ministers"))
    );
    assert_eq!(rec["original"]["format"], "jpeg");
    assert_eq!(rec["original"]["width"], 480);
    assert_eq!(rec["status"], "complete");
    let grab = lines
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(".png")))
        .expect("the PNG sample");
    assert_eq!(
        grab["missing"],
        serde_json::json!(["caption", "creator_or_agency", "year"])
    );
}

#[test]
fn the_same_bytes_again_are_not_duplicated() {
    let s = Store::new();
    let id = s.add_one(&sample("afp-nato-brussels.jpg"));
    let journal = s.path().join("journal.jsonl");
    let before = std::fs::read(&journal).expect("journal");
    let (code, out, _) = s.run(&[
        "add",
        sample("afp-nato-brussels.jpg").to_str().expect("path"),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("already stored as {id}")), "{out}");
    assert_eq!(
        std::fs::read(&journal).expect("journal"),
        before,
        "no new event"
    );
    let again = s.add(&[sample("afp-nato-brussels.jpg").as_path()]);
    assert_eq!(again[0]["status"], "duplicate");
    assert_eq!(again[0]["id"], id.as_str());
    assert_eq!(json_lines(&s.ok(&["list", "--json"])).len(), 1);
}

#[test]
fn bad_files_are_reported_and_the_rest_go_on() {
    let s = Store::new();
    let dir = s.dir.path();
    let text = dir.join("notes.jpg");
    std::fs::write(&text, "this is not a photo\n").expect("write");
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").expect("write");
    let missing = dir.join("missing.jpg");
    let truncated = corpus("broken-truncated-scan.jpg");
    let good = sample("afp-nato-brussels.jpg");
    let mut cmd = s.cmd(&["add", "--json"]);
    cmd.args([&text, &empty, &missing, &truncated, &good]);
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "failed files give exit 1");
    let lines = json_lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(lines.len(), 5);
    for l in &lines {
        check_schema("add-line.schema.json", l);
    }
    let error_of = |p: &PathBuf| {
        let l = lines
            .iter()
            .find(|l| l["path"] == p.display().to_string())
            .expect("a line per file");
        assert_eq!(l["status"], "failed", "{l}");
        l["error"].as_str().expect("error").to_string()
    };
    assert!(error_of(&text).contains("not an image"));
    assert!(error_of(&empty).contains("empty file"));
    assert!(error_of(&missing).contains("No such file"));
    assert!(error_of(&truncated).contains("truncated"));
    assert_eq!(lines[4]["status"], "added");
    // Text output names each failed path with its reason, and a summary.
    let (code, out, _) = s.run(&["add", text.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("failed     {}: not an image", text.display())),
        "{out}"
    );
    assert!(out.contains("0 added, 0 already stored, 1 failed"), "{out}");
}

#[test]
fn flags_override_the_file_and_are_marked_as_such() {
    let s = Store::new();
    let (code, out, err) = s.run(&[
        "add",
        "--json",
        "--caption",
        "Flooded street",
        "--creator",
        "Ana Ruiz",
        "--creator",
        "Bo Li",
        "--year",
        "2021",
        "--agency",
        "EFE",
        "--editorial-only",
        "--expires",
        "2030-01-31",
        sample("no-metadata-grab.png").to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{err}");
    let id = json_lines(&out)[0]["id"].as_str().expect("id").to_string();
    let rec = s.record(&id);
    assert_eq!(rec["creators"], serde_json::json!(["Ana Ruiz", "Bo Li"]));
    assert_eq!(rec["year"], 2021);
    assert_eq!(rec["rights"]["editorial_only"], true);
    assert_eq!(rec["rights"]["expires"], "2030-01-31T00:00:00Z");
    assert_eq!(rec["sources"]["caption"], "flag");
    assert_eq!(rec["status"], "complete");
    let (code, _, err) = s.run(&[
        "add",
        "--year",
        "13",
        sample("ap-pool-summit.jpg").to_str().expect("p"),
    ]);
    assert_eq!(code, 2, "a bad flag is a usage error");
    assert!(err.contains("four-digit year"), "{err}");
}

/// Two files whose ids share their first 6 hex characters: found by a birthday search over
/// a sample with different bytes appended after its end-of-image marker.
fn colliding_pair(dir: &std::path::Path) -> (PathBuf, PathBuf, String) {
    let base = std::fs::read(sample("afp-nato-brussels.jpg")).expect("sample");
    let mut seen: HashMap<String, u32> = HashMap::new();
    for i in 0u32.. {
        let mut b = base.clone();
        b.extend_from_slice(&i.to_le_bytes());
        let prefix = blake3::hash(&b).to_hex()[..6].to_string();
        if let Some(j) = seen.insert(prefix.clone(), i) {
            let write = |n: u32| {
                let mut b = base.clone();
                b.extend_from_slice(&n.to_le_bytes());
                let p = dir.join(format!("copy-{n}.jpg"));
                std::fs::write(&p, b).expect("write");
                p
            };
            return (write(j), write(i), prefix);
        }
    }
    unreachable!("the search is unbounded")
}

#[test]
fn show_takes_a_unique_prefix_and_lists_candidates_when_ambiguous() {
    let s = Store::new();
    let (a, b, prefix) = colliding_pair(s.dir.path());
    let ida = s.add_one(&a);
    let idb = s.add_one(&b);
    let (code, _, err) = s.run(&["show", &prefix]);
    assert_eq!(code, 2);
    assert!(
        err.contains("ambiguous") && err.contains(&ida) && err.contains(&idb),
        "{err}"
    );
    let out = s.ok(&["show", &ida[..8.max(common_len(&ida, &idb) + 1)]]);
    assert!(out.contains(&ida), "{out}");
    let (code, _, err) = s.run(&["show", "abc"]);
    assert_eq!(code, 2);
    assert!(err.contains("at least its first 6 hex characters"), "{err}");
    let (code, _, err) = s.run(&["show", "ffffffffff"]);
    assert_eq!(code, 2);
    assert!(err.contains("no photo with id ffffffffff"), "{err}");
}

fn common_len(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

#[test]
fn edits_are_journalled_and_history_shows_old_and_new() {
    let s = Store::new();
    let id = s.add_one(&sample("afp-nato-brussels.jpg"));
    let out = s.ok(&["edit", &id[..10], "--year", "2014", "--by", "desk-editor"]);
    assert!(out.contains("year: 2013 → 2014"), "{out}");
    s.ok(&[
        "edit",
        &id[..10],
        "--caption",
        "New caption",
        "--by",
        "chief",
    ]);
    let rec = s.record(&id);
    assert_eq!(
        (rec["year"].clone(), rec["revision"].clone()),
        (2014.into(), 3.into())
    );
    assert_eq!(rec["sources"]["year"], "edit");
    let hist = s.ok(&["history", &id[..10]]);
    assert!(
        hist.contains("revision 2") && hist.contains("by desk-editor"),
        "{hist}"
    );
    assert!(hist.contains("year: 2013 → 2014"), "{hist}");
    assert!(hist.contains("by chief"), "{hist}");
    let events = json_lines(&s.ok(&["history", "--json", &id]));
    assert_eq!(events.len(), 3);
    for e in &events {
        check_schema("event.schema.json", e);
    }
    assert_eq!(events[0]["by"], "tester", "$USER is the default actor");
    assert_eq!(events[1]["change"]["changes"][0]["old"], 2013);
    // An edit that changes nothing adds no event.
    let out = s.ok(&["edit", &id, "--year", "2014"]);
    assert!(out.contains("no change"), "{out}");
    assert_eq!(json_lines(&s.ok(&["history", "--json", &id])).len(), 3);
    for line in std::fs::read_to_string(s.path().join("journal.jsonl"))
        .expect("journal")
        .lines()
    {
        check_schema(
            "journal-line.schema.json",
            &serde_json::from_str(line).expect("json"),
        );
    }
}

#[test]
fn list_filters_by_agency_creator_year_text_and_status() {
    let s = Store::new();
    s.add(&[samples_dir().as_path()]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["list", "--json"];
        a.extend_from_slice(args);
        let lines = json_lines(&s.ok(&a));
        for l in &lines {
            check_schema("record.schema.json", l);
        }
        lines
            .iter()
            .map(|l| l["caption"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&[]).len(), 5);
    let afp = ids(&["--agency", "afp"]);
    assert_eq!(afp.len(), 1);
    assert!(afp[0].contains("NATO"));
    assert_eq!(ids(&["--creator", "john THYS"]), afp);
    assert_eq!(ids(&["--year", "2013"]), afp);
    assert_eq!(ids(&["--text", "nato brussels"]), afp);
    assert_eq!(ids(&["--text", "bruss"]), afp, "words match by prefix");
    assert!(
        ids(&["--text", "nato flood"]).is_empty(),
        "all words must match"
    );
    assert_eq!(ids(&["--year", "2013", "--agency", "reuters"]).len(), 0);
    assert_eq!(
        ids(&["--incomplete"]).len(),
        1,
        "only the PNG with no metadata"
    );
    let table = s.ok(&["list", "--agency", "AFP"]);
    assert!(table.starts_with("ID"), "{table}");
    assert!(table.contains("John Thys"), "{table}");
}

#[test]
fn credit_prints_the_default_line() {
    let s = Store::new();
    let id = s.add_one(&sample("afp-nato-brussels.jpg"));
    assert_eq!(s.ok(&["credit", &id]).trim(), "© AFP 2013 / John Thys");
    let json: serde_json::Value =
        serde_json::from_str(&s.ok(&["credit", "--json", &id])).expect("credit --json is JSON");
    assert_eq!(json["line"], "© AFP 2013 / John Thys");
    let grab = s.add_one(&sample("no-metadata-grab.png"));
    let (code, _, err) = s.run(&["credit", &grab]);
    assert_eq!(code, 1, "no credit is a finding");
    assert!(err.contains("neither a creator nor an agency"), "{err}");
}

#[test]
fn export_then_import_is_idempotent_and_keeps_history() {
    let a = Store::new();
    a.add(&[samples_dir().as_path()]);
    let id = a.add_one(&corpus("iptc-ref-2019.1.jpg"));
    a.ok(&["edit", &id, "--caption", "Corrected", "--by", "alice"]);
    let file = a.dir.path().join("export.jsonl");
    a.ok(&["export", "--out", file.to_str().expect("path")]);
    let lines = json_lines(&std::fs::read_to_string(&file).expect("export"));
    assert_eq!(lines.len(), 6);
    for l in &lines {
        check_schema("export-line.schema.json", l);
    }
    let b = Store::new();
    let out = b.ok(&["import", file.to_str().expect("path")]);
    assert!(out.contains("6 imported, 0 already present"), "{out}");
    assert!(
        has_index_snapshot(&b),
        "import leaves the index's snapshot written"
    );
    let out = b.ok(&["import", file.to_str().expect("path")]);
    assert!(out.contains("0 imported, 6 already present"), "{out}");
    assert_eq!(a.record(&id), b.record(&id));
    assert_eq!(
        a.ok(&["history", "--json", &id]),
        b.ok(&["history", "--json", &id]),
        "time and actor survive the trip"
    );
}

/// Whether sled has written its snapshot (`snap.*`, where each page lies) in the store's
/// index: a bulk write leaves one, so the next command need not scan the whole log first.
fn has_index_snapshot(s: &Store) -> bool {
    std::fs::read_dir(s.path().join("index"))
        .expect("index folder")
        .any(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .starts_with("snap.")
        })
}

#[test]
fn verify_finds_a_corrupt_blob() {
    let s = Store::new();
    let id = s.add_one(&sample("afp-nato-brussels.jpg"));
    let out = s.ok(&["verify"]);
    assert!(out.contains("ok: the store is sound"), "{out}");
    let blob = s.path().join("blobs").join(&id[..2]).join(&id);
    let mut bytes = std::fs::read(&blob).expect("blob");
    bytes[100] ^= 0xFF;
    std::fs::write(&blob, bytes).expect("write");
    let (code, out, _) = s.run(&["verify"]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("corrupt blob: {id}")), "{out}");
    // The same findings as JSON, with an orphan blob and a stray file too.
    let bytes = b"no record names these bytes";
    let orphan = blake3::hash(bytes).to_hex().to_string();
    let shard = s.path().join("blobs").join(&orphan[..2]);
    std::fs::create_dir_all(&shard).expect("shard");
    std::fs::write(shard.join(&orphan), bytes).expect("orphan");
    std::fs::write(shard.join("leftover.tmp"), b"half an upload").expect("stray");
    let (code, out, _) = s.run(&["verify", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    check_schema("verify.schema.json", &report);
    assert_eq!(report["corrupt_blobs"], serde_json::json!([id]), "{report}");
    assert!(
        report["stray_files"].to_string().contains("leftover.tmp"),
        "{report}"
    );
    let (_, out, _) = s.run(&["verify", "--repair", "--json"]);
    let repaired: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    check_schema("verify.schema.json", &repaired);
    // What `GET /admin/verify` is described as answering is the same report.
    common::serve::check_component("VerifyReport", &repaired);
    assert!(
        repaired["removed_orphans"].to_string().contains(&orphan),
        "{repaired}"
    );
    // Adding the right bytes again repairs it.
    std::fs::remove_file(shard.join("leftover.tmp")).expect("stray removed");
    s.add(&[sample("afp-nato-brussels.jpg").as_path()]);
    s.ok(&["verify"]);
}

#[test]
fn deleting_the_index_loses_nothing() {
    let s = Store::new();
    s.add(&[samples_dir().as_path()]);
    let id = s.add_one(&corpus("iptc-ref-2019.1.jpg"));
    s.ok(&["edit", &id, "--agency", "IPTC", "--by", "bob"]);
    let list = s.ok(&["list", "--json"]);
    let history = s.ok(&["history", "--json", &id]);
    std::fs::remove_dir_all(s.path().join("index")).expect("remove index");
    let (code, out, err) = s.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, list);
    assert_eq!(s.ok(&["history", "--json", &id]), history);
    assert_eq!(
        s.ok(&["list", "--agency", "iptc", "--json"])
            .lines()
            .count(),
        1
    );
    // A damaged index is rebuilt as well, and `reindex` does it on demand.
    std::fs::write(s.path().join("index").join("db"), b"garbage").expect("damage");
    assert_eq!(s.ok(&["list", "--json"]), list);
    assert!(s.ok(&["reindex"]).contains("6 photos"));
    assert!(
        has_index_snapshot(&s),
        "reindex leaves the index's snapshot written"
    );
    assert_eq!(s.ok(&["list", "--json"]), list);
    s.ok(&["verify"]);
}

#[test]
fn a_torn_last_journal_record_is_dropped_with_a_warning() {
    let s = Store::new();
    s.add_one(&sample("afp-nato-brussels.jpg"));
    let journal = s.path().join("journal.jsonl");
    let mut bytes = std::fs::read(&journal).expect("journal");
    bytes.extend_from_slice(br#"{"sum":"0123456789abcdef","event":{"seq":2,"#);
    std::fs::write(&journal, &bytes).expect("write");
    let (code, out, err) = s.run(&["list", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out).len(), 1);
    assert!(err.contains("dropped a torn last record"), "{err}");
    // The next writer cuts the torn tail and carries on from event 2.
    s.add_one(&sample("ap-pool-summit.jpg"));
    let (_, out, err) = s.run(&["list", "--json"]);
    assert!(err.is_empty(), "{err}");
    assert_eq!(json_lines(&out).len(), 2);
    s.ok(&["verify"]);
}

#[test]
fn a_second_writer_is_told_who_holds_the_store() {
    let s = Store::new();
    s.add_one(&sample("afp-nato-brussels.jpg"));
    let held = byline::Library::open(&s.path(), byline::Access::Write, "byline serve (pid 4242)")
        .expect("open as writer");
    let (code, _, err) = s.run(&["add", sample("ap-pool-summit.jpg").to_str().expect("p")]);
    assert_eq!(code, 2);
    assert!(err.contains("in use by byline serve (pid 4242)"), "{err}");
    let (code, _, err) = s.run(&["list"]);
    assert_eq!(code, 2, "readers wait for no writer");
    assert!(err.contains("in use"), "{err}");
    drop(held);
    s.ok(&["list"]);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let s = Store::new();
    let id = s.add_one(&sample("no-metadata-grab.png"));
    s.ok(&["edit", &id, "--caption", "Evil\u{1b}[2J caption\u{7}"]);
    let shown = s.ok(&["show", &id]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("Evil[2J caption"), "{shown}");
    // JSON keeps the text exactly, escaped.
    assert_eq!(s.record(&id)["caption"], "Evil\u{1b}[2J caption\u{7}");
}

#[test]
fn inspect_reads_a_file_without_storing_it() {
    let s = Store::new();
    let mut cmd = s.cmd(&["inspect", "--json"]);
    cmd.arg(sample("latin1-iim-creator.jpg"))
        .arg(corpus("seibert-iim-xmp-exif-disagree.jpg"))
        .arg(s.dir.path().join("missing.jpg"));
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a missing file is a failed file"
    );
    let lines = json_lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(lines.len(), 3);
    for l in &lines[..2] {
        check_schema("inspect.schema.json", l);
    }
    // IIM without 1:90 in Latin-1 is decoded as such, with a warning saying so.
    assert_eq!(
        lines[0]["fields"]["creators"],
        serde_json::json!(["José Müller"])
    );
    assert!(
        lines[0]["warnings"].to_string().contains("Windows-1252"),
        "{}",
        lines[0]["warnings"]
    );
    assert_eq!(lines[1]["sources"]["creators"], "exif");
    assert!(lines[2]["error"].as_str().is_some());
    assert!(!s.path().exists(), "inspect never creates a store");
}

// See: #10. `inspect DIR` answered "Is a directory (os error 21)".
#[test]
fn inspect_walks_folders_as_add_does() {
    let s = Store::new();
    let dir = s.dir.path().join("agency");
    std::fs::create_dir_all(dir.join("day2")).expect("folders");
    std::fs::copy(sample("afp-nato-brussels.jpg"), dir.join("a.jpg")).expect("copy");
    std::fs::copy(sample("latin1-iim-creator.jpg"), dir.join("day2/b.jpg")).expect("copy");
    std::fs::copy(sample("ap-pool-summit.jpg"), dir.join(".hidden.jpg")).expect("copy");
    std::fs::write(dir.join("day2/notes.txt"), b"not a photo").expect("write");
    let (code, out, err) = s.run(&["inspect", "--json", dir.to_str().expect("path")]);
    assert_eq!(code, 1, "the text file is a failed file: {err}");
    let lines = json_lines(&out);
    let paths: Vec<&str> = lines.iter().filter_map(|l| l["path"].as_str()).collect();
    assert_eq!(paths.len(), 3, "hidden files are skipped: {paths:?}");
    assert!(paths[0].ends_with("a.jpg") && paths[1].ends_with("day2/b.jpg"));
    assert!(paths[2].ends_with("notes.txt"), "{paths:?}");
    check_schema("inspect.schema.json", &lines[0]);
    assert_eq!(
        lines[0]["fields"]["creators"],
        serde_json::json!(["John Thys"])
    );
    assert_eq!(
        lines[1]["fields"]["creators"],
        serde_json::json!(["José Müller"])
    );
    assert!(lines[2]["error"].as_str().is_some(), "{}", lines[2]);
    // The folder alone, as text, every file is named.
    let (code, out, _) = s.run(&["inspect", dir.join("day2").to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(out.contains("b.jpg") && out.contains("notes.txt"), "{out}");
    assert!(!s.path().exists(), "inspect never creates a store");
}

#[test]
fn a_damaged_export_file_imports_nothing() {
    let a = Store::new();
    a.add(&[samples_dir().as_path()]);
    let file = a.dir.path().join("export.jsonl");
    a.ok(&["export", "--out", file.to_str().expect("path")]);
    let mut text = std::fs::read_to_string(&file).expect("export");
    text.push_str("{\"photo\": \"not a record\"}\n");
    std::fs::write(&file, text).expect("write");
    let b = Store::new();
    let (code, _, err) = b.run(&["import", file.to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(err.contains("line 6: not an export record"), "{err}");
    assert_eq!(b.run(&["list", "--json"]).1, "", "nothing was imported");

    // A record whose history does not lead to it, after more than one commit's worth (1,000)
    // of good ones: still nothing is imported, and the line is named.
    let first = std::fs::read_to_string(&file)
        .expect("export")
        .lines()
        .next()
        .expect("a line")
        .to_string();
    let id = first.get(16..80).expect("the record's id").to_string();
    assert!(first.starts_with("{\"photo\":{\"id\":\""), "{first}");
    let mut many = String::new();
    for n in 0..1001u32 {
        let other = blake3::hash(&n.to_le_bytes()).to_hex().to_string();
        many.push_str(&first.replace(&id, &other));
        many.push('\n');
    }
    let last = many.lines().last().expect("a line").to_string();
    let bad = last.replacen("\"caption\":\"", "\"caption\":\"Changed: ", 1);
    assert_ne!(bad, last, "the caption was changed");
    std::fs::write(&file, many.replace(&last, &bad)).expect("write");
    let (code, _, err) = b.run(&["import", file.to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1001"), "{err}");
    assert_eq!(b.run(&["list", "--json"]).1, "", "nothing was imported");
}

#[test]
fn an_index_of_another_journal_is_rebuilt_and_a_damaged_journal_says_what_to_do() {
    // The index of a store whose journal was replaced (a restore, a copy) does not fit it:
    // it is rebuilt from the journal that is there.
    let a = Store::new();
    a.add(&[corpus("iptc-ref-2019.1.jpg").as_path()]);
    let b = Store::new();
    b.add(&[samples_dir().as_path()]);
    let b_list = b.ok(&["list", "--json"]);
    std::fs::copy(
        b.path().join("journal.jsonl"),
        a.path().join("journal.jsonl"),
    )
    .expect("copy the journal");
    let (code, out, err) = a.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, b_list);
    assert!(err.contains("index does not fit the journal"), "{err}");

    // Damage inside the journal is not an index problem: no rebuild can mend it, and the
    // error says what to do.
    let journal = a.path().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("journal");
    let second = text.lines().nth(1).expect("a second event").to_string();
    std::fs::write(
        &journal,
        text.replacen(&second, &second.replace('{', "["), 1),
    )
    .expect("damage");
    std::fs::remove_dir_all(a.path().join("index")).expect("remove the index");
    let (code, _, err) = a.run(&["list"]);
    assert_eq!(code, 2);
    assert!(err.contains("restore journal.jsonl from a backup"), "{err}");
}

/// `schema/verify.schema.json` (what `verify --json` prints) and the `VerifyReport` that
/// `schema/openapi.json` describes for `GET /admin/verify` name the same fields, each as
/// required or not, with the same types: one report, described twice.
#[test]
fn the_verify_report_is_described_alike_in_both_schemas() {
    let read = |name: &str| -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema")).expect("JSON")
    };
    let cli = read("verify.schema.json");
    let api = read("openapi.json")["components"]["schemas"]["VerifyReport"].clone();
    let fields = |s: &serde_json::Value| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = s["properties"]
            .as_object()
            .expect("properties")
            .iter()
            .map(|(k, v)| {
                // A `$ref` to the ids list is an array of ids.
                let kind = v["type"].as_str().unwrap_or("array").to_string();
                (k.clone(), kind)
            })
            .collect();
        f.sort();
        f
    };
    assert_eq!(fields(&cli), fields(&api));
    assert_eq!(cli["required"], api["required"]);
    assert_eq!(cli["additionalProperties"], api["additionalProperties"]);
}
