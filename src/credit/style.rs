//! Styles: [`CreditParts`] and the photo's year → the printed credit line. Built-in agency
//! and house styles, plus outlet styles whose per-agency templates come from the store's
//! config (`[outlets.NAME]`, schema in `schema/outlets.schema.json`).
//!
//! Pure: the caller reads the config file and passes the tables in; the year is always the
//! photo's (IIM 2:55 / EXIF DateTimeOriginal), never the clock's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CreditParts, IIM_CREDIT_MAX, Kind, agency, parse, parts_of};
use crate::error::{Error, Result};
use crate::model::Fields;

mod output;
mod template;

pub use output::{CreditReport, report, required_line, schema_org, short_form};
use template::*;

/// How a credit is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// `© AGENCY YEAR / Creator`, parts left out when missing.
    Default,
    /// AP: `AP Photo/Evan Vucci`, `AP Photo/Alain Jocard, Pool`, `Name/Outlet via AP`.
    Ap,
    /// Reuters: `REUTERS/David Ryder`, `Sputnik/Alexei Druzhinin/Kremlin via REUTERS`.
    Reuters,
    /// AFP: `John WESSELS / AFP`, `Mikhail KLIMENTYEV / SPUTNIK / AFP`.
    Afp,
    /// Getty Images: `Ezra Shaw/Getty Images`, `Brendan Smialowski/AFP/Getty Images`.
    Getty,
    /// EPA: `EPA/STEPHANIE LECOCQ`.
    Epa,
    /// Sputnik house style: `© AFP 2013 / JOHN THYS`, own photos `© Sputnik / Name`.
    Sputnik,
    /// Creative Commons TASL: `"Title" by Author is licensed under CC BY 4.0`.
    Cc,
    /// An outlet's own style from the store's config.
    Outlet {
        /// The `[outlets.NAME]` key.
        name: String,
        /// Its templates.
        outlet: OutletStyle,
    },
}

/// One `[outlets.NAME]` table of the store's config: a template per agency.
///
/// Templates use `{agency}`, `{AGENCY}`, `{creator}` (as written), `{CREATOR}`
/// (upper-cased), `{via}`, `{VIA}` and `{year}`; a placeholder with nothing to fill is
/// left out together with the separator before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutletStyle {
    /// One line for `byline styles`.
    #[serde(default)]
    pub description: Option<String>,
    /// The template for agencies without their own; `© {agency} {year} / {creator}` if unset.
    #[serde(default)]
    pub template: Option<String>,
    /// Agency name (canonical or any printed form, e.g. `AFP`, `Getty`) → template.
    #[serde(default)]
    pub agencies: BTreeMap<String, String>,
    /// Whether a printed line must match the case of the required one.
    #[serde(default)]
    pub case_sensitive: bool,
}

const DEFAULT_TEMPLATE: &str = "© {agency} {year} / {creator}";

/// Built-in styles: name, description, and a credit from CREDITS.md (with its year) that
/// `byline styles` renders as the example.
const BUILTINS: &[(&str, &str, &str, i32)] = &[
    (
        "default",
        "© AGENCY YEAR / Creator, parts left out when missing",
        "John Thys/AFP",
        2013,
    ),
    (
        "ap",
        "AP: AP Photo/Name; third parties Name/Outlet via AP",
        "Brian Gottesman/The New York Times via AP",
        2023,
    ),
    (
        "reuters",
        "Reuters: REUTERS/Name; chains Origin/Name/Body via REUTERS",
        "Sputnik/Alexei Druzhinin/Kremlin via REUTERS",
        2014,
    ),
    (
        "afp",
        "AFP: Name SURNAME / PARTNER / AFP",
        "Mikhail Klimentyev/Sputnik/AFP",
        2022,
    ),
    (
        "getty",
        "Getty Images: Name/Partner/Getty Images",
        "Brendan Smialowski/AFP/Getty Images",
        2020,
    ),
    (
        "epa",
        "EPA: EPA/NAME IN CAPITALS",
        "EPA/Stephanie Lecocq",
        2019,
    ),
    (
        "sputnik",
        "Sputnik: © AGENCY YEAR / NAME IN CAPITALS; own photos © Sputnik / Name",
        "John Thys/AFP",
        2013,
    ),
    (
        "cc",
        "Creative Commons TASL: \"Title\" by Author is licensed under LICENCE",
        "\"Creative Commons 10th Birthday Celebration San Francisco\" by tvol is licensed under CC BY 2.0",
        2012,
    ),
];

