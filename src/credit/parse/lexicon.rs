//! The words credits are wrapped and marked with, in the languages newsrooms print them in:
//! "photo", "by", "via", "courtesy", "handout", "archive", "pool", video-grab words, and the
//! requests to credit (`Photo credit should read`). Word lists and the small functions that
//! match them; nothing here sees a whole line.

use super::*;

/// "Photo" and its kin as a label before a credit, lower-case: English, German, the Nordic
/// languages, Dutch, French, Italian, Spanish, Portuguese, Polish, Czech, Hungarian,
/// Finnish, Turkish, Greek, Russian, Ukrainian, Bulgarian.
pub(super) const PHOTO_WORDS: &[&str] = &[
    "photo",
    "photos",
    "photograph",
    "photographs",
    "photographer",
    "photography",
    "picture",
    "pictures",
    "pic",
    "image",
    "images",
    "illustration",
    "foto",
    "fotos",
    "fotó",
    "fot.",
    "fotografie",
    "fotografia",
    "fotografía",
    "fotograf",
    "fotografen",
    "fotógrafo",
    "photographe",
    "fotoğraf",
    "bild",
    "bilde",
    "billede",
    "illustrasjon",
    "kuva",
    "kuvaaja",
    "zdjęcie",
    "snímek",
    "immagine",
    "imagen",
    "imagem",
    "φωτογραφία",
    "фото",
    "фотография",
    "фотограф",
    "світлина",
    "снимка",
    "foto's",
    // Dutch "image", the word Dutch papers print before a credit (`beeld EPA, Name`).
    "beeld",
    "fotografije",
    "fotorreportaje",
    "fotorreportagem",
    "fotoreportage",
    "φωτογραφίες",
    "світлини",
    // Scripts without case: Korean, Japanese, Chinese, Thai, Hindi, Gujarati, Punjabi,
    // Arabic, Persian, Vietnamese.
    "사진",
    "写真",
    "照片",
    "图片",
    "圖片",
    "图片来源",
    "圖片來源",
    "ภาพ",
    "फोटो",
    "तस्वीर",
    "તસવીર",
    "તસવીરો",
    "ਤਸਵੀਰ",
    "تصوير",
    "صورة",
    "عکس",
    "عکاس",
    "ảnh",
];

/// Words that label a credit as its source or author rather than its picture (`Izvor:`,
/// `Autor:`, `Fuente:`, `Nguồn:`), lower-case.
const LABEL_WORDS: &[&str] = &[
    "source",
    "credit",
    "credits",
    "author",
    "autor",
    "izvor",
    "fuente",
    "fonte",
    "sursa",
    "quelle",
    "zdroj",
    "źródło",
    "kaynak",
    "nguồn",
    "crédito",
    "credito",
    "bildrechte",
    "copyright",
    "grafikler",
    "grafik",
    "graphics",
];

/// Whether `w` is a source or author label word (with or without a colon).
pub(super) fn is_label_word(w: &str) -> bool {
    LABEL_WORDS.contains(&w.to_lowercase().trim_end_matches(':'))
}

/// Words that say "by" or "from" before a photographer's name, after a photo word or
/// opening a clause (`Foto von`, `Foto fra`, `Photo de`, `Foto di`, `Foto door`).
pub(super) const BY_WORDS: &[&str] = &[
    "by", "from", "von", "par", "de", "door", "av", "af", "fra", "di", "por", "od", "z", "oleh",
    "από",
];

/// Two-word "taken by" phrases after a photo word (`Photo prise par`, `Foto tomada por`).
const BY_PHRASES: &[&str] = &[
    "taken by",
    "prise par",
    // The participle misspelt in agreement (`Photo prises par Name`).
    "prises par",
    "pris par",
    "tomada por",
    "tirada por",
    "scattata da",
    "aufgenommen von",
    "diambil oleh",
];

/// `by` words that also open a clause after a comma (`Düsseldorf, von Name/Reuters`); the
/// short Romance and Slavic ones are left out there, where they start surnames.
pub(super) const CLAUSE_BY_WORDS: &[&str] =
    &["by", "von", "par", "door", "av", "af", "di", "por", "fra"];

/// Whether `w` is a photo word, with or without a closing colon or full stop.
pub(super) fn is_photo_word(w: &str) -> bool {
    let lower = w.to_lowercase();
    let bare = lower.trim_end_matches([':', '.']);
    PHOTO_WORDS.contains(&bare) || PHOTO_WORDS.contains(&lower.trim_end_matches(':'))
}

/// Strip a leading photo label written without a colon and an optional `by` word after it
/// (`Foto fra Name via AP`, `Fotografía de Name / EFE`, `Photo AFP`). The label must be
/// followed by more words, so a bare `Photo` is left for the marker rules.
pub(super) fn strip_photo_label(s: &str) -> Option<&str> {
    let (first, rest) = s.split_once(' ')?;
    if !is_photo_word(first) || first.ends_with(':') {
        return None;
    }
    // The word may begin a name (`picture alliance`): then it is no label.
    let element = s.split(['/', ',', '|']).next().unwrap_or(s).trim();
    if org_alias(element).is_some_and(|(_, fuzzy)| !fuzzy) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = BY_PHRASES
        .iter()
        .find_map(|p| strip_prefix_ci(rest, p).filter(|r| r.starts_with(' ')))
        .map_or(rest, str::trim_start);
    let rest = match rest.split_once(' ') {
        Some((w, after)) if BY_WORDS.contains(&w.to_lowercase().as_str()) => after.trim_start(),
        _ => rest,
    };
    (!rest.is_empty()).then_some(rest)
}

