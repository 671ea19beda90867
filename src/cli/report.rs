//! The audit report as a terminal table; CSV and HTML live in [`crate::report`], shared with
//! the HTTP API.

use std::fmt::Write as _;

use super::output::{clean, fit};
use crate::audit::AuditReport;
use crate::library::Reader;
use crate::report::Shown;
pub use crate::report::csv;
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

/// Longest side of the thumbnails in the HTML report, in pixels (shown at up to 120).
const THUMB_SIDE: u32 = 240;

/// The report as a self-contained HTML page, each finding's photo shown as a thumbnail with
/// its caption. A photo whose thumbnail cannot be made (a HEIC without its codec, a missing
/// blob) is shown by caption and id alone.
pub fn html(lib: &Reader, r: &AuditReport) -> String {
    let mut shown = std::collections::BTreeMap::new();
    for id in r.findings.iter().filter_map(|f| f.photo) {
        if shown.contains_key(&id) {
            continue;
        }
        let caption = lib.photo(&id).ok().and_then(|p| p.fields.caption);
        let thumbnail = lib.thumbnail(&id, THUMB_SIDE).ok();
        shown.insert(id, Shown { thumbnail, caption });
    }
    crate::report::html_with(r, &shown)
}
