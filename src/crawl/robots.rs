//! robots.txt, per origin, as RFC 9309 reads it: fetched once per crawl for each scheme, host
//! and port; a missing file (4xx) allows everything; an unreachable one (5xx, network error)
//! disallows everything on that origin until the next crawl.

use std::collections::HashMap;

use texting_robots::Robot;
use url::Url;

use super::fetch::{FetchError, Fetcher, Validators};

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
    pub fn allowed(&mut self, fetcher: &mut Fetcher, url: &Url) -> bool {
        match self.rules(fetcher, url) {
            Rules::All => true,
            Rules::Nothing => false,
            Rules::Parsed(r) => r.allowed(url.as_str()),
        }
    }

    /// The sitemaps `url`'s origin lists in its robots.txt.
    pub fn sitemaps(&mut self, fetcher: &mut Fetcher, url: &Url) -> Vec<String> {
        match self.rules(fetcher, url) {
            Rules::Parsed(r) => r.sitemaps.clone(),
            _ => Vec::new(),
        }
    }

    fn rules(&mut self, fetcher: &mut Fetcher, url: &Url) -> &Rules {
        let origin = url.origin().ascii_serialization();
        let (agent, cap) = (self.agent.clone(), self.cap);
        self.origins.entry(origin.clone()).or_insert_with(|| {
            let Ok(robots) = Url::parse(&format!("{origin}/robots.txt")) else {
                return Rules::Nothing;
            };
            match fetcher.get(&robots, &Validators::default(), cap) {
                Ok(f) if f.status == 200 => match Robot::new(&agent, &f.body) {
                    Ok(r) => Rules::Parsed(Box::new(r)),
                    Err(_) => Rules::All,
                },
                Ok(f) if (400..500).contains(&f.status) => Rules::All,
                // The origin may not be reached at all: its pages are refused with that reason.
                Err(FetchError::Refused(_)) => Rules::All,
                _ => Rules::Nothing,
            }
        })
    }
}
