//! The audit report as a terminal table; CSV and HTML live in [`crate::report`], shared with
//! the HTTP API.

use std::fmt::Write as _;

use super::output::{clean, fit};
use crate::audit::AuditReport;
pub use crate::report::{csv, html_for as html};
use crate::report::{head, severity};

/// The report as a table for terminals.
pub fn table(r: &AuditReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<9}  {:<15}  {:<12}  {:<5}  {:<16}  MESSAGE",
        "SEVERITY", "KIND", "PHOTO", "USE", "OUTLET"
    );
    for f in &r.findings {
        let _ = writeln!(
            s,
            "{:<9}  {:<15}  {:<12}  {:<5}  {:<16}  {}",
            severity(f),
            f.kind.as_str(),
            f.photo.map(|p| p.short()).unwrap_or_default(),
            f.use_id.map(|u| u.to_string()).unwrap_or_default(),
            fit(&clean(f.outlet.as_deref().unwrap_or("")), 16),
            clean(&f.message)
        );
    }
    let _ = writeln!(s, "{}", head(r));
    s
}
