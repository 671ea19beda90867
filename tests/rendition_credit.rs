//! Renditions never lose the credit (#11, item 5): metadata larger than a container allows,
//! HEIC originals, and the warnings that say what was cut. Read back by ExifTool (skipped
//! without it, unless `BYLINE_REQUIRE_EXIFTOOL` is set) and by our own reader.

mod common;

use std::process::Command;

use common::{Store, check_schema, corpus, json_lines};
use serde_json::{Value, json};

use byline::Error;
use byline::model::Fields;
use byline::rendition::{self, OutputFormat, Rendered, Spec};

fn original(name: &str) -> Vec<u8> {
    std::fs::read(corpus(name)).unwrap_or_else(|e| panic!("corpus file {name}: {e}"))
}

/// The credit every test writes, with `caption_bytes` of caption and `keywords` keywords of
/// 60 bytes each.
fn credit(caption_bytes: usize, keywords: usize) -> Fields {
    let sentence = "Flood water covers the road near the bridge, «pictured» & <tagged>. ";
    let mut caption = sentence.repeat(caption_bytes / sentence.len() + 1);
    caption.truncate(caption_bytes);
    Fields {
        creators: vec!["Evan Vucci".into(), "Zoë Ångström".into()],
        credit_line: Some("AP Photo/Evan Vucci".into()),
        copyright: Some("© 2024 The Associated Press".into()),
        source: Some("The Associated Press".into()),
        caption: Some(caption),
        keywords: (0..keywords).map(|i| format!("keyword {i:0>52}")).collect(),
        usage_terms: Some("Editorial use only".into()),
        ..Fields::default()
    }
}

/// Render `name` at `spec`; the one place tests call the renderer.
fn check(name: &str, spec: Spec, fields: &Fields) -> Rendered {
    rendition::render(&original(name), &spec, fields)
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
}

/// `exiftool -j -G1 -n` on a file, or `None` (after `skip_missing_peer`) without ExifTool.
fn exiftool_file(path: &std::path::Path) -> Option<serde_json::Map<String, Value>> {
    let Ok(out) = Command::new("exiftool")
        .args(["-j", "-G1", "-n", "-m"])
        .arg(path)
        .output()
    else {
        common::skip_missing_peer("exiftool", "BYLINE_REQUIRE_EXIFTOOL");
        return None;
    };
    assert!(
        out.status.success(),
        "exiftool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all: Vec<serde_json::Map<String, Value>> =
        serde_json::from_slice(&out.stdout).expect("exiftool JSON");
    all.pop()
}

fn exiftool(bytes: &[u8], ext: &str) -> Option<serde_json::Map<String, Value>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("r.{ext}"));
    std::fs::write(&path, bytes).expect("write");
    exiftool_file(&path)
}

/// The credit fields read back by ExifTool from XMP and EXIF (and IIM for JPEG).
fn assert_credit(tags: &serde_json::Map<String, Value>, want: &Fields, iim: bool) {
    let s = |k: &str| tags.get(k).cloned().unwrap_or(Value::Null);
    assert_eq!(s("XMP-dc:Creator"), json!(want.creators));
    assert_eq!(s("XMP-photoshop:Credit"), json!(want.credit_line));
    assert_eq!(s("XMP-photoshop:Source"), json!(want.source));
    assert_eq!(s("XMP-dc:Rights"), json!(want.copyright));
    assert_eq!(s("XMP-xmpRights:UsageTerms"), json!(want.usage_terms));
    assert_eq!(s("IFD0:Artist"), json!(want.creators.join("; ")));
    assert_eq!(s("IFD0:Copyright"), json!(want.copyright));
    if iim {
        assert_eq!(s("IPTC:By-line"), json!(want.creators));
        assert_eq!(s("IPTC:Credit"), json!(want.credit_line));
        assert_eq!(s("IPTC:Source"), json!(want.source));
        assert_eq!(s("IPTC:CopyrightNotice"), json!(want.copyright));
    }
}

