//! Fuzz rendering PNGs (issue 15): the chunk walk that cuts out an iCCP bomb, `image`'s PNG
//! decoder under byline's limits and the ICC transform. A panic, a hang or going past
//! `-rss_limit_mb` is a finding. Headers claiming over 16 megapixels are skipped: the memory
//! of a full-size render is measured by tests/http.rs, not here.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(ihdr) = data.get(16..24) else {
        return;
    };
    let w = u64::from(u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]));
    let h = u64::from(u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]));
    if !data.starts_with(b"\x89PNG\r\n\x1a\n") || w * h > 16_000_000 {
        return;
    }
    let specs = byline::rendition::default_presets();
    let Some((_, thumb)) = specs.first() else {
        return;
    };
    let _ = byline::rendition::render(data, thumb, &Default::default());
    let _ = byline::meta::extract(data);
});
