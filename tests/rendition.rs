//! Renditions of the shared corpus: orientation, colour, metadata written into the output,
//! limits and damaged input. Pixels are judged against independent references (the
//! orientation-1 photo, Little CMS's `jpgicc`, ExifTool's JSON); metadata is read back by our
//! own reader and, when it is installed, by `exiftool`.

mod common;

use common::corpus;

use std::process::Command;

use byline::Error;
use byline::model::Fields;
use byline::rendition::{self, OutputFormat, Rendered, Spec};

fn original(name: &str) -> Vec<u8> {
    std::fs::read(corpus(name)).unwrap_or_else(|e| panic!("corpus file {name}: {e}"))
}

/// The one helper every test goes through: render `name` at `spec` with `fields`.
fn check(name: &str, spec: Spec, fields: &Fields) -> Rendered {
    rendition::render(&original(name), &spec, fields)
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
}

fn pixels(r: &Rendered) -> image::RgbImage {
    image::load_from_memory(&r.bytes)
        .expect("a rendition decodes")
        .into_rgb8()
}

/// Mean absolute difference per sample, 0–255.
fn mean_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Mean R, G, B over a rectangle.
fn patch(img: &image::RgbImage, x: u32, y: u32, w: u32, h: u32) -> [f64; 3] {
    let mut sum = [0f64; 3];
    for yy in y..y + h {
        for xx in x..x + w {
            let p = img.get_pixel(xx, yy);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    sum.map(|s| s / f64::from(w * h))
}

/// A rectangle (x, y, width, height) and its reference mean colour.
type Patch = ((u32, u32, u32, u32), [f64; 3]);

/// Each rectangle's mean colour is within `tolerance` levels of the reference.
fn assert_patches(img: &image::RgbImage, want: &[Patch], tolerance: f64) {
    for &((x, y, w, h), reference) in want {
        let got = patch(img, x, y, w, h);
        let off = (0..3)
            .map(|c| (got[c] - reference[c]).abs())
            .fold(0.0, f64::max);
        assert!(
            off < tolerance,
            "patch at {x},{y}: {got:?} vs reference {reference:?}"
        );
    }
}

fn credit() -> Fields {
    Fields {
        creators: vec!["Evan Vucci".into(), "Zoë Ångström".into()],
        credit_line: Some("AP Photo/Evan Vucci".into()),
        copyright: Some("© 2024 The Associated Press".into()),
        source: Some("The Associated Press".into()),
        caption: Some(
            "President speaks in Washington, D.C., on Oct. 22, 2024 — «quoted» & <tagged>".into(),
        ),
        headline: Some("Élysée summit".into()),
        usage_terms: Some("Editorial use only; no archiving".into()),
        web_statement: Some("https://example.org/rights".into()),
        digital_source_type: Some(
            "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture".into(),
        ),
        ..Fields::default()
    }
}

#[test]
fn every_orientation_renders_upright() {
    let upright = pixels(&check(
        "orient-landscape-1.jpg",
        Spec::jpeg(320),
        &Fields::default(),
    ));
    assert_eq!(upright.dimensions(), (320, 213));
    // The measure must be able to tell: a mirrored rendition is far from the upright one.
    let mirrored = image::imageops::flip_horizontal(&upright);
    assert!(mean_diff(&upright, &mirrored) > 20.0);
    for n in [0, 2, 3, 4, 5, 6, 7, 8] {
        let name = format!("orient-landscape-{n}.jpg");
        let r = check(&name, Spec::jpeg(320), &Fields::default());
        let img = pixels(&r);
        let diff = mean_diff(&upright, &img);
        assert!(
            diff < 4.0,
            "{name}: differs from orientation 1 by {diff:.1}"
        );
        // The rendition declares orientation 1 (EXIF 0x0112).
        let read = byline::meta::extract(&r.bytes).expect("rendition reads");
        assert_eq!(read.orientation, Some(1), "{name}");
    }
}

/// Patch means measured on Little CMS 2.14's conversion of the originals to sRGB
/// (`jpgicc -q 100 ORIGINAL OUT`, perceptual intent, embedded profile in, sRGB out).
#[test]
fn display_p3_is_converted_to_srgb() {
    let r = check(
        "iceland-display-p3.jpg",
        Spec::jpeg(600),
        &Fields::default(),
    );
    let img = pixels(&r);
    assert_eq!(img.dimensions(), (600, 400));
    let lcms = [
        ((0, 0, 600, 400), [105.3, 73.3, 65.9]),
        ((420, 60, 60, 40), [118.6, 119.1, 146.8]),
        ((60, 300, 80, 60), [37.4, 20.7, 19.8]),
        ((250, 150, 60, 40), [127.8, 93.4, 99.8]),
    ];
    // Unconverted, the same patches are 2–5 levels off (e.g. 122.7 vs 127.8 red in the
    // last one), so a 1.5-level tolerance tells converted from not.
    assert_patches(&img, &lcms, 1.5);
}

#[test]
fn adobe_cmyk_with_swop_profile_has_right_colours() {
    let r = check("cmyk-multi-icc.jpg", Spec::jpeg(320), &Fields::default());
    let img = pixels(&r);
    assert_eq!(img.dimensions(), (140, 140));
    // Inverted CMYK read as plain would come out as a negative, and a profile-less
    // conversion is 14 levels off in the navy patch (ImageMagick's: 39.7, 59.1, 113.8).
    let lcms = [
        ((0, 0, 140, 140), [197.9, 204.9, 207.9]),
        ((40, 30, 30, 30), [53.6, 73.2, 102.2]),
        ((10, 110, 50, 20), [162.7, 171.4, 184.4]),
        ((100, 10, 30, 30), [254.9, 254.9, 254.8]),
    ];
    assert_patches(&img, &lcms, 2.0);
}

#[test]
fn render_set_decodes_once_and_keeps_every_size() {
    let specs: Vec<Spec> = rendition::default_presets()
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        specs.iter().map(|s| s.max_side).collect::<Vec<_>>(),
        [320, 640, 1280, 2048]
    );
    // 1280×1024 in ExifTool's reading: the two larger presets never upscale.
    let bytes = original("hubble-jupiter-progressive.jpg");
    let set = rendition::render_set(&bytes, &specs, &Fields::default()).expect("renders");
    let sizes: Vec<_> = set.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(320, 256), (640, 512), (1280, 1024), (1280, 1024)]);
    for r in &set {
        assert_eq!(pixels(r).dimensions(), (r.width, r.height));
        assert!(!r.partial && r.warnings.is_empty(), "{:?}", r.warnings);
    }
    // The cascaded thumbnail looks like one rendered directly from the original.
    let direct = rendition::render(&bytes, &specs[0], &Fields::default()).expect("renders");
    assert!(mean_diff(&pixels(&direct), &pixels(&set[0])) < 3.0);
}

