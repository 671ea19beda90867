//! Parsing: every row of the shared credit lines, the forms CREDITS.md describes, and odd input.

use std::collections::BTreeMap;

use byline::credit::{self, Kind, Style};

use crate::rows;

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
            Some("picture alliance"),
            &["Jane Doe"],
            &["dpa"],
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

/// Turkish credits print names in capitals with a dotted `İ`, which grows by a byte when
/// lower-cased: a line with it must read as the same line with a plain `I`, in every shape
/// that finds a phrase in a lower-cased copy of the line.
#[test]
fn a_dotted_capital_i_reads_like_a_plain_one() {
    let lines = [
        "AA/İSMAİL COŞKUN AND MEHMET ALİ ÖZCAN",
        "İSTİKLAL FILE PHOTOS",
        "The picture above is by İSMAİL COŞKUN/AA",
        "Photos by İSTİKLAL MİLLİ PARKI and used with permission",
        "İZMİR TİMES photograph by Ali Veli",
    ];
    let plain = |v: &[String]| -> Vec<String> { v.iter().map(|s| s.replace('İ', "I")).collect() };
    for line in lines {
        let dotted = credit::parse(line);
        let ascii = credit::parse(&line.replace('İ', "I"));
        assert_eq!(
            dotted.agency.as_deref().map(|a| a.replace('İ', "I")),
            ascii.agency,
            "agency of {line}"
        );
        assert_eq!(
            plain(&dotted.creators),
            ascii.creators,
            "creators of {line}"
        );
        assert_eq!(plain(&dotted.via), ascii.via, "via of {line}");
        assert_eq!(dotted.kind, ascii.kind, "kind of {line}");
    }
}
