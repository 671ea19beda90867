//! The HTTP/JSON API behind `byline serve` (issue 6): routes, bearer tokens, body limits,
//! cached blob responses and JSON errors with a stable `code`.
//!
//! Async stops here; the library stays synchronous. Reads go to a [`Reader`], which never
//! waits for a writer: a record or a credit (tens of microseconds) is answered on the runtime
//! thread, anything longer on `tokio::task::spawn_blocking`. Writes run on the blocking pool
//! and take the one [`Library`] under a mutex, so each write's journal fsync orders it against
//! the others; an upload reads its file (hash, metadata, fingerprint) before taking it. This
//! module never opens the store and never reads configuration files (`cli::serve` does);
//! it prints only to stderr: internal errors and the library's warnings after each write.
//! Routes are described in `schema/openapi.json`, served at `/openapi.json`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::credit::Style;
use crate::db::Query as PhotoQuery;
use crate::error::Error;
use crate::id::BlobId;
use crate::library::{Added, Library, NewUse, Reader, UseQuery};
use crate::model::{OutputFormat, Photo, TokenAccess};

/// Bodies other than uploads are capped at 1 MB (issue 6).
const JSON_LIMIT: usize = 1 << 20;
/// `GET /photos` pages hold this many records unless `limit` says otherwise.
const PAGE_DEFAULT: usize = 100;
/// … and never more than this.
const PAGE_MAX: usize = 1000;
/// Blobs are named by their hash, so a URL's bytes never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The route description served at `/openapi.json`.
const OPENAPI: &str = include_str!("../schema/openapi.json");

/// What the server needs besides the library: taken from `[server]` in `config.toml`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether reads need a token (writes always do).
    pub read_token_required: bool,
    /// Origins allowed by CORS; empty means no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// Largest upload accepted, in bytes.
    pub upload_limit: usize,
}

impl Settings {
    /// The settings a store's configuration asks for.
    pub fn of(lib: &Library) -> Settings {
        let s = &lib.config().server;
        Settings {
            read_token_required: s.read_token_required,
            cors_origins: s.cors_origins.clone(),
            upload_limit: usize::try_from(s.upload_limit_mb.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
        }
    }
}

struct Shared {
    /// Every read goes here, without waiting for writes.
    reader: Reader,
    /// Writes take the library alone.
    writer: Mutex<Library>,
    /// Uploads read their files one at a time: a batch upload then takes at most one core
    /// (the decode for the fingerprint), and reads keep the other, while the next file is
    /// read as the previous one commits.
    preparing: Mutex<()>,
    read_token_required: bool,
    /// Credit answers already computed, as JSON, by photo and style. Publishing tools ask for
    /// the same photos' credits again and again while laying out pages, and a credit costs
    /// about twice a record read to compute.
    credits: Mutex<CreditCache>,
}

impl Shared {
    fn writer(&self) -> ApiResult<MutexGuard<'_, Library>> {
        self.writer.lock().map_err(ApiError::internal)
    }
}

/// Cached credit answers. This server is the store's only writer. Every write empties the
/// cache and bumps `generation` after its change is in the index, and a reader only stores
/// an answer if the generation is still the one it saw before reading the record; so no entry
/// outlives the record it was computed from, even though reads never wait for writes.
#[derive(Default)]
struct CreditCache {
    generation: u64,
    answers: HashMap<(BlobId, String), Bytes>,
}

/// The credit cache is emptied when it reaches this many answers (about 700 bytes each).
const CREDITS_CACHED: usize = 50_000;

type AppState = Arc<Shared>;

