//! The audit report as CSV and as a self-contained HTML page, for the CLI and the HTTP API.
//! The page shows each finding's photo as a small thumbnail inlined as a `data:` URI (so the
//! file stays self-contained), its caption, the page link, and the required and printed
//! credits side by side with the words that differ marked.
//!
//! CSV quoting (RFC 4180) and HTML escaping are a few lines each, written here rather than
//! pulling in a crate per format. Pure formatting: nothing here reads the store or a terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use crate::audit::{AuditReport, Finding, Severity, Summary};
use crate::id::BlobId;
use crate::library::Reader;

/// How a photo is shown in the HTML report: what the store says about it.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// A small JPEG of it.
    pub thumbnail: Option<Vec<u8>>,
    /// Its stored caption.
    pub caption: Option<String>,
}

/// Captions longer than this many characters are cut in the report.
const CAPTION_SHOWN: usize = 160;

/// A finding's severity as its lower-case word.
pub fn severity(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Violation => "violation",
        Severity::Warning => "warning",
    }
}

/// The one-line summary: what was checked and what was found.
pub fn head(r: &AuditReport) -> String {
    summary_line(&r.summary)
}

/// [`head`] from the counts alone (a streamed report has them before its findings).
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{} photos and {} uses checked: {} violations, {} warnings",
        s.photos_checked, s.uses_checked, s.violations, s.warnings
    )
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The first row of the CSV report.
pub const CSV_HEADER: &str = "severity,kind,photo,use,outlet,url,part,expected,found,message\r\n";

/// The report as CSV, one finding per row.
pub fn csv(r: &AuditReport) -> String {
    let mut s = String::from(CSV_HEADER);
    for f in &r.findings {
        s.push_str(&csv_row(f));
    }
    s
}

/// One finding as a CSV row, line end included.
pub fn csv_row(f: &Finding) -> String {
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
    let mut s = fields.join(",");
    s.push_str("\r\n");
    s
}

