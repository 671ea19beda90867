//! The sled index as a store of any size sees it: an index of another layout rebuilt on
//! open, and export streamed and imported back. Records are made by cloning one real photo's
//! export line with other ids, credits, captions and times. (Pages of filtered lists are in
//! `records.rs`, on both records implementations.)

mod common;

use byline::blob::MemBackend;
use byline::library::{ExportLine, NewUse, UseQuery};
use byline::model::Photo;
use byline::{Access, Library};
use common::lines::records;
use jiff::Timestamp;
use serde_json::Value;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn open(dir: &std::path::Path) -> Library {
    Library::open_with_blobs(dir, Access::Write, "test", Box::new(MemBackend::new()))
        .expect("open a store")
}

/// sled's background threads release its file lock a moment after the last handle drops
/// (the library waits the same way, in `records::embedded::open_db_waiting`).
fn open_sled_waiting(path: &std::path::Path) -> sled::Db {
    let mut tries = 0;
    loop {
        match sled::open(path) {
            Ok(db) => return db,
            Err(e) if tries < 250 && e.to_string().contains("could not acquire lock") => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("sled: {e}"),
        }
    }
}

#[test]
fn an_index_of_another_layout_is_rebuilt_from_the_journal_not_misread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = records(30);
    let want: Vec<Photo> = lines.iter().map(|l| l.photo.clone()).collect();
    {
        let mut lib = open(dir.path());
        lib.import(lines).expect("import");
        assert!(lib.take_warnings().is_empty());
    }
    // Stamp the index with the layout an older byline wrote.
    {
        let db = open_sled_waiting(&dir.path().join("index"));
        let meta = db.open_tree("meta").expect("meta");
        meta.insert("schema", &3u64.to_be_bytes()).expect("insert");
        db.flush().expect("flush");
    }
    let mut lib = open(dir.path());
    let warnings = lib.take_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("layout 3") && w.contains("rebuilding it from the journal")),
        "{warnings:?}"
    );
    for p in &want {
        assert_eq!(&lib.photo(&p.id).expect("photo"), p);
    }
    assert_eq!(lib.len().expect("len"), want.len());
    // And the rebuilt index is the current layout: no message the next time.
    drop(lib);
    let mut lib = open(dir.path());
    assert!(lib.take_warnings().is_empty());
}

#[test]
fn export_streams_and_imports_back_with_edits_and_uses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let lines = records(50);
    let first = lines[0].photo.id;
    lib.import(lines).expect("import");
    lib.edit(
        &first,
        &[("caption".into(), Value::from("A corrected caption"))],
        "ed",
        t("2026-02-01T00:00:00Z"),
    )
    .expect("edit");
    for outlet in ["Le Soir", "De Standaard", "Le Soir"] {
        lib.record_use(
            &first,
            NewUse {
                outlet: outlet.into(),
                url: format!("https://example.org/{outlet}"),
                printed_credit: Some("AFP".into()),
                ..NewUse::default()
            },
            "ed",
            t("2026-02-02T00:00:00Z"),
        )
        .expect("use");
    }
    let exported: Vec<ExportLine> = lib
        .export()
        .expect("export")
        .map(|l| l.expect("line"))
        .collect();
    assert_eq!(exported.len(), 50);

    let other = tempfile::tempdir().expect("tempdir");
    let mut copy = open(other.path());
    copy.import(exported.clone()).expect("import");
    for line in &exported {
        assert_eq!(copy.photo(&line.photo.id).expect("photo"), line.photo);
        let history = copy.history(&line.photo.id).expect("history");
        assert_eq!(history.len(), line.history.len());
    }
    assert_eq!(
        copy.photo(&first).expect("photo").fields.caption.as_deref(),
        Some("A corrected caption")
    );
    // Uses come across, and an outlet's uses page from its own index.
    let soir = UseQuery {
        outlet: Some("le soir".into()),
        ..UseQuery::default()
    };
    let all: Vec<u64> = copy
        .uses(&soir)
        .expect("uses")
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(all.len(), 2);
    let second: Vec<u64> = copy
        .uses_from(&soir, Some(all[0]))
        .expect("uses")
        .map(|u| u.expect("use").id)
        .collect();
    assert_eq!(second, all[1..]);
    let report = copy.verify().expect("verify");
    assert!(
        report.index_mismatches.is_empty(),
        "{:?}",
        report.index_mismatches
    );
}
