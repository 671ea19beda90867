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
