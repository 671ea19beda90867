//! Benchmark: judge 100,000 printed credits against the lines their photos require, as the
//! audit does for 100,000 recorded uses. Photos are the rows of
//! `tests/data/credit-lines.tsv`; each use prints the required line right, wrapped, with a
//! wrong year, or with an extra agency, in every built-in style. Prints the wall-clock time;
//! asserts nothing.
//!
//! Usage: `cargo bench --bench compare [-- USES]`.

use std::time::Instant;

use byline::credit::{self, Style};
use byline::model::Fields;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let uses: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let tsv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/credit-lines.tsv"
    ))?;
    let styles: Vec<Style> = ["default", "ap", "reuters", "afp", "getty", "epa", "sputnik"]
        .iter()
        .filter_map(|n| credit::builtin(n))
        .collect();
    // (fields, style, printed) for every use, built before the clock starts.
    let mut cases: Vec<(Fields, &Style, String)> = Vec::new();
    for (i, line) in tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .enumerate()
    {
        let fields = Fields {
            credit_line: Some(line.to_string()),
            year: Some(2013),
            ..Fields::default()
        };
        for style in &styles {
            let required = credit::required_line(&fields, style);
            let printed = match i % 4 {
                0 => required,
                1 => format!("Photo: {required}."),
                2 => required.replace("2013", "2023"),
                _ => format!("{required} / Getty Images"),
            };
            cases.push((fields.clone(), style, printed));
        }
    }
    if cases.is_empty() {
        return Err("no credit lines read".into());
    }
    let start = Instant::now();
    let mut findings = 0usize;
    for n in 0..uses {
        let (fields, style, printed) = &cases[n % cases.len()];
        let expected = credit::required_line(fields, style);
        findings += credit::compare(&expected, printed, style).len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "compare: {uses} uses in {secs:.3} s = {:.0} uses/s ({findings} findings)",
        uses as f64 / secs
    );
    Ok(())
}