/// Serve `lib` on `listener` until `shutdown` completes, then finish the requests in flight.
/// Every write is journalled before it is answered, so stopping loses nothing; the library
/// (and with it the store lock) is dropped when this returns.
///
/// # Errors
/// A CORS origin in the config is not a valid header value, or the listener fails.
pub async fn serve(
    lib: Library,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = Settings::of(&lib);
    let app = router(lib, &settings)?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The application: every route of `schema/openapi.json` over one library.
///
/// # Errors
/// A CORS origin is not a valid header value.
pub fn router(lib: Library, settings: &Settings) -> std::io::Result<Router> {
    app(state(lib, settings), settings)
}

fn state(lib: Library, settings: &Settings) -> AppState {
    Arc::new(Shared {
        reader: lib.reader(),
        writer: Mutex::new(lib),
        preparing: Mutex::new(()),
        read_token_required: settings.read_token_required,
        credits: Mutex::new(CreditCache::default()),
    })
}

fn app(state: AppState, settings: &Settings) -> std::io::Result<Router> {
    let uploads = axum::routing::post(upload).layer(DefaultBodyLimit::max(settings.upload_limit));
    let mut app = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/photos", get(list).merge(uploads))
        .route("/photos/{id}", get(show).patch(edit))
        .route("/photos/{id}/credit", get(credit))
        .route("/photos/{id}/original", get(original))
        .route(
            "/photos/{id}/renditions",
            get(renditions).post(make_rendition),
        )
        .route("/renditions/{id}", get(rendition))
        .route("/uses", get(uses).post(record_use))
        .route("/audit", get(audit))
        .fallback(no_route)
        .method_not_allowed_fallback(no_method)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .with_state(state);
    if !settings.cors_origins.is_empty() {
        app = app.layer(cors(&settings.cors_origins)?);
    }
    Ok(app)
}

fn cors(origins: &[String]) -> std::io::Result<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let list = origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o.trim()).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("server.cors_origins: '{o}' is not a valid origin"),
                )
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::POST, Method::PATCH])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::RANGE,
        ])
        .expose_headers([header::ETAG, header::CONTENT_RANGE, header::LOCATION]))
}

/// An error answer: an HTTP status, a stable machine `code` and a human `message`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn internal(detail: impl std::fmt::Display) -> ApiError {
        // The detail may name server paths; it goes to the server's log, not the client.
        eprintln!("byline serve: internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error; the server log has the details",
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let (status, code) = match &e {
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Ambiguous { .. } => (StatusCode::CONFLICT, "ambiguous_id"),
            Error::InvalidInput(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
            Error::UnsupportedFormat(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_format")
            }
            Error::Locked { .. } => (StatusCode::SERVICE_UNAVAILABLE, "locked"),
            _ => return ApiError::internal(e),
        };
        ApiError::new(status, code, e.to_string())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"byline\""),
            );
        }
        res
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// What a request needs to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Write,
}

/// The bearer secret of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or("");
    match v.split_once(' ') {
        Some((scheme, secret)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(secret.trim().to_string()))
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the Authorization header must be 'Bearer TOKEN'",
        )),
    }
}

/// Check a request's token against what it needs; returns the token's name (the actor of a
/// write), or `None` for an open read.
fn authorise(
    lib: &Reader,
    secret: Option<&str>,
    need: Need,
    read_token_required: bool,
) -> ApiResult<Option<String>> {
    let Some(secret) = secret else {
        if need == Need::Read && !read_token_required {
            return Ok(None);
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this request needs a token: send 'Authorization: Bearer TOKEN' (tokens are made \
             where the store is, with `byline token create NAME --read|--write`, while \
             `byline serve` is stopped)",
        ));
    };
    let Some(token) = lib.check_token(secret)? else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the token is not known (revoked or mistyped)",
        ));
    };
    if need == Need::Write && token.access != TokenAccess::Write {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("token '{}' may only read", token.name),
        ));
    }
    Ok(Some(token.name))
}

/// Whether a request with this bearer secret may read.
fn may_read(st: &Shared, secret: Option<&str>) -> ApiResult<()> {
    authorise(&st.reader, secret, Need::Read, st.read_token_required).map(|_| ())
}

/// A read: `f` runs on the blocking pool with the reader, after the request's token is checked.
async fn reading<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Reader) -> ApiResult<T> + Send + 'static,
{
    let secret = bearer(headers)?;
    let st = Arc::clone(st);
    let task = tokio::task::spawn_blocking(move || {
        may_read(&st, secret.as_deref())?;
        f(&st.reader)
    });
    task.await.map_err(ApiError::internal)?
}

/// A small read (one record, one credit: a few sled lookups, tens of microseconds), answered
/// on the runtime thread: the hand-off to the blocking pool costs as much as the lookup
/// itself (tests/bench/http.sh), and the reader never waits for a writer.
fn reading_quick<T>(
    st: &AppState,
    headers: &HeaderMap,
    f: impl FnOnce(&Reader) -> ApiResult<T>,
) -> ApiResult<T> {
    may_read(st, bearer(headers)?.as_deref())?;
    f(&st.reader)
}

