//! The number reader on arbitrary text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(v) = claimwire::extract::numbers::parse(text) {
            assert!(v.is_finite() && v >= 0.0, "{text:?} -> {v}");
        }
    }
});
