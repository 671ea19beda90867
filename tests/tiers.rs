//! The index in two tiers (sorted runs under a sled delta): the same operations read the same
//! whether the delta is merged after every commit, now and then, or never; a tombstone hides
//! the base entry it removes; a crash in the middle of a compaction leaves a readable index;
//! and an index without its generation pointer, or with a damaged run, is rebuilt.

mod common;

use std::path::Path;

use byline::blob::MemBackend;
use byline::db::Query;
use byline::library::{NewUse, UseQuery};
use byline::model::TokenAccess;
use byline::{Access, BlobId, Library};
use common::lines::records;
use jiff::Timestamp;
use serde_json::{Value, json};

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// A new store whose index merges its delta once it holds `every` events (`None`: the
/// default, which these small stores never reach).
fn store(every: Option<u64>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(n) = every {
        let index = dir.path().join("index");
        std::fs::create_dir_all(&index).expect("index folder");
        std::fs::write(index.join("compact-every"), n.to_string()).expect("threshold");
    }
    dir
}

fn open(dir: &Path) -> Library {
    Library::open_with_blobs(dir, Access::Write, "test", Box::new(MemBackend::new()))
        .expect("open a store")
}

/// The generation `CURRENT` names.
fn generation(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("index/CURRENT")).expect("CURRENT");
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("generation number")
}

/// Import 30 photos, then edit some (agency, caption), record uses and create and revoke
/// tokens, one commit each. Returns the ids of the edited photos.
fn operate(lib: &mut Library) -> Vec<BlobId> {
    let lines = records(30);
    let ids: Vec<BlobId> = lines.iter().map(|l| l.photo.id).collect();
    lib.import(lines).expect("import");
    let edited: Vec<BlobId> = ids.iter().step_by(4).copied().collect();
    for (i, id) in edited.iter().enumerate() {
        let edits = [
            ("agency".into(), Value::from("Belga")),
            ("caption".into(), Value::from(format!("moved harbour {i}"))),
        ];
        lib.edit(id, &edits, "ed", t("2026-02-01T00:00:00Z"))
            .expect("edit");
        let new = NewUse {
            outlet: format!("Outlet {}", i % 2),
            url: format!("https://example.org/{i}"),
            ..NewUse::default()
        };
        lib.record_use(&ids[i], new, "ed", t("2026-02-02T00:00:00Z"))
            .expect("use");
        lib.commit().expect("commit");
    }
    for name in ["desk", "web", "print"] {
        lib.create_token(
            name,
            &format!("byl_{name}"),
            TokenAccess::Read,
            "admin",
            t("2026-02-03T00:00:00Z"),
        )
        .expect("token");
        lib.commit().expect("commit");
    }
    lib.revoke_token("web", "admin", t("2026-02-04T00:00:00Z"))
        .expect("revoke");
    lib.commit().expect("commit");
    edited
}

/// Everything the reads of a store give, as JSON text.
fn reads(lib: &Library) -> String {
    let mut out = Vec::new();
    let queries = [
        Query::default(),
        Query {
            agency: Some("AFP".into()),
            ..Query::default()
        },
        Query {
            agency: Some("belga".into()),
            ..Query::default()
        },
        Query {
            year: Some(2001),
            ..Query::default()
        },
        Query {
            text: Some("flo".into()),
            ..Query::default()
        },
        Query {
            text: Some("harbour".into()),
            agency: Some("Belga".into()),
            ..Query::default()
        },
        Query {
            incomplete: true,
            ..Query::default()
        },
    ];
    for q in &queries {
        let photos = lib.list(q).expect("list");
        let ids: Vec<String> = photos.iter().map(|p| p.id.to_hex()).collect();
        out.push(json!({ "query": format!("{q:?}"), "ids": ids }));
        for p in photos {
            out.push(json!({ "photo": p, "history": lib.history(&p.id).expect("history") }));
        }
    }
    let outlet = UseQuery {
        outlet: Some("outlet 1".into()),
        ..UseQuery::default()
    };
    out.push(json!({ "uses": lib.uses(&UseQuery::default()).expect("uses") }));
    out.push(json!({ "outlet uses": lib.uses(&outlet).expect("uses") }));
    out.push(json!({ "tokens": lib.tokens().expect("tokens") }));
    out.push(json!({ "len": lib.len().expect("len") }));
    serde_json::to_string_pretty(&out).expect("json")
}

