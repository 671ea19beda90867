//! `credit`, `styles`, `use`, `uses`, `audit` and `token`: credit lines, the publication ledger
//! and the attribution audit.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;

use super::output::{clean, fit, json_line, json_pretty};
use super::{ActorArg, parse_date, report};
use crate::credit::{self, Style};
use crate::library::{AuditStream, Library, NewUse, UseQuery};
use crate::model::TokenAccess;

/// Which style to print a credit in.
#[derive(Debug, Args, Default)]
pub struct StyleArgs {
    /// A built-in style (default, ap, reuters, afp, getty, epa, sputnik, cc) or an outlet's.
    #[arg(long, conflicts_with = "outlet")]
    pub(super) style: Option<String>,
    /// The outlet whose house style to use (from the store's config.toml, or a built-in
    /// style of that name).
    #[arg(long)]
    pub(super) outlet: Option<String>,
}

impl StyleArgs {
    fn resolve(&self, lib: &Library) -> Result<Option<Style>> {
        Ok(match (&self.style, &self.outlet) {
            (Some(s), _) => Some(lib.style(s)?),
            (None, Some(o)) => Some(lib.style_for(o, None)),
            (None, None) => None,
        })
    }
}

/// `byline credit ID [--style S | --outlet O]`.
pub fn credit(
    lib: &Library,
    id: &str,
    style: &StyleArgs,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = lib.resolve(id)?;
    let style = style.resolve(lib)?.unwrap_or(Style::Default);
    let report = lib.credit(&id, &style)?;
    print_credit(&report, &report.line, &id.short(), json, out)
}

