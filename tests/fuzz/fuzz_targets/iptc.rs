//! Fuzz the IIM side: Photoshop resources, IIM datasets and their decoding must never panic
//! or hang, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = byline::meta::iptc::resources(data);
    let _ = byline::meta::iptc::parse(data);
    let _ = byline::meta::iptc::read(Some(data), &[data]);
});