/// ExifTool's list value as a Vec (a one-element list comes back as a scalar).
fn list_len(v: Option<&Value>) -> usize {
    match v {
        Some(Value::Array(a)) => a.len(),
        Some(_) => 1,
        None => 0,
    }
}

#[test]
fn webp_with_200_kb_of_xmp_keeps_the_whole_credit() {
    // See: #11. WebP used JPEG's 64 KB XMP limit and dropped the packet, credit and all.
    let want = credit(200_000, 200);
    let spec = Spec {
        format: OutputFormat::Webp,
        ..Spec::jpeg(320)
    };
    let r = check("orient-landscape-1.jpg", spec, &want);
    assert!(r.warnings.is_empty(), "nothing is cut: {:?}", r.warnings);
    let xmp_at = r
        .bytes
        .windows(4)
        .position(|w| w == b"XMP ")
        .expect("an XMP chunk");
    let xmp_len = u32::from_le_bytes(r.bytes[xmp_at + 4..xmp_at + 8].try_into().expect("4"));
    assert!(xmp_len > 200_000, "XMP chunk of {xmp_len} bytes");
    // Our own reader.
    let read = byline::meta::extract(&r.bytes).expect("readable");
    assert_eq!(read.fields.credit_line, want.credit_line);
    assert_eq!(read.fields.creators, want.creators);
    let Some(tags) = exiftool(&r.bytes, "webp") else {
        return;
    };
    assert_credit(&tags, &want, false);
    assert_eq!(tags.get("XMP-dc:Description"), Some(&json!(want.caption)));
    assert_eq!(
        tags.get("IFD0:ImageDescription"),
        Some(&json!(want.caption))
    );
    assert_eq!(list_len(tags.get("XMP-dc:Subject")), 200);
}

