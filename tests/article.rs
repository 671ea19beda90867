//! Reading published news pages (issue 5, the page part): figures, ids, captions and credits
//! from the sample pages in HTML and as scraped plain text, captions found fuzzily (cut,
//! edited, ` - Outlet`), credits glued to captions, and unrelated captions kept apart.
//! Table-driven; `check_figure` and `check_found` are the helpers.

mod common;

use std::fs;
use std::path::PathBuf;

use byline::BlobId;
use byline::article::{self, CAPTION_THRESHOLD, Figure, PageFormat};

const TSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/credit-lines.tsv");
const CORPUS_EXIFTOOL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus/exiftool");

/// The stored captions of the sample photos, as `samples/make-samples.sh` writes them.
const NATO: &str = "The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013.";
const FLOOD: &str = "Rescue workers evacuate residents from a flooded street in this handout picture released on March 3, 2024.";
const SUMMIT: &str = "Leaders pose for a family photo at the summit in Geneva, Switzerland, Thursday, June 12, 2025.";
const MARATHON: &str = "Spectators cheer at the Zürich marathon on April 24, 2022.";

fn page(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples/articles")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bytes(photo: &str) -> Vec<u8> {
    fs::read(common::sample(photo)).expect("sample photo")
}

/// Preconditions: the captions above are the ones in the sample photos (the Zürich one in
/// Latin-1, IIM without 1:90), and the page's ids are those photos' blake3 names.
#[test]
fn samples_hold_the_captions_and_ids_the_pages_use() {
    let latin1: Vec<u8> = MARATHON.chars().map(|c| c as u8).collect();
    for (photo, caption) in [
        ("afp-nato-brussels.jpg", NATO.as_bytes()),
        ("reuters-handout-flood.jpg", FLOOD.as_bytes()),
        ("ap-pool-summit.jpg", SUMMIT.as_bytes()),
        ("latin1-iim-creator.jpg", &latin1[..]),
    ] {
        let data = bytes(photo);
        assert!(
            data.windows(caption.len()).any(|w| w == caption),
            "{photo} carries its caption"
        );
    }
    let html = page("sputnik-nato-ministers.html");
    assert!(html.contains(&BlobId::of(&bytes("reuters-handout-flood.jpg")).to_hex()));
    assert!(html.contains(&format!(
        "data-byline-id=\"{}\"",
        BlobId::of(&bytes("ap-pool-summit.jpg")).short()
    )));
}

/// Assert one figure's ids, caption and credit.
fn check_figure(fig: &Figure, ids: &[String], caption: &str, credit: Option<&str>) {
    assert_eq!(fig.ids, ids, "ids of {fig:#?}");
    assert_eq!(fig.caption.as_deref(), Some(caption), "caption of {fig:#?}");
    assert_eq!(fig.credit.as_deref(), credit, "credit of {fig:#?}");
    assert!(
        fig.text.contains(caption),
        "text holds the caption: {fig:#?}"
    );
}

#[test]
fn html_page_figures() {
    let flood = BlobId::of(&bytes("reuters-handout-flood.jpg")).to_hex();
    let summit = BlobId::of(&bytes("ap-pool-summit.jpg")).short();
    let page = article::read(&page("sputnik-nato-ministers.html"));
    assert_eq!(page.format, PageFormat::Html);
    let table: [(Vec<String>, &str, Option<&str>); 5] = [
        (
            vec![],
            "The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013. - Sputnik International",
            Some("© AFP 2023 / JOHN THYS"),
        ),
        (
            vec![flood],
            "Rescue workers evacuate residents from a flooded street in this handout picture…",
            Some("Handout via REUTERS"),
        ),
        (
            vec![summit],
            "Leaders pose for a family photo at the summit in Geneva, Switzerland, Thursday, June 12, 2025.",
            Some("AP Photo/Marie Lenoir, Pool"),
        ),
        (vec![], MARATHON, None),
        (
            vec![],
            "Flags of the member states fly outside the alliance's headquarters in Brussels.",
            Some("© Sputnik / Pavel Ilyin"),
        ),
    ];
    // The logo in the header, the footer's and the tracking pixel are not figures.
    assert_eq!(page.figures.len(), table.len(), "{:#?}", page.figures);
    for (fig, (ids, caption, credit)) in page.figures.iter().zip(&table) {
        check_figure(fig, ids, caption, *credit);
    }
    assert_eq!(
        page.figures[0].img_src.as_deref(),
        Some("https://cdn.sputnik.example/img/07e7/0a/16/nato-emblem_1200x675.jpg")
    );
    assert!(!page.text.contains("application/ld+json") && !page.text.contains("NewsArticle"));
}

