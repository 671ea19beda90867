//! `byline crawl` against a real HTTP server on loopback, started by the test, serving a
//! generated site of 220+ pages: a sitemap index with a gzipped child, an RSS feed, a
//! robots.txt that disallows a folder, our photos as renditions with ids in their URLs,
//! resized q60 copies without metadata, og:image only, lazy-loaded, on a second host
//! (127.0.0.2), printed right, wrong (year, agency, extra agency), missing and glued to the
//! caption; a redirect loop, a 404, a 10 MB page, a page that never finishes and a
//! Windows-1252 page. Exact uses, exact audit findings, a re-crawl that fetches nothing
//! unchanged, and SIGKILL halfway then a rerun. See: #12

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Store, check_schema, json_lines, sample};
use serde_json::Value;

/// What the test server answers for a path.
#[derive(Clone)]
enum Res {
    Ok(&'static str, Arc<Vec<u8>>),
    Redirect(String),
    /// Headers promise a body that never comes.
    Never,
}

type Hits = Arc<Mutex<HashMap<String, u32>>>;

/// A tiny HTTP/1.1 server on `ip`: one thread per connection, `Connection: close`, ETags
/// and `If-None-Match`, counting each 200 answered per path.
fn serve(ip: &str, routes: Arc<Mutex<HashMap<String, Res>>>, hits: Hits) -> String {
    let listener = TcpListener::bind((ip, 0)).expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (routes, hits) = (routes.clone(), hits.clone());
            std::thread::spawn(move || answer(conn, &routes, &hits));
        }
    });
    format!("http://{addr}")
}

fn answer(mut conn: TcpStream, routes: &Mutex<HashMap<String, Res>>, hits: &Hits) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut inm = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.trim().eq_ignore_ascii_case("if-none-match")
        {
            inm = Some(v.trim().to_string());
        }
    }
    let res = routes.lock().expect("routes").get(&path).cloned();
    let head = |status: &str, extra: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    match res {
        None => {
            let _ = conn.write_all(head("404 Not Found", "", 0).as_bytes());
        }
        Some(Res::Redirect(to)) => {
            let _ = conn.write_all(head("302 Found", &format!("Location: {to}\r\n"), 0).as_bytes());
        }
        Some(Res::Never) => {
            let _ =
                conn.write_all(head("200 OK", "Content-Type: text/html\r\n", 100_000).as_bytes());
            let _ = conn.write_all(b"<html><p>");
            std::thread::sleep(Duration::from_secs(30));
        }
        Some(Res::Ok(ctype, body)) => {
            let etag = format!("\"{}\"", blake3::hash(&body).to_hex());
            if inm.as_deref() == Some(etag.as_str()) {
                let _ = conn.write_all(head("304 Not Modified", "", 0).as_bytes());
                return;
            }
            *hits.lock().expect("hits").entry(path).or_default() += 1;
            let extra = format!("Content-Type: {ctype}\r\nETag: {etag}\r\n");
            let _ = conn.write_all(head("200 OK", &extra, body.len()).as_bytes());
            let _ = conn.write_all(&body);
        }
    }
}

/// A resized (longest side `side`), re-encoded q60 copy without any metadata.
fn resized(path: &Path, side: u32) -> Vec<u8> {
    let img = image::open(path).expect("sample decodes");
    let small = img.resize(side, side, image::imageops::FilterType::Triangle);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .encode_image(&small.to_rgb8())
        .expect("encode");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).expect("gzip");
    z.finish().expect("gzip")
}

fn html(head: &str, body: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title>{head}</head>\
         <body><header><img src=\"/img/logo.png\" alt=\"logo\"></header><article>\
         <h1>A story</h1><p>Ministers met on Tuesday to talk about many things at length.</p>\
         {body}</article></body></html>"
    )
    .into_bytes()
}

fn urlset(urls: &[String]) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">",
    );
    for u in urls {
        s.push_str(&format!(
            "<url><loc>{u}</loc><lastmod>2024-05-01</lastmod></url>"
        ));
    }
    s.push_str("</urlset>");
    s.into_bytes()
}

/// The generated site, its photos in a store, and the server's hit counts.
struct Site {
    store: Store,
    base: String,
    afp: String,
    ap: String,
    flood: String,
    hits: Hits,
    routes: Arc<Mutex<HashMap<String, Res>>>,
}

