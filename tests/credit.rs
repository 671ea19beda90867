//! Credits as structure (issue 5, pure part): parsing real credit lines into parts,
//! rendering parts in every style, comparing printed with required lines, usage terms and
//! the photo's own checks. Table-driven; one `check_*` helper per area.

use std::collections::BTreeMap;

use byline::credit::{self, CreditParts, Finding, Kind, Mismatch, OutletStyle, Part, Style};
use byline::model::Fields;
use byline::terms::{self, Terms};

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

/// Cells whose value credit-lines.md took from the page, not from the string; the parser
/// reads strings only, so these are the only disagreements allowed.
const FROM_PAGE_CONTEXT: &[(&str, &str)] = &[
    // "the agency is not in the string (taken from the caption)"
    ("(Photo from Lawrence Langner video)", "agency"),
    // "still from a handout video": the string only says HANDOUT.
    (
        "EPA-EFE/RUSSIAN DEFENCE MINISTRY PRESS SERVICE/HANDOUT HANDOUT HANDOUT EDITORIAL USE ONLY/NO SALES",
        "kind",
    ),
];

#[test]
fn parses_every_row_of_the_shared_credit_lines() {
    let rows = rows();
    assert_eq!(rows.len(), 66, "the TSV has 66 rows");
    let mut agree = BTreeMap::from([("agency", 0), ("creators", 0), ("via", 0), ("kind", 0)]);
    let mut wrong = Vec::new();
    for r in &rows {
        let p = credit::parse(&r.line);
        assert_eq!(p.original.as_deref(), Some(r.line.as_str()));
        let cells = [
            (
                "agency",
                p.agency == r.agency,
                format!("{:?} want {:?}", p.agency, r.agency),
            ),
            (
                "creators",
                p.creators == r.creators,
                format!("{:?} want {:?}", p.creators, r.creators),
            ),
            (
                "via",
                p.via == r.via,
                format!("{:?} want {:?}", p.via, r.via),
            ),
            (
                "kind",
                p.kind.as_str() == r.kind,
                format!("{} want {}", p.kind.as_str(), r.kind),
            ),
        ];
        for (col, ok, detail) in cells {
            if ok {
                *agree.entry(col).or_default() += 1;
            } else if !FROM_PAGE_CONTEXT.contains(&(r.line.as_str(), col)) {
                wrong.push(format!("{}: {col} {detail} ({})", r.line, r.notes));
            }
        }
    }
    eprintln!("credit-lines.tsv rows agreeing per column (of 66): {agree:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(agree["creators"], 66);
    assert_eq!(agree["via"], 66);
    assert_eq!(agree["agency"], 65);
    assert_eq!(agree["kind"], 65);
}

/// What a parsed line must give: agency, creators, via, kind.
fn check_parse(line: &str, agency: Option<&str>, creators: &[&str], via: &[&str], kind: Kind) {
    let p = credit::parse(line);
    assert_eq!(p.agency.as_deref(), agency, "agency of {line}");
    assert_eq!(p.creators, creators, "creators of {line}");
    assert_eq!(p.via, via, "via of {line}");
    assert_eq!(p.kind, kind, "kind of {line}");
}

/// Line, agency, creators, via, kind.
type ParseRow = (
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    &'static [&'static str],
    Kind,
);

