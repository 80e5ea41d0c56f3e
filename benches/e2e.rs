//! End to end: a loopback feed server (in this process) serves N feeds × M entries
//! of generated Arabic, English and Russian reports with figures; the whole
//! pipeline runs once into a fresh SQLite file. Reports articles/s and claims/s
//! without and with article pages, and the peak RSS, also with 10,000 feeds.
//!
//!     cargo bench --bench e2e

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use claimwire::pipeline::{Mode, Options};
use tokio_util::sync::CancellationToken;

#[path = "common/mod.rs"]
mod common;
use common::{article, sentences};

struct Site {
    pool: Vec<Vec<String>>,
    entries: usize,
    host: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn feed(State(site): State<Arc<Site>>, Path(n): Path<String>) -> String {
    let n: usize = n.trim_end_matches(".xml").parse().unwrap_or(0);
    let items: String = (0..site.entries)
        .map(|m| {
            format!(
                "<item><title>Report {n}-{m}</title><link>http://{}/article/{n}/{m}</link><guid>{n}-{m}</guid><description>{}</description></item>",
                site.host,
                esc(&article(&site.pool, n, m))
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>feed {n}</title>{items}</channel></rss>")
}

async fn page(
    State(site): State<Arc<Site>>,
    Path((n, m)): Path<(usize, usize)>,
) -> axum::response::Html<String> {
    axum::response::Html(format!(
        "<html><head><title>Report {n}-{m}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>Report {n}-{m}</h1><p>{}</p></article><footer>All rights reserved.</footer></body></html>",
        esc(&article(&site.pool, n, m))
    ))
}

/// A memory line of /proc/self/status in MB: `VmHWM` (peak RSS), `RssFile` (of
/// it now, pages of the mapped database the kernel can drop), `RssAnon`.
fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn run(feeds: usize, entries: usize, fetch_article: bool) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let site = Arc::new(Site {
        pool: sentences(),
        entries,
        host: host.clone(),
    });
    let app = Router::new()
        .route("/feed/{n}", get(feed))
        .route("/article/{n}/{m}", get(page))
        .with_state(site);
    let stop = CancellationToken::new();
    let server_stop = stop.clone();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { server_stop.cancelled().await })
            .await
            .unwrap()
    });

    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("name = \"bench\"\npoll_every = \"1h\"\n");
    for n in 0..feeds {
        toml.push_str(&format!(
            "[[feed]]\nurl = \"http://{host}/feed/{n}.xml\"\nfetch_article = {fetch_article}\n"
        ));
    }
    std::fs::write(dir.path().join("bench.toml"), toml).unwrap();
    let pipelines = claimwire::config::load(&dir.path().join("bench.toml")).unwrap();
    let mut options = Options::new(dir.path().join("bench.db"), Mode::Once);
    // One host serves everything here; real feeds spread over many hosts.
    options.client.per_host = 64;
    options.page_workers = 32;
    let start = Instant::now();
    let summary = claimwire::service::run(&pipelines, options, CancellationToken::new())
        .await
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    stop.cancel();
    println!(
        "e2e: {feeds:>5} feeds x {entries:>3} entries, pages {:<3}: {} articles, {} claims in {secs:.2}s: {:.0} articles/s, {:.0} claims/s, peak RSS {:.0} MB (at the end {:.0} MB mapped database, {:.0} MB heap)",
        if fetch_article { "yes" } else { "no" },
        summary.articles_new,
        summary.claims,
        summary.articles_new as f64 / secs,
        summary.claims as f64 / secs,
        status_mb("VmHWM:"),
        status_mb("RssFile:"),
        status_mb("RssAnon:"),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let only = std::env::var("CLAIMWIRE_BENCH").unwrap_or_default();
    runtime.block_on(async {
        if only.is_empty() || only == "feeds" {
            run(200, 50, false).await;
        }
        if only.is_empty() || only == "pages" {
            run(100, 50, true).await;
        }
        if only.is_empty() || only == "many" {
            run(10_000, 1, false).await;
        }
    });
}
