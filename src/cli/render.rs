//! `render`, `renditions` and `identify`: resized copies that keep the credit, and which
//! stored photo a file is.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use jiff::Timestamp;

use super::ActorArg;
use super::output::{clean, json_line};
use crate::library::{Identified, Library};
use crate::model::OutputFormat;

/// Arguments of `byline render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The photo's id, or a unique prefix of at least 6 hex characters.
    id: String,
    /// A preset from the store's config (thumb, small, medium, large, or your own).
    #[arg(long, conflicts_with = "width")]
    preset: Option<String>,
    /// Longest side in pixels (never upscaled).
    #[arg(long, value_name = "W")]
    width: Option<u32>,
    /// Output format.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Encoder quality, 1–100 (default: the preset's, else 85).
    #[arg(long, value_name = "Q")]
    quality: Option<u8>,
    /// Write the rendition to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    actor: ActorArg,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// JPEG with EXIF, IIM and XMP credits.
    Jpeg,
    /// WebP with EXIF and XMP credits.
    Webp,
}

/// `byline render`.
pub fn render(
    lib: &mut Library,
    a: &RenderArgs,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = lib.resolve(&a.id)?;
    let format = a.format.map(|f| match f {
        FormatArg::Jpeg => OutputFormat::Jpeg,
        FormatArg::Webp => OutputFormat::Webp,
    });
    let (preset, spec) = lib
        .rendition_spec(a.preset.as_deref(), a.width, format, a.quality)
        .context("--preset, --width, --format or --quality")?;
    let (r, existed) = lib.render(
        &id,
        spec,
        preset.as_deref(),
        &a.actor.name(),
        Timestamp::now(),
    )?;
    super::print_warnings(lib);
    if let Some(path) = &a.out {
        let bytes = lib.blob(&r.id)?;
        std::fs::write(path, bytes).with_context(|| path.display().to_string())?;
    }
    let path = lib.blob_path(&r.id);
    if json {
        let mut v = serde_json::to_value(&r)?;
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("existing".into(), existed.into());
            if let Some(p) = &path {
                m.insert("path".into(), p.display().to_string().into());
            }
        }
        json_line(out, &v)?;
    } else {
        writeln!(
            out,
            "{} {}  {}×{} {}, {} bytes{}",
            if existed { "found   " } else { "rendered" },
            r.id,
            r.width,
            r.height,
            r.spec.format.extension(),
            r.bytes,
            a.out
                .as_ref()
                .map_or(String::new(), |p| format!(" → {}", p.display()))
        )?;
        if r.partial {
            writeln!(
                out,
                "note: the original is damaged; only the part that decoded is shown"
            )?;
        }
        // What was cut or left out to fit the metadata blocks, damage, colour problems.
        for w in &r.warnings {
            writeln!(out, "warning: {}", clean(w))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline renditions ID`.
pub fn renditions(lib: &Library, id: &str, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let id = lib.resolve(id)?;
    let photo = lib.photo(&id)?;
    if !json {
        writeln!(
            out,
            "{:<64}  {:<8}  {:>9}  {:<4}  {:>8}  CREDIT",
            "RENDITION", "PRESET", "SIZE", "FMT", "BYTES"
        )?;
    }
    for r in lib.renditions(&id)? {
        if json {
            json_line(out, &r)?;
            continue;
        }
        writeln!(
            out,
            "{:<64}  {:<8}  {:>9}  {:<4}  {:>8}  {}",
            r.id,
            r.preset.as_deref().unwrap_or("-"),
            format!("{}×{}", r.width, r.height),
            r.spec.format.extension(),
            r.bytes,
            if r.revision == photo.revision {
                "current"
            } else {
                "older revision"
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline identify FILE`.
pub fn identify(
    lib: &Library,
    file: &PathBuf,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| file.display().to_string())?;
    let found = lib.identify(&bytes)?;
    if json {
        json_line(out, &found)?;
    } else {
        match &found {
            Identified::Original { photo } => writeln!(out, "original of {photo}")?,
            Identified::Rendition { photo, rendition } => {
                writeln!(out, "rendition {rendition} of {photo}")?;
            }
            Identified::Similar { candidates } => {
                for (photo, d) in candidates {
                    writeln!(out, "looks like {photo} (distance {d} of 64 bits)")?;
                }
            }
            Identified::Unknown => writeln!(
                out,
                "unknown: no stored photo looks like {}",
                clean(&file.display().to_string())
            )?,
        }
    }
    Ok(if found == Identified::Unknown {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