/// Lines not in the TSV: the forms CREDITS.md quotes, read by credit-lines.md's rules.
#[test]
fn parses_the_forms_credits_md_describes() {
    use Kind::*;
    let rows: &[ParseRow] = &[
        (
            "AP Photo/Evan Vucci",
            Some("AP"),
            &["Evan Vucci"],
            &[],
            Staff,
        ),
        (
            "AP Photo/Alain Jocard, Pool",
            Some("AP"),
            &["Alain Jocard"],
            &[],
            Pool,
        ),
        (
            "Brian Gottesman/The New York Times via AP",
            Some("AP"),
            &["Brian Gottesman"],
            &["The New York Times"],
            Staff,
        ),
        (
            "Russian Federal Security Service Press Service via AP",
            Some("AP"),
            &[],
            &["Russian Federal Security Service Press Service"],
            Handout,
        ),
        ("Handout via Reuters", Some("Reuters"), &[], &[], Handout),
        (
            "REUTERS/David Ryder CHINA OUT",
            Some("Reuters"),
            &["David Ryder"],
            &[],
            Staff,
        ),
        (
            "REUETRS/David Ryder",
            Some("Reuters"),
            &["David Ryder"],
            &[],
            Staff,
        ),
        ("AFP/Jane Doe", Some("AFP"), &["Jane Doe"], &[], Staff),
        (
            "Brendan Smialowski/AFP/Getty Images",
            Some("Getty Images"),
            &["Brendan Smialowski"],
            &["AFP"],
            Staff,
        ),
        (
            "(Photo by Ezra Shaw/Getty Images)",
            Some("Getty Images"),
            &["Ezra Shaw"],
            &[],
            Staff,
        ),
        (
            "EPA/STEPHANIE LECOCQ",
            Some("EPA"),
            &["Stephanie Lecocq"],
            &[],
            Staff,
        ),
        (
            "© AFP 2013 / JOHN THYS",
            Some("AFP"),
            &["John Thys"],
            &[],
            Staff,
        ),
        (
            "© Sputnik / Vladimir Astapkovich",
            Some("Sputnik"),
            &["Vladimir Astapkovich"],
            &[],
            Staff,
        ),
        ("© AP Photo", Some("AP"), &[], &[], Unknown),
        (
            "\"Title\" by Jane Doe is licensed under CC BY 4.0",
            None,
            &["Jane Doe"],
            &[],
            Unknown,
        ),
        // Forms seen on wire services generally, read by the same rules.
        (
            "(Mikhail Klimentyev, Sputnik, Kremlin Pool Photo via AP)",
            Some("AP"),
            &["Mikhail Klimentyev"],
            &["Sputnik", "Kremlin Pool"],
            Pool,
        ),
        (
            "Jane Doe - Pool/Getty Images",
            Some("Getty Images"),
            &["Jane Doe"],
            &[],
            Pool,
        ),
        ("- / AFP", Some("AFP"), &[], &[], Unknown),
        ("STR/AFP", Some("AFP"), &[], &[], Staff),
        (
            "Video grab from Ukrainian Defence Ministry via AP",
            Some("AP"),
            &[],
            &["Ukrainian Defence Ministry"],
            ScreenGrab,
        ),
        // A line in capitals lists bodies in name case (credit-lines.md, via).
        (
            "REUTERS TV via REUTERS",
            Some("Reuters"),
            &[],
            &["Reuters TV"],
            ScreenGrab,
        ),
        (
            "Photo by Jane Doe on Unsplash",
            Some("Unsplash"),
            &["Jane Doe"],
            &[],
            Unknown,
        ),
        (
            "Foto: picture alliance / dpa | Jane Doe",
            Some("dpa"),
            &["Jane Doe"],
            &[],
            Staff,
        ),
        ("Crédit : AFP", Some("AFP"), &[], &[], Unknown),
        (
            "Jane Doe for The Washington Post via Getty Images",
            Some("Getty Images"),
            &["Jane Doe"],
            &["The Washington Post"],
            Staff,
        ),
        (
            "The White House/Handout via REUTERS",
            Some("Reuters"),
            &[],
            &["The White House"],
            Handout,
        ),
        (
            "Bettmann/Getty Images",
            Some("Getty Images"),
            &[],
            &["Bettmann"],
            Archive,
        ),
        (
            "Jane Doe/Moment/Getty Images",
            Some("Getty Images"),
            &["Jane Doe"],
            &["Moment"],
            Stock,
        ),
        ("", None, &[], &[], Unknown),
        // Forms from the Guardian grid's supplier tests (Apache-2.0), not in the TSV.
        (
            "Mandatory Credit: Photo by Yuri Gripas - Pool via CNP/Shutterstock (16452941i)",
            Some("Shutterstock"),
            &["Yuri Gripas"],
            &["CNP"],
            Pool,
        ),
        (
            "Mandatory Credit: Photo by Kobe Li/Nexpher via ZUMA Press Wire/Shutterstock (16520092w)",
            Some("Shutterstock"),
            &["Kobe Li"],
            &["Nexpher", "ZUMA"],
            Staff,
        ),
        (
            "Mandatory Credit: Photo by Sachelle Babbar/ZUMA Wire/REX/Shutterstock (9011672i)",
            Some("Shutterstock"),
            &["Sachelle Babbar"],
            &["ZUMA"],
            Staff,
        ),
        (
            "Ben Blackall/Netflix/PA wIRE/PA Photos",
            Some("PA"),
            &["Ben Blackall"],
            &["Netflix", "PA Wire"],
            Handout,
        ),
        ("Invision for Quaker", Some("AP"), &[], &[], Handout),
        (
            "(Photo by Chris Pizzello/Invision/AP, File)",
            Some("AP"),
            &["Chris Pizzello"],
            &["Invision"],
            Archive,
        ),
        (
            "(Mick Tsikas/AAP Image via AP)",
            Some("AP"),
            &["Mick Tsikas"],
            &["AAP"],
            Staff,
        ),
        (
            "Sportsphoto Ltd./Allstar",
            Some("Allstar"),
            &[],
            &["Sportsphoto Ltd"],
            Unknown,
        ),
        // Reuters' sports forms: a person after the distributor, a name glued by a hyphen.
        (
            "Action Images via Reuters/John Sibley",
            Some("Reuters"),
            &["John Sibley"],
            &["Action Images"],
            Staff,
        ),
        (
            "Mandatory Credit: Kirby Lee-USA TODAY Sports",
            Some("USA TODAY Sports"),
            &["Kirby Lee"],
            &[],
            Staff,
        ),
        // The agency's own photo label names the distributor; archive markers by language.
        (
            "AFP PHOTO / HO / SANA",
            Some("AFP"),
            &[],
            &["SANA"],
            Handout,
        ),
        ("© AFP/Archives", Some("AFP"), &[], &[], Archive),
        ("Foto: dpa/Archiv", Some("dpa"), &[], &[], Archive),
        (
            "Foto ANSA/Mario Rossi",
            Some("ANSA"),
            &["Mario Rossi"],
            &[],
            Staff,
        ),
        (
            "Fot. Jan Kowalski/Agencja Gazeta",
            Some("Agencja Gazeta"),
            &["Jan Kowalski"],
            &[],
            Staff,
        ),
        // Generalisation checks: wire forms not in the TSV, read by its rules.
        (
            "(Kay Nietfeld/dpa via AP)",
            Some("AP"),
            &["Kay Nietfeld"],
            &["dpa"],
            Staff,
        ),
        (
            "(KCNA via KNS/AP)",
            Some("AP"),
            &[],
            &["KCNA", "KNS"],
            Handout,
        ),
        (
            "Social Media/via REUTERS",
            Some("Reuters"),
            &[],
            &["Social Media"],
            Unknown,
        ),
        (
            "Video obtained by Reuters/via REUTERS",
            Some("Reuters"),
            &[],
            &[],
            ScreenGrab,
        ),
        (
            "Satellite image ©2022 Maxar Technologies/Handout via REUTERS",
            Some("Reuters"),
            &[],
            &["Maxar Technologies"],
            Handout,
        ),
        (
            "HANDOUT / UKRAINIAN PRESIDENTIAL PRESS SERVICE / AFP",
            Some("AFP"),
            &[],
            &["Ukrainian Presidential Press Service"],
            Handout,
        ),
        (
            "EPA-EFE/MAXIM SHIPENKOV / POOL",
            Some("EPA"),
            &["Maxim Shipenkov"],
            &[],
            Pool,
        ),
        (
            "Toby Melville - WPA Pool/Getty Images",
            Some("Getty Images"),
            &["Toby Melville"],
            &["WPA Pool"],
            Pool,
        ),
        (
            "Jonathan Brady/PA Archive/PA Images",
            Some("PA"),
            &["Jonathan Brady"],
            &["PA Archive"],
            Archive,
        ),
        (
            "Sean Gallup/Getty Images for ABC",
            Some("Getty Images"),
            &["Sean Gallup"],
            &[],
            Handout,
        ),
        ("Photo courtesy of NASA", Some("NASA"), &[], &[], Handout),
        (
            "Reutres/Jane Doe",
            Some("Reuters"),
            &["Jane Doe"],
            &[],
            Staff,
        ),
        (
            "РИА Новости / Алексей Дружинин",
            Some("RIA Novosti"),
            &["Алексей Дружинин"],
            &[],
            Staff,
        ),
        (
            "Photo : Ludovic MARIN / AFP",
            Some("AFP"),
            &["Ludovic Marin"],
            &[],
            Staff,
        ),
        ("Screenshot: YouTube", Some("YouTube"), &[], &[], ScreenGrab),
        (
            "Jane Doe via Wikimedia Commons (CC BY-SA 4.0)",
            Some("Wikimedia Commons"),
            &["Jane Doe"],
            &[],
            Unknown,
        ),
    ];
    for (line, agency, creators, via, kind) in rows {
        check_parse(line, *agency, creators, via, *kind);
    }
}