/// The built-in style called `name`.
pub fn builtin(name: &str) -> Option<Style> {
    Some(match name.to_ascii_lowercase().as_str() {
        "default" => Style::Default,
        "ap" => Style::Ap,
        "reuters" => Style::Reuters,
        "afp" => Style::Afp,
        "getty" => Style::Getty,
        "epa" => Style::Epa,
        "sputnik" => Style::Sputnik,
        "cc" => Style::Cc,
        _ => return None,
    })
}

/// The style called `name`: an outlet from `outlets` first (an outlet may redefine a
/// built-in's name), then a built-in.
///
/// # Errors
/// [`Error::Config`] when the outlet's templates use an unknown placeholder;
/// [`Error::NotFound`] when no style has that name.
pub fn style(name: &str, outlets: &BTreeMap<String, OutletStyle>) -> Result<Style> {
    if let Some(outlet) = outlets.get(name) {
        outlet.validate(name)?;
        return Ok(Style::Outlet {
            name: name.to_string(),
            outlet: outlet.clone(),
        });
    }
    builtin(name).ok_or_else(|| {
        Error::NotFound(format!(
            "no credit style '{name}'; `byline styles` lists them"
        ))
    })
}

impl Style {
    /// The name `--style` takes.
    pub fn name(&self) -> &str {
        match self {
            Style::Default => "default",
            Style::Ap => "ap",
            Style::Reuters => "reuters",
            Style::Afp => "afp",
            Style::Getty => "getty",
            Style::Epa => "epa",
            Style::Sputnik => "sputnik",
            Style::Cc => "cc",
            Style::Outlet { name, .. } => name,
        }
    }

    /// Whether case matters when comparing a printed line with this style's line. Agency
    /// styles print capitals by convention, but a page in another case still credits right.
    pub fn case_sensitive(&self) -> bool {
        match self {
            Style::Outlet { outlet, .. } => outlet.case_sensitive,
            _ => false,
        }
    }
}

impl OutletStyle {
    /// Check every template's placeholders.
    ///
    /// # Errors
    /// [`Error::Config`] naming the outlet, the template and the bad placeholder.
    pub fn validate(&self, name: &str) -> Result<()> {
        let templates = self.template.iter().chain(self.agencies.values());
        for t in templates {
            tokens(t).map_err(|e| Error::Config(format!("outlets.{name}: template '{t}': {e}")))?;
        }
        Ok(())
    }

    /// The template for `agency` (canonical name), matching the table's keys by any
    /// printed form (`Getty` → `Getty Images`).
    fn template_for(&self, agency_name: Option<&str>) -> &str {
        let found = agency_name.and_then(|a| {
            self.agencies.iter().find_map(|(k, t)| {
                let canon = agency::lookup(k).map_or(k.as_str(), |al| al.canonical);
                canon.eq_ignore_ascii_case(a).then_some(t.as_str())
            })
        });
        found
            .or(self.template.as_deref())
            .unwrap_or(DEFAULT_TEMPLATE)
    }
}

/// Every style `byline styles` lists: (name, description, example line). Built-in
/// examples render a real credit of that agency (CREDITS.md); outlet examples render
/// CREDITS.md's AFP photo by John Thys of 2013.
pub fn styles(outlets: &BTreeMap<String, OutletStyle>) -> Vec<(String, String, String)> {
    let sample = parse("John Thys/AFP");
    let mut out: Vec<(String, String, String)> = BUILTINS
        .iter()
        .filter_map(|(name, desc, line, year)| {
            let example = render(&parse(line), Some(*year), &builtin(name)?);
            Some((name.to_string(), desc.to_string(), example))
        })
        .collect();
    for (name, outlet) in outlets {
        let s = Style::Outlet {
            name: name.clone(),
            outlet: outlet.clone(),
        };
        let desc = outlet.description.clone().unwrap_or_default();
        out.push((name.clone(), desc, render(&sample, Some(2013), &s)));
    }
    out
}