fn esc(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Text split into words (runs of letters and digits) and what lies between them.
fn tokens(s: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut word = None;
    for (i, c) in s.char_indices() {
        let w = c.is_alphanumeric();
        if word.is_some_and(|was| was != w) {
            out.push((&s[start..i], word == Some(true)));
            start = i;
        }
        word = Some(w);
    }
    if let Some(w) = word {
        out.push((&s[start..], w));
    }
    out
}

/// `a` and `b` as HTML with their words outside the longest common run of words marked
/// (`<mark>`): what a printed credit has wrong or lacks against the required one. Words are
/// compared without case; punctuation and spaces are shown as they are, never marked.
fn marked(a: &str, b: &str) -> (String, String) {
    let (ta, tb) = (tokens(a), tokens(b));
    let words = |t: &[(&str, bool)]| -> Vec<(usize, String)> {
        t.iter()
            .enumerate()
            .filter(|(_, (_, w))| *w)
            .map(|(i, (s, _))| (i, s.to_lowercase()))
            .collect()
    };
    let (wa, wb) = (words(&ta), words(&tb));
    // Longest common subsequence of words (credits are short: a small table is fine).
    let (n, m) = (wa.len(), wb.len());
    let at = |i: usize, j: usize| i * (m + 1) + j;
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if wa[i].1 == wb[j].1 {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut same_a, mut same_b) = (vec![false; ta.len()], vec![false; tb.len()]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if wa[i].1 == wb[j].1 {
            same_a[wa[i].0] = true;
            same_b[wb[j].0] = true;
            (i, j) = (i + 1, j + 1);
        } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let show = |t: &[(&str, bool)], same: &[bool]| {
        t.iter()
            .zip(same)
            .map(|((s, word), same)| {
                if *word && !*same {
                    format!("<mark>{}</mark>", esc(s))
                } else {
                    esc(s)
                }
            })
            .collect::<String>()
    };
    (show(&ta, &same_a), show(&tb, &same_b))
}

/// The photo cell: thumbnail, caption and short id.
fn photo_cell(f: &Finding, shown: &BTreeMap<BlobId, Shown>) -> String {
    let Some(id) = f.photo else {
        return String::new();
    };
    let s = shown.get(&id).cloned().unwrap_or_default();
    let caption = s.caption.as_deref().map(|c| {
        if c.chars().count() > CAPTION_SHOWN {
            format!("{}…", c.chars().take(CAPTION_SHOWN).collect::<String>())
        } else {
            c.to_string()
        }
    });
    let img = s.thumbnail.map_or_else(String::new, |t| {
        format!(
            "<img class=\"thumb\" alt=\"{}\" src=\"data:image/jpeg;base64,{}\">",
            esc(caption.as_deref().unwrap_or("")),
            base64::engine::general_purpose::STANDARD.encode(t)
        )
    });
    format!(
        "<figure>{img}<figcaption>{}</figcaption><code title=\"{}\">{}</code></figure>",
        esc(caption.as_deref().unwrap_or("")),
        id.to_hex(),
        id.short()
    )
}

/// The page cell: a link for a web page, the bare text for a file.
fn page_cell(url: Option<&str>) -> String {
    match url {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => format!(
            "<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
            esc(u)
        ),
        Some(u) => esc(u),
        None => String::new(),
    }
}

/// The report as one HTML page with no external assets: a summary, counts per kind, and
/// every finding in a table that can be filtered by kind. Photos show as their stored
/// hash only; [`html_with`] shows them as thumbnails with captions.
pub fn html(r: &AuditReport) -> String {
    html_with(r, &BTreeMap::new())
}

/// Longest side of the thumbnails in the HTML report, in pixels (shown at up to 120).
const THUMB_SIDE: u32 = 240;

/// The report as a self-contained HTML page, each finding's photo shown as a thumbnail with
/// its caption. A photo whose thumbnail cannot be made (a HEIC without its codec, a missing
/// blob) is shown by caption and id alone.
pub fn html_for(lib: &Reader, r: &AuditReport) -> String {
    let mut shown = BTreeMap::new();
    for id in r.findings.iter().filter_map(|f| f.photo) {
        if shown.contains_key(&id) {
            continue;
        }
        let caption = lib.photo(&id).ok().and_then(|p| p.fields.caption);
        let thumbnail = lib.thumbnail(&id, THUMB_SIDE).ok();
        shown.insert(id, Shown { thumbnail, caption });
    }
    html_with(r, &shown)
}

/// [`html`], showing each finding's photo as `shown` says (thumbnail and caption).
pub fn html_with(r: &AuditReport, shown: &BTreeMap<BlobId, Shown>) -> String {
    let mut rows = String::new();
    for f in &r.findings {
        let (expected, found) = marked(
            f.expected.as_deref().unwrap_or(""),
            f.found.as_deref().unwrap_or(""),
        );
        let _ = writeln!(
            rows,
            "<tr class=\"{sev}\" data-kind=\"{kind}\"><td>{sev}</td><td>{kind}</td>\
             <td class=\"photo\">{photo}</td><td>{use_id}</td><td>{outlet}</td>\
             <td>{url}</td><td class=\"required\">{expected}</td>\
             <td class=\"printed\">{found}</td><td>{msg}</td></tr>",
            sev = severity(f),
            kind = f.kind.as_str(),
            photo = photo_cell(f, shown),
            use_id = f.use_id.map(|u| u.to_string()).unwrap_or_default(),
            outlet = esc(f.outlet.as_deref().unwrap_or("")),
            url = page_cell(f.url.as_deref()),
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
figure {{ margin: 0; max-width: 14em; }} img.thumb {{ display: block; max-width: 120px; max-height: 120px; }}
figcaption {{ font-size: .85em; color: #555; }}
mark {{ background: #ffd5d1; color: #8c1d18; font-weight: bold; }}
</style></head>
<body>
<h1>Attribution audit <span class="verdict {verdict}" id="verdict">{verdict}</span></h1>
<p id="summary">{summary}</p>
<p>Generated {generated}{scope}.</p>
<ul class="kinds">{kinds}</ul>
<table id="findings"><thead><tr><th>Severity</th><th>Kind</th><th>Photo</th><th>Use</th>
<th>Outlet</th><th>Page</th><th>Required</th><th>Printed / stored</th><th>Finding</th></tr></thead>
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

    #[test]
    fn marked_shows_the_words_that_differ() {
        let (required, printed) = marked("John Thys / AFP", "John Thys/AFP/Getty Images");
        assert_eq!(required, "John Thys / AFP");
        assert_eq!(
            printed,
            "John Thys/AFP/<mark>Getty</mark> <mark>Images</mark>"
        );
        let (required, printed) = marked("© 2024 Jane Roe, Reuters", "© 2023 jane roe, Reuters");
        assert_eq!(required, "© <mark>2024</mark> Jane Roe, Reuters");
        assert_eq!(printed, "© <mark>2023</mark> jane roe, Reuters");
        let (required, printed) = marked("AP Photo/<x>", "");
        assert_eq!(
            required,
            "<mark>AP</mark> <mark>Photo</mark>/&lt;<mark>x</mark>&gt;"
        );
        assert_eq!(printed, "");
    }
}
