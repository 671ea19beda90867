//! The HTTP API (issue 6), driven through the real `byline serve` on an ephemeral port with a
//! real HTTP client: every route, tokens, limits, errors, a burst of identical uploads, ETag
//! round trips, the store lock, graceful shutdown and `--server`. Every JSON answer is checked
//! against `schema/openapi.json`.

mod common;

use std::path::Path;

use common::serve::Server;
use common::{Store, check_against, sample};
use serde_json::{Value, json};

/// An HTTP answer.
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error `code` of a JSON error answer, after checking its shape.
    fn code(&self) -> String {
        let v = self.json();
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{v}");
        v["code"].as_str().expect("code").to_string()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Send one request: `headers` as (name, value); `token` as a bearer.
fn send(
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    try_send(method, url, token, headers, body).expect("the server answers")
}

/// A body over the limit: the server answers 413 on the declared length, before reading a
/// byte of it, and closes lingering (reading and dropping what the client still sends), so a
/// client that writes its whole body before reading still gets the answer (issue 15).
fn refused_too_large(result: Result<Answer, ureq::Error>) -> Answer {
    let a = result.expect("the 413 reaches a client still writing its body");
    assert_eq!((a.status, a.code().as_str()), (413, "too_large"));
    a
}

/// [`send`], returning the client's error instead of panicking on it.
fn try_send(
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Answer, ureq::Error> {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    // A body sent without a type is JSON, as every JSON client labels it; tests of other
    // types (images, a text/plain PATCH) say so.
    let typed = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !typed && !body.is_empty() {
        req = req.header("Content-Type", "application/json");
    }
    let req = req.body(body).expect("request builds");
    let mut res = agent().run(req)?;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res
        .body_mut()
        .with_config()
        .limit(100 << 20)
        .read_to_vec()?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// The OpenAPI document, and a check that a JSON answer matches what it says for this
/// route, method and status.
struct Spec(Value);

impl Spec {
    fn load() -> Spec {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/openapi.json");
        Spec(
            serde_json::from_str(&std::fs::read_to_string(path).expect("openapi.json"))
                .expect("JSON"),
        )
    }

    fn check(&self, route: &str, method: &str, a: &Answer) {
        let op = &self.0["paths"][route][method];
        assert!(op.is_object(), "openapi.json has no {method} {route}");
        let mut resp = op["responses"][a.status.to_string()].clone();
        assert!(
            resp.is_object(),
            "openapi.json has no {} for {method} {route}",
            a.status
        );
        if let Some(r) = resp["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap_or("");
            resp = self.0["components"]["responses"][name].clone();
        }
        let Some(schema) = resp["content"]["application/json"]["schema"].as_object() else {
            return;
        };
        // Make the document's local references absolute so they resolve from outside it.
        let text = serde_json::to_string(schema)
            .expect("schema")
            .replace("\"#/", "\"https://byline.invalid/schema/openapi.json#/");
        let schema: Value = serde_json::from_str(&text).expect("schema");
        check_against(
            &format!("{method} {route} {}", a.status),
            Some(schema),
            &a.json(),
        );
    }
}

/// A store with a write token "desk", a read token "cms", and `config` as `[server]`.
fn store_with_tokens(server_config: &str) -> (Store, String, String) {
    let s = Store::new();
    let write = s.ok(&["token", "create", "desk", "--write", "--json"]);
    let read = s.ok(&["token", "create", "cms", "--read", "--json"]);
    let secret = |out: &str| {
        let v: Value = serde_json::from_str(out.trim()).expect("token JSON");
        v["token"].as_str().expect("token").to_string()
    };
    let config = s.path().join("config.toml");
    std::fs::write(&config, format!("[server]\n{server_config}\n")).expect("config written");
    (s, secret(&write), secret(&read))
}

fn upload(base: &str, token: &str, path: &Path, fields: Option<&str>) -> Answer {
    let bytes = std::fs::read(path).expect("sample readable");
    let mut url = format!(
        "{base}/photos?name={}",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    if let Some(f) = fields {
        url.push_str("&fields=");
        url.push_str(&percent(f));
    }
    send(
        "POST",
        &url,
        Some(token),
        &[("Content-Type", "image/jpeg")],
        bytes,
    )
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn every_route_answers_as_the_openapi_document_says() {
    let spec = Spec::load();
    let (store, desk, _) = store_with_tokens("");
    let srv = Server::start(&store);
    let base = &srv.base;
    let afp_path = sample("afp-nato-brussels.jpg");
    let afp_bytes = std::fs::read(&afp_path).expect("sample");

    // Upload: 201 with the add-line shape; the same bytes again: 200 duplicate.
    let a = upload(base, &desk, &afp_path, Some(r#"{"city": "Brussels"}"#));
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    spec.check("/photos", "post", &a);
    let id = a.json()["id"].as_str().expect("id").to_string();
    assert_eq!(id, blake3::hash(&afp_bytes).to_hex().to_string());
    assert_eq!(a.header("location"), Some(format!("/photos/{id}").as_str()));
    let again = upload(base, &desk, &afp_path, None);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["status"], "duplicate");
    spec.check("/photos", "post", &again);
    for name in ["ap-pool-summit.jpg", "reuters-handout-flood.jpg"] {
        assert_eq!(upload(base, &desk, &sample(name), None).status, 201);
    }

    // The record by a prefix: the sample's credits as the CLI tests establish them.
    let a = send(
        "GET",
        &format!("{base}/photos/{}", &id[..8]),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 200);
    spec.check("/photos/{id}", "get", &a);
    let rec = a.json();
    assert_eq!(rec["id"], id.as_str());
    assert_eq!(rec["creators"], json!(["John Thys"]));
    assert_eq!(rec["agency"], "AFP");
    assert_eq!(rec["city"], "Brussels");

    // Paging: one per page walks all three, oldest first, then stops.
    let mut seen = Vec::new();
    let mut url = format!("{base}/photos?limit=1");
    loop {
        let a = send("GET", &url, None, &[], vec![]);
        assert_eq!(a.status, 200);
        spec.check("/photos", "get", &a);
        let page = a.json();
        assert_eq!(page["photos"].as_array().map(Vec::len), Some(1));
        seen.push(page["photos"][0]["id"].as_str().expect("id").to_string());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{base}/photos?limit=1&cursor={}", percent(c)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], id);
    let a = send(
        "GET",
        &format!("{base}/photos?agency=afp"),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.json()["photos"].as_array().map(Vec::len), Some(1));

    // Credit: the line names the photographer and the agency; parts and JSON-LD come along.
    let a = send(
        "GET",
        &format!("{base}/photos/{id}/credit?style=afp"),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 200);
    spec.check("/photos/{id}/credit", "get", &a);
    let c = a.json();
    let line = c["line"].as_str().expect("line");
    assert!(
        line.contains("AFP") && line.to_lowercase().contains("thys"),
        "{line}"
    );
    assert_eq!(c["parts"]["agency"], "AFP");
    assert_eq!(c["image_object"]["@type"], "ImageObject");
    assert!(c["short"].as_str().is_some_and(|s| s.len() <= 32));
    let a = send(
        "GET",
        &format!("{base}/photos/{id}/credit?style=nonsense"),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 400);
    spec.check("/photos/{id}/credit", "get", &a);

    // The original: bytes, type, ETag = hash, immutable caching, 304, ranges.
    let orig = format!("{base}/photos/{id}/original");
    let a = send("GET", &orig, None, &[], vec![]);
    assert_eq!(a.status, 200);
    assert_eq!(a.body, afp_bytes);
    assert_eq!(a.header("content-type"), Some("image/jpeg"));
    let etag = format!("\"{id}\"");
    assert_eq!(a.header("etag"), Some(etag.as_str()));
    assert_eq!(
        a.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let a = send("GET", &orig, None, &[("If-None-Match", &etag)], vec![]);
    assert_eq!(a.status, 304);
    assert!(a.body.is_empty());
    assert_eq!(a.header("etag"), Some(etag.as_str()));
    let a = send(
        "GET",
        &orig,
        None,
        &[("If-None-Match", "\"other\"")],
        vec![],
    );
    assert_eq!(a.status, 200);
    let a = send("GET", &orig, None, &[("Range", "bytes=100-199")], vec![]);
    assert_eq!(a.status, 206);
    assert_eq!(a.body, afp_bytes[100..200]);
    let total = afp_bytes.len();
    assert_eq!(
        a.header("content-range"),
        Some(format!("bytes 100-199/{total}").as_str())
    );
    let a = send("GET", &orig, None, &[("Range", "bytes=-10")], vec![]);
    assert_eq!(a.body, afp_bytes[total - 10..]);
    let a = send(
        "GET",
        &orig,
        None,
        &[("Range", &format!("bytes={total}-"))],
        vec![],
    );
    assert_eq!(a.status, 416);
    spec.check("/photos/{id}/original", "get", &a);

    // Renditions: none yet; an unknown one is 404; making one gives its bytes by hash.
    let list = format!("{base}/photos/{id}/renditions");
    let a = send("GET", &list, None, &[], vec![]);
    assert_eq!(a.status, 200);
    spec.check("/photos/{id}/renditions", "get", &a);
    assert_eq!(a.json(), json!([]));
    let a = send(
        "GET",
        &format!("{base}/renditions/{}", "0".repeat(64)),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 404);
    spec.check("/renditions/{rid}", "get", &a);
    let make = |body: &str| send("POST", &list, Some(&desk), &[], body.as_bytes().to_vec());
    let a = make(r#"{"preset": "thumb"}"#);
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    spec.check("/photos/{id}/renditions", "post", &a);
    let r = a.json();
    assert_eq!(r["photo"], id.as_str());
    assert!(
        r["width"].as_u64().is_some_and(|w| w <= 320)
            && r["height"].as_u64().is_some_and(|h| h <= 320)
    );
    let rid = r["id"].as_str().expect("rendition id").to_string();
    let a = make(r#"{"preset": "thumb"}"#);
    assert_eq!(
        (a.status, a.json()["id"].as_str()),
        (200, Some(rid.as_str()))
    );
    // An unknown preset, both a preset and a size, a size past the decoder's limit: 400s.
    for bad in [
        r#"{"preset": "huge"}"#,
        r#"{"preset": "thumb", "max_side": 100}"#,
        r#"{"max_side": 90000}"#,
        r#"{"max_side": 100, "quality": 0}"#,
    ] {
        let a = make(bad);
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "invalid_input"),
            "{bad}"
        );
    }
    let a = send(
        "GET",
        &format!("{base}/renditions/{rid}"),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("image/jpeg"));
    assert_eq!(blake3::hash(&a.body).to_hex().as_str(), rid);
    assert_eq!(a.header("etag"), Some(format!("\"{rid}\"").as_str()));
    assert_eq!(a.body.len() as u64, r["bytes"].as_u64().unwrap_or(0));
    let a = send("GET", &list, None, &[], vec![]);
    assert_eq!(a.json().as_array().map(Vec::len), Some(1));

    // A credit asked for before an edit is not served stale after it.
    let default_credit = format!("{base}/photos/{id}/credit");
    let a = send("GET", &default_credit, None, &[], vec![]);
    assert!(
        a.json()["line"]
            .as_str()
            .is_some_and(|l| l.contains("2013")),
        "{}",
        a.json()
    );

    // Edit: journalled with the token's name.
    let a = send(
        "PATCH",
        &format!("{base}/photos/{id}"),
        Some(&desk),
        &[("Content-Type", "application/json")],
        br#"{"caption": "Ministers meet", "year": 2014}"#.to_vec(),
    );
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    spec.check("/photos/{id}", "patch", &a);
    assert_eq!(a.json()["caption"], "Ministers meet");
    assert_eq!(a.json()["revision"], 2);
    let a = send("GET", &default_credit, None, &[], vec![]);
    let line = a.json()["line"].as_str().unwrap_or_default().to_string();
    assert!(line.contains("2014") && !line.contains("2013"), "{line}");

    // Uses and the audit: an uncredited publication is a violation.
    let a = send(
        "POST",
        &format!("{base}/uses"),
        Some(&desk),
        &[("Content-Type", "application/json")],
        json!({"photo": &id[..10], "outlet": "Daily", "url": "https://daily.example/a",
               "published": "2024-05-01", "printed_credit": null})
        .to_string()
        .into_bytes(),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    spec.check("/uses", "post", &a);
    assert_eq!(a.json()["photo"], id.as_str());
    let a = send(
        "GET",
        &format!("{base}/uses?outlet=daily"),
        None,
        &[],
        vec![],
    );
    spec.check("/uses", "get", &a);
    assert_eq!(a.json().as_array().map(Vec::len), Some(1));
    let a = send("GET", &format!("{base}/audit"), None, &[], vec![]);
    assert_eq!(a.status, 200);
    spec.check("/audit", "get", &a);
    assert!(
        a.json()["summary"]["violations"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    );
    let a = send(
        "GET",
        &format!("{base}/audit?format=csv"),
        None,
        &[],
        vec![],
    );
    assert!(
        a.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv"))
    );
    assert!(String::from_utf8_lossy(&a.body).starts_with("severity,kind,photo,"));
    let a = send(
        "GET",
        &format!("{base}/audit?format=html"),
        None,
        &[],
        vec![],
    );
    let page = String::from_utf8_lossy(&a.body);
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Each finding's photo shows as an inlined thumbnail, as in the CLI's report.
    assert!(
        page.contains("src=\"data:image/jpeg;base64,"),
        "no thumbnail"
    );
    let a = send(
        "GET",
        &format!("{base}/audit?format=pdf"),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 400);

    // The document itself, and the errors every route shares.
    let a = send("GET", &format!("{base}/openapi.json"), None, &[], vec![]);
    assert_eq!(a.json(), spec.0);
    let a = send(
        "GET",
        &format!("{base}/photos/{}", "f".repeat(64)),
        None,
        &[],
        vec![],
    );
    assert_eq!(a.status, 404);
    assert_eq!(a.code(), "not_found");
    spec.check("/photos/{id}", "get", &a);
    let a = send("GET", &format!("{base}/photos/xyz"), None, &[], vec![]);
    assert_eq!(a.status, 400);
    spec.check("/photos/{id}", "get", &a);
    let a = send("GET", &format!("{base}/nowhere"), None, &[], vec![]);
    assert_eq!((a.status, a.code().as_str()), (404, "no_route"));
    drop(srv);
}

#[test]
fn tokens_guard_writes_and_optionally_reads() {
    let spec = Spec::load();
    let (store, desk, cms) = store_with_tokens("read_token_required = true");
    let srv = Server::start(&store);
    let base = &srv.base;
    let jpg = std::fs::read(sample("ap-pool-summit.jpg")).expect("sample");
    let post =
        |token: Option<&str>| send("POST", &format!("{base}/photos"), token, &[], jpg.clone());
    let a = post(None);
    assert_eq!((a.status, a.code().as_str()), (401, "unauthorized"));
    assert!(
        a.header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer"))
    );
    spec.check("/photos", "post", &a);
    let a = post(Some("byl_wrong"));
    assert_eq!((a.status, a.code().as_str()), (401, "invalid_token"));
    let a = post(Some(&cms));
    assert_eq!((a.status, a.code().as_str()), (403, "forbidden"));
    spec.check("/photos", "post", &a);
    let a = post(Some(&desk));
    assert_eq!(a.status, 201);
    // Reads need a token here: none is 401, the read token is enough.
    let a = send("GET", &format!("{base}/photos"), None, &[], vec![]);
    assert_eq!(a.status, 401);
    spec.check("/photos", "get", &a);
    let a = send("GET", &format!("{base}/photos"), Some(&cms), &[], vec![]);
    assert_eq!(a.status, 200);
    let a = send("GET", &format!("{base}/photos"), Some("nope"), &[], vec![]);
    assert_eq!(a.status, 401);
    let a = send("GET", &format!("{base}/openapi.json"), None, &[], vec![]);
    assert_eq!(a.status, 200, "the description stays open");
}

#[test]
fn bodies_are_capped_and_bad_json_is_a_clean_400() {
    let spec = Spec::load();
    let (store, desk, _) = store_with_tokens("upload_limit_mb = 1");
    let srv = Server::start(&store);
    let base = &srv.base;
    let big = vec![0u8; (1 << 20) + 1];
    let a = try_send(
        "POST",
        &format!("{base}/photos"),
        Some(&desk),
        &[],
        big.clone(),
    );
    spec.check("/photos", "post", &refused_too_large(a));
    let id = upload(base, &desk, &sample("ap-pool-summit.jpg"), None).json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    // JSON bodies are capped at 1 MB whatever the upload limit.
    let mut huge = b"{\"caption\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1 << 20));
    huge.extend(b"\"}");
    let patch = |body: Vec<u8>| {
        send(
            "PATCH",
            &format!("{base}/photos/{id}"),
            Some(&desk),
            &[],
            body,
        )
    };
    refused_too_large(try_send(
        "PATCH",
        &format!("{base}/photos/{id}"),
        Some(&desk),
        &[],
        huge,
    ));
    let a = patch(b"{\"caption\": ".to_vec());
    assert_eq!((a.status, a.code().as_str()), (400, "bad_json"));
    spec.check("/photos/{id}", "patch", &a);
    let a = patch(b"[1, 2]".to_vec());
    assert_eq!((a.status, a.code().as_str()), (400, "bad_json"));
    let a = patch(br#"{"no_such_field": 1}"#.to_vec());
    assert_eq!((a.status, a.code().as_str()), (400, "invalid_input"));
    // The API checks values as the CLI's flags are checked: a year, country codes.
    for bad in [
        r#"{"year": 99999}"#,
        r#"{"rights.restricted_territories": ["china"]}"#,
    ] {
        let a = patch(bad.as_bytes().to_vec());
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "invalid_input"),
            "{bad}"
        );
    }
    let a = send(
        "POST",
        &format!("{base}/uses"),
        Some(&desk),
        &[],
        format!(r#"{{"photo": "{id}", "outlet": "Daily", "url": "https://d.example/x", "territory": "china"}}"#)
            .into_bytes(),
    );
    assert_eq!((a.status, a.code().as_str()), (400, "invalid_input"));
    let a = send(
        "POST",
        &format!("{base}/uses"),
        Some(&desk),
        &[],
        br#"{"photo": 5}"#.to_vec(),
    );
    assert_eq!((a.status, a.code().as_str()), (400, "bad_json"));
    spec.check("/uses", "post", &a);
    let a = send(
        "POST",
        &format!("{base}/photos"),
        Some(&desk),
        &[],
        b"not an image".to_vec(),
    );
    assert_eq!((a.status, a.code().as_str()), (415, "unsupported_format"));
    spec.check("/photos", "post", &a);
    let a = send(
        "GET",
        &format!("{base}/photos?year=soon"),
        None,
        &[],
        vec![],
    );
    assert_eq!((a.status, a.code().as_str()), (400, "bad_query"));
}

#[test]
fn a_burst_of_the_same_upload_stores_one_photo() {
    // Room for all 16 at once: what is tested is the store, not the busy answer.
    let (store, desk, _) = store_with_tokens("max_uploads_and_renders = 16");
    let srv = Server::start(&store);
    let base = srv.base.clone();
    let path = sample("reuters-handout-flood.jpg");
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (base, desk, path) = (&base, &desk, &path);
                s.spawn(move || {
                    let a = upload(base, desk, path, None);
                    (a.status, a.json())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let added = answers.iter().filter(|(s, _)| *s == 201).count();
    let dupes = answers
        .iter()
        .filter(|(s, v)| *s == 200 && v["status"] == "duplicate")
        .count();
    assert_eq!((added, dupes), (1, 15), "{answers:?}");
    let ids: std::collections::BTreeSet<&str> = answers
        .iter()
        .filter_map(|(_, v)| v["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1);
    let page = send("GET", &format!("{base}/photos"), None, &[], vec![]).json();
    assert_eq!(page["photos"].as_array().map(Vec::len), Some(1));
    // After a clean stop the store holds exactly that one photo.
    assert!(srv.stop().success());
    let listed = store.ok(&["list", "--json"]);
    assert_eq!(listed.lines().count(), 1);
}

#[test]
fn the_server_holds_the_store_and_stops_cleanly_keeping_every_answered_change() {
    let (store, desk, _) = store_with_tokens("");
    let srv = Server::start(&store);
    let pid = srv.child.id();
    let (code, _, err) = store.run(&["add", sample("ap-pool-summit.jpg").to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("in use by byline serve (pid {pid})")),
        "{err}"
    );
    let id = upload(&srv.base, &desk, &sample("afp-nato-brussels.jpg"), None).json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let a = send(
        "PATCH",
        &format!("{}/photos/{id}", srv.base),
        Some(&desk),
        &[],
        br#"{"headline": "Saved before the answer"}"#.to_vec(),
    );
    assert_eq!(a.status, 200);
    assert!(srv.stop().success(), "SIGTERM is a clean exit");
    let rec = store.record(&id);
    assert_eq!(rec["headline"], "Saved before the answer");
    let history = store.ok(&["history", "--json", &id]);
    assert!(history.contains("\"by\":\"desk\""), "{history}");
}

#[test]
fn cors_headers_only_for_listed_origins() {
    let (store, _, _) = store_with_tokens(r#"cors_origins = ["https://cms.example"]"#);
    let srv = Server::start(&store);
    let url = format!("{}/photos", srv.base);
    let a = send(
        "GET",
        &url,
        None,
        &[("Origin", "https://cms.example")],
        vec![],
    );
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://cms.example")
    );
    let a = send(
        "GET",
        &url,
        None,
        &[("Origin", "https://evil.example")],
        vec![],
    );
    assert_eq!(a.header("access-control-allow-origin"), None);
    drop(srv);
    let (store, _, _) = store_with_tokens("");
    let srv = Server::start(&store);
    let a = send(
        "GET",
        &format!("{}/photos", srv.base),
        None,
        &[("Origin", "https://cms.example")],
        vec![],
    );
    assert_eq!(a.header("access-control-allow-origin"), None);
}

#[test]
fn the_cli_talks_to_a_running_server() {
    let (store, desk, _) = store_with_tokens("");
    let srv = Server::start(&store);
    let remote = |args: &[&str]| {
        let mut all = vec!["--server", srv.base.as_str(), "--token", desk.as_str()];
        all.extend_from_slice(args);
        store.run(&all)
    };
    let afp = sample("afp-nato-brussels.jpg");
    let (code, out, err) = remote(&[
        "add",
        "--json",
        "--city",
        "Brussels",
        afp.to_str().expect("p"),
    ]);
    assert_eq!(code, 0, "{err}");
    let line: Value = serde_json::from_str(out.trim()).expect("add line");
    common::check_schema("add-line.schema.json", &line);
    let id = line["id"].as_str().expect("id").to_string();
    let (code, out, _) = remote(&["show", &id[..8]]);
    assert_eq!(code, 0);
    assert!(
        out.contains("John Thys") && out.contains("Brussels"),
        "{out}"
    );
    let (code, out, _) = remote(&["list", "--agency", "AFP"]);
    assert_eq!(code, 0);
    assert!(out.contains(&id[..12]), "{out}");
    let (code, out, _) = remote(&["credit", &id, "--style", "afp"]);
    assert_eq!(code, 0);
    assert!(out.contains("AFP"), "{out}");
    let (code, out, err) = remote(&["edit", &id, "--caption", "Over HTTP"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("revision 2"), "{out}");
    // An edit made on a revision someone has moved past is refused, saying what to do.
    let (code, _, err) = remote(&["edit", &id, "--revision", "1", "--caption", "Stale"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("nothing was changed") && err.contains("--revision"),
        "{err}"
    );
    let (code, out, err) = remote(&[
        "use",
        &id,
        "--outlet",
        "Daily",
        "--url",
        "https://d.example/1",
        "--published",
        "2024-05-01",
        "--printed-credit",
        "AFP",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recorded use"), "{out}");
    // Errors come back as the server's message.
    let (code, _, err) = remote(&["show", "ffffffff"]);
    assert_eq!(code, 2);
    assert!(err.contains("not_found"), "{err}");
    let (code, _, err) = remote(&["reindex"]);
    assert_eq!(code, 2);
    assert!(err.contains("--server works with"), "{err}");
    // verify is served to admin tokens only (tests/hostile.rs has the admin side).
    let (code, _, err) = remote(&["verify"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an admin token"), "{err}");
}
