//! Telling an organisation from a person without the agency table: the words organisations'
//! names carry, the bodies that issue handouts, and web-site credits (`20.kremlin.ru`).

use std::collections::HashSet;
use std::sync::OnceLock;

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
    "films",
    "protection",
    "forces",
    "force",
    "defense",
    "defence",
    // "News agency" in German and Turkish.
    "nachrichtenagentur",
    "ajansı",
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
    // The same words in the other languages credits are printed in.
    "agentur",
    "agenzia",
    "agência",
    "ajans",
    "агентство",
    "nyhetsbyrå",
    "nyhetsbyrån",
    "nyhedsbureau",
    "uutistoimisto",
    "presse",
    "zeitung",
    "krant",
    "dagblad",
    "giornale",
    "periódico",
    "diario",
    "rundfunk",
    "fernsehen",
    "radio",
    "departamento",
    "politi",
    "служба",
    "museo",
    "musée",
    "universidad",
    "université",
    "universität",
    "stiftung",
    "fundación",
    "fondation",
    "verlag",
    // Newspapers', broadcasters' and prizes' names.
    "sentinel",
    "gazette",
    "chronicle",
    "courier",
    "inquirer",
    "examiner",
    "bulletin",
    "broadcaster",
    "broadcasting",
    "dziennik",
    "gazeta",
    "coalition",
    "industries",
    // Outlets' words in Cyrillic scripts.
    "радіо",
    "радио",
    "газета",
    "новини",
    "новости",
    "телебачення",
    "телевидение",
    // Newspapers', broadcasters' and magazines' words in more languages (Portuguese,
    // Czech, Slovak, Polish, Nordic, Finnish, Dutch, Hungarian, Italian, Turkish, Japanese and
    // Korean romanised), and the words for museum, gallery, library and university.
    "folha",
    "jornal",
    "diário",
    "revista",
    "rozhlas",
    "televize",
    "televízia",
    "noviny",
    "deník",
    "denník",
    "tygodnik",
    "kurier",
    "tidning",
    "tidningen",
    "tidende",
    "sanomat",
    "uutiset",
    "nieuws",
    "courant",
    "hírlap",
    "gazzetta",
    "corriere",
    "televisão",
    "televisión",
    "televizija",
    "gazetesi",
    "shimbun",
    "ilbo",
    "newspaper",
    "magazine",
    "magazin",
    "museet",
    "muzeum",
    "múzeum",
    "museu",
    "müzesi",
    "музей",
    "gallery",
    "galerie",
    "galleria",
    "biblioteca",
    "bibliothek",
    "bibliothèque",
    "universidade",
    "università",
    "uniwersytet",
    "univerzita",
    "universiteit",
    "universitet",
    "üniversitesi",
    "college",
    // Publishers credited beside an artist (`Courtesy Name / TBW Books`).
    "books",
    "publishing",
    "publishers",
    "editions",
];

/// One-word names of bodies that issue their own pictures: ministries, armed forces, police,
/// palaces, state media, film studios, in the languages credits are printed in. A credit
/// naming one is a handout (credit-lines.md, kind `handout`); each is also an organisation
/// word, so it is listed here only, not in [`ORG_WORDS`].
const ISSUER_WORDS: &[&str] = &[
    "ministry",
    "government",
    "department",
    "court",
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
    "kcna",
    "studios",
    "netflix",
    "hbo",
    "disney",
    "paramount",
    "lionsgate",
    "nasa",
    "pressestelle",
    "ministerio",
    "ministère",
    "ministerium",
    "ministero",
    "ministério",
    "ministerstvo",
    "министерство",
    "gobierno",
    "governo",
    "regierung",
    "gouvernement",
    "polizei",
    "policía",
    "polizia",
    "politiet",
    "polisen",
    "полиция",
    "armée",
    "ejército",
    "esercito",
    "bundeswehr",
    "forsvaret",
    "presidencia",
    "présidence",
    "presidenza",
    "präsidialamt",
    // "Press office" in Hungarian and German.
    "sajtóiroda",
    "pressebüro",
    "command",
    // Town halls, state secretariats and press offices in Portuguese and Spanish.
    "prefeitura",
    "ayuntamiento",
    "alcaldía",
    "municipalidad",
    "gobernación",
    "secretaria",
    "secretaría",
    "assessoria",
    // United Nations bodies and aid agencies, which release their own pictures.
    "unicef",
    "unhcr",
    "unrwa",
    "wfp",
    "undp",
    "icrc",
    "ifrc",
    // Zoos, prizes and contests hand out their own pictures (`Sony World Photography
    // Awards`, `SIPA Contest`).
    // Production companies, theatres and opera houses issue their own stills and
    // rehearsal pictures (`Harpo Productions/Name`, `Name/THEATER AN DER WIEN/dpa`).
    "productions",
    "theater",
    "theatre",
    "théâtre",
    "teatro",
    "zoo",
    "awards",
    "award",
    "contest",
    "prize",
    "competition",
    // Universities issue their own photographers' pictures (`Name, Boston University`).
    "university",
];

