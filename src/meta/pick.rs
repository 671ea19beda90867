//! Choosing one value per field from the blocks that carry it: each block's value is kept,
//! one is picked by the field's [`Rule`] (see the precedence in the module above), and
//! disagreement, dates that are not dates and IIM values cut at their byte limit become
//! warnings.

use serde_json::Value;

use super::{Extracted, iptc};

/// Which block a field prefers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    /// EXIF, then XMP/IIM by digest, then PNG (caption, copyright, creators).
    ExifFirst,
    /// EXIF, then XMP, then IIM.
    Date,
    /// XMP/IIM by digest, then PNG.
    XmpFirst,
}

/// Each block's value of one field. IIM values carry their stored byte length and dataset
/// number, to spot values cut at the dataset's limit.
pub(super) struct Candidates {
    pub(super) exif: Option<Value>,
    pub(super) iptc: Option<(Value, usize, u8)>,
    pub(super) xmp: Option<Value>,
    pub(super) png: Option<Value>,
}

pub(super) struct Picker<'o> {
    pub(super) out: &'o mut Extracted,
    /// False when the IPTCDigest is stale: IIM then beats XMP.
    pub(super) xmp_first: bool,
}

impl Picker<'_> {
    /// Record every block's value, choose one by `rule`, warn about disagreement.
    pub(super) fn field(&mut self, field: &str, rule: Rule, c: Candidates) -> Option<Value> {
        let cut_limit = match (&c.iptc, &c.xmp) {
            (Some((iv, bytes, n)), Some(xv)) => {
                iptc::limit(*n).filter(|l| bytes == l && is_prefix(iv, xv))
            }
            _ => None,
        };
        let cut_iim = cut_limit.is_some();
        let mut present: Vec<(&'static str, Value)> = Vec::new();
        for (block, v) in [
            ("exif", c.exif),
            ("iptc", c.iptc.map(|(v, _, _)| v)),
            ("xmp", c.xmp),
            ("png", c.png),
        ] {
            if let Some(v) = v.filter(|v| !is_empty(v)) {
                present.push((block, v));
            }
        }
        let order: [&str; 4] = match rule {
            Rule::Date => ["exif", "xmp", "iptc", "png"],
            _ if cut_iim || self.xmp_first => ["exif", "xmp", "iptc", "png"],
            _ => ["exif", "iptc", "xmp", "png"],
        };
        let skip_exif = rule == Rule::XmpFirst;
        // A malformed date (`2009-09-09T17:00:00, 2009-09-09`) is kept but never chosen.
        let usable = |v: &Value| rule != Rule::Date || v.as_str().and_then(date_parts).is_some();
        let chosen = order
            .iter()
            .filter(|b| !(skip_exif && **b == "exif"))
            .find_map(|b| present.iter().find(|(p, v)| p == b && usable(v)));
        if !present.is_empty() {
            let entry = self.out.blocks.entry(field.to_string()).or_default();
            for (b, v) in &present {
                entry.insert((*b).to_string(), v.clone());
            }
        }
        for (b, v) in present.iter().filter(|(_, v)| !usable(v)) {
            self.out.warnings.push(format!(
                "{field}: the {b} value {} is not an ISO 8601 date; not used",
                short(v)
            ));
        }
        let (src, value) = chosen.cloned()?;
        self.out.sources.insert(field.to_string(), src.to_string());
        if let Some(limit) = cut_limit {
            self.out.warnings.push(format!(
                "{field}: the IIM value fills its {limit}-byte limit and is the start of the \
                 XMP value, so it was cut; took xmp"
            ));
        }
        let distinct = present
            .iter()
            .filter(|(b, _)| !(cut_iim && *b == "iptc"))
            .any(|(_, v)| !same(rule, v, &value));
        if distinct {
            let list: Vec<String> = present
                .iter()
                .map(|(b, v)| format!("{b} {}", short(v)))
                .collect();
            self.out.warnings.push(format!(
                "{field}: blocks disagree ({}); chose {src}",
                list.join(", ")
            ));
        }
        Some(value)
    }

    /// A field only XMP carries.
    pub(super) fn xmp_only(&mut self, field: &str, v: Option<Value>) -> Option<Value> {
        self.field(
            field,
            Rule::XmpFirst,
            Candidates {
                exif: None,
                iptc: None,
                xmp: v,
                png: None,
            },
        )
    }
}

pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_empty),
        Value::Null => true,
        _ => false,
    }
}

/// Text for comparison: trimmed, with CR and CRLF line breaks as LF (IIM uses CR), and case
/// ignored: agencies
/// write names in capitals in IIM (`JOHN THYS`) and mixed case in EXIF (`John Thys`), which is
/// one of form, not content; the chosen value itself is kept exactly as written.
pub(super) fn norm(s: &str) -> String {
    s.trim()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .to_lowercase()
}