/// The credit line `style` requires for `parts`; `year` is the photo's year.
///
/// A handout, pool photo or video grab is never credited as the distributing agency's own
/// work: agency styles print it in their own third-party form (`… /Handout via REUTERS`,
/// `Name - Pool/Getty Images`), and every other style names the issuer and the agency's
/// via form (`© State Emergency Service / Handout via Reuters`).
pub fn render(parts: &CreditParts, year: Option<i32>, style: &Style) -> String {
    let agency_name = parts.agency.as_deref();
    let is = |name: &str| agency_name == Some(name);
    let creators = parts.creators.join(", ");
    let year = year.map(|y| y.to_string()).unwrap_or_default();
    let line = match style {
        Style::Ap if is("AP") => ap(parts, &creators),
        Style::Reuters if is("Reuters") => reuters(parts, &creators),
        Style::Afp => afp(parts),
        Style::Getty if is("Getty Images") => getty(parts, &creators),
        Style::Epa if is("EPA") => epa(parts),
        // Agency styles print other agencies' photos as the plain chain, origin first.
        Style::Ap | Style::Reuters | Style::Getty | Style::Epa => {
            chain(parts, &creators, agency_name.map(String::from), true)
        }
        _ if third_party(parts.kind) => via_form(parts),
        Style::Default => fill(DEFAULT_TEMPLATE, parts, &year),
        Style::Sputnik => sputnik(parts, &year),
        Style::Cc => cc(parts, &creators, &year),
        Style::Outlet { outlet, .. } => fill(outlet.template_for(agency_name), parts, &year),
    };
    line.trim().to_string()
}

/// Kinds whose picture is not the distributing agency's own work.
fn third_party(kind: Kind) -> bool {
    matches!(kind, Kind::Handout | Kind::Pool | Kind::ScreenGrab)
}

/// The word that says a picture is third-party work, as the agencies print it.
fn marker_word(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Handout => Some("Handout"),
        Kind::Pool => Some("Pool"),
        Kind::ScreenGrab => Some("Video grab"),
        _ => None,
    }
}

/// Whether an element of the chain already names the pool (`Kremlin Pool`).
fn names_pool(items: &[String]) -> bool {
    items
        .iter()
        .any(|i| i.split_whitespace().any(|w| w.eq_ignore_ascii_case("pool")))
}

/// `© Issuer / Name / Handout via Agency`: the house form for third-party pictures. No
/// year, because the year after an agency's name marks its own copyright.
fn via_form(parts: &CreditParts) -> String {
    let mut items: Vec<String> = parts.creators.clone();
    items.extend(parts.via.iter().cloned());
    let pool_named = parts.kind == Kind::Pool && names_pool(&items);
    items.extend(
        marker_word(parts.kind)
            .filter(|_| !pool_named)
            .map(String::from),
    );
    let line = format!("© {}", items.join(" / "));
    match &parts.agency {
        Some(a) => format!("{line} via {a}"),
        None => line,
    }
}

/// `Creator/Via/Agency` with empty parts left out; with `markers`, the kind is said too
/// (`Name/Pool/AFP`, `Press Service/Handout/AP`, `Name/AFP/File`).
fn chain(
    parts: &CreditParts,
    creators: &str,
    agency_name: Option<String>,
    markers: bool,
) -> String {
    let mut items: Vec<String> = Vec::new();
    items.extend((!creators.is_empty()).then(|| creators.to_string()));
    if markers && parts.kind == Kind::Pool {
        items.push("Pool".into());
    }
    items.extend(parts.via.iter().cloned());
    if markers && matches!(parts.kind, Kind::Handout | Kind::ScreenGrab) {
        items.extend(marker_word(parts.kind).map(String::from));
    }
    items.extend(agency_name);
    if markers && parts.kind == Kind::Archive {
        items.push("File".into());
    }
    items.join("/")
}

