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
//!
//! One file per concern: `routes` (the handlers), `auth` (tokens and the reader/writer
//! hand-off), `blob` (cached byte responses), `error` (the JSON error), `gate` (checks on
//! the headers before a body is read), `limit` (timeouts and the connection loop),
//! `admin` (tokens and `verify` while serving), `crawls` (a bounded `byline crawl` on a
//! thread of its own, issue 12) and `credits` (credit answers kept, and forgotten when any
//! writer changes their photos). This file builds the router and holds the state the
//! handlers share.

mod admin;
mod auth;
mod blob;
mod crawls;
mod credits;
mod error;
mod gate;
mod limit;
mod rate;
mod routes;
mod upload;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::routing::get;

use crate::library::{Library, Reader};

use auth::Need;
use blob::{original, rendition};
pub use error::ApiError;
use error::{ApiResult, no_method, no_route};
use gate::Gate;
pub use limit::Limits;
use routes::{
    audit, credit, edit, list, make_rendition, openapi, record_use, renditions, show, uses,
};
use upload::upload;

/// Bodies other than uploads are capped at 1 MB (issue 6).
const JSON_LIMIT: usize = 1 << 20;

/// What the server needs besides the library: taken from `[server]` in `config.toml`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether reads need a token (writes always do).
    pub read_token_required: bool,
    /// Origins allowed by CORS; empty means no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// Largest upload accepted, in bytes.
    pub upload_limit: usize,
    /// Timeouts and the connection cap.
    pub limits: Limits,
    /// Uploads and renders at once.
    pub max_heavy: usize,
    /// Requests a second per token or address (0: no limit), and the burst allowed.
    pub rate: (u32, u32),
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
            limits: Limits::of(s),
            max_heavy: s.max_uploads_and_renders.max(1),
            rate: (s.rate_limit_per_sec, s.rate_limit_burst),
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
    /// Credit answers already computed (`credits`).
    credits: credits::Credits,
    /// Permits for uploads and renders, the requests that hold tens of megabytes each
    /// (issue 15): when none is free the answer is 503 with `Retry-After`.
    heavy: Arc<tokio::sync::Semaphore>,
    /// The store's staging folder, where uploads are streamed to temp files.
    staging: PathBuf,
    /// Largest upload accepted, in bytes.
    upload_limit: usize,
    /// Requests a second per token or address; `None` when unlimited.
    limiter: Option<rate::Limiter>,
    /// Crawls started with `POST /crawls`.
    crawls: Mutex<crawls::Crawls>,
}

impl Shared {
    fn writer(&self) -> ApiResult<MutexGuard<'_, Library>> {
        self.writer.lock().map_err(ApiError::internal)
    }
}

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
    limit::serve(listener, app, settings.limits, shutdown).await
}

/// The application: every route of `schema/openapi.json` over one library.
///
/// # Errors
/// A CORS origin is not a valid header value.
pub fn router(lib: Library, settings: &Settings) -> std::io::Result<Router> {
    // Other servers on this machine may share the folder of a shared store (records in
    // PostgreSQL): there only what no upload in flight can still be writing goes.
    let older_than = lib.is_shared().then_some(UPLOAD_MAX_AGE);
    sweep_uploads(&lib.root().join("incoming"), older_than)?;
    app(state(lib, settings)?, settings)
}

/// An upload temp file older than this belongs to no request in flight.
const UPLOAD_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Make sure the staging folder exists (a store whose blobs live in a bucket has no other
/// use for it) and delete upload temp files a killed server left there: every one when this
/// process is the store's only writer, those older than `older_than` when it is given.
fn sweep_uploads(staging: &std::path::Path, older_than: Option<Duration>) -> std::io::Result<()> {
    std::fs::create_dir_all(staging)?;
    for entry in std::fs::read_dir(staging)? {
        let entry = entry?;
        let is_upload = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(crate::blob::UPLOAD_PREFIX));
        let old = match older_than {
            None => true,
            Some(age) => entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|e| e > age)),
        };
        if is_upload && old {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

fn state(lib: Library, settings: &Settings) -> std::io::Result<AppState> {
    // `Library::open` stages blobs in `incoming`; an upload's temp file there is on the
    // blobs' file system and is deleted by the next writer if a crash leaves it.
    let staging = lib.root().join("incoming");
    let credits = credits::Credits::new(&lib)?;
    Ok(Arc::new(Shared {
        reader: lib.reader(),
        writer: Mutex::new(lib),
        preparing: Mutex::new(()),
        read_token_required: settings.read_token_required,
        credits,
        heavy: Arc::new(tokio::sync::Semaphore::new(settings.max_heavy)),
        staging,
        upload_limit: settings.upload_limit,
        limiter: rate::Limiter::new(settings.rate.0, settings.rate.1),
        crawls: Mutex::new(crawls::Crawls::default()),
    }))
}

fn app(state: AppState, settings: &Settings) -> std::io::Result<Router> {
    // Every route with a body passes its gate on the headers before a byte is read.
    let gate = |need, json, limit, heavy| {
        axum::middleware::from_fn_with_state(
            (
                Arc::clone(&state),
                Gate {
                    need,
                    json,
                    limit,
                    heavy,
                },
            ),
            gate::check,
        )
    };
    let write_json = || gate(Need::Write, true, JSON_LIMIT, false);
    // The upload handler streams its body and counts it against the limit itself.
    let uploads = axum::routing::post(upload).layer::<_, std::convert::Infallible>(gate(
        Need::Write,
        false,
        settings.upload_limit,
        true,
    ));
    let mut app = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/photos", get(list).merge(uploads))
        .route(
            "/photos/{id}",
            get(show).merge(axum::routing::patch(edit).layer(write_json())),
        )
        .route("/photos/{id}/credit", get(credit))
        .route("/photos/{id}/original", get(original))
        .route(
            "/photos/{id}/renditions",
            get(renditions).merge(axum::routing::post(make_rendition).layer(gate(
                Need::Write,
                true,
                JSON_LIMIT,
                true,
            ))),
        )
        .route("/renditions/{id}", get(rendition))
        .route(
            "/uses",
            get(uses).merge(axum::routing::post(record_use).layer(write_json())),
        )
        .route("/audit", get(audit))
        .route(
            "/crawls",
            axum::routing::post(crawls::start).layer(write_json()),
        )
        .route("/crawls/{id}", get(crawls::status))
        .route(
            "/admin/tokens",
            get(admin::list_tokens).merge(axum::routing::post(admin::create_token).layer(gate(
                Need::Admin,
                true,
                JSON_LIMIT,
                false,
            ))),
        )
        .route(
            "/admin/tokens/{name}",
            axum::routing::delete(admin::revoke_token),
        )
        .route("/admin/verify", get(admin::verify))
        .fallback(no_route)
        .method_not_allowed_fallback(no_method)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .with_state(Arc::clone(&state))
        // Outside every route and gate: a client over its rate costs a token lookup, no more.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            rate::limit,
        ));
    if !settings.cors_origins.is_empty() {
        app = app.layer(cors(&settings.cors_origins)?);
    }
    Ok(app.layer(axum::middleware::from_fn_with_state(
        settings.limits,
        limit::bounded,
    )))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Added;
    use jiff::Timestamp;

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
        let st = state(lib, &settings).expect("state");
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
}
