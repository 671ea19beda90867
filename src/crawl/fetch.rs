//! HTTP for the crawler: the one place byline fetches from the network.
//!
//! Every request goes through [`Fetcher::get`]: only `http` and `https`; a name that resolves
//! to a private, loopback or link-local address is refused unless `[crawl] allow_private`
//! (checked on the resolved address, at every connection, so a redirect or a DNS answer cannot
//! slip past); at most the configured rate of requests a second to one host, however many
//! threads share the fetcher; a cap on time, size and redirects; transient failures retried
//! with backoff. It never parses what it fetches.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use url::Url;

use crate::config::CrawlConfig;

/// Why a fetch gave no answer. An expected outcome of crawling the web, so a value rather
/// than a library error: it is reported for the page and the crawl goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not `http`/`https`, or an address byline may not reach.
    Refused(String),
    /// The body is larger than the cap.
    TooLarge(u64),
    /// The request took longer than `timeout_secs`.
    Timeout,
    /// A redirect leads back to a URL already visited.
    RedirectLoop(String),
    /// More redirects than `max_redirects`.
    TooManyRedirects,
    /// Anything else: refused connection, reset, bad response.
    Network(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Refused(why) => write!(f, "refused: {why}"),
            FetchError::TooLarge(cap) => write!(f, "larger than the {cap}-byte cap"),
            FetchError::Timeout => write!(f, "timed out"),
            FetchError::RedirectLoop(to) => write!(f, "redirect loop back to {to}"),
            FetchError::TooManyRedirects => write!(f, "too many redirects"),
            FetchError::Network(e) => write!(f, "{e}"),
        }
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL answered, after redirects.
    pub url: Url,
    /// The HTTP status (200, 304, 404, …).
    pub status: u16,
    /// The body (empty for 304).
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// Validators of an earlier answer, for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators<'a> {
    /// `If-None-Match`.
    pub etag: Option<&'a str>,
    /// `If-Modified-Since`.
    pub last_modified: Option<&'a str>,
}

/// The crawler's HTTP client, shared by the crawl's workers.
pub struct Fetcher {
    agent: ureq::Agent,
    config: CrawlConfig,
    /// When each host (`host:port`) may next be asked.
    next: Mutex<HashMap<String, Instant>>,
    /// Requests sent, retries included.
    requests: AtomicU64,
}

impl Fetcher {
    /// A client with the limits of `config`.
    pub fn new(config: &CrawlConfig) -> Fetcher {
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(config.user_agent.as_str())
            .timeout_global(Some(Duration::from_secs(config.timeout_secs)))
            .max_response_header_size(64 * 1024)
            .build();
        let agent = ureq::Agent::with_parts(
            agent_config,
            ureq::unversioned::transport::DefaultConnector::default(),
            Guard {
                allow_private: config.allow_private,
            },
        );
        Fetcher {
            agent,
            config: config.clone(),
            next: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        }
    }

    /// Requests sent so far, retries included.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// GET `url`, following redirects (each checked as the first), retrying transient
    /// failures; a body over `cap` bytes is refused.
    pub fn get(&self, url: &Url, v: &Validators<'_>, cap: u64) -> Result<Fetched, FetchError> {
        let mut seen = vec![url.clone()];
        let mut at = url.clone();
        loop {
            let got = self.get_retrying(&at, v, cap)?;
            let redirect = matches!(got.fetched.status, 301 | 302 | 303 | 307 | 308);
            let Some(location) = got.location.filter(|_| redirect) else {
                return Ok(got.fetched);
            };
            let next = at
                .join(&location)
                .map_err(|e| FetchError::Network(format!("bad redirect '{location}': {e}")))?;
            if seen.contains(&next) {
                return Err(FetchError::RedirectLoop(next.to_string()));
            }
            if seen.len() > self.config.max_redirects as usize {
                return Err(FetchError::TooManyRedirects);
            }
            seen.push(next.clone());
            at = next;
        }
    }

    fn get_retrying(&self, url: &Url, v: &Validators<'_>, cap: u64) -> Result<Hop, FetchError> {
        let mut wait = Duration::from_millis(self.config.backoff_ms);
        let mut tries = 0;
        loop {
            let got = self.get_once(url, v, cap);
            let transient = match &got {
                Ok(h) => matches!(h.fetched.status, 429 | 500 | 502 | 503 | 504),
                Err(FetchError::Network(_)) => true,
                Err(_) => false,
            };
            if !transient || tries >= self.config.retries {
                return got;
            }
            tries += 1;
            std::thread::sleep(wait);
            wait *= 2;
        }
    }

