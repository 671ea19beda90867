//! The names agencies, their sub-brands and platforms go by, and their canonical short names.
//!
//! A lookup table plus word lists; nothing here parses a whole credit line or knows a style.
//! Canonical names follow `tests/data/credit-lines.md` ("agency"): `AP`, `Reuters`, `AFP`,
//! `Getty Images`, `EPA`, `PA`, `Sputnik`, `RIA Novosti`, `TASS`, `Anadolu`, …

use super::Kind;

/// One printed form of an agency, brand or platform.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Alias {
    /// The printed form, compared case-insensitively with spaces collapsed.
    pub name: &'static str,
    /// The canonical short name it stands for.
    pub canonical: &'static str,
    /// A sub-brand that credit-lines.md lists in `via` when printed as its own element
    /// (`PA Wire/PA Images` gives via `PA Wire`).
    pub sub_brand: bool,
    /// A platform credited in place of an agency (Flickr, YouTube): no staff photographer.
    pub platform: bool,
    /// The kind the brand itself implies (`PA Archive` → archive, `Alamy Stock Photo` → stock).
    pub kind: Option<Kind>,
}

const fn agency(name: &'static str, canonical: &'static str) -> Alias {
    Alias {
        name,
        canonical,
        sub_brand: false,
        platform: false,
        kind: None,
    }
}

const fn sub(name: &'static str, canonical: &'static str, kind: Option<Kind>) -> Alias {
    Alias {
        name,
        canonical,
        sub_brand: true,
        platform: false,
        kind,
    }
}

const fn brand(name: &'static str, canonical: &'static str, kind: Kind) -> Alias {
    Alias {
        name,
        canonical,
        sub_brand: false,
        platform: false,
        kind: Some(kind),
    }
}

const fn platform(name: &'static str) -> Alias {
    Alias {
        name,
        canonical: name,
        sub_brand: false,
        platform: true,
        kind: None,
    }
}

