//! `byline serve`'s memory under load and bombs (issue 15), read as the server's peak RSS
//! (`VmHWM`) from /proc: authorised uploads streamed to disk rather than held, the largest
//! image allowed decoded within the budget, compressed PNG metadata bombs, and uploads cut
//! off (a dropped connection, a killed server) leaving nothing staged behind. Rate limits
//! (429) are here too: they bound what one client can make the server do.

mod common;

use std::io::Write;
use std::time::Duration;

use common::serve::{
    Server, check_component, connect, json_of, png_with, read_answer, signal, status_of,
    store_with_writer, upload_head, zeros_deflated,
};
use serde_json::Value;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Upload `bytes`; the status and the JSON answer.
fn upload(srv: &Server, token: &str, name: &str, bytes: &[u8]) -> (u16, Value) {
    let mut res = agent()
        .post(format!("{}/photos?name={name}", srv.base))
        .header("Authorization", format!("Bearer {token}"))
        .send(bytes)
        .expect("upload");
    let text = res.body_mut().read_to_string().expect("body");
    (
        res.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Render preset `large` of photo `id`; the status.
fn render(srv: &Server, token: &str, id: &str) -> u16 {
    let mut res = agent()
        .post(format!("{}/photos/{id}/renditions", srv.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(r#"{"preset": "large"}"#)
        .expect("render");
    let text = res.body_mut().read_to_string().expect("body");
    assert!(res.status() == 201, "{text}");
    res.status().as_u16()
}

/// The record of photo `id`, as `GET /photos/{id}` answers it.
fn record(srv: &Server, id: &str) -> Value {
    let mut res = agent()
        .get(format!("{}/photos/{id}", srv.base))
        .call()
        .expect("record");
    serde_json::from_str(&res.body_mut().read_to_string().expect("body")).expect("JSON")
}

/// Files an upload left in the staging folder.
fn staged_uploads(srv_store: &common::Store) -> Vec<String> {
    std::fs::read_dir(srv_store.path().join("incoming"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A real photo followed by `extra` bytes of its own pattern: a large, distinct upload.
fn large_photo(extra: usize, seed: u8) -> Vec<u8> {
    let mut bytes = std::fs::read(common::sample("afp-nato-brussels.jpg")).expect("sample");
    bytes.extend((0..extra).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

// See: #15 (stream uploads to the staging folder while hashing, never whole in memory)
#[test]
fn concurrent_authorised_uploads_are_streamed_not_held() {
    let (store, token) = store_with_writer();
    let srv = Server::with_config(&store, "max_uploads_and_renders = 8");
    let photos: Vec<Vec<u8>> = (0..8).map(|i| large_photo(40 << 20, i)).collect();
    std::thread::scope(|scope| {
        for (i, photo) in photos.iter().enumerate() {
            let (srv, token) = (&srv, &token);
            scope.spawn(move || {
                let mut s = connect(srv);
                // Eight files read back one after another: the last answer comes late.
                s.set_read_timeout(Some(Duration::from_secs(120)))
                    .expect("timeout");
                s.write_all(upload_head(srv, Some(token), photo.len() as u64, false).as_bytes())
                    .expect("head");
                // Sent in pieces with pauses, so all eight bodies are on their way at once.
                for piece in photo.chunks(4 << 20) {
                    s.write_all(piece).expect("body");
                    std::thread::sleep(Duration::from_millis(100));
                }
                let a = read_answer(&mut s);
                assert_eq!(status_of(&a), 201, "upload {i}: {a}");
            });
        }
    });
    let peak = srv.peak_rss_mb();
    // Held whole, eight 40 MB bodies alone are 320 MB. Streamed, one file is read back for
    // its metadata while another is staged and rendered from: measured 186 MB.
    eprintln!("eight concurrent 40 MB uploads: peak RSS {peak} MB");
    assert!(peak < 250, "peak RSS {peak} MB");
    assert_eq!(staged_uploads(&store), Vec::<String>::new());
}

// See: #15 (a killed or aborted upload leaves no staged garbage)
#[test]
fn cut_off_uploads_leave_nothing_staged() {
    let (store, token) = store_with_writer();
    let srv = Server::start(&store);
    let body = vec![7u8; 4 << 20];
    // The client goes away halfway: its temp file goes with it.
    let mut s = connect(&srv);
    s.write_all(upload_head(&srv, Some(&token), 8 << 20, false).as_bytes())
        .expect("head");
    s.write_all(&body).expect("half the body");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        staged_uploads(&store).len(),
        1,
        "the upload is being staged"
    );
    drop(s);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(staged_uploads(&store), Vec::<String>::new());
    // The server is killed mid-upload: the next open of the store deletes what it left.
    let mut s = connect(&srv);
    s.write_all(upload_head(&srv, Some(&token), 8 << 20, false).as_bytes())
        .expect("head");
    s.write_all(&body).expect("half the body");
    std::thread::sleep(Duration::from_millis(500));
    signal(srv.child.id(), "KILL");
    drop(srv);
    assert_eq!(staged_uploads(&store).len(), 1, "the kill left the upload");
    let out = store.ok(&["verify", "--json"]);
    assert!(!out.contains("upload-"), "{out}");
    assert_eq!(staged_uploads(&store), Vec::<String>::new());
}

/// A 10,000 × 10,000 (100 MP, the largest allowed) baseline JPEG, grey.
fn jpeg_100_mp() -> Vec<u8> {
    let (w, h) = (10_000usize, 10_000usize);
    let pixels = vec![0x80u8; w * h * 3];
    let image = turbojpeg::Image {
        pixels: pixels.as_slice(),
        width: w,
        pitch: w * 3,
        height: h,
        format: turbojpeg::PixelFormat::RGB,
    };
    turbojpeg::compress(image, 80, turbojpeg::Subsamp::Sub2x2)
        .expect("jpeg")
        .to_vec()
}

/// The stated bound on uploading and rendering the largest image allowed (README, "Serve"):
/// the decoder's budget (`MAX_DECODE_BYTES`, 512 MB) bounds a decode; a 100 MP RGB picture
/// is 300 MB of it, and the resized rendition and the server itself come on top. Measured:
/// 444 MB for a 100 MP PNG, 129 MB for a 100 MP JPEG (decoded at a reduced DCT scale).
const RENDER_PEAK_MB: u64 = 512;

// See: #15 (rendering the largest allowed image stays under a stated RSS, measured)
#[test]
fn the_largest_allowed_images_render_within_the_stated_memory() {
    let (store, token) = store_with_writer();
    for (name, bytes) in [
        ("big.png", png_with(10_000, 10_000, &[])),
        ("big.jpg", jpeg_100_mp()),
    ] {
        let srv = Server::start(&store);
        let (status, added) = upload(&srv, &token, name, &bytes);
        assert!(status == 201 || status == 200, "{name}: {added}");
        let id = added["id"].as_str().expect("id").to_string();
        render(&srv, &token, &id);
        let peak = srv.peak_rss_mb();
        eprintln!("{name}: upload and render peak RSS {peak} MB");
        // Before the budget: 768 MB for the PNG.
        assert!(peak < RENDER_PEAK_MB, "{name}: peak RSS {peak} MB");
        srv.stop();
    }
}

// See: #15 (every other compressed metadata chunk: zTXt, iTXt, eXIf in PNG)
#[test]
fn png_metadata_bombs_cost_no_memory() {
    let (store, token) = store_with_writer();
    let srv = Server::start(&store);
    let big = 256 << 20;
    let mut ztxt = b"Raw profile type exif\0\0".to_vec();
    ztxt.extend(zeros_deflated(big));
    // keyword, NUL, compressed, method, language NUL, translated keyword NUL, text.
    let mut itxt = b"XML:com.adobe.xmp\0\x01\0\0\0".to_vec();
    itxt.extend(zeros_deflated(big));
    // eXIf is never compressed: the largest it can be is the upload itself.
    let mut exif = b"II*\0\x08\0\0\0".to_vec();
    exif.extend(vec![0u8; 15 << 20]);
    for (kind, data) in [(&b"zTXt"[..], ztxt), (b"iTXt", itxt), (b"eXIf", exif)] {
        let name = String::from_utf8_lossy(kind).into_owned();
        // Several of each: the budget is for the file, not per chunk.
        let chunks = vec![(kind, data); 3];
        let png = png_with(64, 64, &chunks);
        let (status, added) = upload(&srv, &token, &name, &png);
        assert!(status == 201, "{name}: {added}");
        let id = added["id"].as_str().expect("id");
        // Refused with a warning on the record (eXIf, never compressed, is read as it is).
        let record = record(&srv, id);
        if kind != b"eXIf" {
            assert!(
                record["warnings"]
                    .to_string()
                    .contains("inflates to over 4 MB"),
                "{name}: {record}"
            );
        }
        render(&srv, &token, id);
        let peak = srv.peak_rss_mb();
        eprintln!("{name} bombs: peak RSS {peak} MB");
        assert!(peak < 250, "{name}: peak RSS {peak} MB");
    }
}

// See: #15 (per-token rate limits answering 429)
#[test]
fn rate_limits_answer_429_per_token_and_per_address() {
    let (store, token) = store_with_writer();
    let srv = Server::with_config(&store, "rate_limit_per_sec = 1\nrate_limit_burst = 3");
    let get = |auth: Option<&str>| {
        let mut s = connect(&srv);
        let auth = auth.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        s.write_all(
            format!("GET /photos HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n")
                .as_bytes(),
        )
        .expect("request");
        read_answer(&mut s)
    };
    for i in 0..3 {
        assert_eq!(status_of(&get(None)), 200, "request {i} of the burst");
    }
    let a = get(None);
    assert_eq!(status_of(&a), 429, "{a}");
    assert!(a.to_ascii_lowercase().contains("retry-after: 1"), "{a}");
    assert_eq!(json_of(&a)["code"], "rate_limited");
    check_component("Error", &json_of(&a));
    // Made-up tokens count against the address, so they buy nothing.
    assert_eq!(status_of(&get(Some("made-up"))), 429);
    // A known token has its own budget.
    for i in 0..3 {
        assert_eq!(status_of(&get(Some(&token))), 200, "token request {i}");
    }
    assert_eq!(status_of(&get(Some(&token))), 429);
    // And the budget refills at the configured rate.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(status_of(&get(None)), 200);
}
