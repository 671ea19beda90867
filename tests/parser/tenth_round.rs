//! The rules written on held-out set 9 (burned) and the tenth round's tuning lines, each
//! shown on lines made up for the rule (invented names and places).

use super::check;

// See: #11. Fire services, universities and photo contests credited by name issue their
// own pictures: the body is the source and the picture a handout, with or without a year.
#[test]
fn bodies_and_contests_issue_handouts() {
    check(&[
        (
            "Foto: Harbour Fire Service",
            "Harbour Fire Service",
            "",
            "",
            "handout",
        ),
        (
            "(Photo by Jane Doe/2020 Harbour Photographer of the Year)",
            "Harbour Photographer of the Year",
            "Jane Doe",
            "",
            "handout",
        ),
        (
            "Photo by Jane Doe, Harbour University.",
            "Harbour University",
            "Jane Doe",
            "",
            "handout",
        ),
    ]);
}

// See: #11. A photographer's name with a word the paper adds after it: `PHOTO` in
// capitals, or `Pool` glued to the name before the agency.
#[test]
fn names_with_a_trailing_photo_or_pool() {
    check(&[
        ("JANE DOE PHOTO", "", "Jane Doe", "", "unknown"),
        (
            "(Jane Doe Pool/Getty Images)",
            "Getty Images",
            "Jane Doe",
            "",
            "pool",
        ),
    ]);
}

// See: #11. What comes before ` by Name`: a work's title, a label, the issuer's label or the
// commissioning outlet.
#[test]
fn titles_and_labels_before_by() {
    check(&[
        (
            "Harbour mornings by Jane Doe",
            "",
            "Jane Doe",
            "",
            "unknown",
        ),
        (
            "(Official White House Photo by Jane Doe)",
            "White House",
            "Jane Doe",
            "",
            "handout",
        ),
        (
            "MUST CREDIT: Photo for The Harbour Post by Jane Doe",
            "The Harbour Post",
            "Jane Doe",
            "",
            "staff",
        ),
    ]);
}

// See: #11. An agency's photographer commissioned for an outlet (`Name / Agency for Paper`)
// is the agency's picture and a handout; the client is no part of the credit.
#[test]
fn an_agency_commissioned_for_a_client() {
    check(&[(
        "Foto: Jane Doe / Lumen for The Harbour Times",
        "Lumen",
        "Jane Doe",
        "",
        "handout",
    )]);
}

// See: #11. Smaller forms: a handle ` on X`, an agency's label and the pool marker without
// slashes, a body's name in capitals after `courtesy of`, a publisher beside the artist, a
// pictograph as the label.
#[test]
fn handles_labels_and_publishers() {
    check(&[
        (
            "Photo: @harbourmayor on X via PTI",
            "PTI",
            "@harbourmayor",
            "X",
            "handout",
        ),
        ("(AFP PHOTO POOL JANE DOE)", "AFP", "Jane Doe", "", "pool"),
        (
            "– PICTURE COURTESY OF HARBOURDEPT",
            "HARBOURDEPT",
            "",
            "",
            "handout",
        ),
        (
            "Courtesy Jane Doe / Harbour Books",
            "Harbour Books",
            "Jane Doe",
            "",
            "handout",
        ),
        ("📷 Jane Doe", "", "Jane Doe", "", "unknown"),
    ]);
}

// See: #11. A source label inside the closing bracket (`Name (nguồn Reuters)`), an acronym
// of three letters or more opening an organisation's name (`ABC Thunder`), and the Vatican's
// newspaper issuing the Holy See's pictures.
#[test]
fn source_labels_acronyms_and_the_vatican() {
    check(&[
        (
            "Jane Doe (nguồn Reuters)",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Photograph by Jane Doe / HBT Harbourers",
            "HBT Harbourers",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Photo: L'Osservatore Romano/AP",
            "AP",
            "",
            "L'Osservatore Romano",
            "handout",
        ),
    ]);
}
