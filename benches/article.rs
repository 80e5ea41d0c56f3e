//! Main-text extraction throughput on one core, on the 181 pages of the article
//! extraction benchmark (`../shared/external/article-extraction-benchmark`).
//!
//!     cargo bench --bench article

use std::io::Read;
use std::time::Instant;

fn main() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/external/article-extraction-benchmark/html"
    );
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("article bench: {dir} is not there; nothing to measure");
        return;
    };
    let mut pages = Vec::new();
    for e in entries.flatten() {
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(e.path()).unwrap())
            .read_to_end(&mut html)
            .unwrap();
        pages.push(html);
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    for p in &pages {
        claimwire::fetch::page::main_text(p, Some("text/html; charset=utf-8"));
    }
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed().as_secs_f64() < 3.0 {
        for p in &pages {
            claimwire::fetch::page::main_text(p, Some("text/html; charset=utf-8"));
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "article: {} pages, {:.1} MB of HTML per round; {rounds} rounds in {secs:.2}s on one core",
        pages.len(),
        bytes as f64 / 1e6
    );
    println!(
        "article: {:.1} pages/s, {:.2} MB/s of HTML",
        (pages.len() * rounds) as f64 / secs,
        (bytes * rounds) as f64 / 1e6 / secs
    );
}
