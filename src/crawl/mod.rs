//! `byline crawl`: walk an outlet's site, find every page that prints one of our photos, and
//! record each as a use with the credit printed there (issue 12).
//!
//! An edge like [`crate::http`]: the only module that reaches the network, and only through
//! [`fetch`]. It reads pages with [`crate::article`], recognises photos through the
//! [`Library`]'s look-ups (`identify`, ids, captions) and records uses with
//! [`Library::record_use`]; the ledger stays the truth. Its own memory ([`state`]) is a cache
//! of validators and matches that makes a re-crawl cheap and a killed crawl resumable.
//!
//! - [`fetch`]: HTTP with the limits and the private-address guard.
//! - [`robots`]: robots.txt per origin.
//! - [`discover`]: sitemaps and feeds.
//! - [`page`]: a page → its images, captions, credits, date and links.
//! - [`matching`]: an image → the stored photo it is.
//! - [`record`]: a page's finds → uses in the ledger, never twice.
//! - [`mod@visit`]: one page, as a worker crawls it.
//! - [`state`]: the cache between runs.

pub mod discover;
pub mod fetch;
pub mod matching;
pub mod page;
pub mod record;
pub mod robots;
pub mod state;
pub mod visit;

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, mpsc};

use jiff::Timestamp;
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::library::Library;
use crate::model::FoundBy;

use fetch::{Fetcher, Validators};
use robots::Robots;
use state::{ListingState, State};
use visit::{Crew, visit};

/// What to crawl and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Pages to start from; links are followed within their hosts.
    pub starts: Vec<String>,
    /// Sitemaps or sitemap indexes.
    pub sitemaps: Vec<String>,
    /// RSS, Atom or JSON feeds.
    pub feeds: Vec<String>,
    /// The outlet the uses are recorded for (default: the first URL's host).
    pub outlet: Option<String>,
    /// Only pages a sitemap or feed dates at or after this (and pages dated after it).
    pub since: Option<Timestamp>,
    /// Stop after this many pages.
    pub max_pages: Option<usize>,
    /// Requests a second to one host, instead of `[crawl] rate`.
    pub rate: Option<f64>,
    /// Fetch and read every page again, ignoring validators and content hashes.
    pub refresh: bool,
    /// The actor recorded on each use.
    pub by: String,
}

/// Where a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A start URL.
    Start,
    /// A sitemap.
    Sitemap,
    /// A feed.
    Feed,
    /// A link on a crawled page.
    Link,
}

/// What became of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Fetched and read (new or changed).
    Read,
    /// The server answered 304 Not Modified.
    NotModified,
    /// Fetched, but its bytes are those read last time.
    Unchanged,
    /// Finished earlier in this same (interrupted) run: not asked again.
    Resumed,
    /// robots.txt disallows it.
    Robots,
    /// Answered with an HTTP error status (404, 500, …).
    Status,
    /// Not HTML (an image, a PDF).
    NotHtml,
    /// Could not be fetched: refused address, timeout, too large, redirect loop, network.
    Error,
}

/// One photo found on a page.
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    /// The photo.
    pub photo: BlobId,
    /// How it was recognised.
    pub by: FoundBy,
    /// How near (see [`crate::model::Found`]).
    pub distance: u32,
    /// The credit printed with it.
    pub printed_credit: Option<String>,
    /// The ledger number of the use recorded now; `None` when the same use was already
    /// recorded.
    pub use_id: Option<u64>,
}

/// One line of `crawl --json` (schema/crawl-page.schema.json).
#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    /// The page URL.
    pub url: String,
    /// Where it was found.
    pub via: Via,
    /// Links followed to reach it.
    pub depth: u32,
    /// What became of it.
    pub outcome: Outcome,
    /// The HTTP status, when one was received.
    pub status: Option<u16>,
    /// Why it failed, for `error`.
    pub error: Option<String>,
    /// Images downloaded for it.
    pub images_fetched: u32,
    /// Our photos on it.
    pub found: Vec<Seen>,
}

/// Counts for the end of a crawl.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Pages handled (any outcome).
    pub pages: usize,
    /// Pages fetched and read.
    pub read: usize,
    /// Pages skipped as unchanged (304, same bytes, or done before an interruption).
    pub unchanged: usize,
    /// Pages that failed or were refused.
    pub failed: usize,
    /// Our photos found on pages read.
    pub photos_found: usize,
    /// Uses recorded now.
    pub uses_recorded: usize,
    /// HTTP requests sent (retries and robots.txt included).
    pub requests: u64,
}

