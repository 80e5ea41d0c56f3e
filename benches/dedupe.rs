//! Dedupe throughput with a large database behind it: per new article, the
//! canonical-URL and content-hash check, the MinHash signature and the story lookup
//! in the band index, with 100,000 and 1,000,000 articles already indexed.
//!
//!     cargo bench --bench dedupe                      # 100k and 1M
//!     CLAIMWIRE_BENCH_SIZES=10000,100000 cargo bench --bench dedupe

use std::time::Instant;

use claimwire::dedupe::{minhash, stories::StoryIndex};
use claimwire::store;
use rusqlite::params;

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const WORDS: &[&str] = &[
    "police",
    "said",
    "ministry",
    "killed",
    "injured",
    "arrested",
    "protesters",
    "city",
    "officials",
    "security",
    "forces",
    "clashes",
    "government",
    "capital",
    "reported",
    "thursday",
    "friday",
    "troops",
    "alliance",
    "statement",
    "president",
    "unrest",
    "prices",
    "fuel",
    "square",
    "buildings",
    "night",
    "residents",
    "witnesses",
    "curfew",
    "airport",
    "soldiers",
    "people",
    "dozens",
    "hundreds",
    "region",
    "streets",
    "agency",
    "local",
    "news",
];

fn article_text(seed: u64) -> String {
    let mut s = seed;
    (0..160)
        .map(|_| WORDS[(splitmix(&mut s) % WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fills a fresh database with `n` indexed articles (random signatures: the index
/// costs the same whatever the texts were).
fn prefill(path: &std::path::Path, n: u64) {
    let mut conn = store::open(path).unwrap();
    conn.execute_batch("PRAGMA synchronous = OFF;").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut art = tx
            .prepare("INSERT INTO articles (id, canonical_url, url, event, title, fetched_at, text, content_hash, story_id) VALUES (?1, ?2, ?2, 'bench', '', '2022-01-06T00:00:00Z', '', ?3, ?1)")
            .unwrap();
        let mut sig = tx
            .prepare("INSERT INTO article_minhash (article_id, signature) VALUES (?1, ?2)")
            .unwrap();
        let mut band = tx
            .prepare("INSERT INTO story_bands (band_key, article_id) VALUES (?1, ?2)")
            .unwrap();
        let mut seed = 42;
        for id in 1..=n as i64 {
            art.execute(params![
                id,
                format!("https://bench.example/{id}"),
                format!("{:016x}", splitmix(&mut seed))
            ])
            .unwrap();
            let signature: Vec<u32> = (0..minhash::HASHES)
                .map(|_| splitmix(&mut seed) as u32)
                .collect();
            sig.execute(params![id, minhash::to_bytes(&signature)])
                .unwrap();
            for k in minhash::band_keys(&signature) {
                band.execute(params![k, id]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE;").unwrap();
}

fn measure(path: &std::path::Path, n: u64) {
    let conn = store::open_read(path).unwrap();
    let mut index = StoryIndex::new(store::max_story_id(&conn).unwrap());
    let articles: Vec<(String, String)> = (0..6000u64)
        .map(|i| (format!("https://new.example/{i}"), article_text(i + 7)))
        .collect();
    // The first thousand warm the page cache, as a running service's would be.
    let (warm, articles) = articles.split_at(1000);
    for (url, text) in warm {
        let hash = claimwire::dedupe::content_hash(text);
        store::is_stored(&conn, url, &hash).unwrap();
        index.assign(&minhash::of_text(text), 0.4, |keys| {
            store::story_candidates(&conn, keys).unwrap()
        });
    }
    let start = Instant::now();
    let mut candidates = 0;
    for (url, text) in articles {
        let hash = claimwire::dedupe::content_hash(text);
        assert!(!store::is_stored(&conn, url, &hash).unwrap());
        let signature = minhash::of_text(text);
        index.assign(&signature, 0.4, |keys| {
            let c = store::story_candidates(&conn, keys).unwrap();
            candidates += c.len();
            c
        });
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "dedupe: {n:>9} indexed: {:.0} articles/s, {:.1} µs per article ({candidates} candidates checked)",
        articles.len() as f64 / secs,
        secs * 1e6 / articles.len() as f64
    );
}

fn main() {
    let sizes: Vec<u64> = std::env::var("CLAIMWIRE_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bench.db");
        let start = Instant::now();
        prefill(&path, n);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "dedupe: prefilled {n} articles in {:.1}s ({:.0} MB)",
            start.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
        measure(&path, n);
    }
}