pub(super) fn same(rule: Rule, a: &Value, b: &Value) -> bool {
    match (a, b) {
        // A date and a more precise date-time of the same moment agree.
        (Value::String(x), Value::String(y)) if rule == Rule::Date => {
            match (date_parts(x), date_parts(y)) {
                (Some(a), Some(b)) => {
                    let both = |p: Option<&str>, q: Option<&str>| match (p, q) {
                        (Some(p), Some(q)) => p == q,
                        _ => true,
                    };
                    (a.0.starts_with(b.0) || b.0.starts_with(a.0))
                        && both(a.1, b.1)
                        && both(a.2, b.2)
                }
                _ => norm(x) == norm(y),
            }
        }
        (Value::String(x), Value::String(y)) => norm(x) == norm(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(rule, a, b))
        }
        _ => a == b,
    }
}

/// An ISO 8601 date split into date, time to the second, and offset; `None` when malformed.
/// Fractions of a second are left out: blocks store them to different precisions.
pub(super) fn date_parts(s: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let s = s.trim();
    let (date, rest) = s.split_once('T').map_or((s, None), |(d, r)| (d, Some(r)));
    let shape = |t: &str, pat: &str| {
        t.len() <= pat.len()
            && t.bytes().zip(pat.bytes()).all(|(c, p)| {
                if p == b'9' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            })
    };
    if date.len() < 4 || !shape(date, "9999-99-99") {
        return None;
    }
    let Some(rest) = rest else {
        return Some((date, None, None));
    };
    let split = rest.find(['+', '-', 'Z']).unwrap_or(rest.len());
    let (time, offset) = rest.split_at(split);
    let whole = time.split('.').next().unwrap_or(time);
    let frac_ok = time
        .get(whole.len() + 1..)
        .is_none_or(|f| f.bytes().all(|c| c.is_ascii_digit()));
    if whole.len() < 5 || !shape(whole, "99:99:99") || !frac_ok {
        return None;
    }
    if !(offset.is_empty()
        || offset == "Z"
        || (offset.len() == 6 && offset.get(1..).is_some_and(|o| shape(o, "99:99"))))
    {
        return None;
    }
    Some((date, Some(whole), (!offset.is_empty()).then_some(offset)))
}

/// Whether the IIM value `iim` is a prefix of the XMP value `xmp` (item by item for lists).
pub(super) fn is_prefix(iim: &Value, xmp: &Value) -> bool {
    match (iim, xmp) {
        (Value::String(i), Value::String(x)) => x.starts_with(i.as_str()) && x.len() > i.len(),
        (Value::Array(i), Value::Array(x)) => {
            i.len() == x.len() && i.iter().zip(x).all(|(a, b)| a == b || is_prefix(a, b)) && i != x
        }
        _ => false,
    }
}

/// A value for a warning: quoted, cut at 60 characters.
pub(super) fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut cut: String = s.chars().take(60).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_difference_of_case_alone_is_not_a_disagreement() {
        let a = Value::from(vec!["John Thys"]);
        let b = Value::from(vec!["JOHN THYS"]);
        assert!(same(Rule::ExifFirst, &a, &b));
        assert!(!same(Rule::ExifFirst, &a, &Value::from(vec!["Jane Thys"])));
    }

    #[test]
    fn iim_cut_at_its_limit_is_recognised() {
        let iim = json!("Photographerís Mate 3rd Class (");
        let xmp = json!("Photographerís Mate 3rd Class (A");
        assert!(is_prefix(&iim, &xmp));
        assert!(!is_prefix(&xmp, &iim));
        assert!(is_prefix(&json!(["ab", "c"]), &json!(["abc", "c"])));
        assert!(!is_prefix(&json!(["ab"]), &json!(["ab"])));
    }

    #[test]
    fn line_break_style_and_precision_are_not_disagreement() {
        assert!(same(Rule::XmpFirst, &json!("a\rb "), &json!("a\nb")));
        assert!(same(
            Rule::Date,
            &json!("2004-06-21"),
            &json!("2004-06-21T23:37:53")
        ));
        assert!(!same(
            Rule::Date,
            &json!("2004-06-21"),
            &json!("2016-09-15")
        ));
        assert!(same(
            Rule::Date,
            &json!("2012-08-08T22:07:18.1"),
            &json!("2012-08-08T22:07:18+00:00")
        ));
        assert!(!same(
            Rule::Date,
            &json!("2004-06-21T00:00:00+00:00"),
            &json!("2004-06-21T23:37:53")
        ));
        assert_eq!(date_parts("2009-09-09T17:00:00, 2009-09-09"), None);
    }
}
