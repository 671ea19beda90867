//! Many export lines made from one real photo's, for tests of listing and paging: each
//! with its own id, agency, creator, year, caption words and one of a few times.

use byline::blob::MemBackend;
use byline::library::ExportLine;
use byline::{Access, BlobId, Library};
use serde_json::{Value, json};

pub const AGENCIES: [&str; 4] = ["AFP", "Reuters", "AP", "EPA"];
pub const WORDS: [&str; 8] = [
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
/// 2000 + i % 3, a creator of two, a caption of three words picked by `i`, and one of five
/// times (many ties, which the order the photos were added breaks).
pub fn records(n: usize) -> Vec<ExportLine> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = Library::open_with_blobs(
        dir.path(),
        Access::Write,
        "test",
        Box::new(MemBackend::new()),
    )
    .expect("open");
    lib.add(
        &std::fs::read(super::sample("afp-nato-brussels.jpg")).expect("sample"),
        &[],
        "ed",
        "2026-01-01T00:00:00Z".parse().expect("time"),
    )
    .expect("add");
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
                let creator = ["Ana Lind", "Bo Berg"][i % 2];
                p["creators"] = json!([creator]);
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