#[test]
fn the_same_operations_read_the_same_merged_after_every_commit_now_and_then_or_never() {
    let (never, every, some) = (store(None), store(Some(1)), store(Some(25)));
    let mut results = Vec::new();
    for dir in [&never, &every, &some] {
        let mut lib = open(dir.path());
        operate(&mut lib);
        results.push(reads(&lib));
        // And the same once reopened.
        drop(lib);
        let lib = open(dir.path());
        assert_eq!(reads(&lib), results[results.len() - 1]);
    }
    assert_eq!(results[0], results[1], "compacted after every commit");
    assert_eq!(results[0], results[2], "compacted now and then");
    assert_eq!(generation(never.path()), 1, "never compacted");
    assert!(
        generation(every.path()) > 10,
        "compacted after every commit"
    );
    // The import (30 events) was merged, then the edits when the writer closed (a writer
    // merges a delta of more than a fiftieth of the threshold when it finishes).
    assert_eq!(generation(some.path()), 3);
}

#[test]
fn a_tombstone_in_the_delta_hides_the_base_entry_it_removes() {
    let dir = store(Some(25));
    let mut lib = open(dir.path());
    let edited = operate(&mut lib);
    // The import went into the runs; the agency edits are in the delta, as tombstones of
    // the old agency's entries and new entries for Belga.
    assert_eq!(generation(dir.path()), 2);
    let belga: Vec<BlobId> = lib
        .list(&Query {
            agency: Some("Belga".into()),
            ..Query::default()
        })
        .expect("list")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(belga.len(), edited.len());
    for agency in common::lines::AGENCIES {
        let q = Query {
            agency: Some(agency.into()),
            ..Query::default()
        };
        for p in lib.list(&q).expect("list") {
            assert!(
                !edited.contains(&p.id),
                "{agency} still lists edited {}",
                p.id
            );
            assert_eq!(p.fields.agency.as_deref(), Some(agency));
        }
    }
    // A revoked token (created in the delta, and here merged before its revocation) is gone.
    let names: Vec<String> = lib
        .tokens()
        .expect("tokens")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["desk", "print"]);
}

/// A compaction that crashed before switching `CURRENT`: a half-written runs folder of the
/// next generation. The index reads as before, and the next compaction replaces the folder.
#[test]
fn a_crash_between_writing_runs_and_switching_the_pointer_leaves_the_old_generation() {
    let dir = store(Some(25));
    let before = {
        let mut lib = open(dir.path());
        operate(&mut lib);
        reads(&lib)
    };
    let index = dir.path().join("index");
    let current = generation(dir.path());
    let next = index.join(format!("runs-{:06}", current + 1));
    std::fs::create_dir_all(&next).expect("next runs");
    let photos = index.join(format!("runs-{current:06}/photos.run"));
    let bytes = std::fs::read(&photos).expect("photos run");
    std::fs::write(next.join("photos.run"), &bytes[..bytes.len() / 2]).expect("torn run");
    let mut lib = open(dir.path());
    assert!(lib.take_warnings().is_empty());
    assert_eq!(reads(&lib), before);
    assert_eq!(generation(dir.path()), current);
    // Enough commits to compact again: the torn folder is replaced by a whole one.
    for i in 0..25 {
        let name = format!("t{i}");
        lib.create_token(
            &name,
            &format!("byl_{name}"),
            TokenAccess::Read,
            "admin",
            t("2026-03-01T00:00:00Z"),
        )
        .expect("token");
        lib.commit().expect("commit");
    }
    assert_eq!(generation(dir.path()), current + 1);
    assert!(
        !index.join(format!("runs-{current:06}")).exists(),
        "old runs deleted"
    );
    drop(lib);
    let lib = open(dir.path());
    assert_eq!(lib.tokens().expect("tokens").len(), 2 + 25);
}

/// Rebuilt from the journal, with a message, and reading what it read before.
fn rebuilt_after(damage: impl Fn(&Path), why: &str) {
    let dir = store(Some(25));
    let before = {
        let mut lib = open(dir.path());
        operate(&mut lib);
        reads(&lib)
    };
    damage(&dir.path().join("index"));
    let mut lib = open(dir.path());
    let warnings = lib.take_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(why) && w.contains("rebuilding it from the journal")),
        "{warnings:?}"
    );
    assert_eq!(reads(&lib), before);
    drop(lib);
    let mut lib = open(dir.path());
    assert!(lib.take_warnings().is_empty(), "rebuilt once");
}

#[test]
fn an_index_without_its_generation_pointer_is_rebuilt() {
    rebuilt_after(
        |index| std::fs::remove_file(index.join("CURRENT")).expect("remove CURRENT"),
        "CURRENT",
    );
}

#[test]
fn an_index_with_a_damaged_run_is_rebuilt() {
    rebuilt_after(
        |index| {
            let runs = std::fs::read_dir(index)
                .expect("index")
                .map(|e| e.expect("entry").path())
                .find(|p| p.to_string_lossy().contains("runs-"))
                .expect("runs folder");
            let ids = runs.join("ids.run");
            let bytes = std::fs::read(&ids).expect("ids run");
            std::fs::write(&ids, &bytes[..bytes.len() - 5]).expect("truncate");
        },
        "damaged",
    );
}

