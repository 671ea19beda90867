//! The audit report as a terminal table; CSV and HTML live in [`crate::report`], shared with
//! the HTTP API.

use std::fmt::Write as _;

use super::output::{clean, fit};
use crate::audit::{AuditReport, Finding};
pub use crate::report::html_for as html;
use crate::report::{head, severity};

/// The report as a table for terminals.
pub fn table(r: &AuditReport) -> String {
    let mut s = table_header();
    for f in &r.findings {
        s.push_str(&table_row(f));
    }
    let _ = writeln!(s, "{}", head(r));
    s
}

/// The table's column names, line end included.
pub fn table_header() -> String {
    format!(
        "{:<9}  {:<15}  {:<12}  {:<5}  {:<16}  MESSAGE\n",
        "SEVERITY", "KIND", "PHOTO", "USE", "OUTLET"
    )
}

/// One finding as a table row, line end included.
pub fn table_row(f: &Finding) -> String {
    format!(
        "{:<9}  {:<15}  {:<12}  {:<5}  {:<16}  {}\n",
        severity(f),
        f.kind.as_str(),
        f.photo.map(|p| p.short()).unwrap_or_default(),
        f.use_id.map(|u| u.to_string()).unwrap_or_default(),
        fit(&clean(f.outlet.as_deref().unwrap_or("")), 16),
        clean(&f.message)
    )
}