#[test]
fn parse_keeps_the_trailer_the_misspelling_and_the_cut() {
    let p = credit::parse("REUTERS/Hannah McKay SEARCH \"COVID-19 BIRTH UK\" FOR THIS STORY.");
    assert_eq!(
        p.trailer.as_deref(),
        Some("SEARCH \"COVID-19 BIRTH UK\" FOR THIS STORY.")
    );
    assert_eq!(
        credit::parse("RETUERS").misspelling.as_deref(),
        Some("RETUERS")
    );
    assert!(credit::parse("PA Archive/Press Association Ima").truncated);
    assert!(!credit::parse("PA Archive/Press Association Images").truncated);
    let cc = credit::parse(
        "\"Creative Commons 10th Birthday Celebration San Francisco\" by tvol is licensed under CC BY 2.0",
    );
    assert_eq!(
        cc.title.as_deref(),
        Some("Creative Commons 10th Birthday Celebration San Francisco")
    );
    assert_eq!(cc.licence.as_deref(), Some("CC BY 2.0"));
    let linked = credit::parse(
        "\"Sunset\" by Jane Doe is licensed under CC BY-NC 2.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-nc/2.0/",
    );
    assert_eq!(linked.licence.as_deref(), Some("CC BY-NC 2.0"));
    let plain = credit::parse("Photo by Jane Doe, licensed under CC BY-SA 4.0");
    assert_eq!(
        (plain.title, plain.licence.as_deref()),
        (None, Some("CC BY-SA 4.0"))
    );
    let aside = credit::parse("Jane Doe via Wikimedia Commons (CC BY-SA 4.0)");
    assert_eq!(aside.licence.as_deref(), Some("CC BY-SA 4.0"));
}

