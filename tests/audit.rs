//! The publication ledger and the attribution audit, end to end through the binary: uses
//! recorded right and wrong, the exact findings they produce, and a clean audit once fixed.
//! Report formats (JSON against its schema, CSV, HTML) are checked here too.

mod common;

use std::collections::BTreeSet;

use common::{Store, check_schema, json_lines, sample, samples_dir};
use serde_json::Value;

/// (kind, use id, wrong part) of every violation in an audit report.
fn violations(report: &Value) -> BTreeSet<(String, Option<u64>, Option<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "violation")
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_string(),
                f["use_id"].as_u64(),
                f["part"].as_str().map(String::from),
            )
        })
        .collect()
}

fn audit_json(s: &Store, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["audit", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = s.run(&args);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    check_schema("audit.schema.json", &report);
    (code, report)
}

fn record(s: &Store, args: &[&str]) -> u64 {
    let mut a = vec!["use", "--json"];
    a.extend_from_slice(args);
    let line = json_lines(&s.ok(&a)).remove(0);
    check_schema("use.schema.json", &line);
    line["id"].as_u64().expect("use id")
}

fn id_of(lines: &[Value], file: &str) -> String {
    lines
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(file)))
        .and_then(|l| l["id"].as_str())
        .unwrap_or_else(|| panic!("{file} was not added"))
        .to_string()
}

#[test]
fn uses_right_and_wrong_give_exactly_the_expected_findings_then_a_clean_audit() {
    let s = Store::new();
    let added = s.add(&[samples_dir().as_path()]);
    let nato = id_of(&added, "afp-nato-brussels.jpg");
    // A photo whose licence ran out, one under embargo, editorial only, not for China.
    let grab = id_of(&added, "no-metadata-grab.png");
    s.ok(&[
        "edit",
        &grab,
        "--caption",
        "Flood seen from a phone video",
        "--creator",
        "Ana Ruiz",
        "--agency",
        "EFE",
        "--year",
        "2024",
        "--expires",
        "2024-06-30",
        "--embargo-until",
        "2024-03-01T12:00:00Z",
        "--editorial-only",
        "--restricted-territory",
        "CN",
    ]);
    let page = |n: u32| format!("https://sputnik.example/world/2023102{n}.html");
    let right = record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(1),
            "--published",
            "2023-10-22",
            "--printed-credit",
            "© AFP 2013 / JOHN THYS",
        ],
    );
    let year = record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(2),
            "--published",
            "2023-10-22",
            "--printed-credit",
            "© AFP 2023 / JOHN THYS",
        ],
    );
    let agency = record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(3),
            "--published",
            "2023-10-23",
            "--printed-credit",
            "© Reuters 2013 / JOHN THYS",
        ],
    );
    let none = record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(4),
            "--published",
            "2023-10-23",
            "--no-credit",
        ],
    );
    let grab_url = "https://daily.example/flood";
    let late = record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            grab_url,
            "--published",
            "2024-07-02",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
        ],
    );
    let early = record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/early",
            "--published",
            "2024-03-01T09:00:00Z",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
        ],
    );
    let ad = record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/ad",
            "--published",
            "2024-04-01",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
            "--commercial",
        ],
    );
    let china = record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/cn",
            "--published",
            "2024-04-01",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
            "--territory",
            "cn",
        ],
    );

    let (code, report) = audit_json(&s, &[]);
    assert_eq!(code, 1, "violations fail the audit");
    let expected: BTreeSet<(String, Option<u64>, Option<String>)> = [
        ("credit_wrong", Some(year), Some("year")),
        ("credit_wrong", Some(agency), Some("agency")),
        ("credit_missing", Some(none), None),
        ("expired", Some(late), None),
        ("embargo", Some(early), None),
        ("commercial_use", Some(ad), None),
        ("territory", Some(china), None),
    ]
    .into_iter()
    .map(|(k, u, p)| (k.to_string(), u, p.map(String::from)))
    .collect();
    assert_eq!(violations(&report), expected);
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["use_id"] == right),
        "the right credit gives no finding"
    );
    let year_finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["use_id"] == year)
        .expect("the wrong-year finding");
    assert_eq!(year_finding["expected"], "© AFP 2013 / JOHN THYS");
    assert_eq!(year_finding["found"], "© AFP 2023 / JOHN THYS");

    // --outlet narrows the audit to one outlet's uses.
    let (_, sputnik) = audit_json(&s, &["--outlet", "sputnik"]);
    assert_eq!(sputnik["summary"]["uses_checked"], 4);
    assert_eq!(sputnik["summary"]["violations"], 3);

    // Fix everything: pages corrected and recorded again, the licence renewed.
    record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(2),
            "--published",
            "2023-10-22",
            "--printed-credit",
            "© AFP 2013 / JOHN THYS",
        ],
    );
    record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(3),
            "--published",
            "2023-10-23",
            "--printed-credit",
            "(c) AFP 2013 / John Thys",
        ],
    );
    record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            &page(4),
            "--published",
            "2023-10-23",
            "--printed-credit",
            "© AFP 2013 / JOHN THYS",
        ],
    );
    s.ok(&["edit", &grab, "--expires", "2025-12-31"]);
    record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/early",
            "--published",
            "2024-03-01T13:00:00Z",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
        ],
    );
    record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/ad",
            "--published",
            "2024-04-01",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
        ],
    );
    record(
        &s,
        &[
            &grab,
            "--outlet",
            "Daily",
            "--url",
            "https://daily.example/cn",
            "--published",
            "2024-04-01",
            "--printed-credit",
            "© EFE 2024 / Ana Ruiz",
            "--territory",
            "FR",
        ],
    );
    let (code, report) = audit_json(&s, &[]);
    assert_eq!(violations(&report), BTreeSet::new());
    assert_eq!(code, 0, "{report}");
    // The ledger keeps every record, corrected or not.
    assert_eq!(json_lines(&s.ok(&["uses", "--json"])).len(), 14);
    assert_eq!(json_lines(&s.ok(&["uses", "--json", &grab])).len(), 7);
    assert_eq!(
        json_lines(&s.ok(&["uses", "--json", "--since", "2024-03-02"])).len(),
        5
    );
}