/// Assert what `find_caption` reads for a stored caption in a text.
fn check_found(
    text: &str,
    stored: &str,
    printed: &str,
    outlet: Option<&str>,
    credit: Option<&str>,
) {
    let found = article::find_caption(text, stored)
        .unwrap_or_else(|| panic!("{stored:?} not found in {text:?}"));
    assert_eq!(
        found.printed_caption, printed,
        "printed caption of {stored:?}"
    );
    assert_eq!(
        text.get(found.start..found.end).map(str::trim),
        Some(printed)
    );
    assert_eq!(found.outlet.as_deref(), outlet, "outlet of {stored:?}");
    assert_eq!(found.credit.as_deref(), credit, "credit of {stored:?}");
    assert!(found.score >= CAPTION_THRESHOLD, "{found:?}");
}

#[test]
fn scraped_text_page_captions_and_credits() {
    let text = page("sputnik-nato-ministers.txt");
    let read = article::read(&text);
    assert_eq!(read.format, PageFormat::Text);
    assert!(read.figures.is_empty());
    check_found(
        &text,
        NATO,
        "The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013. - Sputnik International",
        Some("Sputnik International"),
        Some("© AFP 2023 / JOHN THYS"),
    );
    check_found(
        &text,
        FLOOD,
        "Rescue workers evacuate residents from a flooded street in this handout picture…",
        None,
        Some("Handout via REUTERS"),
    );
    check_found(
        &text,
        SUMMIT,
        SUMMIT,
        None,
        Some("AP Photo/Marie Lenoir, Pool"),
    );
    check_found(&text, MARATHON, MARATHON, None, None);
}

/// The HTML page's own text finds the same captions, with the credit the page prints on the
/// line before (the overlay) or after (the figcaption's credit) it.
#[test]
fn html_page_text_finds_the_same_credits() {
    let page = article::read(&page("sputnik-nato-ministers.html"));
    let nato = article::find_caption(&page.text, NATO).expect("NATO caption");
    assert_eq!(nato.credit.as_deref(), Some("© AFP 2023 / JOHN THYS"));
    assert_eq!(nato.outlet.as_deref(), Some("Sputnik International"));
    let flood = article::find_caption(&page.text, FLOOD).expect("flood caption");
    assert_eq!(flood.credit.as_deref(), Some("Handout via REUTERS"));
    let marathon = article::find_caption(&page.text, MARATHON).expect("marathon caption");
    assert_eq!(marathon.credit, None);
}

/// The real printed credit lines of `tests/data/credit-lines.tsv`.
fn tsv_credits() -> Vec<String> {
    let tsv = fs::read_to_string(TSV).expect("tests/data/credit-lines.tsv");
    let credits: Vec<String> = tsv
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(credits.len() > 60, "read the TSV");
    credits
}

