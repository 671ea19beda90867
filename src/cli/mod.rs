//! The command line: clap definitions, flags → library calls, text and JSON output.
//!
//! The only place with clap, anyhow, stdout, the clock and environment variables. Each
//! subcommand's work lives in its own file; this one holds the shared flags.

mod add;
mod admin;
mod ahead;
mod crawl;
mod ledger;
mod output;
mod read;
mod remote;
mod render;
mod report;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use jiff::Timestamp;
use serde_json::Value;

use crate::library::{Access, Library};

/// byline keeps every published photo correctly credited.
#[derive(Debug, Parser)]
#[command(name = "byline", version, about, max_term_width = 100)]
pub struct Cli {
    /// The store directory, or the PostgreSQL database holding a shared store's records.
    ///
    /// Created on first use. Defaults to $BYLINE_STORE, else ./byline-store. A
    /// `postgres://USER@HOST:PORT/DB` URL opens a store that several servers share; its
    /// password comes from $PGPASSWORD or a URL in $BYLINE_STORE, never from this flag.
    #[arg(
        long,
        global = true,
        env = "BYLINE_STORE",
        default_value = "byline-store"
    )]
    pub store: PathBuf,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Talk to a running `byline serve` at this URL instead of opening the store.
    ///
    /// For show, list, credit, add, edit and use. Defaults to $BYLINE_SERVER.
    #[arg(long, global = true, env = "BYLINE_SERVER", value_name = "URL")]
    pub server: Option<String>,

    /// The API token sent to --server (writes need one).
    ///
    /// Defaults to $BYLINE_TOKEN.
    #[arg(long, global = true, env = "BYLINE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add photos (files or folders, recursively), reading credits from their metadata.
    Add(add::AddArgs),
    /// Show a photo's record.
    Show {
        /// The photo's id, or a unique prefix of at least 6 hex characters.
        id: String,
    },
    /// Correct a photo's fields; each change is journalled.
    Edit {
        /// The photo's id, or a unique prefix of at least 6 hex characters.
        id: String,
        /// Edit only if the photo is still at this revision (the one `show` printed).
        ///
        /// When someone else changed it since, nothing is changed and byline says so: look
        /// at the current record and edit again. Without it the edit applies to the record
        /// as it is now.
        #[arg(long, value_name = "N")]
        revision: Option<u64>,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Show every revision of a photo: when, who, field, old → new.
    History {
        /// The photo's id, or a unique prefix of at least 6 hex characters.
        id: String,
    },
    /// List photos, filtered through the index.
    List(read::ListArgs),
    /// Print a photo's attribution line in a house style.
    Credit {
        /// The photo's id, or a unique prefix of at least 6 hex characters.
        id: String,
        #[command(flatten)]
        style: ledger::StyleArgs,
    },
    /// List the credit styles: built-in and the outlets' from config.toml.
    Styles,
    /// Record a published use of a photo in the ledger.
    Use(ledger::UseArgs),
    /// List recorded uses.
    Uses(ledger::UsesArgs),
    /// Check every recorded use and photo for wrong or missing credits and rights breaches.
    Audit(ledger::AuditArgs),
    /// Crawl an outlet's site: find every page printing one of our photos, record the use.
    Crawl(crawl::CrawlArgs),
    /// Serve the store over HTTP/JSON for publishing tools until SIGINT or SIGTERM.
    Serve(serve::ServeArgs),
    /// Manage API tokens for `byline serve`.
    #[command(subcommand)]
    Token(ledger::TokenCommand),
    /// Make (or find) a resized copy of a photo that carries its credit.
    Render(render::RenderArgs),
    /// List a photo's renditions.
    Renditions {
        /// The photo's id, or a unique prefix of at least 6 hex characters.
        id: String,
    },
    /// Say which stored photo a file is: exact original or rendition, else look-alikes.
    Identify {
        /// An image file (a rendition, a re-encoded or resized copy, a crop).
        file: PathBuf,
    },
    /// Read a file's metadata without storing it.
    Inspect {
        /// Image files or folders (walked recursively, hidden entries skipped).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write every record with its history as JSON Lines.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Add the records of an export file; records already present are left alone.
    Import {
        /// A file written by `byline export`.
        file: PathBuf,
    },
    /// Re-hash every blob and check the index against the journal.
    Verify {
        /// Remove orphan blobs (bytes no record names, e.g. an upload whose event was never
        /// written). Takes the store's writer lock.
        #[arg(long)]
        repair: bool,
        /// On a store in PostgreSQL, keep orphans stored less than this many seconds ago:
        /// another server may be about to commit their event.
        #[arg(long, value_name = "SECS", default_value_t = 3600, requires = "repair")]
        min_age: u64,
    },
    /// Rebuild the index from the journal.
    Reindex,
    /// Move the store's blobs to an S3-compatible bucket or back to its own folder
    /// (`--blobs`), or the whole store into PostgreSQL or back to a local folder (`--to`).
    ///
    /// Copies every blob the records name, several at a time, checks each one read back
    /// from the new place, then points config.toml at it. With `--to postgres://…` (and
    /// `--blobs s3://…`), a local store's blobs go to the bucket and each photo's history to
    /// the database; with `--to DIR`, a store in PostgreSQL ($BYLINE_STORE) comes back to a
    /// local store at DIR. Safe to kill and run again; checks every record and blob at the
    /// end; the old store is left as it was. Passwords and keys come from the environment
    /// (PGPASSWORD, AWS_*).
    Migrate {
        /// Where the blobs go: `s3://BUCKET[/PREFIX]`, or `local` for the store's folder.
        #[arg(long, value_name = "URL|local", required_unless_present = "to")]
        blobs: Option<String>,
        /// Move the whole store: to `postgres://USER@HOST:PORT/DB` (with `--blobs s3://…`),
        /// or to a local folder when the store is in PostgreSQL.
        #[arg(long, value_name = "URL|DIR")]
        to: Option<String>,
        /// Blobs copied at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
    },
}

/// Who is making a change.
#[derive(Debug, Args)]
pub struct ActorArg {
    /// Who is making the change (recorded in the journal).
    ///
    /// Defaults to $USER.
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
}

impl ActorArg {
    fn name(&self) -> String {
        self.by
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "unknown".into())
    }
}

