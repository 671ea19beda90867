//! `identify` against what pages do to a photo, measured on held-back photos: the corpus
//! photos (never used to tune the matcher, which was tuned on photos outside the repository)
//! and copies of them made here: resized q40, grey, trimmed edges, centred crops to 16:9, 4:3,
//! 3:2 and squares. Half the photos are stored; copies of the other half, and placeholder
//! pictures (flat colours, gradients, a lazy-load grey with a spinner), must match nothing.
//! The test prints recall and false matches and holds them to the floors measured.

mod common;

use byline::blob::MemBackend;
use byline::library::Identified;
use byline::{Access, BlobId, Library};
use image::{DynamicImage, RgbImage, imageops};
use jiff::Timestamp;

/// Distinct photos of the corpus that decode (one of the nine `orient-landscape` pictures;
/// the PNG copy of `navy-reagan` is the same picture and is left out, and so is
/// `macroman-multi-app13.jpg`, a near-flat test graphic that is unmatchable by design, as a
/// placeholder is).
const HELD_BACK: [&str; 17] = [
    "afp-getty-xmp.jpg",
    "bep-sunrise.jpg",
    "canon-7d-latin1-iim.jpg",
    "cmyk-multi-icc.jpg",
    "corbis-utf8-no-charset.jpg",
    "exiftool-utf16-xmp.jpg",
    "freefoto-wheat.jpg",
    "hubble-jupiter-progressive.jpg",
    "iceland-display-p3.jpg",
    "iptc-ref-2019.1.jpg",
    "navy-reagan.jpg",
    "orient-landscape-1.jpg",
    "png-text-chunks.png",
    "seibert-iim-xmp-exif-disagree.jpg",
    "swedish-mixed-latin1-utf8.jpg",
    "us-army-long-caption.jpg",
    "broken-interop-ifd-cycle.jpg",
];

/// Floors: what this test measured when the matcher landed (72 of 81, none false; see the
/// README). Recall is of
/// 9 copies × 9 stored photos; false matches count any wrong photo named, over copies of the
/// unstored photos, the stored ones, and the placeholders: none is allowed.
const RECALL_FLOOR: usize = 72;

fn jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img.to_rgb8())
        .expect("encode");
    out
}

/// The largest centred crop of `aspect` (width / height).
fn centred(img: &DynamicImage, aspect: f64) -> DynamicImage {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let (cw, ch) = if aspect < w / h {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    img.crop_imm(
        ((w - cw) / 2.0) as u32,
        ((h - ch) / 2.0) as u32,
        cw as u32,
        ch as u32,
    )
}

/// `fraction` of each side cut away.
fn trimmed(img: &DynamicImage, fraction: f64) -> DynamicImage {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    img.crop_imm(
        (w * fraction) as u32,
        (h * fraction) as u32,
        (w * (1.0 - 2.0 * fraction)) as u32,
        (h * (1.0 - 2.0 * fraction)) as u32,
    )
}

/// What CMSs and aggregators do to a photo, as (name, JPEG bytes).
fn copies(img: &DynamicImage) -> Vec<(&'static str, Vec<u8>)> {
    let fit = |i: DynamicImage, side: u32| i.resize(side, side, imageops::FilterType::Triangle);
    let (w, h) = (img.width(), img.height());
    vec![
        (
            "resized 60 % q40",
            jpeg(
                &img.resize(w * 3 / 5, h * 3 / 5, imageops::FilterType::Triangle),
                40,
            ),
        ),
        ("grey", jpeg(&DynamicImage::ImageLuma8(img.to_luma8()), 80)),
        ("4 % a side", jpeg(&trimmed(img, 0.04), 75)),
        ("8 % a side", jpeg(&trimmed(img, 0.08), 75)),
        ("16:9 at 800", jpeg(&fit(centred(img, 16.0 / 9.0), 800), 70)),
        ("4:3 at 640", jpeg(&fit(centred(img, 4.0 / 3.0), 640), 70)),
        ("3:2", jpeg(&centred(img, 1.5), 70)),
        ("1:1 at 300", jpeg(&fit(centred(img, 1.0), 300), 70)),
        ("4:5 at 400", jpeg(&fit(centred(img, 0.8), 400), 60)),
    ]
}

/// Pictures pages show where a photo is not (yet): they must match nothing.
fn placeholders() -> Vec<(&'static str, Vec<u8>)> {
    let make = |f: &dyn Fn(f64, f64) -> [u8; 3]| {
        let img = RgbImage::from_fn(640, 360, |x, y| {
            image::Rgb(f(f64::from(x) / 640.0, f64::from(y) / 360.0))
        });
        jpeg(&DynamicImage::ImageRgb8(img), 80)
    };
    let level = |v: f64| (v.clamp(0.0, 1.0) * 255.0) as u8;
    vec![
        ("light grey", make(&|_, _| [238, 238, 238])),
        ("flat blue", make(&|_, _| [20, 90, 160])),
        ("black", make(&|_, _| [0, 0, 0])),
        ("left-right gradient", make(&|x, _| [level(x); 3])),
        (
            "top-down colour gradient",
            make(&|_, y| [level(y), 100, level(1.0 - y)]),
        ),
        (
            "radial gradient",
            make(&|x, y| [level(((x - 0.5).powi(2) + (y - 0.5).powi(2)).sqrt() * 1.4); 3]),
        ),
        (
            "grey with a spinner",
            make(&|x, y| {
                let d = ((x - 0.5) * 640.0).hypot((y - 0.5) * 360.0);
                if (20.0..28.0).contains(&d) && x > 0.5 {
                    [120; 3]
                } else {
                    [238; 3]
                }
            }),
        ),
    ]
}

/// The photos `identify` names for `bytes` (none for exact or unknown).
fn named(lib: &Library, bytes: &[u8]) -> Vec<BlobId> {
    match lib.identify(bytes).expect("identify") {
        Identified::Similar { candidates } => candidates.into_iter().map(|(p, _)| p).collect(),
        Identified::Original { photo } | Identified::Rendition { photo, .. } => vec![photo],
        Identified::Unknown => Vec::new(),
    }
}

#[test]
fn identify_finds_crops_of_held_back_photos_and_nothing_in_placeholders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lib = Library::open_with_blobs(
        dir.path(),
        Access::Write,
        "test",
        Box::new(MemBackend::new()),
    )
    .expect("open");
    let now: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
    let mut stored = Vec::new();
    let mut unstored = Vec::new();
    for (i, name) in HELD_BACK.iter().enumerate() {
        let bytes = std::fs::read(common::corpus(name)).expect("read");
        let img = image::load_from_memory(&bytes).expect("the corpus photo decodes");
        if i % 2 == 0 {
            let id = BlobId::of(&bytes);
            lib.add(&bytes, &[], "test", now).expect("add");
            stored.push((*name, id, img));
        } else {
            unstored.push((*name, img));
        }
    }
    lib.commit().expect("commit");

    let (mut found, mut tried, mut false_matches) = (0, 0, Vec::new());
    for (name, id, img) in &stored {
        for (copy, bytes) in copies(img) {
            tried += 1;
            let named = named(&lib, &bytes);
            if named.first() == Some(id) {
                found += 1;
            } else {
                println!("missed: {name}, {copy}: {named:?}");
            }
            if named.iter().any(|p| p != id) {
                false_matches.push(format!("{name}, {copy}: {named:?}"));
            }
        }
    }
    for (name, img) in &unstored {
        for (copy, bytes) in copies(img) {
            if !named(&lib, &bytes).is_empty() {
                false_matches.push(format!("unstored {name}, {copy}"));
            }
        }
    }
    for (what, bytes) in placeholders() {
        if !named(&lib, &bytes).is_empty() {
            false_matches.push(format!("placeholder: {what}"));
        }
    }
    let queries = tried + unstored.len() * 9 + placeholders().len();
    println!(
        "recall {found}/{tried}; false matches {} in {queries} queries: {false_matches:#?}",
        false_matches.len()
    );
    assert!(
        found >= RECALL_FLOOR,
        "recall {found}/{tried} fell below {RECALL_FLOOR}"
    );
    assert!(
        false_matches.is_empty(),
        "false matches: {false_matches:#?}"
    );
}