#[test]
fn parse_never_panics_on_odd_input() {
    for line in [
        "(",
        ")",
        "[",
        "/",
        "//",
        " via ",
        "via",
        "©",
        "(c)",
        ":",
        "Photo by",
        "for",
        " for ",
        "ééééééééééééééééééééééééééééé",
        "Фото:",
        "AFP PHOTO /",
        "((AP Photo))",
        "Name (",
        "\u{0}",
        "a/b/c/d/e/f/g/h/i/j/k",
        "  —  ",
        "x for y for z",
        "\"unclosed by a licensed under",
    ] {
        let _ = credit::parse(line);
        let _ = credit::short_form(line);
        let _ = credit::compare(line, line, &Style::Default);
    }
}

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

/// Compare `printed` with `expected` in `style`; expect these parts to be wrong.
fn check_compare(expected: &str, printed: &str, style: &Style, parts: &[Part]) {
    let found: Vec<Part> = credit::compare(expected, printed, style)
        .iter()
        .map(|m| m.part)
        .collect();
    assert_eq!(found, parts, "expected '{expected}', printed '{printed}'");
}

#[test]
fn compare_names_the_wrong_part() {
    let outlets = outlets();
    let strict = credit::style("sputnik-de", &outlets).expect("configured");
    let rows: &[(&str, &str, &Style, &[Part])] = &[
        // CREDITS.md's real failure: the page's year instead of the photo's.
        (
            "© AFP 2013 / JOHN THYS",
            "© AFP 2023 / JOHN THYS",
            &Style::Sputnik,
            &[Part::Year],
        ),
        (
            "© AFP 2013 / JOHN THYS",
            "(c) AFP 2013 /JOHN THYS",
            &Style::Sputnik,
            &[],
        ),
        (
            "© AFP 2013 / JOHN THYS",
            "© afp 2013 / john thys",
            &Style::Sputnik,
            &[],
        ),
        // The outlet is case sensitive: the name printed in lower case is wrong.
        (
            "© AFP 2013 / JOHN THYS",
            "© afp 2013 / john thys",
            &strict,
            &[Part::Creator],
        ),
        (
            "REUTERS/David Ryder",
            "RETUERS/David Ryder",
            &Style::Reuters,
            &[Part::Misspelling],
        ),
        (
            "AP Photo/Evan Vucci",
            "Photo: AP Photo/Evan Vucci",
            &Style::Ap,
            &[],
        ),
        (
            "AP Photo/Evan Vucci",
            "(AP Photo/Evan Vucci)",
            &Style::Ap,
            &[],
        ),
        (
            "AP Photo/Evan Vucci",
            "AP Photo/Evan Vucci.",
            &Style::Ap,
            &[],
        ),
        (
            "AP Photo/Evan Vucci",
            "AP Photo/Evan Vucciano",
            &Style::Ap,
            &[Part::Creator],
        ),
        ("AP Photo/Evan Vucci", "", &Style::Ap, &[Part::Missing]),
        (
            "AP Photo/Evan Vucci",
            "Evan Vucci/AFP",
            &Style::Ap,
            &[Part::Agency],
        ),
        (
            "AP Photo/Evan Vucci",
            "Evan Vucci/AP",
            &Style::Ap,
            &[Part::Other],
        ),
        (
            "REUTERS/David Ryder",
            "REUTERS/Jane Doe",
            &Style::Reuters,
            &[Part::Creator],
        ),
        (
            "Sputnik/Alexei Druzhinin/Kremlin via REUTERS",
            "Alexei Druzhinin/REUTERS",
            &Style::Reuters,
            &[Part::Via],
        ),
        (
            "EPA/STEPHANIE LECOCQ",
            "EPA / STEPHANIE LECOCQ",
            &Style::Epa,
            &[],
        ),
        (
            "Ali Jadallah/Anadolu/Getty Images",
            "Ali Jadallah—Anadolu/Getty Images",
            &Style::Getty,
            &[],
        ),
        (
            "© AFP 2013 / JOHN THYS",
            "© Reuters 2023 / JANE DOE",
            &Style::Sputnik,
            &[Part::Agency, Part::Creator, Part::Year],
        ),
    ];
    for (expected, printed, style, parts) in rows {
        check_compare(expected, printed, style, parts);
    }
    let m = credit::compare(
        "© AFP 2013 / JOHN THYS",
        "© AFP 2023 / JOHN THYS",
        &Style::Sputnik,
    );
    assert_eq!(
        m,
        [Mismatch {
            part: Part::Year,
            expected: "2013".into(),
            printed: "2023".into()
        }]
    );
}