/// A rebuild goes straight into runs, spilling sorted runs when its memory budget is spent
/// (here after every sixteen events, so edits and revocations land in later spills than what
/// they change) and merging them: it reads the same as the index built commit by commit.
#[test]
fn a_rebuild_through_spilled_runs_reads_the_same() {
    for every in [None, Some(1)] {
        let dir = store(every);
        let mut lib = open(dir.path());
        operate(&mut lib);
        let before = reads(&lib);
        let was = generation(dir.path());
        lib.rebuild_index().expect("reindex");
        assert_eq!(reads(&lib), before, "compact-every {every:?}");
        assert!(generation(dir.path()) > was, "a new generation");
        assert!(!dir.path().join("index/bulk").exists(), "spills removed");
        drop(lib);
        let lib = open(dir.path());
        assert_eq!(reads(&lib), before, "reopened");
    }
}

/// An import (a bulk write) ends with the index in runs only, even when what it wrote is
/// below the threshold a writer's end otherwise merges at (a twentieth of the store): a
/// freshly built store opens without a large sled. A small edit afterwards leaves its event
/// in the delta (merging would rewrite the whole base).
#[test]
fn an_import_ends_with_the_index_in_runs_and_a_small_edit_does_not() {
    let dir = store(Some(1_000));
    let mut lines = records(625);
    let late = lines.split_off(600);
    let ids: Vec<BlobId> = late.iter().map(|l| l.photo.id).collect();
    open(dir.path()).import(lines).expect("import 600");
    let before = generation(dir.path());
    {
        // 25 events: at least a fiftieth of the threshold, less than a twentieth of 625.
        let mut lib = open(dir.path());
        lib.import(late).expect("import 25");
    }
    let after_import = generation(dir.path());
    assert!(
        after_import > before,
        "the import's 25 events were merged into runs at its end"
    );
    {
        let mut lib = open(dir.path());
        let edits = [("agency".into(), Value::from("Belga"))];
        lib.edit(&ids[0], &edits, "ed", t("2026-02-01T00:00:00Z"))
            .expect("edit");
        lib.commit().expect("commit");
    }
    assert_eq!(
        generation(dir.path()),
        after_import,
        "one edit stays in the delta"
    );
    let lib = open(dir.path());
    let photo = lib.photo(&ids[0]).expect("photo");
    assert_eq!(photo.fields.agency.as_deref(), Some("Belga"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        match entry.file_type().expect("file type").is_dir() {
            true => copy_dir(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), &target).expect("copy file");
            }
        }
    }
}

/// Edit `id`'s agency to `Belga` in the journal while the index stays as it was: what a
/// writer that died between the journal's fsync and the index leaves.
fn edit_behind_the_index(dir: &Path, id: &BlobId) {
    let index = dir.join("index");
    let behind = dir.join("index-behind");
    copy_dir(&index, &behind);
    {
        let mut lib = open(dir);
        let edits = [("agency".into(), Value::from("Belga"))];
        lib.edit(id, &edits, "ed", t("2026-02-01T00:00:00Z"))
            .expect("edit");
        lib.commit().expect("commit");
    }
    std::fs::remove_dir_all(&index).expect("remove index");
    std::fs::rename(&behind, &index).expect("put the old index back");
}

/// An index behind its journal (a writer died between the journal's fsync and the index):
/// a read-only command catches it up in the delta without merging it into runs, even past
/// the threshold, and reads the late events; the next writer merges.
#[test]
fn a_reader_catches_the_index_up_without_merging_it() {
    let dir = store(Some(1));
    let lines = records(20);
    let id = lines[3].photo.id;
    open(dir.path()).import(lines).expect("import");
    let index = dir.path().join("index");
    edit_behind_the_index(dir.path(), &id);
    let was = generation(dir.path());
    let runs = |index: &Path| -> Vec<std::ffi::OsString> {
        let mut names: Vec<_> = std::fs::read_dir(index)
            .expect("index")
            .map(|e| e.expect("entry").file_name())
            .filter(|n| n.to_string_lossy().starts_with("runs-"))
            .collect();
        names.sort();
        names
    };
    let runs_before = runs(&index);
    {
        let reader = Library::open_with_blobs(
            dir.path(),
            Access::Read,
            "test",
            Box::new(MemBackend::new()),
        )
        .expect("open read-only");
        let photo = reader.photo(&id).expect("photo");
        assert_eq!(photo.fields.agency.as_deref(), Some("Belga"), "caught up");
    }
    assert_eq!(generation(dir.path()), was, "a reader never merges");
    assert_eq!(runs(&index), runs_before, "no runs folder written");
    drop(open(dir.path()));
    assert!(generation(dir.path()) > was, "the next writer merges");
    let photo = open(dir.path()).photo(&id).expect("photo");
    assert_eq!(photo.fields.agency.as_deref(), Some("Belga"));
}

