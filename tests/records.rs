//! The records of a store (its events and the index derived from them) through the public
//! library API, held to the same assertions on both implementations: the embedded journal
//! file + sled index, and PostgreSQL (a real cluster the test starts on loopback). Each body
//! below runs once per kind (`embedded::…`, `compacting::…` — embedded with the index compacted
//! after every commit —, `postgres::…`). What only several writers can
//! show — the same bytes added at once give one record — is in `several_writers_…`.

mod common;

use std::sync::{Arc, Barrier};

use byline::blob::MemBackend;
use byline::db::Query;
use byline::library::{Added, Identified, NewUse, PgStore, UseQuery};
use byline::model::{Photo, RenditionSpec, TokenAccess};
use byline::{Access, BlobId, Error, Library};
use common::lines::records;
use common::sample;
use jiff::Timestamp;
use serde_json::{Value, json};

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// Which records implementation a test runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Embedded,
    /// Embedded, with the index merging its delta into new runs after every commit, so each
    /// body also reads through base and delta merged (tombstones included).
    Compacting,
    Postgres,
}

/// Where a test's store lives, kept alive for the test.
struct Place {
    kind: Kind,
    dir: tempfile::TempDir,
    db: Option<common::pg::Database>,
}

impl Place {
    /// A new, empty store of `kind`; `None` when PostgreSQL is not installed (skipped).
    fn new(kind: Kind) -> Option<Place> {
        let db = match kind {
            Kind::Embedded | Kind::Compacting => None,
            Kind::Postgres => Some(common::pg::database()?),
        };
        let dir = tempfile::tempdir().expect("tempdir");
        if let Kind::Compacting = kind {
            let index = dir.path().join("index");
            std::fs::create_dir_all(&index).expect("index folder");
            std::fs::write(index.join("compact-every"), "1").expect("threshold");
        }
        Some(Place { kind, dir, db })
    }

    /// A writer on the store (blobs in memory).
    fn try_open(&self) -> byline::Result<Library> {
        let blobs = Box::new(MemBackend::new());
        match (&self.db, self.kind) {
            (Some(db), Kind::Postgres) => Library::open_postgres_with_blobs(
                PgStore {
                    url: &db.url,
                    password: None,
                    work: &self.dir.path().join("work"),
                },
                Access::Write,
                blobs,
            ),
            _ => Library::open_with_blobs(self.dir.path(), Access::Write, "test", blobs),
        }
    }

    fn open(&self) -> Library {
        self.try_open().expect("open the store")
    }
}

/// Run `body` on a new store of `kind` (nothing when the peer is missing).
fn on(kind: Kind, body: fn(&Place)) {
    if let Some(place) = Place::new(kind) {
        body(&place);
    }
}

