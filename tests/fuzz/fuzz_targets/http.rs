//! Fuzz the HTTP API (issue 15): arbitrary requests into the real axum router, in process,
//! over one store in a temporary folder holding one photo and a read, a write and an admin
//! token. Nothing may panic, nothing may answer 500 (the store is healthy, so an internal
//! error is a bug), and every error (4xx, 5xx) must be the JSON error: `application/json`, an
//! object with a string `code` and a bounded `message`.
//!
//! The input is a request in a loose text form, so seeds are readable and mutations stay
//! near real requests: `METHOD PATH` on the first line, `Name: value` headers up to a blank
//! line, then the body. `$ID` anywhere is the photo's id. The body's length is what the
//! request declares (hyper frames real bodies before the router sees them; a declared length
//! the body does not match cannot reach it).
//!
//! Requests revoking the harness's own tokens are skipped: one such input would turn every
//! later authorised request into a 401 and the rest of the run would fuzz nothing else.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use byline::model::TokenAccess;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

/// The harness's tokens: name, secret, access.
const TOKENS: [(&str, &str, TokenAccess); 3] = [
    ("fuzz-read", "fuzz-read-secret", TokenAccess::Read),
    ("fuzz-write", "fuzz-write-secret", TokenAccess::Write),
    ("fuzz-admin", "fuzz-admin-secret", TokenAccess::Admin),
];

/// The photo in the store.
const PHOTO: &[u8] = include_bytes!("../../../samples/photos/afp-nato-brussels.jpg");

/// No error message is longer than 1024 bytes (src/http/error.rs), plus the JSON around it.
const ERROR_BODY_MAX: usize = 2048;

struct World {
    rt: tokio::runtime::Runtime,
    app: Router,
    id: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("byline-fuzz-http-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        build(root).unwrap_or_else(|e| panic!("the fuzz store: {e}"))
    })
}

fn build(root: PathBuf) -> Result<World, Box<dyn std::error::Error>> {
    let mut lib = byline::library::Library::open(&root, byline::Access::Write, "fuzz")?;
    let now = jiff::Timestamp::now();
    let id = match lib.add(PHOTO, &[], "fuzz", now)? {
        byline::library::Added::New(p) => p.id.to_hex(),
        other => return Err(format!("the photo was not added: {other:?}").into()),
    };
    for (name, secret, access) in TOKENS {
        lib.create_token(name, secret, access, "fuzz", now)?;
    }
    lib.commit()?;
    let mut settings = byline::http::Settings::of(&lib);
    // The limiter runs, but never refuses: a 429 for every input after the first thousand
    // would hide the routes.
    settings.rate = (u32::MAX, u32::MAX);
    settings.cors_origins = vec!["https://news.example".into()];
    let app = byline::http::router(lib, &settings)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(World { rt, app, id })
}

/// The request an input spells, or `None` when it is not one hyper would pass on.
fn request(data: &[u8], id: &str) -> Option<Request<Body>> {
    let data = &with_id(data, id)[..];
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or((data, &[][..]), |i| (&data[..i], &data[i + 2..]));
    let (head, body) = split;
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let (method, path) = lines.next()?.split_once(' ')?;
    if revokes_ours(method, path) {
        return None;
    }
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).ok()?)
        .uri(path)
        .body(Body::from(body.to_vec()))
        .ok()?;
    let headers = req.headers_mut();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = HeaderValue::from_str(value.trim()).ok()?;
        if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
            headers.append(name, value);
        }
    }
    if !body.is_empty() {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    Some(req)
}

/// `data` with every `$ID` replaced by the photo's id.
fn with_id(data: &[u8], id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix(b"$ID") {
            out.extend_from_slice(id.as_bytes());
            rest = tail;
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// A DELETE naming one of the harness's tokens, however its path is spelt.
fn revokes_ours(method: &str, path: &str) -> bool {
    let decoded = percent_decoded(path);
    method.eq_ignore_ascii_case("DELETE")
        && TOKENS
            .iter()
            .any(|(name, ..)| decoded.windows(name.len()).any(|w| w == name.as_bytes()))
}

fn percent_decoded(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let Some(req) = request(data, &w.id) else {
        return;
    };
    let head = req.method() == Method::HEAD;
    let what = format!("{} {}", req.method(), req.uri());
    w.rt.block_on(async {
        let Ok(res) = w.app.clone().oneshot(req).await;
        let status = res.status();
        if !status.is_client_error() && !status.is_server_error() {
            return;
        }
        assert_ne!(status.as_u16(), 500, "{what}: an internal error");
        let json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
        assert!(
            json,
            "{what}: {status} is not the JSON error: {:?}",
            res.headers()
        );
        let body = axum::body::to_bytes(res.into_body(), ERROR_BODY_MAX + 1)
            .await
            .unwrap_or_else(|e| panic!("{what}: {status} with an error body over the bound: {e}"));
        if head {
            return;
        }
        let v: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{what}: {status} body is not JSON: {e}"));
        assert!(
            v["code"].is_string() && v["message"].is_string(),
            "{what}: {status} is not the JSON error: {v}"
        );
    });
});
