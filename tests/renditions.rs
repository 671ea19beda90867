//! Renditions through the store and `identify`: presets at ingest, the same spec found again,
//! a new credit after an edit, and telling which stored photo a copy is.

mod common;

use common::{Store, check_schema, json_lines, sample, samples_dir};
use serde_json::Value;

fn render_json(s: &Store, args: &[&str]) -> Value {
    let mut a = vec!["render", "--json"];
    a.extend_from_slice(args);
    json_lines(&s.ok(&a)).remove(0)
}

/// Write the photo's thumb rendition to `out` and read its metadata back with our reader.
fn thumb_metadata(s: &Store, id: &str, out: &std::path::Path) -> byline::meta::Extracted {
    s.ok(&[
        "render",
        id,
        "--preset",
        "thumb",
        "--out",
        out.to_str().expect("p"),
    ]);
    byline::meta::extract(&std::fs::read(out).expect("rendition")).expect("readable")
}

#[test]
fn add_with_renditions_makes_every_preset_and_they_carry_the_credit() {
    let s = Store::new();
    let lines = s.add(&[samples_dir().as_path()]);
    let nato = lines
        .iter()
        .find(|l| {
            l["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("afp-nato-brussels.jpg"))
        })
        .and_then(|l| l["id"].as_str())
        .expect("nato")
        .to_string();
    // Renditions can also be made at ingest.
    let t = Store::new();
    let (code, _, err) = t.run(&[
        "add",
        "--renditions",
        sample("afp-nato-brussels.jpg").to_str().expect("p"),
    ]);
    assert_eq!(code, 0, "{err}");
    let made = json_lines(&t.ok(&["renditions", "--json", &nato]));
    for r in &made {
        check_schema("rendition.schema.json", r);
    }
    // The 480×320 sample is never upscaled: thumb is 320 wide, the larger presets all give
    // the 480×320 copy (identical bytes, one blob).
    let sizes: Vec<(u64, u64)> = made
        .iter()
        .map(|r| {
            (
                r["width"].as_u64().unwrap_or(0),
                r["height"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        sizes.contains(&(320, 213)) && sizes.contains(&(480, 320)),
        "{sizes:?}"
    );
    // Presets that share bytes keep a record each: all four are listed, and asking for any
    // of them again finds it instead of rendering (and journalling) it anew.
    let mut presets: Vec<&str> = made.iter().filter_map(|r| r["preset"].as_str()).collect();
    presets.sort_unstable();
    assert_eq!(presets, ["large", "medium", "small", "thumb"]);
    let journal = || std::fs::read_to_string(t.path().join("journal.jsonl")).expect("journal");
    let before = journal().lines().count();
    for preset in ["large", "medium", "small", "thumb"] {
        let again = render_json(&t, &[&nato, "--preset", preset]);
        assert_eq!(again["existing"], true, "{preset}: {again}");
    }
    assert_eq!(
        journal().lines().count(),
        before,
        "nothing new was journalled"
    );

    let first = render_json(&s, &[&nato, "--preset", "thumb"]);
    check_schema("rendition.schema.json", &{
        let mut r = first.clone();
        if let Value::Object(m) = &mut r {
            m.remove("existing");
            m.remove("path");
        }
        r
    });
    assert_eq!(first["existing"], false);
    let again = render_json(&s, &[&nato, "--preset", "thumb"]);
    assert_eq!(
        (again["existing"].clone(), again["id"].clone()),
        (Value::Bool(true), first["id"].clone())
    );

    // The rendition's own metadata carries the credit (read back by our reader).
    let out = s.dir.path().join("thumb.jpg");
    let read = thumb_metadata(&s, &nato, &out);
    assert_eq!(read.fields.creators, ["John Thys"]);
    assert_eq!(read.fields.credit_line.as_deref(), Some("AFP"));
    assert_eq!(read.orientation.unwrap_or(1), 1);

    // After an edit, a new rendition carries the new credit; the old one stays as it was.
    s.ok(&["edit", &nato, "--creator", "Jane Doe"]);
    let edited = render_json(&s, &[&nato, "--preset", "thumb"]);
    assert_eq!(edited["existing"], false);
    assert_ne!(edited["id"], first["id"]);
    let read = thumb_metadata(&s, &nato, &out);
    assert_eq!(read.fields.creators, ["Jane Doe"]);
    let listed = s.ok(&["renditions", &nato]);
    assert!(
        listed.contains("current") && listed.contains("older revision"),
        "{listed}"
    );
    s.ok(&["verify"]);
}

#[test]
fn identify_finds_renditions_and_resized_reencoded_or_cropped_copies() {
    let s = Store::new();
    let lines = s.add(&[samples_dir().as_path()]);
    let id_of = |file: &str| {
        lines
            .iter()
            .find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(file)))
            .and_then(|l| l["id"].as_str())
            .expect("added")
            .to_string()
    };
    let identify = |path: &std::path::Path| -> (i32, Value) {
        let (code, out, err) = s.run(&["identify", "--json", path.to_str().expect("p")]);
        (
            code,
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
        )
    };
    for file in [
        "afp-nato-brussels.jpg",
        "reuters-handout-flood.jpg",
        "no-metadata-grab.png",
    ] {
        let id = id_of(file);
        let (_, found) = identify(&sample(file));
        assert_eq!(
            (found["match"].clone(), found["photo"].clone()),
            ("original".into(), Value::from(id.clone()))
        );

        let rend = s.dir.path().join("r.webp");
        s.ok(&[
            "render",
            &id,
            "--width",
            "200",
            "--format",
            "webp",
            "--out",
            rend.to_str().expect("p"),
        ]);
        let (_, found) = identify(&rend);
        assert_eq!(
            (found["match"].clone(), found["photo"].clone()),
            ("rendition".into(), Value::from(id.clone()))
        );

        // A copy made elsewhere: decoded, resized to 60 %, cropped by 5 % a side, JPEG q60.
        let img = image::open(sample(file)).expect("decode").to_rgb8();
        let (w, h) = img.dimensions();
        let small = image::imageops::resize(
            &img,
            w * 3 / 5,
            h * 3 / 5,
            image::imageops::FilterType::Triangle,
        );
        let (sw, sh) = small.dimensions();
        let crop = image::imageops::crop_imm(&small, sw / 20, sh / 20, sw * 9 / 10, sh * 9 / 10)
            .to_image();
        let copy = s.dir.path().join("copy.jpg");
        let mut f = std::fs::File::create(&copy).expect("create");
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 60)
            .encode_image(&crop)
            .expect("encode");
        let (code, found) = identify(&copy);
        assert_eq!(code, 0);
        assert_eq!(found["match"], "similar", "{file}: {found}");
        assert_eq!(
            found["candidates"][0][0],
            Value::from(id.clone()),
            "{file}: {found}"
        );
    }
    // A photo we do not have is unknown (exit 1).
    let (code, found) = identify(&common::corpus("navy-reagan.jpg"));
    assert_eq!((code, found["match"].clone()), (1, Value::from("unknown")));
}