/// The ends and starts of German compounds that name an authority issuing its pictures
/// (`Polizeiinspektion`, `Bundespolizei`, `Innenministerium`, `Polizeipräsidium`,
/// `Berufsfeuerwehr`, `Staatskanzlei`), matched inside one word of nine letters or more.
const ISSUER_COMPOUND_ENDS: &[&str] = &[
    "polizei",
    "ministerium",
    "präsidium",
    "feuerwehr",
    "kanzlei",
    "behörde",
];
const ISSUER_COMPOUND_STARTS: &[&str] = &["polizei", "feuerwehr"];

/// Whether one lower-cased word is a German compound naming an issuing authority.
fn issuer_compound(w: &str) -> bool {
    w.chars().count() >= 9
        && (ISSUER_COMPOUND_ENDS.iter().any(|e| w.ends_with(e))
            || ISSUER_COMPOUND_STARTS
                .iter()
                .any(|e| w.strip_prefix(e).is_some_and(|r| r.chars().count() >= 5)))
}

/// Issuer names of several words (matched as whole words) or with a dot (`kremlin.ru`,
/// `.gov`, matched anywhere).
const ISSUER_PHRASES: &[&str] = &[
    "press service",
    "press office",
    "information office",
    "armed forces",
    "defense force",
    "defence force",
    "air force",
    "marine corps",
    "white house",
    "prime minister",
    "kremlin.ru",
    ".gov",
    ".mil",
    "korean central news agency",
    "korea news service",
    "warner bros",
    "red cross",
    "red crescent",
    "city hall",
    "пресс служба",
    // Fire and rescue services credit their own pictures (`Tasmania Fire Service`).
    "fire service",
    "fire department",
    "fire protection",
    "fire brigade",
    "fire and rescue",
    "rescue service",
    // The Vatican's newspaper and photo service issue the Holy See's official pictures.
    "osservatore romano",
    "vatican media",
    // Photo contests by their titles (`Underwater Photographer of the Year`).
    "photographer of the year",
    "photographers of the year",
    "photo of the year",
];

/// The word lists arranged for lookups, built once (they run on every element read).
struct Words {
    org: HashSet<&'static str>,
    /// One-word issuer phrases.
    issuer_words: HashSet<&'static str>,
    /// Issuer phrases of several words, matched as whole words: each with a space on
    /// either side, built once rather than on every look-up.
    issuer_phrases: Vec<String>,
    /// Issuer phrases with a dot (`kremlin.ru`, `.gov`), matched anywhere.
    issuer_domains: Vec<&'static str>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let dotted = |p: &&str| p.contains('.');
        let several = |p: &&str| !dotted(p);
        Words {
            org: ORG_WORDS.iter().chain(ISSUER_WORDS).copied().collect(),
            issuer_words: ISSUER_WORDS.iter().copied().collect(),
            issuer_phrases: ISSUER_PHRASES
                .iter()
                .copied()
                .filter(several)
                .map(|p| format!(" {p} "))
                .collect(),
            issuer_domains: ISSUER_PHRASES.iter().copied().filter(dotted).collect(),
        }
    })
}

/// Whether a word of `s` (lower-cased) is one of [`ORG_WORDS`] or [`ISSUER_WORDS`].
pub(crate) fn has_org_word(s: &str) -> bool {
    let org = &words().org;
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = super::lower(w);
            org.contains(w.as_str()) || issuer_compound(&w)
        })
}

/// Whether `s` names a body that issues handouts.
pub(crate) fn is_issuer(s: &str) -> bool {
    let list = words();
    let lower = super::lower(s);
    if list.issuer_domains.iter().any(|p| lower.contains(p)) {
        return true;
    }
    let mut spaced = String::with_capacity(lower.len() + 2);
    spaced.push(' ');
    for w in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if list.issuer_words.contains(w) || issuer_compound(w) {
            return true;
        }
        spaced.push_str(w);
        spaced.push(' ');
    }
    // A phrase matches whole words only ("army" must not match "Armytage").
    list.issuer_phrases
        .iter()
        .any(|p| spaced.contains(p.as_str()))
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