/// Every known printed form. Misspellings are not listed: [`lookup_fuzzy`] finds them.
const ALIASES: &[Alias] = &[
    agency("AP", "AP"),
    agency("APPhoto", "AP"),
    agency("Associated Press", "AP"),
    agency("The Associated Press", "AP"),
    agency("AP Images", "AP"),
    sub("Invision", "AP", None),
    sub("AP Video", "AP", Some(Kind::ScreenGrab)),
    sub("APTN", "AP", Some(Kind::ScreenGrab)),
    agency("Reuters", "Reuters"),
    agency("Thomson Reuters", "Reuters"),
    sub("Reuters TV", "Reuters", Some(Kind::ScreenGrab)),
    sub("Action Images", "Reuters", None),
    agency("USA TODAY Sports", "USA TODAY Sports"),
    agency("Imagn Images", "Imagn Images"),
    agency("Imagn", "Imagn Images"),
    agency("AFP", "AFP"),
    agency("Agence France-Presse", "AFP"),
    agency("Agence France Presse", "AFP"),
    sub("AFPTV", "AFP", Some(Kind::ScreenGrab)),
    sub("AFP TV", "AFP", Some(Kind::ScreenGrab)),
    agency("Getty Images", "Getty Images"),
    agency("GettyImages", "Getty Images"),
    agency("Getty", "Getty Images"),
    agency("Getty Images News", "Getty Images"),
    agency("Getty Images Sport", "Getty Images"),
    agency("Getty Images Entertainment", "Getty Images"),
    sub("Getty Images Plus", "Getty Images", Some(Kind::Stock)),
    sub("WireImage", "Getty Images", None),
    sub("Hulton Archive", "Getty Images", Some(Kind::Archive)),
    sub(
        "The LIFE Images Collection",
        "Getty Images",
        Some(Kind::Archive),
    ),
    sub(
        "The LIFE Picture Collection",
        "Getty Images",
        Some(Kind::Archive),
    ),
    sub("Moment", "Getty Images", Some(Kind::Stock)),
    sub("iStock", "Getty Images", Some(Kind::Stock)),
    sub("iStockphoto", "Getty Images", Some(Kind::Stock)),
    sub("Bettmann", "Getty Images", Some(Kind::Archive)),
    sub("Popperfoto", "Getty Images", Some(Kind::Archive)),
    sub("Archive Photos", "Getty Images", Some(Kind::Archive)),
    sub("Heritage Images", "Getty Images", Some(Kind::Archive)),
    sub("Print Collector", "Getty Images", Some(Kind::Archive)),
    sub(
        "Universal Images Group",
        "Getty Images",
        Some(Kind::Archive),
    ),
    sub("ullstein bild", "Getty Images", Some(Kind::Archive)),
    sub("Corbis", "Getty Images", Some(Kind::Archive)),
    sub("Imagno", "Getty Images", Some(Kind::Archive)),
    // Getty's creative (stock) collections.
    sub("Westend61", "Getty Images", Some(Kind::Stock)),
    sub("DigitalVision", "Getty Images", Some(Kind::Stock)),
    sub("E+", "Getty Images", Some(Kind::Stock)),
    sub("Stone", "Getty Images", Some(Kind::Stock)),
    sub("The Image Bank", "Getty Images", Some(Kind::Stock)),
    sub("Photodisc", "Getty Images", Some(Kind::Stock)),
    sub("Redferns", "Getty Images", None),
    sub("FilmMagic", "Getty Images", None),
    agency("Getty Images North America", "Getty Images"),
    agency("Getty Images Europe", "Getty Images"),
    agency("Getty Images AsiaPac", "Getty Images"),
    agency("Getty Images South America", "Getty Images"),
    agency("EPA", "EPA"),
    agency("EPA-EFE", "EPA"),
    agency("EPA/EFE", "EPA"),
    agency("EPA Images", "EPA"),
    agency("European Pressphoto Agency", "EPA"),
    agency("EFE", "EFE"),
    agency("Agencia EFE", "EFE"),
    agency("PA", "PA"),
    sub("PA Wire", "PA", None),
    agency("PA Images", "PA"),
    agency("PA Media", "PA"),
    agency("PA Photos", "PA"),
    sub("PA Archive", "PA", Some(Kind::Archive)),
    // PA Photocall is PA's commissioning service for PR clients: a handout by the TSV's rule.
    sub("PA Photocall", "PA", Some(Kind::Handout)),
    agency("Press Association", "PA"),
    agency("Press Association Images", "PA"),
    agency("Sputnik", "Sputnik"),
    agency("Sputnik News", "Sputnik"),
    agency("Szputnyik", "Sputnik"),
    agency("Спутник", "Sputnik"),
    agency("RIA Novosti", "RIA Novosti"),
    agency("RIA-Novosti", "RIA Novosti"),
    agency("РИА Новости", "RIA Novosti"),
    agency("TASS", "TASS"),
    agency("ITAR-TASS", "TASS"),
    agency("ТАСС", "TASS"),
    agency("Anadolu", "Anadolu"),
    agency("Anadolu Agency", "Anadolu"),
    agency("Anadolu Ajansı", "Anadolu"),
    agency("Anadolu Images", "Anadolu"),
    agency("AA", "Anadolu"),
    agency("Xinhua", "Xinhua"),
    agency("Xinhua News Agency", "Xinhua"),
    agency("Shutterstock", "Shutterstock"),
    agency("REX Shutterstock", "Shutterstock"),
    agency("Rex/Shutterstock", "Shutterstock"),
    agency("Shutterstock Editorial", "Shutterstock"),
    agency("Rex Features", "Rex Features"),
    agency("Alamy", "Alamy"),
    brand("Alamy Stock Photo", "Alamy", Kind::Stock),
    agency("Alamy Live News", "Alamy"),
    agency("NurPhoto", "NurPhoto"),
    agency("dpa", "dpa"),
    agency("picture alliance", "dpa"),
    agency("Kyodo", "Kyodo"),
    // Nordic and other national agencies.
    agency("TT", "TT"),
    agency("TT Nyhetsbyrån", "TT"),
    agency("NTB", "NTB"),
    agency("NTB Scanpix", "NTB"),
    agency("Scanpix", "Scanpix"),
    agency("Ritzau Scanpix", "Ritzau Scanpix"),
    agency("Lehtikuva", "Lehtikuva"),
    agency("BelTA", "BelTA"),
    agency("Ukrinform", "Ukrinform"),
    agency("dpa Picture-Alliance", "dpa"),
    agency("picture-alliance", "dpa"),
    agency("Yonhap", "Yonhap"),
    agency("ANSA", "ANSA"),
    agency("Bloomberg", "Bloomberg"),
    agency("SIPA", "SIPA"),
    agency("Abaca", "Abaca"),
    agency("ZUMA Press", "ZUMA"),
    agency("ZUMA Wire", "ZUMA"),
    agency("ZUMA Press Wire", "ZUMA"),
    brand("Adobe Stock", "Adobe Stock", Kind::Stock),
    brand("Dreamstime", "Dreamstime", Kind::Stock),
    brand("123RF", "123RF", Kind::Stock),
    brand("Depositphotos", "Depositphotos", Kind::Stock),
    agency("SOPA Images", "SOPA Images"),
    agency("LightRocket", "LightRocket"),
    agency("UPI", "UPI"),
    agency("Imago", "Imago"),
    agency("Keystone", "Keystone"),
    agency("Belga", "Belga"),
    agency("ANP", "ANP"),
    agency("AAP", "AAP"),
    agency("AAP Image", "AAP"),
    agency("AAPIMAGE", "AAP"),
    agency("The Canadian Press", "The Canadian Press"),
    agency("Canadian Press", "The Canadian Press"),
    agency("LaPresse", "LaPresse"),
    agency("Allstar", "Allstar"),
    agency("Allstar Picture Library", "Allstar"),
    agency("CNP", "CNP"),
    agency("Demotix", "Demotix"),
    brand(
        "Ronald Grant Archive",
        "Ronald Grant Archive",
        Kind::Archive,
    ),
    agency("Jiji Press", "Jiji Press"),
    agency("Agencja Gazeta", "Agencja Gazeta"),
    agency("Magnum Photos", "Magnum Photos"),
    agency("Redux", "Redux"),
    agency("Polaris", "Polaris"),
    agency("Splash News", "Splash News"),
    agency("Backgrid", "Backgrid"),
    agency("WENN", "WENN"),
    agency("Camera Press", "Camera Press"),
    agency("Europa Press", "Europa Press"),
    agency("The New York Times", "The New York Times"),
    agency("New York Times", "The New York Times"),
    agency("NYT", "The New York Times"),
    agency("NY Times", "The New York Times"),
    agency("The Washington Post", "The Washington Post"),
    agency("Washington Post", "The Washington Post"),
    agency("The Guardian", "The Guardian"),
    agency("Guardian", "The Guardian"),
    agency("Los Angeles Times", "Los Angeles Times"),
    agency("The Observer", "The Observer"),
    agency("Observer", "The Observer"),
    agency("The Times", "The Times"),
    agency("The Sunday Times", "The Sunday Times"),
    agency("The Independent", "The Independent"),
    agency("The Telegraph", "The Telegraph"),
    agency("Financial Times", "Financial Times"),
    agency("The Wall Street Journal", "The Wall Street Journal"),
    agency("Wall Street Journal", "The Wall Street Journal"),
    agency("BBC", "BBC"),
    agency("U.S. Navy", "U.S. Navy"),
    agency("U.S Navy", "U.S. Navy"),
    agency("US Navy", "U.S. Navy"),
    agency("U.S. Army", "U.S. Army"),
    agency("US Army", "U.S. Army"),
    agency("U.S. Air Force", "U.S. Air Force"),
    agency("NASA", "NASA"),
    platform("Flickr"),
    platform("YouTube"),
    platform("Facebook"),
    platform("Twitter"),
    platform("Instagram"),
    platform("Telegram"),
    platform("TikTok"),
    platform("VK"),
    platform("Unsplash"),
    platform("Pexels"),
    platform("Pixabay"),
    platform("Wikimedia Commons"),
    platform("Wikipedia"),
];

