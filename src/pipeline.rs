//! Builds the stages and the channels between them ([`build`]) into a [`Running`]
//! handle, and shuts down from the head: cancelling stops polling, and every later
//! stage ends when its input closes, so whatever was fetched is stored before
//! [`Running::drain`] returns.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::FeedConfig;
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

/// How to run; plain data, turned into running stages by [`build`].
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

/// Every feed of `pipelines`.
fn feeds_of(pipelines: &[Pipeline]) -> Vec<Arc<FeedConfig>> {
    pipelines
        .iter()
        .flat_map(|p| p.feeds.iter().cloned())
        .collect()
}

/// A running pipeline: the head's token, the stages' handles, and the channels a
/// reload publishes on.
pub struct Running {
    head: CancellationToken,
    counters: Arc<Counters>,
    reload: Reload,
    feeds_at_start: usize,
    poller: JoinHandle<fetch::PollSummary>,
    pages: JoinHandle<()>,
    dedupe: JoinHandle<()>,
    extract: Vec<JoinHandle<()>>,
    store: JoinHandle<Result<(), StoreError>>,
}

/// Publishes reloaded pipelines to the stages that read them: the extractors
/// (places, countries) to the extract workers, then the feeds to the poller.
#[derive(Clone)]
pub struct Reload {
    shipped: Extractor,
    feeds: Arc<watch::Sender<Vec<Arc<FeedConfig>>>>,
    extractors: Arc<watch::Sender<Extractors>>,
}

impl Reload {
    pub fn publish(&self, pipelines: &[Pipeline]) {
        // Extractors first: the new feeds' articles find their places ready.
        self.extractors
            .send_replace(Extractors::new(self.shipped.clone(), pipelines));
        self.feeds.send_replace(feeds_of(pipelines));
    }
}

/// The channels between the stages.
struct Channels {
    items: (
        async_channel::Sender<crate::model::FeedItem>,
        async_channel::Receiver<crate::model::FeedItem>,
    ),
    articles: (
        async_channel::Sender<crate::model::Article>,
        async_channel::Receiver<crate::model::Article>,
    ),
    new: (
        async_channel::Sender<crate::model::NewArticle>,
        async_channel::Receiver<crate::model::NewArticle>,
    ),
    records: (
        async_channel::Sender<crate::model::Record>,
        async_channel::Receiver<crate::model::Record>,
    ),
}

impl Channels {
    fn new() -> Self {
        Channels {
            items: async_channel::bounded(CHANNEL),
            articles: async_channel::bounded(CHANNEL),
            new: async_channel::bounded(CHANNEL),
            // Room for one full batch: a bigger transaction dirties each index page
            // once for more rows (store cost /1.6 at 100k articles, `cargo bench
            // --bench scaling`).
            records: async_channel::bounded(store::writer::BATCH),
        }
    }

