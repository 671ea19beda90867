//! The store's `config.toml`: rendition presets, outlet credit styles, server settings and
//! where blobs live.
//! Schema: `schema/config.schema.json`. Missing file or sections mean the defaults.
//!
//! Pure parsing and defaults; the library reads the file, nothing here touches storage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::credit::OutletStyle;
use crate::error::{Error, Result};
use crate::model::RenditionSpec;

/// The written-out default config, with comments, for a new store.
pub const DEFAULT_TOML: &str = r#"# byline store configuration (schema: schema/config.schema.json in the byline sources).

# Rendition presets: longest side in pixels (never upscaled), format and quality.
# The built-in ones are thumb 320, small 640, medium 1280 and large 2048, JPEG quality 85.
# [presets.hero]
# max_side = 1600
# format = "webp"
# quality = 80

# Outlet credit styles: how an outlet prints each agency's credit. The year is always the
# photo's. Placeholders: {agency} {AGENCY} {creator} {CREATOR} {via} {VIA} {year}.
[outlets.sputnik-example]
description = "Example house style: © AGENCY YEAR / CREATOR"
template = "© {agency} {year} / {CREATOR}"
agencies = { AFP = "© AFP {year} / {CREATOR}", Sputnik = "© Sputnik / {creator}" }
case_sensitive = false

# Where originals and renditions live: in the store's own `blobs/` folder (the default), or
# in an S3-compatible bucket. Credentials and the endpoint come from the environment
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL, AWS_ALLOW_HTTP).
# Changing this for a store that has photos makes them missing until their blobs are copied.
# [blobs]
# url = "s3://bucket/prefix"

[server]
# Whether reads over HTTP need a token (writes always do).
read_token_required = false
# Origins allowed by CORS; empty means CORS is off.
cors_origins = []
# Largest upload accepted, in megabytes.
upload_limit_mb = 50
# Hostile or broken clients (issue 15). Seconds to send a request's headers; seconds a
# kept-alive connection may sit silent; seconds a whole request may take.
header_timeout_secs = 10
idle_timeout_secs = 60
request_timeout_secs = 300
# A body must keep arriving at this many bytes a second on average (after the first
# header_timeout_secs), or the request is answered 408 and the connection closed.
body_min_bytes_per_sec = 8192
# Open connections beyond this are closed at once.
max_connections = 512
# Uploads and renders running at once; more are answered 503 with Retry-After.
max_uploads_and_renders = 4
# Requests a second each token may make on average, in bursts of up to rate_limit_burst;
# clients sending no known token are counted by address. Past that: 429 with Retry-After.
# 0 turns the limit off.
rate_limit_per_sec = 1000
rate_limit_burst = 2000

[crawl]
# `byline crawl`: the user agent sent and matched in robots.txt.
user_agent = "byline-crawler"
# Private, loopback and link-local addresses are refused unless this is true.
allow_private = false
# Requests a second to one host; seconds per request; redirects followed per request.
rate = 4.0
timeout_secs = 20
max_redirects = 5
# Largest page, sitemap or feed, and largest image, in megabytes.
max_page_mb = 5
max_image_mb = 20
# Retries of a transient failure (connection refused or reset, 429, 5xx), with backoff.
retries = 2
backoff_ms = 500
# How many links deep to follow from a start URL, within the start URLs' hosts.
depth = 2
# Pages fetched and matched at once (each host still gets at most `rate` requests a second).
workers = 4
"#;

/// A store's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rendition presets by name; the built-in ones unless overridden.
    #[serde(default)]
    pub presets: BTreeMap<String, RenditionSpec>,
    /// Outlet credit styles by name.
    #[serde(default)]
    pub outlets: BTreeMap<String, OutletStyle>,
    /// HTTP server settings.
    #[serde(default)]
    pub server: ServerConfig,
    /// Where blobs live.
    #[serde(default)]
    pub blobs: BlobsConfig,
    /// `byline crawl` settings.
    #[serde(default)]
    pub crawl: CrawlConfig,
}

/// `[blobs]`: where originals and renditions are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlobsConfig {
    /// `s3://BUCKET[/PREFIX]` for an S3-compatible bucket; `None` for the store's `blobs/`
    /// folder.
    pub url: Option<String>,
}

/// `[crawl]`: limits and manners of `byline crawl` (issue 12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// The user agent sent, and the one robots.txt rules are matched for.
    pub user_agent: String,
    /// Whether private, loopback and link-local addresses may be fetched.
    pub allow_private: bool,
    /// Requests a second to one host.
    pub rate: f64,
    /// Seconds one request may take, body included.
    pub timeout_secs: u64,
    /// Redirects followed for one request.
    pub max_redirects: u32,
    /// Largest page, sitemap or feed, in megabytes.
    pub max_page_mb: u64,
    /// Largest image, in megabytes.
    pub max_image_mb: u64,
    /// Retries of a transient failure.
    pub retries: u32,
    /// The first retry's wait in milliseconds; each next one waits twice as long.
    pub backoff_ms: u64,
    /// How many links deep to follow from a start URL.
    pub depth: u32,
    /// Pages fetched and matched at once.
    pub workers: u32,
}

