//! Rendering: every built-in style prints the agency's own form; outlet styles follow their
//! templates and their config matches its schema.

use std::collections::BTreeMap;

use byline::credit::{self, OutletStyle, Style};

use crate::{OUTLETS_TOML, outlets};

/// Render `line`'s parts (and `year`) in `style` and expect `expect`.
fn check_render(line: &str, year: Option<i32>, style: &Style, expect: &str) {
    let p = credit::parse(line);
    assert_eq!(
        credit::render(&p, year, style),
        expect,
        "{line} in {}",
        style.name()
    );
}

/// Every built-in style against the real lines of CREDITS.md and the TSV: each row's
/// expected line is the agency's own printed form of the same photo.
#[test]
fn every_builtin_style_prints_the_agency_form() {
    let rows: &[(&str, Option<i32>, Style, &str)] = &[
        (
            "(AP Photo/Pavel Golovkin)",
            Some(2014),
            Style::Ap,
            "AP Photo/Pavel Golovkin",
        ),
        (
            "(AP Photo/Alain Jocard, Pool)",
            None,
            Style::Ap,
            "AP Photo/Alain Jocard, Pool",
        ),
        ("Sputnik via AP", None, Style::Ap, "Sputnik via AP"),
        (
            "(Korean Central News Agency/Korea News Service via AP, File)",
            None,
            Style::Ap,
            "Korean Central News Agency/Korea News Service via AP",
        ),
        (
            "Brian Gottesman/The New York Times via AP",
            None,
            Style::Ap,
            "Brian Gottesman/The New York Times via AP",
        ),
        (
            "REUTERS/David Ryder",
            Some(2020),
            Style::Reuters,
            "REUTERS/David Ryder",
        ),
        (
            "RETUERS/David Ryder",
            None,
            Style::Reuters,
            "REUTERS/David Ryder",
        ),
        (
            "REUTERS/Ivan Alvarado/File Photo",
            None,
            Style::Reuters,
            "REUTERS/Ivan Alvarado/File Photo",
        ),
        (
            "Sputnik/Alexei Druzhinin/Kremlin via REUTERS",
            None,
            Style::Reuters,
            "Sputnik/Alexei Druzhinin/Kremlin via REUTERS",
        ),
        (
            "Courtesy U.S. Customs and Border Protection/Handout via REUTERS.",
            None,
            Style::Reuters,
            "U.S. Customs and Border Protection/Handout via REUTERS",
        ),
        (
            "Handout via REUTERS",
            None,
            Style::Reuters,
            "Handout via REUTERS",
        ),
        (
            "© John WESSELS / AFP",
            None,
            Style::Afp,
            "John WESSELS / AFP",
        ),
        (
            "(Photo by Mikhail KLIMENTYEV / SPUTNIK / AFP)",
            None,
            Style::Afp,
            "Mikhail KLIMENTYEV / SPUTNIK / AFP",
        ),
        (
            "AFP PHOTO / DMITRY SEREBRYAKOV",
            None,
            Style::Afp,
            "Dmitry SEREBRYAKOV / AFP",
        ),
        (
            "(Photo by Ezra Shaw/Getty Images)",
            None,
            Style::Getty,
            "Ezra Shaw/Getty Images",
        ),
        (
            "Brendan Smialowski/AFP/Getty Images",
            None,
            Style::Getty,
            "Brendan Smialowski/AFP/Getty Images",
        ),
        (
            "Credit: Hulton Archive/Getty Images",
            None,
            Style::Getty,
            "Hulton Archive/Getty Images",
        ),
        (
            "Chung Sung-Jun/GettyImages",
            None,
            Style::Getty,
            "Chung Sung-Jun/Getty Images",
        ),
        (
            "EPA/STEPHANIE LECOCQ",
            None,
            Style::Epa,
            "EPA/STEPHANIE LECOCQ",
        ),
        (
            "epa / Adrian Brashaw",
            None,
            Style::Epa,
            "EPA/ADRIAN BRASHAW",
        ),
        (
            "EPA-EFE/RUSSIAN DEFENCE MINISTRY PRESS SERVICE/HANDOUT HANDOUT HANDOUT EDITORIAL USE ONLY/NO SALES",
            None,
            Style::Epa,
            "EPA/RUSSIAN DEFENCE MINISTRY PRESS SERVICE/HANDOUT",
        ),
        (
            "John Thys/AFP",
            Some(2013),
            Style::Sputnik,
            "© AFP 2013 / JOHN THYS",
        ),
        (
            "© John WESSELS / AFP",
            Some(2023),
            Style::Sputnik,
            "© AFP 2023 / JOHN WESSELS",
        ),
        (
            "Bild: Sputnik / Alexei Nikolski",
            Some(2019),
            Style::Sputnik,
            "© Sputnik / Alexei Nikolski",
        ),
        ("Sputnik via AP", Some(2019), Style::Sputnik, "© AP Photo"),
        (
            "\"Creative Commons 10th Birthday Celebration San Francisco\" by tvol is licensed under CC BY 2.0",
            None,
            Style::Cc,
            "\"Creative Commons 10th Birthday Celebration San Francisco\" by tvol is licensed under CC BY 2.0",
        ),
        (
            "John Thys/AFP",
            Some(2013),
            Style::Default,
            "© AFP 2013 / John Thys",
        ),
        ("John Thys/AFP", None, Style::Default, "© AFP / John Thys"),
        ("REUTERS/", Some(2020), Style::Default, "© Reuters 2020"),
        // A handout is not the agency's copyright: the issuer, `Handout`, and who moved it,
        // with no year (#11).
        (
            "RICHARD WATT / HANDOUT",
            Some(2020),
            Style::Default,
            "© Richard Watt / Handout",
        ),
        (
            "Handout via REUTERS",
            Some(2024),
            Style::Default,
            "© Handout via Reuters",
        ),
        (
            "Russian Defence Ministry Press Service/Handout via REUTERS",
            Some(2024),
            Style::Default,
            "© Russian Defence Ministry Press Service / Handout via Reuters",
        ),
        // An agency style prints another agency's photo as the plain chain, kind included.
        ("John Thys/AFP", None, Style::Reuters, "John Thys/AFP"),
        ("Handout via REUTERS", None, Style::Ap, "Handout/Reuters"),
        (
            "(RIA Novosti, Alexei Druzhinin/Pool via AP, file)",
            None,
            Style::Getty,
            "Alexei Druzhinin/Pool/RIA Novosti/AP",
        ),
        (
            "Andriy Andriyenko/Press Service of the 65th Separate Mechanized Brigade of the Ukrainian Armed Forces/Handout via REUTERS ATTENTION EDITORS - THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY",
            None,
            Style::Reuters,
            "Andriy Andriyenko/Press Service of the 65th Separate Mechanized Brigade of the Ukrainian Armed Forces/Handout via REUTERS",
        ),
    ];
    for (line, year, style, expect) in rows {
        check_render(line, *year, style, expect);
    }
}