impl Summary {
    /// Count a finished page's outcome and finds (not `pages`, counted as a page starts).
    pub fn count(&mut self, report: &PageReport) {
        match report.outcome {
            Outcome::Read => self.read += 1,
            Outcome::NotModified | Outcome::Unchanged | Outcome::Resumed => self.unchanged += 1,
            _ => self.failed += 1,
        }
        self.photos_found += report.found.len();
        self.uses_recorded += report.found.iter().filter(|s| s.use_id.is_some()).count();
    }
}

/// Crawl, recording uses in `lib`; `on_page` hears about each page as it is done.
///
/// `[crawl] workers` pages are fetched and matched at once; the library is locked only to
/// record a page's finds, so a server that crawls keeps taking other writes meanwhile.
pub fn run(
    lib: &Mutex<Library>,
    opts: &Options,
    now: &(dyn Fn() -> Timestamp + Sync),
    on_page: &mut dyn FnMut(&PageReport),
) -> Result<Summary> {
    let parse = |s: &String| {
        Url::parse(s.trim()).map_err(|e| Error::InvalidInput(format!("'{s}' is not a URL: {e}")))
    };
    let starts = opts.starts.iter().map(parse).collect::<Result<Vec<_>>>()?;
    let sitemaps = opts
        .sitemaps
        .iter()
        .map(parse)
        .collect::<Result<Vec<_>>>()?;
    let feeds = opts.feeds.iter().map(parse).collect::<Result<Vec<_>>>()?;
    let all: Vec<&Url> = starts.iter().chain(&sitemaps).chain(&feeds).collect();
    let Some(first) = all.first() else {
        return Err(Error::InvalidInput(
            "give a URL to start from, a --sitemap or a --feed".into(),
        ));
    };
    let hosts: HashSet<String> = all
        .iter()
        .filter_map(|u| u.host_str().map(str::to_string))
        .collect();
    let outlet = opts
        .outlet
        .clone()
        .or_else(|| first.host_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let (mut config, root, reader) = {
        let lib = locked(lib)?;
        (
            lib.config().crawl.clone(),
            lib.root().to_path_buf(),
            lib.reader(),
        )
    };
    if let Some(r) = opts.rate {
        if !(r.is_finite() && r > 0.0) {
            return Err(Error::InvalidInput("--rate must be above 0".into()));
        }
        config.rate = r;
    }
    let page_cap = config.max_page_mb * 1024 * 1024;
    let mut seeds: Vec<String> = all.iter().map(|u| u.to_string()).collect();
    seeds.sort();
    let crew = Crew {
        lib,
        reader,
        fetcher: Fetcher::new(&config),
        robots: Mutex::new(Robots::new(&config.user_agent, page_cap)),
        state: Mutex::new(State::open(&root.join("crawl"), &seeds.join(" "))?),
        config,
        hosts,
        outlet,
        since: opts.since,
        refresh: opts.refresh,
        by: opts.by.clone(),
        now,
    };
    let mut summary = Summary::default();

    let mut queue: VecDeque<(Url, Via, u32)> = VecDeque::new();
    let mut queued: HashSet<String> = HashSet::new();
    let mut enqueue = |q: &mut VecDeque<(Url, Via, u32)>, u: Url, via: Via, depth: u32| {
        if queued.insert(u.to_string()) {
            q.push_back((u, via, depth));
        }
    };
    for u in &starts {
        enqueue(&mut queue, u.clone(), Via::Start, 0);
    }
    // Sitemaps: indexes lead to more sitemaps; each listed page whose lastmod passes --since.
    let mut maps: VecDeque<Url> = sitemaps.iter().cloned().collect();
    let mut maps_seen: HashSet<String> = HashSet::new();
    while let Some(m) = maps.pop_front() {
        if !maps_seen.insert(m.to_string()) || maps_seen.len() > 10_000 {
            continue;
        }
        let read = |body: Vec<u8>| {
            let s = discover::gunzip(body, page_cap).and_then(|b| discover::sitemap(&b))?;
            Ok(ListingState {
                sitemaps: s.sitemaps,
                pages: s.pages,
                ..ListingState::default()
            })
        };
        let Some(s) = fetch_listing(&crew, &m, read) else {
            continue;
        };
        maps.extend(s.sitemaps.iter().filter_map(|c| m.join(c).ok()));
        for (p, when) in s.pages {
            if let Ok(u) = m.join(&p)
                && crew.dated(when)
            {
                enqueue(&mut queue, u, Via::Sitemap, 0);
            }
        }
    }
    for f in &feeds {
        let read = |body: Vec<u8>| {
            Ok(ListingState {
                pages: discover::feed(&body)?,
                ..ListingState::default()
            })
        };
        let Some(s) = fetch_listing(&crew, f, read) else {
            continue;
        };
        for (p, when) in s.pages {
            if let Ok(u) = f.join(&p)
                && crew.dated(when)
            {
                enqueue(&mut queue, u, Via::Feed, 0);
            }
        }
    }

    // Workers take pages from `jobs` and hand back reports; this thread alone owns the queue,
    // counts, follows links and reports, so `--max-pages` and depth stay exact. At most two
    // pages per worker wait, which bounds memory whatever the site's size.
    let workers = crew.config.workers.clamp(1, 64) as usize;
    let mut failed: Option<Error> = None;
    let (job_tx, job_rx) = mpsc::channel::<(Url, Via, u32)>();
    let (done_tx, done_rx) = mpsc::channel::<Result<(PageReport, Vec<String>)>>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (crew, job_rx) = (&crew, &job_rx);
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let job = hold(job_rx).recv();
                    let Ok((url, via, depth)) = job else { break };
                    if done_tx.send(visit(crew, url, via, depth)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut in_flight = 0usize;
        loop {
            while in_flight < workers * 2
                && failed.is_none()
                && opts.max_pages.is_none_or(|m| summary.pages < m)
                && let Some(job) = queue.pop_front()
            {
                summary.pages += 1;
                in_flight += 1;
                if job_tx.send(job).is_err() {
                    break;
                }
            }
            if in_flight == 0 {
                break;
            }
            let Ok(done) = done_rx.recv() else { break };
            in_flight -= 1;
            // A store error stops the crawl: the pages under way finish, no more start.
            let (report, links) = match done {
                Ok(d) => d,
                Err(e) => {
                    failed.get_or_insert(e);
                    continue;
                }
            };
            summary.count(&report);
            if report.depth < crew.config.depth {
                for l in links {
                    if let Ok(u) = Url::parse(&l) {
                        enqueue(&mut queue, u, Via::Link, report.depth + 1);
                    }
                }
            }
            on_page(&report);
        }
        drop(job_tx);
    });
    if let Some(e) = failed {
        return Err(e);
    }
    summary.requests = crew.fetcher.requests();
    let Crew { state, .. } = crew;
    hold_owned(state).finish()?;
    Ok(summary)
}