/// The record fields an editor can set with flags, on `add` and `edit`.
#[derive(Debug, Args, Default)]
pub struct FieldArgs {
    /// Caption (description).
    #[arg(long)]
    caption: Option<String>,
    /// Headline.
    #[arg(long)]
    headline: Option<String>,
    /// Photographer; repeat for several. Replaces the file's creators.
    #[arg(long = "creator", value_name = "NAME")]
    creators: Vec<String>,
    /// Agency (AFP, Reuters, …).
    #[arg(long)]
    agency: Option<String>,
    /// The year the photo was taken.
    #[arg(long)]
    year: Option<i32>,
    /// The credit line as supplied.
    #[arg(long)]
    credit_line: Option<String>,
    /// Source (owner or agency of origin).
    #[arg(long)]
    source: Option<String>,
    /// Copyright notice.
    #[arg(long)]
    copyright: Option<String>,
    /// Date the photo was taken (YYYY-MM-DD, optionally with a time).
    #[arg(long, value_name = "DATE")]
    date_created: Option<String>,
    /// City.
    #[arg(long)]
    city: Option<String>,
    /// Country.
    #[arg(long)]
    country: Option<String>,
    /// Keyword; repeat for several. Replaces the file's keywords.
    #[arg(long = "keyword", value_name = "WORD")]
    keywords: Vec<String>,
    /// Special instructions.
    #[arg(long)]
    instructions: Option<String>,
    /// Usage terms.
    #[arg(long)]
    usage_terms: Option<String>,
    /// Editorial use only (no commercial use).
    #[arg(long, overrides_with = "not_editorial_only")]
    editorial_only: bool,
    /// Lift the editorial-only restriction.
    #[arg(long)]
    not_editorial_only: bool,
    /// Not to be published before this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    embargo_until: Option<String>,
    /// The licence ends at this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    /// ISO country code where the photo must not be published; repeat for several.
    #[arg(long = "restricted-territory", value_name = "CC")]
    restricted_territories: Vec<String>,
}

