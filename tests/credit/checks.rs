//! Usage terms read from agency phrases, the photo's own findings, schema.org's ImageObject
//! and the corpus records' parts.

use byline::credit::{self, CreditParts, Finding, Kind, Style};
use byline::model::Fields;
use byline::terms::{self, Terms};

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