/// A change: on the blocking pool, after checking that the token may write, `f` gets the
/// shared state (to read, or to take the library with [`Shared::writer`] for as short as it
/// can) and the actor: the token's name. The credit cache is emptied after it.
async fn changing<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Shared, &str) -> ApiResult<T> + Send + 'static,
{
    let secret = bearer(headers)?;
    let st = Arc::clone(st);
    let task = tokio::task::spawn_blocking(move || {
        let required = st.read_token_required;
        let actor = authorise(&st.reader, secret.as_deref(), Need::Write, required)?;
        let done = f(&st, &actor.unwrap_or_default());
        // The library's warnings (a blob repaired, a rendition from damaged data) go to the
        // server's log rather than piling up for as long as it runs.
        for w in st.writer()?.take_warnings() {
            eprintln!("byline serve: warning: {w}");
        }
        // Whatever the write changed is in the index now; no cached credit may outlive it.
        let mut cache = st.credits.lock().map_err(ApiError::internal)?;
        cache.generation += 1;
        let stale = std::mem::take(&mut cache.answers);
        drop(cache);
        drop(stale);
        done
    });
    task.await.map_err(ApiError::internal)?
}

/// A change made with the library alone from start to end.
async fn writing<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Library, &str) -> ApiResult<T> + Send + 'static,
{
    changing(st, headers, move |st, actor| f(&mut *st.writer()?, actor)).await
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

/// A JSON body, parsed here so a bad one gets our error shape, not the framework's.
fn parse_body<T: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> ApiResult<T> {
    let bytes = body.map_err(body_error)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad(
            "bad_json",
            format!("the request body is not valid JSON for this route: {e}"),
        )
    })
}

fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is over this route's size limit",
        )
    } else {
        ApiError::bad("bad_body", e.body_text())
    }
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::bad("bad_query", e.body_text()))
}

/// A JSON object of `field: value` as the `(field, value)` edits the library takes.
fn edits_of(v: Value) -> ApiResult<Vec<(String, Value)>> {
    match v {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => Err(ApiError::bad(
            "bad_json",
            "fields must be a JSON object such as {\"caption\": \"…\", \"creators\": [\"…\"]}",
        )),
    }
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such route; see /openapi.json",
    )
}

async fn no_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method; see /openapi.json",
    )
}

/// `GET /photos/{id}`: a record by id or unique prefix.
async fn show(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let photo = reading_quick(&st, &headers, |lib| Ok(lib.photo(&lib.resolve(&id)?)?))?;
    Ok(json(StatusCode::OK, &photo))
}

/// Query of `GET /photos`.
#[derive(Debug, Deserialize)]
struct ListParams {
    agency: Option<String>,
    creator: Option<String>,
    year: Option<i32>,
    text: Option<String>,
    #[serde(default)]
    incomplete: bool,
    limit: Option<usize>,
    cursor: Option<String>,
}

/// One page of `GET /photos`.
#[derive(Debug, Serialize)]
struct Page {
    photos: Vec<Photo>,
    next_cursor: Option<String>,
}

/// A page boundary: the last record's `(added_at, id)`, the order `Library::list` sorts by.
fn cursor_of(p: &Photo) -> String {
    format!("{}-{}", p.added_at.as_nanosecond(), p.id.to_hex())
}

