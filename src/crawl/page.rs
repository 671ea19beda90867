//! A fetched page → what the crawl needs from it: its text in the right charset, each printed
//! image with every URL it may be served from (`src`, `srcset`, lazy `data-*`, `<picture>`
//! sources) and the caption and credit printed with it (read by [`crate::article`], as
//! `audit --article` reads them), the `og:image` and JSON-LD images, its publication date and
//! its links. Pure: nothing is fetched.

use std::collections::HashMap;

use jiff::Timestamp;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

use crate::article::{self, Figure};

use super::discover::parse_time;

/// One image printed on the page.
#[derive(Debug, Clone)]
pub struct Shown {
    /// What `article` read around it: ids, caption, credit.
    pub figure: Figure,
    /// Every URL the image may be served from, the displayed one first.
    pub urls: Vec<Url>,
}

/// What the crawl reads from a page.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Images printed in the story.
    pub shown: Vec<Shown>,
    /// `og:image` and JSON-LD `image` URLs (photos shown when the page is shared).
    pub meta_images: Vec<Url>,
    /// The page's visible text, one block per line.
    pub text: String,
    /// `article:published_time`, else JSON-LD `datePublished`, else the first
    /// `time[datetime]`.
    pub published: Option<Timestamp>,
    /// Links (`a[href]`), absolute, without fragments.
    pub links: Vec<Url>,
}

/// The page's text: the charset of `Content-Type`, else a byte-order mark, else a `<meta>`
/// charset in the first 1024 bytes, else UTF-8 when it is valid, else Windows-1252.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let label = content_type.and_then(charset_in).or_else(|| {
        let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_lowercase();
        head.find("charset=").map(|at| {
            head[at + 8..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
    });
    let enc = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .or_else(|| {
            std::str::from_utf8(body)
                .is_err()
                .then_some(encoding_rs::WINDOWS_1252)
        })
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = enc.decode(body);
    text.into_owned()
}

fn charset_in(content_type: &str) -> Option<String> {
    let lower = content_type.to_lowercase();
    let at = lower.find("charset=")?;
    Some(
        lower[at + 8..]
            .trim_matches(['"', '\'', ' '])
            .split(';')
            .next()?
            .trim_matches(['"', '\''])
            .to_string(),
    )
}

/// Read a page served from `base`.
pub fn read(html: &str, base: &Url) -> Facts {
    let doc = Html::parse_document(html);
    let base = select(&doc, "base[href]")
        .first()
        .and_then(|b| b.attr("href"))
        .and_then(|h| base.join(h).ok())
        .unwrap_or_else(|| base.clone());
    let abs = |s: &str| -> Option<Url> {
        let s = s.trim();
        if s.is_empty() || s.starts_with("data:") {
            return None;
        }
        let mut u = base.join(s).ok()?;
        u.set_fragment(None);
        matches!(u.scheme(), "http" | "https").then_some(u)
    };
    // Each <img>'s URLs, under the key `article` prints as the figure's image source.
    let mut by_src: HashMap<String, Vec<Url>> = HashMap::new();
    for img in select(&doc, "img") {
        let Some(key) = src_key(img) else { continue };
        let mut urls: Vec<Url> = Vec::new();
        let mut push = |u: Option<Url>| {
            if let Some(u) = u
                && !urls.contains(&u)
            {
                urls.push(u);
            }
        };
        push(abs(&key));
        for attr in ["srcset", "data-srcset"] {
            for s in img.attr(attr).map(srcset).unwrap_or_default() {
                push(abs(s));
            }
        }
        let picture = img
            .parent()
            .and_then(ElementRef::wrap)
            .filter(|p| p.value().name() == "picture");
        for source in picture.iter().flat_map(|p| p.child_elements()) {
            if source.value().name() == "source" {
                for attr in ["srcset", "data-srcset"] {
                    for s in source.attr(attr).map(srcset).unwrap_or_default() {
                        push(abs(s));
                    }
                }
            }
        }
        by_src.entry(key).or_insert(urls);
    }
    let page = article::read(html);
    let shown = page
        .figures
        .into_iter()
        .map(|figure| {
            let urls = figure
                .img_src
                .as_ref()
                .and_then(|s| by_src.get(s).cloned())
                .unwrap_or_default();
            Shown { figure, urls }
        })
        .collect();
    let mut meta_images: Vec<Url> = Vec::new();
    for m in select(&doc, "meta") {
        let key = m.attr("property").or_else(|| m.attr("name")).unwrap_or("");
        if [
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
        ]
        .contains(&key.to_lowercase().as_str())
            && let Some(u) = m.attr("content").and_then(abs)
            && !meta_images.contains(&u)
        {
            meta_images.push(u);
        }
    }
    let mut ld_date = None;
    for script in select(&doc, "script") {
        if !script
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        {
            continue;
        }
        let text: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let mut images = Vec::new();
        json_ld(&v, 0, &mut images, &mut ld_date);
        for u in images.iter().filter_map(|s| abs(s)) {
            if !meta_images.contains(&u) {
                meta_images.push(u);
            }
        }
    }
    let meta_date = select(&doc, "meta")
        .into_iter()
        .find(|m| {
            m.attr("property")
                .or_else(|| m.attr("name"))
                .is_some_and(|p| p.eq_ignore_ascii_case("article:published_time"))
        })
        .and_then(|m| m.attr("content"))
        .and_then(parse_time);
    let time_date = select(&doc, "time[datetime]")
        .into_iter()
        .find_map(|t| t.attr("datetime").and_then(parse_time));
    let mut links: Vec<Url> = Vec::new();
    for a in select(&doc, "a[href]") {
        if let Some(u) = a.attr("href").and_then(abs)
            && !links.contains(&u)
        {
            links.push(u);
        }
    }
    Facts {
        shown,
        meta_images,
        text: page.text,
        published: meta_date.or(ld_date).or(time_date),
        links,
    }
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    match Selector::parse(css) {
        Ok(s) => doc.select(&s).collect(),
        Err(_) => Vec::new(),
    }
}