/// A store written before byline kept crop fingerprints: its journal has none, and a
/// rebuilt index computes them from the originals, so crops of old photos are found too.
#[test]
fn reindex_gives_old_photos_crop_fingerprints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = HELD_BACK[1];
    let bytes = std::fs::read(common::corpus(name)).expect("read");
    let id = BlobId::of(&bytes);
    {
        let mut lib = Library::open(dir.path(), Access::Write, "test").expect("open");
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        lib.add(&bytes, &[], "test", now).expect("add");
        lib.commit().expect("commit");
        assert!(
            !lib.photo(&id)
                .expect("photo")
                .original
                .crop_fingerprints
                .is_empty()
        );
    }
    // Rewrite the journal as an older byline wrote it: no crop fingerprints.
    let journal = dir.path().join("journal.jsonl");
    let mut old = Vec::new();
    for line in std::fs::read(&journal)
        .expect("journal")
        .split(|b| *b == b'\n')
    {
        if line.is_empty() {
            continue;
        }
        let mut event = byline::journal::decode_line(line).expect("a journal line");
        if let byline::model::Change::PhotoAdded { photo } = &mut event.change {
            photo.original.crop_fingerprints.clear();
        }
        byline::journal::encode_line(&event, &mut old).expect("encode");
    }
    std::fs::write(&journal, old).expect("write");

    let lib = Library::open(dir.path(), Access::Reindex, "test").expect("reindex");
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(
        !text.contains("crop_fingerprints"),
        "the journal stays as it was"
    );
    let img = image::load_from_memory(&bytes).expect("decode");
    let square = jpeg(
        &centred(&img, 1.0).resize(300, 300, imageops::FilterType::Triangle),
        70,
    );
    assert_eq!(
        named(&lib, &square),
        vec![id],
        "{name}: square crop after reindex"
    );
}

/// A reader decodes a candidate's original once and keeps its look (a crawl meets copies of
/// one photo on page after page): with the original's file gone, the reader that already
/// looked at it still confirms a copy, while a fresh one, which must read the file, cannot.
#[test]
fn a_reader_keeps_the_look_of_an_original_it_has_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(common::corpus(HELD_BACK[2])).expect("read");
    let id = BlobId::of(&bytes);
    let copy = {
        let img = image::load_from_memory(&bytes).expect("decode");
        jpeg(&img.resize(480, 480, imageops::FilterType::Triangle), 60)
    };
    let mut lib = Library::open(dir.path(), Access::Write, "test").expect("open");
    let now: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
    lib.add(&bytes, &[], "test", now).expect("add");
    lib.commit().expect("commit");
    assert_eq!(named(&lib, &copy), vec![id], "the copy is found");

    let file = lib.blob_path(&id).expect("blobs are files");
    std::fs::remove_file(&file).expect("remove the original's file");
    assert_eq!(named(&lib, &copy), vec![id], "the kept look confirms it");
    drop(lib);
    let fresh = Library::open(dir.path(), Access::Read, "test").expect("open again");
    assert!(
        named(&fresh, &copy).is_empty(),
        "a reader that never decoded the original cannot confirm the copy without its file"
    );
}
