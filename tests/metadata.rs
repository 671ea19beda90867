//! Metadata reading (`byline::meta::extract`) over the shared corpus: agreement with
//! ExifTool's reading block by block, the MWG choice on the precedence files, charsets,
//! damaged files, and the `inspect --json` schema. Unit tests of each parser live beside it
//! in `src/meta/`; CLI stories belong in `cli.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use byline::meta::{Extracted, extract};
use serde_json::{Value, json};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus");

fn images() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(CORPUS).join("images"))
        .expect("the corpus is at tests/data/corpus")
        .map(|e| e.expect("readable corpus directory").path())
        .collect();
    files.sort();
    files
}

fn read(name: &str) -> Extracted {
    let bytes = std::fs::read(Path::new(CORPUS).join("images").join(name)).expect("corpus file");
    extract(&bytes).expect("a corpus image is readable")
}

/// ExifTool's reading of one file: tag → value.
fn exiftool(name: &str) -> BTreeMap<String, Value> {
    let path = Path::new(CORPUS)
        .join("exiftool")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(path).expect("ExifTool JSON for every corpus file");
    let mut list: Vec<BTreeMap<String, Value>> = serde_json::from_str(&text).expect("JSON");
    list.pop().expect("one record")
}

/// ExifTool's value as ours is shaped: `-n` numbers become text, `""` means absent (we keep
/// no empty values), and a single value of a list tag becomes a one-item list.
fn theirs(et: &BTreeMap<String, Value>, tag: &str, as_list: bool) -> Option<Value> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let v = et.get(tag)?;
    let v = match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| Value::String(text(x))).collect()),
        _ if as_list => Value::Array(vec![Value::String(text(v))]),
        _ => Value::String(text(v)),
    };
    (v != json!("") && v != json!([""])).then_some(v)
}

/// ExifTool prints dates `YYYY:MM:DD HH:MM:SS`, every date in a value; ours are ISO 8601
/// (`YYYY-MM-DDTHH:MM:SS`).
fn iso(exiftool_date: &str) -> String {
    let mut b = exiftool_date.as_bytes().to_vec();
    let digit = |b: &[u8], r: std::ops::Range<usize>| {
        b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit))
    };
    for at in 0..b.len() {
        if digit(&b, at..at + 4)
            && b.get(at + 4) == Some(&b':')
            && digit(&b, at + 5..at + 7)
            && b.get(at + 7) == Some(&b':')
            && digit(&b, at + 8..at + 10)
        {
            b[at + 4] = b'-';
            b[at + 7] = b'-';
            if b.get(at + 10) == Some(&b' ') {
                b[at + 10] = b'T';
            }
        }
    }
    String::from_utf8(b).expect("ASCII edits keep UTF-8")
}

/// Where ExifTool is wrong, and why. ExifTool decodes IIM without 1:90 as Windows-1252
/// (`-charset iptc=Latin`), so bytes that are UTF-8 or Mac Roman come out as mojibake.
/// Each entry: file, block, field, ExifTool's value, the correct value.
const EXIFTOOL_WRONG: &[(&str, &str, &str, &str, &str)] = &[
    // The IIM bytes are C2 A9, UTF-8 for ©; the file's EXIF and XMP say "© Corbis" too.
    (
        "corbis-utf8-no-charset.jpg",
        "iptc",
        "copyright",
        "Â© Corbis.  All Rights Reserved.",
        "© Corbis.  All Rights Reserved.",
    ),
    // Byte 0x9F is ü in Mac Roman (Apple's MAC ROMAN table); Ÿ inside a lower-case word is
    // not German. The photographer is Jens Trübiger.
    (
        "macroman-multi-app13.jpg",
        "iptc",
        "creators",
        "Jens TrŸbiger",
        "Jens Trübiger",
    ),
];

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    exifwrong: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Compare one block's value of one field with ExifTool's.
    fn check(
        &mut self,
        file: &str,
        block: &str,
        field: &str,
        ours: Option<&Value>,
        et: Option<Value>,
    ) {
        if ours.is_none() && et.is_none() {
            return;
        }
        self.compared += 1;
        let wrong = EXIFTOOL_WRONG
            .iter()
            .find(|w| (w.0, w.1, w.2) == (file, block, field));
        if let Some(&(_, _, _, et_value, correct)) = wrong {
            // ExifTool still reads what the table says it does, and we read the right text.
            let one = |s: &str| match ours {
                Some(Value::Array(_)) => json!([s]),
                _ => json!(s),
            };
            assert_eq!(
                et,
                Some(one(et_value)),
                "{file} {block} {field}: ExifTool's reading"
            );
            assert_eq!(
                ours,
                Some(&one(correct)),
                "{file} {block} {field}: our reading"
            );
            self.exifwrong += 1;
            return;
        }
        if ours == et.as_ref() {
            self.agreed += 1;
        } else {
            self.failures.push(format!(
                "{file} {block} {field}: ours {ours:?}, ExifTool {et:?}"
            ));
        }
    }
}

