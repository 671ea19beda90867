//! `show`, `edit`, `history`, `list`, `credit` and `inspect`: one photo or many, as text or JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;
use serde_json::Value;

use super::output::{clean, fit, json_line, json_pretty};
use crate::db::Query;
use crate::library::Library;
use crate::model::{Change, Photo};

/// Arguments of `byline list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only photos from this agency (case-insensitive).
    #[arg(long)]
    agency: Option<String>,
    /// Only photos by this creator (full name, case-insensitive).
    #[arg(long)]
    creator: Option<String>,
    /// Only photos taken in this year.
    #[arg(long)]
    year: Option<i32>,
    /// Only photos whose caption, headline, keywords, place, credit, source or instructions
    /// contain all these words (as word prefixes).
    #[arg(long, value_name = "WORDS")]
    text: Option<String>,
    /// Only photos that still miss a caption, a creator or agency, or a year.
    #[arg(long)]
    incomplete: bool,
    /// Show at most this many photos (a page).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

fn text_value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => format!("\"{}\"", clean(s)),
        Value::Array(items) if items.is_empty() => "(none)".into(),
        Value::Array(items) => items.iter().map(text_value).collect::<Vec<_>>().join(", "),
        other => clean(&other.to_string()),
    }
}

/// `byline show ID`.
pub fn show(lib: &Library, id: &str, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let photo = lib.photo(&lib.resolve(id)?)?;
    if json {
        json_pretty(out, &photo)?;
    } else {
        print_record(&photo, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn print_record(p: &Photo, out: &mut impl Write) -> Result<()> {
    let o = &p.original;
    let dims = match (o.width, o.height) {
        (Some(w), Some(h)) => format!(" {w}×{h}"),
        _ => String::new(),
    };
    writeln!(out, "id            {}", p.id)?;
    writeln!(
        out,
        "original      {}{dims}, {} bytes, orientation {}",
        o.format.as_str(),
        o.bytes,
        o.orientation.map_or("none".into(), |v| v.to_string())
    )?;
    let json = serde_json::to_value(&p.fields)?;
    if let Value::Object(map) = json {
        for (field, value) in map {
            if value.is_null() || value == Value::Array(Vec::new()) {
                continue;
            }
            let from = p
                .sources
                .get(&field)
                .map(|s| format!("  [{s}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<13} {}{from}",
                field.replace('_', " "),
                text_value(&value)
            )?;
        }
    }
    let r = &p.rights;
    let mut rights = Vec::new();
    if r.editorial_only {
        rights.push("editorial use only".to_string());
    }
    if let Some(t) = r.embargo_until {
        rights.push(format!("embargoed until {t}"));
    }
    if let Some(t) = r.expires {
        rights.push(format!("licence expires {t}"));
    }
    if !r.restricted_territories.is_empty() {
        rights.push(format!("not in {}", r.restricted_territories.join(", ")));
    }
    if !rights.is_empty() {
        writeln!(out, "rights        {}", rights.join("; "))?;
    }
    match p.missing.as_slice() {
        [] => writeln!(out, "status        complete")?,
        m => writeln!(out, "status        incomplete (needs {})", m.join(", "))?,
    }
    writeln!(
        out,
        "added         {} (revision {})",
        p.added_at, p.revision
    )?;
    for w in &p.warnings {
        writeln!(out, "warning       {}", clean(w))?;
    }
    Ok(())
}

/// What `byline edit` was asked to change.
pub struct EditRequest<'a> {
    /// The photo's id or prefix.
    pub id: &'a str,
    /// The revision the edit was made on (`--revision`).
    pub revision: Option<u64>,
    /// `(field, value)` pairs.
    pub edits: &'a [(String, Value)],
}

/// `byline edit ID [--revision N] --field …`.
pub fn edit(
    lib: &mut Library,
    change: EditRequest<'_>,
    by: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let edits = change.edits;
    if edits.is_empty() {
        anyhow::bail!("nothing to change: give at least one field flag, e.g. --caption TEXT");
    }
    let id = lib.resolve(change.id)?;
    let before = lib.photo(&id)?;
    let after = match lib.edit_revision(&id, change.revision, edits, by, Timestamp::now()) {
        Err(e @ crate::Error::Conflict(_)) => return Err(conflict(&e, &id)),
        other => other?,
    };
    print_edit(&before, after, edits, json, out)
}

/// What to tell an editor whose edit met a newer revision (local and `--server`).
pub(super) fn conflict(e: &dyn std::fmt::Display, id: &crate::BlobId) -> anyhow::Error {
    anyhow::anyhow!(
        "{e}\nnothing was changed: run `byline show {short}` to see the current record, then \
         run the edit again (with --revision set to the revision it shows)",
        short = id.short()
    )
}

/// Print the outcome of an edit (local and `--server`): the record as JSON, or each changed
/// field; `after` is `None` when nothing changed.
pub(super) fn print_edit(
    before: &Photo,
    after: Option<Photo>,
    edits: &[(String, Value)],
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = before.id;
    let photo = after.clone().unwrap_or(before.clone());
    if json {
        json_line(out, &photo)?;
    } else if after.is_none() {
        writeln!(out, "no change: {} already has those values", id.short())?;
    } else {
        writeln!(out, "edited {} (revision {})", id.short(), photo.revision)?;
        for (field, _) in edits {
            let old = crate::edit::get(before, field)?;
            let new = crate::edit::get(&photo, field)?;
            if old != new {
                writeln!(
                    out,
                    "  {field}: {} → {}",
                    text_value(&old),
                    text_value(&new)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline history ID`.
pub fn history(lib: &Library, id: &str, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let id = lib.resolve(id)?;
    for (rev, event) in lib.history(&id)?.iter().enumerate() {
        if json {
            json_line(out, event)?;
            continue;
        }
        writeln!(
            out,
            "revision {}  {}  by {}",
            rev + 1,
            event.at,
            clean(&event.by)
        )?;
        match &event.change {
            Change::PhotoAdded { photo } => {
                writeln!(
                    out,
                    "  added from a {} file",
                    photo.original.format.as_str()
                )?;
                if let Value::Object(map) = serde_json::to_value(&photo.fields)? {
                    for (field, value) in map {
                        if value.is_null() || value == Value::Array(Vec::new()) {
                            continue;
                        }
                        writeln!(out, "  {field}: (none) → {}", text_value(&value))?;
                    }
                }
            }
            Change::FieldsEdited { changes, .. } => {
                for c in changes {
                    writeln!(
                        out,
                        "  {}: {} → {}",
                        c.field,
                        text_value(&c.old),
                        text_value(&c.new)
                    )?;
                }
            }
            Change::RenditionMade { rendition: r } => writeln!(
                out,
                "  rendition {} made: {}×{} {:?}",
                r.id.short(),
                r.width,
                r.height,
                r.spec.format
            )?,
            Change::UseRecorded { usage: u } => writeln!(
                out,
                "  published by {} on {} at {} with credit {}",
                clean(&u.outlet),
                u.published,
                clean(&u.url),
                u.printed_credit
                    .as_deref()
                    .map_or("(none)".to_string(), |c| format!("\"{}\"", clean(c)))
            )?,
            Change::TokenCreated { .. } | Change::TokenRevoked { .. } => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

impl ListArgs {
    /// The index query these flags ask for.
    pub(super) fn query(&self) -> Query {
        Query {
            agency: self.agency.clone(),
            creator: self.creator.clone(),
            year: self.year,
            text: self.text.clone(),
            incomplete: self.incomplete,
        }
    }
}

/// `byline list`: printed as the index yields them, so the first page of any query shows
/// at once on a store of any size.
pub fn list(lib: &Library, args: &ListArgs, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let pages = lib
        .pages(&args.query(), None)?
        .take(args.limit.unwrap_or(usize::MAX));
    print_photos(pages.map(|p| p.map_err(anyhow::Error::from)), json, out)
}

/// Print photos as a table or JSON lines (local and `--server`).
pub(super) fn print_list(photos: &[Photo], json: bool, out: &mut impl Write) -> Result<ExitCode> {
    print_photos(photos.iter().cloned().map(Ok), json, out)
}

fn print_photos(
    photos: impl Iterator<Item = Result<Photo>>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if !json {
        writeln!(
            out,
            "{:<12}  {:<4}  {:<12}  {:<20}  {:<10}  CAPTION",
            "ID", "YEAR", "AGENCY", "CREATORS", "STATUS"
        )?;
    }
    for p in photos {
        let p = p?;
        if json {
            json_line(out, &p)?;
            continue;
        }
        let f = &p.fields;
        writeln!(
            out,
            "{:<12}  {:<4}  {:<12}  {:<20}  {:<10}  {}",
            p.id.short(),
            f.year.map_or(String::new(), |y| y.to_string()),
            fit(&clean(f.agency.as_deref().unwrap_or("")), 12),
            fit(&clean(&f.creators.join(", ")), 20),
            if p.missing.is_empty() {
                "complete"
            } else {
                "incomplete"
            },
            fit(&clean(f.caption.as_deref().unwrap_or("")), 60)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline inspect PATH...`: folders are walked as `add` walks them, and a file that cannot
/// be read is reported while the rest go on (exit 1).
pub fn inspect(paths: &[PathBuf], json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let mut failed = false;
    for path in &super::add::expand(paths) {
        let result = super::add::read_file(path)
            .map_err(anyhow::Error::msg)
            .and_then(|b| crate::meta::extract(&b).map_err(anyhow::Error::from));
        let shown = path.display().to_string();
        match result {
            Ok(ex) if json => {
                let mut v = serde_json::to_value(&ex)?;
                if let Value::Object(m) = &mut v {
                    m.insert("path".into(), Value::String(shown));
                }
                json_line(out, &v)?;
            }
            Ok(ex) => {
                writeln!(out, "{}", clean(&shown))?;
                for (field, blocks) in &ex.blocks {
                    let chosen = ex.sources.get(field).map(String::as_str).unwrap_or("");
                    for (block, value) in blocks {
                        let mark = if block == chosen { "*" } else { " " };
                        writeln!(out, "  {mark}{field:<14} {block:<5} {}", text_value(value))?;
                    }
                }
                for w in &ex.warnings {
                    writeln!(out, "  warning: {}", clean(w))?;
                }
            }
            Err(e) => {
                failed = true;
                if json {
                    json_line(
                        out,
                        &serde_json::json!({"path": shown, "error": format!("{e:#}")}),
                    )?;
                } else {
                    writeln!(out, "{}: {}", clean(&shown), clean(&format!("{e:#}")))?;
                }
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
