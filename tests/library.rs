//! The public library API with the in-memory blob backend: what a program embedding byline
//! (the HTTP server, a batch job) relies on, without the CLI in between.

mod common;

use byline::blob::MemBackend;
use byline::db::Query;
use byline::library::{Added, NewUse, UseQuery};
use byline::model::{Photo, Status, TokenAccess};
use byline::{Access, BlobId, Error, Library};
use common::sample;
use jiff::Timestamp;
use serde_json::Value;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn open(dir: &std::path::Path) -> Library {
    Library::open_with_blobs(dir, Access::Write, "test", Box::new(MemBackend::new()))
        .expect("open a store")
}

#[test]
fn staged_adds_are_invisible_until_commit_and_duplicates_are_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let bytes = std::fs::read(sample("afp-nato-brussels.jpg")).expect("sample");
    let now = t("2026-01-02T03:04:05Z");
    let Added::New(photo) = lib.add(&bytes, &[], "ed", now).expect("add") else {
        panic!("first add is new");
    };
    assert!(lib.photo(&photo.id).is_err(), "not visible before commit");
    assert!(matches!(lib.add(&bytes, &[], "ed", now), Ok(Added::Duplicate(id)) if id == photo.id));
    lib.commit().expect("commit");
    assert_eq!(
        lib.photo(&photo.id).expect("stored").added_at,
        now,
        "the clock is passed in"
    );
    assert_eq!(lib.blob(&photo.id).expect("blob"), bytes);
    assert!(matches!(
        lib.add(b"not an image", &[], "ed", now),
        Err(Error::UnsupportedFormat(_))
    ));
}

#[test]
fn edits_uses_audit_and_tokens_through_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let bytes = std::fs::read(sample("afp-nato-brussels.jpg")).expect("sample");
    let now = t("2026-01-02T03:04:05Z");
    let id = match lib.add(&bytes, &[], "ed", now).expect("add") {
        Added::New(p) => p.id,
        Added::Duplicate(id) => id,
    };
    lib.commit().expect("commit");
    let edited = lib
        .edit(
            &id,
            &[("headline".into(), Value::from("NATO meets"))],
            "ed",
            now,
        )
        .expect("edit")
        .expect("changed");
    assert_eq!(edited.revision, 2);
    assert!(matches!(
        lib.edit(&id, &[("nonsense".into(), Value::Null)], "ed", now),
        Err(Error::InvalidInput(_))
    ));
    let u = lib
        .record_use(
            &id,
            NewUse {
                outlet: "Sputnik".into(),
                url: "https://example.org/p".into(),
                published: Some(t("2023-10-22T10:00:00Z")),
                printed_credit: Some("© AFP 2023 / JOHN THYS".into()),
                ..NewUse::default()
            },
            "ed",
            now,
        )
        .expect("use");
    assert_eq!(
        lib.uses(&UseQuery::default()).expect("uses"),
        vec![u.clone()]
    );
    let report = lib.audit(None, None, None, now).expect("audit");
    assert!(report.has_violations());
    assert_eq!(report.findings[0].use_id, Some(u.id));

    let token = lib
        .create_token("cms", "s3cret", TokenAccess::Write, "ed", now)
        .expect("token");
    assert_ne!(token.hash, "s3cret", "only the hash is kept");
    assert_eq!(
        lib.check_token("s3cret").expect("check").map(|t| t.name),
        Some("cms".into())
    );
    assert!(lib.check_token("wrong").expect("check").is_none());
    lib.revoke_token("cms", "ed", now).expect("revoke");
    assert!(lib.check_token("s3cret").expect("check").is_none());

    // Everything above survives a rebuild of the index from the journal.
    let before = (
        lib.photo(&id).expect("photo"),
        lib.uses(&UseQuery::default()).expect("uses"),
    );
    lib.rebuild_index().expect("rebuild");
    assert_eq!(
        before,
        (
            lib.photo(&id).expect("photo"),
            lib.uses(&UseQuery::default()).expect("uses")
        )
    );
    assert!(lib.tokens().expect("tokens").is_empty());
}

/// Pages of a listing walked to the end, `per` photos at a time.
fn walk(reader: &byline::library::Reader, q: &Query, per: usize) -> Vec<(Timestamp, BlobId)> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = reader.page(q, after, per).expect("page");
        assert!(page.len() <= per, "a page never holds more than asked for");
        out.extend(page.iter().map(|p| (p.added_at, p.id)));
        match page.last() {
            Some(p) if page.len() == per => after = Some((p.added_at.as_nanosecond(), p.id)),
            _ => return out,
        }
    }
}

