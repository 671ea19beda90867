//! The rules written on held-out set 7 (burned) and the eighth round's tuning lines, each
//! shown on lines made up for the rule (invented names and places).

use super::check;

// See: #11. A name's surroundings that are not the name: a service rank before it, a
// Korean reporter word, dateline and e-mail address around it, a copyright sign glued to
// it, and a contributor's handle (one camel-case word with an organisation word glued on).
#[test]
fn what_surrounds_a_name() {
    check(&[
        ("Sgt Jane Roe (EFE)", "EFE", "Jane Roe", "", "staff"),
        ("2024.3.1 부산 김가나 기자", "", "김가나", "", "unknown"),
        (
            "김가나 선임기자 kim@harbour.co.kr",
            "",
            "김가나",
            "",
            "unknown",
        ),
        ("(photo by Jane Doe©)", "", "Jane Doe", "", "unknown"),
        (
            "(Photo by ABCImages/Alamy Live News)",
            "Alamy",
            "ABCImages",
            "",
            "stock",
        ),
        (
            "2024年1月2日、港区の駅前、山田花子撮影",
            "",
            "山田花子",
            "",
            "unknown",
        ),
    ]);
}

// See: #11. What surrounds an agency: a dateline in capitals glued by a hyphen, an
// editor's initials and the day after the chain, a copyright sentence with its year, and
// a Dutch label in lower case without a colon.
#[test]
fn what_surrounds_an_agency() {
    check(&[
        ("HARBOURTOWN-Anadolu Agency", "Anadolu", "", "", "unknown"),
        (
            "ANTARA FOTO/Jane Doe/abc/12.",
            "Antara",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "© Copyright 2025. The Associated Press. All rights reserved",
            "AP",
            "",
            "",
            "unknown",
        ),
        ("beeld EPA, Jane Doe", "EPA", "Jane Doe", "", "staff"),
    ]);
}

// See: #11. Issuers without an English organisation word: German authorities written as
// one compound, production companies and theatres; a sub-brand distributed by another
// agency stands for its own agency.
#[test]
fn issuers_and_sub_brands() {
    check(&[
        (
            "Bild: Polizeidirektion Harbourtown/dpa",
            "dpa",
            "",
            "Polizeidirektion Harbourtown",
            "handout",
        ),
        (
            "Harbour Productions/Jane Doe",
            "Harbour Productions",
            "Jane Doe",
            "",
            "handout",
        ),
        (
            "(Photo by Jane Doe/PA Wire via AP Photo)",
            "AP",
            "Jane Doe",
            "PA",
            "staff",
        ),
    ]);
}

// See: #11. Organisations without an organisation word: after a photographer and a known
// agency a further name is an organisation of the chain; a newspaper from the generated
// Wikidata list is an outlet, but an unknown body after it still distributes.
#[test]
fn organisations_by_grammar_and_by_the_generated_table() {
    check(&[
        (
            "Jane Doe/Reuters/Harbour Bay",
            "Reuters",
            "Jane Doe",
            "Harbour Bay",
            "staff",
        ),
        (
            "Kuva: Matti Meikäläinen / Uusi Suomi",
            "Uusi Suomi",
            "Matti Meikäläinen",
            "",
            "staff",
        ),
        (
            "Photo: Jane Doe / Dziennik Polski / Harbour Press",
            "Harbour Press",
            "Jane Doe",
            "Dziennik Polski",
            "staff",
        ),
        // Two photographers joined by "and" before the agency stay two.
        (
            "Jane Doe and John Roe/AFP",
            "AFP",
            "Jane Doe | John Roe",
            "",
            "staff",
        ),
    ]);
}