impl FieldArgs {
    /// The flags given, as `(field, value)` edits.
    fn edits(&self) -> Result<Vec<(String, Value)>> {
        let mut out: Vec<(String, Value)> = Vec::new();
        let mut text = |field: &str, v: &Option<String>| {
            if let Some(v) = v {
                out.push((field.into(), Value::String(v.clone())));
            }
        };
        text("caption", &self.caption);
        text("headline", &self.headline);
        text("agency", &self.agency);
        text("credit_line", &self.credit_line);
        text("source", &self.source);
        text("copyright", &self.copyright);
        text("city", &self.city);
        text("country", &self.country);
        text("instructions", &self.instructions);
        text("usage_terms", &self.usage_terms);
        if let Some(d) = &self.date_created {
            parse_date(d).with_context(|| format!("--date-created '{d}'"))?;
            out.push(("date_created".into(), Value::String(d.clone())));
        }
        let list = |v: &[String]| Value::from(v.iter().map(|s| s.trim()).collect::<Vec<_>>());
        if !self.creators.is_empty() {
            out.push(("creators".into(), list(&self.creators)));
        }
        if !self.keywords.is_empty() {
            out.push(("keywords".into(), list(&self.keywords)));
        }
        if !self.restricted_territories.is_empty() {
            out.push((
                "rights.restricted_territories".into(),
                Value::from(self.restricted_territories.clone()),
            ));
        }
        if let Some(y) = self.year {
            out.push(("year".into(), Value::from(y)));
        }
        if self.editorial_only {
            out.push(("rights.editorial_only".into(), Value::Bool(true)));
        }
        if self.not_editorial_only {
            out.push(("rights.editorial_only".into(), Value::Bool(false)));
        }
        for (flag, field, v) in [
            (
                "--embargo-until",
                "rights.embargo_until",
                &self.embargo_until,
            ),
            ("--expires", "rights.expires", &self.expires),
        ] {
            if let Some(v) = v {
                let ts = if v.trim().is_empty() {
                    Value::Null
                } else {
                    Value::String(
                        parse_date(v)
                            .with_context(|| format!("{flag} '{v}'"))?
                            .to_string(),
                    )
                };
                out.push((field.into(), ts));
            }
        }
        // Checked here as well as in the library, so a bad flag is a usage error (exit 2)
        // before any file is read.
        Ok(crate::edit::check(out)?)
    }
}

/// [`crate::model::parse_date`], for flags.
pub(crate) fn parse_date(s: &str) -> Result<Timestamp> {
    Ok(crate::model::parse_date(s)?)
}

/// Open the store once more after a bulk write (`import`, `reindex`) and close it. sled writes
/// its snapshot (where every page lies) only when it opens, after scanning the log written
/// since the last one; done here, the bulk write pays that scan rather than the next command
/// (at 10,000 photos, debug build, the first `show` after a `reindex` took 0.27 s and the next
/// 0.09 s). As a writer: a reader of an index whose delta is empty does not open sled at all.
/// Only a saving, so skipped when another command holds the store.
fn settle_index(store: &std::path::Path, cmd: &str) -> Result<()> {
    match open(store, Access::Write, cmd) {
        Ok(lib) => drop(lib),
        Err(e) if matches!(e.downcast_ref(), Some(crate::Error::Locked { .. })) => {}
        Err(e) => return Err(e),
    }
    Ok(())
}

fn holder(cmd: &str) -> String {
    format!("byline {cmd} (pid {})", std::process::id())
}

