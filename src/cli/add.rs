//! `byline add`: files and folders in, one report per file out, reported only once durable.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::output::{clean, json_line};
use super::{ActorArg, FieldArgs};
use crate::library::{Access, Added, Library, Prepared, RenderedSet};
use crate::model::Photo;

/// Files per journal commit at most: one fsync covers the batch, and reports are printed only
/// after it.
const COMMIT_EVERY: usize = 64;
/// A batch is also committed once it is this old, so slow files still report steadily.
const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_millis(100);
/// Larger files are refused before being read (no news photo original is this big).
const MAX_FILE_BYTES: u64 = 1 << 30;

/// Arguments of `byline add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Image files or folders (searched recursively; hidden files are skipped).
    #[arg(required = true)]
    pub(super) paths: Vec<PathBuf>,
    /// Also make every rendition preset of the store (thumb, small, medium, large, …).
    #[arg(long)]
    renditions: bool,
    #[command(flatten)]
    pub(super) fields: FieldArgs,
    #[command(flatten)]
    actor: ActorArg,
}

/// One line of `add --json` (schema/add-line.schema.json).
#[derive(Debug, Serialize)]
pub(super) struct Report {
    pub(super) path: String,
    pub(super) id: Option<String>,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
    pub(super) missing: Vec<String>,
    /// The credit line in the default style, when the photo has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) credit: Option<String>,
    /// `--renditions`: what went less than perfectly, each message once (a value cut or
    /// left out to fit a metadata block, damaged data, an unusable colour profile).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) rendition_warnings: Vec<String>,
}

fn credit_of(photo: &crate::model::Photo) -> Option<String> {
    Some(crate::credit::required_line(
        &photo.fields,
        &crate::credit::Style::Default,
    ))
    .filter(|l| !l.is_empty())
}

/// Expand folders into their files (sorted, hidden entries skipped); keep files as given.
pub(super) fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
                    Ok(_) => {}
                    // Unreadable folders are reported as failed paths below.
                    Err(e) => {
                        out.push(e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone()))
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("is a folder that could not be read".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes, over the 1 GiB limit",
            meta.len()
        ));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