#[test]
fn reports_come_as_csv_and_a_self_contained_html_page() {
    let s = Store::new();
    let nato = s.add_one(&sample("afp-nato-brussels.jpg"));
    record(
        &s,
        &[
            &nato,
            "--outlet",
            "Sputnik",
            "--url",
            "https://x.example/a,b",
            "--published",
            "2023-10-22",
            "--printed-credit",
            "© AFP 2023 / JOHN \"JT\" THYS",
        ],
    );
    let (code, csv, _) = s.run(&["audit", "--format", "csv"]);
    assert_eq!(code, 1);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("severity,kind,photo,use,outlet,url,part,expected,found,message")
    );
    let row = lines.next().expect("a finding row");
    assert!(row.starts_with("violation,credit_wrong,"), "{row}");
    assert!(
        row.contains("\"https://x.example/a,b\""),
        "commas are quoted: {row}"
    );
    assert!(
        row.contains("JOHN \"\"JT\"\" THYS"),
        "quotes are doubled: {row}"
    );

    let file = s.dir.path().join("audit.html");
    let (code, _, err) = s.run(&[
        "audit",
        "--format",
        "html",
        "--out",
        file.to_str().expect("path"),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("report written to"), "{err}");
    let html = std::fs::read_to_string(&file).expect("html report");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "no external assets"
    );
    // Each finding shows its photo: a thumbnail inlined as a data: URI that decodes to a small
    // JPEG, the stored caption, the page link, and the wrong words marked.
    let thumb = html
        .split("src=\"data:image/jpeg;base64,")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an inlined thumbnail");
    let jpeg =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, thumb).expect("base64");
    let img = image::load_from_memory(&jpeg).expect("the thumbnail decodes");
    assert!(
        img.width().max(img.height()) <= 240 && img.width() > 0,
        "{}",
        img.width()
    );
    assert!(
        html.contains("<figcaption>The NATO emblem"),
        "caption shown"
    );
    assert!(
        html.contains("<a href=\"https://x.example/a,b\" rel=\"noopener noreferrer\">"),
        "page link"
    );
    assert!(
        html.contains("<mark>2023</mark>"),
        "the wrong year is marked"
    );
    assert!(
        html.contains("JOHN &quot;JT&quot; THYS"),
        "printed text is escaped"
    );
    // The page must show what the JSON report says.
    let (_, report) = audit_json(&s, &[]);
    let summary = &report["summary"];
    let findings = report["findings"].as_array().expect("findings").len();
    assert_eq!(
        summary["violations"], 2,
        "wrong year and wrong creator (\"JT\")"
    );
    chromium_shows(
        &file,
        &[
            format!("{findings} findings shown"),
            format!(
                "{} violations, {} warnings",
                summary["violations"], summary["warnings"]
            ),
            "id=\"verdict\">FAIL<".to_string(),
            "credit_wrong".to_string(),
            "<img class=\"thumb\"".to_string(),
            "<mark>2023</mark>".to_string(),
        ],
    );
}