fn parse_cursor(s: &str) -> ApiResult<(i128, BlobId)> {
    let bad = || ApiError::bad("bad_cursor", "cursor is not one this server gave out");
    let (nanos, id) = s.rsplit_once('-').ok_or_else(bad)?;
    Ok((
        nanos.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// `GET /photos`: filtered, oldest first, in pages.
async fn list(
    State(st): State<AppState>,
    q: Result<Query<ListParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let filter = PhotoQuery {
        agency: q.agency,
        creator: q.creator,
        year: q.year,
        text: q.text,
        incomplete: q.incomplete,
    };
    // One more than asked for says whether there is a next page.
    let mut photos = reading(&st, &headers, move |lib| {
        Ok(lib.page(&filter, after, limit + 1)?)
    })
    .await?;
    let next_cursor = if photos.len() > limit {
        photos.truncate(limit);
        photos.last().map(cursor_of)
    } else {
        None
    };
    Ok(json(
        StatusCode::OK,
        &Page {
            photos,
            next_cursor,
        },
    ))
}

/// A style named in a query: an unknown name is a bad request, not a missing resource.
fn style(lib: &Reader, name: &str) -> ApiResult<Style> {
    lib.style(name).map_err(|e| match e {
        Error::NotFound(m) => ApiError::bad("invalid_input", m),
        e => e.into(),
    })
}

/// Query of `GET /photos/{id}/credit`.
#[derive(Debug, Deserialize)]
struct CreditParams {
    style: Option<String>,
    outlet: Option<String>,
}

/// `GET /photos/{id}/credit`: the required line, its parts, short form and JSON-LD.
async fn credit(
    State(st): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<CreditParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let body = reading_quick(&st, &headers, |lib| {
        let id = lib.resolve(&id)?;
        let key = (id, format!("{:?}/{:?}", q.style, q.outlet));
        let generation = {
            let cache = st.credits.lock().map_err(ApiError::internal)?;
            if let Some(body) = cache.answers.get(&key) {
                return Ok(body.clone());
            }
            cache.generation
        };
        let style = match (&q.style, &q.outlet) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad(
                    "invalid_input",
                    "give style or outlet, not both",
                ));
            }
            (Some(s), None) => style(lib, s)?,
            (None, Some(o)) => lib.style_for(o, None),
            (None, None) => Style::Default,
        };
        let report = lib.credit(&id, &style)?;
        let body = Bytes::from(serde_json::to_vec(&report).map_err(ApiError::internal)?);
        let mut cache = st.credits.lock().map_err(ApiError::internal)?;
        // A write since the record was read: the answer may already be stale.
        if cache.generation == generation {
            let full =
                (cache.answers.len() >= CREDITS_CACHED).then(|| std::mem::take(&mut cache.answers));
            cache.answers.insert(key, body.clone());
            drop(cache);
            // Freeing 50,000 answers takes milliseconds: not while other lookups wait.
            drop(full);
        }
        Ok(body)
    })?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// `GET /photos/{id}/renditions`.
async fn renditions(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let list = reading(&st, &headers, move |lib| {
        Ok(lib.renditions(&lib.resolve(&id)?)?)
    })
    .await?;
    Ok(json(StatusCode::OK, &list))
}

/// Body of `POST /photos/{id}/renditions`: a preset, or a size (with format and quality).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderBody {
    preset: Option<String>,
    max_side: Option<u32>,
    format: Option<OutputFormat>,
    quality: Option<u8>,
}

/// `POST /photos/{id}/renditions`: make (or find) a rendition carrying the current credit.
/// 201 when made now, 200 when the same spec of the same revision already existed.
async fn make_rendition(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let b: RenderBody = parse_body(body)?;
    let (r, existed) = writing(&st, &headers, move |lib, actor| {
        let id = lib.resolve(&id)?;
        let (preset, spec) =
            lib.rendition_spec(b.preset.as_deref(), b.max_side, b.format, b.quality)?;
        Ok(lib.render(&id, spec, preset.as_deref(), actor, Timestamp::now())?)
    })
    .await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut res = json(status, &r);
    insert(&mut res, header::LOCATION, &format!("/renditions/{}", r.id));
    Ok(res)
}

/// `GET /photos/{id}/original`: the original's bytes.
async fn original(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let hdrs = headers.clone();
    reading(&st, &headers, move |lib| {
        let id = lib.resolve(&id)?;
        // The record (for the type) and the bytes are read only when a body is sent.
        Ok(blob_response(&hdrs, &id, || {
            Ok((lib.photo(&id)?.original.format.mime(), lib.blob(&id)?))
        }))
    })
    .await?
}

/// `GET /renditions/{id}`: a rendition's bytes (full id only: renditions have no prefixes).
async fn rendition(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let rid: BlobId = id
        .parse()
        .map_err(|_| ApiError::bad("invalid_input", format!("'{id}' is not a rendition id")))?;
    let hdrs = headers.clone();
    reading(&st, &headers, move |lib| {
        let mime = lib.rendition(&rid)?.spec.format.mime();
        Ok(blob_response(&hdrs, &rid, || Ok((mime, lib.blob(&rid)?))))
    })
    .await?
}