/// Words of a request to credit (`Photo credit should read`, `Please credit`,
/// `Credit must read`, `Credit line`), in English as agencies write them.
const REQUEST_WORDS: &[&str] = &[
    "photo",
    "picture",
    "image",
    "pic",
    "credit",
    "credits",
    "please",
    "should",
    "must",
    "read",
    "reads",
    "line",
    "mandatory",
    "to",
];

/// Strip a leading request to credit and the colon after it. The words must include
/// `credit` and end in `read`/`reads`, or start with `please`, or be followed by a colon
/// (which [`strip_label`] would take too, but only up to three words).
pub(super) fn strip_request(s: &str) -> Option<&str> {
    let mut end = 0;
    let mut words = Vec::new();
    for (i, w) in s.split(' ').scan(0, |at, w| {
        let start = *at;
        *at += w.len() + 1;
        Some((start, w))
    }) {
        let bare = w.trim_end_matches(':').to_lowercase();
        if !REQUEST_WORDS.contains(&bare.as_str()) {
            break;
        }
        words.push(bare);
        end = i + w.len();
        if w.ends_with(':') {
            break;
        }
    }
    if !words.iter().any(|w| w == "credit" || w == "credits") || words.len() < 2 {
        return None;
    }
    let colon = s.get(..end).is_some_and(|h| h.ends_with(':'));
    let last = words.last().map(String::as_str);
    let request = colon
        || matches!(last, Some("read" | "reads"))
        || words.first().is_some_and(|w| w == "please");
    let rest = s.get(end..)?.trim_start_matches([' ', ':']);
    (request && !rest.is_empty()).then_some(rest)
}

/// What a marker element says about the kind; `Some(None)` for markers that say nothing
/// (`Photo`). Markers are never listed as creators or `via` (credit-lines.md).
pub(super) fn marker(s: &str) -> Option<Option<Kind>> {
    let k = agency::key(s);
    let kind = match k.as_str() {
        "pool" | "pool photo" | "pool photos" | "pool foto" | "poolfoto" | "poolbild" => {
            Some(Kind::Pool)
        }
        // Issued by the subject: English, German/Nordic press pictures, Portuguese
        // `Divulgação`, French `document remis`.
        "handout" | "handout photo" | "ho" | "courtesy" | "handout picture" | "pressebild"
        | "pressefoto" | "pressbild" | "pressfoto" | "press photo" | "press picture"
        | "divulgação" | "divulgacao" | "document remis" | "cortesía" | "cortesia"
        // Australian and New Zealand papers' word for a picture the subject gave.
        | "supplied" => {
            Some(Kind::Handout)
        }
        // Agencies' archive markers in several languages (AFP's `AFP/Archives`, dpa's
        // `dpa/Archiv`, EFE's `EFE/Archivo`, NTB's `Arkiv`).
        "file"
        | "files"
        | "file photo"
        | "file picture"
        | "file pic"
        | "archive"
        | "archive photo"
        | "archive picture"
        | "archives"
        | "archiv"
        | "archivbild"
        | "archivfoto"
        | "archivo"
        | "archivio"
        | "arquivo"
        | "arkiv"
        | "arkivbild"
        | "arkivfoto"
        | "arkivbilde"
        | "archiwum"
        | "archivní"
        | "архив"
        | "архивное фото" => Some(Kind::Archive),
        "video grab" | "screen grab" | "screengrab" | "video still" | "tv grab" | "videograb"
        | "screenshot" | "screen shot" | "screencap" | "video screenshot" | "tv still" | "grab" => {
            Some(Kind::ScreenGrab)
        }
        "stock photo" => Some(Kind::Stock),
        "photo" | "photos" | "foto" | "photograph" | "picture" | "stringer" | "str" | "staff"
        | "illustration" | "photo illustration" | "image" | "images" | "pic" | "pictures"
        | "own work" | "eget verk" | "eigenes werk" | "travail personnel" => None,
        // Portuguese and Spanish for a copy taken from elsewhere (a screenshot, a post).
        "reprodução" | "reproducao" | "reproducción" | "reproduction" => None,
        _ if is_photo_word(&k) => None,
        _ => return None,
    };
    Some(kind)
}

/// Words that open an element naming who issued or lent the picture: a handout
/// (`courtesy of`, Spanish `cortesía de`, German `zur Verfügung gestellt von`).
pub(super) const COURTESY_LEADS: &[&str] = &[
    "courtesy of ",
    "courtesy ",
    "photo courtesy of ",
    "photo courtesy ",
    "image courtesy of ",
    "picture courtesy of ",
    "handout from ",
    "handout photo from ",
    "provided by ",
    "supplied by ",
    "released by ",
    "issued by ",
    "cortesía de ",
    "cortesia de ",
    "cortesia di ",
    "foto cedida por ",
    "imagen cedida por ",
    "cedida por ",
    "avec l'aimable autorisation de ",
    "mit freundlicher genehmigung von ",
    "zur verfügung gestellt von ",
    "udlånt af ",
    "utlånt av ",
];

/// `via` in the languages that do not write it so (`vía` in Spanish).
pub(super) const VIA_WORDS: &[&str] = &["via ", "vía "];

/// "And" in the languages credits are printed in (English, Italian/Portuguese, Spanish,
/// French, German, the Nordic languages, Polish/Czech, Russian/Ukrainian), lower-case.
pub(super) const AND_WORDS: &[&str] = &[
    "and",
    "&",
    "e",
    "y",
    "et",
    "und",
    "og",
    "och",
    "i",
    "и",
    "і",
    "та",
    "oraz",
    "en",
    "és",
    "ja",
    "ve",
    "dan",
    "và",
    "și",
    "και",
    "और",
    "અને",
    "ਅਤੇ",
    "و",
    "및",
];
