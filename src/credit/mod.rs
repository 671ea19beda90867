//! Credits as structure: parse a printed credit line into parts, render parts back into the
//! line a house style requires, and compare a printed line with the required one.
//!
//! Pure: no storage, no clock, no I/O. Outlet styles arrive as deserialised config from the
//! caller; the audit, the ledger and the CLI that use these functions live elsewhere.

mod agency;
mod check;
mod compare;
mod parse;
mod style;

use serde::{Deserialize, Serialize};

pub use agency::names as agency_names;
pub use check::{Finding, check_caption_date, check_cut, check_photo, check_source, check_year};
pub use compare::{Mismatch, Part, compare, judge};
pub use parse::{agency_of, parse, parts_of};
pub use style::{
    CreditReport, OutletStyle, Style, builtin, render, report, required_line, schema_org,
    short_form, style, styles,
};

/// The IIM 2:110 Credit dataset holds at most this many bytes.
pub const IIM_CREDIT_MAX: usize = 32;

/// A credit split into what it says: who took the photo, who distributed it, who passed it on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditParts {
    /// The line as it was printed or supplied, byte for byte.
    pub original: Option<String>,
    /// The distributing agency's canonical name (`AP`, `Reuters`, `Getty Images`, …), or a
    /// platform credited in its place (`Flickr`, `kremlin.ru`).
    pub agency: Option<String>,
    /// Photographers in name case (`DMITRY SEREBRYAKOV` → `Dmitry Serebryakov`).
    pub creators: Vec<String>,
    /// Organisations between the creator and the agency, origin first
    /// (`Sputnik/Alexei Druzhinin/Kremlin via REUTERS` → `Sputnik`, `Kremlin`).
    pub via: Vec<String>,
    /// What sort of picture the credit says it is.
    pub kind: Kind,
    /// An agency name printed wrongly, as printed (`RETUERS`); `agency` holds the right one.
    pub misspelling: Option<String>,
    /// Editor notes and restrictions printed after the credit (`ATTENTION EDITORS …`).
    pub trailer: Option<String>,
    /// The line looks cut at the IIM 2:110 limit (`PA Archive/Press Association Ima`).
    pub truncated: bool,
    /// The work's title, for Creative Commons attribution (TASL).
    pub title: Option<String>,
    /// The licence named in the line or the record (`CC BY 2.0`).
    pub licence: Option<String>,
}

/// What sort of picture a credit describes (`tests/data/credit-lines.md`, column `kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An ordinary agency photo by a named photographer (staff, stringer or partner).
    Staff,
    /// A pool photo (`, Pool`, `Kremlin Pool`, Reuters' bare `Kremlin`).
    Pool,
    /// Issued by its subject, a government press service, a studio, or commissioned by a client.
    Handout,
    /// A still taken from video.
    ScreenGrab,
    /// Reuse from an archive (`File Photo`, `PA Archive`, `Hulton Archive`).
    Archive,
    /// A stock picture (`Alamy Stock Photo`, Getty's creative collections).
    Stock,
    /// Only an agency or platform is named, or the line is a bare value.
    #[default]
    Unknown,
}

impl Kind {
    /// The snake-case name used in JSON and in `tests/data/credit-lines.tsv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Staff => "staff",
            Kind::Pool => "pool",
            Kind::Handout => "handout",
            Kind::ScreenGrab => "screen_grab",
            Kind::Archive => "archive",
            Kind::Stock => "stock",
            Kind::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_match_json_and_the_tsv() {
        for kind in [
            Kind::Staff,
            Kind::Pool,
            Kind::Handout,
            Kind::ScreenGrab,
            Kind::Archive,
            Kind::Stock,
            Kind::Unknown,
        ] {
            let json = serde_json::to_value(kind).expect("a unit variant serialises");
            assert_eq!(json, kind.as_str());
        }
    }
}