/// The image source `article` reports for an `<img>`: `src` unless it is an inline
/// placeholder and a lazy-load attribute holds the real one.
fn src_key(img: ElementRef<'_>) -> Option<String> {
    ["src", "data-src", "data-original", "data-lazy-src"]
        .iter()
        .filter_map(|a| img.attr(a))
        .find(|v| !v.trim().is_empty() && !v.trim_start().starts_with("data:"))
        .map(|v| v.trim().to_string())
}

/// The URLs of a `srcset` (`a.jpg 640w, b.jpg 1280w`).
fn srcset(s: &str) -> Vec<&str> {
    s.split(',')
        .filter_map(|c| c.split_whitespace().next())
        .collect()
}

/// Gather JSON-LD `image` URLs (a string, a list, an `ImageObject`'s `url`/`contentUrl`) and
/// the first `datePublished`, through `@graph` and nested objects, a few levels deep.
fn json_ld(v: &Value, depth: usize, images: &mut Vec<String>, date: &mut Option<Timestamp>) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => {
            for i in items {
                json_ld(i, depth + 1, images, date);
            }
        }
        Value::Object(map) => {
            if date.is_none()
                && let Some(Value::String(d)) = map.get("datePublished")
            {
                *date = parse_time(d);
            }
            if let Some(img) = map.get("image") {
                image_urls(img, images);
            }
            for (k, child) in map {
                if k != "image" {
                    json_ld(child, depth + 1, images, date);
                }
            }
        }
        _ => {}
    }
}

fn image_urls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().take(16).for_each(|i| image_urls(i, out)),
        Value::Object(map) => {
            for k in ["url", "contentUrl"] {
                if let Some(Value::String(s)) = map.get(k) {
                    out.push(s.clone());
                    break;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example/world/story.html").expect("url")
    }

    #[test]
    fn finds_every_url_an_image_is_served_from() {
        let html = r#"<html><head>
            <meta property="og:image" content="/img/share.jpg">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"NewsArticle","datePublished":"2024-03-05T10:00:00+01:00",
               "image":{"@type":"ImageObject","url":"https://cdn.example/ld.jpg"}}]}</script>
            </head><body><article><p>Story text long enough to be the story.</p>
            <figure><picture><source srcset="/a-640.webp 640w, /a-1280.webp 1280w">
              <img src="data:image/gif;base64,R0lGOD" data-src="/a.jpg" alt="x"></picture>
              <figcaption>Ships in the harbour. Photo: Jane Roe / AFP</figcaption></figure>
            <a href="/other#top">next</a><a href="mailto:x@y">mail</a>
            </article></body></html>"#;
        let f = read(html, &base());
        assert_eq!(f.shown.len(), 1);
        let urls: Vec<&str> = f.shown[0].urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "https://news.example/a.jpg",
                "https://news.example/a-640.webp",
                "https://news.example/a-1280.webp"
            ]
        );
        assert_eq!(
            f.shown[0].figure.credit.as_deref(),
            Some("Photo: Jane Roe / AFP")
        );
        let meta: Vec<&str> = f.meta_images.iter().map(Url::as_str).collect();
        assert_eq!(
            meta,
            [
                "https://news.example/img/share.jpg",
                "https://cdn.example/ld.jpg"
            ]
        );
        assert_eq!(
            f.published,
            Some("2024-03-05T09:00:00Z".parse().expect("ts"))
        );
        let links: Vec<&str> = f.links.iter().map(Url::as_str).collect();
        assert_eq!(links, ["https://news.example/other"]);
    }

    #[test]
    fn dates_fall_back_in_order() {
        let meta = r#"<html><head><meta property="article:published_time" content="2024-01-02">
            </head><body><time datetime="2020-01-01T00:00:00Z">x</time></body></html>"#;
        assert_eq!(
            read(meta, &base()).published,
            Some("2024-01-02T00:00:00Z".parse().expect("ts"))
        );
        let time = r#"<html><body><time datetime="2020-01-01T08:00:00Z">x</time></body></html>"#;
        assert_eq!(
            read(time, &base()).published,
            Some("2020-01-01T08:00:00Z".parse().expect("ts"))
        );
    }

    #[test]
    fn charsets_are_honoured() {
        let latin =
            b"<html><head><meta charset=\"windows-1252\"></head><p>caf\xe9 \x93quoted\x94</p>";
        assert!(decode(latin, None).contains("café “quoted”"));
        assert!(decode(b"<p>caf\xe9</p>", None).contains("café"));
        assert!(decode(b"<p>caf\xc3\xa9</p>", Some("text/html; charset=utf-8")).contains("café"));
        assert!(decode(b"<p>caf\xe9</p>", Some("text/html; charset=ISO-8859-1")).contains("café"));
    }
}