#[test]
fn short_form_fits_iim_credit_and_drops_least_important_first() {
    let rows: &[(&str, &str)] = &[
        ("REUTERS/David Ryder", "REUTERS/David Ryder"),
        // Wrapper first, then the chain's middle, then extra names.
        (
            "(Photo by Mikhail KLIMENTYEV / SPUTNIK / AFP)",
            "Mikhail Klimentyev/Sputnik/AFP",
        ),
        (
            "Mandatory Credit: Photo by Jose Breton/NurPhoto/Shutterstock (16507315bs)",
            "Jose Breton/Shutterstock",
        ),
        (
            "Andriy Andriyenko/Press Service of the 65th Separate Mechanized Brigade of the Ukrainian Armed Forces/Handout via REUTERS ATTENTION EDITORS - THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY",
            "Andriy Andriyenko/Reuters",
        ),
        ("PA Archive/Press Association Images", "PA Archive/PA"),
    ];
    for (line, expect) in rows {
        assert_eq!(credit::short_form(line), *expect, "{line}");
    }
    for r in rows_of_tsv_lines() {
        let s = credit::short_form(&r);
        assert!(s.len() <= credit::IIM_CREDIT_MAX, "{r} → {s}");
    }
}

fn rows_of_tsv_lines() -> Vec<String> {
    rows().into_iter().map(|r| r.line).collect()
}