#[test]
fn same_input_gives_same_bytes_and_an_edit_gives_the_new_credit() {
    let a = check("freefoto-wheat.jpg", Spec::jpeg(320), &credit());
    let b = check("freefoto-wheat.jpg", Spec::jpeg(320), &credit());
    assert_eq!(a.bytes, b.bytes);
    let mut edited = credit();
    edited.copyright = Some("© 2025 Reuters".into());
    let c = check("freefoto-wheat.jpg", Spec::jpeg(320), &edited);
    assert_ne!(a.bytes, c.bytes);
    let read = byline::meta::extract(&c.bytes).expect("reads");
    assert_eq!(read.fields.copyright.as_deref(), Some("© 2025 Reuters"));
}

/// What our own reader sees today: the EXIF block (Artist, Copyright, ImageDescription).
#[test]
fn exif_credit_reads_back() {
    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        let spec = Spec {
            format,
            ..Spec::jpeg(320)
        };
        let r = check("iceland-display-p3.jpg", spec, &credit());
        let read = byline::meta::extract(&r.bytes).expect("rendition reads");
        let want = credit();
        assert_eq!(read.fields.creators, want.creators, "{format:?}");
        assert_eq!(read.fields.copyright, want.copyright, "{format:?}");
        assert_eq!(read.fields.caption, want.caption, "{format:?}");
        assert_eq!(read.orientation, Some(1));
        // The extended (VP8X) WebP we assemble still decodes.
        assert_eq!(pixels(&r).dimensions(), (r.width, r.height), "{format:?}");
    }
}