    /// Gauges of how many items wait in each channel; weak handles, so that a
    /// gauge does not keep a channel open after its stage ended.
    fn gauge(&self, counters: &Counters) {
        let mut depths = counters.depths.lock().expect("depths poisoned");
        let (a, b, c, d) = (
            self.items.1.downgrade(),
            self.articles.1.downgrade(),
            self.new.1.downgrade(),
            self.records.1.downgrade(),
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
}

/// The store stage: the one writer. When it stops for good it cancels `head`, so
/// that nothing more is fetched for a store that cannot take it.
fn spawn_store(
    conn: rusqlite::Connection,
    counters: &Counters,
    options: &Options,
    records: async_channel::Receiver<crate::model::Record>,
    reports: async_channel::Receiver<crate::model::FeedReport>,
    head: &CancellationToken,
    shutdown: &CancellationToken,
) -> JoinHandle<Result<(), StoreError>> {
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
    let (head, shutdown) = (head.clone(), shutdown.clone());
    tokio::spawn(async move {
        let r = store::run(records, reports, writer, shutdown).await;
        if r.is_err() {
            head.cancel();
        }
        r
    })
}

/// The extract stage: `workers` blocking workers sharing one receiver, each
/// following reloads of the extractors.
fn spawn_extract(
    workers: usize,
    new: async_channel::Receiver<crate::model::NewArticle>,
    records: &async_channel::Sender<crate::model::Record>,
    extractors: &watch::Receiver<Extractors>,
    counters: &Counters,
) -> Vec<JoinHandle<()>> {
    (0..workers.max(1))
        .map(|_| {
            let (rx, tx, ex, stats) = (
                new.clone(),
                records.clone(),
                extractors.clone(),
                counters.extract.clone(),
            );
            tokio::task::spawn_blocking(move || crate::extract::run(rx, tx, ex, stats))
        })
        .collect()
}

/// The head: every feed once, or each on its interval (following reloads) until
/// `head` is cancelled.
fn spawn_poller(
    mode: Mode,
    feeds: Vec<Arc<FeedConfig>>,
    reloaded: watch::Receiver<Vec<Arc<FeedConfig>>>,
    ctx: FetchContext,
    items: async_channel::Sender<crate::model::FeedItem>,
    head: CancellationToken,
) -> JoinHandle<fetch::PollSummary> {
    match mode {
        Mode::Once => tokio::spawn(fetch::poll_once(feeds, ctx, items, head)),
        Mode::Forever => {
            let n = feeds.len();
            tokio::spawn(async move {
                fetch::poll_forever(reloaded, ctx, items, head).await;
                fetch::PollSummary { ok: n, failed: 0 }
            })
        }
    }
}

/// Builds and starts the stages for `pipelines`. Cancelling `shutdown` stops the
/// head (polling); the rest drains. In `Mode::Once` the head stops by itself
/// after one pass over the feeds.
pub fn build(
    pipelines: &[Pipeline],
    options: &Options,
    shutdown: &CancellationToken,
) -> Result<Running, PipelineError> {
    let counters = Arc::new(Counters::default());
    let conn = store::open(&options.db)?;
    let shipped = Extractor::new()?;
    let (extractors_tx, extractors_rx) =
        watch::channel(Extractors::new(shipped.clone(), pipelines));
    let client = HttpClient::new(&options.client)?;
    let feeds = feeds_of(pipelines);
    let feeds_at_start = feeds.len();
    let (feeds_tx, feeds_rx) = watch::channel(feeds.clone());
    let Channels {
        items,
        articles,
        new,
        records,
    } = {
        let channels = Channels::new();
        channels.gauge(&counters);
        channels
    };
    let (reports_tx, reports_rx) = async_channel::unbounded();

    // The head: cancelled by `shutdown`, or by the writer when it stops for good,
    // so that nothing more is fetched for a store that cannot take it.
    let head = shutdown.child_token();
    let store = spawn_store(
        conn, &counters, options, records.1, reports_rx, &head, shutdown,
    );
    let extract = spawn_extract(
        options.extract_workers,
        new.1,
        &records.0,
        &extractors_rx,
        &counters,
    );
    let reader = Reader::new(&options.db);
    let dedupe = {
        let (reader, stats, records) = (reader.clone(), counters.dedupe.clone(), records.0.clone());
        tokio::task::spawn_blocking(move || {
            crate::dedupe::run(articles.1, new.0, records, reader, stats)
        })
    };
    let pages = tokio::spawn(fetch::pages::run(
        items.1,
        articles.0,
        records.0,
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
    let poller = spawn_poller(options.mode, feeds, feeds_rx, ctx, items.0, head.clone());
    Ok(Running {
        head,
        counters,
        reload: Reload {
            shipped,
            feeds: Arc::new(feeds_tx),
            extractors: Arc::new(extractors_tx),
        },
        feeds_at_start,
        poller,
        pages,
        dedupe,
        extract,
        store,
    })
}

impl Running {
    /// The counters of every stage, for the API, the ticker and the progress bar.
    pub fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }

    /// How to publish reloaded pipelines to the running stages.
    pub fn reload(&self) -> Reload {
        self.reload.clone()
    }

    /// How many feeds the run started with.
    pub fn feeds(&self) -> usize {
        self.feeds_at_start
    }

    /// The head's token: cancelled when polling is to stop (or has stopped).
    pub fn head(&self) -> CancellationToken {
        self.head.clone()
    }

    /// Waits for the head to stop (by itself in `Mode::Once`, by `shutdown`
    /// otherwise), then for each stage in turn as its input closes, and says
    /// what the run did.
    pub async fn drain(self) -> Result<Summary, PipelineError> {
        let join = |e: tokio::task::JoinError| PipelineError::Stage(e.to_string());
        let polled = self.poller.await.map_err(join)?;
        info!("polling stopped; draining the pipeline");
        self.pages.await.map_err(join)?;
        self.dedupe.await.map_err(join)?;
        for t in self.extract {
            t.await.map_err(join)?;
        }
        self.store.await.map_err(join)??;
        let counters = self.counters;
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
}
