//! `byline crawl`: flags → [`crate::crawl::run`], a progress line on a terminal, one JSON
//! line per page with `--json`, and the audit of the crawled outlet with `--audit`.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;

use super::output::{clean, json_line};
use super::{ActorArg, open, parse_date, report};
use crate::crawl::{self, Options, Outcome, PageReport};
use crate::library::Access;

/// Arguments of `byline crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Pages to start from; links are followed within their hosts (`[crawl] depth` deep).
    #[arg(value_name = "URL")]
    urls: Vec<String>,
    /// A sitemap or sitemap index (gzipped ones too); repeat for several.
    #[arg(long, value_name = "URL")]
    sitemap: Vec<String>,
    /// An RSS, Atom or JSON feed; repeat for several.
    #[arg(long, value_name = "URL")]
    feed: Vec<String>,
    /// The outlet the uses are recorded for (default: the first URL's host).
    #[arg(long)]
    outlet: Option<String>,
    /// Only pages dated (by sitemap lastmod, feed or page date) on or after this date.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Stop after this many pages.
    #[arg(long, value_name = "N")]
    max_pages: Option<usize>,
    /// Requests a second to one host (default `[crawl] rate` in config.toml).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Fetch and read every page again, ignoring what the last crawl saw.
    #[arg(long)]
    refresh: bool,
    /// When the crawl ends, audit the outlet's uses and print the findings (exit 1 on
    /// violations).
    #[arg(long)]
    audit: bool,
    #[command(flatten)]
    actor: ActorArg,
}

/// `byline crawl URL… [--sitemap URL] [--feed URL] …`.
pub fn run(store: &Path, a: &CrawlArgs, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    if a.urls.is_empty() && a.sitemap.is_empty() && a.feed.is_empty() {
        anyhow::bail!("give a URL to start from, a --sitemap or a --feed");
    }
    let since = a
        .since
        .as_deref()
        .map(parse_date)
        .transpose()
        .context("--since")?;
    let lib = open(store, Access::Write, "crawl")?;
    let opts = Options {
        starts: a.urls.clone(),
        sitemaps: a.sitemap.clone(),
        feeds: a.feed.clone(),
        outlet: a.outlet.clone(),
        since,
        max_pages: a.max_pages,
        rate: a.rate,
        refresh: a.refresh,
        by: a.actor.name(),
    };
    let bar = if !json && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} pages {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut failed_write = None;
    let mut on_page = |p: &PageReport| {
        bar.inc(1);
        bar.set_message(clean(&p.url));
        let written = if json {
            json_line(out, p)
        } else {
            print_page(out, p)
        };
        if let Err(e) = written {
            failed_write.get_or_insert(e);
        }
    };
    let shared = std::sync::Mutex::new(lib);
    let summary = crawl::run(&shared, &opts, &Timestamp::now, &mut on_page)?;
    let lib = shared
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the crawl failed mid-change"))?;
    bar.finish_and_clear();
    if let Some(e) = failed_write {
        return Err(e);
    }
    if !json {
        writeln!(
            out,
            "{} pages: {} read, {} unchanged, {} failed or refused; {} photos found, {} uses \
             recorded ({} requests)",
            summary.pages,
            summary.read,
            summary.unchanged,
            summary.failed,
            summary.photos_found,
            summary.uses_recorded,
            summary.requests
        )?;
    }
    if !a.audit {
        return Ok(ExitCode::SUCCESS);
    }
    let outlet = opts.outlet.clone().or_else(|| {
        a.urls
            .iter()
            .chain(&a.sitemap)
            .chain(&a.feed)
            .next()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string))
    });
    let r = lib.audit(outlet.as_deref(), None, None, Timestamp::now())?;
    if json {
        json_line(out, &r)?;
    } else {
        out.write_all(report::table(&r).as_bytes())?;
    }
    Ok(if r.has_violations() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A page's line in text mode: only pages with finds or failures, so a big crawl stays short.
fn print_page(out: &mut impl Write, p: &PageReport) -> Result<()> {
    match p.outcome {
        Outcome::Error | Outcome::Status => writeln!(
            out,
            "{}  {}",
            clean(&p.url),
            clean(
                &p.error
                    .clone()
                    .or(p.status.map(|s| format!("HTTP {s}")))
                    .unwrap_or_default()
            )
        )?,
        _ => {
            for s in &p.found {
                writeln!(
                    out,
                    "{}  {} ({} {})  printed: {}{}",
                    clean(&p.url),
                    s.photo.short(),
                    format!("{:?}", s.by).to_lowercase(),
                    s.distance,
                    clean(s.printed_credit.as_deref().unwrap_or("(no credit)")),
                    if s.use_id.is_some() {
                        ""
                    } else {
                        "  (already recorded)"
                    }
                )?;
            }
        }
    }
    Ok(())
}
