//! The crawl's memory between runs, in `STORE/crawl/state.jsonl`: each page's validators
//! (ETag, Last-Modified), content hash and links, each image's validators and what it matched,
//! each sitemap's, feed's and robots.txt's validators and what it listed, and the run under way, so a crawl killed halfway resumes where it stopped.
//!
//! A cache, not the truth: the ledger is. Lines are appended as pages finish (after their uses
//! are journalled); a torn last line is skipped; a lost file costs only refetching. The file
//! is rewritten without superseded lines (temp file, fsync, rename) when a crawl ends.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::model::Found;

/// What the last fetch of a page gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// blake3 of the body, hex.
    pub hash: String,
    /// The page's links within the crawled hosts, for re-crawls that skip it.
    pub links: Vec<String>,
    /// The run that last finished this page.
    pub run: u64,
}

/// What an image URL was, at its validators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageState {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// The photo (and rendition) it is, and how it was recognised; `None`: not ours.
    pub matched: Option<(BlobId, Option<BlobId>, Found)>,
}

/// What a sitemap, feed or robots.txt said at its validators, so a 304 needs no body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListingState {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// A sitemap index's child sitemaps.
    #[serde(default)]
    pub sitemaps: Vec<String>,
    /// The pages a sitemap or feed lists, each with its date when given.
    #[serde(default)]
    pub pages: Vec<(String, Option<Timestamp>)>,
    /// robots.txt: its text.
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line {
    Page { url: String, state: PageState },
    Image { url: String, state: ImageState },
    Listing { url: String, state: ListingState },
    Run { id: u64, seeds: String, done: bool },
}

/// The loaded state and its open file.
pub struct State {
    path: PathBuf,
    file: File,
    /// Pages by URL.
    pub pages: HashMap<String, PageState>,
    /// Images by URL.
    pub images: HashMap<String, ImageState>,
    /// Sitemaps, feeds and robots.txt files by URL.
    pub listings: HashMap<String, ListingState>,
    /// Images fetched or revalidated in this process: not asked again while it runs.
    pub fresh: HashSet<String>,
    /// The run under way: resumed when the last one with the same start points did not end.
    pub run: u64,
    seeds: String,
}

impl State {
    /// Load the state under `dir`, starting (or resuming) a run over `seeds`.
    pub fn open(dir: &Path, seeds: &str) -> Result<State> {
        fs::create_dir_all(dir).at(dir)?;
        let path = dir.join("state.jsonl");
        let (mut pages, mut images, mut listings) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        let mut last_run: Option<(u64, String, bool)> = None;
        match File::open(&path) {
            Ok(f) => {
                for line in BufReader::new(f).lines() {
                    let Ok(line) = line else { break };
                    // A torn or foreign line is skipped: this is a cache.
                    match serde_json::from_str::<Line>(&line) {
                        Ok(Line::Page { url, state }) => {
                            pages.insert(url, state);
                        }
                        Ok(Line::Image { url, state }) => {
                            images.insert(url, state);
                        }
                        Ok(Line::Listing { url, state }) => {
                            listings.insert(url, state);
                        }
                        Ok(Line::Run { id, seeds, done }) => last_run = Some((id, seeds, done)),
                        Err(_) => {}
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        let run = match &last_run {
            Some((id, s, false)) if s == seeds => *id,
            Some((id, ..)) => id + 1,
            None => 1,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .at(&path)?;
        let mut st = State {
            path,
            file,
            pages,
            images,
            listings,
            fresh: HashSet::new(),
            run,
            seeds: seeds.to_string(),
        };
        if last_run.is_none_or(|(id, ..)| id != run) {
            st.append(&Line::Run {
                id: run,
                seeds: seeds.to_string(),
                done: false,
            })?;
        }
        Ok(st)
    }

    /// Remember a page as finished in this run.
    pub fn page(&mut self, url: &str, state: PageState) -> Result<()> {
        self.append(&Line::Page {
            url: url.to_string(),
            state: state.clone(),
        })?;
        self.pages.insert(url.to_string(), state);
        Ok(())
    }

    /// Remember what an image URL is.
    pub fn image(&mut self, url: &str, state: ImageState) -> Result<()> {
        self.append(&Line::Image {
            url: url.to_string(),
            state: state.clone(),
        })?;
        self.images.insert(url.to_string(), state);
        self.fresh.insert(url.to_string());
        Ok(())
    }

    /// Remember what a sitemap, feed or robots.txt listed.
    pub fn listing(&mut self, url: &str, state: ListingState) -> Result<()> {
        self.append(&Line::Listing {
            url: url.to_string(),
            state: state.clone(),
        })?;
        self.listings.insert(url.to_string(), state);
        Ok(())
    }

    fn append(&mut self, line: &Line) -> Result<()> {
        let mut text = serde_json::to_string(line)
            .map_err(|e| Error::InvalidInput(format!("crawl state: {e}")))?;
        text.push('\n');
        self.file.write_all(text.as_bytes()).at(&self.path)
    }

    /// End the run: rewrite the file with only the current lines and the run marked done.
    pub fn finish(mut self) -> Result<()> {
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut out = String::new();
        let mut push = |l: &Line| -> Result<()> {
            out.push_str(
                &serde_json::to_string(l)
                    .map_err(|e| Error::InvalidInput(format!("crawl state: {e}")))?,
            );
            out.push('\n');
            Ok(())
        };
        for (url, state) in std::mem::take(&mut self.pages) {
            push(&Line::Page { url, state })?;
        }
        for (url, state) in std::mem::take(&mut self.images) {
            push(&Line::Image { url, state })?;
        }
        for (url, state) in std::mem::take(&mut self.listings) {
            push(&Line::Listing { url, state })?;
        }
        push(&Line::Run {
            id: self.run,
            seeds: self.seeds.clone(),
            done: true,
        })?;
        let mut f = File::create(&tmp).at(&tmp)?;
        f.write_all(out.as_bytes()).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        fs::rename(&tmp, &self.path).at(&self.path)
    }
}
