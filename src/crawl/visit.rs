//! One page of a crawl, as a worker does it: robots.txt, a conditional GET, the content hash,
//! reading the page, matching its images and recording its uses, then remembering it in the
//! crawl state. Workers share everything here through [`Crew`]; the page queue stays with
//! [`super::run`].

use std::collections::HashSet;
use std::sync::Mutex;

use jiff::Timestamp;
use url::Url;

use crate::config::CrawlConfig;
use crate::error::Result;
use crate::library::{Library, Reader};

use super::fetch::{Fetcher, Validators};
use super::robots::Robots;
use super::state::{PageState, State};
use super::{Outcome, PageReport, Via, hold, locked, page, record};

/// What the workers of one crawl share.
pub struct Crew<'a> {
    /// The store, locked only to record a page's finds.
    pub lib: &'a Mutex<Library>,
    /// Look-ups that never wait for writes.
    pub reader: Reader,
    /// The HTTP client, with the per-host rate.
    pub fetcher: Fetcher,
    /// robots.txt per origin.
    pub robots: Mutex<Robots>,
    /// The cache between runs.
    pub state: Mutex<State>,
    /// The `[crawl]` limits, `--rate` applied.
    pub config: CrawlConfig,
    /// Hosts whose links are followed.
    pub hosts: HashSet<String>,
    /// The outlet uses are recorded for.
    pub outlet: String,
    /// Only uses dated at or after this are recorded.
    pub since: Option<Timestamp>,
    /// Ignore validators and content hashes.
    pub refresh: bool,
    /// The actor of each use.
    pub by: String,
    /// The clock.
    pub now: &'a (dyn Fn() -> Timestamp + Sync),
}

impl Crew<'_> {
    /// Whether a date passes `--since` (no date always does).
    pub fn dated(&self, when: Option<Timestamp>) -> bool {
        self.since.is_none_or(|s| when.is_none_or(|w| w >= s))
    }

    /// Whether robots.txt lets us fetch `url`.
    pub fn allowed(&self, url: &Url) -> bool {
        hold(&self.robots).allowed(&self.fetcher, &self.state, url)
    }
}

/// Crawl one page: its report and the links to follow from it.
pub fn visit(crew: &Crew<'_>, url: Url, via: Via, depth: u32) -> Result<(PageReport, Vec<String>)> {
    let page_cap = crew.config.max_page_mb * 1024 * 1024;
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
    let (known, run) = {
        let st = hold(&crew.state);
        (
            st.pages.get(&key).cloned().filter(|_| !crew.refresh),
            st.run,
        )
    };
    let mut links: Vec<String> = Vec::new();
    if !crew.allowed(&url) {
        report.outcome = Outcome::Robots;
        return Ok((report, links));
    }
    if let Some(k) = known.as_ref().filter(|k| k.run == run) {
        report.outcome = Outcome::Resumed;
        return Ok((report, k.links.clone()));
    }
    let v = Validators {
        etag: known.as_ref().and_then(|k| k.etag.as_deref()),
        last_modified: known.as_ref().and_then(|k| k.last_modified.as_deref()),
    };
    let f = match crew.fetcher.get(&url, &v, page_cap) {
        Err(e) => {
            report.outcome = Outcome::Error;
            report.error = Some(e.to_string());
            return Ok((report, links));
        }
        Ok(f) => f,
    };
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
                .filter(|l| l.host_str().is_some_and(|h| crew.hosts.contains(h)))
                .map(Url::to_string)
                .collect();
            let finds = record::find(
                &crew.reader,
                &crew.fetcher,
                &crew.state,
                &facts,
                crew.config.max_image_mb * 1024 * 1024,
                &mut report.images_fetched,
            )?;
            if crew.dated(facts.published) {
                report.found = record::record(
                    &mut *locked(crew.lib)?,
                    &crew.outlet,
                    f.url.as_str(),
                    facts.published,
                    finds,
                    &crew.by,
                    (crew.now)(),
                )?;
            }
        }
        _ => report.outcome = Outcome::Status,
    }
    if matches!(f.status, 200 | 304) && report.outcome != Outcome::NotHtml {
        // Remembered only now, after the page's uses are journalled: a crawl killed before
        // this line asks for the page again and records nothing twice.
        let kept = PageState {
            etag: f
                .etag
                .or_else(|| known.as_ref().and_then(|k| k.etag.clone())),
            last_modified: f
                .last_modified
                .or_else(|| known.as_ref().and_then(|k| k.last_modified.clone())),
            hash: match (&known, f.status) {
                (Some(k), 304) => k.hash.clone(),
                _ => hash,
            },
            links: links.clone(),
            run,
        };
        hold(&crew.state).page(&key, kept)?;
    }
    Ok((report, links))
}