/// Whether `If-None-Match` names `etag` (or is `*`). Weak comparison, as RFC 9110 §13.1.2 asks.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// A `Range: bytes=…` header against a body of `len` bytes (RFC 9110 §14.1.2), written by
/// hand because only one form is worth serving: a single range. `None` means serve the whole
/// body (no header, a syntax we ignore, or several ranges); `Some(None)` means unsatisfiable.
fn byte_range(header: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // A suffix: the last N bytes.
        let n: u64 = last.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(None);
        }
        return Some(Some((len.saturating_sub(n), len - 1)));
    }
    let start: u64 = first.parse().ok()?;
    let end = if last.is_empty() {
        u64::MAX
    } else {
        let end: u64 = last.parse().ok()?;
        if end < start {
            return None;
        }
        end
    };
    if start >= len {
        return Some(None);
    }
    Some(Some((start, end.min(len - 1))))
}

/// A blob's bytes with its content type, strong ETag (the hash), immutable caching, `304` on
/// `If-None-Match` (checked before `content` reads the type and bytes) and single byte ranges.
fn blob_response(
    headers: &HeaderMap,
    id: &BlobId,
    content: impl FnOnce() -> crate::Result<(&'static str, Vec<u8>)>,
) -> ApiResult<Response> {
    let etag = format!("\"{}\"", id.to_hex());
    let mut res = if none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (mime, body) = content()?;
        let body = Bytes::from(body);
        let len = body.len() as u64;
        // If-Range with another validator means the client's copy is stale: send it all.
        let range_applies = headers
            .get(header::IF_RANGE)
            .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .filter(|_| range_applies)
            .and_then(|r| byte_range(r, len));
        match range {
            None => {
                let mut r = Body::from(body).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                r
            }
            Some(None) => {
                let mut r = ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range_not_satisfiable",
                    format!("the range is outside the {len} bytes"),
                )
                .into_response();
                insert(&mut r, header::CONTENT_RANGE, &format!("bytes */{len}"));
                r
            }
            Some(Some((start, end))) => {
                // `byte_range` gives start ≤ end < len; checked again, as slicing would panic.
                let part = if start <= end && end < len {
                    body.slice(start as usize..=end as usize)
                } else {
                    Bytes::new()
                };
                let mut r = (StatusCode::PARTIAL_CONTENT, part).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                insert(
                    &mut r,
                    header::CONTENT_RANGE,
                    &format!("bytes {start}-{end}/{len}"),
                );
                r
            }
        }
    };
    insert(&mut res, header::ETAG, &etag);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    res.headers_mut()
        .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    Ok(res)
}

fn insert(res: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

/// Query of `GET /uses`.
#[derive(Debug, Deserialize)]
struct UsesParams {
    photo: Option<String>,
    outlet: Option<String>,
    since: Option<String>,
}

fn date(field: &str, s: &str) -> ApiResult<Timestamp> {
    crate::cli::parse_date(s).map_err(|e| ApiError::bad("invalid_input", format!("{field}: {e:#}")))
}

/// `GET /uses`: the ledger, oldest first.
async fn uses(
    State(st): State<AppState>,
    q: Result<Query<UsesParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let since = q.since.as_deref().map(|s| date("since", s)).transpose()?;
    let found = reading(&st, &headers, move |lib| {
        let photo = q.photo.as_deref().map(|p| lib.resolve(p)).transpose()?;
        Ok(lib.uses(&UseQuery {
            photo,
            outlet: q.outlet,
            since,
        })?)
    })
    .await?;
    Ok(json(StatusCode::OK, &found))
}

/// Query of `GET /audit`.
#[derive(Debug, Deserialize)]
struct AuditParams {
    format: Option<String>,
    outlet: Option<String>,
    style: Option<String>,
    since: Option<String>,
}

/// `GET /audit?format=json|csv|html`: the attribution audit.
async fn audit(
    State(st): State<AppState>,
    q: Result<Query<AuditParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let since = q.since.as_deref().map(|s| date("since", s)).transpose()?;
    let format = q.format.unwrap_or_else(|| "json".into());
    let mime = match format.as_str() {
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        other => {
            return Err(ApiError::bad(
                "invalid_input",
                format!("format '{other}': give json, csv or html"),
            ));
        }
    };
    let report = reading(&st, &headers, move |lib| {
        let style = q.style.as_deref().map(|s| style(lib, s)).transpose()?;
        Ok(lib.audit(q.outlet.as_deref(), since, style.as_ref(), Timestamp::now())?)
    })
    .await?;
    let text = match format.as_str() {
        "csv" => crate::report::csv(&report),
        "html" => crate::report::html(&report),
        _ => serde_json::to_string_pretty(&report).map_err(ApiError::internal)?,
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
        text,
    )
        .into_response())
}

