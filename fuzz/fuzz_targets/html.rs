//! The article-page path (charset detection, main text, dates) on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let page = claimwire::fetch::page::main_text(data, None);
    let _ = claimwire::fetch::page::published(&page.text);
});