/// Every printed form in the agency table (agencies, sub-brands, platforms), for callers
/// that need names a credit may carry (property tests, the crawl).
pub fn names() -> impl Iterator<Item = &'static str> {
    ALIASES.iter().map(|a| a.name)
}

/// Collapse spaces and lower-case, so `GETTY  IMAGES` and `Getty Images` meet.
pub(crate) fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `name` (single-spaced, as the table writes it) lower-cased is `k`, without
/// allocating: lookups run for every element of every credit an audit reads.
fn same_lower(name: &str, k: &str) -> bool {
    name.chars().flat_map(char::to_lowercase).eq(k.chars())
}

/// The alias printed exactly as `s` (case and spacing aside).
pub(crate) fn lookup(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    if k.is_empty() {
        return None;
    }
    ALIASES.iter().find(|a| same_lower(a.name, &k))
}

/// Whether `s` is the canonical name of an agency, brand or platform (`ZUMA`), which need
/// not itself be a printed form in the table.
pub(crate) fn is_canonical(s: &str) -> bool {
    let k = key(s);
    !k.is_empty() && ALIASES.iter().any(|a| same_lower(a.canonical, &k))
}

/// The alias `s` misspells: one letter dropped, added, changed, or two neighbours swapped
/// (`RETUERS`, `REUETRS`, `REUTRS`, all seen in IIM 2:110 by the Guardian's grid). Only
/// names of six letters or more are tried, so short names are left alone.
pub(crate) fn lookup_fuzzy(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    let letters = |k: &str| k.chars().all(|c| c.is_alphabetic() || c == ' ');
    if k.chars().count() < 5 || !letters(&k) {
        return None;
    }
    let n = k.chars().count();
    ALIASES
        .iter()
        .filter(|a| {
            let m = a.name.chars().count();
            // One edit changes the length by at most one.
            m >= 6 && m.abs_diff(n) <= 1 && letters(a.name)
        })
        .find(|a| strsim::osa_distance(&key(a.name), &k) == 1)
}