/// Open the store, printing any warnings from opening to stderr.
fn open(cli_store: &std::path::Path, access: Access, cmd: &str) -> Result<Library> {
    if let Some(url) = postgres_url(cli_store) {
        let mut lib = open_postgres(url, access)?;
        print_warnings(&mut lib);
        return Ok(lib);
    }
    let opened = Library::open_with_settings(cli_store, access, &holder(cmd), &remote_settings());
    // The index allows one process, so nothing else opens a served store: say where to go.
    let served =
        matches!(&opened, Err(crate::Error::Locked { holder, .. }) if holder.contains("serve"));
    let mut lib = opened.with_context(|| {
        let hint = if served && cmd == "migrate" {
            "; stop the server before moving the store (a store moved while it is served \
             would miss what is written meanwhile)"
        } else if served {
            "; while it is served, run token and verify commands through the server: \
             byline --server URL --token ADMIN_TOKEN token … (or verify)"
        } else {
            ""
        };
        format!("cannot open the store at {}{hint}", cli_store.display())
    })?;
    print_warnings(&mut lib);
    Ok(lib)
}

/// The store given as a PostgreSQL URL, if it is one.
pub(super) fn postgres_url(store: &std::path::Path) -> Option<&str> {
    let s = store.to_str()?;
    (s.starts_with("postgres://") || s.starts_with("postgresql://")).then_some(s)
}

/// Open a store whose records are in PostgreSQL. The password comes from the environment
/// ($BYLINE_STORE or $PGPASSWORD), the bucket from $BYLINE_BLOBS the first time (then the
/// database keeps it), and the local folder for uploads in progress and the crawl cache
/// from $BYLINE_WORK (default: one per database in the system's temporary folder).
fn open_postgres(url: &str, access: Access) -> Result<Library> {
    let from_env = std::env::var("BYLINE_STORE").is_ok_and(|v| v == url);
    if !from_env && crate::records::has_password(url) {
        anyhow::bail!(
            "a password on the command line shows in `ps`: put the URL in BYLINE_STORE, or \
             the password in PGPASSWORD"
        );
    }
    let password = std::env::var("PGPASSWORD").ok();
    let blobs = std::env::var("BYLINE_BLOBS").ok().filter(|b| !b.is_empty());
    let work = work_dir(url);
    let pg = crate::library::PgStore {
        url,
        password: password.as_deref(),
        work: &work,
    };
    Library::open_postgres(pg, access, blobs.as_deref(), &remote_settings())
        .context("cannot open the store in PostgreSQL")
}

/// The local folder for uploads in progress and the crawl cache of a store in PostgreSQL:
/// $BYLINE_WORK, else one per database (never its password) and user in the system's
/// temporary folder.
pub(super) fn work_dir(url: &str) -> std::path::PathBuf {
    match std::env::var_os("BYLINE_WORK") {
        Some(w) => std::path::PathBuf::from(w),
        None => {
            let place = url.rsplit('@').next().unwrap_or(url);
            let user = std::env::var("USER").unwrap_or_default();
            let key = blake3::hash(format!("{user}\0{place}").as_bytes()).to_hex();
            std::env::temp_dir().join(format!("byline-work-{}", &key[..12]))
        }
    }
}

/// Settings for a remote blob store, from the standard `AWS_*` environment variables
/// (credentials never come from flags, which `ps` shows). Read here: the library reads no
/// environment.
pub(super) fn remote_settings() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// Print what the library had to warn about (a torn journal record dropped, a blob repaired,
/// a rendition made from damaged data): after opening and after every commit.
pub(super) fn print_warnings(lib: &mut Library) {
    for w in lib.take_warnings() {
        eprintln!("warning: {}", output::clean(&w));
    }
}

