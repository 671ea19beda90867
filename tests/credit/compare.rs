//! Comparing a printed line with the required one: the wrong part is named; the IIM short
//! form; every row round-trips through the default style.

use byline::credit::{self, Mismatch, Part, Style};

use crate::{outlets, rows};

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
