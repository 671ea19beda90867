//! The index as a store of any size sees it: pages answered by merging sorted index ranges
//! (checked against an order each test works out itself), an index of another layout
//! rebuilt on open, and export streamed and imported back. Records are made by cloning one
//! real photo's export line with other ids, credits, captions and times.

mod common;

use byline::blob::MemBackend;
use byline::db::Query;
use byline::library::{ExportLine, NewUse, UseQuery};
use byline::model::Photo;
use byline::{Access, BlobId, Library};
use common::sample;
use jiff::Timestamp;
use serde_json::{Value, json};

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn open(dir: &std::path::Path) -> Library {
    Library::open_with_blobs(dir, Access::Write, "test", Box::new(MemBackend::new()))
        .expect("open a store")
}

const AGENCIES: [&str; 4] = ["AFP", "Reuters", "AP", "EPA"];
const WORDS: [&str; 8] = [
    "flood",
    "flow",
    "summit",
    "rescue",
    "storm",
    "harbour",
    "market",
    "floodlight",
];

/// `n` export lines cloned from a real photo's: photo `i` has agency `AGENCIES[i % 4]`, year
/// 2000 + i % 3, a caption of three words picked by `i`, and one of five times (many ties).
fn records(n: usize) -> Vec<ExportLine> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let bytes = std::fs::read(sample("afp-nato-brussels.jpg")).expect("sample");
    let now = t("2026-01-01T00:00:00Z");
    lib.add(&bytes, &[], "ed", now).expect("add");
    lib.commit().expect("commit");
    let line = lib
        .export()
        .expect("export")
        .next()
        .expect("one")
        .expect("line");
    let base = serde_json::to_value(&line).expect("json");
    (0..n)
        .map(|i| {
            let mut v = base.clone();
            let id = BlobId::of(format!("photo {i}").as_bytes()).to_hex();
            let caption = format!(
                "{} {} {}",
                WORDS[i % 8],
                WORDS[(i / 8) % 8],
                WORDS[(i * 7 + 3) % 8]
            );
            let at = format!("2026-01-01T00:00:0{}Z", (i * 3) % 5);
            let fix = |p: &mut Value| {
                p["id"] = json!(id);
                p["agency"] = json!(AGENCIES[i % 4]);
                p["year"] = json!(2000 + i % 3);
                p["caption"] = json!(caption);
                p["headline"] = Value::Null;
                p["keywords"] = json!([]);
                p["added_at"] = json!(at);
            };
            fix(&mut v["photo"]);
            fix(&mut v["history"][0]["change"]["photo"]);
            v["history"][0]["at"] = json!(at);
            serde_json::from_value(v).expect("export line")
        })
        .collect()
}

/// Every page of a query walked, `per` at a time, as ids.
fn walk(lib: &Library, q: &Query, per: usize) -> Vec<BlobId> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = lib.page(q, after, per).expect("page");
        assert!(page.len() <= per);
        out.extend(page.iter().map(|p| p.id));
        match page.last() {
            Some(p) if page.len() == per => after = Some((p.added_at.as_nanosecond(), p.id)),
            _ => return out,
        }
    }
}

#[test]
fn pages_merge_filters_in_the_order_the_test_sorts_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let lines = records(240);
    let photos: Vec<Photo> = lines.iter().map(|l| l.photo.clone()).collect();
    lib.import(lines).expect("import");

    // By time, ties in the order imported (a stable sort keeps it).
    let expect = |keep: &dyn Fn(&Photo) -> bool| {
        let mut v: Vec<&Photo> = photos.iter().filter(|p| keep(p)).collect();
        v.sort_by_key(|p| p.added_at);
        v.into_iter().map(|p| p.id).collect::<Vec<_>>()
    };
    let has_word_from = |p: &Photo, prefix: &str| {
        p.fields
            .caption
            .as_deref()
            .is_some_and(|c| c.split(' ').any(|w| w.starts_with(prefix)))
    };
    type Keep = Box<dyn Fn(&Photo) -> bool>;
    let cases: Vec<(Query, Keep)> = vec![
        (
            Query {
                agency: Some("reuters".into()),
                year: Some(2001),
                ..Query::default()
            },
            Box::new(|p| {
                p.fields.agency.as_deref() == Some("Reuters") && p.fields.year == Some(2001)
            }),
        ),
        (
            Query {
                text: Some("flo".into()),
                ..Query::default()
            },
            Box::new(move |p| has_word_from(p, "flo")),
        ),
        (
            Query {
                agency: Some("AFP".into()),
                text: Some("flood storm".into()),
                ..Query::default()
            },
            Box::new(move |p| {
                p.fields.agency.as_deref() == Some("AFP")
                    && has_word_from(p, "flood")
                    && has_word_from(p, "storm")
            }),
        ),
        (
            Query {
                year: Some(2002),
                text: Some("harbour".into()),
                ..Query::default()
            },
            Box::new(move |p| p.fields.year == Some(2002) && has_word_from(p, "harbour")),
        ),
        (
            Query {
                agency: Some("nobody".into()),
                ..Query::default()
            },
            Box::new(|_| false),
        ),
    ];
    for (q, keep) in &cases {
        let want = expect(keep.as_ref());
        for per in [1, 7, 1000] {
            assert_eq!(walk(&lib, q, per), want, "{q:?} in pages of {per}");
        }
        let streamed: Vec<BlobId> = lib
            .pages(q, None)
            .expect("pages")
            .map(|p| p.expect("photo").id)
            .collect();
        assert_eq!(streamed, want, "{q:?} streamed");
    }
    assert!(
        !expect(cases[0].1.as_ref()).is_empty(),
        "the cases match something"
    );
}

/// sled's background threads release its file lock a moment after the last handle drops
/// (the library waits the same way, in `recover::open_db_waiting`).
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