/// Run a parsed command line and return the exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let store = cli.store.as_path();
    let json = cli.json;
    let mut out = std::io::stdout().lock();
    if let Some(url) = &cli.server {
        return remote::run(url, cli.token.as_deref(), cli.command, json, &mut out);
    }
    match cli.command {
        Command::Add(args) => add::run(store, json, &args, &mut out),
        Command::Show { id } => {
            read::show(&open(store, Access::Read, "show")?, &id, json, &mut out)
        }
        Command::Edit {
            id,
            revision,
            fields,
            actor,
        } => {
            let mut lib = open(store, Access::Write, "edit")?;
            let edits = fields.edits()?;
            let change = read::EditRequest {
                id: &id,
                revision,
                edits: &edits,
            };
            read::edit(&mut lib, change, &actor.name(), json, &mut out)
        }
        Command::History { id } => {
            read::history(&open(store, Access::Read, "history")?, &id, json, &mut out)
        }
        Command::List(args) => {
            read::list(&open(store, Access::Read, "list")?, &args, json, &mut out)
        }
        Command::Credit { id, style } => ledger::credit(
            &open(store, Access::Read, "credit")?,
            &id,
            &style,
            json,
            &mut out,
        ),
        Command::Styles => ledger::styles(&open(store, Access::Read, "styles")?, json, &mut out),
        Command::Use(args) => ledger::record_use(
            &mut open(store, Access::Write, "use")?,
            &args,
            json,
            &mut out,
        ),
        Command::Uses(args) => {
            ledger::uses(&open(store, Access::Read, "uses")?, &args, json, &mut out)
        }
        Command::Audit(args) => {
            ledger::audit(&open(store, Access::Read, "audit")?, &args, json, &mut out)
        }
        Command::Crawl(args) => crawl::run(store, &args, json, &mut out),
        Command::Serve(args) => serve::run(store, &args, &mut out),
        Command::Token(cmd) => ledger::token(
            &mut open(store, Access::Write, "token")?,
            &cmd,
            json,
            &mut out,
        ),
        Command::Inspect { files } => read::inspect(&files, json, &mut out),
        Command::Render(args) => render::render(
            &mut open(store, Access::Write, "render")?,
            &args,
            json,
            &mut out,
        ),
        Command::Renditions { id } => render::renditions(
            &open(store, Access::Read, "renditions")?,
            &id,
            json,
            &mut out,
        ),
        Command::Identify { file } => render::identify(
            &open(store, Access::Read, "identify")?,
            &file,
            json,
            &mut out,
        ),
        Command::Export { out: file } => admin::export(
            &open(store, Access::Read, "export")?,
            file.as_deref(),
            &mut out,
        ),
        Command::Import { file } => {
            let mut lib = open(store, Access::Write, "import")?;
            let code = admin::import(&mut lib, &file, json, &mut out)?;
            drop(lib);
            settle_index(store, "import")?;
            Ok(code)
        }
        Command::Verify { repair: false, .. } => {
            admin::verify(&open(store, Access::Read, "verify")?, json, &mut out)
        }
        Command::Verify {
            repair: true,
            min_age,
        } => admin::repair(
            &mut open(store, Access::Write, "verify --repair")?,
            std::time::Duration::from_secs(min_age),
            json,
            &mut out,
        ),
        Command::Migrate {
            blobs,
            to: Some(to),
            jobs,
        } => admin::move_store(
            &open(store, Access::Write, "migrate")?,
            &to,
            blobs.as_deref(),
            usize::from(jobs),
            json,
            &mut out,
        ),
        Command::Migrate {
            blobs: Some(blobs),
            to: None,
            jobs,
        } => admin::migrate(
            &mut open(store, Access::Write, "migrate")?,
            &blobs,
            usize::from(jobs),
            &remote_settings(),
            json,
            &mut out,
        ),
        Command::Migrate { .. } => Err(anyhow::anyhow!("migrate needs --blobs or --to")),
        Command::Reindex => {
            let code = admin::reindex(&open(store, Access::Reindex, "reindex")?, json, &mut out)?;
            settle_index(store, "reindex")?;
            Ok(code)
        }
    }
}
