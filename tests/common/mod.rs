//! Helpers shared by the integration tests: a temporary store, the binary, the corpus and
//! samples, and JSON Schema validation of real output.
#![allow(dead_code)]

pub mod lines;
pub mod pg;
pub mod seaweed;
pub mod serve;
pub mod shared;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A file of the test corpus (`tests/data/corpus/images`; provenance in `tests/data/README.md`).
pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus/images")
        .join(name)
}

/// A bundled sample photo.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/photos")
        .join(name)
}

/// The samples folder of photos.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/photos")
}

/// A store in a temporary directory.
pub struct Store {
    pub dir: tempfile::TempDir,
}

impl Store {
    pub fn new() -> Store {
        Store {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// `byline --store STORE ARGS…`, with a fixed actor and no inherited store.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("byline").expect("the byline binary");
        c.env_remove("BYLINE_STORE")
            .env("USER", "tester")
            .arg("--store")
            .arg(self.path())
            .args(args);
        c
    }

    /// Run and return (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().expect("byline runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Run, expect exit 0, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "byline {args:?} failed: {err}\n{out}");
        out
    }

    /// Add files with `--json` and return each line.
    pub fn add(&self, paths: &[&Path]) -> Vec<Value> {
        let mut args = vec!["add".to_string(), "--json".to_string()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, out, _) = self.run(&refs);
        json_lines(&out)
    }

    /// The id of the photo `add` stored for `path`.
    pub fn add_one(&self, path: &Path) -> String {
        let lines = self.add(&[path]);
        lines[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{} was not added: {}", path.display(), lines[0]))
            .to_string()
    }

    /// `show --json ID` as a value.
    pub fn record(&self, id: &str) -> Value {
        serde_json::from_str(&self.ok(&["show", "--json", id])).expect("show --json is JSON")
    }
}

/// Parse JSON Lines.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Validate `value` against `schema/NAME`, with every schema in `schema/` resolvable by `$ref`.
pub fn check_schema(name: &str, value: &Value) {
    check_against(name, None, value);
}

/// Validate `value` against `schema` (when given, else `schema/NAME` itself), with every schema
/// in `schema/` resolvable by its `$id`; `name` labels the failure.
pub fn check_against(name: &str, schema: Option<Value>, value: &Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let mut registry = jsonschema::Registry::new();
    let mut root = None;
    for entry in std::fs::read_dir(&dir).expect("schema/") {
        let path = entry.expect("schema entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("schema file");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        let id = schema["$id"]
            .as_str()
            .expect("every schema has an $id")
            .to_string();
        if path.file_name().is_some_and(|f| f == name) {
            root = Some(schema.clone());
        }
        registry = registry.add(id, schema).expect("schema registers");
    }
    let registry = registry.prepare().expect("registry");
    let root = schema
        .or(root)
        .unwrap_or_else(|| panic!("no schema/{name}"));
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&root)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} rejects {value}:\n{}",
        errors.join("\n")
    );
}

/// Called when a peer program a test reads its output with (ExifTool, Chromium) is not
/// installed: the test is skipped with a message, unless `require_var` (e.g.
/// `BYLINE_REQUIRE_CHROMIUM`) is set, as CI sets it, and then the test fails. So a laptop
/// without the peer runs the suite, and CI can never pass by skipping.
pub fn skip_missing_peer(peer: &str, require_var: &str) {
    assert!(
        std::env::var_os(require_var).is_none(),
        "{require_var} is set but {peer} is not installed (apt-get install {})",
        match peer {
            "exiftool" => "libimage-exiftool-perl",
            other => other,
        }
    );
    eprintln!(
        "{peer} is not installed; skipping the check that needs it (set {require_var} to fail instead)"
    );
}
