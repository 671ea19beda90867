//! The rules written on held-out set 8 (burned) and the ninth round's tuning lines, each
//! shown on lines made up for the rule (invented names and places).

use super::check;

// See: #11. An agency's name in a looser form: without its accents, with its spaces moved,
// or wrapped in the words agencies put around their names.
#[test]
fn looser_forms_of_agency_names() {
    check(&[
        (
            "Jane Doe/Agencia Brasil",
            "Agência Brasil",
            "Jane Doe",
            "",
            "staff",
        ),
        ("Jane Doe / Flash 90", "Flash90", "Jane Doe", "", "staff"),
        (
            "Photo: Russian News Agency TASS/Jane Doe",
            "TASS",
            "Jane Doe",
            "",
            "staff",
        ),
        ("Jane Doe/dpa-Zentralbild", "dpa", "Jane Doe", "", "staff"),
    ]);
}

// See: #11. What is printed around a credit and is not part of it: an e-mail address after
// the name, a date after the credit, a closing "All Rights Reserved", a bar after a label.
#[test]
fn what_is_not_part_of_the_credit() {
    check(&[
        (
            "Jane Doe, jdoe@harbour.example",
            "",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "Photo by Jane Doe/Reuters on 3 March, 2019",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Jane Doe/EFE, June 12, 2020",
            "EFE",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "(C) Kyodo News. All Rights Reserved",
            "Kyodo",
            "",
            "",
            "unknown",
        ),
        (
            "Foto | Jane Doe / Harbour.cz",
            "Harbour.cz",
            "Jane Doe",
            "",
            "staff",
        ),
    ]);
}

// See: #11. Agencies in the forms Asian papers print them: glued to `PIC`, and China News
// Service by its Chinese name before the reporter word.
#[test]
fn agencies_in_asian_papers_forms() {
    check(&[
        ("– REUTERSPIC", "Reuters", "", "", "unknown"),
        (
            "中新社记者 王小明 摄",
            "China News Service",
            "王小明",
            "",
            "staff",
        ),
    ]);
}

// See: #11. A body no table knows, or a social-media account, before ` via Agency` issued
// the picture: a handout, whoever passed it on.
#[test]
fn bodies_and_accounts_before_via() {
    check(&[
        ("Photo: HDC via PTI", "PTI", "", "HDC", "handout"),
        (
            "Photo: @harbourmayor via Reuters",
            "Reuters",
            "@harbourmayor",
            "",
            "handout",
        ),
        ("Jane Doe via Reuters", "Reuters", "Jane Doe", "", "staff"),
    ]);
}

// See: #11. `picture alliance` is dpa's picture service and its own name in the credit,
// distributing its partners' pictures (`Name / AP / picture alliance`).
#[test]
fn picture_alliance_distributes() {
    check(&[(
        "(Foto: Jane Doe / AP / Picture Alliance)",
        "picture alliance",
        "Jane Doe",
        "AP",
        "staff",
    )]);
}
