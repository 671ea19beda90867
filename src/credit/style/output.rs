//! What `byline credit` prints besides the line: the required line of a stored record, its
//! IIM-sized short form and its schema.org `ImageObject`.

use super::*;

/// The credit a stored record requires in `style`, in the photo's own year.
pub fn required_line(fields: &Fields, style: &Style) -> String {
    render(&parts_of(fields), fields.year, style)
}

/// Everything `byline credit ID --json` prints for a record in one style.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditReport {
    /// The style's name.
    pub style: String,
    /// The line the style requires.
    pub line: String,
    /// The parts it was rendered from.
    pub parts: CreditParts,
    /// The line shortened to fit IIM 2:110 (32 bytes).
    pub short: String,
    /// The schema.org `ImageObject` for web pages.
    pub image_object: serde_json::Value,
}

/// The required line of a record in `style`, with its parts, short form and `ImageObject`.
pub fn report(fields: &Fields, style: &Style) -> CreditReport {
    let parts = parts_of(fields);
    let line = render(&parts, fields.year, style);
    CreditReport {
        style: style.name().to_string(),
        short: short_form(&line),
        image_object: image_object(fields, &parts, &line),
        line,
        parts,
    }
}

/// A form of `line` that fits IIM 2:110 (32 bytes). Tries, in turn: the line; without its
/// wrapper and trailer; `Creator/Via/Agency`; `Creator/Agency`; `Initial. Surname/Agency`;
/// the agency alone; and only then cuts, never inside a UTF-8 character.
pub fn short_form(line: &str) -> String {
    let fits = |s: &str| !s.is_empty() && s.len() <= IIM_CREDIT_MAX;
    let line = line.trim();
    if fits(line) || line.is_empty() {
        return line.to_string();
    }
    let p = parse(line);
    let creators = p.creators.join(", ");
    let first = p.creators.first().cloned().unwrap_or_default();
    let initial = match first.rsplit_once(' ') {
        Some((given, surname)) => given
            .chars()
            .next()
            .map(|c| format!("{c}. {surname}"))
            .unwrap_or_else(|| surname.to_string()),
        None => first.clone(),
    };
    let agency_name = p.agency.clone();
    let mut candidates = vec![
        super::parse::core(line),
        chain(&p, &creators, agency_name.clone(), false),
        join_nonempty(
            &[first.clone(), agency_name.clone().unwrap_or_default()],
            "/",
        ),
        join_nonempty(&[initial, agency_name.clone().unwrap_or_default()], "/"),
    ];
    candidates.extend(agency_name);
    if let Some(c) = candidates.into_iter().find(|c| fits(c)) {
        return c;
    }
    let mut end = IIM_CREDIT_MAX.min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line.get(..end).unwrap_or("").trim_end().to_string()
}

/// A schema.org `ImageObject` for web pages: `creditText`, `creator`, `copyrightNotice`,
/// `license`, `acquireLicensePage` — what search engines read as image credits.
pub fn schema_org(fields: &Fields, line: &str) -> serde_json::Value {
    image_object(fields, &parts_of(fields), line)
}

/// [`schema_org`] for a record whose parts are already read.
fn image_object(fields: &Fields, parts: &CreditParts, line: &str) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut obj = Map::new();
    obj.insert("@context".into(), json!("https://schema.org"));
    obj.insert("@type".into(), json!("ImageObject"));
    if !line.trim().is_empty() {
        obj.insert("creditText".into(), json!(line.trim()));
    }
    let creators: Vec<Value> = if parts.creators.is_empty() {
        parts
            .agency
            .iter()
            .map(|a| json!({"@type": "Organization", "name": a}))
            .collect()
    } else {
        parts
            .creators
            .iter()
            .map(|c| json!({"@type": "Person", "name": c}))
            .collect()
    };
    if !creators.is_empty() {
        obj.insert("creator".into(), Value::Array(creators));
    }
    if let Some(c) = fields.copyright.as_deref().filter(|c| !c.trim().is_empty()) {
        obj.insert("copyrightNotice".into(), json!(c.trim()));
    }
    // xmpRights:WebStatement is the licence's URL; a URL in the usage terms is where to
    // acquire one.
    if let Some(url) = fields.web_statement.as_deref().filter(|u| is_url(u)) {
        obj.insert("license".into(), json!(url.trim()));
    }
    let page = fields.usage_terms.as_deref().and_then(|t| {
        t.split_whitespace()
            .find(|w| is_url(w))
            .map(|w| w.trim_end_matches(['.', ',', ')']))
    });
    if let Some(page) = page {
        obj.insert("acquireLicensePage".into(), json!(page));
    }
    Value::Object(obj)
}

fn is_url(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("https://") || s.starts_with("http://")
}