#[test]
fn jpeg_with_oversized_xmp_iim_and_exif_keeps_the_credit_and_says_what_it_cut() {
    // 150 KB of caption: more than one XMP segment (extended XMP), one EXIF segment and IIM
    // 2:120; 1,500 keywords of 60 bytes: more than one IIM block.
    let want = credit(150_000, 1_500);
    let r = check("orient-landscape-1.jpg", Spec::jpeg(320), &want);
    let said = |needle: &str| r.warnings.iter().any(|w| w.contains(needle));
    assert!(said("exif ImageDescription cut"), "{:?}", r.warnings);
    assert!(said("iim 2:120 Caption-Abstract cut"), "{:?}", r.warnings);
    assert!(
        said("iim 2:25 Keywords") && said("left out"),
        "{:?}",
        r.warnings
    );
    for credit in [
        "Artist",
        "Copyright",
        "By-line",
        "2:110",
        "2:115",
        "2:116",
        "photoshop:Credit",
    ] {
        assert!(!said(credit), "{credit} was not cut: {:?}", r.warnings);
    }
    // A reader of the standard XMP packet alone (ours) still finds the credit.
    let read = byline::meta::extract(&r.bytes).expect("readable");
    assert_eq!(read.fields.credit_line, want.credit_line);
    assert_eq!(read.fields.creators, want.creators);
    assert_eq!(read.fields.copyright, want.copyright);
    let Some(tags) = exiftool(&r.bytes, "jpg") else {
        return;
    };
    assert_credit(&tags, &want, true);
    // ExifTool assembles the extended XMP: the caption and every keyword are there.
    assert!(tags.contains_key("XMP-xmpNote:HasExtendedXMP"), "{tags:?}");
    assert_eq!(tags.get("XMP-dc:Description"), Some(&json!(want.caption)));
    assert_eq!(list_len(tags.get("XMP-dc:Subject")), 1_500);
    let iim_keywords = list_len(tags.get("IPTC:Keywords"));
    assert!(
        (900..1_500).contains(&iim_keywords),
        "{iim_keywords} IIM keywords"
    );
    let description = tags
        .get("IFD0:ImageDescription")
        .and_then(Value::as_str)
        .expect("EXIF caption");
    assert!(
        description.len() > 60_000
            && want
                .caption
                .as_deref()
                .is_some_and(|c| c.starts_with(description))
    );
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

/// The iPhone file's pixels as stored (libheif told to ignore `irot`), for a reference.
fn stored_pixels(name: &str) -> image::RgbImage {
    use libheif_rs::{ColorSpace, DecodingOptions, HeifContext, LibHeif, RgbChroma};
    let bytes = original(name);
    let ctx = HeifContext::read_from_bytes(&bytes).expect("parses");
    let handle = ctx.primary_image_handle().expect("primary image");
    let mut options = DecodingOptions::new().expect("options");
    options.set_ignore_transformations(true);
    let image = LibHeif::new()
        .decode(&handle, ColorSpace::Rgb(RgbChroma::Rgb), Some(options))
        .expect("decodes");
    let plane = image.planes().interleaved.expect("interleaved");
    let (w, h) = (plane.width, plane.height);
    let mut raw = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h as usize {
        raw.extend_from_slice(&plane.data[y * plane.stride..][..w as usize * 3]);
    }
    image::RgbImage::from_raw(w, h, raw).expect("sizes agree")
}

#[test]
fn iphone_heic_renders_upright_in_srgb_with_the_credit() {
    // 4032×3024 stored, EXIF orientation 6 ("rotate 90 CW" in ExifTool's reading, which the
    // file's `irot` box says too) and a Display P3 profile.
    let want = credit(300, 3);
    let r = check("iphone-xr-orient6.heic", Spec::jpeg(640), &want);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Turned once (not twice, as applying EXIF 6 on top of `irot` would): portrait.
    assert_eq!((r.width, r.height), (480, 640));
    let img = image::load_from_memory(&r.bytes)
        .expect("decodes")
        .into_rgb8();
    // Reference: the stored pixels turned as the EXIF orientation says. The colours differ
    // a little (P3 converted to sRGB); the measure tells a wrong turn clearly.
    let stored = stored_pixels("iphone-xr-orient6.heic");
    assert_eq!(stored.dimensions(), (4032, 3024));
    let small = image::imageops::resize(&stored, 640, 480, image::imageops::FilterType::Triangle);
    let reference = image::imageops::rotate90(&small);
    let right = mean_diff(&img, &reference);
    let wrong = mean_diff(&img, &image::imageops::rotate180(&reference));
    assert!(
        right < 10.0 && wrong > 2.0 * right,
        "upright {right:.1}, upside down {wrong:.1}"
    );
    let Some(tags) = exiftool(&r.bytes, "jpg") else {
        return;
    };
    assert_credit(&tags, &want, true);
    assert_eq!(tags.get("IFD0:Orientation"), Some(&json!(1)));
    assert_eq!(tags.get("File:ImageWidth"), Some(&json!(480)));
    assert!(
        !tags.contains_key("ICC_Profile:ProfileDescription"),
        "converted to sRGB, no profile left"
    );
}

#[test]
fn broken_and_oversized_heic_give_clear_errors() {
    let heic = original("digikam-persian.heic");
    // Cut short: the image data is missing.
    let err = rendition::render(
        &heic[..heic.len() / 2],
        &Spec::jpeg(320),
        &Fields::default(),
    )
    .expect_err("half a HEIC");
    assert!(matches!(err, Error::Image(_)), "{err}");
    assert!(err.to_string().contains("heic: "), "{err}");
    // The header claims 60000×60000 px (`ispe`): refused before any pixel is decoded.
    let mut forged = heic.clone();
    let at = forged
        .windows(4)
        .position(|w| w == b"ispe")
        .expect("an ispe box");
    forged[at + 8..at + 12].copy_from_slice(&60_000u32.to_be_bytes());
    forged[at + 12..at + 16].copy_from_slice(&60_000u32.to_be_bytes());
    let err = rendition::render(&forged, &Spec::jpeg(320), &Fields::default())
        .expect_err("60000×60000 px");
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(err.to_string().contains("60000×60000"), "{err}");
}

#[test]
fn add_renditions_reports_cuts_and_heic_gets_renditions() {
    let s = Store::new();
    let caption = "Flood water covers the road near the bridge. ".repeat(2_000); // 90 KB
    let keywords: Vec<String> = (0..1_200).map(|i| format!("keyword {i:0>52}")).collect();
    let mut args = vec![
        "add".to_string(),
        "--json".into(),
        "--renditions".into(),
        "--caption".into(),
        caption.clone(),
        "--credit-line".into(),
        "AP Photo/Evan Vucci".into(),
        "--creator".into(),
        "Evan Vucci".into(),
    ];
    for k in &keywords {
        args.extend(["--keyword".to_string(), k.clone()]);
    }
    args.push(corpus("orient-landscape-1.jpg").display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    // (`Store::ok` would print the 160 KB command line on failure.)
    let quiet_ok = |store: &Store, args: &[&str]| {
        let (code, out, err) = store.run(args);
        assert_eq!(code, 0, "add failed: {err}");
        out
    };
    let lines = json_lines(&quiet_ok(&s, &refs));
    check_schema("add-line.schema.json", &lines[0]);
    let warnings = lines[0]["rendition_warnings"].to_string();
    assert!(
        warnings.contains("ImageDescription") && warnings.contains("2:25 Keywords"),
        "{warnings}"
    );
    let id = lines[0]["id"].as_str().expect("added").to_string();
    // Each rendition record carries its warnings.
    for r in json_lines(&s.ok(&["renditions", "--json", &id])) {
        check_schema("rendition.schema.json", &r);
        assert!(
            !r["warnings"].as_array().expect("warnings").is_empty(),
            "{r}"
        );
    }
    // Text output says the same, under the file's line.
    let t = Store::new();
    let text_args: Vec<&str> = refs.iter().copied().filter(|a| *a != "--json").collect();
    let text = quiet_ok(&t, &text_args);
    assert!(text.contains("warning: iim 2:25 Keywords"), "{text}");
    // `render` prints them too, text and JSON.
    let made = json_lines(&s.ok(&["render", "--json", &id, "--width", "100"]));
    assert!(made[0]["warnings"].to_string().contains("ImageDescription"));
    let text = s.ok(&["render", &id, "--width", "90"]);
    assert!(
        text.contains("warning: exif ImageDescription cut"),
        "{text}"
    );

    // Both HEIC originals get every preset; the digikam one carries its own credit (XMP).
    let iphone = corpus("iphone-xr-orient6.heic");
    let digikam = corpus("digikam-persian.heic");
    let out = s.ok(&[
        "add",
        "--json",
        "--renditions",
        iphone.to_str().expect("p"),
        digikam.to_str().expect("p"),
    ]);
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|l| l["id"].as_str().expect("added").to_string())
        .collect();
    for id in &ids {
        let made = json_lines(&s.ok(&["renditions", "--json", id]));
        assert_eq!(made.len(), 4, "{made:?}");
    }
    let out = s.dir.path().join("large.jpg");
    s.ok(&[
        "render",
        &ids[1],
        "--preset",
        "large",
        "--out",
        out.to_str().expect("p"),
    ]);
    let Some(tags) = exiftool_file(&out) else {
        return;
    };
    // (ExifTool gives a one-item list as a plain value.)
    assert_eq!(tags.get("XMP-dc:Creator"), Some(&json!("aidin36")));
    assert_eq!(tags.get("IPTC:By-line"), Some(&json!("aidin36")));
    assert_eq!(
        tags.get("IFD0:Copyright"),
        Some(&json!("2025 Aidin Gharibnavaz"))
    );
    assert_eq!(tags.get("File:ImageWidth"), Some(&json!(600)));
}