/// Query of `POST /photos`.
#[derive(Debug, Deserialize)]
struct UploadParams {
    /// The file's name, echoed as `path` in the answer.
    name: Option<String>,
    /// Fields to set, as a JSON object (the same names as `PATCH`).
    fields: Option<String>,
    /// Also make every rendition preset, as `add --renditions` does.
    #[serde(default)]
    renditions: bool,
}

/// The answer to an upload: one line of `byline add --json` (schema/add-line.schema.json).
#[derive(Debug, Serialize)]
struct AddLine {
    path: String,
    id: Option<String>,
    status: &'static str,
    missing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit: Option<String>,
}

/// The credit line in the default style, as `add --json` reports it; none when empty.
fn default_credit(photo: &Photo) -> Option<String> {
    Some(crate::credit::required_line(&photo.fields, &Style::Default)).filter(|l| !l.is_empty())
}

/// `POST /photos`: the body is the image; `fields` (JSON) overrides what the file says.
async fn upload(
    State(st): State<AppState>,
    q: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    let bytes = body.map_err(body_error)?;
    let edits = match &q.fields {
        Some(f) => edits_of(serde_json::from_str(f).map_err(|e| {
            ApiError::bad("bad_json", format!("fields is not a JSON object: {e}"))
        })?)?,
        None => Vec::new(),
    };
    if bytes.is_empty() {
        return Err(ApiError::bad(
            "invalid_input",
            "the request body must be the image file's bytes",
        ));
    }
    let path = q.name.unwrap_or_else(|| "upload".into());
    let renditions = q.renditions;
    let line = changing(&st, &headers, move |st, actor| {
        // Reading the file (hash, metadata, fingerprint decode) needs no lock: other uploads
        // and every read go on meanwhile. Only staging and the journal commit take the library.
        let prepared = {
            let _turn = st.preparing.lock().map_err(ApiError::internal)?;
            st.reader.prepare(&bytes)?
        };
        let mut lib = st.writer()?;
        let now = Timestamp::now();
        let added = lib.add_prepared(prepared, &bytes, &edits, actor, now)?;
        if renditions && let Added::New(photo) = &added {
            // As `add --renditions`: a photo whose pixels cannot be rendered is still stored.
            if let Err(e) = lib.stage_presets(photo, &bytes, actor, now) {
                eprintln!("byline serve: {}: no renditions: {e}", photo.id.short());
            }
        }
        // Nothing is reported as stored before the journal fsync that holds it.
        lib.commit()?;
        Ok(match added {
            Added::New(photo) => AddLine {
                path,
                id: Some(photo.id.to_hex()),
                status: "added",
                credit: default_credit(&photo),
                missing: photo.missing,
            },
            Added::Duplicate(id) => {
                let stored = lib.photo(&id)?;
                AddLine {
                    path,
                    id: Some(id.to_hex()),
                    status: "duplicate",
                    credit: default_credit(&stored),
                    missing: stored.missing,
                }
            }
        })
    })
    .await?;
    let status = if line.status == "added" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut res = json(status, &line);
    if let Some(id) = &line.id {
        insert(&mut res, header::LOCATION, &format!("/photos/{id}"));
    }
    Ok(res)
}

/// `PATCH /photos/{id}`: set fields (a JSON object); journalled with the token's name.
async fn edit(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let edits = edits_of(parse_body(body)?)?;
    if edits.is_empty() {
        return Err(ApiError::bad(
            "invalid_input",
            "nothing to change: send at least one field",
        ));
    }
    let photo = writing(&st, &headers, move |lib, actor| {
        let id = lib.resolve(&id)?;
        match lib.edit(&id, &edits, actor, Timestamp::now())? {
            Some(p) => Ok(p),
            None => Ok(lib.photo(&id)?),
        }
    })
    .await?;
    Ok(json(StatusCode::OK, &photo))
}

/// Body of `POST /uses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UseBody {
    photo: String,
    outlet: String,
    url: String,
    published: Option<String>,
    printed_credit: Option<String>,
    printed_caption: Option<String>,
    territory: Option<String>,
    #[serde(default)]
    commercial: bool,
    rendition: Option<String>,
}

