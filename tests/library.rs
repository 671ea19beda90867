//! The public library API with the in-memory blob backend: what a program embedding byline
//! (the HTTP server, a batch job) relies on, without the CLI in between.

mod common;

use byline::blob::MemBackend;
use byline::library::{Added, NewUse, UseQuery};
use byline::model::TokenAccess;
use byline::{Access, Error, Library};
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
    assert_eq!(lib.original(&photo.id).expect("blob"), bytes);
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
