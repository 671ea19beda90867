//! Terminal and JSON output: sanitising untrusted text, JSON lines, tables.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

/// Strip control characters (escape sequences included) from text that came from a file or a
/// user before it reaches a terminal; newlines and tabs become spaces.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect()
}

/// Print one value as a single JSON line.
pub fn json_line<T: Serialize>(out: &mut impl Write, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Print one value as indented JSON.
pub fn json_pretty<T: Serialize>(out: &mut impl Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Cut `text` to at most `width` characters, marking the cut with "…".
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_escape_sequences() {
        assert_eq!(clean("a\u{1b}[31mred\u{7}\nb"), "a[31mred b");
    }

    #[test]
    fn fit_cuts_on_characters() {
        assert_eq!(fit("Zürich straße", 6), "Züric…");
        assert_eq!(fit("short", 6), "short");
    }
}