const AFP_CAPTION: &str = "The NATO emblem is seen at the entrance of NATO headquarters during \
                           a meeting of defence ministers in Brussels on October 22, 2013.";
const AP_CAPTION: &str = "Leaders pose for a family photo at the summit in Geneva, Switzerland, \
                          Thursday, June 12, 2025.";

fn site() -> Site {
    let store = Store::new();
    let id = |f: &str| store.add_one(&sample(f));
    let (afp, ap, flood) = (
        id("afp-nato-brussels.jpg"),
        id("ap-pool-summit.jpg"),
        id("reuters-handout-flood.jpg"),
    );
    let render = |id: &str| -> (String, Vec<u8>) {
        let r = json_lines(&store.ok(&["render", id, "--preset", "small", "--json"])).remove(0);
        let rid = r["id"].as_str().expect("rendition id").to_string();
        let bytes = std::fs::read(store.path().join("blobs").join(&rid[..2]).join(&rid))
            .expect("rendition blob");
        (rid, bytes)
    };
    let (afp_r, afp_r_bytes) = render(&afp);
    let (_, ap_r_bytes) = render(&ap);
    // The tests reach loopback: allow it, be quick about timeouts and retries.
    let config = store.path().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let text = text
        .replace("allow_private = false", "allow_private = true")
        .replace("rate = 4.0", "rate = 2000.0")
        .replace("timeout_secs = 20", "timeout_secs = 2")
        .replace("backoff_ms = 500", "backoff_ms = 20")
        .replace("retries = 2", "retries = 1");
    std::fs::write(&config, text).expect("config");

    let hits: Hits = Arc::default();
    let routes: Arc<Mutex<HashMap<String, Res>>> = Arc::default();
    let cdn_routes: Arc<Mutex<HashMap<String, Res>>> = Arc::default();
    let base = serve("127.0.0.1", routes.clone(), hits.clone());
    let cdn = serve("127.0.0.2", cdn_routes.clone(), hits.clone());
    let mut r: HashMap<String, Res> = HashMap::new();
    let mut put = |path: &str, ctype: &'static str, body: Vec<u8>| {
        r.insert(path.to_string(), Res::Ok(ctype, Arc::new(body)));
    };
    let jpeg = "image/jpeg";
    let page = "text/html; charset=utf-8";
    let grey = {
        let img = image::RgbImage::from_pixel(200, 120, image::Rgb([200, 200, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    put("/img/logo.png", "image/png", grey.clone());
    put("/img/grey.png", "image/png", grey);
    put(&format!("/r/{afp_r}.jpg"), jpeg, afp_r_bytes);
    put(
        "/img/afp-q60.jpg",
        jpeg,
        resized(&sample("afp-nato-brussels.jpg"), 300),
    );
    put(
        "/img/afp-lazy.jpg",
        jpeg,
        resized(&sample("afp-nato-brussels.jpg"), 360),
    );
    put(
        "/img/flood.jpg",
        jpeg,
        std::fs::read(sample("reuters-handout-flood.jpg")).expect("flood"),
    );
    put(
        "/img/flood-og.jpg",
        jpeg,
        resized(&sample("reuters-handout-flood.jpg"), 320),
    );
    put(
        "/img/summit-q60.jpg",
        jpeg,
        resized(&sample("ap-pool-summit.jpg"), 280),
    );
    cdn_routes.lock().expect("cdn").insert(
        "/cdn/summit.jpg".into(),
        Res::Ok(jpeg, Arc::new(ap_r_bytes)),
    );

    let fig = |src: &str, caption: &str| {
        format!("<figure><img src=\"{src}\" alt=\"\"><figcaption>{caption}</figcaption></figure>")
    };
    let credit = |c: &str| format!("<span class=\"credit\">{c}</span>");
    let stories: Vec<(&str, Vec<u8>)> = vec![
        (
            "/story/rendition.html",
            html(
                "<meta property=\"article:published_time\" content=\"2024-05-01T10:00:00Z\">",
                &fig(
                    &format!("/r/{afp_r}.jpg"),
                    &format!("{AFP_CAPTION} {}", credit("© AFP 2013 / John Thys")),
                ),
            ),
        ),
        (
            "/story/year.html",
            html(
                "",
                &fig(
                    "/img/afp-q60.jpg",
                    &format!("{AFP_CAPTION} {}", credit("© AFP 2014 / John Thys")),
                ),
            ),
        ),
        (
            "/story/agency.html",
            html(
                "",
                &format!(
                    "<figure><img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" data-src=\"/img/afp-lazy.jpg\">\
             <figcaption>{AFP_CAPTION} {}</figcaption></figure>",
                    credit("© Reuters 2013 / John Thys")
                ),
            ),
        ),
        (
            "/story/extra.html",
            html(
                "",
                &fig(
                    &format!("{cdn}/cdn/summit.jpg"),
                    &format!(
                        "{AP_CAPTION} {}",
                        credit("© Marie Lenoir / Pool via AP / Getty Images")
                    ),
                ),
            ),
        ),
        (
            "/story/missing.html",
            html(
                "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"2024-03-04\"}</script>",
                &fig(
                    "/img/flood.jpg",
                    "Rescue workers evacuate residents from a flooded street.",
                ),
            ),
        ),
        (
            "/story/og.html",
            html(
                "<meta property=\"og:image\" content=\"/img/flood-og.jpg\">",
                "<p>Floods hit the region again.</p>",
            ),
        ),
        (
            "/story/glued.html",
            html(
                "",
                &fig(
                    "/img/summit-q60.jpg",
                    &format!("{AP_CAPTION}© Marie Lenoir / Pool via AP"),
                ),
            ),
        ),
        (
            "/private/hidden.html",
            html(
                "",
                &fig(&format!("/r/{afp_r}.jpg"), "© AFP 2013 / John Thys"),
            ),
        ),
    ];
    let mut sitemap1 = Vec::new();
    let mut sitemap2 = Vec::new();
    for (path, body) in stories {
        sitemap1.push(format!("{base}{path}"));
        put(path, page, body);
    }
    // Windows-1252, declared only in the page: the caption is found by its words alone (the
    // image is gone), and printed with é and curly quotes.
    let cp1252 = {
        let text = format!(
            "<html><head><meta charset=\"windows-1252\"></head><body><article><p>Caf\u{e9} \u{201c}Otan\u{201d}.</p>\
             <figure><img src=\"/img/gone.jpg\"><figcaption>{AFP_CAPTION} <span class=\"credit\">\u{a9} AFP 2013 / John Thys</span>\
             </figcaption></figure></article></body></html>"
        );
        encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
    };
    put("/story/latin.html", "text/html", cp1252);
    sitemap2.push(format!("{base}/story/latin.html"));
    for n in 0..210 {
        let body = html(
            &format!(
                "<meta property=\"article:published_time\" content=\"2024-04-{:02}T08:00:00Z\">",
                n % 28 + 1
            ),
            &format!(
                "<p>Filler story {n} about nothing we photographed.</p>{}<a href=\"/news/{}.html\">next</a>",
                fig("/img/grey.png", "A placeholder"),
                n + 1
            ),
        );
        put(&format!("/news/{n}.html"), page, body);
        let u = format!("{base}/news/{n}.html");
        if n < 100 {
            sitemap1.push(u)
        } else {
            sitemap2.push(u)
        }
    }
    for p in [
        "/err/missing.html",
        "/err/loop-a.html",
        "/err/big.html",
        "/err/never.html",
    ] {
        sitemap2.push(format!("{base}{p}"));
    }
    let mut big = b"<html><body><article><p>".to_vec();
    big.resize(10 * 1024 * 1024, b'x');
    put("/err/big.html", page, big);
    put(
        "/sitemap-1.xml.gz",
        "application/gzip",
        gzip(&urlset(&sitemap1)),
    );
    put("/sitemap-2.xml", "application/xml", urlset(&sitemap2));
    put("/sitemap-index.xml", "application/xml", format!(
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <sitemap><loc>{base}/sitemap-1.xml.gz</loc></sitemap><sitemap><loc>/sitemap-2.xml</loc></sitemap></sitemapindex>"
    ).into_bytes());
    put("/feed.rss", "application/rss+xml", format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title><link>{base}/</link><description>d</description>\
         <item><title>a</title><link>{base}/story/rendition.html</link></item>\
         <item><title>b</title><link>{base}/story/glued.html</link></item></channel></rss>"
    ).into_bytes());
    put(
        "/robots.txt",
        "text/plain",
        b"User-agent: *\nDisallow: /private/\n".to_vec(),
    );
    put(
        "/",
        page,
        html(
            "",
            "<p>Front page</p><a href=\"/private/hidden.html\">secret</a><a href=\"/story/latin.html\">latin</a>",
        ),
    );
    r.insert(
        "/err/loop-a.html".into(),
        Res::Redirect(format!("{base}/err/loop-b.html")),
    );
    r.insert(
        "/err/loop-b.html".into(),
        Res::Redirect("/err/loop-a.html".into()),
    );
    r.insert("/err/never.html".into(), Res::Never);
    *routes.lock().expect("routes") = r;
    Site {
        store,
        base,
        afp,
        ap,
        flood,
        hits,
        routes,
    }
}

fn crawl_args(site: &Site) -> Vec<String> {
    vec![
        "crawl".into(),
        format!("{}/", site.base),
        "--sitemap".into(),
        format!("{}/sitemap-index.xml", site.base),
        "--feed".into(),
        format!("{}/feed.rss", site.base),
        "--outlet".into(),
        "news".into(),
    ]
}

/// (page path, photo, printed credit, how matched) of every use in the ledger.
fn uses(site: &Site) -> Vec<(String, String, Option<String>, String)> {
    let lines = json_lines(&site.store.ok(&["uses", "--json"]));
    lines
        .iter()
        .map(|u| {
            check_schema("use.schema.json", u);
            (
                u["url"].as_str().expect("url").replace(&site.base, ""),
                u["photo"].as_str().expect("photo").to_string(),
                u["printed_credit"].as_str().map(String::from),
                u["found"]["by"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn expected(site: &Site) -> BTreeSet<(String, String, Option<String>, String)> {
    let e = |p: &str, photo: &str, c: Option<&str>, by: &str| {
        (
            p.to_string(),
            photo.to_string(),
            c.map(String::from),
            by.to_string(),
        )
    };
    [
        e(
            "/story/rendition.html",
            &site.afp,
            Some("© AFP 2013 / John Thys"),
            "id",
        ),
        e(
            "/story/year.html",
            &site.afp,
            Some("© AFP 2014 / John Thys"),
            "fingerprint",
        ),
        e(
            "/story/agency.html",
            &site.afp,
            Some("© Reuters 2013 / John Thys"),
            "fingerprint",
        ),
        e(
            "/story/extra.html",
            &site.ap,
            Some("© Marie Lenoir / Pool via AP / Getty Images"),
            "rendition",
        ),
        e("/story/missing.html", &site.flood, None, "original"),
        e("/story/og.html", &site.flood, None, "fingerprint"),
        e(
            "/story/glued.html",
            &site.ap,
            Some("© Marie Lenoir / Pool via AP"),
            "fingerprint",
        ),
        e(
            "/story/latin.html",
            &site.afp,
            Some("© AFP 2013 / John Thys"),
            "caption",
        ),
    ]
    .into_iter()
    .collect()
}

#[test]
fn a_crawl_finds_exactly_our_photos_and_a_recrawl_fetches_nothing_unchanged() {
    let site = site();
    let args = crawl_args(&site);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut with_json = refs.clone();
    with_json.push("--json");
    let (code, out, err) = site.store.run(&with_json);
    assert_eq!(code, 0, "{err}\n{out}");
    let pages = json_lines(&out);
    for p in &pages {
        check_schema("crawl-page.schema.json", p);
    }
    assert!(pages.len() >= 220, "{} pages", pages.len());
    let outcome = |path: &str| {
        pages
            .iter()
            .find(|p| p["url"].as_str() == Some(&format!("{}{path}", site.base)))
            .map(|p| p["outcome"].as_str().unwrap_or("").to_string())
            .unwrap_or_else(|| panic!("{path} not crawled"))
    };
    assert_eq!(outcome("/private/hidden.html"), "robots");
    assert_eq!(outcome("/err/missing.html"), "status");
    for p in ["/err/loop-a.html", "/err/big.html", "/err/never.html"] {
        assert_eq!(outcome(p), "error", "{p}");
    }
    let got = uses(&site);
    assert_eq!(got.len(), 8, "{got:#?}");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected(&site));
    // The date printed in the page is the use's.
    let all = json_lines(&site.store.ok(&["uses", "--json"]));
    let first = all
        .iter()
        .find(|u| {
            u["url"]
                .as_str()
                .is_some_and(|x| x.ends_with("/story/rendition.html"))
        })
        .expect("use");
    assert_eq!(first["published"], "2024-05-01T10:00:00Z");
    assert!(first["rendition"].is_string());
    let latin = all
        .iter()
        .find(|u| {
            u["url"]
                .as_str()
                .is_some_and(|x| x.ends_with("/story/latin.html"))
        })
        .expect("use");
    assert!(
        latin["printed_caption"]
            .as_str()
            .is_some_and(|c| c.contains("NATO emblem"))
    );

    // The audit judges the crawled uses: exactly these violations.
    let (code, out, _) = site
        .store
        .run(&["audit", "--format", "json", "--outlet", "news"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).expect("audit json");
    let findings: BTreeSet<(String, String, Option<String>)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["use_id"].is_u64())
        .map(|f| {
            (
                f["url"].as_str().expect("url").replace(&site.base, ""),
                f["kind"].as_str().expect("kind").to_string(),
                f["part"].as_str().map(String::from),
            )
        })
        .collect();
    let f = |u: &str, k: &str, p: Option<&str>| (u.to_string(), k.to_string(), p.map(String::from));
    assert_eq!(
        findings,
        [
            f("/story/year.html", "credit_wrong", Some("year")),
            f("/story/agency.html", "credit_wrong", Some("agency")),
            f("/story/extra.html", "credit_wrong", Some("extra")),
            f("/story/missing.html", "credit_missing", None),
            f("/story/og.html", "credit_missing", None),
            // The AP pool photo's licence has run out: pages that print no date are taken
            // as published when crawled.
            f("/story/extra.html", "expired", None),
            f("/story/glued.html", "expired", None),
        ]
        .into_iter()
        .collect()
    );

    // A second crawl asks again but downloads nothing that did not change.
    let before = site.hits.lock().expect("hits").clone();
    let mut audit = refs.clone();
    audit.push("--audit");
    let (code, out, err) = site.store.run(&audit);
    assert_eq!(
        code, 1,
        "the audit at the end finds the violations: {err}\n{out}"
    );
    assert!(
        out.contains("credit_wrong") || out.contains("wrong"),
        "{out}"
    );
    let after = site.hits.lock().expect("hits").clone();
    // Robots.txt, the sitemaps (the gzipped one too) and the feed are asked for with their
    // validators and answered 304, so they count no new download either.
    for (path, n) in &after {
        if !path.starts_with("/err/") {
            assert_eq!(before.get(path), Some(n), "{path} was downloaded again");
        }
    }
    for listing in [
        "/robots.txt",
        "/sitemap-index.xml",
        "/sitemap-1.xml.gz",
        "/sitemap-2.xml",
        "/feed.rss",
    ] {
        assert!(
            before.contains_key(listing),
            "{listing} was read by the first crawl"
        );
    }
    assert_eq!(uses(&site).len(), 8, "nothing recorded twice");

    // A corrected credit supersedes the earlier use; the audit then checks only the new one.
    let fixed = html(
        "",
        &format!(
            "<figure><img src=\"/img/afp-q60.jpg\"><figcaption>{AFP_CAPTION} <span class=\"credit\">© AFP 2013 / John Thys</span></figcaption></figure>"
        ),
    );
    site.routes.lock().expect("routes").insert(
        "/story/year.html".into(),
        Res::Ok("text/html", Arc::new(fixed)),
    );
    site.store.run(&refs);
    assert_eq!(uses(&site).len(), 9);
    let (_, out, _) = site
        .store
        .run(&["audit", "--format", "json", "--outlet", "news"]);
    let report: Value = serde_json::from_str(&out).expect("audit json");
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/story/year.html"))),
        "the corrected page has no finding left: {out}"
    );
}

#[test]
fn sigkill_halfway_then_rerun_records_the_same_uses_once() {
    let site = site();
    let args = crawl_args(&site);
    let mut child = Command::new(env!("CARGO_BIN_EXE_byline"))
        .env_remove("BYLINE_STORE")
        .arg("--store")
        .arg(site.store.path())
        .args(&args)
        .args(["--json", "--rate", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("crawl starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..60 {
        lines.next().expect("a page line").expect("utf-8");
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let (code, out, err) = site.store.run(
        &[
            &args.iter().map(String::as_str).collect::<Vec<_>>()[..],
            &["--json"],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{err}");
    let resumed = json_lines(&out)
        .iter()
        .filter(|p| p["outcome"] == "resumed")
        .count();
    assert!(
        resumed >= 50,
        "pages finished before the kill are not asked again: {resumed}"
    );
    let got = uses(&site);
    assert_eq!(got.len(), 8, "no duplicates: {got:#?}");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected(&site));
}

#[test]
fn loopback_is_refused_unless_the_config_allows_it() {
    let s = Store::new();
    s.add_one(&sample("afp-nato-brussels.jpg"));
    let routes: Arc<Mutex<HashMap<String, Res>>> = Arc::default();
    routes.lock().expect("routes").insert(
        "/".into(),
        Res::Ok("text/html", Arc::new(html("", "<p>x</p>"))),
    );
    let hits: Hits = Arc::default();
    let base = serve("127.0.0.1", routes, hits.clone());
    let (code, out, err) = s.run(&["crawl", &format!("{base}/"), "--json"]);
    assert_eq!(code, 0, "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "error");
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("private")),
        "{out}"
    );
    assert!(
        hits.lock().expect("hits").is_empty(),
        "nothing was asked of the server"
    );
    // A name that resolves to loopback is refused too, after resolving.
    let port = base.rsplit(':').next().expect("port");
    let (_, out, _) = s.run(&["crawl", &format!("http://localhost:{port}/"), "--json"]);
    assert!(out.contains("private"), "{out}");
}

/// An HTTP request to the server: (status, Location, JSON body).
fn call(method: &str, url: &str, token: Option<&str>, body: &str) -> (u16, Option<String>, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut res = agent
        .run(req.body(body.as_bytes().to_vec()).expect("request"))
        .expect("the server answers");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let text = res.body_mut().read_to_string().expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (res.status().as_u16(), location, json)
}

#[test]
fn post_crawls_runs_a_bounded_crawl_that_get_reports() {
    let site = site();
    let token = |access: &str| {
        let out = site
            .store
            .ok(&["token", "create", access, &format!("--{access}"), "--json"]);
        let v: Value = serde_json::from_str(out.trim()).expect("token JSON");
        v["token"].as_str().expect("token").to_string()
    };
    let (write, read) = (token("write"), token("read"));
    let srv = common::serve::Server::start(&site.store);
    let crawls = format!("{}/crawls", srv.base);
    let body = serde_json::json!({
        "urls": [format!("{}/", site.base)],
        "sitemaps": [format!("{}/sitemap-index.xml", site.base)],
        "feeds": [format!("{}/feed.rss", site.base)],
        "outlet": "news",
        "max_pages": 1000,
    })
    .to_string();

    // A write token, and bounded pages.
    assert_eq!(call("POST", &crawls, None, &body).0, 401);
    assert_eq!(call("POST", &crawls, Some(&read), &body).0, 403);
    for bad in [
        r#"{"urls": [], "max_pages": 5}"#,
        r#"{"urls": ["http://x/"], "max_pages": 0}"#,
        r#"{"urls": ["http://x/"], "max_pages": 1000000}"#,
        r#"{"urls": ["http://x/"], "rate": -1}"#,
        r#"{"urls": ["http://x/"], "depth": 9}"#,
    ] {
        let (status, _, v) = call("POST", &crawls, Some(&write), bad);
        assert_eq!(status, 400, "{bad}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }

    let (status, location, started) = call("POST", &crawls, Some(&write), &body);
    assert_eq!(status, 202, "{started}");
    check_schema("crawl-status.schema.json", &started);
    assert_eq!(started["state"], "running");
    let location = location.expect("Location");
    assert_eq!(location, format!("/crawls/{}", started["id"]));
    // One crawl at a time.
    let (status, _, v) = call("POST", &crawls, Some(&write), &body);
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("crawl_running")),
        "{v}"
    );

    let url = format!("{}{location}", srv.base);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut seen_pages = 0;
    let done = loop {
        let (status, _, v) = call("GET", &url, Some(&read), "");
        assert_eq!(status, 200, "{v}");
        check_schema("crawl-status.schema.json", &v);
        let pages = v["pages"].as_u64().expect("pages");
        assert!(pages >= seen_pages, "progress never goes back");
        seen_pages = pages;
        if v["state"] != "running" {
            break v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the crawl did not end: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["by"], "write");
    assert!(done["pages"].as_u64().is_some_and(|p| p >= 220), "{done}");
    assert_eq!(done["uses_recorded"], 8, "{done}");
    assert!(done["requests"].as_u64().is_some_and(|r| r > 0), "{done}");
    assert_eq!(
        call("GET", &format!("{crawls}/999"), Some(&read), "").0,
        404
    );
    drop(srv);
    assert_eq!(
        uses(&site).into_iter().collect::<BTreeSet<_>>(),
        expected(&site)
    );
}
