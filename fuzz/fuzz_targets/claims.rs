//! Claim extraction on arbitrary text, in each language; spans must point into it.
#![no_main]
use std::sync::OnceLock;

static EXTRACTOR: OnceLock<claimwire::extract::Extractor> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let lang = ["ar", "en", "ru"][first as usize % 3];
    let extractor = EXTRACTOR.get_or_init(|| claimwire::extract::Extractor::new().unwrap());
    let chars = text.chars().count();
    for claim in extractor.extract(text, Some(lang), None).claims {
        for span in claim.spans {
            assert!(span.start <= span.end && span.end <= chars, "{span:?} in {chars} chars");
        }
    }
});