fn ap(parts: &CreditParts, creators: &str) -> String {
    if parts.via.is_empty() && !matches!(parts.kind, Kind::Handout | Kind::ScreenGrab) {
        let mut s = if creators.is_empty() {
            "AP Photo".to_string()
        } else {
            format!("AP Photo/{creators}")
        };
        match parts.kind {
            Kind::Pool => s.push_str(", Pool"),
            Kind::Archive => s.push_str(", File"),
            _ => {}
        }
        return s;
    }
    // `Brian Gottesman/The New York Times via AP`: the photographer, then the chain.
    let mut items: Vec<String> = Vec::new();
    items.extend((!creators.is_empty()).then(|| creators.to_string()));
    items.extend(parts.via.iter().cloned());
    let pool_named = parts.kind == Kind::Pool && names_pool(&parts.via);
    if parts.kind == Kind::Pool && !pool_named || items.is_empty() {
        items.extend(
            marker_word(parts.kind)
                .or(Some("Handout"))
                .map(String::from),
        );
    }
    format!("{} via AP", items.join("/"))
}

/// Reuters: `REUTERS/Name`, `REUTERS` alone when no one is named, `/File Photo` for an
/// archive picture; third-party work as the chain `via REUTERS`.
fn reuters(parts: &CreditParts, creators: &str) -> String {
    if parts.via.is_empty() && !third_party(parts.kind) {
        let mut items = vec!["REUTERS".to_string()];
        items.extend((!creators.is_empty()).then(|| creators.to_string()));
        if parts.kind == Kind::Archive {
            items.push("File Photo".into());
        }
        return items.join("/");
    }
    // Origin agency first, then the photographer, then the bodies in between:
    // `Sputnik/Alexei Druzhinin/Kremlin via REUTERS`.
    let mut items: Vec<String> = Vec::new();
    let mut via = parts.via.iter().peekable();
    if let Some(first) = via.next_if(|v| agency::lookup(v).is_some()) {
        items.push(first.clone());
    }
    items.extend((!creators.is_empty()).then(|| creators.to_string()));
    let bodies: Vec<String> = via.cloned().collect();
    // A pool is credited to the body that runs it when one is named (`…/Kremlin via
    // REUTERS`), else as `Pool`; a handout or grab always says so.
    let marker = match parts.kind {
        Kind::Pool if !bodies.is_empty() => None,
        kind => marker_word(kind),
    };
    items.extend(bodies);
    items.extend(marker.map(String::from));
    format!("{} via REUTERS", items.join("/"))
}

/// AFP prints the surname in capitals (`John WESSELS`), partners in capitals, spaced slashes.
fn afp(parts: &CreditParts) -> String {
    let mut items: Vec<String> = parts.creators.iter().map(|c| surname_caps(c)).collect();
    if items.is_empty() && matches!(parts.kind, Kind::Handout | Kind::ScreenGrab) {
        items.extend(marker_word(parts.kind).map(str::to_uppercase));
    }
    items.extend(parts.via.iter().map(|v| v.to_uppercase()));
    if parts.kind == Kind::Pool && !names_pool(&parts.via) {
        items.push("POOL".into());
    }
    items.extend(parts.agency.as_deref().map(str::to_uppercase));
    items.join(" / ")
}

fn surname_caps(name: &str) -> String {
    match name.rsplit_once(' ') {
        Some((given, surname)) => format!("{given} {}", surname.to_uppercase()),
        None => name.to_uppercase(),
    }
}

fn getty(parts: &CreditParts, creators: &str) -> String {
    let mut lead = creators.to_string();
    match parts.kind {
        // Getty's pool form is `Name - Pool/Getty Images`.
        Kind::Pool if lead.is_empty() => lead = "Pool".into(),
        Kind::Pool => lead.push_str(" - Pool"),
        Kind::Handout | Kind::ScreenGrab if lead.is_empty() && parts.via.is_empty() => {
            lead = marker_word(parts.kind).unwrap_or_default().into();
        }
        _ => {}
    }
    let mut items: Vec<String> = Vec::new();
    items.extend((!lead.is_empty()).then_some(lead));
    items.extend(parts.via.iter().cloned());
    items.push("Getty Images".into());
    items.join("/")
}