/// The alias `s` is the start of, for a credit cut at the IIM 2:110 limit
/// (`Press Association Ima`, `the Gua`).
pub(crate) fn lookup_prefix(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    if k.chars().count() < 3 {
        return None;
    }
    ALIASES
        .iter()
        .find(|a| key(a.name).starts_with(&k) && key(a.name) != k)
}

/// Words that make an element an organisation rather than a person.
const ORG_WORDS: &[&str] = &[
    "agency",
    "agence",
    "agencja",
    "agencia",
    "news",
    "service",
    "services",
    "press",
    "office",
    "images",
    "image",
    "photo",
    "photos",
    "photography",
    "pictures",
    "collection",
    "archive",
    "archives",
    "library",
    "media",
    "network",
    "tv",
    "television",
    "channel",
    "corporation",
    "inc",
    "ltd",
    "llc",
    "group",
    "times",
    "post",
    "journal",
    "herald",
    "guardian",
    "telegraph",
    "tribune",
    "daily",
    "wire",
    "pool",
    "kremlin",
    "museum",
    "university",
    "institute",
    "foundation",
    "council",
    "committee",
    "federal",
    "national",
    "royal",
    "security",
    "commission",
    "organisation",
    "organization",
    "studio",
    "studios",
    "films",
    "protection",
    "forces",
    "ministry",
    "government",
    "department",
    "force",
    "defense",
    "defence",
    "court",
    "contest",
    // "News agency" in German and Turkish.
    "nachrichtenagentur",
    "ajansı",
    "army",
    "navy",
    "military",
    "police",
    "customs",
    "border",
    "brigade",
    "presidential",
    "presidency",
    "palace",
    "embassy",
    "netflix",
    "hbo",
    "disney",
    "paramount",
    "lionsgate",
    "technologies",
    "technology",
    "company",
    "corp",
    "systems",
    "satellite",
    "association",
    "society",
    "center",
    "centre",
    "club",
    "league",
    "federation",
    "union",
    "parliament",
    "team",
];

/// Words and phrases of bodies that issue their own pictures: press services, ministries,
/// armed forces, palaces, state media, film studios. A credit naming one is a handout
/// (credit-lines.md, kind `handout`).
const ISSUER_PHRASES: &[&str] = &[
    "press service",
    "press office",
    "information office",
    "ministry",
    "government",
    "department",
    "armed forces",
    "defense force",
    "defence force",
    "court",
    "army",
    "navy",
    "air force",
    "marine corps",
    "military",
    "police",
    "customs",
    "border",
    "brigade",
    "presidential",
    "presidency",
    "palace",
    "embassy",
    "white house",
    "prime minister",
    "kremlin.ru",
    ".gov",
    ".mil",
    // North Korean state media only ever issue handouts.
    "korean central news agency",
    "kcna",
    "korea news service",
    "studios",
    "netflix",
    "hbo",
    "disney",
    "warner bros",
    "paramount",
    "lionsgate",
    "nasa",
];

