//! Claim-extraction throughput on one core: MB of article text and sentences per
//! second, over the case sentences of all three languages repeated into articles.
//!
//!     cargo bench --bench extract

use std::time::Instant;

use claimwire::extract::Extractor;

fn corpus() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/claims");
    let mut docs = Vec::new();
    for lang in ["ar", "en", "ru"] {
        let text = std::fs::read_to_string(format!("{dir}/{lang}.toml")).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        let sentences: Vec<String> = value["case"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect();
        // Articles of ~4 KB, as a news report is.
        let mut article = String::new();
        for (i, s) in sentences
            .iter()
            .cycle()
            .take(sentences.len() * 6)
            .enumerate()
        {
            article.push_str(s);
            article.push(if i % 4 == 3 { '\n' } else { ' ' });
            if article.len() > 4000 {
                docs.push((lang.to_string(), std::mem::take(&mut article)));
            }
        }
    }
    docs
}

fn main() {
    // Start-up: the lexicons and the world gazetteer, loaded once per process,
    // and each language's place names, indexed at its first text.
    let start = Instant::now();
    let extractor = Extractor::new().unwrap();
    let loaded = start.elapsed();
    for (lang, text) in [
        ("ar", "قتل 3 في حلب."),
        ("en", "3 killed in Aleppo."),
        ("ru", "3 погибли в Алеппо."),
    ] {
        let t = Instant::now();
        extractor.extract(text, Some(lang), None);
        println!(
            "extract: first {lang} text {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    println!(
        "extract: start-up {:.0} ms to load, {:.0} ms to be ready in all three languages",
        loaded.as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e3
    );
    let docs = corpus();
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    let sentences: usize = docs
        .iter()
        .map(|d| claimwire::extract::tokens::sentences(&d.1).len())
        .sum();
    // Warm up, then time enough rounds for about two seconds.
    for (lang, text) in &docs {
        extractor.extract(text, Some(lang), None);
    }
    let start = Instant::now();
    let mut rounds = 0;
    let mut claims = 0;
    while start.elapsed().as_secs_f64() < 2.0 {
        for (lang, text) in &docs {
            claims += extractor.extract(text, Some(lang), None).claims.len();
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "extract: {} articles, {:.2} MB, {} sentences per round; {rounds} rounds in {secs:.2}s on one core",
        docs.len(),
        bytes as f64 / 1e6,
        sentences
    );
    println!(
        "extract: {:.2} MB/s, {:.0} sentences/s, {:.0} articles/s, {} claims",
        mb / secs,
        (sentences * rounds) as f64 / secs,
        (docs.len() * rounds) as f64 / secs,
        claims / rounds
    );
}
