//! The audit report as CSV and as a self-contained HTML page, for the CLI and the HTTP API.
//!
//! CSV quoting (RFC 4180) and HTML escaping are a few lines each, written here rather than
//! pulling in a crate per format. Pure formatting: nothing here reads the store or a terminal.

use std::fmt::Write as _;

use crate::audit::{AuditReport, Finding, Severity};

/// A finding's severity as its lower-case word.
pub fn severity(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Violation => "violation",
        Severity::Warning => "warning",
    }
}

/// The one-line summary: what was checked and what was found.
pub fn head(r: &AuditReport) -> String {
    format!(
        "{} photos and {} uses checked: {} violations, {} warnings",
        r.summary.photos_checked, r.summary.uses_checked, r.summary.violations, r.summary.warnings
    )
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The report as CSV, one finding per row.
pub fn csv(r: &AuditReport) -> String {
    let mut s = String::from("severity,kind,photo,use,outlet,url,part,expected,found,message\r\n");
    for f in &r.findings {
        let part = f
            .part
            .map(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
            })
            .unwrap_or_default()
            .unwrap_or_default();
        let row = [
            severity(f).to_string(),
            f.kind.as_str().to_string(),
            f.photo.map(|p| p.to_hex()).unwrap_or_default(),
            f.use_id.map(|u| u.to_string()).unwrap_or_default(),
            f.outlet.clone().unwrap_or_default(),
            f.url.clone().unwrap_or_default(),
            part,
            f.expected.clone().unwrap_or_default(),
            f.found.clone().unwrap_or_default(),
            f.message.clone(),
        ];
        let fields: Vec<String> = row.iter().map(|v| csv_field(v)).collect();
        s.push_str(&fields.join(","));
        s.push_str("\r\n");
    }
    s
}

fn esc(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The report as one HTML page with no external assets: a summary, counts per kind, and
/// every finding in a table that can be filtered by kind.
pub fn html(r: &AuditReport) -> String {
    let mut rows = String::new();
    for f in &r.findings {
        let _ = writeln!(
            rows,
            "<tr class=\"{sev}\" data-kind=\"{kind}\"><td>{sev}</td><td>{kind}</td>\
             <td title=\"{photo_full}\">{photo}</td><td>{use_id}</td><td>{outlet}</td>\
             <td>{url}</td><td>{expected}</td><td>{found}</td><td>{msg}</td></tr>",
            sev = severity(f),
            kind = f.kind.as_str(),
            photo_full = f.photo.map(|p| p.to_hex()).unwrap_or_default(),
            photo = f.photo.map(|p| p.short()).unwrap_or_default(),
            use_id = f.use_id.map(|u| u.to_string()).unwrap_or_default(),
            outlet = esc(f.outlet.as_deref().unwrap_or("")),
            url = esc(f.url.as_deref().unwrap_or("")),
            expected = esc(f.expected.as_deref().unwrap_or("")),
            found = esc(f.found.as_deref().unwrap_or("")),
            msg = esc(&f.message),
        );
    }
    let mut kinds = String::new();
    for (k, n) in &r.summary.by_kind {
        let _ = write!(
            kinds,
            "<li><label><input type=\"checkbox\" checked data-filter=\"{k}\"> {k}: {n}</label></li>"
        );
    }
    let verdict = if r.has_violations() { "FAIL" } else { "PASS" };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>byline attribution audit: {verdict}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
h1 {{ font-size: 1.4em; }} .verdict {{ padding: .1em .5em; border-radius: 4px; color: #fff; }}
.FAIL {{ background: #b3261e; }} .PASS {{ background: #1e7b34; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }}
tr.violation td:first-child {{ color: #b3261e; font-weight: bold; }}
tr.warning td:first-child {{ color: #8a6d00; }}
ul.kinds {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1em; }}
</style></head>
<body>
<h1>Attribution audit <span class="verdict {verdict}" id="verdict">{verdict}</span></h1>
<p id="summary">{summary}</p>
<p>Generated {generated}{scope}.</p>
<ul class="kinds">{kinds}</ul>
<table id="findings"><thead><tr><th>Severity</th><th>Kind</th><th>Photo</th><th>Use</th>
<th>Outlet</th><th>URL</th><th>Expected</th><th>Printed / stored</th><th>Finding</th></tr></thead>
<tbody>
{rows}</tbody></table>
<p id="shown"></p>
<script>
// Filter rows by kind; the page works without this too.
function refresh() {{
  const on = new Set([...document.querySelectorAll('[data-filter]')].filter(c => c.checked).map(c => c.dataset.filter));
  let n = 0;
  for (const tr of document.querySelectorAll('#findings tbody tr')) {{
    const show = on.has(tr.dataset.kind); tr.hidden = !show; if (show) n++;
  }}
  document.getElementById('shown').textContent = n + ' findings shown';
}}
document.querySelectorAll('[data-filter]').forEach(c => c.addEventListener('change', refresh));
refresh();
</script>
</body></html>
"#,
        summary = esc(&head(r)),
        generated = r.generated_at,
        scope = match (&r.outlet, &r.since) {
            (Some(o), Some(s)) => format!(" for {} since {s}", esc(o)),
            (Some(o), None) => format!(" for {}", esc(o)),
            (None, Some(s)) => format!(" since {s}"),
            (None, None) => String::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            esc("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
