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
//! - [`state`]: the cache between runs.

pub mod discover;
pub mod fetch;
pub mod matching;
pub mod page;
pub mod record;
pub mod robots;
pub mod state;

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use jiff::Timestamp;
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::library::Library;
use crate::model::FoundBy;

use fetch::{Fetcher, Validators};
use robots::Robots;
use state::{PageState, State};

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
/// The library is locked only to record a page's finds, so a server that crawls keeps
/// taking other writes meanwhile.
pub fn run(
    lib: &Mutex<Library>,
    opts: &Options,
    now: &dyn Fn() -> Timestamp,
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
    let mut st = State::open(&root.join("crawl"), &seeds.join(" "))?;
    let mut fetcher = Fetcher::new(&config);
    let mut robots = Robots::new(&config.user_agent, page_cap);
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
    let dated = |when: Option<Timestamp>| opts.since.is_none_or(|s| when.is_none_or(|w| w >= s));
    // Sitemaps: indexes lead to more sitemaps; each listed page whose lastmod passes --since.
    let mut maps: VecDeque<Url> = sitemaps.iter().cloned().collect();
    let mut maps_seen: HashSet<String> = HashSet::new();
    while let Some(m) = maps.pop_front() {
        if !maps_seen.insert(m.to_string()) || maps_seen.len() > 10_000 {
            continue;
        }
        let Some(body) = fetch_listing(&mut fetcher, &mut robots, &m, page_cap) else {
            continue;
        };
        let Ok(s) = discover::gunzip(body, page_cap).and_then(|b| discover::sitemap(&b)) else {
            continue;
        };
        maps.extend(s.sitemaps.iter().filter_map(|c| m.join(c).ok()));
        for (p, when) in s.pages {
            if let Ok(u) = m.join(&p)
                && dated(when)
            {
                enqueue(&mut queue, u, Via::Sitemap, 0);
            }
        }
    }
    for f in &feeds {
        let Some(body) = fetch_listing(&mut fetcher, &mut robots, f, page_cap) else {
            continue;
        };
        for (p, when) in discover::feed(&body).unwrap_or_default() {
            if let Ok(u) = f.join(&p)
                && dated(when)
            {
                enqueue(&mut queue, u, Via::Feed, 0);
            }
        }
    }

    while let Some((url, via, depth)) = queue.pop_front() {
        if opts.max_pages.is_some_and(|m| summary.pages >= m) {
            break;
        }
        summary.pages += 1;
        let mut report = PageReport {
            url: url.to_string(),
            via,
            depth,
            outcome: Outcome::Read,
            status: None,
            error: None,
            images_fetched: 0,
            found: Vec::new(),
        };
        let key = url.to_string();
        let known = st.pages.get(&key).cloned().filter(|_| !opts.refresh);
        let mut links: Vec<String> = Vec::new();
        if !robots.allowed(&mut fetcher, &url) {
            report.outcome = Outcome::Robots;
        } else if let Some(k) = known.as_ref().filter(|k| k.run == st.run) {
            report.outcome = Outcome::Resumed;
            links = k.links.clone();
        } else {
            let v = Validators {
                etag: known.as_ref().and_then(|k| k.etag.as_deref()),
                last_modified: known.as_ref().and_then(|k| k.last_modified.as_deref()),
            };
            match fetcher.get(&url, &v, page_cap) {
                Err(e) => {
                    report.outcome = Outcome::Error;
                    report.error = Some(e.to_string());
                }
                Ok(f) => {
                    report.status = Some(f.status);
                    let hash = blake3::hash(&f.body).to_hex().to_string();
                    let html = f
                        .content_type
                        .as_deref()
                        .is_none_or(|ct| ct.to_lowercase().contains("html"));
                    match (f.status, &known) {
                        (304, Some(k)) => {
                            report.outcome = Outcome::NotModified;
                            links = k.links.clone();
                        }
                        (200, Some(k)) if k.hash == hash => {
                            report.outcome = Outcome::Unchanged;
                            links = k.links.clone();
                        }
                        (200, _) if !html => report.outcome = Outcome::NotHtml,
                        (200, _) => {
                            let text = page::decode(&f.body, f.content_type.as_deref());
                            let facts = page::read(&text, &f.url);
                            links = facts
                                .links
                                .iter()
                                .filter(|l| l.host_str().is_some_and(|h| hosts.contains(h)))
                                .map(Url::to_string)
                                .collect();
                            let finds = record::find(
                                &reader,
                                &mut fetcher,
                                &mut st,
                                &facts,
                                config.max_image_mb * 1024 * 1024,
                                &mut report.images_fetched,
                            )?;
                            if dated(facts.published) {
                                report.found = record::record(
                                    &mut *locked(lib)?,
                                    &outlet,
                                    f.url.as_str(),
                                    facts.published,
                                    finds,
                                    &opts.by,
                                    now(),
                                )?;
                            }
                        }
                        _ => report.outcome = Outcome::Status,
                    }
                    if matches!(f.status, 200 | 304) && report.outcome != Outcome::NotHtml {
                        st.page(
                            &key,
                            PageState {
                                etag: f
                                    .etag
                                    .or_else(|| known.as_ref().and_then(|k| k.etag.clone())),
                                last_modified: f.last_modified.or_else(|| {
                                    known.as_ref().and_then(|k| k.last_modified.clone())
                                }),
                                hash: if f.status == 304 {
                                    known.as_ref().map(|k| k.hash.clone()).unwrap_or(hash)
                                } else {
                                    hash
                                },
                                links: links.clone(),
                                run: st.run,
                            },
                        )?;
                    }
                }
            }
        }
        summary.count(&report);
        if depth < config.depth {
            for l in links {
                if let Ok(u) = Url::parse(&l) {
                    enqueue(&mut queue, u, Via::Link, depth + 1);
                }
            }
        }
        on_page(&report);
    }
    summary.requests = fetcher.requests;
    st.finish()?;
    Ok(summary)
}

/// A sitemap's or feed's bytes, when robots.txt allows it and it answers 200.
/// The library, unless a thread panicked while holding it.
fn locked(lib: &Mutex<Library>) -> Result<std::sync::MutexGuard<'_, Library>> {
    lib.lock()
        .map_err(|_| Error::Db("the store was left mid-change by a failed thread".into()))
}

fn fetch_listing(f: &mut Fetcher, robots: &mut Robots, url: &Url, cap: u64) -> Option<Vec<u8>> {
    if !robots.allowed(f, url) {
        return None;
    }
    match f.get(url, &Validators::default(), cap) {
        Ok(got) if got.status == 200 => Some(got.body),
        _ => None,
    }
}