/// EPA prints the whole name in capitals after the agency: `EPA/STEPHANIE LECOCQ`.
fn epa(parts: &CreditParts) -> String {
    let mut items: Vec<String> = vec!["EPA".into()];
    items.extend(parts.via.iter().map(|v| v.to_uppercase()));
    items.extend(parts.creators.iter().map(|c| c.to_uppercase()));
    if matches!(parts.kind, Kind::Handout | Kind::ScreenGrab) {
        items.extend(marker_word(parts.kind).map(str::to_uppercase));
    }
    let mut s = items.join("/");
    if parts.kind == Kind::Pool {
        s.push_str(" / POOL");
    }
    s
}

/// Sputnik: `© AFP 2013 / JOHN THYS`. Its own and RIA Novosti's photos print
/// `© Sputnik / Name` without a year; a wire photo without a name prints `© AP Photo`
/// (CREDITS.md, Sputnik house style).
fn sputnik(parts: &CreditParts, year: &str) -> String {
    let agency_name = parts.agency.as_deref().unwrap_or("");
    let creators = parts.creators.join(", ");
    if matches!(agency_name, "Sputnik" | "RIA Novosti") {
        return join_nonempty(&["© Sputnik".to_string(), creators], " / ");
    }
    let wire = if agency_name == "AP" {
        "AP Photo"
    } else {
        agency_name
    };
    if creators.is_empty() {
        return if wire.is_empty() {
            String::new()
        } else {
            format!("© {wire}")
        };
    }
    let head = join_nonempty(
        &[format!("© {wire}").trim().to_string(), year.to_string()],
        " ",
    );
    format!("{head} / {}", creators.to_uppercase())
}

/// TASL: `"Title" by Author is licensed under CC BY 4.0`.
fn cc(parts: &CreditParts, creators: &str, year: &str) -> String {
    let author = if creators.is_empty() {
        parts.agency.clone().unwrap_or_default()
    } else {
        creators.to_string()
    };
    if author.is_empty() && parts.title.is_none() {
        return fill(DEFAULT_TEMPLATE, parts, year);
    }
    let title = match parts.title.as_deref() {
        Some(t) => format!("\"{t}\""),
        None => "Photo".into(),
    };
    let mut s = if author.is_empty() {
        title
    } else {
        format!("{title} by {author}")
    };
    if let Some(l) = parts.licence.as_deref() {
        s.push_str(" is licensed under ");
        s.push_str(l);
    }
    s
}

fn join_nonempty(items: &[String], sep: &str) -> String {
    items
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(agency: &str, creator: &str) -> CreditParts {
        CreditParts {
            agency: Some(agency.into()),
            creators: vec![creator.into()],
            kind: Kind::Staff,
            ..CreditParts::default()
        }
    }

    #[test]
    fn empty_placeholders_take_their_separator_with_them() {
        let p = parts("AFP", "John Thys");
        assert_eq!(fill(DEFAULT_TEMPLATE, &p, ""), "© AFP / John Thys");
        let none = CreditParts {
            agency: Some("AFP".into()),
            ..CreditParts::default()
        };
        assert_eq!(fill("{creator}/{agency}", &none, ""), "AFP");
        assert_eq!(fill("AP Photo/{creator}", &none, ""), "");
        assert_eq!(
            fill("© {agency} {year} / {CREATOR}", &none, "2013"),
            "© AFP 2013"
        );
    }

    #[test]
    fn bad_placeholders_are_config_errors() {
        let outlet = OutletStyle {
            template: Some("© {agencee} {year}".into()),
            ..OutletStyle::default()
        };
        let mut outlets = BTreeMap::new();
        outlets.insert("x".to_string(), outlet);
        assert!(matches!(style("x", &outlets), Err(Error::Config(_))));
        assert!(matches!(style("nope", &outlets), Err(Error::NotFound(_))));
        assert_eq!(style("ap", &outlets).ok(), Some(Style::Ap));
    }

    #[test]
    fn short_form_never_splits_a_character() {
        let long = "Фотограф Александр Петровский/Спутник/ТАСС для газеты";
        let s = short_form(long);
        assert!(s.len() <= IIM_CREDIT_MAX, "{s}");
        assert!(!s.is_empty());
    }
}