#[test]
fn agrees_with_exiftool_block_by_block() {
    let mut t = Tally::default();
    for path in images() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        let ours = read(name);
        let et = exiftool(name);
        let block = |field: &str, b: &str| ours.blocks.get(field).and_then(|m| m.get(b));

        // (field, block, ExifTool tag, list?)
        let plain: &[(&str, &str, &str, bool)] = &[
            ("copyright", "exif", "IFD0:Copyright", false),
            ("caption", "exif", "IFD0:ImageDescription", false),
            ("creators", "iptc", "IPTC:By-line", true),
            ("credit_line", "iptc", "IPTC:Credit", false),
            ("source", "iptc", "IPTC:Source", false),
            ("copyright", "iptc", "IPTC:CopyrightNotice", false),
            ("caption", "iptc", "IPTC:Caption-Abstract", false),
            ("headline", "iptc", "IPTC:Headline", false),
            ("city", "iptc", "IPTC:City", false),
            ("country", "iptc", "IPTC:Country-PrimaryLocationName", false),
            ("keywords", "iptc", "IPTC:Keywords", true),
            ("instructions", "iptc", "IPTC:SpecialInstructions", false),
            ("creators", "xmp", "XMP-dc:Creator", true),
            ("credit_line", "xmp", "XMP-photoshop:Credit", false),
            ("source", "xmp", "XMP-photoshop:Source", false),
            ("copyright", "xmp", "XMP-dc:Rights", false),
            ("caption", "xmp", "XMP-dc:Description", false),
            ("headline", "xmp", "XMP-photoshop:Headline", false),
            ("city", "xmp", "XMP-photoshop:City", false),
            ("country", "xmp", "XMP-photoshop:Country", false),
            ("keywords", "xmp", "XMP-dc:Subject", true),
            ("instructions", "xmp", "XMP-photoshop:Instructions", false),
            ("creators", "png", "PNG:Author", true),
            ("copyright", "png", "PNG:Copyright", false),
            ("headline", "png", "PNG:Title", false),
            ("caption", "png", "PNG:Description", false),
        ];
        for &(field, b, tag, list) in plain {
            t.check(name, b, field, block(field, b), theirs(&et, tag, list));
        }

        // EXIF Artist holds several creators joined by "; " (MWG); ours is the list.
        let artist = theirs(&et, "IFD0:Artist", false).map(|v| {
            let s = v.as_str().unwrap_or_default().to_string();
            Value::Array(s.split(';').map(|p| json!(p.trim())).collect())
        });
        t.check(name, "exif", "creators", block("creators", "exif"), artist);

        // Dates: EXIF DateTimeOriginal + SubSecTimeOriginal + OffsetTimeOriginal; IIM 2:55 +
        // 2:60; XMP photoshop:DateCreated, else exif:DateTimeOriginal. Ours are ISO 8601.
        let s = |tag: &str| theirs(&et, tag, false).and_then(|v| v.as_str().map(String::from));
        let exif_date = s("ExifIFD:DateTimeOriginal").map(|d| {
            let mut d = iso(&d);
            if let Some(sub) = s("ExifIFD:SubSecTimeOriginal") {
                d = format!("{d}.{sub}");
            }
            d + &s("ExifIFD:OffsetTimeOriginal").unwrap_or_default()
        });
        let iim_date = s("IPTC:DateCreated").map(|d| match s("IPTC:TimeCreated") {
            Some(t) => format!("{}T{t}", iso(&d)),
            None => iso(&d),
        });
        let xmp_date = s("XMP-photoshop:DateCreated")
            .or_else(|| s("XMP-exif:DateTimeOriginal"))
            .map(|d| iso(&d));
        for (b, et_date) in [("exif", exif_date), ("iptc", iim_date), ("xmp", xmp_date)] {
            t.check(
                name,
                b,
                "date_created",
                block("date_created", b),
                et_date.map(Value::String),
            );
        }

        let num = |v: Option<u32>| v.map(|n| json!(n));
        let orientation = ours.orientation.map(|o| json!(o));
        t.check(
            name,
            "exif",
            "orientation",
            orientation.as_ref(),
            et.get("IFD0:Orientation").cloned(),
        );
        let size = |axis: &str| {
            ["File", "PNG", "IFD0", "RIFF"]
                .iter()
                .find_map(|g| et.get(&format!("{g}:Image{axis}")).cloned())
        };
        t.check(
            name,
            "file",
            "width",
            num(ours.width).as_ref(),
            size("Width"),
        );
        t.check(
            name,
            "file",
            "height",
            num(ours.height).as_ref(),
            size("Height"),
        );
    }
    println!(
        "compared {} field values with ExifTool: {} agree, {} where ExifTool is wrong (asserted), {} differ",
        t.compared,
        t.agreed,
        t.exifwrong,
        t.failures.len()
    );
    assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
    assert_eq!(
        t.exifwrong,
        EXIFTOOL_WRONG.len(),
        "every listed exception is met"
    );
    assert!(
        t.compared > 300,
        "the corpus was really walked ({})",
        t.compared
    );
}

