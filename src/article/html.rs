//! HTML news pages → figures: each `<figure>` (and each bare `<img>` with the caption
//! paragraph beside it) with the ids in its image URLs, its caption and its credit line.
//!
//! Pure: the page arrives as a string. It reads what is printed; it does not fetch images,
//! resolve URLs, or decide whether a figure is ours.

use scraper::{ElementRef, Html, Node};

use super::{Figure, collapse, credit_text, ids_in};

/// Elements whose text is never shown.
const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "head", "title"];

/// Elements that break a line of text: their text is kept apart from their neighbours'.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "img",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "picture",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Image attributes that may carry a URL (or a srcset of them) naming a blob.
const IMAGE_URLS: &[&str] = &[
    "src",
    "srcset",
    "data-src",
    "data-srcset",
    "data-original",
    "data-lazy-src",
    "data-full-src",
    "href",
];

/// The figures of an HTML page and its visible text, one block per line.
pub(super) fn read(page: &str) -> (Vec<Figure>, String) {
    let doc = Html::parse_document(page);
    let scope = scope(&doc);
    let root = doc.root_element();
    let mut figures = Vec::new();
    for el in root.descendent_elements() {
        let in_scope = el.ancestors().any(|a| a.id() == scope.id());
        match el.value().name() {
            // A lead photo may sit above the story's `<article>`: a `<figure>` anywhere but
            // the site's header, navigation, footer and sidebars is the page's.
            "figure" if !inside(el, "figure", root) && (in_scope || !in_chrome(el)) => {
                figures.push(figure(el))
            }
            "img" if in_scope && !inside(el, "figure", root) && !is_pixel(el) => {
                figures.push(bare(el))
            }
            _ => {}
        }
    }
    let mut out = String::new();
    visible(scope, None, &mut out);
    let text = out
        .lines()
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (figures, text)
}

/// The story itself: the `<article>` with the most text (pages wrap teasers in their own),
/// else `<main>`, else `<body>`, so the site's logo and header icons are not read as photos.
/// Bare images count only inside it; figures count anywhere outside the site's furniture.
fn scope(doc: &Html) -> ElementRef<'_> {
    let root = doc.root_element();
    let named = |name: &str| {
        root.descendent_elements()
            .filter(|e| e.value().name() == name)
            .max_by_key(|e| e.text().map(str::len).sum::<usize>())
    };
    named("article")
        .or_else(|| named("main"))
        .or_else(|| named("body"))
        .unwrap_or(root)
}

/// Whether `el` sits inside an element named `name` below `scope`.
fn inside(el: ElementRef<'_>, name: &str, scope: ElementRef<'_>) -> bool {
    el.ancestors()
        .take_while(|a| a.id() != scope.id())
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == name)
}

/// Whether `el` is part of the site's furniture rather than the story.
fn in_chrome(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| ["header", "nav", "footer", "aside"].contains(&a.value().name()))
}

/// A tracking pixel: both declared sizes are 2 px or less. Such images are not photos, so
/// they are not listed even as unknown.
fn is_pixel(img: ElementRef<'_>) -> bool {
    let tiny = |attr: &str| {
        img.attr(attr)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|n| n <= 2)
    };
    tiny("width") && tiny("height")
}

/// A `<figure>`: ids from every image URL and `data-byline-id` in it; the caption from its
/// `<figcaption>` (or an element whose class names a caption); the credit from an element
/// marked as one (class `credit`, `copyright`, `byline`, …, or `<small>`/`<cite>` in the
/// caption), else from the caption's text where a credit begins.
fn figure(el: ElementRef<'_>) -> Figure {
    let ids = ids_of(el);
    let img = el.descendent_elements().find(|e| e.value().name() == "img");
    let caption_el = el
        .descendent_elements()
        .find(|e| e.value().name() == "figcaption")
        .or_else(|| {
            el.descendent_elements()
                .find(|e| has_class(*e, &["caption"]))
        });
    // A credit element that is (or holds) the caption is no separate credit: the caption's
    // text is split where the credit begins instead.
    let holds_caption = |credit: &ElementRef<'_>| {
        caption_el.is_some_and(|c| c == *credit || c.ancestors().any(|a| a.id() == credit.id()))
    };
    let credit_el = el
        .descendent_elements()
        .find(|e| is_credit(*e) && !holds_caption(e));
    let (caption, credit) = caption_and_credit(caption_el, credit_el);
    Figure {
        ids,
        img_src: img.and_then(src),
        alt: img
            .and_then(|i| i.attr("alt"))
            .map(collapse)
            .filter(|a| !a.is_empty()),
        caption,
        credit,
        text: block_text(el),
    }
}

