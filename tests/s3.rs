//! Blobs on a real S3-compatible store (SeaweedFS started on loopback by the test): a store
//! whose config names a bucket keeps nothing on local disk, verifies every read, repairs a
//! damaged object, lists and sweeps orphans, and turns an outage into a clear error (exit 2;
//! HTTP 503 with Retry-After) that clears by itself when the store is back.

mod common;

use std::path::Path;

use byline::blob::{BlobBackend, S3Backend};
use byline::id::BlobId;
use common::seaweed::Seaweed;
use common::serve::Server;
use common::{Store, json_lines, sample, samples_dir};
use serde_json::Value;

const BUCKET_URL: &str = "s3://byline-test/newsroom";

/// A store whose config.toml puts its blobs in the test bucket.
fn s3_store() -> Store {
    let store = Store::new();
    std::fs::create_dir_all(store.path()).expect("store dir");
    std::fs::write(
        store.path().join("config.toml"),
        format!("[blobs]\nurl = \"{BUCKET_URL}\"\n"),
    )
    .expect("write config.toml");
    store
}

/// Run byline against `store` with the object store's environment.
fn run(store: &Store, weed: &Seaweed, args: &[&str]) -> (i32, String, String) {
    let mut cmd = store.cmd(args);
    cmd.envs(weed.env());
    let out = cmd.output().expect("byline runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The library's own backend on the test bucket, to damage it as a failing disk or a stray
/// writer would. Settings are passed explicitly: this process's environment is left alone.
fn backend(weed: &Seaweed) -> S3Backend {
    let settings: Vec<(String, String)> = weed
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    S3Backend::open(BUCKET_URL, &settings).expect("open the bucket")
}

fn verify(store: &Store, weed: &Seaweed, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(store, weed, &args);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, report)
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_store_on_s3_keeps_verifies_and_repairs_its_blobs() {
    let Some(weed) = Seaweed::start() else { return };
    let store = s3_store();

    let (code, out, err) = run(
        &store,
        &weed,
        &["add", "--json", &samples_dir().display().to_string()],
    );
    assert_eq!(code, 0, "add failed: {err}\n{out}");
    let added = json_lines(&out);
    assert!(added.len() >= 3, "expected the samples to be added: {out}");
    assert!(
        !store.path().join("blobs").exists(),
        "blobs went to local disk instead of the bucket"
    );
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "verify: {report}");
    assert_eq!(report["blobs_checked"].as_u64(), Some(added.len() as u64));

    // A rendition is made from the original in the bucket and stored there too.
    let id = added[0]["id"].as_str().expect("an id").to_owned();
    let (code, out, err) = run(
        &store,
        &weed,
        &["render", "--json", &id, "--preset", "thumb"],
    );
    assert_eq!(code, 0, "render failed: {err}\n{out}");
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "verify after render: {report}");
    assert_eq!(
        report["blobs_checked"].as_u64(),
        Some(added.len() as u64 + 1)
    );

    // Damage an original in the bucket: every read refuses it, verify names it, and adding
    // the file again repairs it.
    let s3 = backend(&weed);
    let blob: BlobId = id.parse().expect("a blob id");
    s3.remove(&blob).expect("remove");
    s3.stage_hashed(blob, b"not the photo")
        .expect("upload damaged bytes");
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 1);
    assert_eq!(ids(&report["corrupt_blobs"]), vec![id.clone()]);
    let (code, _, err) = run(&store, &weed, &["render", &id, "--preset", "small"]);
    assert_eq!(code, 2, "a damaged original must not be rendered");
    assert!(
        err.contains("hash"),
        "the error should say the bytes are wrong: {err}"
    );
    let source = added[0]["path"]
        .as_str()
        .map(Path::new)
        .map(Path::to_path_buf);
    let source = source.unwrap_or_else(|| sample("afp-nato-brussels.jpg"));
    let (code, _, err) = run(&store, &weed, &["add", &source.display().to_string()]);
    assert_eq!(code, 0, "re-add failed: {err}");
    assert!(
        err.contains("repaired"),
        "re-adding should say it repaired: {err}"
    );
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "verify after repair: {report}");

    // An upload whose event was never written (a writer killed between the two) is an
    // orphan: verify lists it, verify --repair sweeps it, and nothing recorded is touched.
    let (orphan, _) = s3.stage(b"uploaded, then the writer died").expect("upload");
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 1);
    assert_eq!(ids(&report["orphan_blobs"]), vec![orphan.to_string()]);
    let (code, report) = verify(&store, &weed, &["--repair"]);
    assert_eq!(code, 0, "verify --repair: {report}");
    assert_eq!(ids(&report["removed_orphans"]), vec![orphan.to_string()]);
    assert!(!s3.contains(&orphan));
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["blobs_checked"].as_u64(),
        Some(added.len() as u64 + 1)
    );
}