/// Run `byline add`.
pub fn run(store: &Path, json: bool, args: &AddArgs, out: &mut impl Write) -> Result<ExitCode> {
    let edits = args.fields.edits()?;
    let by = args.actor.name();
    let files = expand(&args.paths);
    let mut lib = super::open(store, Access::Write, "add")?;
    let bar = if std::io::stderr().is_terminal() && files.len() > 1 {
        let bar = ProgressBar::new(files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut staged: Vec<Report> = Vec::new();
    let mut new_photos: Vec<(usize, Box<Photo>, Vec<u8>)> = Vec::new();
    let mut batch_start = std::time::Instant::now();
    let (mut added, mut dupes, mut failed) = (0usize, 0usize, 0usize);
    // Files are read and prepared (metadata, fingerprint, hash) on every core, a few files
    // ahead, while this thread stages, journals and reports them in order: decoding overlaps
    // the writes and fsyncs, so no core waits on them.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let reader = lib.reader();
    let prepare = |p: &PathBuf| {
        let bytes = read_file(p)?;
        reader.prepare_owned(bytes).map_err(|e| e.to_string())
    };
    super::ahead::for_each_in_order(&files, workers, workers * 8, prepare, |path, read| {
        bar.set_message(clean(&path.display().to_string()));
        let (report, new) = add_one(&mut lib, path, read, &edits, &by);
        match report.status {
            "added" => added += 1,
            "duplicate" => dupes += 1,
            _ => failed += 1,
        }
        if args.renditions {
            new_photos.extend(new.map(|(photo, bytes)| (staged.len(), photo, bytes)));
        }
        staged.push(report);
        bar.inc(1);
        let commit = staged.len() >= COMMIT_EVERY || batch_start.elapsed() >= COMMIT_AFTER;
        if commit || new_photos.len() >= workers * 4 {
            render_staged(&mut lib, &mut new_photos, &mut staged, workers, &by, &bar);
        }
        if commit {
            // Nothing is reported as stored before the journal holding it is fsynced.
            let lost = raced(&mut staged, &lib.commit()?.duplicates);
            (added, dupes) = (added - lost, dupes + lost);
            bar.suspend(|| super::print_warnings(&mut lib));
            bar.suspend(|| print_reports(&staged, json, out))?;
            staged.clear();
            batch_start = std::time::Instant::now();
        }
        anyhow::Ok(())
    })?;
    render_staged(&mut lib, &mut new_photos, &mut staged, workers, &by, &bar);
    let lost = raced(&mut staged, &lib.commit()?.duplicates);
    (added, dupes) = (added - lost, dupes + lost);
    bar.suspend(|| super::print_warnings(&mut lib));
    bar.suspend(|| print_reports(&staged, json, out))?;
    bar.finish_and_clear();
    finish(added, dupes, failed, json, out)
}

/// Print the closing summary (local and `--server`); exit 1 when any file failed.
pub(super) fn finish(
    added: usize,
    dupes: usize,
    failed: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let summary = format!("{added} added, {dupes} already stored, {failed} failed");
    if json {
        eprintln!("{summary}");
    } else {
        writeln!(out, "{summary}")?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// What `prepare_owned` read from a file (its bytes with it), or why it could not be read.
type Read = Result<Prepared, String>;

/// Render the presets of the photos staged since the last call, on every core, and stage the
/// renditions in the same commit as their photos; warnings go on the photos' reports.
fn render_staged(
    lib: &mut Library,
    new_photos: &mut Vec<(usize, Box<Photo>, Vec<u8>)>,
    staged: &mut [Report],
    workers: usize,
    by: &str,
    bar: &ProgressBar,
) {
    let rendered = render_all(lib, new_photos, workers);
    for ((at, _, _), set) in new_photos.drain(..).zip(rendered) {
        let made = set.and_then(|set| {
            lib.stage_rendered(set, by, Timestamp::now())
                .map_err(|e| e.to_string())
        });
        let Some(report) = staged.get_mut(at) else {
            continue;
        };
        match made {
            Ok(renditions) => {
                for w in renditions.into_iter().flat_map(|r| r.warnings) {
                    if !report.rendition_warnings.contains(&w) {
                        report.rendition_warnings.push(w);
                    }
                }
            }
            // A photo whose pixels cannot be rendered is still stored; say why.
            Err(e) => {
                let shown = clean(&report.path);
                bar.suspend(|| eprintln!("warning: {shown}: no renditions: {e}"));
            }
        }
    }
}

/// `f` over `items` on `workers` threads, one result per item in the items' order (a thread
/// that fails gives each of its items an error, so results stay aligned).
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> Result<R, String> + Sync,
) -> Vec<Result<R, String>> {
    let per = items.len().div_ceil(workers.max(1)).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|part| {
                (
                    part.len(),
                    scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(n, h)| {
                h.join().unwrap_or_else(|_| {
                    (0..n)
                        .map(|_| Err("a worker thread failed unexpectedly".to_string()))
                        .collect()
                })
            })
            .collect()
    })
}

/// Render the presets of each new photo on `workers` threads, results in order.
fn render_all(
    lib: &Library,
    photos: &[(usize, Box<Photo>, Vec<u8>)],
    workers: usize,
) -> Vec<Result<RenderedSet, String>> {
    in_parallel(photos, workers, |(_, photo, bytes)| {
        lib.render_presets(photo, bytes).map_err(|e| e.to_string())
    })
}

/// A photo just staged, with its original's bytes (for its renditions).
type NewPhoto = (Box<Photo>, Vec<u8>);

/// Stage one file; a new photo comes back with its bytes, for its renditions.
fn add_one(
    lib: &mut Library,
    path: &Path,
    read: Read,
    edits: &[(String, Value)],
    by: &str,
) -> (Report, Option<NewPhoto>) {
    let shown = path.display().to_string();
    let prepared = match read {
        Ok(r) => r,
        Err(e) => return (failed(shown, e), None),
    };
    let now = Timestamp::now();
    let report = match lib.add_owned(prepared, edits, by, now) {
        Ok((Added::New(photo), bytes)) => {
            let report = Report {
                path: shown,
                id: Some(photo.id.to_hex()),
                status: "added",
                error: None,
                missing: photo.missing.clone(),
                credit: credit_of(&photo),
                rendition_warnings: Vec::new(),
            };
            return (report, Some((photo, bytes)));
        }
        Ok((Added::Duplicate(id), _)) => {
            let stored = lib.photo(&id).ok();
            Report {
                path: shown,
                missing: stored
                    .as_ref()
                    .map(|p| p.missing.clone())
                    .unwrap_or_default(),
                credit: stored.as_ref().and_then(credit_of),
                id: Some(id.to_hex()),
                status: "duplicate",
                error: None,
                rendition_warnings: Vec::new(),
            }
        }
        Err(e) => failed(shown, e.to_string()),
    };
    (report, None)
}

/// Mark as duplicates the staged photos another writer stored first (records in
/// PostgreSQL); returns how many.
fn raced(staged: &mut [Report], lost: &[crate::BlobId]) -> usize {
    let mut n = 0;
    for r in staged.iter_mut().filter(|r| r.status == "added") {
        if lost
            .iter()
            .any(|id| r.id.as_deref() == Some(id.to_hex().as_str()))
        {
            r.status = "duplicate";
            n += 1;
        }
    }
    n
}

pub(super) fn failed(path: String, error: String) -> Report {
    Report {
        path,
        id: None,
        status: "failed",
        error: Some(error),
        missing: Vec::new(),
        credit: None,
        rendition_warnings: Vec::new(),
    }
}

pub(super) fn print_reports(reports: &[Report], json: bool, out: &mut impl Write) -> Result<()> {
    for r in reports {
        if json {
            json_line(out, r)?;
            continue;
        }
        let path = clean(&r.path);
        let id = r.id.as_deref().unwrap_or("");
        let credit = r.credit.as_deref().map_or("(no credit)".to_string(), clean);
        match r.status {
            "added" if r.missing.is_empty() => {
                writeln!(out, "added      {id}  {path}\n           {credit}")?
            }
            "added" => writeln!(
                out,
                "added      {id}  {path}\n           {credit}  (incomplete: needs {})",
                r.missing.join(", ")
            )?,
            "duplicate" => writeln!(out, "duplicate  {path}: already stored as {id}")?,
            _ => writeln!(
                out,
                "failed     {path}: {}",
                clean(r.error.as_deref().unwrap_or("unknown error"))
            )?,
        }
        for w in &r.rendition_warnings {
            writeln!(out, "           warning: {}", clean(w))?;
        }
    }
    out.flush()?;
    Ok(())
}