/// One test per kind for each body.
macro_rules! on_both {
    ($($body:ident),* $(,)?) => {
        mod embedded {
            $(#[test] fn $body() { super::on(super::Kind::Embedded, super::$body) })*
        }
        mod compacting {
            $(#[test] fn $body() { super::on(super::Kind::Compacting, super::$body) })*
        }
        mod postgres {
            $(#[test] fn $body() { super::on(super::Kind::Postgres, super::$body) })*
        }
    };
}

on_both!(
    adds_shows_and_refuses_duplicates,
    lists_with_filters_in_keyset_pages,
    edits_and_a_stale_revision_conflicts,
    uses_and_tokens,
    reindex_rebuilds_the_same_index,
);

fn read(name: &str) -> Vec<u8> {
    std::fs::read(sample(name)).expect("sample")
}

fn add(lib: &mut Library, bytes: &[u8], at: &str) -> BlobId {
    match lib.add(bytes, &[], "ed", t(at)).expect("add") {
        Added::New(p) => p.id,
        Added::Duplicate(id) => panic!("{id} is new"),
    }
}

fn adds_shows_and_refuses_duplicates(place: &Place) {
    let mut lib = place.open();
    let afp = read("afp-nato-brussels.jpg");
    let ap = read("ap-pool-summit.jpg");
    let a = add(&mut lib, &afp, "2026-01-02T03:04:05Z");
    let b = add(&mut lib, &ap, "2026-01-02T03:04:06Z");
    // Staged, not yet visible; the same bytes again in the batch are a duplicate.
    assert!(lib.photo(&a).is_err());
    assert!(
        matches!(lib.add(&afp, &[], "ed", t("2026-01-03T00:00:00Z")), Ok(Added::Duplicate(id)) if id == a)
    );
    let committed = lib.commit().expect("commit");
    assert_eq!(committed.events.len(), 2);
    assert!(committed.duplicates.is_empty());
    assert!(
        matches!(lib.add(&afp, &[], "ed", t("2026-01-03T00:00:00Z")), Ok(Added::Duplicate(id)) if id == a)
    );
    lib.commit().expect("commit nothing");

    let photo = lib.photo(&a).expect("stored");
    assert_eq!(photo.added_at, t("2026-01-02T03:04:05Z"));
    assert_eq!(photo.fields.agency.as_deref(), Some("AFP"), "{photo:?}");
    assert_eq!(photo.revision, 1);
    assert_eq!(lib.len().expect("len"), 2);
    assert!(!lib.is_empty().expect("is_empty"));
    assert_eq!(lib.resolve(&a.to_hex()[..9]).expect("a prefix"), a);
    assert_eq!(lib.resolve(&b.to_hex()).expect("a full id"), b);
    assert!(matches!(lib.resolve("000000"), Err(Error::NotFound(_))));
    let history = lib.history(&a).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        lib.identify(&afp).expect("identify"),
        Identified::Original { photo: a }
    );
    // A reader opened later sees the same.
    drop(lib);
    let again = place.open();
    assert_eq!(again.photo(&a).expect("reopened"), photo);
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

fn lists_with_filters_in_keyset_pages(place: &Place) {
    let mut lib = place.open();
    let lines = records(150);
    let photos: Vec<Photo> = lines.iter().map(|l| l.photo.clone()).collect();
    let summary = lib.import(lines).expect("import");
    assert_eq!(summary.imported, 150);
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
    let agency = |p: &Photo, a: &str| p.fields.agency.as_deref() == Some(a);
    let creator = |p: &Photo, c: &str| p.fields.creators.iter().any(|x| x == c);
    type Keep<'a> = Box<dyn Fn(&Photo) -> bool + 'a>;
    let q = |agency: Option<&str>, creator: Option<&str>, year, text: Option<&str>| Query {
        agency: agency.map(String::from),
        creator: creator.map(String::from),
        year,
        text: text.map(String::from),
        incomplete: false,
    };
    let cases: Vec<(Query, Keep)> = vec![
        (q(None, None, None, None), Box::new(|_| true)),
        (
            q(Some("reuters"), None, Some(2001), None),
            Box::new(|p| agency(p, "Reuters") && p.fields.year == Some(2001)),
        ),
        (
            q(None, None, None, Some("flo")),
            Box::new(|p| has_word_from(p, "flo")),
        ),
        (
            q(Some("AFP"), None, None, Some("flood storm")),
            Box::new(|p| {
                agency(p, "AFP") && has_word_from(p, "flood") && has_word_from(p, "storm")
            }),
        ),
        (
            q(None, Some("ana  LIND"), Some(2002), Some("harbour")),
            Box::new(|p| {
                creator(p, "Ana Lind") && p.fields.year == Some(2002) && has_word_from(p, "harbour")
            }),
        ),
        (
            q(None, None, Some(2000), Some("mark resc")),
            Box::new(|p| {
                p.fields.year == Some(2000) && has_word_from(p, "mark") && has_word_from(p, "resc")
            }),
        ),
        (q(Some("nobody"), None, None, None), Box::new(|_| false)),
        (q(None, None, None, Some("zebra")), Box::new(|_| false)),
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
        !expect(cases[1].1.as_ref()).is_empty(),
        "the cases match something"
    );
    // A cursor naming a photo the store does not know starts after its time.
    let unknown = (
        t("2026-01-01T00:00:02Z").as_nanosecond(),
        BlobId::of(b"unknown"),
    );
    let after: Vec<BlobId> = lib
        .page(&Query::default(), Some(unknown), 1000)
        .expect("page")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        after,
        expect(&|p: &Photo| p.added_at > t("2026-01-01T00:00:02Z"))
    );
}

fn edits_and_a_stale_revision_conflicts(place: &Place) {
    let mut lib = place.open();
    let id = add(
        &mut lib,
        &read("afp-nato-brussels.jpg"),
        "2026-01-02T03:04:05Z",
    );
    lib.commit().expect("commit");
    let set = |k: &str, v: &str| vec![(k.to_string(), Value::from(v))];
    let edited = lib
        .edit_revision(
            &id,
            Some(1),
            &set("agency", "Reuters"),
            "ed",
            t("2026-01-03T00:00:00Z"),
        )
        .expect("edit")
        .expect("changed");
    assert_eq!(edited.revision, 2);
    let by = |a: &str| Query {
        agency: Some(a.into()),
        ..Query::default()
    };
    assert_eq!(lib.list(&by("reuters")).expect("list").len(), 1);
    assert!(
        lib.list(&by("afp")).expect("list").is_empty(),
        "the old agency is unindexed"
    );
    // An editor who still sees revision 1 is told, and nothing changes.
    let stale = lib.edit_revision(
        &id,
        Some(1),
        &set("caption", "Late"),
        "ed",
        t("2026-01-04T00:00:00Z"),
    );
    match stale {
        Err(Error::Conflict(m)) => assert!(m.contains("revision 2"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let now = lib.photo(&id).expect("photo");
    assert_eq!(now.revision, 2);
    assert_ne!(now.fields.caption.as_deref(), Some("Late"));
    // Without a revision, the edit applies to the current record.
    lib.edit(&id, &set("caption", "Now"), "ed", t("2026-01-05T00:00:00Z"))
        .expect("edit");
    assert_eq!(lib.photo(&id).expect("photo").revision, 3);
    assert_eq!(lib.history(&id).expect("history").len(), 3);
}

fn uses_and_tokens(place: &Place) {
    let mut lib = place.open();
    let a = add(
        &mut lib,
        &read("afp-nato-brussels.jpg"),
        "2026-01-02T03:04:05Z",
    );
    let b = add(
        &mut lib,
        &read("ap-pool-summit.jpg"),
        "2026-01-02T03:04:06Z",
    );
    lib.commit().expect("commit");
    let use_of = |lib: &mut Library, photo: &BlobId, outlet: &str, page: &str| {
        lib.record_use(
            photo,
            NewUse {
                outlet: outlet.into(),
                url: format!("https://example.org/{page}"),
                printed_credit: Some("AFP".into()),
                ..NewUse::default()
            },
            "ed",
            t("2026-02-02T00:00:00Z"),
        )
        .expect("use")
    };
    let u1 = use_of(&mut lib, &a, "Le Soir", "one");
    let u2 = use_of(&mut lib, &b, "De Standaard", "two");
    let u3 = use_of(&mut lib, &a, "le soir", "three");
    assert!(u1.id < u2.id && u2.id < u3.id, "ledger numbers grow");
    let ids =
        |q: &UseQuery| -> Vec<u64> { lib.uses(q).expect("uses").iter().map(|u| u.id).collect() };
    let of_a = UseQuery {
        photo: Some(a),
        ..UseQuery::default()
    };
    assert_eq!(ids(&of_a), [u1.id, u3.id]);
    let soir = UseQuery {
        outlet: Some("LE SOIR".into()),
        ..UseQuery::default()
    };
    assert_eq!(ids(&soir), [u1.id, u3.id]);
    assert_eq!(ids(&UseQuery::default()), [u1.id, u2.id, u3.id]);
    let after: Vec<u64> = lib
        .uses_from(&UseQuery::default(), Some(u1.id))
        .expect("uses")
        .map(|u| u.expect("use").id)
        .collect();
    assert_eq!(after, [u2.id, u3.id]);
    assert_eq!(lib.uses(&of_a).expect("uses")[1], u3, "stored as returned");

    let token = lib
        .create_token(
            "desk",
            "byl_secret",
            TokenAccess::Write,
            "admin",
            t("2026-03-01T00:00:00Z"),
        )
        .expect("token");
    assert_eq!(lib.check_token("byl_secret").expect("check"), Some(token));
    assert!(lib.check_token("byl_other").expect("check").is_none());
    assert!(matches!(
        lib.create_token(
            "desk",
            "x",
            TokenAccess::Read,
            "admin",
            t("2026-03-01T00:00:00Z")
        ),
        Err(Error::InvalidInput(_))
    ));
    lib.revoke_token("desk", "admin", t("2026-03-02T00:00:00Z"))
        .expect("revoke");
    assert!(lib.check_token("byl_secret").expect("check").is_none());
    assert!(lib.tokens().expect("tokens").is_empty());
}

/// Everything a reader can see, to compare before and after a rebuild.
fn snapshot(lib: &Library) -> String {
    let mut out = Vec::new();
    for p in lib.pages(&Query::default(), None).expect("pages") {
        let p = p.expect("photo");
        out.push(json!({
            "photo": p,
            "history": lib.history(&p.id).expect("history"),
            "renditions": lib.renditions(&p.id).expect("renditions"),
        }));
    }
    out.push(json!({ "uses": lib.uses(&UseQuery::default()).expect("uses") }));
    out.push(json!({ "tokens": lib.tokens().expect("tokens") }));
    serde_json::to_string_pretty(&out).expect("json")
}

fn reindex_rebuilds_the_same_index(place: &Place) {
    let mut lib = place.open();
    let a = add(
        &mut lib,
        &read("afp-nato-brussels.jpg"),
        "2026-01-02T03:04:05Z",
    );
    add(
        &mut lib,
        &read("reuters-handout-flood.jpg"),
        "2026-01-02T03:04:06Z",
    );
    lib.commit().expect("commit");
    lib.edit(
        &a,
        &[("caption".into(), Value::from("Corrected"))],
        "ed",
        t("2026-01-03T00:00:00Z"),
    )
    .expect("edit");
    let (rendition, existed) = lib
        .render(
            &a,
            RenditionSpec::jpeg(200),
            None,
            "ed",
            t("2026-01-04T00:00:00Z"),
        )
        .expect("render");
    assert!(!existed);
    lib.record_use(
        &a,
        NewUse {
            outlet: "Le Soir".into(),
            url: "https://example.org/a".into(),
            rendition: Some(rendition.id),
            ..NewUse::default()
        },
        "ed",
        t("2026-01-05T00:00:00Z"),
    )
    .expect("use");
    lib.create_token(
        "desk",
        "byl_s",
        TokenAccess::Read,
        "admin",
        t("2026-01-06T00:00:00Z"),
    )
    .expect("token");
    let before = snapshot(&lib);
    lib.rebuild_index().expect("reindex");
    assert_eq!(snapshot(&lib), before);
    let bytes = lib.blob(&rendition.id).expect("rendition bytes");
    assert_eq!(
        lib.identify(&bytes).expect("identify"),
        Identified::Rendition {
            photo: a,
            rendition: rendition.id
        }
    );
    let report = lib.verify().expect("verify");
    assert!(
        report.index_mismatches.is_empty(),
        "{:?}",
        report.index_mismatches
    );
    assert_eq!(report.records_checked, 2);
}

/// Several writers at once. The embedded store allows one (its lock says who holds it);
/// on PostgreSQL two writers adding the same files at the same moment store each once, and
/// whichever loses the race is told the file is a duplicate.
#[test]
fn several_writers_add_the_same_bytes_once() {
    let embedded = Place::new(Kind::Embedded).expect("a temporary store");
    let _first = embedded.open();
    assert!(matches!(embedded.try_open(), Err(Error::Locked { .. })));

    let Some(place) = Place::new(Kind::Postgres) else {
        return;
    };
    let files: Vec<Vec<u8>> = std::fs::read_dir(common::samples_dir())
        .expect("samples")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("sample"))
        .collect();
    let place = Arc::new(place);
    let files = Arc::new(files);
    let start = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (place, files, start) = (place.clone(), files.clone(), start.clone());
            std::thread::spawn(move || {
                let mut lib = place.open();
                let mut new = Vec::new();
                // Opposite orders, so each wins some races.
                let order: Vec<&Vec<u8>> = match w {
                    0 => files.iter().collect(),
                    _ => files.iter().rev().collect(),
                };
                start.wait();
                for bytes in order {
                    if let Added::New(p) = lib
                        .add(bytes, &[], "ed", t("2026-01-01T00:00:00Z"))
                        .expect("add")
                    {
                        new.push(p.id);
                    }
                }
                let committed = lib.commit().expect("commit");
                new.retain(|id| !committed.duplicates.contains(id));
                new
            })
        })
        .collect();
    let mut stored: Vec<BlobId> = writers
        .into_iter()
        .flat_map(|w| w.join().expect("writer"))
        .collect();
    stored.sort();
    let lib = place.open();
    let mut all: Vec<BlobId> = lib
        .pages(&Query::default(), None)
        .expect("pages")
        .map(|p| p.expect("photo").id)
        .collect();
    all.sort();
    assert_eq!(all.len(), files.len(), "one record per file");
    assert_eq!(stored, all, "each reported new exactly once");
    for id in &all {
        assert_eq!(lib.history(id).expect("history").len(), 1, "added once");
    }
}