/// Every chosen text or list value of a field, for label checks.
fn chosen(e: &Extracted) -> Vec<(&'static str, String)> {
    let f = &e.fields;
    let mut v = vec![
        ("caption", f.caption.clone()),
        ("copyright", f.copyright.clone()),
        ("date_created", f.date_created.clone()),
        ("city", f.city.clone()),
    ];
    v.push(("creators", Some(f.creators.join("; "))));
    v.push(("keywords", Some(f.keywords.join("; "))));
    v.into_iter()
        .filter_map(|(k, x)| x.filter(|x| !x.is_empty()).map(|x| (k, x)))
        .collect()
}

#[test]
fn mwg_choice_on_exiftools_precedence_file() {
    // ExifTool's MWG.jpg labels each block's value RIGHT or WRONG for the MWG read rules.
    let e = read("exiftool-mwg-precedence.jpg");
    let labelled = chosen(&e);
    for (field, value) in &labelled {
        if *field != "date_created" {
            assert!(
                value.contains("RIGHT") && !value.contains("WRONG"),
                "{field}: {value}"
            );
        }
    }
    assert!(labelled.len() >= 5, "{labelled:?}");
    assert_eq!(
        e.fields.creators,
        ["RIGHT1of2-EXIF-Creator", "RIGHT2of2-EXIF-Creator"]
    );
    assert_eq!(e.fields.copyright.as_deref(), Some("RIGHT-XMP-Copyright"));
    // Dates are not labelled; ExifTool's MWG composite is EXIF's 2001:01:01 01:11:11.111.
    assert_eq!(
        e.fields.date_created.as_deref(),
        Some("2001-01-01T01:11:11.111")
    );
    assert_eq!(e.sources["caption"], "exif");
    assert_eq!(e.sources["copyright"], "xmp");
    assert_eq!(e.sources["keywords"], "xmp");
    // Every disagreement is on the record.
    for field in ["caption", "copyright", "creators", "city", "keywords"] {
        assert!(
            e.warnings
                .iter()
                .any(|w| w.starts_with(&format!("{field}: blocks disagree"))),
            "{field}: {:?}",
            e.warnings
        );
    }
}

#[test]
fn mwg_choice_when_every_block_differs_and_the_digest_is_stale() {
    // Each block marks its own value: (Exif), (IIM), (XMP). EXIF wins caption, creator and
    // copyright; the IPTCDigest is stale, so IIM beats XMP elsewhere.
    let e = read("seibert-iim-xmp-exif-disagree.jpg");
    assert_eq!(e.fields.creators, ["Carl Seibert (Exif)"]);
    assert!(
        e.fields
            .copyright
            .as_deref()
            .is_some_and(|c| c.ends_with("(Exif)"))
    );
    assert!(
        e.fields
            .caption
            .as_deref()
            .is_some_and(|c| c.starts_with("(This caption in Exif)"))
    );
    assert_eq!(e.blocks["creators"]["iptc"], json!(["Carl Seibert (IIM)"]));
    assert_eq!(e.blocks["creators"]["xmp"], json!(["Carl Seibert (XMP)"]));
    assert_eq!(e.sources["credit_line"], "iptc");
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("IPTCDigest does not match"))
    );
    for field in ["caption", "copyright", "creators"] {
        assert!(
            e.warnings
                .iter()
                .any(|w| w.starts_with(&format!("{field}: blocks disagree")))
        );
    }
}

