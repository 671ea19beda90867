//! Fuzz the XMP reader: any bytes give properties and warnings, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = byline::meta::xmp::parse(data);
});