/// Whether a word of `s` (lower-cased) is one of [`ORG_WORDS`].
pub(crate) fn has_org_word(s: &str) -> bool {
    s.split(|c: char| !c.is_alphanumeric())
        .any(|w| ORG_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Whether `s` names a body that issues handouts.
pub(crate) fn is_issuer(s: &str) -> bool {
    let lower = s.to_lowercase();
    // The words of `s`, each between single spaces, so a phrase matches whole words only
    // ("army" must not match "Armytage"). Built once; this runs on every credit lookup.
    let mut words = String::with_capacity(lower.len() + 2);
    words.push(' ');
    for w in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words.push_str(w);
        words.push(' ');
    }
    let whole = |p: &str| {
        words.match_indices(p).any(|(at, _)| {
            words.as_bytes().get(at.wrapping_sub(1)) == Some(&b' ')
                && words.as_bytes().get(at + p.len()) == Some(&b' ')
        })
    };
    ISSUER_PHRASES.iter().any(|p| {
        if p.contains('.') {
            lower.contains(p)
        } else {
            whole(p)
        }
    })
}

/// Top-level domains a web-site credit ends in (`20.kremlin.ru`).
const TLDS: &[&str] = &[
    "ru", "com", "org", "net", "gov", "mil", "edu", "uk", "de", "fr", "ua", "io", "info", "eu",
    "cn", "jp", "us", "int",
];

/// The registrable domain of a web-site credit (`20.kremlin.ru` → `kremlin.ru`).
pub(crate) fn domain(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches("www.");
    if s.contains(char::is_whitespace) || !s.contains('.') {
        return None;
    }
    let labels: Vec<&str> = s.split('.').collect();
    let tld = labels.last()?.to_lowercase();
    if !TLDS.contains(&tld.as_str()) || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    // Keep two labels, three for `bbc.co.uk`-style second-level registries.
    let keep = if labels.len() >= 3
        && tld.len() == 2
        && ["co", "gov", "com", "org", "ac"].contains(&labels[labels.len() - 2])
    {
        3
    } else {
        2
    };
    let start = labels.len().saturating_sub(keep);
    Some(labels.get(start..)?.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_forms_case_insensitively() {
        assert_eq!(
            lookup("GETTY  IMAGES").map(|a| a.canonical),
            Some("Getty Images")
        );
        assert_eq!(lookup("epa-efe").map(|a| a.canonical), Some("EPA"));
        assert!(lookup("Alexei Druzhinin").is_none());
    }

    #[test]
    fn canonical_names_are_known() {
        assert!(lookup("ZUMA").is_none());
        assert!(is_canonical("ZUMA"));
        assert!(is_canonical("Getty Images"));
        assert!(!is_canonical("Alexei Druzhinin"));
        assert!(!is_canonical(" "));
    }

    #[test]
    fn misspellings_from_grid_map_to_reuters() {
        for s in ["RETUERS", "REUETRS", "REUTRS"] {
            assert_eq!(lookup_fuzzy(s).map(|a| a.canonical), Some("Reuters"), "{s}");
        }
        assert!(lookup_fuzzy("Ryder").is_none());
    }

    #[test]
    fn truncated_names_complete() {
        assert_eq!(
            lookup_prefix("Press Association Ima").map(|a| a.canonical),
            Some("PA")
        );
        assert_eq!(
            lookup_prefix("the Gua").map(|a| a.canonical),
            Some("The Guardian")
        );
    }

    #[test]
    fn issuers_and_domains() {
        assert!(is_issuer("Russian Defence Ministry Press Service"));
        assert!(is_issuer("20.kremlin.ru"));
        assert!(!is_issuer("Kyodo News Images"));
        assert_eq!(domain("20.kremlin.ru").as_deref(), Some("kremlin.ru"));
        assert_eq!(domain("Prod.DB"), None);
        assert_eq!(domain("J. Scott"), None);
    }
}
