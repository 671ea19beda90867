//! Published news pages, for the attribution audit: find our photos in a page (by a blob id
//! in an image URL, a `data-byline-id`, or the caption printed with them) and the credit line
//! printed with each, from HTML or from plain text scraped from it.
//!
//! Pure: the page arrives as a string and nothing is fetched, stored or looked up. This
//! module does not decide which photo a figure is or whether its credit is right: the audit
//! resolves ids and captions against the library and judges credits with [`crate::credit`].

mod credit_text;
mod fuzzy;
mod html;
mod text;

use serde::Serialize;

pub use credit_text::split_credit;
pub use fuzzy::{CAPTION_THRESHOLD, caption_similarity};
pub use text::{Found, PlainText, find_caption};

/// What a page was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageFormat {
    /// Markup: figures come from `<figure>` and `<img>` elements.
    Html,
    /// Text scraped from a page: there are no figures, only captions to find.
    Text,
}

/// A news page as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// HTML or scraped text.
    pub format: PageFormat,
    /// Each image printed in the story, in page order; empty for plain text.
    pub figures: Vec<Figure>,
    /// The visible text of the story, one block per line (the input itself for plain text),
    /// to search with [`find_caption`] for photos printed without a figure.
    pub text: String,
}

/// One image printed in a page, with what is printed around it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// Blob ids named in its image URLs (`src`, `srcset`, lazy-load attributes, the link
    /// around it) and `data-byline-id`: 64 hex digits, or prefixes of 12 or more, lower-cased.
    pub ids: Vec<String>,
    /// The image's URL as printed.
    pub img_src: Option<String>,
    /// The image's `alt` text, which pages often fill with the caption.
    pub alt: Option<String>,
    /// The caption as printed, without the credit line.
    pub caption: Option<String>,
    /// The credit line as printed, if any.
    pub credit: Option<String>,
    /// All of the figure's visible text, whitespace collapsed.
    pub text: String,
}

/// Read a page, as HTML if it looks like markup and as scraped plain text otherwise.
pub fn read(page: &str) -> Page {
    if is_html(page) {
        let (figures, text) = html::read(page);
        Page {
            format: PageFormat::Html,
            figures,
            text,
        }
    } else {
        Page {
            format: PageFormat::Text,
            figures: Vec::new(),
            text: page.to_string(),
        }
    }
}

/// Whether `page` is markup: it opens with a tag or holds one of the tags a page is made of.
pub fn is_html(page: &str) -> bool {
    let head: String = page.chars().take(4096).collect::<String>().to_lowercase();
    if head.trim_start().starts_with('<') {
        return true;
    }
    let lower = page.to_lowercase();
    [
        "<html", "<body", "<figure", "<img", "<p>", "<p ", "<div", "<article",
    ]
    .iter()
    .any(|tag| lower.contains(tag))
}

/// The blob ids in `s`: runs of 12 to 64 hex digits standing alone (between characters that
/// are not letters or digits), lower-cased. A run must hold a letter and a digit, so
/// numeric dates and words like `facade` are not taken for ids.
pub fn ids_in(s: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for run in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let hex = run.chars().all(|c| c.is_ascii_hexdigit());
        let mixed =
            run.chars().any(|c| c.is_ascii_digit()) && run.chars().any(|c| c.is_ascii_alphabetic());
        if hex && mixed && (12..=64).contains(&run.len()) {
            let id = run.to_ascii_lowercase();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// `s` with runs of white space (non-breaking spaces included) made one space, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_hex_runs_of_twelve_to_sixty_four() {
        let full = "b41fa312a338bb7948f552eaf612d403d768f41a077d151a798c02e289adc49b";
        let url = format!("https://cdn.example/photos/{full}-800w.jpg?v=20131022104100");
        assert_eq!(ids_in(&url), [full]);
        assert_eq!(ids_in("/img/B41FA312A338_large.jpg"), ["b41fa312a338"]);
        // Too short, too long, all digits, or not hex.
        assert!(ids_in("/img/b41fa312a33.jpg").is_empty());
        assert!(ids_in(&format!("/img/{full}0.jpg")).is_empty());
        assert!(ids_in("/2013/10/22/201310221041.jpg").is_empty());
        assert!(ids_in("/img/nato-brussels-headquarters.jpg").is_empty());
    }

    #[test]
    fn sniffs_markup_and_text() {
        assert!(is_html("<!doctype html><p>x</p>"));
        assert!(is_html(
            "Some scraped text\n<figure><img src=a.jpg></figure>"
        ));
        assert!(!is_html("The NATO emblem is seen. © AFP 2023 / JOHN THYS"));
        assert!(!is_html("Prices rose 3% <2% forecast"));
    }
}