/// An `<img>` outside any figure, with the caption paragraph right after it (or after the
/// link, `<picture>`, paragraph or wrapper holding only it), if that paragraph is marked as
/// a caption or credit, is a `<small>`/`<cite>`/`<em>`, or is short and prints a credit.
fn bare(img: ElementRef<'_>) -> Figure {
    let mut holder = img;
    while let Some(parent) = holder.parent().and_then(ElementRef::wrap) {
        let only_child = parent.child_elements().count() == 1;
        let wrapper = ["a", "picture", "span", "div", "p"].contains(&parent.value().name());
        if !(only_child && wrapper) {
            break;
        }
        holder = parent;
    }
    let mut ids = ids_of(holder);
    let next = next_element(holder).filter(|e| is_caption_beside(*e));
    if let Some(next) = next {
        for id in ids_of(next) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let credit_el = next.and_then(|n| {
        if is_credit(n) {
            None
        } else {
            n.descendent_elements().find(|e| is_credit(*e))
        }
    });
    let (mut caption, mut credit) = caption_and_credit(next, credit_el);
    // A paragraph marked as the credit, with no credit sign inside it, is all credit.
    if next.is_some_and(is_credit) && credit.is_none() {
        credit = caption.take();
    }
    Figure {
        ids,
        img_src: src(img),
        alt: img.attr("alt").map(collapse).filter(|a| !a.is_empty()),
        caption,
        credit,
        text: next.map(block_text).unwrap_or_default(),
    }
}

/// The caption and credit printed in `caption_el`, with the credit taken from `credit_el`
/// when there is one (its text is then left out of the caption).
fn caption_and_credit(
    caption_el: Option<ElementRef<'_>>,
    credit_el: Option<ElementRef<'_>>,
) -> (Option<String>, Option<String>) {
    let credit_from_el = credit_el.map(block_text).map(|c| tidy_credit(&c));
    let caption = caption_el.map(|c| {
        let mut out = String::new();
        visible(c, credit_el, &mut out);
        collapse(&out)
    });
    match (caption, credit_from_el) {
        (Some(caption), Some(credit)) => (non_empty(tidy_caption(&caption)), non_empty(credit)),
        (None, credit) => (None, credit.and_then(non_empty)),
        (Some(caption), None) => match credit_text::split_credit(&caption, 1) {
            Some(at) => (
                non_empty(tidy_caption(caption.get(..at).unwrap_or(""))),
                non_empty(tidy_credit(caption.get(at..).unwrap_or(""))),
            ),
            None => (non_empty(tidy_caption(&caption)), None),
        },
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// A caption without the separator a page puts before its credit (`… 2013. |`).
fn tidy_caption(s: &str) -> String {
    s.trim()
        .trim_end_matches(['|', '/', '·', '•', '–', '—'])
        .trim()
        .to_string()
}

/// A credit without the separators around it (`| Photo: AFP`).
fn tidy_credit(s: &str) -> String {
    s.trim()
        .trim_start_matches(['|', '/', '·', '•', '-', '–', '—'])
        .trim()
        .to_string()
}

/// Whether an element is marked as a credit line: its class or itemprop names one, or it is
/// a `<small>` or `<cite>` inside a caption.
fn is_credit(el: ElementRef<'_>) -> bool {
    const MARKS: &[&str] = &[
        "credit",
        "copyright",
        "byline",
        "attribution",
        "photographer",
    ];
    if has_class(el, MARKS) {
        return true;
    }
    if el.attr("itemprop").is_some_and(|p| {
        ["credittext", "copyrightholder", "copyrightnotice"].contains(&p.to_lowercase().as_str())
    }) {
        return true;
    }
    ["small", "cite"].contains(&el.value().name())
        && el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "figcaption" || has_class(a, &["caption"]))
}

/// Whether a class of `el` contains one of `marks` (lower-cased), as in `photo-credit`.
fn has_class(el: ElementRef<'_>, marks: &[&str]) -> bool {
    el.value().classes().any(|c| {
        let c = c.to_lowercase();
        marks.iter().any(|m| c.contains(m))
    })
}

/// Whether the element after a bare image is its caption.
fn is_caption_beside(el: ElementRef<'_>) -> bool {
    let name = el.value().name();
    if has_class(el, &["caption", "credit", "legend", "copyright"]) {
        return true;
    }
    if ["figcaption", "small", "cite", "em"].contains(&name) {
        return true;
    }
    let text = block_text(el);
    ["p", "div", "span"].contains(&name)
        && text.chars().count() <= 400
        && credit_text::split_credit(&text, 0).is_some()
}

/// The next sibling that is an element, skipping white space between them.
fn next_element(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let mut next = el.next_sibling();
    while let Some(n) = next {
        match n.value() {
            Node::Element(_) => return ElementRef::wrap(n),
            Node::Text(t) if t.trim().is_empty() => next = n.next_sibling(),
            Node::Comment(_) => next = n.next_sibling(),
            _ => return None,
        }
    }
    None
}

/// The blob ids named under `el`: hex in image URLs and `data-byline-id`, in page order.
fn ids_of(el: ElementRef<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    for e in std::iter::once(el).chain(el.descendent_elements()) {
        let mut push = |found: Vec<String>| {
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        };
        if let Some(id) = e.attr("data-byline-id") {
            push(ids_in(id));
        }
        if ["img", "source", "a"].contains(&e.value().name()) {
            for attr in IMAGE_URLS {
                if let Some(url) = e.attr(attr) {
                    push(ids_in(url));
                }
            }
        }
    }
    ids
}

/// The image's URL: `src`, unless that is an inline placeholder and a lazy-load attribute
/// holds the real one.
fn src(img: ElementRef<'_>) -> Option<String> {
    let real = |v: &&str| !v.trim().is_empty() && !v.trim_start().starts_with("data:");
    ["src", "data-src", "data-original", "data-lazy-src"]
        .iter()
        .filter_map(|a| img.attr(a))
        .find(real)
        .map(|v| v.trim().to_string())
}

/// All visible text of `el` on one line.
fn block_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    visible(el, None, &mut out);
    collapse(&out)
}

/// Append the visible text under `el` to `out`, with a line break around block elements and
/// nothing from hidden elements or from `skip` (a credit read on its own).
fn visible(el: ElementRef<'_>, skip: Option<ElementRef<'_>>, out: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                if HIDDEN.contains(&e.name()) || skip == Some(child) {
                    continue;
                }
                let block = BLOCKS.contains(&e.name());
                if block {
                    out.push('\n');
                }
                visible(child, skip, out);
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}