/// `POST /uses`: record a published use in the ledger.
async fn record_use(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let b: UseBody = parse_body(body)?;
    let published = b
        .published
        .as_deref()
        .map(|s| date("published", s))
        .transpose()?;
    let rendition = b
        .rendition
        .as_deref()
        .map(|r| {
            r.parse::<BlobId>().map_err(|_| {
                ApiError::bad("invalid_input", "rendition takes a rendition's full id")
            })
        })
        .transpose()?;
    let usage = writing(&st, &headers, move |lib, actor| {
        let photo = lib.resolve(&b.photo)?;
        let new = NewUse {
            outlet: b.outlet,
            url: b.url,
            published,
            printed_credit: b.printed_credit,
            printed_caption: b.printed_caption,
            territory: b.territory,
            commercial: b.commercial,
            rendition,
        };
        Ok(lib.record_use(&photo, new, actor, Timestamp::now())?)
    })
    .await?;
    Ok(json(StatusCode::CREATED, &usage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        // The examples of RFC 9110 §14.1.2 on a 10,000-byte body.
        assert_eq!(byte_range("bytes=0-499", 10_000), Some(Some((0, 499))));
        assert_eq!(byte_range("bytes=500-999", 10_000), Some(Some((500, 999))));
        assert_eq!(byte_range("bytes=-500", 10_000), Some(Some((9500, 9999))));
        assert_eq!(byte_range("bytes=9500-", 10_000), Some(Some((9500, 9999))));
        // A last position past the end is cut to the end.
        assert_eq!(
            byte_range("bytes=9000-20000", 10_000),
            Some(Some((9000, 9999)))
        );
        // Unsatisfiable: the first position is past the end, or an empty suffix.
        assert_eq!(byte_range("bytes=10000-", 10_000), Some(None));
        assert_eq!(byte_range("bytes=-0", 10_000), Some(None));
        // Ignored: other units, bad syntax, several ranges, last before first.
        assert_eq!(byte_range("items=0-1", 10_000), None);
        assert_eq!(byte_range("bytes=a-b", 10_000), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 10_000), None);
        assert_eq!(byte_range("bytes=5-1", 10_000), None);
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"aa\", W/\"bb\""),
        );
        assert!(none_match(&h, "\"bb\""));
        assert!(!none_match(&h, "\"cc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(none_match(&h, "\"cc\""));
    }

    /// The point of the split between reader and writer: while a write holds the library
    /// (an upload in its fsyncs), records and credits still answer. With one lock for both,
    /// the requests below would wait for the guard and time out.
    #[test]
    fn reads_answer_while_a_write_holds_the_library() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = Box::new(crate::blob::MemBackend::new());
        let mut lib = Library::open_with_blobs(dir.path(), crate::Access::Write, "test", blobs)
            .expect("open");
        let sample = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/photos/afp-nato-brussels.jpg"
        );
        let bytes = std::fs::read(sample).expect("sample");
        let now = Timestamp::now();
        let Ok(Added::New(photo)) = lib.add(&bytes, &[], "test", now) else {
            panic!("the sample is added");
        };
        lib.commit().expect("commit");
        let settings = Settings::of(&lib);
        let st = state(lib, &settings);
        let router = app(Arc::clone(&st), &settings).expect("app");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("listen");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        rt.spawn(async move { axum::serve(listener, router).await });

        let held = st.writer().expect("the writer");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(5)))
            .build()
            .into();
        let id = photo.id.to_hex();
        for path in [
            format!("/photos/{id}"),
            format!("/photos/{id}/credit?style=afp"),
        ] {
            let mut res = agent
                .get(format!("{base}{path}"))
                .call()
                .unwrap_or_else(|e| panic!("{path} answers while a write holds the library: {e}"));
            assert_eq!(res.status(), 200, "{path}");
            let body = res.body_mut().read_to_string().expect("body");
            assert!(
                body.contains("John Thys") || body.contains("JOHN THYS"),
                "{path}: {body}"
            );
        }
        drop(held);
    }

    #[test]
    fn cursors_round_trip() -> ApiResult<()> {
        let id = BlobId::of(b"x");
        let c = format!("{}-{}", -5i128, id.to_hex());
        assert_eq!(parse_cursor(&c)?, (-5, id));
        assert!(parse_cursor("nonsense").is_err());
        Ok(())
    }
}