/// Every file under `dir` with its size and modification time.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read folder") {
        let entry = entry.expect("entry");
        let meta = entry.metadata().expect("metadata");
        match meta.is_dir() {
            true => out.extend(files(&entry.path())),
            false => out.push((entry.path(), meta.len(), meta.modified().expect("mtime"))),
        }
    }
    out.sort();
    out
}

fn reader(dir: &Path) -> Library {
    Library::open_with_blobs(dir, Access::Read, "test", Box::new(MemBackend::new()))
        .expect("open read-only")
}

/// The delta marker's text (`index/DELTA`).
fn marker(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("index/DELTA")).expect("marker")
}

/// An index whose delta is empty (an import ends merged into runs) is read from its runs
/// alone: a read-only command neither opens nor writes sled's files, and reads what a
/// writer (which opens sled) reads.
#[test]
fn a_reader_of_an_index_with_an_empty_delta_leaves_sled_untouched() {
    let dir = store(Some(100));
    let lines = records(20);
    open(dir.path()).import(lines).expect("import");
    let index = dir.path().join("index");
    let before = files(&index);
    let (read, len) = {
        let lib = reader(dir.path());
        (reads(&lib), lib.len().expect("len"))
    };
    assert_eq!(len, 20);
    assert_eq!(
        files(&index),
        before,
        "the reader wrote nothing in the index"
    );
    assert_eq!(
        reads(&open(dir.path())),
        read,
        "runs alone read as runs and sled"
    );
}

/// After a small edit the delta holds something and the marker says so; a reader opens sled
/// and sees the edit, and once a compaction empties the delta readers skip sled again.
#[test]
fn after_a_small_edit_a_reader_sees_it_in_the_delta_until_it_is_merged() {
    let dir = store(Some(100));
    let lines = records(20);
    let id = lines[5].photo.id;
    open(dir.path()).import(lines).expect("import");
    let was = generation(dir.path());
    {
        let mut lib = open(dir.path());
        let edits = [("agency".into(), Value::from("Belga"))];
        lib.edit(&id, &edits, "ed", t("2026-02-01T00:00:00Z"))
            .expect("edit");
        lib.commit().expect("commit");
    }
    assert_eq!(generation(dir.path()), was, "the edit stays in the delta");
    assert!(
        !marker(dir.path()).contains("empty"),
        "{}",
        marker(dir.path())
    );
    let photo = reader(dir.path()).photo(&id).expect("photo");
    assert_eq!(photo.fields.agency.as_deref(), Some("Belga"));
    let index = dir.path().join("index");
    std::fs::write(index.join("compact-every"), "1").expect("threshold");
    {
        let mut lib = open(dir.path());
        let edits = [("caption".into(), Value::from("moved harbour"))];
        lib.edit(&id, &edits, "ed", t("2026-02-02T00:00:00Z"))
            .expect("edit");
        lib.commit().expect("commit");
    }
    assert!(generation(dir.path()) > was, "merged");
    let before = files(&index);
    let photo = reader(dir.path()).photo(&id).expect("photo");
    assert_eq!(photo.fields.agency.as_deref(), Some("Belga"));
    assert_eq!(photo.fields.caption.as_deref(), Some("moved harbour"));
    assert_eq!(files(&index), before, "sled not opened once merged");
}

/// Crash-like states: a writer that died after the journal's fsync but before it marked the
/// delta (the marker says empty, the index is behind), and one that marked the delta and
/// wrote nothing (the marker says not empty of an empty delta). Readers read both right,
/// and the second marker is corrected for the next reader.
#[test]
fn a_reader_reads_right_whatever_a_crash_left_in_the_marker() {
    let dir = store(Some(100));
    let lines = records(20);
    let id = lines[7].photo.id;
    open(dir.path()).import(lines).expect("import");
    edit_behind_the_index(dir.path(), &id);
    assert!(
        marker(dir.path()).contains("empty"),
        "the old index says empty"
    );
    let photo = reader(dir.path()).photo(&id).expect("photo");
    assert_eq!(photo.fields.agency.as_deref(), Some("Belga"), "caught up");

    let dir = store(Some(100));
    open(dir.path()).import(records(20)).expect("import");
    let text = marker(dir.path()).replace("empty", "dirty");
    std::fs::write(dir.path().join("index/DELTA"), &text).expect("write marker");
    let first = reads(&reader(dir.path()));
    assert!(marker(dir.path()).contains("empty"), "corrected");
    let index = dir.path().join("index");
    let before = files(&index);
    assert_eq!(reads(&reader(dir.path())), first);
    assert_eq!(files(&index), before, "the next reader skips sled");
}
