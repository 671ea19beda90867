//! robots.txt, per origin, as RFC 9309 reads it: fetched once per crawl for each scheme, host
//! and port; a missing file (4xx) allows everything; an unreachable one (5xx, network error)
//! disallows everything on that origin until the next crawl. Asked with the validators of the
//! last crawl, so an unchanged file answers 304 and its kept text is read again.

use std::collections::HashMap;
use std::sync::Mutex;

use texting_robots::Robot;
use url::Url;

use super::fetch::{FetchError, Fetcher, Validators};
use super::hold;
use super::state::{ListingState, State};

/// What one origin's robots.txt says.
enum Rules {
    /// No file: everything allowed.
    All,
    /// Could not be read: nothing allowed.
    Nothing,
    /// The parsed rules for our user agent.
    Parsed(Box<Robot>),
}

/// The robots.txt rules of every origin met so far.
pub struct Robots {
    agent: String,
    cap: u64,
    origins: HashMap<String, Rules>,
}

impl Robots {
    /// Rules for `agent`, robots files capped at `cap` bytes.
    pub fn new(agent: &str, cap: u64) -> Robots {
        Robots {
            agent: agent.to_string(),
            cap,
            origins: HashMap::new(),
        }
    }

    /// Whether our agent may fetch `url` (fetching its origin's robots.txt the first time).
    pub fn allowed(&mut self, fetcher: &Fetcher, state: &Mutex<State>, url: &Url) -> bool {
        match self.rules(fetcher, state, url) {
            Rules::All => true,
            Rules::Nothing => false,
            Rules::Parsed(r) => r.allowed(url.as_str()),
        }
    }

    /// The sitemaps `url`'s origin lists in its robots.txt.
    pub fn sitemaps(&mut self, fetcher: &Fetcher, state: &Mutex<State>, url: &Url) -> Vec<String> {
        match self.rules(fetcher, state, url) {
            Rules::Parsed(r) => r.sitemaps.clone(),
            _ => Vec::new(),
        }
    }

    fn rules(&mut self, fetcher: &Fetcher, state: &Mutex<State>, url: &Url) -> &Rules {
        let origin = url.origin().ascii_serialization();
        let (agent, cap) = (self.agent.clone(), self.cap);
        self.origins.entry(origin.clone()).or_insert_with(|| {
            let Ok(robots) = Url::parse(&format!("{origin}/robots.txt")) else {
                return Rules::Nothing;
            };
            let key = robots.to_string();
            let known = hold(state).listings.get(&key).cloned();
            let v = Validators {
                etag: known.as_ref().and_then(|k| k.etag.as_deref()),
                last_modified: known.as_ref().and_then(|k| k.last_modified.as_deref()),
            };
            let text = match fetcher.get(&robots, &v, cap) {
                Ok(f) if f.status == 304 => known.and_then(|k| k.text),
                Ok(f) if f.status == 200 => {
                    let text = String::from_utf8_lossy(&f.body).into_owned();
                    let kept = ListingState {
                        etag: f.etag,
                        last_modified: f.last_modified,
                        text: Some(text.clone()),
                        ..ListingState::default()
                    };
                    // The cache is only a saving: a failed write costs a refetch next time.
                    let _ = hold(state).listing(&key, kept);
                    Some(text)
                }
                Ok(f) if (400..500).contains(&f.status) => return Rules::All,
                // The origin may not be reached at all: its pages are refused with that reason.
                Err(FetchError::Refused(_)) => return Rules::All,
                _ => None,
            };
            match text {
                Some(t) => match Robot::new(&agent, t.as_bytes()) {
                    Ok(r) => Rules::Parsed(Box::new(r)),
                    Err(_) => Rules::All,
                },
                None => Rules::Nothing,
            }
        })
    }
}
