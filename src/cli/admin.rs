//! `export`, `import`, `verify` and `reindex`: whole-store operations.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::output::json_line;
use super::output::json_pretty;
use crate::library::{ExportLine, Library, Step};

/// `byline export [--out FILE]`: JSON Lines, written via a temp file and rename.
pub fn export(lib: &Library, file: Option<&Path>, out: &mut impl Write) -> Result<ExitCode> {
    // Streams: one record and its history in memory at a time.
    let lines = lib.export()?;
    match file {
        None => {
            // Buffered: stdout is line-buffered, and an export is a line a photo.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
            for l in lines {
                json_line(&mut out, &l?)?;
            }
            out.flush()?;
        }
        Some(path) => {
            let tmp = path.with_extension("tmp-export");
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(&tmp).with_context(|| tmp.display().to_string())?,
            );
            let mut n = 0usize;
            for l in lines {
                json_line(&mut f, &l?)?;
                n += 1;
            }
            let f = f.into_inner().context("writing the export")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path).with_context(|| path.display().to_string())?;
            eprintln!("exported {n} photos to {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline import FILE`.
pub fn import(
    lib: &mut Library,
    file: &Path,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    // Two passes so a damaged file imports nothing (the first checks every line, its history
    // replayed included) while memory stays flat: the second imports and commits a thousand
    // records at a time.
    let records = |f: std::fs::File| {
        std::io::BufReader::new(f)
            .lines()
            .enumerate()
            .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
            .map(|(n, line)| -> Result<(usize, ExportLine)> {
                let line = line.with_context(|| file.display().to_string())?;
                let record = serde_json::from_str(&line).with_context(|| {
                    format!("{} line {}: not an export record", file.display(), n + 1)
                })?;
                Ok((n + 1, record))
            })
    };
    let open = || std::fs::File::open(file).with_context(|| file.display().to_string());
    for record in records(open()?) {
        let (n, record) = record?;
        record
            .check()
            .with_context(|| format!("{} line {n}", file.display()))?;
    }
    let mut summary = crate::library::ImportSummary::default();
    let mut chunk = Vec::with_capacity(1000);
    let mut all = records(open()?).peekable();
    while let Some(record) = all.next() {
        chunk.push(record?.1);
        if chunk.len() == 1000 || all.peek().is_none() {
            let done = lib.import(std::mem::take(&mut chunk))?;
            summary.imported += done.imported;
            summary.already_present += done.already_present;
            summary.without_original.extend(done.without_original);
        }
    }
    if json {
        json_line(out, &summary)?;
    } else {
        writeln!(
            out,
            "{} imported, {} already present",
            summary.imported, summary.already_present
        )?;
        if !summary.without_original.is_empty() {
            writeln!(
                out,
                "{} imported records have no original in this store yet; `byline add` the \
                 files to attach them",
                summary.without_original.len()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline verify`.
pub fn verify(lib: &Library, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    print_verify(&lib.verify()?, json, out)
}

/// `byline verify --repair`: verify, then remove the orphan blobs it found.
pub fn repair(
    lib: &mut Library,
    min_age: std::time::Duration,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let mut report = lib.verify()?;
    lib.remove_orphans(&mut report, min_age)?;
    if !json {
        for id in &report.removed_orphans {
            writeln!(out, "removed orphan blob: {id}")?;
        }
        for id in &report.young_orphans {
            writeln!(
                out,
                "kept orphan blob {id}: stored under {} s ago, another server may be about to \
                 record it (--min-age)",
                min_age.as_secs()
            )?;
        }
    }
    print_verify(&report, json, out)
}

/// Print what `verify` found (here or on a server); exit 1 when anything is wrong.
pub(super) fn print_verify(
    r: &crate::library::VerifyReport,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if json {
        json_pretty(out, r)?;
    } else {
        writeln!(
            out,
            "checked {} blobs and {} records",
            r.blobs_checked, r.records_checked
        )?;
        let groups: [(&str, Vec<String>); 5] = [
            (
                "corrupt blob",
                r.corrupt_blobs.iter().map(|i| i.to_hex()).collect(),
            ),
            (
                "missing original",
                r.missing_originals.iter().map(|i| i.to_hex()).collect(),
            ),
            (
                "orphan blob",
                r.orphan_blobs.iter().map(|i| i.to_hex()).collect(),
            ),
            ("stray file", r.stray_files.clone()),
            ("index mismatch", r.index_mismatches.clone()),
        ];
        for (what, items) in groups {
            for i in items {
                writeln!(out, "{what}: {i}")?;
            }
        }
        if r.is_clean() {
            writeln!(out, "ok: the store is sound")?;
        }
    }
    Ok(if r.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `byline migrate --blobs URL|local`.
pub fn migrate(
    lib: &mut Library,
    to: &str,
    jobs: usize,
    remote: &[(String, String)],
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let to = (to != "local").then_some(to);
    let bar = progress_bar("{bar:40} {pos}/{len} blobs {per_sec}");
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = lib.migrate_blobs(to, remote, jobs, &progress)?;
    bar.finish_and_clear();
    if json {
        json_line(out, &report)?;
    } else {
        writeln!(
            out,
            "moved {} blobs to {}: {} copied, {} already there, {} repaired; every one read \
             back and checked",
            report.blobs - report.missing.len(),
            report.to,
            report.copied,
            report.already_there,
            report.repaired
        )?;
        for id in &report.missing {
            writeln!(out, "missing at the old place too: {id}")?;
        }
        writeln!(
            out,
            "config.toml now points at {}; the old copies are still where they were",
            report.to
        )?;
    }
    Ok(if report.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `byline migrate --to URL|DIR [--blobs s3://…]`: move the whole store into PostgreSQL,
/// or from PostgreSQL back to a local folder.
pub fn move_store(
    lib: &Library,
    to: &str,
    blobs: Option<&str>,
    jobs: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let bar = progress_bar("{msg:9} {bar:40} {pos}/{len} {per_sec}");
    let progress = |step: Step, done: usize, total: usize| {
        let name = match step {
            Step::Blobs => "blobs",
            Step::Records => "photos",
            Step::Checking => "checking",
        };
        if bar.message() != name {
            bar.set_message(name);
            bar.reset();
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = match super::postgres_url(Path::new(to)) {
        Some(url) => {
            if crate::records::has_password(url) {
                anyhow::bail!("a password on the command line shows in `ps`: put it in PGPASSWORD");
            }
            let Some(blobs) = blobs.filter(|b| b.starts_with("s3://")) else {
                anyhow::bail!(
                    "a store in PostgreSQL keeps its blobs in a bucket every server reaches: \
                     give --blobs s3://BUCKET/PREFIX"
                );
            };
            let password = std::env::var("PGPASSWORD").ok();
            let work = super::work_dir(url);
            let pg = crate::library::PgStore {
                url,
                password: password.as_deref(),
                work: &work,
            };
            let remote = super::remote_settings();
            lib.move_to_postgres(pg, blobs, &remote, jobs, &progress)
                .with_context(|| {
                    format!("cannot move the store to {}", crate::records::redact(url))
                })?
        }
        None => {
            if blobs.is_some() {
                anyhow::bail!("--to DIR keeps the blobs in DIR/blobs: leave out --blobs");
            }
            let holder = format!("byline migrate (pid {})", std::process::id());
            lib.move_to_local(Path::new(to), &holder, jobs, &progress)
                .with_context(|| format!("cannot move the store to {to}"))?
        }
    };
    bar.finish_and_clear();
    if json {
        json_line(out, &report)?;
    } else {
        let b = &report.blobs;
        writeln!(
            out,
            "moved {} photos to {}: {} copied, {} already there; {} tokens copied",
            report.photos,
            report.to,
            report.copied_photos,
            report.photos_already_there,
            report.copied_tokens
        )?;
        writeln!(
            out,
            "blobs: {} copied, {} already there, {} repaired; every record compared and every \
             blob read back",
            b.copied, b.already_there, b.repaired
        )?;
        for id in &b.missing {
            writeln!(out, "missing at the old place too: {id}")?;
        }
        writeln!(out, "the old store is left as it was")?;
    }
    Ok(if report.blobs.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A progress bar on stderr when it is a terminal, else a hidden one.
fn progress_bar(template: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// `byline reindex`: `lib` was opened with `Access::Reindex`, which rebuilt the index.
pub fn reindex(lib: &Library, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let n = lib.len()?;
    if json {
        json_line(out, &serde_json::json!({ "photos": n }))?;
    } else {
        writeln!(out, "rebuilt the index from the journal: {n} photos")?;
    }
    Ok(ExitCode::SUCCESS)
}