/// Every field through our own reader (EXIF, IIM and XMP).
#[test]
fn every_credit_field_reads_back() {
    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        let spec = Spec {
            format,
            ..Spec::jpeg(320)
        };
        let r = check("iceland-display-p3.jpg", spec, &credit());
        let got = byline::meta::extract(&r.bytes)
            .expect("rendition reads")
            .fields;
        let want = credit();
        assert_eq!(got.creators, want.creators);
        assert_eq!(got.credit_line, want.credit_line);
        assert_eq!(got.copyright, want.copyright);
        assert_eq!(got.source, want.source);
        assert_eq!(got.caption, want.caption);
        assert_eq!(got.headline, want.headline);
        assert_eq!(got.usage_terms, want.usage_terms);
        assert_eq!(got.web_statement, want.web_statement);
        assert_eq!(got.digital_source_type, want.digital_source_type);
    }
}

/// `exiftool -j -G1 -n` on `bytes`, or `None` when exiftool is not installed.
fn exiftool(bytes: &[u8], ext: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("r.{ext}"));
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-n"])
        .arg(&path)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "exiftool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&out.stdout).expect("exiftool JSON");
    all.pop()
}

#[test]
fn exiftool_reads_every_field_and_no_private_data() {
    let want = credit();
    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        let spec = Spec {
            format,
            ..Spec::jpeg(320)
        };
        // The original has GPS, an XMP-aux serial number (6001440) and ICC Display P3.
        let r = check("iceland-display-p3.jpg", spec, &want);
        let Some(tags) = exiftool(&r.bytes, format.extension()) else {
            // CI installs ExifTool and sets BYLINE_REQUIRE_EXIFTOOL: there it cannot skip.
            common::skip_missing_peer("exiftool", "BYLINE_REQUIRE_EXIFTOOL");
            return;
        };
        let s = |k: &str| tags.get(k).cloned().unwrap_or(serde_json::Value::Null);
        let creators = serde_json::json!(want.creators);
        let one = |v: &Option<String>| serde_json::json!(v);
        assert_eq!(s("XMP-dc:Creator"), creators, "{format:?}");
        assert_eq!(s("XMP-photoshop:Credit"), one(&want.credit_line));
        assert_eq!(s("XMP-dc:Rights"), one(&want.copyright));
        assert_eq!(s("XMP-photoshop:Source"), one(&want.source));
        assert_eq!(s("XMP-dc:Description"), one(&want.caption));
        assert_eq!(s("XMP-photoshop:Headline"), one(&want.headline));
        assert_eq!(s("XMP-xmpRights:UsageTerms"), one(&want.usage_terms));
        assert_eq!(s("XMP-xmpRights:WebStatement"), one(&want.web_statement));
        assert_eq!(
            s("XMP-iptcExt:DigitalSourceType"),
            one(&want.digital_source_type)
        );
        assert_eq!(
            s("IFD0:Artist"),
            serde_json::json!("Evan Vucci; Zoë Ångström")
        );
        assert_eq!(s("IFD0:Copyright"), one(&want.copyright));
        assert_eq!(s("IFD0:ImageDescription"), one(&want.caption));
        assert_eq!(s("IFD0:Orientation"), serde_json::json!(1));
        if format == OutputFormat::Jpeg {
            // IIM 1:90 = ESC % G declares UTF-8, so ExifTool decodes the accents right.
            assert_eq!(s("IPTC:CodedCharacterSet"), serde_json::json!("\u{1b}%G"));
            assert_eq!(s("IPTC:By-line"), creators);
            assert_eq!(s("IPTC:Credit"), one(&want.credit_line));
            assert_eq!(s("IPTC:Source"), one(&want.source));
            assert_eq!(s("IPTC:CopyrightNotice"), one(&want.copyright));
            assert_eq!(s("IPTC:Caption-Abstract"), one(&want.caption));
            assert_eq!(s("IPTC:Headline"), one(&want.headline));
        }
        for key in tags.keys() {
            assert!(
                !key.starts_with("GPS:") && !key.contains("Serial") && !key.contains("MakerNote"),
                "{format:?} rendition carries {key}"
            );
        }
        assert!(
            !tags.contains_key("ICC_Profile:ProfileDescription"),
            "converted to sRGB"
        );
    }
}

#[test]
fn other_containers_render() {
    // Sizes from ExifTool's reading of each file (200×130, 1024×640, 480×430).
    for (name, size) in [
        ("navy-reagan-small.png", (200, 130)),
        ("navy-reagan.tif", (200, 130)),
        ("bep-sunrise.webp", (320, 200)),
        ("png-text-chunks.png", (320, 287)),
    ] {
        let r = check(name, Spec::jpeg(320), &credit());
        assert_eq!((r.width, r.height), size, "{name}");
        assert_eq!(pixels(&r).dimensions(), size, "{name}");
    }
}

