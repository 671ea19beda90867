//! Credits as structure (issue 5, pure part): parsing real credit lines into parts,
//! rendering parts in every style, comparing printed with required lines, usage terms and
//! the photo's own checks. Table-driven; one `check_*` helper per area, one file per area:
//! `credit/parse.rs`, `credit/render.rs` (built-in and outlet styles), `credit/compare.rs`
//! (printed against required), `credit/checks.rs` (usage terms, the photo's own findings,
//! schema.org, the corpus records).

#[path = "credit/checks.rs"]
mod checks;
#[path = "credit/compare.rs"]
mod compare;
#[path = "credit/parse.rs"]
mod parse;
#[path = "credit/render.rs"]
mod render;

use std::collections::BTreeMap;

use byline::credit::OutletStyle;

const TSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/credit-lines.tsv");

/// One row of `tests/data/credit-lines.tsv` (format in `tests/data/credit-lines.md`).
struct Row {
    line: String,
    agency: Option<String>,
    creators: Vec<String>,
    via: Vec<String>,
    kind: String,
    notes: String,
}

fn list(field: &str) -> Vec<String> {
    if field.is_empty() {
        Vec::new()
    } else {
        field.split(" | ").map(String::from).collect()
    }
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(TSV).expect("tests/data/credit-lines.tsv is readable");
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            // Tab-separated, no quoting (credit-lines.md).
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "row has 7 fields: {l}");
            Row {
                line: f[0].to_string(),
                agency: (!f[1].is_empty()).then(|| f[1].to_string()),
                creators: list(f[2]),
                via: list(f[3]),
                kind: f[4].to_string(),
                notes: f[5].to_string(),
            }
        })
        .collect()
}

/// The outlet config the tests use: Sputnik's rule for AFP, as the issue words it.
const OUTLETS_TOML: &str = r#"
[sputnik-de]
description = "Sputnik Deutschland"
template = "© {agency} {year} / {CREATOR}"
case_sensitive = true

[sputnik-de.agencies]
AFP = "© AFP {year} / {CREATOR}"
Sputnik = "© Sputnik / {creator}"
Getty = "{creator}/{via}/Getty Images"

[plain]
template = "Photo: {creator} ({agency})"
"#;

fn outlets() -> BTreeMap<String, OutletStyle> {
    toml::from_str(OUTLETS_TOML).expect("the sample outlets parse")
}