/// The library, unless a thread panicked while holding it.
fn locked(lib: &Mutex<Library>) -> Result<MutexGuard<'_, Library>> {
    lib.lock()
        .map_err(|_| Error::Db("the store was left mid-change by a failed thread".into()))
}

/// A lock on the crawl's own memory (a cache): a worker that panicked cannot make it wrong,
/// only stale, so it is taken as it is.
fn hold<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn hold_owned<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// What a sitemap or feed lists, when robots.txt allows it: asked with the validators of the
/// last crawl, so an unchanged one answers 304 and what it listed then is used again; a new
/// answer is read by `read` and kept.
fn fetch_listing(
    crew: &Crew<'_>,
    url: &Url,
    read: impl Fn(Vec<u8>) -> std::result::Result<ListingState, String>,
) -> Option<ListingState> {
    if !crew.allowed(url) {
        return None;
    }
    let key = url.to_string();
    let known = hold(&crew.state)
        .listings
        .get(&key)
        .cloned()
        .filter(|_| !crew.refresh);
    let v = Validators {
        etag: known.as_ref().and_then(|k| k.etag.as_deref()),
        last_modified: known.as_ref().and_then(|k| k.last_modified.as_deref()),
    };
    let page_cap = crew.config.max_page_mb * 1024 * 1024;
    match crew.fetcher.get(url, &v, page_cap) {
        Ok(got) if got.status == 304 => known,
        Ok(got) if got.status == 200 => {
            let listed = ListingState {
                etag: got.etag,
                last_modified: got.last_modified,
                ..read(got.body).ok()?
            };
            // The cache is only a saving: a failed write costs a refetch next time.
            let _ = hold(&crew.state).listing(&key, listed.clone());
            Some(listed)
        }
        _ => None,
    }
}