/// Every real credit line of the TSV, printed after a caption with a space or glued to it
/// with none (as scraped text prints it), comes back whole as the credit: in plain text
/// (the stored caption known) and in a figcaption without markup (nothing known).
#[test]
fn credits_from_the_tsv_split_off_captions() {
    let mut failures = Vec::new();
    for credit in tsv_credits() {
        for sep in ["", " "] {
            let text =
                format!("Intro paragraph of the story.\n{NATO}{sep}{credit}\nNext paragraph.");
            let got = article::find_caption(&text, NATO).and_then(|f| f.credit);
            if got.as_deref() != Some(credit.as_str()) {
                failures.push(format!("text {sep:?} {credit:?} → {got:?}"));
            }
            let html = format!(
                "<figure><img src=a.jpg><figcaption>{NATO}{sep}{credit}</figcaption></figure>"
            );
            let page = article::read(&html);
            let fig = page.figures.first().expect("one figure");
            if fig.credit.as_deref() != Some(credit.as_str())
                || fig.caption.as_deref() != Some(NATO)
            {
                failures.push(format!(
                    "html {sep:?} {credit:?} → {:?} / {:?}",
                    fig.caption, fig.credit
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bare images: the caption paragraph beside one is read only when it is marked as a
/// caption or prints a credit; a body paragraph after an image is not its caption, and the
/// image is still listed.
#[test]
fn bare_images_and_their_caption_paragraphs() {
    let html = r#"<article>
        <p><a href="/big/b41fa312a338.jpg"><img src="/s/nato.jpg" alt="NATO"></a></p>
        <p class="wp-caption-text">The NATO emblem in Brussels. Photo: John Thys/AFP</p>
        <img src="/s/other.jpg">
        <p>Ministers met on Thursday to discuss the alliance's budget for next year.</p>
        <img src="/pixel.gif" width="1" height="1">
    </article>"#;
    let page = article::read(html);
    assert_eq!(page.figures.len(), 2, "{:#?}", page.figures);
    check_figure(
        &page.figures[0],
        &["b41fa312a338".to_string()],
        "The NATO emblem in Brussels.",
        Some("Photo: John Thys/AFP"),
    );
    assert_eq!(page.figures[1].img_src.as_deref(), Some("/s/other.jpg"));
    assert_eq!(page.figures[1].caption, None);
    assert_eq!(page.figures[1].credit, None);
}

/// Credit markup in the forms pages use: a lead figure above the article, a credit-classed
/// paragraph after a bare image, a figcaption that is itself classed as a credit, and a
/// lazy-loaded image whose `src` is a placeholder. A figure in the site's header is not
/// the story's.
#[test]
fn credit_markup_variants() {
    let html = r#"<header><figure><img src="/logo.svg"></figure></header>
        <div class="hero"><figure><img src="/s/lead.jpg"><figcaption>Lead. © AFP</figcaption></figure></div>
        <main><article>
        <img src="/s/a.jpg"><p class="photo-credit">REUTERS/Yves Herman</p>
        <figure><img src="data:image/gif;base64,R0lGOD" data-src="/s/b.jpg">
          <figcaption class="caption-credit">Leaders pose at the summit. AP Photo/Marie Lenoir, Pool</figcaption></figure>
    </article></main>"#;
    let page = article::read(html);
    assert_eq!(page.figures.len(), 3, "{:#?}", page.figures);
    check_figure(&page.figures[0], &[], "Lead.", Some("© AFP"));
    assert_eq!(page.figures[1].caption, None);
    assert_eq!(
        page.figures[1].credit.as_deref(),
        Some("REUTERS/Yves Herman")
    );
    check_figure(
        &page.figures[2],
        &[],
        "Leaders pose at the summit.",
        Some("AP Photo/Marie Lenoir, Pool"),
    );
    assert_eq!(page.figures[2].img_src.as_deref(), Some("/s/b.jpg"));
}

/// Scraped text as it comes: glued credits after a name, a full stop or an ellipsis, and
/// credits printed on the line before or after the caption.
#[test]
fn credits_beside_captions_in_scraped_text() {
    let caption = "Ambulances wait outside the hospital in Valletta, Malta, in this picture obtained by Jane Fenech";
    for (text, credit) in [
        (
            format!("{caption}Handout via REUTERS"),
            "Handout via REUTERS",
        ),
        (
            format!("{caption}.REUTERS/Darrin Zammit Lupi"),
            "REUTERS/Darrin Zammit Lupi",
        ),
        (
            format!("{caption} (Photo by Ezra Shaw/Getty Images)\nThe story."),
            "(Photo by Ezra Shaw/Getty Images)",
        ),
        (
            format!("Story.\n© AFP 2013 / JOHN THYS\n{caption}\nMore."),
            "© AFP 2013 / JOHN THYS",
        ),
        (
            format!("Story.\n{caption}\nREUTERS/Darrin Zammit Lupi\nMore."),
            "REUTERS/Darrin Zammit Lupi",
        ),
    ] {
        let found = article::find_caption(&text, caption).expect("caption");
        assert_eq!(found.credit.as_deref(), Some(credit), "{text:?}");
    }
}

#[test]
fn printed_variants_score_above_the_threshold() {
    for (printed, stored) in [
        // Cut, with and without an ellipsis.
        (
            "The NATO emblem is seen at the entrance of NATO headquarters during a meeting…",
            NATO,
        ),
        (
            "The NATO emblem is seen at the entrance of NATO headquarters",
            NATO,
        ),
        // The outlet's suffix.
        (&format!("{NATO} - Sputnik International"), NATO),
        (&format!("{SUMMIT} | The Daily Example"), SUMMIT),
        // Light edits: a word changed, a typo, a date restyled, case and punctuation.
        (
            "The NATO emblem is pictured at the entrance of NATO headquarters during a meeting of defense ministers in Brussels on October 22, 2013",
            NATO,
        ),
        (
            "RESCUE WORKERS EVACUATE RESIDENTS FROM A FLOODED STREET IN THIS HANDOUT PICTURE RELEASED ON MARCH 3, 2024",
            FLOOD,
        ),
        (
            "Leaders pose for a family photo at the summit in Geneva, Switzerland on Thursday, June 12, 2025.",
            SUMMIT,
        ),
        (
            "Spectators cheer at the Zurich marathon on April 24, 2022.",
            MARATHON,
        ),
    ] {
        let score = article::caption_similarity(printed, stored);
        assert!(score >= 0.85, "{score} for {printed:?}");
    }
    // A cut caption must still say something: two words are not a match.
    assert!(article::caption_similarity("The NATO", NATO) < CAPTION_THRESHOLD);
    // Another photo of the same meeting, a day later, is another photo.
    let next_day = "NATO defence ministers meet in Brussels on October 23, 2013.";
    assert!(article::caption_similarity(next_day, NATO) < CAPTION_THRESHOLD);
}

/// Every stored caption among the samples and the shared corpus (ExifTool's reading), and
/// the unknown photo's caption on the sample page, scores below the threshold against every
/// other one.
#[test]
fn different_captions_score_below_the_threshold() {
    // (photo, caption): a photo's captions in several blocks or files (the navy TIFF, JPEG
    // and PNG) are the same photo's and are not compared with each other.
    let mut captions: Vec<(String, String)> = [NATO, FLOOD, SUMMIT, MARATHON]
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
    let flags = "Flags of the member states fly outside the alliance's headquarters in Brussels.";
    captions.push((flags.into(), flags.into()));
    for entry in fs::read_dir(CORPUS_EXIFTOOL).expect("corpus exiftool readings") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let photo = name
            .split('.')
            .next()
            .unwrap_or("")
            .trim_end_matches("-small");
        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("json")).expect("json");
        let Some(fields) = json.get(0).and_then(|v| v.as_object()) else {
            continue;
        };
        for (key, value) in fields {
            let tag = key.rsplit(':').next().unwrap_or("");
            if ["Caption-Abstract", "Description", "ImageDescription"].contains(&tag)
                && let Some(s) = value.as_str()
                && s.split_whitespace().count() >= 3
                && !captions.iter().any(|(_, c)| c == s)
            {
                captions.push((photo.to_string(), s.to_string()));
            }
        }
    }
    assert!(captions.len() >= 12, "{} captions", captions.len());
    let mut worst = 0.0f32;
    for (photo_a, a) in &captions {
        for (photo_b, b) in &captions {
            if photo_a == photo_b {
                continue;
            }
            let score = article::caption_similarity(a, b);
            worst = worst.max(score);
            assert!(score < 0.5, "{score} for {a:?} vs {b:?}");
        }
    }
    assert!(worst > 0.0);
    // And in a page: the stored captions do not match the unknown photo's line.
    let text = page("sputnik-nato-ministers.txt");
    for stored in [NATO, FLOOD, SUMMIT, MARATHON] {
        let found = article::find_caption(&text, stored).expect("found");
        assert!(!found.printed_caption.contains("Flags"), "{found:?}");
    }
    assert!(
        article::find_caption(
            &text,
            "A different photo entirely: a cat on a sofa in Leeds."
        )
        .is_none()
    );
}

proptest::proptest! {
    /// Reading never panics, whatever the page, and offsets stay on the text.
    #[test]
    fn reading_is_total(page in "(<figure>|<img src=a>|<figcaption>|</figcaption>|©|…|é|[ -~\n]){0,200}",
                        caption in "[ -~é…©]{0,80}") {
        let read = article::read(&page);
        for fig in &read.figures {
            let _ = fig.credit.as_deref();
        }
        if let Some(found) = article::find_caption(&page, &caption) {
            proptest::prop_assert!(page.get(found.start..found.end).is_some());
        }
        let score = article::caption_similarity(&page, &caption);
        proptest::prop_assert!((0.0..=1.0).contains(&score));
    }
}