    fn get_once(&self, url: &Url, v: &Validators<'_>, cap: u64) -> Result<Hop, FetchError> {
        check_url(url, self.config.allow_private)?;
        self.pace(url);
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut req = self.agent.get(url.as_str());
        if let Some(e) = v.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = v.last_modified {
            req = req.header("If-Modified-Since", m);
        }
        let mut res = req.call().map_err(from_ureq)?;
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        };
        let (content_type, etag, last_modified, location) = (
            header("content-type"),
            header("etag"),
            header("last-modified"),
            header("location"),
        );
        let status = res.status().as_u16();
        if header("content-length")
            .and_then(|l| l.trim().parse::<u64>().ok())
            .is_some_and(|l| l > cap)
        {
            return Err(FetchError::TooLarge(cap));
        }
        let body = if status == 304 || (300..400).contains(&status) {
            Vec::new()
        } else {
            let mut body = Vec::new();
            res.body_mut()
                .as_reader()
                .take(cap + 1)
                .read_to_end(&mut body)
                .map_err(|e| from_io(&e))?;
            if body.len() as u64 > cap {
                return Err(FetchError::TooLarge(cap));
            }
            body
        };
        Ok(Hop {
            fetched: Fetched {
                url: url.clone(),
                status,
                body,
                content_type,
                etag,
                last_modified,
            },
            location,
        })
    }

    /// Wait for the next free slot of the host of `url`: slots are handed out one `1/rate`
    /// apart under the lock, and waited for outside it, so workers keep the rate together.
    fn pace(&self, url: &Url) {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let gap = Duration::from_secs_f64(1.0 / self.config.rate);
        let now = Instant::now();
        let slot = {
            // A worker that panicked cannot leave the map half-changed: take it as it is.
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let slot = next.get(&host).map_or(now, |at| (*at).max(now));
            next.insert(host, slot + gap);
            slot
        };
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

/// One request's answer and where it redirects.
struct Hop {
    fetched: Fetched,
    location: Option<String>,
}

fn from_ureq(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::BodyExceedsLimit(n) => FetchError::TooLarge(n),
        ureq::Error::Io(io) => from_io(&io),
        ureq::Error::Other(o) => FetchError::Refused(o.to_string()),
        other => FetchError::Network(other.to_string()),
    }
}

fn from_io(e: &std::io::Error) -> FetchError {
    let text = e.to_string();
    if matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    ) || text.contains("timeout")
        || text.contains("timed out")
    {
        FetchError::Timeout
    } else {
        FetchError::Network(text)
    }
}

/// Refuse what is not `http`/`https` or names a literal address byline may not reach (names
/// are checked after resolving, by the resolver guard).
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Refused(format!(
            "only http and https are fetched, not {}",
            url.scheme()
        )));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
        Some(url::Host::Domain(_)) => None,
        None => return Err(FetchError::Refused(format!("{url} names no host"))),
    };
    match ip {
        Some(ip) if !allow_private && is_private(ip) => Err(FetchError::Refused(format!(
            "{ip} is a private, loopback or link-local address ([crawl] allow_private is off)"
        ))),
        _ => Ok(()),
    }
}

/// Whether `ip` is one no crawl of public pages should reach: loopback, private (RFC 1918,
/// unique local), link-local, unspecified, CGNAT, multicast or broadcast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || a.to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// A resolver that drops private addresses from every answer, so a public name that resolves
/// to an internal address (or a redirect to one) is refused at the connection itself.
#[derive(Debug)]
struct Guard {
    allow_private: bool,
}

impl Resolver for Guard {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(all);
        }
        let mut kept = self.empty();
        for a in all.iter().filter(|a| !is_private(a.ip())) {
            kept.push(*a);
        }
        if kept.is_empty() {
            return Err(ureq::Error::Other(
                format!(
                    "{} resolves only to private, loopback or link-local addresses \
                     ([crawl] allow_private is off)",
                    uri.host().unwrap_or("")
                )
                .into(),
            ));
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_and_other_schemes_are_refused() {
        for bad in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "file:///etc/passwd",
            "ftp://example.org/",
        ] {
            let url = Url::parse(bad).expect("url");
            assert!(check_url(&url, false).is_err(), "{bad} passed");
        }
        let ok = Url::parse("https://93.184.215.14/").expect("url");
        assert!(check_url(&ok, false).is_ok());
        let local = Url::parse("http://127.0.0.1/").expect("url");
        assert!(check_url(&local, true).is_ok());
    }

    #[test]
    fn a_name_resolving_to_loopback_is_refused() {
        let f = Fetcher::new(&CrawlConfig {
            retries: 0,
            ..CrawlConfig::default()
        });
        let url = Url::parse("http://localhost:9/").expect("url");
        match f.get(&url, &Validators::default(), 1000) {
            Err(FetchError::Refused(why)) => assert!(why.contains("private"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