#[test]
fn malformed_dates_are_kept_but_not_chosen() {
    // Hubble's XMP says photoshop:DateCreated="2009-09-09T17:00:00, 2009-09-09".
    let e = read("hubble-jupiter-progressive.jpg");
    assert_eq!(
        e.blocks["date_created"]["xmp"],
        json!("2009-09-09T17:00:00, 2009-09-09")
    );
    assert_eq!(e.sources["date_created"], "iptc");
    assert_eq!(
        e.fields.date_created.as_deref(),
        Some("2009-09-09T17:00:00+00:00")
    );
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("not an ISO 8601 date"))
    );
}

#[test]
fn iim_cut_at_its_limit_gives_way_to_xmp() {
    // By-line is 32 bytes in IIM ("…Class (") and the full text in XMP ("…Class (A").
    let e = read("navy-reagan-small.png");
    let iim = &e.blocks["creators"]["iptc"];
    assert_eq!(iim, &json!(["Photographerís Mate 3rd Class ("]));
    assert_eq!(e.fields.creators, ["Photographerís Mate 3rd Class (A"]);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.starts_with("creators: the IIM value fills its 32-byte"))
    );
}

#[test]
fn charsets_without_1_90() {
    // Latin-1 © (0xA9): read as Windows-1252 and said so.
    let e = read("canon-7d-latin1-iim.jpg");
    assert_eq!(e.blocks["copyright"]["iptc"], json!("© Peter Bemmann"));
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("2:116 as Windows-1252")),
        "{:?}",
        e.warnings
    );
    // UTF-8 bytes without 1:90 are UTF-8, no warning needed.
    let e = read("corbis-utf8-no-charset.jpg");
    assert_eq!(
        e.blocks["copyright"]["iptc"],
        json!("© Corbis.  All Rights Reserved.")
    );
    assert!(!e.warnings.iter().any(|w| w.contains("Windows-1252")));
    // 1:90 = ESC - A declares Latin-1 (ExifTool reads the same).
    let e = read("iim-iso8859-1-escape.jpg");
    assert_eq!(
        e.fields.headline.as_deref(),
        Some("l'Affiche présentait étaient")
    );
}

#[test]
fn lang_alt_keeps_x_default_and_the_other_languages() {
    let e = read("digikam-persian.heic");
    let et = exiftool("digikam-persian.heic");
    assert_eq!(
        e.fields.copyright.as_deref(),
        Some("2025 Aidin Gharibnavaz")
    );
    assert_eq!(
        e.alt_languages["copyright"].get("fa-IR").map(|s| json!(s)),
        et.get("XMP-dc:Rights-fa-IR").cloned()
    );
}

#[test]
fn broken_files_give_partial_results_with_warnings_and_never_hang() {
    for name in [
        "broken-exif-bad-offset.jpg",
        "broken-exif-ifd-loop.jpg",
        "broken-interop-ifd-cycle.jpg",
        "broken-truncated-scan.jpg",
    ] {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read(name));
        });
        let e = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{name}: extract hung or panicked"));
        // The frame size survives; EXIF orientation too wherever ExifTool finds one.
        assert!(e.width.is_some(), "{name}: partial result");
        let et = exiftool(name);
        assert_eq!(
            e.orientation.map(|o| json!(o)),
            et.get("IFD0:Orientation").cloned()
        );
        assert!(
            !e.warnings.is_empty() || e.truncated,
            "{name}: damage is reported"
        );
    }
    let e = read("broken-exif-bad-offset.jpg");
    assert_eq!(e.fields.creators, ["SEBASTIAN WAGNER"]);
    assert!(read("broken-truncated-scan.jpg").truncated);
    // Every prefix of a real file reads without panicking.
    let bytes = std::fs::read(Path::new(CORPUS).join("images/seibert-iim-xmp-exif-disagree.jpg"))
        .expect("corpus file");
    for cut in (4..bytes.len()).step_by(997) {
        let _ = extract(bytes.get(..cut).unwrap_or_default());
    }
}

#[test]
fn inspect_json_matches_its_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/inspect.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for path in images() {
        let bytes = std::fs::read(&path).expect("corpus file");
        let json = serde_json::to_value(extract(&bytes).expect("readable")).expect("serialises");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    // The schema is not vacuous: a wrong type is refused.
    assert!(!validator.is_valid(&json!({"format": "gif"})));
}