impl Default for CrawlConfig {
    fn default() -> CrawlConfig {
        CrawlConfig {
            user_agent: "byline-crawler".into(),
            allow_private: false,
            rate: 4.0,
            timeout_secs: 20,
            max_redirects: 5,
            max_page_mb: 5,
            max_image_mb: 20,
            retries: 2,
            backoff_ms: 500,
            depth: 2,
            workers: 4,
        }
    }
}

/// `[server]`: settings for `byline serve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Whether reads need a token (writes always do).
    pub read_token_required: bool,
    /// Origins allowed by CORS; empty means CORS is off.
    pub cors_origins: Vec<String>,
    /// Largest upload accepted, in megabytes.
    pub upload_limit_mb: u64,
    /// Seconds a client has to send a request's headers.
    pub header_timeout_secs: u64,
    /// Seconds a connection may sit with nothing read or written before it is closed.
    pub idle_timeout_secs: u64,
    /// Seconds a whole request may take, body and answer included.
    pub request_timeout_secs: u64,
    /// Slowest average rate a request body may arrive at, after a grace of
    /// `header_timeout_secs`.
    pub body_min_bytes_per_sec: u64,
    /// Open connections beyond this are closed at once.
    pub max_connections: usize,
    /// Uploads and renders at once; more are answered 503 with `Retry-After`.
    pub max_uploads_and_renders: usize,
    /// Requests a second each token (or address, without a known token) may make on
    /// average; more are answered 429 with `Retry-After`. 0 means no limit.
    pub rate_limit_per_sec: u32,
    /// Requests a token (or address) may make at once before the rate applies.
    pub rate_limit_burst: u32,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            read_token_required: false,
            cors_origins: Vec::new(),
            upload_limit_mb: 50,
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
            request_timeout_secs: 300,
            body_min_bytes_per_sec: 8192,
            max_connections: 512,
            max_uploads_and_renders: 4,
            rate_limit_per_sec: 1000,
            rate_limit_burst: 2000,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            presets: default_presets(),
            outlets: BTreeMap::new(),
            server: ServerConfig::default(),
            blobs: BlobsConfig::default(),
            crawl: CrawlConfig::default(),
        }
    }
}

/// The built-in presets: thumb 320, small 640, medium 1280, large 2048, JPEG quality 85.
pub fn default_presets() -> BTreeMap<String, RenditionSpec> {
    crate::rendition::default_presets().into_iter().collect()
}

impl Config {
    /// Parse a config file's text; the built-in presets stay unless a preset of the same name
    /// replaces them.
    pub fn parse(text: &str) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| Error::Config(format!("config.toml: {e}")))?;
        let mut presets = default_presets();
        presets.append(&mut config.presets);
        config.presets = presets;
        for (name, spec) in &config.presets {
            spec.validate()
                .map_err(|e| Error::Config(format!("config.toml: preset '{name}': {e}")))?;
        }
        let c = &config.crawl;
        if !(c.rate.is_finite() && c.rate > 0.0)
            || c.timeout_secs == 0
            || c.user_agent.trim().is_empty()
        {
            return Err(Error::Config(
                "config.toml: [crawl] needs a rate above 0, a timeout_secs above 0 and a user_agent"
                    .into(),
            ));
        }
        for (name, outlet) in &config.outlets {
            outlet.validate(name)?;
        }
        if let Some(url) = &config.blobs.url
            && !url.starts_with("s3://")
        {
            return Err(Error::Config(format!(
                "config.toml: [blobs] url '{url}': only s3://BUCKET[/PREFIX] is supported"
            )));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutputFormat;

    #[test]
    fn the_default_file_parses_and_keeps_the_builtin_presets() -> Result<()> {
        let c = Config::parse(DEFAULT_TOML)?;
        assert_eq!(c.presets.len(), 4);
        assert_eq!(c.presets["large"].max_side, 2048);
        assert!(c.outlets.contains_key("sputnik-example"));
        assert_eq!(c.server.upload_limit_mb, 50);
        // The commented example says what the defaults are.
        assert_eq!(c.server, ServerConfig::default());
        assert_eq!(c.crawl, CrawlConfig::default());
        Ok(())
    }

    #[test]
    fn presets_can_be_added_and_bad_ones_are_refused() -> Result<()> {
        let c =
            Config::parse("[presets.hero]\nmax_side = 1600\nformat = \"webp\"\nquality = 80\n")?;
        assert_eq!(c.presets.len(), 5);
        assert_eq!(c.presets["hero"].format, OutputFormat::Webp);
        assert!(
            Config::parse("[presets.x]\nmax_side = 0\nformat = \"jpeg\"\nquality = 80\n").is_err()
        );
        assert!(Config::parse("[nonsense]\n").is_err());
        Ok(())
    }
}