/// Load the page in headless Chromium (when installed; CI installs it) and read what it shows.
fn chromium_shows(file: &std::path::Path, expected: &[String]) {
    let Some(chromium) = ["chromium", "chromium-browser"].iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok()
    }) else {
        common::skip_missing_peer("chromium", "BYLINE_REQUIRE_CHROMIUM");
        return;
    };
    let profile = tempfile::tempdir().expect("profile dir");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    // The script ran (it fills "N findings shown"), and the summary and verdict are there.
    for text in expected {
        assert!(
            dom.contains(text.as_str()),
            "the page does not show {text:?}:\n{dom}"
        );
    }
}

/// (kind, photo, part) of every violation, for comparing page audits.
fn page_violations(report: &Value) -> BTreeSet<(String, String, Option<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "violation")
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_string(),
                f["photo"].as_str().unwrap_or("").to_string(),
                f["part"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn published_pages_in_html_and_as_scraped_text_give_the_same_findings() {
    let s = Store::new();
    let added = s.add(&[samples_dir().as_path()]);
    let nato = id_of(&added, "afp-nato-brussels.jpg");
    let zurich = id_of(&added, "latin1-iim-creator.jpg");
    let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/articles");
    let html = pages.join("sputnik-nato-ministers.html");
    let text = pages.join("sputnik-nato-ministers.txt");
    let (code, from_html) = audit_json(
        &s,
        &[
            "--outlet",
            "sputnik",
            "--article",
            html.to_str().expect("p"),
        ],
    );
    assert_eq!(code, 1);
    let found = page_violations(&from_html);
    // The page prints the page's year (2023) under a 2013 photo: a wrong year.
    assert!(
        found.contains(&("credit_wrong".into(), nato.clone(), Some("year".into()))),
        "{found:?}"
    );
    // The Zürich photo is printed with no credit at all.
    assert!(
        found.contains(&("credit_missing".into(), zurich, None)),
        "{found:?}"
    );
    // Four of our photos are on the page (by caption, by a rendition id in a srcset, by
    // data-byline-id, by caption again); the fifth image is not ours and is listed.
    assert_eq!(from_html["summary"]["uses_checked"], 4);
    let unknown: Vec<&Value> = from_html["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "unknown_image")
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("flags-hq"))
    );
    // The same page scraped to text (credits glued to captions) gives the same violations.
    let (code, from_text) = audit_json(
        &s,
        &[
            "--outlet",
            "sputnik",
            "--article",
            text.to_str().expect("p"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(page_violations(&from_text), found);
    // With the right credit printed, the NATO photo passes.
    let fixed = s.dir.path().join("fixed.html");
    let page = std::fs::read_to_string(&html)
        .expect("page")
        .replace("© AFP 2023 / JOHN THYS", "© AFP 2013 / JOHN THYS");
    std::fs::write(&fixed, page).expect("write");
    let (_, report) = audit_json(
        &s,
        &[
            "--outlet",
            "sputnik",
            "--article",
            fixed.to_str().expect("p"),
        ],
    );
    assert!(
        !page_violations(&report)
            .iter()
            .any(|(_, photo, _)| *photo == nato),
        "{report}"
    );
}

/// The order reports list findings in: violations first, then by kind (in this order), use
/// and photo.
const KIND_ORDER: [&str; 13] = [
    "credit_missing",
    "credit_wrong",
    "embargo",
    "expired",
    "commercial_use",
    "territory",
    "credit_year",
    "caption_date",
    "no_source",
    "credit_cut",
    "blocks_disagree",
    "incomplete",
    "unknown_image",
];

#[test]
fn a_streamed_report_lists_the_same_findings_in_the_same_order_in_every_format() {
    let s = Store::new();
    let added = s.add(&[samples_dir().as_path()]);
    let mut ids: Vec<String> = added
        .iter()
        .filter_map(|l| l["id"].as_str().map(String::from))
        .collect();
    ids.sort();
    ids.dedup();
    assert!(ids.len() >= 3, "the samples hold several photos");
    // Uses recorded against the photos in reverse, so ledger numbers do not follow the
    // order the photos were added in; wrong, missing and right credits mixed.
    for (n, id) in ids.iter().rev().enumerate() {
        let url = format!("https://x.example/{n}");
        let day = "2024-05-01";
        let at = ["--published", day];
        record(
            &s,
            &[
                &[
                    id.as_str(),
                    "--outlet",
                    "Sputnik",
                    "--url",
                    &url,
                    "--no-credit",
                ][..],
                &at,
            ]
            .concat(),
        );
        let url = format!("https://y.example/{n}");
        let wrong = [
            "--outlet",
            "Le Soir",
            "--url",
            &url,
            "--printed-credit",
            "Staff / AFP",
        ];
        record(&s, &[&[id.as_str()][..], &wrong, &at].concat());
    }
    let (code, report) = audit_json(&s, &[]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.len() >= 2 * ids.len(), "every use has a finding");
    let key = |f: &Value| {
        let kind = f["kind"].as_str().expect("kind");
        (
            f["severity"] != "violation",
            KIND_ORDER
                .iter()
                .position(|k| *k == kind)
                .expect("known kind"),
            f["use_id"].as_u64(),
            f["photo"].as_str().map(String::from),
        )
    };
    for pair in findings.windows(2) {
        assert!(key(&pair[0]) <= key(&pair[1]), "out of order: {pair:?}");
    }
    let listed: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_string(),
                f["use_id"]
                    .as_u64()
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();

    // The same report written to a file, byte for byte but for the time it ran.
    let file = s.dir.path().join("audit.json");
    let (code, _, err) = s.run(&[
        "audit",
        "--format",
        "json",
        "--out",
        file.to_str().expect("path"),
    ]);
    assert_eq!(code, 1, "{err}");
    let mut from_file: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("report")).expect("json");
    let mut from_stdout = report.clone();
    from_file["generated_at"] = Value::Null;
    from_stdout["generated_at"] = Value::Null;
    assert_eq!(from_file, from_stdout);

    // CSV and the table list the same findings in the same order.
    let (_, csv, _) = s.run(&["audit", "--format", "csv"]);
    let rows: Vec<(String, String)> = csv
        .split("\r\n")
        .skip(1)
        .filter(|r| !r.is_empty())
        .map(|r| {
            let f: Vec<&str> = r.splitn(5, ',').collect();
            (f[1].to_string(), f[3].to_string())
        })
        .collect();
    assert_eq!(rows, listed);
    let (_, table, _) = s.run(&["audit"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SEVERITY"));
    assert!(lines.last().expect("summary").contains("uses checked"));
    let rows: Vec<(String, String)> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| (l[11..26].trim().to_string(), l[42..47].trim().to_string()))
        .collect();
    assert_eq!(rows, listed);
}