#[test]
fn pages_walk_every_filter_oldest_first_and_follow_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    // Corpus photos added over four seconds, several in the same one: ties go in the order
    // the photos were added (journal order).
    let mut added: Vec<Photo> = Vec::new();
    let files = std::fs::read_dir(common::corpus("")).expect("corpus");
    let mut names: Vec<_> = files.flatten().map(|e| e.path()).collect();
    names.sort();
    for (i, path) in names.iter().enumerate() {
        let bytes = std::fs::read(path).expect("read");
        let at = t("2026-03-01T10:00:00Z") + jiff::SignedDuration::from_secs((i % 4) as i64);
        if let Ok(Added::New(p)) = lib.add(&bytes, &[], "ed", at) {
            added.push(*p);
        }
    }
    lib.commit().expect("commit");
    assert!(
        added.len() >= 25,
        "most of the corpus is stored ({})",
        added.len()
    );

    // The reader is a separate handle: it sees what was committed, and later commits too.
    let reader = lib.reader();
    // The order the test works out itself: by time, then by place in `added` (a stable
    // sort keeps it).
    let expect = |photos: &[Photo], keep: &dyn Fn(&Photo) -> bool| {
        let mut v: Vec<(Timestamp, BlobId)> = photos
            .iter()
            .filter(|p| keep(p))
            .map(|p| (p.added_at, p.id))
            .collect();
        v.sort_by_key(|(at, _)| *at);
        v
    };
    let afp = |p: &Photo| {
        p.fields
            .agency
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("afp"))
    };
    let year = added
        .iter()
        .find_map(|p| p.fields.year)
        .expect("some photo has a year");
    type Keep = Box<dyn Fn(&Photo) -> bool>;
    let cases: Vec<(Query, Keep)> = vec![
        (Query::default(), Box::new(|_| true)),
        (
            Query {
                year: Some(year),
                ..Query::default()
            },
            Box::new(move |p| p.fields.year == Some(year)),
        ),
        (
            Query {
                incomplete: true,
                ..Query::default()
            },
            Box::new(|p| p.status == Status::Incomplete),
        ),
    ];
    for (q, keep) in &cases {
        let want = expect(&added, keep.as_ref());
        assert!(!want.is_empty(), "{q:?} matches something");
        for per in [1, 3, 1000] {
            assert_eq!(walk(&reader, q, per), want, "{q:?} in pages of {per}");
        }
        let listed: Vec<_> = lib
            .list(q)
            .expect("list")
            .iter()
            .map(|p| (p.added_at, p.id))
            .collect();
        assert_eq!(listed, want, "list is every page at once");
    }

    // An edit moves a photo between filters without changing its place in the order.
    let q = Query {
        agency: Some("AFP".into()),
        ..Query::default()
    };
    let before = walk(&reader, &q, 2);
    assert_eq!(before, expect(&added, &afp));
    let other = added
        .iter()
        .find(|p| !afp(p))
        .expect("a photo not from AFP")
        .clone();
    lib.edit(
        &other.id,
        &[("agency".into(), Value::from("AFP"))],
        "ed",
        t("2026-03-02T00:00:00Z"),
    )
    .expect("edit");
    let after = expect(&added, &|p| afp(p) || p.id == other.id);
    assert_eq!(walk(&reader, &q, 2), after);
    let mixed = Query {
        agency: Some("afp".into()),
        year: other.fields.year,
        ..Query::default()
    };
    assert!(walk(&reader, &mixed, 1).contains(&(other.added_at, other.id)));

    // A rebuilt index pages the same.
    lib.rebuild_index().expect("rebuild");
    assert_eq!(walk(&reader, &q, 5), after);
}

/// The whole-store audit judges photos in chunks on several threads: over more photos than a
/// chunk holds, with uses right, wrong and recorded again for the same page, it finds exactly
/// what judging each photo and its latest uses one by one finds, and counts every photo and
/// latest use once.
#[test]
fn the_whole_store_audit_judged_in_parallel_chunks_finds_what_one_by_one_judging_finds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = open(dir.path());
    let lines = common::lines::records(2_500);
    let ids: Vec<BlobId> = lines.iter().map(|l| l.photo.id).collect();
    lib.import(lines).expect("import");
    let outlets = ["Le Soir", "Sputnik", "The Guardian"];
    let now = t("2026-03-01T00:00:00Z");
    for (i, id) in ids.iter().enumerate().step_by(9) {
        let printed = match i % 2 {
            0 => lib.photo(id).expect("photo").fields.agency.clone(),
            _ => Some("Staff".into()),
        };
        let new = NewUse {
            outlet: outlets[i % 3].into(),
            url: format!("https://news.example/{}", i % 4),
            printed_credit: printed,
            ..NewUse::default()
        };
        lib.record_use(id, new.clone(), "ed", now).expect("use");
        if i % 5 == 0 {
            // The page corrected: only this later record counts.
            let again = NewUse {
                printed_credit: Some("Someone Else".into()),
                ..new
            };
            lib.record_use(id, again, "ed", now).expect("use again");
        }
    }
    let report = lib.audit(None, None, None, now).expect("audit");
    let mut want = Vec::new();
    let mut uses_checked = 0;
    for id in &ids {
        let p = lib.photo(id).expect("photo");
        let uses = lib
            .uses(&UseQuery {
                photo: Some(*id),
                ..UseQuery::default()
            })
            .expect("uses");
        for u in &uses {
            let later = uses
                .iter()
                .any(|v| v.id > u.id && v.outlet.eq_ignore_ascii_case(&u.outlet) && v.url == u.url);
            if later {
                continue;
            }
            uses_checked += 1;
            want.extend(byline::audit::check_use(
                &p,
                u,
                &lib.style_for(&u.outlet, None),
            ));
        }
        want.extend(byline::audit::check_photo(&p));
    }
    let sorted = |fs: &[byline::audit::Finding]| -> Vec<String> {
        let mut v: Vec<String> = fs
            .iter()
            .map(|f| serde_json::to_string(f).expect("json"))
            .collect();
        v.sort();
        v
    };
    assert!(want.len() > 100, "the store has findings to compare");
    assert_eq!(sorted(&report.findings), sorted(&want));
    assert_eq!(report.summary.photos_checked, ids.len());
    assert_eq!(report.summary.uses_checked, uses_checked);
}