#[test]
fn outlet_styles_follow_their_templates() {
    let outlets = outlets();
    let de = credit::style("sputnik-de", &outlets).expect("sputnik-de is configured");
    assert!(de.case_sensitive());
    let plain = credit::style("plain", &outlets).expect("plain is configured");
    let rows: &[(&str, Option<i32>, &Style, &str)] = &[
        ("John Thys/AFP", Some(2013), &de, "© AFP 2013 / JOHN THYS"),
        (
            "Bild: Sputnik / Alexei Nikolski",
            Some(2019),
            &de,
            "© Sputnik / Alexei Nikolski",
        ),
        (
            "REUTERS/David Ryder",
            Some(2020),
            &de,
            "© Reuters 2020 / DAVID RYDER",
        ),
        ("REUTERS/", Some(2020), &de, "© Reuters 2020"),
        (
            "Brendan Smialowski/AFP/Getty Images",
            None,
            &de,
            "Brendan Smialowski/AFP/Getty Images",
        ),
        (
            "Ezra Shaw/Getty Images",
            None,
            &de,
            "Ezra Shaw/Getty Images",
        ),
        (
            "Ezra Shaw/Getty Images",
            None,
            &plain,
            "Photo: Ezra Shaw (Getty Images)",
        ),
        // The empty {creator} goes with the separator before it (": ").
        ("Getty Images", None, &plain, "Photo (Getty Images)"),
    ];
    for (line, year, style, expect) in rows {
        check_render(line, *year, style, expect);
    }
    let listed: Vec<String> = credit::styles(&outlets).into_iter().map(|s| s.0).collect();
    assert_eq!(
        listed,
        [
            "default",
            "ap",
            "reuters",
            "afp",
            "getty",
            "epa",
            "sputnik",
            "cc",
            "plain",
            "sputnik-de"
        ]
    );
    let examples: BTreeMap<String, String> = credit::styles(&outlets)
        .into_iter()
        .map(|(name, _, example)| (name, example))
        .collect();
    // Each built-in shows its agency's own form of a CREDITS.md credit.
    assert_eq!(examples["ap"], "Brian Gottesman/The New York Times via AP");
    assert_eq!(
        examples["reuters"],
        "Sputnik/Alexei Druzhinin/Kremlin via REUTERS"
    );
    assert_eq!(examples["afp"], "Mikhail KLIMENTYEV / SPUTNIK / AFP");
    assert_eq!(examples["getty"], "Brendan Smialowski/AFP/Getty Images");
    assert_eq!(examples["epa"], "EPA/STEPHANIE LECOCQ");
    assert_eq!(examples["sputnik"], "© AFP 2013 / JOHN THYS");
    assert_eq!(examples["sputnik-de"], "© AFP 2013 / JOHN THYS");
    assert!(examples.values().all(|e| !e.is_empty()));
}

#[test]
fn outlet_config_matches_its_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/outlets.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema readable"))
            .expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("schema is valid 2020-12");
    let good: serde_json::Value = toml::from_str(OUTLETS_TOML).expect("sample is TOML");
    assert!(
        validator.is_valid(&good),
        "{:?}",
        validator
            .iter_errors(&good)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let bad = [
        r#"[x]
template = "© {agencee} {year}""#,
        r#"[x]
colour = "red""#,
        r#"[x.agencies]
AFP = "© AFP {year"
"#,
        r#"[x]
case_sensitive = "yes""#,
    ];
    for b in bad {
        let v: serde_json::Value = toml::from_str(b).expect("bad sample is still TOML");
        assert!(!validator.is_valid(&v), "schema must refuse {b}");
        // The Rust side refuses the same configs.
        let refused = toml::from_str::<BTreeMap<String, OutletStyle>>(b)
            .map_err(|e| e.to_string())
            .and_then(|o| {
                credit::style("x", &o)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        assert!(refused.is_err(), "OutletStyle must refuse {b}");
    }
}
