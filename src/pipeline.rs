//! Builds the stages and the channels between them, runs them, and shuts down from
//! the head: cancelling stops polling, and every later stage ends when its input
//! closes, so whatever was fetched is stored before `run` returns.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::Pipeline;
use crate::extract::{Extractor, Extractors, LexiconError};
use crate::fetch::client::ClientOptions;
use crate::fetch::{self, FetchContext, FetchError, HttpClient};
use crate::stats::{Counters, StoreCounts};
use crate::store::{self, Reader, StoreError};

/// Channel capacities: small, so that a slow store holds fetching back.
const CHANNEL: usize = 64;

/// Once through every feed, or forever on each feed's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Once,
    Forever,
}

/// How to run; plain data, turned into running stages by [`run`].
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    pub mode: Mode,
    pub page_workers: usize,
    pub extract_workers: usize,
    pub client: ClientOptions,
    /// How often `run` logs its totals.
    pub report_every: Duration,
    /// Where to serve the HTTP API, metrics and web page while running.
    pub listen: Option<std::net::SocketAddr>,
    /// A pipelines file or folder to watch for edits (hot reload, `Mode::Forever`).
    pub watch: Option<PathBuf>,
    /// Draw a progress bar (a `once` run in a terminal).
    pub progress: bool,
}

impl Options {
    pub fn new(db: PathBuf, mode: Mode) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Options {
            db,
            mode,
            page_workers: 8,
            extract_workers: cores,
            client: ClientOptions::default(),
            report_every: Duration::from_secs(60),
            listen: None,
            watch: None,
            progress: false,
        }
    }
}

/// Why a run could not happen or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] FetchError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error("a stage failed: {0}")]
    Stage(String),
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub feeds_polled: usize,
    pub feeds_failed: usize,
    pub entries_new: u64,
    pub articles_new: u64,
    pub articles_duplicate: u64,
    pub articles_filtered: u64,
    pub articles_failed: u64,
    pub claims: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "feeds polled {} (failed {}), articles new {} duplicate {} filtered {} failed {}, claims stored {}",
            self.feeds_polled,
            self.feeds_failed,
            self.articles_new,
            self.articles_duplicate,
            self.articles_filtered,
            self.articles_failed,
            self.claims
        )
    }
}

/// A terminal progress bar over the entries taken in and the articles stored.
fn progress_bar(
    counters: Arc<Counters>,
    feeds: usize,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let done = stop.clone();
    let task = tokio::spawn(async move {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} entries · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        loop {
            let (entries, _, feed_errors) = counters.fetch.snapshot();
            let done_entries = StoreCounts::get(&counters.stored.articles)
                + StoreCounts::get(&counters.stored.duplicates)
                + StoreCounts::get(&counters.stored.filtered)
                + counters.pages.snapshot().2;
            bar.set_length(entries);
            bar.set_position(done_entries.min(entries));
            bar.set_message(format!(
                "{} feeds, {feed_errors} failed, {} articles, {} claims",
                feeds,
                StoreCounts::get(&counters.stored.articles),
                StoreCounts::get(&counters.stored.claims)
            ));
            tokio::select! {
                _ = done.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        bar.finish_and_clear();
    });
    (stop, task)
}

async fn log_totals(counters: Arc<Counters>, every: Duration, stop: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => counters.log(),
        }
    }
}

/// Every feed of `pipelines`.
fn feeds_of(pipelines: &[Pipeline]) -> Vec<Arc<crate::config::FeedConfig>> {
    pipelines
        .iter()
        .flat_map(|p| p.feeds.iter().cloned())
        .collect()
}

/// Turns each reloaded set of pipelines into what the stages read: the feeds for
/// the poller, the extractors (places, countries) for the extract workers. Ends
/// when the watcher does.
async fn publish(
    mut pipelines: tokio::sync::watch::Receiver<Vec<Pipeline>>,
    shipped: Extractor,
    feeds: tokio::sync::watch::Sender<Vec<Arc<crate::config::FeedConfig>>>,
    extractors: tokio::sync::watch::Sender<Extractors>,
) {
    while pipelines.changed().await.is_ok() {
        let now = pipelines.borrow_and_update().clone();
        // Extractors first: the new feeds' articles find their places ready.
        let _ = extractors.send(Extractors::new(shipped.clone(), &now));
        if feeds.send(feeds_of(&now)).is_err() {
            return;
        }
    }
}

