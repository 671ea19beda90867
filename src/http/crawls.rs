//! `POST /crawls` and `GET /crawls/{id}`: a bounded `byline crawl` started over HTTP with a
//! write token, run on a thread of its own, and its progress.
//!
//! The crawl is [`crate::crawl::run`] with the store's `[crawl]` limits, exactly as the CLI
//! runs it; it takes the writer only to record each page's finds, so uploads and edits go on
//! meanwhile. One crawl runs at a time (they share the store's crawl cache); a second is
//! refused with 409. What a crawl did is kept in memory while the server runs: the uses it
//! recorded are in the ledger (`GET /uses`) for good.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::auth::{changing, reading};
use super::error::{ApiError, ApiResult, echo, parse_body};
use super::routes::json;
use super::{AppState, Shared};
use crate::crawl::{self, Options, Summary};

/// Pages a crawl started over HTTP reads unless it asks for fewer.
const PAGES_DEFAULT: usize = 100;
/// … and never more (a bigger crawl is `byline crawl` where the store is).
const PAGES_MAX: usize = 10_000;
/// Start URLs, sitemaps and feeds one request may name.
const SEEDS_MAX: usize = 100;

/// The crawls this server started, by id.
#[derive(Debug, Default)]
pub(super) struct Crawls {
    next: u64,
    all: BTreeMap<u64, Progress>,
}

/// Where a crawl stands (`schema/crawl-status.schema.json`).
#[derive(Debug, Clone, Serialize)]
struct Progress {
    id: u64,
    state: Phase,
    /// The token that started it; the actor of the uses it records.
    by: String,
    started: Timestamp,
    finished: Option<Timestamp>,
    max_pages: usize,
    /// Counts so far (`requests` once it has ended).
    #[serde(flatten)]
    counts: Summary,
    /// The page handled last.
    last_url: Option<String>,
    /// Why it stopped, for `failed`.
    error: Option<String>,
}

/// A crawl's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    Running,
    Done,
    Failed,
}

/// Body of `POST /crawls`, as `byline crawl`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrawlBody {
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    sitemaps: Vec<String>,
    #[serde(default)]
    feeds: Vec<String>,
    outlet: Option<String>,
    since: Option<String>,
    max_pages: Option<usize>,
    rate: Option<f64>,
    #[serde(default)]
    refresh: bool,
}

/// `POST /crawls`: start a crawl; 202 with where to follow it.
pub(super) async fn start(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let b: CrawlBody = parse_body(body)?;
    let seeds = b.urls.len() + b.sitemaps.len() + b.feeds.len();
    if seeds == 0 || seeds > SEEDS_MAX {
        return Err(ApiError::bad(
            "invalid_input",
            format!("give 1 to {SEEDS_MAX} urls, sitemaps or feeds to crawl"),
        ));
    }
    let max_pages = b.max_pages.unwrap_or(PAGES_DEFAULT);
    if !(1..=PAGES_MAX).contains(&max_pages) {
        return Err(ApiError::bad(
            "invalid_input",
            format!("max_pages must be 1 to {PAGES_MAX}; crawl more with `byline crawl`"),
        ));
    }
    if b.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return Err(ApiError::bad("invalid_input", "rate must be above 0"));
    }
    let since = b
        .since
        .as_deref()
        .map(|s| {
            crate::model::parse_date(s)
                .map_err(|e| ApiError::bad("invalid_input", format!("since '{}': {e:#}", echo(s))))
        })
        .transpose()?;
    let shared = Arc::clone(&st);
    let progress = changing(&st, &headers, move |_, actor| {
        let opts = Options {
            starts: b.urls,
            sitemaps: b.sitemaps,
            feeds: b.feeds,
            outlet: b.outlet,
            since,
            max_pages: Some(max_pages),
            rate: b.rate,
            refresh: b.refresh,
            by: actor.to_string(),
        };
        begin(shared, opts, actor, max_pages)
    })
    .await?;
    let mut r = json(StatusCode::ACCEPTED, &progress);
    if let Ok(v) = format!("/crawls/{}", progress.id).parse() {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// Register a crawl and start its thread.
fn begin(shared: Arc<Shared>, opts: Options, actor: &str, max_pages: usize) -> ApiResult<Progress> {
    let mut crawls = shared.crawls.lock().map_err(ApiError::internal)?;
    if crawls.all.values().any(|c| c.state == Phase::Running) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "crawl_running",
            "a crawl is already running; follow it at GET /crawls/{id} and start the next when \
             it ends",
        ));
    }
    crawls.next += 1;
    let id = crawls.next;
    let progress = Progress {
        id,
        state: Phase::Running,
        by: actor.to_string(),
        started: Timestamp::now(),
        finished: None,
        max_pages,
        counts: Summary::default(),
        last_url: None,
        error: None,
    };
    crawls.all.insert(id, progress.clone());
    drop(crawls);
    std::thread::Builder::new()
        .name(format!("crawl-{id}"))
        .spawn(move || follow(&shared, id, &opts))
        .map_err(ApiError::internal)?;
    Ok(progress)
}

/// The crawl's thread: run it, keeping its progress up to date.
fn follow(shared: &Arc<Shared>, id: u64, opts: &Options) {
    let update = |f: &mut dyn FnMut(&mut Progress)| {
        // A poisoned registry only loses progress reports; the crawl itself goes on.
        if let Ok(mut crawls) = shared.crawls.lock()
            && let Some(p) = crawls.all.get_mut(&id)
        {
            f(p);
        }
    };
    let mut on_page = |page: &crawl::PageReport| {
        update(&mut |p| {
            p.counts.pages += 1;
            p.counts.count(page);
            p.last_url = Some(page.url.clone());
        });
    };
    let result = crawl::run(&shared.writer, opts, &Timestamp::now, &mut on_page);
    update(&mut |p| {
        p.finished = Some(Timestamp::now());
        match &result {
            Ok(summary) => {
                p.state = Phase::Done;
                p.counts = summary.clone();
            }
            Err(e) => {
                p.state = Phase::Failed;
                p.error = Some(e.to_string());
            }
        }
    });
}

/// `GET /crawls/{id}`: a crawl's progress (a read).
pub(super) async fn status(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Path(id) = id.map_err(|_| ApiError::bad("invalid_id", "a crawl id is a number"))?;
    let n: u64 = id.parse().map_err(|_| {
        ApiError::bad(
            "invalid_id",
            format!("'{}' is not a crawl id (a number)", echo(&id)),
        )
    })?;
    let shared = Arc::clone(&st);
    let found = reading(&st, &headers, move |_| {
        let crawls = shared.crawls.lock().map_err(ApiError::internal)?;
        Ok(crawls.all.get(&n).cloned())
    })
    .await?;
    match found {
        Some(p) => Ok(json(StatusCode::OK, &p)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no crawl {n} was started since the server started"),
        )),
    }
}