#[test]
fn truncated_jpeg_renders_what_it_has_and_says_so() {
    // The first 10000 bytes of a 290×442 JPEG: headers intact, scan cut, no EOI.
    let r = check(
        "broken-truncated-scan.jpg",
        Spec::jpeg(442),
        &Fields::default(),
    );
    assert!(r.partial);
    assert!(
        r.warnings.iter().any(|w| w.contains("cut short")),
        "{:?}",
        r.warnings
    );
    let img = pixels(&r);
    assert_eq!(img.dimensions(), (290, 442));
    // The top holds the photo (varied pixels); the bottom is the uniform grey fill.
    let spread = |y0: u32| {
        let vals: Vec<u8> = (y0..y0 + 20)
            .flat_map(|y| (0..290).map(move |x| (x, y)))
            .map(|(x, y)| img.get_pixel(x, y)[1])
            .collect();
        vals.iter().max().copied().unwrap_or(0) - vals.iter().min().copied().unwrap_or(0)
    };
    assert!(spread(20) > 40, "top is picture");
    assert!(spread(400) < 8, "bottom is fill");
    let whole = check("freefoto-wheat.jpg", Spec::jpeg(320), &Fields::default());
    assert!(!whole.partial && whole.warnings.is_empty());
}

/// A baseline JPEG header claiming `w`×`h`, with a few bytes of scan data.
fn forged_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8];
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend_from_slice(&[
        0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0, 1, 2, 3,
    ]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn crc32(data: &[u8]) -> u32 {
    // PNG's CRC (ISO 3309), bit by bit: enough for one forged chunk.
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn forged_png(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(&ihdr);
    b.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // A readable header needs the first IDAT in sight; its data is a stub.
    let idat = b"IDAT\x78\x9c\x03\x00";
    b.extend_from_slice(&4u32.to_be_bytes());
    b.extend_from_slice(idat);
    b.extend_from_slice(&crc32(idat).to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"IEND");
    b.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    b
}

#[test]
fn oversized_headers_are_refused_before_decoding() {
    // 30000 px a side; 11000×10000 = 110 MP with sides under the limit.
    for bytes in [
        forged_jpeg(30_000, 30_000),
        forged_jpeg(11_000, 10_000),
        forged_png(30_000, 30_000),
        forged_png(11_000, 10_000),
    ] {
        let started = std::time::Instant::now();
        let err =
            rendition::render(&bytes, &Spec::jpeg(320), &Fields::default()).expect_err("refused");
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        assert!(err.to_string().contains("100 megapixels"), "{err}");
        // Refused from the header: allocating and decoding 110 MP would take many seconds
        // (the bound leaves room for a busy CI machine).
        assert!(started.elapsed().as_millis() < 1_000);
    }
    // Just inside the limits is not refused for its size (it fails later as damaged data).
    let err = rendition::render(&forged_jpeg(64, 64), &Spec::jpeg(32), &Fields::default());
    assert!(!matches!(err, Err(Error::InvalidInput(_))));
}

#[test]
fn bad_specs_are_refused() {
    let bytes = original("freefoto-wheat.jpg");
    for spec in [
        Spec {
            quality: 0,
            ..Spec::jpeg(320)
        },
        Spec {
            quality: 101,
            ..Spec::jpeg(320)
        },
        Spec::jpeg(0),
        Spec {
            format: OutputFormat::Webp,
            ..Spec::jpeg(20_000)
        },
    ] {
        let err = rendition::render(&bytes, &spec, &Fields::default()).expect_err("refused");
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    let parsed: Spec = toml::from_str("max_side = 640").expect("spec from config");
    assert_eq!(parsed, Spec::jpeg(640));
}

#[test]
fn every_corpus_file_renders() {
    // Damaged EXIF, odd charsets, CMYK, palette PNGs, HEIC: none may stop a rendition.
    let dir = corpus("");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert!(
        names.len() >= 37,
        "{} files in {}",
        names.len(),
        dir.display()
    );
    for name in names {
        let r = rendition::render(&original(&name), &Spec::jpeg(320), &credit())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.width.max(r.height) <= 320, "{name}");
        assert_eq!(pixels(&r).dimensions(), (r.width, r.height), "{name}");
    }
}
