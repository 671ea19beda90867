//! Benchmark driver for `tests/bench/render.sh`: renders the four default presets of each
//! photo given with one `render_set` call per photo (one decode, cascaded sizes), writes
//! them to the output directory and prints the wall-clock time. Not a test; it asserts
//! nothing.
//!
//! Usage: `cargo bench --bench render -- [--jobs N] OUT_DIR PHOTO...` — with `--jobs 2`,
//! two photos are rendered at once (one per core), as a batch ingest would.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use byline::model::Fields;
use byline::rendition::{Spec, default_presets, render_set};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let mut jobs = 1;
    let mut args = Vec::new();
    let mut raw = std::env::args().skip(1);
    while let Some(a) = raw.next() {
        match a.as_str() {
            "--jobs" => jobs = raw.next().ok_or("--jobs needs a number")?.parse()?,
            // `cargo bench` passes `--bench`.
            a if a.starts_with("--") => {}
            _ => args.push(a),
        }
    }
    let Some((out, photos)) = args.split_first() else {
        return Err("usage: render [--jobs N] OUT_DIR PHOTO...".into());
    };
    std::fs::create_dir_all(out)?;
    let specs: Vec<Spec> = default_presets().into_iter().map(|(_, s)| s).collect();
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                scope.spawn(|| -> Result<usize, BoxError> {
                    let mut count = 0;
                    while let Some(photo) = photos.get(next.fetch_add(1, Ordering::Relaxed)) {
                        count += render_one(Path::new(out), Path::new(photo), &specs)?;
                    }
                    Ok(count)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| BoxError::from("worker panicked"))?)
            .collect::<Result<Vec<usize>, BoxError>>()
    })?;
    let count: usize = counts.iter().sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "byline (jobs {jobs}): {count} renditions in {secs:.3} s = {:.1} renditions/s",
        count as f64 / secs
    );
    Ok(())
}

fn render_one(out: &Path, photo: &Path, specs: &[Spec]) -> Result<usize, BoxError> {
    let fields = Fields {
        creators: vec!["Bench Photographer".into()],
        credit_line: Some("Bench Agency".into()),
        ..Fields::default()
    };
    let bytes = std::fs::read(photo)?;
    let stem = photo
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("photo");
    let set = render_set(&bytes, specs, &fields)?;
    for (spec, r) in specs.iter().zip(&set) {
        std::fs::write(out.join(format!("{stem}-{}.jpg", spec.max_side)), &r.bytes)?;
    }
    Ok(set.len())
}
