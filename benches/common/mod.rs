//! Generated reports for the benches: sentences of the claim test cases in
//! Arabic, English and Russian, drawn at random, with figures of their own.
#![allow(dead_code)]

use claimwire::dedupe::minhash::splitmix64 as mix;

/// The case sentences of `tests/fixtures/claims`, by language (ar, en, ru).
pub fn sentences() -> Vec<Vec<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/claims");
    ["ar", "en", "ru"]
        .iter()
        .map(|lang| {
            let v: toml::Value =
                toml::from_str(&std::fs::read_to_string(format!("{dir}/{lang}.toml")).unwrap())
                    .unwrap();
            v["case"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// Article `m` of feed `n`: ten sentences of one language drawn from the case
/// sentences, with the report's own figures in place of theirs. Feeds come in
/// groups of four outlets that run the same report under their own tag line, so
/// stories of four form as they do on wires; otherwise reports differ as real ones
/// do (drawing by a stride instead made each report a near-copy of hundreds of
/// others, which measures the story index's worst case, not a news day).
pub fn article(pool: &[Vec<String>], n: usize, m: usize) -> String {
    let story = mix(((n / 4) as u64) << 32 | m as u64);
    let lang = &pool[(story % 3) as usize];
    let mut figures = mix(story ^ 0x5eed);
    let mut text = String::new();
    for k in 0..10u64 {
        let sentence = &lang[(mix(story.wrapping_add(k)) % lang.len() as u64) as usize];
        let mut digits = false;
        for c in sentence.chars() {
            if c.is_ascii_digit() {
                if !digits {
                    figures = mix(figures);
                    text.push_str(&(2 + figures % 900).to_string());
                }
                digits = true;
            } else {
                digits = false;
                text.push(c);
            }
        }
        text.push(' ');
    }
    text + &format!("[{n}-{m}]")
}