#[test]
fn default_style_round_trips_the_agency_of_every_row() {
    for r in rows() {
        let p = credit::parse(&r.line);
        let printed = credit::render(&p, Some(2020), &Style::Default);
        let back = credit::parse(&printed);
        assert_eq!(back.agency, p.agency, "{} → {printed}", r.line);
        assert_eq!(back.creators, p.creators, "{} → {printed}", r.line);
    }
}

/// Read `instructions` and `usage` and expect `expect`.
fn check_terms(instructions: &str, usage: &str, expect: Terms) {
    assert_eq!(
        terms::read(instructions, usage),
        expect,
        "{instructions} | {usage}"
    );
}

#[test]
fn terms_are_read_from_agency_phrases() {
    let t = |max_days: Option<u32>,
             territories: &[&str],
             editorial_only,
             mandatory_credit,
             no_archiving| Terms {
        max_days,
        restricted_territories: territories.iter().map(|s| s.to_string()).collect(),
        editorial_only,
        mandatory_credit,
        no_archiving,
    };
    let rows: &[(&str, &str, Terms)] = &[
        // CREDITS.md, AP handouts.
        (
            "may only be used for 14 days from the time of transmission; no archiving; mandatory credit",
            "",
            t(Some(14), &[], false, true, true),
        ),
        // CREDITS.md, Reuters restrictions.
        ("CHINA OUT", "", t(None, &["CN"], false, false, false)),
        // TSV row: EPA-EFE handout restrictions.
        (
            "EDITORIAL USE ONLY/NO SALES",
            "",
            t(None, &[], true, false, false),
        ),
        ("", "NO SALES IN UK", t(None, &["GB"], false, false, false)),
        (
            "MANDATORY CREDIT. NO SALES. NO ARCHIVES. JAPAN OUT. NO COMMERCIAL OR EDITORIAL SALES IN JAPAN",
            "",
            t(None, &["JP"], true, true, true),
        ),
        (
            "THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY.",
            "",
            t(None, &[], false, false, false),
        ),
        (
            "FOR EDITORIAL USE ONLY. NOT FOR SALE FOR MARKETING OR ADVERTISING CAMPAIGNS",
            "",
            t(None, &[], true, false, false),
        ),
        (
            "",
            "Editorial use only. Not for use in France or Germany.",
            t(None, &["FR", "DE"], true, false, false),
        ),
        ("SOUTH KOREA OUT", "", t(None, &["KR"], false, false, false)),
        // Shutterstock's instruction (grid's supplier tests).
        (
            "RESTRICTED TO EDITORIAL USE",
            "",
            t(None, &[], true, false, false),
        ),
        (
            "Use within 30 days of transmission",
            "",
            t(Some(30), &[], false, false, false),
        ),
        ("", "", Terms::default()),
    ];
    for (instructions, usage, expect) in rows {
        check_terms(instructions, usage, expect.clone());
    }
}

/// Expect `found` to be these findings.
fn check_findings(what: &str, found: Vec<Finding>, expect: &[Finding]) {
    assert_eq!(found, expect, "{what}");
    for f in &found {
        assert!(!f.message().is_empty());
    }
}