#[test]
fn an_outage_is_a_clear_error_and_clears_when_the_store_is_back() {
    let Some(mut weed) = Seaweed::start() else {
        return;
    };
    let store = s3_store();
    let afp = sample("afp-nato-brussels.jpg").display().to_string();
    let (code, out, err) = run(&store, &weed, &["add", "--json", &afp]);
    assert_eq!(code, 0, "add failed: {err}");
    let id = json_lines(&out)[0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    weed.kill();
    // A file that cannot be stored is a failed file of the batch (exit 1), saying why; a
    // command that cannot go on at all is a fatal error (exit 2). Nothing is recorded.
    let handout = sample("reuters-handout-flood.jpg").display().to_string();
    let (code, out, err) = run(&store, &weed, &["add", &handout]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("remote store unavailable"), "{out}{err}");
    let (code, _, err) = run(&store, &weed, &["verify"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("remote store unavailable"), "{err}");
    weed.restart();
    let (code, out, _) = run(&store, &weed, &["list", "--json"]);
    assert_eq!((code, json_lines(&out).len()), (0, 1), "{out}");

    // Uploads to the server stream into the staging folder and end up in the bucket.
    let (code, out, err) = run(
        &store,
        &weed,
        &["token", "create", "desk", "--write", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let token: Value = serde_json::from_str(out.trim()).expect("token JSON");
    let token = token["token"].as_str().expect("a token").to_owned();
    let server = Server::start_with_env(&store, weed.env());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let bytes = std::fs::read(sample("reuters-handout-flood.jpg")).expect("sample");
    let posted = agent
        .post(format!("{}/photos", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "image/jpeg")
        .send(&bytes[..])
        .expect("the server answers");
    assert_eq!(posted.status().as_u16(), 201);
    assert!(
        !store.path().join("blobs").exists(),
        "an upload went to local disk"
    );

    // The server stays up through an outage, answers 503 with Retry-After and the JSON
    // error, and serves again as soon as the store is back.
    let original = format!("{}/photos/{id}/original", server.base);
    let get = || agent.get(&original).call().expect("the server answers");
    assert_eq!(get().status().as_u16(), 200);
    weed.kill();
    let mut answer = get();
    assert_eq!(answer.status().as_u16(), 503);
    assert!(answer.headers().contains_key("retry-after"));
    let body: Value = serde_json::from_str(&answer.body_mut().read_to_string().expect("body"))
        .expect("a JSON error");
    assert_eq!(body["code"], "store_unavailable", "{body}");
    weed.restart();
    assert_eq!(
        get().status().as_u16(),
        200,
        "the server should recover on its own"
    );
    assert!(server.stop().success());
}

#[test]
fn large_blobs_go_up_in_parts_and_come_back_verified() {
    let Some(weed) = Seaweed::start() else { return };
    let s3 = backend(&weed);
    // 20 MiB of varied bytes: over the multipart threshold, and not a multiple of a part.
    let mut bytes = Vec::with_capacity(20 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while bytes.len() < 20 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    let (id, put) = s3.stage(&bytes).expect("multipart upload");
    assert_eq!(put, byline::blob::Put::Stored);
    assert_eq!(
        s3.stage(&bytes).expect("second upload").1,
        byline::blob::Put::AlreadyPresent
    );
    assert!(
        s3.get(&id).expect("read back") == bytes,
        "the bytes changed on the way"
    );
    assert_eq!(s3.ids().expect("list").ids, vec![id]);
}

#[test]
fn a_local_store_moves_to_the_bucket_and_back() {
    let Some(weed) = Seaweed::start() else { return };
    let store = Store::new();
    let (code, out, err) = run(
        &store,
        &weed,
        &["add", "--json", &samples_dir().display().to_string()],
    );
    assert_eq!(code, 0, "add failed: {err}");
    let photos = json_lines(&out).len();
    let id = json_lines(&out)[0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let (code, _, err) = run(&store, &weed, &["render", &id, "--preset", "thumb"]);
    assert_eq!(code, 0, "render failed: {err}");
    let blobs = photos + 1;

    // Not while a server uses the store: it says who holds it, and nothing moves.
    let server = Server::start_with_env(&store, weed.env());
    let (code, _, err) = run(&store, &weed, &["migrate", "--blobs", BUCKET_URL]);
    assert_eq!(code, 2);
    assert!(err.contains("in use by byline serve"), "{err}");
    assert!(server.stop().success());

    let migrate = |to: &str| {
        let (code, out, err) = run(&store, &weed, &["migrate", "--json", "--blobs", to]);
        assert_eq!(code, 0, "migrate --blobs {to}: {err}\n{out}");
        serde_json::from_str::<Value>(&out).expect("a JSON report")
    };
    let report = migrate(BUCKET_URL);
    assert_eq!(report["blobs"].as_u64(), Some(blobs as u64), "{report}");
    assert_eq!(report["copied"].as_u64(), Some(blobs as u64), "{report}");
    // The store now reads from the bucket: take the local copies away and check it all.
    std::fs::remove_dir_all(store.path().join("blobs")).expect("remove local blobs");
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "verify on the bucket: {report}");
    assert_eq!(report["blobs_checked"].as_u64(), Some(blobs as u64));

    // Moving again to where the blobs are is refused; back to local copies them all home.
    let (code, _, err) = run(&store, &weed, &["migrate", "--blobs", BUCKET_URL]);
    assert_eq!(code, 2);
    assert!(err.contains("already live"), "{err}");
    let report = migrate("local");
    assert_eq!(report["copied"].as_u64(), Some(blobs as u64), "{report}");
    let (code, report) = verify(&store, &weed, &[]);
    assert_eq!(code, 0, "verify back home: {report}");
    assert_eq!(report["blobs_checked"].as_u64(), Some(blobs as u64));

    // A rerun after an interruption finds what is already there and keeps it.
    let report = migrate(BUCKET_URL);
    assert_eq!(
        report["already_there"].as_u64(),
        Some(blobs as u64),
        "{report}"
    );
    assert_eq!(report["copied"].as_u64(), Some(0), "{report}");
}