/// Runs `pipelines` until done (`Mode::Once`) or until `shutdown` is cancelled.
pub async fn run(
    pipelines: &[Pipeline],
    options: Options,
    shutdown: CancellationToken,
) -> Result<Summary, PipelineError> {
    let counters = Arc::new(Counters::default());
    let conn = store::open(&options.db)?;
    let shipped = Extractor::new()?;
    let (extractors_tx, extractors_rx) =
        tokio::sync::watch::channel(Extractors::new(shipped.clone(), pipelines));
    let client = HttpClient::new(&options.client)?;
    let feeds = feeds_of(pipelines);

    let (items_tx, items_rx) = async_channel::bounded(CHANNEL);
    let (articles_tx, articles_rx) = async_channel::bounded(CHANNEL);
    let (new_tx, new_rx) = async_channel::bounded(CHANNEL);
    // Room for one full batch: a bigger transaction dirties each index page once
    // for more rows (store cost /1.6 at 100k articles, `cargo bench --bench scaling`).
    let (records_tx, records_rx) = async_channel::bounded(store::writer::BATCH);
    let (reports_tx, reports_rx) = async_channel::unbounded();
    {
        // Weak handles: a gauge must not keep a channel open after its stage ended.
        let mut depths = counters.depths.lock().expect("depths poisoned");
        let (a, b, c, d) = (
            items_rx.downgrade(),
            articles_rx.downgrade(),
            new_rx.downgrade(),
            records_rx.downgrade(),
        );
        depths.push((
            "fetch_to_pages",
            Box::new(move || a.upgrade().map_or(0, |r| r.len())),
        ));
        depths.push((
            "pages_to_dedupe",
            Box::new(move || b.upgrade().map_or(0, |r| r.len())),
        ));
        depths.push((
            "dedupe_to_extract",
            Box::new(move || c.upgrade().map_or(0, |r| r.len())),
        ));
        depths.push((
            "extract_to_store",
            Box::new(move || d.upgrade().map_or(0, |r| r.len())),
        ));
    }

    // The head: cancelled by `shutdown`, or by the writer when it stops for good,
    // so that nothing more is fetched for a store that cannot take it.
    let head = shutdown.child_token();
    let writer = store::Writer {
        conn,
        path: options.db.clone(),
        counts: counters.stored.clone(),
        stats: counters.store.clone(),
        health: counters.writer.clone(),
        policy: match options.mode {
            Mode::Once => store::RetryPolicy::ONCE,
            Mode::Forever => store::RetryPolicy::SERVICE,
        },
    };
    // Spawned last-to-first, so every stage has its consumer before it produces.
    let store_task = {
        let (head, shutdown) = (head.clone(), shutdown.clone());
        tokio::spawn(async move {
            let r = store::run(records_rx, reports_rx, writer, shutdown).await;
            if r.is_err() {
                head.cancel();
            }
            r
        })
    };
    let mut extract_tasks = Vec::new();
    for _ in 0..options.extract_workers.max(1) {
        let (rx, tx, ex, stats) = (
            new_rx.clone(),
            records_tx.clone(),
            extractors_rx.clone(),
            counters.extract.clone(),
        );
        extract_tasks.push(tokio::task::spawn_blocking(move || {
            crate::extract::run(rx, tx, ex, stats)
        }));
    }
    drop(new_rx);
    let reader = Reader::new(&options.db);
    let dedupe_task = {
        let (reader, stats) = (reader.clone(), counters.dedupe.clone());
        let records_tx = records_tx.clone();
        tokio::task::spawn_blocking(move || {
            crate::dedupe::run(articles_rx, new_tx, records_tx, reader, stats)
        })
    };
    let pages_task = tokio::spawn(fetch::pages::run(
        items_rx,
        articles_tx,
        records_tx,
        client.clone(),
        counters.pages.clone(),
        options.page_workers,
        head.clone(),
    ));

    let ctx = FetchContext {
        client,
        reader,
        reports: reports_tx,
        stats: counters.fetch.clone(),
        latency: counters.fetch_latency.clone(),
    };
    let api_stop = CancellationToken::new();
    let api = match options.listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| PipelineError::Stage(format!("cannot listen on {addr}: {e}")))?;
            info!(address = %listener.local_addr().map_or(addr, |a| a), "http api and web page listening");
            let state = crate::api::State::new(&options.db, Some(counters.clone()));
            Some(tokio::spawn(crate::api::serve(
                listener,
                state,
                api_stop.clone(),
            )))
        }
        None => None,
    };
    let ticker_stop = CancellationToken::new();
    let ticker = tokio::spawn(log_totals(
        counters.clone(),
        options.report_every,
        ticker_stop.clone(),
    ));

    let bar = options
        .progress
        .then(|| progress_bar(counters.clone(), feeds.len()));
    let polled = match options.mode {
        Mode::Once => fetch::poll_once(feeds, ctx, items_tx, head).await,
        Mode::Forever => {
            let n = feeds.len();
            let (feeds_tx, feeds_rx) = tokio::sync::watch::channel(feeds);
            let watcher = options.watch.clone().map(|dir| {
                let (tx, rx) = tokio::sync::watch::channel(pipelines.to_vec());
                let publish = tokio::spawn(publish(rx, shipped, feeds_tx, extractors_tx));
                let watch = tokio::spawn(crate::config::watch(
                    dir,
                    pipelines.to_vec(),
                    tx,
                    head.clone(),
                ));
                (watch, publish)
            });
            fetch::poll_forever(feeds_rx, ctx, items_tx, head).await;
            if let Some((watch, publish)) = watcher {
                let _ = watch.await;
                let _ = publish.await;
            }
            fetch::PollSummary { ok: n, failed: 0 }
        }
    };
    info!("polling stopped; draining the pipeline");

    // The head is done; each stage now ends as its input closes.
    let join = |e: tokio::task::JoinError| PipelineError::Stage(e.to_string());
    pages_task.await.map_err(join)?;
    dedupe_task.await.map_err(join)?;
    for t in extract_tasks {
        t.await.map_err(join)?;
    }
    let stored = store_task.await.map_err(join)?;
    ticker_stop.cancel();
    let _ = ticker.await;
    if let Some((stop, task)) = bar {
        stop.cancel();
        let _ = task.await;
    }
    api_stop.cancel();
    if let Some(api) = api {
        let _ = api.await;
    }
    stored?;
    counters.log();

    let (entries, _, _) = counters.fetch.snapshot();
    let (_, _, page_errors) = counters.pages.snapshot();
    Ok(Summary {
        feeds_polled: polled.ok + polled.failed,
        feeds_failed: polled.failed,
        entries_new: entries,
        articles_new: StoreCounts::get(&counters.stored.articles),
        articles_duplicate: StoreCounts::get(&counters.stored.duplicates),
        articles_filtered: StoreCounts::get(&counters.stored.filtered),
        articles_failed: page_errors,
        claims: StoreCounts::get(&counters.stored.claims),
    })
}
