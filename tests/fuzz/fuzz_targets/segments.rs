//! Fuzz the container walkers (JPEG, PNG, TIFF, WebP, HEIC) and the whole `extract` over
//! what they find: damage is a warning, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = byline::meta::container::segments(data);
    let _ = byline::meta::extract(data);
});
