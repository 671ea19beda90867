//! Where pages come from: sitemaps (indexes, gzipped files, `lastmod` for `--since`) and RSS,
//! Atom or JSON feeds. Pure: the bytes arrive fetched; this reads them.

use std::io::Read;

use jiff::Timestamp;
use quick_xml::Reader;
use quick_xml::events::Event;

/// What a sitemap file lists.
#[derive(Debug, Default, PartialEq)]
pub struct Sitemap {
    /// Child sitemaps of a sitemap index.
    pub sitemaps: Vec<String>,
    /// Pages, each with its `lastmod` when given.
    pub pages: Vec<(String, Option<Timestamp>)>,
}

/// `body`, un-gzipped when it is gzip (by its magic bytes), at most `cap` bytes.
pub fn gunzip(body: Vec<u8>, cap: u64) -> Result<Vec<u8>, String> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(body);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("gzip: {e}"))?;
    if out.len() as u64 > cap {
        return Err(format!("unzips to more than {cap} bytes"));
    }
    Ok(out)
}

/// Read a sitemap or sitemap index (sitemaps.org 0.9): each `<loc>` under `<sitemap>` is a
/// child sitemap, under `<url>` a page, with the `<lastmod>` beside it.
pub fn sitemap(xml: &[u8]) -> Result<Sitemap, String> {
    let mut r = Reader::from_reader(xml);
    let mut out = Sitemap::default();
    let mut depth = 0usize;
    let (mut loc, mut lastmod) = (None::<String>, None::<Timestamp>);
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(_)) => {
                depth += 1;
                text.clear();
            }
            Ok(Event::End(e)) => {
                depth = depth.saturating_sub(1);
                let name = e.local_name().into_inner().to_ascii_lowercase();
                match name.as_str() {
                    "loc" => loc = Some(text.trim().to_string()),
                    "lastmod" => lastmod = parse_time(&text),
                    "sitemap" => {
                        out.sitemaps.extend(loc.take());
                        lastmod = None;
                    }
                    "url" => {
                        if let Some(l) = loc.take() {
                            out.pages.push((l, lastmod.take()));
                        }
                    }
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(g)) => {
                text.extend(crate::meta::xmp::entity(&g));
            }
            Ok(Event::Eof) if depth == 0 => break,
            Ok(Event::Eof) => return Err("not a sitemap: the XML ends early".into()),
            Err(e) => return Err(format!("not a sitemap: {e}")),
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// The entries of an RSS, Atom or JSON feed: each one's link, with its date (updated, else
/// published) when given.
pub fn feed(body: &[u8]) -> Result<Vec<(String, Option<Timestamp>)>, String> {
    let f = feed_rs::parser::parse(body).map_err(|e| format!("not a feed: {e}"))?;
    Ok(f.entries
        .into_iter()
        .filter_map(|e| {
            let when = e
                .updated
                .or(e.published)
                .and_then(|d| Timestamp::from_second(d.timestamp()).ok());
            let link = e.links.into_iter().next().map(|l| l.href).or_else(|| {
                // RSS items without <link> may give the page as a permalink <guid>.
                Some(e.id).filter(|id| id.starts_with("http://") || id.starts_with("https://"))
            })?;
            Some((link, when))
        })
        .collect())
}

/// A sitemap, feed or page date: RFC 3339, a date and time without offset (taken as UTC), or
/// a bare date (midnight UTC).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return jiff::tz::Offset::UTC.to_timestamp(dt).ok();
    }
    let date: jiff::civil::Date = s.get(..10)?.parse().ok()?;
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_index_and_a_urlset_with_lastmod() {
        let index = br#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://a.example/s1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
            <sitemap><loc> https://a.example/s2.xml </loc></sitemap></sitemapindex>"#;
        let s = sitemap(index).expect("index");
        assert_eq!(
            s.sitemaps,
            ["https://a.example/s1.xml.gz", "https://a.example/s2.xml"]
        );
        assert!(s.pages.is_empty());
        let set = br#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>https://a.example/p?a=1&amp;b=2</loc><lastmod>2024-03-05T10:00:00+01:00</lastmod></url>
            <url><loc>https://a.example/q</loc></url></urlset>"#;
        let s = sitemap(set).expect("urlset");
        assert_eq!(s.pages.len(), 2);
        assert_eq!(s.pages[0].0, "https://a.example/p?a=1&b=2");
        assert_eq!(
            s.pages[0].1,
            Some("2024-03-05T09:00:00Z".parse().expect("ts"))
        );
        assert_eq!(s.pages[1], ("https://a.example/q".into(), None));
        assert!(sitemap(b"<urlset><url><loc>x</url>").is_err());
    }

    #[test]
    fn gzip_is_undone_within_the_cap() {
        use std::io::Write;
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&[b'a'; 5000]).expect("write");
        let gz = z.finish().expect("gzip");
        assert_eq!(gunzip(gz.clone(), 10_000).expect("fits").len(), 5000);
        assert!(gunzip(gz, 1000).is_err());
        assert_eq!(gunzip(b"plain".to_vec(), 10).expect("plain"), b"plain");
    }

    #[test]
    fn reads_rss_items() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>A</title><link>https://a.example/a</link><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>
            <item><title>B</title><guid>https://a.example/b</guid></item></channel></rss>"#;
        let items = feed(rss).expect("feed");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].0, "https://a.example/a");
        assert_eq!(
            items[0].1,
            Some("2024-03-05T10:00:00Z".parse().expect("ts"))
        );
        assert_eq!(items[1].0, "https://a.example/b");
    }
}