#[test]
fn every_photo_finding_kind_fires_and_stays_quiet_when_right() {
    let year = |c: i32, y: i32| Finding::CreditYear {
        credit_year: c,
        year_created: y,
    };
    check_findings(
        "page year",
        credit::check_year("© AFP 2023 / JOHN THYS", Some(2013))
            .into_iter()
            .collect(),
        &[year(2023, 2013)],
    );
    check_findings(
        "photo year",
        credit::check_year("© AFP 2013 / JOHN THYS", Some(2013))
            .into_iter()
            .collect(),
        &[],
    );
    check_findings(
        "no year",
        credit::check_year("REUTERS/David Ryder", Some(2013))
            .into_iter()
            .collect(),
        &[],
    );

    let caption =
        "Russian President Vladimir Putin attends a meeting in Moscow on October 22, 2013.";
    check_findings(
        "caption 2013, created 2023",
        credit::check_caption_date(caption, "2023-10-22T10:00:00+03:00")
            .into_iter()
            .collect(),
        &[Finding::CaptionDate {
            caption_date: "October 22 2013".into(),
            caption_iso: "2013-10-22".into(),
            date_created: "2023-10-22T10:00:00+03:00".into(),
        }],
    );
    check_findings(
        "caption agrees (a day apart across time zones)",
        credit::check_caption_date(caption, "2013-10-23T01:00:00+09:00")
            .into_iter()
            .collect(),
        &[],
    );

    let no_source = |k| Finding::NoSource { kind: k };
    let handout = credit::parse("Handout via REUTERS");
    check_findings(
        "bare handout",
        credit::check_source(&handout, None).into_iter().collect(),
        &[no_source(Kind::Handout)],
    );
    check_findings(
        "source is the agency",
        credit::check_source(&handout, Some("Reuters"))
            .into_iter()
            .collect(),
        &[no_source(Kind::Handout)],
    );
    check_findings(
        "source names the issuer",
        credit::check_source(&handout, Some("Ukrainian Presidential Press Service"))
            .into_iter()
            .collect(),
        &[],
    );
    let named = credit::parse("Courtesy U.S. Customs and Border Protection/Handout via REUTERS.");
    check_findings(
        "handout with issuer",
        credit::check_source(&named, None).into_iter().collect(),
        &[],
    );
    let grab = CreditParts {
        agency: Some("AP".into()),
        kind: Kind::ScreenGrab,
        ..CreditParts::default()
    };
    check_findings(
        "bare screen grab",
        credit::check_source(&grab, None).into_iter().collect(),
        &[no_source(Kind::ScreenGrab)],
    );
    check_findings(
        "staff photo",
        credit::check_source(&credit::parse("REUTERS/David Ryder"), None)
            .into_iter()
            .collect(),
        &[],
    );

    let cut = |c: &str| Finding::CreditCut {
        credit: c.into(),
        bytes: c.len(),
    };
    for line in [
        "PA Archive/Press Association Ima",
        "Christopher Thomond for the Gua",
    ] {
        check_findings(
            line,
            credit::check_cut(line).into_iter().collect(),
            &[cut(line)],
        );
    }
    check_findings(
        "whole credit",
        credit::check_cut("PA Wire/PA Images").into_iter().collect(),
        &[],
    );

    let fields = Fields {
        caption: Some(caption.into()),
        credit_line: Some("Handout via REUTERS".into()),
        date_created: Some("2023-10-22".into()),
        year: Some(2023),
        ..Fields::default()
    };
    check_findings(
        "whole record",
        credit::check_photo(&fields),
        &[
            Finding::CaptionDate {
                caption_date: "October 22 2013".into(),
                caption_iso: "2013-10-22".into(),
                date_created: "2023-10-22".into(),
            },
            no_source(Kind::Handout),
        ],
    );
}

#[test]
fn schema_org_image_object_carries_the_credit() {
    let fields = Fields {
        creators: vec!["John Thys".into()],
        credit_line: Some("John Thys/AFP".into()),
        copyright: Some("© AFP 2013".into()),
        web_statement: Some("https://www.afp.com/en/terms".into()),
        usage_terms: Some("Licence via https://www.afpforum.com/ only.".into()),
        year: Some(2013),
        ..Fields::default()
    };
    let line = credit::required_line(&fields, &Style::Sputnik);
    assert_eq!(line, "© AFP 2013 / JOHN THYS");
    let v = credit::schema_org(&fields, &line);
    assert_eq!(v["@type"], "ImageObject");
    assert_eq!(v["creditText"], "© AFP 2013 / JOHN THYS");
    assert_eq!(v["creator"][0]["name"], "John Thys");
    assert_eq!(v["copyrightNotice"], "© AFP 2013");
    assert_eq!(v["license"], "https://www.afp.com/en/terms");
    assert_eq!(v["acquireLicensePage"], "https://www.afpforum.com/");
    let report = credit::report(&fields, &Style::Sputnik);
    assert_eq!(report.line, line);
    assert_eq!(report.short, "© AFP 2013 / JOHN THYS");
    assert_eq!(report.parts.agency.as_deref(), Some("AFP"));
    assert_eq!(report.image_object, v);
    let bare = credit::schema_org(&Fields::default(), "");
    assert!(bare.get("creditText").is_none() && bare.get("creator").is_none());
}

