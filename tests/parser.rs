//! The credit-line parser (issue 11): its grammar rules, each shown on lines made up for the
//! rule (invented names, so no real line is tuned on), and its scores on the real lines of
//! `tests/data/`: eight rounds of real lines, each a tuning part and a held-out set.

use byline::credit;

/// The rules written on the fifth round's tuning lines and the burned held-out sets.
#[path = "parser/fifth_round.rs"]
mod fifth_round;

/// The rules written on held-out set 5 (burned) and the sixth round's tuning lines.
#[path = "parser/sixth_round.rs"]
mod sixth_round;

/// The rules written on held-out set 6 (burned) and the seventh round's tuning lines.
#[path = "parser/seventh_round.rs"]
mod seventh_round;

/// The rules written on held-out set 7 (burned) and the eighth round's tuning lines.
#[path = "parser/eighth_round.rs"]
mod eighth_round;

/// A made-up line and the parts a reader must get: agency, creators, via chain, kind
/// (lists joined with ` | `, as in the TSVs).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Check every case and report all failures at once.
fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for &(line, agency, creators, via, kind) in cases {
        let p = credit::parse(line);
        let got = (
            p.agency.clone().unwrap_or_default(),
            p.creators.join(" | "),
            p.via.join(" | "),
            p.kind.as_str().to_string(),
        );
        let want = (
            agency.to_string(),
            creators.to_string(),
            via.to_string(),
            kind.to_string(),
        );
        if got != want {
            failures.push(format!("'{line}': got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// See: #11. A request to credit (`Photo credit should read …`, `Please credit …`) wraps the
// credit like a label does.
#[test]
fn credit_requests_are_wrappers() {
    check(&[
        (
            "Photo credit should read JANE DOE/AFP via Getty Images",
            "Getty Images",
            "Jane Doe",
            "AFP",
            "staff",
        ),
        (
            "PHOTO CREDIT SHOULD READ: AFP PHOTO / JANE DOE",
            "AFP",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Credit should read Jane Doe/Reuters",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        ("Please credit: Jane Doe/AP", "AP", "Jane Doe", "", "staff"),
        (
            "Credit must read: Kari Nordmann / NTB",
            "NTB",
            "Kari Nordmann",
            "",
            "staff",
        ),
    ]);
}

// See: #11. "Photo", "by"/"from", "via", "courtesy", "handout" and "archive" in the
// languages newsrooms print credits in.
#[test]
fn translated_wrappers() {
    check(&[
        (
            "Foto fra Kari Nordmann via AP",
            "AP",
            "Kari Nordmann",
            "",
            "staff",
        ),
        (
            "Foto: Erika Mustermann / dpa",
            "dpa",
            "Erika Mustermann",
            "",
            "staff",
        ),
        (
            "Bild: Erika Mustermann / Keystone",
            "Keystone",
            "Erika Mustermann",
            "",
            "staff",
        ),
        (
            "Foto di Maria Rossi/ANSA",
            "ANSA",
            "Maria Rossi",
            "",
            "staff",
        ),
        (
            "Foto de Juan Pérez vía EFE",
            "EFE",
            "Juan Pérez",
            "",
            "staff",
        ),
        (
            "Fotografía de Juan Pérez / EFE",
            "EFE",
            "Juan Pérez",
            "",
            "staff",
        ),
        (
            "Kuva: Matti Meikäläinen / Lehtikuva",
            "Lehtikuva",
            "Matti Meikäläinen",
            "",
            "staff",
        ),
        ("Фото: Иван Иванов/ТАСС", "TASS", "Иван Иванов", "", "staff"),
        (
            "Fotoğraf: Ayşe Yılmaz/AA",
            "Anadolu",
            "Ayşe Yılmaz",
            "",
            "staff",
        ),
        ("Fot. Jan Kowalski/PAP", "PAP", "Jan Kowalski", "", "staff"),
        (
            "Cortesía de Ministerio de Defensa vía Reuters",
            "Reuters",
            "",
            "Ministerio de Defensa",
            "handout",
        ),
        (
            "Foto: Erika Mustermann/dpa/Archivbild",
            "dpa",
            "Erika Mustermann",
            "",
            "archive",
        ),
        (
            "Foto: Kari Nordmann / NTB / Arkiv",
            "NTB",
            "Kari Nordmann",
            "",
            "archive",
        ),
        ("Pressefoto: Jane Doe/dpa", "dpa", "Jane Doe", "", "handout"),
    ]);
}

// See: #11. Creative Commons attribution: title, author, source, licence (TASL), with the
// source given by name or by a link, and the licence as a sentence or as an element.
#[test]
fn licence_attributions() {
    check(&[
        (
            "\"Harbour at dusk\" by jdoe is licensed under CC BY 2.0",
            "",
            "jdoe",
            "",
            "unknown",
        ),
        (
            "\"Harbour at dusk\" by Jane Doe on Flickr, licensed under CC BY-SA 2.0",
            "Flickr",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "“Harbour at dusk” (https://www.flickr.com/photos/jdoe/12345678) by Jane Doe, CC BY 2.0",
            "Flickr",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Jane Doe, CC BY-SA 4.0, via Wikimedia Commons",
            "Wikimedia Commons",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "By Jane Doe - Own work, CC BY-SA 4.0, https://commons.wikimedia.org/w/index.php?curid=1234567",
            "Wikimedia Commons",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Photo: Jane Doe/Flickr (CC BY 2.0)",
            "Flickr",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Image: Jane Doe / Wikimedia Commons / CC BY-SA 3.0",
            "Wikimedia Commons",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Harbour at dusk by Jane Doe, licensed under Creative Commons Attribution 2.0 Generic",
            "",
            "Jane Doe",
            "",
            "unknown",
        ),
    ]);
    let p = credit::parse("Jane Doe, CC BY-SA 4.0, via Wikimedia Commons");
    assert_eq!(p.licence.as_deref(), Some("CC BY-SA 4.0"));
}

// See: #11. A bracket opened or closed without its pair is wrapping, not a name.
#[test]
fn unbalanced_brackets() {
    check(&[
        (
            "(Photo by Jane Doe/AFP via Getty Images",
            "Getty Images",
            "Jane Doe",
            "AFP",
            "staff",
        ),
        ("Photo by Jane Doe/AP Photo)", "AP", "Jane Doe", "", "staff"),
        ("[Jane Doe/Reuters", "Reuters", "Jane Doe", "", "staff"),
        ("(AP Photo/Jane Doe", "AP", "Jane Doe", "", "staff"),
        ("Jane Doe/AFP))", "AFP", "Jane Doe", "", "staff"),
    ]);
}

// See: #11. An agency's name misspelt is found by edit distance against the agency table,
// also with the agencies' own `Photo` label misspelt.
#[test]
fn misspelt_agencies() {
    check(&[
        ("Jane Doe/AFP Phoot", "AFP", "Jane Doe", "", "staff"),
        ("(AP Phtoo/Jane Doe)", "AP", "Jane Doe", "", "staff"),
        ("Jane Doe/Xinhau", "Xinhua", "Jane Doe", "", "staff"),
        (
            "Jane Doe/Getty Imgaes",
            "Getty Images",
            "Jane Doe",
            "",
            "staff",
        ),
        ("Jane Doe/Assocaited Press", "AP", "Jane Doe", "", "staff"),
        ("Jane Doe/Bloomburg", "Bloomberg", "Jane Doe", "", "staff"),
    ]);
    assert_eq!(
        credit::parse("Jane Doe/Getty Imgaes")
            .misspelling
            .as_deref(),
        Some("Getty Imgaes")
    );
}

// See: #11. Prose after the credit (a clause or a sentence) is not part of it.
#[test]
fn trailing_prose() {
    check(&[
        (
            "Jane Doe/AFP, and reused here with permission",
            "AFP",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Jane Doe/Reuters. The picture was taken on Monday.",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "AP Photo/Jane Doe; used with permission",
            "AP",
            "Jane Doe",
            "",
            "staff",
        ),
    ]);
}

// See: #11. Rules written on the fresh tuning lines: a `File` marker glued to the agency,
// two agencies joined by a hyphen (origin first), "and" in other languages, a known agency
// distributing before an unknown body printed after it, and Markdown links.
#[test]
fn fresh_tuning_rules() {
    check(&[
        ("(Jane Doe / AP File)", "AP", "Jane Doe", "", "archive"),
        ("(REUTERS File)", "Reuters", "", "", "archive"),
        ("AFP-Yonhap", "Yonhap", "", "AFP", "unknown"),
        (
            "Foto di Maria Rossi e Giulia Bianchi",
            "",
            "Maria Rossi | Giulia Bianchi",
            "",
            "unknown",
        ),
        (
            "Fotos: Juan Pérez y Ana Gómez / EFE",
            "EFE",
            "Juan Pérez | Ana Gómez",
            "",
            "staff",
        ),
        (
            "(Photo by Reuters/Harbour Daily)",
            "Reuters",
            "",
            "Harbour Daily",
            "unknown",
        ),
        (
            "Bild: KEYSTONE/Alp-Press/Erika Muster",
            "Keystone",
            "Erika Muster",
            "Alp-Press",
            "staff",
        ),
        (
            "[Harbour](https://www.flickr.com/photos/123@N00/456) by [jdoe](https://www.flickr.com/photos/123@N00) is licensed under [CC BY 2.0](https://creativecommons.org/licenses/by/2.0)",
            "Flickr",
            "jdoe",
            "",
            "unknown",
        ),
        (
            "\"[Harbour][1p].\" Photograph by [Jane Doe on Flickr][1o]. License: [Creative Commons - Attribution 2.0 Generic][by].",
            "Flickr",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Author: [Jane Doe](https://commons.wikimedia.org/wiki/User:Jdoe)",
            "Wikimedia Commons",
            "Jane Doe",
            "",
            "unknown",
        ),
    ]);
}

/// Parts the parser read right in a TSV of credit lines, and what it got wrong:
/// (right, total, failures). Each line has four parts: agency, creators, via chain, kind.
fn score(file: &str) -> (usize, usize, Vec<String>) {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let tsv = std::fs::read_to_string(&path).expect("credit lines readable");
    let list = |s: &str| -> Vec<String> {
        s.split(" | ")
            .map(|x| x.trim().to_lowercase())
            .filter(|x| !x.is_empty())
            .collect()
    };
    let (mut right, mut total, mut failures) = (0, 0, Vec::new());
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        let [line, agency, creators, via, kind, ..] = f[..] else {
            panic!("{file}: short row {row}");
        };
        let p = credit::parse(line);
        let got_agency = p.agency.clone().unwrap_or_default().to_lowercase();
        let low = |v: &[String]| v.iter().map(|x| x.to_lowercase()).collect::<Vec<_>>();
        let checks = [
            (
                "agency",
                got_agency == agency.to_lowercase(),
                format!("{:?}", p.agency),
            ),
            (
                "creators",
                low(&p.creators) == list(creators),
                format!("{:?}", p.creators),
            ),
            ("via", low(&p.via) == list(via), format!("{:?}", p.via)),
            ("kind", p.kind.as_str() == kind, p.kind.as_str().to_string()),
        ];
        for (part, ok, got) in checks {
            total += 1;
            if ok {
                right += 1;
            } else {
                failures.push(format!("{part}: '{line}' gave {got}"));
            }
        }
    }
    (right, total, failures)
}

/// Score a set, print what fails, and hold it to its floor.
fn hold(file: &str, floor: usize) {
    let (right, total, failures) = score(file);
    eprintln!("{file}: {right}/{total} parts right");
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        right >= floor,
        "{file} fell to {right}/{total} (floor {floor})"
    );
}

// See: #11. The tuning set must keep its score; the parser's rules were written on it.
#[test]
fn parser_score_on_the_tuning_lines() {
    hold("credit-lines-tuning.tsv", TUNING_RIGHT);
}

// See: #11. The first held-out set, scored once at the end of the last session; its failure
// classes are known since, so it is no longer unseen, but it must not fall.
#[test]
fn parser_score_on_the_first_held_out_lines() {
    hold("credit-lines-heldout.tsv", HELD_OUT_RIGHT);
}

// See: #11. The second held-out set: gathered, labelled and committed after the rules were
// written, then scored once. It must not fall below that score.
#[test]
fn parser_score_on_the_second_held_out_lines() {
    hold("credit-lines-heldout2.tsv", HELD_OUT2_RIGHT);
}

// See: #11. The tuning part of the fresh lines (`credit-lines-fresh.tsv`, split by
// `split-credit-lines.py fresh`): labelled by hand before the parser was run on them.
#[test]
fn parser_score_on_the_second_tuning_lines() {
    hold("credit-lines-tuning2.tsv", TUNING2_RIGHT);
}

// See: #11. Held-out set 3: 62 of the fresh lines, labelled by hand and committed before
// any rule was tuned, scored once at the end; it must not fall below that score.
#[test]
fn parser_score_on_the_third_held_out_lines() {
    hold("credit-lines-heldout3.tsv", HELD_OUT3_RIGHT);
}

// See: #11. The tuning part of the fourth round (`credit-lines-fourth.tsv`, split by
// `split-credit-lines.py fourth`): labelled by hand before the parser was run on them.
#[test]
fn parser_score_on_the_fourth_tuning_lines() {
    hold("credit-lines-tuning4.tsv", TUNING4_RIGHT);
}

// See: #11. Held-out set 4: 63 lines of the fourth round, labelled by hand and committed
// before the parser was run on any of them, scored once; it must not fall below that score.
#[test]
fn parser_score_on_the_fourth_held_out_lines() {
    hold("credit-lines-heldout4.tsv", HELD_OUT4_RIGHT);
}

/// Parts right on the 140 tuning lines (of 560): 553, 554 with the fifth round's rules, 555
/// with the seventh's.
const TUNING_RIGHT: usize = 555;
/// Parts right on the 70 lines of the first held-out set (of 280): 254 when it was scored
/// once, 258 with the next session's general rules, 265 with the fifth round's, 267 with
/// the sixth's.
const HELD_OUT_RIGHT: usize = 267;
/// Parts right on the 82 lines of the second held-out set (of 328): 299 (91.2%) when scored
/// once, 300 with the rules written on the fresh tuning lines, 309 with the fifth round's.
const HELD_OUT2_RIGHT: usize = 309;
/// Parts right on the 60 lines of the second tuning part (of 240): 228, 229 with the seventh
/// round's rules.
const TUNING2_RIGHT: usize = 229;
/// Parts right on the 62 lines of the third held-out set (of 248): 226 (91.1%) when scored
/// once; 237 (95.6%) since it was burned and the fifth round's rules were written.
const HELD_OUT3_RIGHT: usize = 237;
/// Parts right on the 60 lines of the fourth tuning part (of 240): 204 before the fifth
/// round's rules, 230 after, 231 with the eighth's.
const TUNING4_RIGHT: usize = 231;
/// Parts right on the 63 lines of the fourth held-out set (of 252): 207 (82.1%) when scored
/// once; 248 (98.4%) since it was burned and tuned on.
const HELD_OUT4_RIGHT: usize = 248;

// See: #11. The tuning part of the fifth round (`credit-lines-fifth.tsv`, split by
// `split-credit-lines.py fifth`): labelled by hand and committed before the parser ran on it.
#[test]
fn parser_score_on_the_fifth_tuning_lines() {
    hold("credit-lines-tuning5.tsv", TUNING5_RIGHT);
}

/// Parts right on the 40 lines of the fifth tuning part (of 160): 113 before its rules.
const TUNING5_RIGHT: usize = 160;

// See: #11. Held-out set 5: 63 lines of the fifth round, labelled by hand and committed
// before the parser was run on any of them, scored once after the rules were written; it
// must not fall below that score.
#[test]
fn parser_score_on_the_fifth_held_out_lines() {
    hold("credit-lines-heldout5.tsv", HELD_OUT5_RIGHT);
}

/// Parts right on the 63 lines of the fifth held-out set (of 252): 227 (90.1%) when scored
/// once (the parser before the fifth round's rules read 174, 69.0%); 247 (98.0%) since it
/// was burned and the sixth round's rules were written on its failures.
const HELD_OUT5_RIGHT: usize = 247;

// See: #11. The tuning part of the sixth round (`credit-lines-sixth.tsv`, split by
// `split-credit-lines.py sixth`): labelled by hand and committed before the parser ran on it.
#[test]
fn parser_score_on_the_sixth_tuning_lines() {
    hold("credit-lines-tuning6.tsv", TUNING6_RIGHT);
}

/// Parts right on the 30 lines of the sixth tuning part (of 120): 107 before its rules, 116
/// after.
const TUNING6_RIGHT: usize = 116;

// See: #11. Held-out set 6: 62 lines of the sixth round, labelled by hand and committed
// before the parser was run on any of them, scored once after the rules were written; now
// burned (the seventh round's rules were written on its failures), it must not fall.
#[test]
fn parser_score_on_the_sixth_held_out_lines() {
    hold("credit-lines-heldout6.tsv", HELD_OUT6_RIGHT);
}

/// Parts right on the 62 lines of the sixth held-out set (of 248): 221 (89.1%) when scored
/// once; 245 (98.8%) since it was burned and the seventh round's rules were written on its
/// failures.
const HELD_OUT6_RIGHT: usize = 245;

// See: #11. The tuning part of the seventh round (`credit-lines-seventh.tsv`, split by
// `split-credit-lines.py seventh`): labelled by hand and committed before the parser ran on it.
#[test]
fn parser_score_on_the_seventh_tuning_lines() {
    hold("credit-lines-tuning7.tsv", TUNING7_RIGHT);
}

/// Parts right on the 67 lines of the seventh tuning part (of 268): 244 before its rules,
/// 261 after, 264 with the eighth round's (its generated newspaper table).
const TUNING7_RIGHT: usize = 264;

// See: #11. Held-out set 7: 66 lines of the seventh round, labelled by hand and committed
// before the parser was run on any of them, scored once after the seventh round's rules
// were written; it must not fall below that score.
#[test]
fn parser_score_on_the_seventh_held_out_lines() {
    hold("credit-lines-heldout7.tsv", HELD_OUT7_RIGHT);
}

/// Parts right on the 66 lines of the seventh held-out set (of 264): 237 (89.8%) when scored
/// once; 252 (95.5%) since it was burned and the eighth round's rules were written on its
/// failures.
const HELD_OUT7_RIGHT: usize = 252;

// See: #11. The tuning part of the eighth round (`credit-lines-eighth.tsv`, split by
// `split-credit-lines.py eighth`): labelled by hand and committed before the parser ran on it.
#[test]
fn parser_score_on_the_eighth_tuning_lines() {
    hold("credit-lines-tuning8.tsv", TUNING8_RIGHT);
}

/// Parts right on the 72 lines of the eighth tuning part (of 288): 256 before its rules,
/// 281 after.
const TUNING8_RIGHT: usize = 281;

// See: #11. Held-out set 8: 66 lines of the eighth round, labelled by hand and committed
// before the parser was run on any of them, scored once after the eighth round's rules
// were written; it must not fall below that score.
#[test]
fn parser_score_on_the_eighth_held_out_lines() {
    hold("credit-lines-heldout8.tsv", HELD_OUT8_RIGHT);
}

/// Parts right on the 66 lines of the eighth held-out set, scored once (of 264): 237 (89.8%).
const HELD_OUT8_RIGHT: usize = 237;
