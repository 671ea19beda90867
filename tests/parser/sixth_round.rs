//! Rules written on the sixth round (issue 11): held-out set 5's failures, once it was
//! burned, and the sixth round's tuning part. Labels in other shapes, wrapping around a
//! bracketed credit, archive words and outlets before names. Each is shown on lines made up
//! for the rule.

use super::check;

// See: #11. A label followed by a semicolon or a spaced dash instead of a colon; an
// agency's photo hashtag with no `by`; a second label in the middle of the line; the ABC's
// and Australian papers' `Supplied` as a handout.
#[test]
fn labels_in_other_shapes() {
    check(&[
        ("Photo; AFP", "AFP", "", "", "unknown"),
        ("Foto – Jane Doe", "", "Jane Doe", "", "unknown"),
        ("#AFPPhoto Jane Doe", "AFP", "Jane Doe", "", "staff"),
        (
            "Photo by Jane Doe. Picture: Supplied",
            "",
            "Jane Doe",
            "",
            "handout",
        ),
        (
            "Photo by Jane Doe Picture: Supplied",
            "",
            "Jane Doe",
            "",
            "handout",
        ),
        ("(Supplied: Jane Doe)", "", "Jane Doe", "", "handout"),
        ("Picture: Supplied", "", "", "", "handout"),
        // Two label words joined by a slash, over a brand printed in lower case.
        ("Bild/Quelle: ddq", "ddq", "", "", "unknown"),
    ]);
}

// See: #11. An outlet or platform before `photograph by`: the outlet is the agency and the
// name its photographer; a marker, `All` or an agency there is not an outlet.
#[test]
fn outlet_before_photograph_by() {
    check(&[
        (
            "The Daily Courier photograph by Jane Doe",
            "The Daily Courier",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Unsplash photo by Jane Doe",
            "Unsplash",
            "Jane Doe",
            "",
            "unknown",
        ),
        ("All photos by Jane Doe.", "", "Jane Doe", "", "unknown"),
        (
            "Reuters photo by Jane Doe",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        ("Pool photo by Jane Doe", "", "Jane Doe", "", "pool"),
        ("Handout photo by Jane Doe", "", "Jane Doe", "", "handout"),
    ]);
}

// See: #11. Wrapping around a bracketed credit: one bracket round the whole line with the
// agency's own bracket inside it, the agency's copyright notice after the bracket, label
// words after a closing dash.
#[test]
fn wrapping_round_a_bracketed_credit() {
    check(&[
        ("( Foto: JANE DOE (AFP) )", "AFP", "Jane Doe", "", "staff"),
        (
            "(AP Foto/Jane Doe) Copyright 2021 The Associated Press. All rights reserved.",
            "AP",
            "Jane Doe",
            "",
            "staff",
        ),
        ("(AP Foto/Jane Doe)", "AP", "Jane Doe", "", "staff"),
        (
            "(File/Reuters - photo credit)",
            "Reuters",
            "",
            "",
            "archive",
        ),
    ]);
}

// See: #11. An archive word glued before an outlet not in the agency table; one word
// before a name of two words is the outlet (`PAPER/GIVEN M FAMILY`); an agency whose name
// holds a number keeps it (`Flash 90`, not a billing code).
#[test]
fn outlets_before_names() {
    check(&[
        (
            "Archivo Diario Sur/Jane Doe",
            "Diario Sur",
            "Jane Doe",
            "",
            "archive",
        ),
        ("Foto: Archivo Diario Sur", "Diario Sur", "", "", "archive"),
        ("GAZETA/JANE M DOE", "GAZETA", "Jane M Doe", "", "staff"),
        ("Jane Doe / Flash90", "Flash90", "Jane Doe", "", "staff"),
        (
            "Jane Doe/Reuters/kod 10060",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        // Spanish `S/D` (no data) where the name would be.
        ("S/D / EFE", "EFE", "", "", "unknown"),
        ("S/D de autor / Reuters", "Reuters", "", "", "unknown"),
    ]);
}

// See: #11. A Markdown attribution ending `is in the public domain`: the author linked
// after `by` is its creator, even as one word in capitals, name-cased (the link's colon is no label).
#[test]
fn public_domain_attribution() {
    check(&[(
        "[Harbour at dawn](https://www.flickr.com/photos/1234@N00/987) by \
         [KESTRELWORKS](https://www.flickr.com/photos/kestrel/) is in the public domain.",
        "Flickr",
        "Kestrelworks",
        "",
        "unknown",
    )]);
}
