//! The feed path (decoding, parsing, entry keys and text) on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("http://feeds.example/feed.xml").unwrap();
    let _ = claimwire::fetch::feed::parse(data, None, &url);
    let _ = claimwire::fetch::feed::parse(data, Some("application/rss+xml; charset=windows-1256"), &url);
});