/// A record's fields as ExifTool read them from a corpus file: XMP first, then IIM (MWG
/// order for credit, source, instructions, caption, date created).
fn corpus_fields(name: &str) -> Fields {
    let path = format!(
        "{}/tests/data/corpus/exiftool/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("corpus JSON readable"))
            .expect("corpus JSON parses");
    let tags = &json[0];
    let pick = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| tags[*k].as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let date = pick(&["XMP-photoshop:DateCreated", "IPTC:DateCreated"]);
    Fields {
        caption: pick(&["XMP-dc:Description", "IPTC:Caption-Abstract"]),
        creators: pick(&["XMP-dc:Creator", "IPTC:By-line"])
            .into_iter()
            .collect(),
        credit_line: pick(&["XMP-photoshop:Credit", "IPTC:Credit"]),
        source: pick(&["XMP-photoshop:Source", "IPTC:Source"]),
        instructions: pick(&["XMP-photoshop:Instructions", "IPTC:SpecialInstructions"]),
        year: date.as_deref().and_then(|d| d.get(..4)?.parse().ok()),
        date_created: date,
        ..Fields::default()
    }
}

#[test]
fn corpus_records_give_their_parts_and_pass_their_own_checks() {
    // afp-getty-xmp.jpg: IIM Credit "AFP/Getty Images", By-line "CHRISTOF STACHE"; its
    // caption ends with the credit Getty printed: "…CHRISTOF STACHE/AFP/Getty Images".
    let afp = corpus_fields("afp-getty-xmp.jpg");
    assert_eq!(afp.credit_line.as_deref(), Some("AFP/Getty Images"));
    let p = credit::parts_of(&afp);
    assert_eq!(p.agency.as_deref(), Some("Getty Images"));
    assert_eq!(p.via, ["AFP"]);
    assert_eq!(p.creators, ["Christof Stache"]);
    assert_eq!(p.kind, Kind::Staff);
    let line = credit::required_line(&afp, &Style::Getty);
    assert_eq!(line, "Christof Stache/AFP/Getty Images");
    let printed = "CHRISTOF STACHE/AFP/Getty Images";
    assert!(afp.caption.as_deref().is_some_and(|c| c.ends_with(printed)));
    assert_eq!(credit::compare(&line, printed, &Style::Getty), []);
    // "on January 22, 2015" agrees with DateCreated 2015-01-22.
    assert_eq!(credit::check_photo(&afp), []);

    // navy-reagan.jpg: IIM Credit "U.S Navy" (sic), Source "Navy Visual News Service".
    let navy = corpus_fields("navy-reagan.jpg");
    let p = credit::parts_of(&navy);
    assert_eq!(p.agency.as_deref(), Some("U.S. Navy"));
    assert_eq!(p.kind, Kind::Handout);
    assert!(p.via.contains(&"Navy Visual News Service".to_string()));
    // "June 21, 2004" in the caption agrees with DateCreated 2004-06-21.
    assert_eq!(credit::check_photo(&navy), []);
    let t = terms::read(navy.instructions.as_deref().unwrap_or(""), "");
    assert_eq!(
        t,
        Terms::default(),
        "'Credit as U.S. Navy photo by …' restricts nothing"
    );
}

proptest::proptest! {
    /// Parsing, rendering, shortening, comparing and reading terms never panic, whatever
    /// the bytes a file carried; the short form always fits IIM 2:110.
    #[test]
    fn credit_functions_are_total(line in "\\PC{0,80}", other in "[ -~©—/()]{0,40}") {
        let p = credit::parse(&line);
        for name in ["default", "ap", "reuters", "afp", "getty", "epa", "sputnik", "cc"] {
            let style = credit::builtin(name).expect("built-in");
            let _ = credit::render(&p, Some(2013), &style);
            let _ = credit::compare(&line, &other, &style);
        }
        let short = credit::short_form(&line);
        proptest::prop_assert!(short.len() <= credit::IIM_CREDIT_MAX);
        let _ = terms::read(&line, &other);
        let _ = credit::check_caption_date(&line, &other);
        if !line.trim().is_empty() {
            proptest::prop_assert!(credit::compare(&line, &line, &Style::Default).is_empty());
        }
    }
}