/// Print a credit report (local and `--server`): the line, or all of it as JSON; exit 1 when
/// the photo has no credit to give.
pub(super) fn print_credit(
    report: &impl serde::Serialize,
    line: &str,
    short_id: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if json {
        json_pretty(out, report)?;
    } else if !line.is_empty() {
        writeln!(out, "{}", clean(line))?;
    }
    if line.is_empty() {
        eprintln!(
            "no credit: photo {short_id} has neither a creator nor an agency; set one with \
             `byline edit {short_id} --creator NAME` or `--agency NAME`"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline styles`.
pub fn styles(lib: &Library, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let all = credit::styles(&lib.config().outlets);
    for (name, description, example) in all {
        if json {
            json_line(
                out,
                &serde_json::json!({"name": name, "description": description, "example": example}),
            )?;
        } else {
            writeln!(out, "{name:<18} {}", clean(&description))?;
            writeln!(out, "{:<18} e.g. {}", "", clean(&example))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `byline use`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("printed").required(true).args(["printed_credit", "no_credit"])))]
pub struct UseArgs {
    /// The photo's id, or a unique prefix of at least 6 hex characters.
    pub(super) id: String,
    /// The outlet that published it.
    #[arg(long)]
    pub(super) outlet: String,
    /// Where it was published.
    #[arg(long)]
    pub(super) url: String,
    /// When it was published (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub(super) published: String,
    /// The credit line exactly as printed.
    #[arg(long, value_name = "LINE")]
    pub(super) printed_credit: Option<String>,
    /// The photo was printed with no credit at all.
    #[arg(long)]
    pub(super) no_credit: bool,
    /// The caption as printed.
    #[arg(long, value_name = "TEXT")]
    pub(super) printed_caption: Option<String>,
    /// ISO country code of the territory it was published in.
    #[arg(long, value_name = "CC")]
    pub(super) territory: Option<String>,
    /// Commercial (advertising, sponsored) use.
    #[arg(long)]
    pub(super) commercial: bool,
    /// The rendition published (its id).
    #[arg(long, value_name = "RID")]
    pub(super) rendition: Option<String>,
    #[command(flatten)]
    pub(super) actor: ActorArg,
}

/// `byline use ID …`.
pub fn record_use(
    lib: &mut Library,
    a: &UseArgs,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = lib.resolve(&a.id)?;
    let published =
        parse_date(&a.published).with_context(|| format!("--published '{}'", a.published))?;
    let rendition = a
        .rendition
        .as_deref()
        .map(|r| r.parse().context("--rendition takes a rendition's full id"))
        .transpose()?;
    let usage = lib.record_use(
        &id,
        NewUse {
            outlet: a.outlet.clone(),
            url: a.url.clone(),
            published: Some(published),
            printed_credit: if a.no_credit {
                None
            } else {
                a.printed_credit.clone()
            },
            printed_caption: a.printed_caption.clone(),
            territory: a.territory.clone(),
            commercial: a.commercial,
            rendition,
            found: None,
        },
        &a.actor.name(),
        Timestamp::now(),
    )?;
    print_use(&usage, json, out)
}

/// Print a recorded use (local and `--server`).
pub(super) fn print_use(
    usage: &crate::model::Use,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if json {
        json_line(out, usage)?;
    } else {
        writeln!(
            out,
            "recorded use {} of {} by {}",
            usage.id,
            usage.photo.short(),
            clean(&usage.outlet)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `byline uses`.
#[derive(Debug, Args)]
pub struct UsesArgs {
    /// Only this photo's uses.
    id: Option<String>,
    /// Only this outlet's uses.
    #[arg(long)]
    outlet: Option<String>,
    /// Only uses published on or after this date.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only uses recorded after this use number (the next page starts after the last one
    /// shown).
    #[arg(long, value_name = "USE")]
    after: Option<u64>,
    /// Show at most this many uses (a page).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

/// `byline uses`.
pub fn uses(lib: &Library, a: &UsesArgs, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let q = UseQuery {
        photo: a.id.as_deref().map(|i| lib.resolve(i)).transpose()?,
        outlet: a.outlet.clone(),
        since: a
            .since
            .as_deref()
            .map(parse_date)
            .transpose()
            .context("--since")?,
    };
    // Streams: each use is printed as it is read, so a page of an outlet with a million
    // uses starts at once.
    let found = lib
        .uses_from(&q, a.after)?
        .take(a.limit.unwrap_or(usize::MAX));
    if !json {
        writeln!(
            out,
            "{:<5}  {:<12}  {:<10}  {:<20}  {:<30}  URL",
            "USE", "PHOTO", "PUBLISHED", "OUTLET", "PRINTED CREDIT"
        )?;
    }
    for u in found {
        let u = u?;
        if json {
            json_line(out, &u)?;
            continue;
        }
        writeln!(
            out,
            "{:<5}  {:<12}  {:<10}  {:<20}  {:<30}  {}",
            u.id,
            u.photo.short(),
            u.published.to_string().get(..10).unwrap_or(""),
            fit(&clean(&u.outlet), 20),
            fit(&clean(u.printed_credit.as_deref().unwrap_or("(none)")), 30),
            clean(&u.url)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Report formats of `byline audit`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// A table for terminals.
    Table,
    /// JSON (schema/audit.schema.json).
    Json,
    /// CSV for spreadsheets.
    Csv,
    /// A self-contained HTML page.
    Html,
}

/// Arguments of `byline audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this outlet's uses.
    #[arg(long, conflicts_with = "style")]
    outlet: Option<String>,
    /// Check every use against this style instead of each outlet's own.
    #[arg(long)]
    style: Option<String>,
    /// Only uses published on or after this date.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Report format (table by default; json with --json).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Write the report to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Check published pages (HTML, or text scraped from them) instead of the ledger: find
    /// our photos on each page and check the credit printed with each against --style or
    /// --outlet's style.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    article: Vec<PathBuf>,
}

/// `byline audit`.
pub fn audit(lib: &Library, a: &AuditArgs, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let style = a.style.as_deref().map(|s| lib.style(s)).transpose()?;
    let since = a
        .since
        .as_deref()
        .map(parse_date)
        .transpose()
        .context("--since")?;
    let r = if a.article.is_empty() {
        lib.audit_stream(a.outlet.as_deref(), since, style.as_ref(), Timestamp::now())?
    } else {
        let mut pages = Vec::new();
        for path in &a.article {
            let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
            // Pages are UTF-8 nearly always; anything else is read with replacement
            // characters rather than refused.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            pages.push((path.display().to_string(), text));
        }
        let style =
            style.unwrap_or_else(|| lib.style_for(a.outlet.as_deref().unwrap_or("default"), None));
        lib.audit_pages(&pages, a.outlet.as_deref(), &style, Timestamp::now())?
    };
    let format = a.format.unwrap_or(if json {
        ReportFormat::Json
    } else {
        ReportFormat::Table
    });
    let (violations, warnings) = (r.summary.violations, r.summary.warnings);
    let failed = r.has_violations();
    match &a.out {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
            let mut file = std::io::BufWriter::new(file);
            write_report(lib, r, format, &mut file)
                .and_then(|()| Ok(file.flush()?))
                .with_context(|| path.display().to_string())?;
            eprintln!(
                "{violations} violations, {warnings} warnings; report written to {}",
                path.display()
            );
        }
        None => {
            // Buffered: stdout is line-buffered, and a JSON report has a dozen lines a finding.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
            write_report(lib, r, format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Write an audit's report finding by finding as it is read back (HTML, which shows a
/// thumbnail of each photo concerned, is built whole).
fn write_report(
    lib: &Library,
    r: AuditStream,
    format: ReportFormat,
    out: &mut impl Write,
) -> Result<()> {
    match format {
        ReportFormat::Table => {
            out.write_all(report::table_header().as_bytes())?;
            for f in r.findings() {
                out.write_all(report::table_row(&f?).as_bytes())?;
            }
            writeln!(out, "{}", crate::report::summary_line(&r.summary))?;
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &r)?;
            out.write_all(b"\n")?;
        }
        ReportFormat::Csv => {
            out.write_all(crate::report::CSV_HEADER.as_bytes())?;
            for f in r.findings() {
                out.write_all(crate::report::csv_row(&f?).as_bytes())?;
            }
        }
        ReportFormat::Html => out.write_all(report::html(lib, &r.into_report()?).as_bytes())?,
    }
    Ok(())
}

/// `byline token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once; only its hash is stored.
    Create {
        /// The token's name (the actor of its changes).
        name: String,
        /// Reads only.
        #[arg(long, conflicts_with = "write", required_unless_present_any = ["write", "admin"])]
        read: bool,
        /// Reads and writes.
        #[arg(long, conflicts_with = "admin")]
        write: bool,
        /// Reads, writes, and `--server URL token …` and `verify` while `byline serve` runs.
        #[arg(long, conflicts_with = "read")]
        admin: bool,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// List tokens (names and access, never the tokens).
    List,
    /// Revoke a token.
    Revoke {
        /// The token's name.
        name: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

/// `byline token create|list|revoke`.
pub fn token(
    lib: &mut Library,
    cmd: &TokenCommand,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    match cmd {
        TokenCommand::Create {
            name,
            write,
            admin,
            actor,
            ..
        } => {
            let access = match (*admin, *write) {
                (true, _) => TokenAccess::Admin,
                (false, true) => TokenAccess::Write,
                (false, false) => TokenAccess::Read,
            };
            let secret = crate::library::new_token_secret()?;
            let t = lib.create_token(name, &secret, access, &actor.name(), Timestamp::now())?;
            if json {
                json_line(
                    out,
                    &serde_json::json!({"name": t.name, "access": t.access, "token": secret}),
                )?;
            } else {
                writeln!(out, "{secret}")?;
                eprintln!(
                    "token '{}' ({:?}); it is shown only this once",
                    t.name, t.access
                );
            }
        }
        TokenCommand::List => {
            for t in lib.tokens()? {
                if json {
                    json_line(
                        out,
                        &serde_json::json!({"name": t.name, "access": t.access, "created": t.created}),
                    )?;
                } else {
                    writeln!(
                        out,
                        "{:<20} {:<6} {}",
                        clean(&t.name),
                        format!("{:?}", t.access).to_lowercase(),
                        t.created
                    )?;
                }
            }
        }
        TokenCommand::Revoke { name, actor } => {
            lib.revoke_token(name, &actor.name(), Timestamp::now())?;
            if !json {
                writeln!(out, "revoked token '{}'", clean(name))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
