//! Per-article cost of dedupe and store as the database grows: 10,000, 100,000 and
//! 1,000,000 stored articles (with their claims, band index and search index).
//!
//! Dedupe: the canonical-URL and content-hash check, the MinHash signature and the
//! story lookup in the band index. Store: `write_records` in batches, as the writer
//! stage commits them (claims, band keys, search index, feed entries).
//!
//!     cargo bench --bench scaling                          # 10k, 100k and 1M
//!     CLAIMWIRE_BENCH_SIZES=10000,100000 cargo bench --bench scaling

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use claimwire::config::FeedConfig;
use claimwire::dedupe::stories::{Candidate, StoryIndex};
use claimwire::dedupe::{self, minhash};
use claimwire::extract::Extractor;
use claimwire::model::{
    Article, ExtractedArticle, FeedReport, NewArticle, PollOutcome, PollTicket, Record,
};
use claimwire::stats::StoreCounts;
use claimwire::store::{self, writer};

#[path = "common/mod.rs"]
mod common;

/// Distinct reports whose claims are reused when prefilling (extracting a million
/// would measure the extractor, not the store).
const POOL: usize = 2000;
/// New articles measured at each size.
const MEASURED: usize = 4000;

/// A report as the extract stage hands it to the store.
struct Report {
    url: String,
    text: String,
    extracted: claimwire::extract::Extraction,
}

fn reports(pool: &[Vec<String>], extractor: &Extractor, seed: usize, n: usize) -> Vec<Report> {
    (0..n)
        .map(|i| {
            // Feed numbers far apart: no two reports of a run are one story.
            let text = common::article(pool, (seed + i) * 4, seed);
            let extracted = extractor.extract(&text, None, None);
            Report {
                url: format!("https://bench{seed}.example/{i}"),
                text,
                extracted,
            }
        })
        .collect()
}

fn record(
    feed: &Arc<FeedConfig>,
    poll: &PollTicket,
    url: String,
    text: String,
    report: &Report,
    signature: Vec<u32>,
    story_id: i64,
) -> Record {
    let article = Article {
        feed: feed.clone(),
        entry_key: url.clone(),
        url: url.clone(),
        title: String::new(),
        published: None,
        text,
        fetched_at: Utc::now(),
        poll: poll.clone(),
    };
    Record::Article(Box::new(ExtractedArticle {
        new: NewArticle {
            canonical_url: dedupe::canonical_url(&url),
            content_hash: dedupe::content_hash(&article.text),
            article,
            story_id,
            band_keys: minhash::band_keys(&signature),
            signature: minhash::to_bytes(&signature),
        },
        language: report.extracted.language.clone(),
        claims: report.extracted.claims.clone(),
    }))
}

fn ticket(feed: &Arc<FeedConfig>) -> PollTicket {
    // The writer's report channel: nobody reads it here, and an unbounded one
    // never blocks the last ticket's drop.
    let (done, _) = async_channel::unbounded();
    PollTicket::new(
        FeedReport {
            feed: feed.clone(),
            polled_at: Utc::now(),
            next_poll_at: Utc::now(),
            outcome: PollOutcome::NotModified,
        },
        done,
    )
}

/// Fills a fresh database with `n` articles through the writer itself, reusing the
/// claims of `pool` (random signatures: the band index costs the same whatever
/// the texts were).
fn prefill(path: &std::path::Path, n: usize, pool: &[Report], feed: &Arc<FeedConfig>) {
    let mut conn = store::open(path).unwrap();
    conn.execute_batch("PRAGMA synchronous = OFF;").unwrap();
    let counts = StoreCounts::default();
    let mut seed = 42u64;
    let mut batch = Vec::with_capacity(writer::BATCH * 16);
    let poll = ticket(feed);
    for i in 0..n {
        let report = &pool[i % pool.len()];
        let signature: Vec<u32> = (0..minhash::HASHES)
            .map(|_| {
                seed = minhash::splitmix64(seed);
                seed as u32
            })
            .collect();
        batch.push(record(
            feed,
            &poll,
            format!("https://stored.example/{i}"),
            format!("{} [{i}]", report.text),
            report,
            signature,
            i as i64 + 1,
        ));
        if batch.len() == batch.capacity() {
            writer::write_records(&mut conn, &batch, &counts).unwrap();
            batch.clear();
        }
    }
    writer::write_records(&mut conn, &batch, &counts).unwrap();
    conn.execute_batch("PRAGMA optimize;").unwrap();
}

fn measure(path: &std::path::Path, n: usize, new: &[Report], feed: &Arc<FeedConfig>) {
    // Dedupe, on its own read connection as in the service.
    let reader = store::open_read(path).unwrap();
    let mut index = StoryIndex::new(store::max_story_id(&reader).unwrap());
    let mut judged = Vec::with_capacity(new.len());
    let start = Instant::now();
    let mut candidates = 0;
    for r in new {
        let hash = dedupe::content_hash(&r.text);
        assert!(!store::is_stored(&reader, &dedupe::canonical_url(&r.url), &hash).unwrap());
        let signature = minhash::of_text(&r.text);
        let story = index.assign(&signature, 0.4, |keys| {
            let rows = store::story_candidates(&reader, keys).unwrap();
            candidates += rows.len();
            rows.into_iter().map(Candidate::from_row).collect()
        });
        judged.push((signature, story));
    }
    let dedupe_us = start.elapsed().as_secs_f64() * 1e6 / new.len() as f64;

    // Store, with the service's settings (WAL, synchronous = NORMAL).
    let mut conn = store::open(path).unwrap();
    let counts = StoreCounts::default();
    let poll = ticket(feed);
    let records: Vec<Record> = new
        .iter()
        .zip(judged)
        .map(|(r, (signature, story))| {
            record(
                feed,
                &poll,
                r.url.clone(),
                r.text.clone(),
                r,
                signature,
                story,
            )
        })
        .collect();
    let start = Instant::now();
    for batch in records.chunks(writer::BATCH) {
        writer::write_records(&mut conn, batch, &counts).unwrap();
    }
    let store_us = start.elapsed().as_secs_f64() * 1e6 / new.len() as f64;
    let claims = counts.claims.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "scaling: {n:>9} stored | dedupe {dedupe_us:>6.1} µs/article ({:.0}/s, {candidates} candidates) | store {store_us:>6.1} µs/article ({:.0}/s, {:.1} claims each)",
        1e6 / dedupe_us,
        1e6 / store_us,
        claims as f64 / new.len() as f64
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CLAIMWIRE_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let sentences = common::sentences();
    let extractor = Extractor::new().unwrap();
    let pool = reports(&sentences, &extractor, 1, POOL);
    let feed = Arc::new(FeedConfig::new(
        url::Url::parse("https://bench.example/feed.xml").unwrap(),
        "bench",
    ));
    for (round, n) in sizes.into_iter().enumerate() {
        let new = reports(&sentences, &extractor, 1000 + round, MEASURED);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bench.db");
        let start = Instant::now();
        prefill(&path, n, &pool, &feed);
        let size: u64 = ["bench.db", "bench.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
            .map(|m| m.len())
            .sum();
        println!(
            "scaling: prefilled {n} articles in {:.1}s ({:.0} MB)",
            start.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
        measure(&path, n, &new, &feed);
    }
}
