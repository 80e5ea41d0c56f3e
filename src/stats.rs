//! Counters every stage keeps: items in, out and failed, plus what the store wrote.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use tracing::info;

/// Counters of one stage.
#[derive(Debug, Default)]
pub struct StageStats {
    pub name: &'static str,
    input: AtomicU64,
    output: AtomicU64,
    errors: AtomicU64,
}

impl StageStats {
    pub fn new(name: &'static str) -> Self {
        StageStats {
            name,
            ..Default::default()
        }
    }
    pub fn input(&self) {
        self.input.fetch_add(1, Relaxed);
    }
    pub fn output(&self) {
        self.output.fetch_add(1, Relaxed);
    }
    pub fn error(&self) {
        self.errors.fetch_add(1, Relaxed);
    }
    pub fn add_input(&self, n: u64) {
        self.input.fetch_add(n, Relaxed);
    }
    pub fn add_output(&self, n: u64) {
        self.output.fetch_add(n, Relaxed);
    }
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.input.load(Relaxed),
            self.output.load(Relaxed),
            self.errors.load(Relaxed),
        )
    }
}

/// What the store committed.
#[derive(Debug, Default)]
pub struct StoreCounts {
    pub articles: AtomicU64,
    pub duplicates: AtomicU64,
    pub filtered: AtomicU64,
    pub claims: AtomicU64,
}

impl StoreCounts {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Relaxed)
    }
}

/// Whether the writer can commit: set while its commits fail, cleared by the next
/// one that succeeds. `/healthz` answers 503 with the reason while it is set.
#[derive(Debug, Default)]
pub struct WriterHealth(std::sync::Mutex<Option<WriterTrouble>>);

/// Since when, and why, the writer has not been able to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterTrouble {
    pub since: chrono::DateTime<chrono::Utc>,
    pub reason: String,
}

impl WriterHealth {
    /// A commit failed for `reason`; the first failure of a run of them sets `since`.
    pub fn failing(&self, reason: String) {
        let mut t = self.0.lock().expect("writer health poisoned");
        let since = t.as_ref().map_or_else(chrono::Utc::now, |t| t.since);
        *t = Some(WriterTrouble { since, reason });
    }

    /// A commit succeeded. Whether the writer was failing until now.
    pub fn recovered(&self) -> bool {
        self.0
            .lock()
            .expect("writer health poisoned")
            .take()
            .is_some()
    }

    pub fn trouble(&self) -> Option<WriterTrouble> {
        self.0.lock().expect("writer health poisoned").clone()
    }
}

/// Upper bounds (seconds) of the fetch-latency histogram buckets.
pub const LATENCY_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A Prometheus-style latency histogram.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    /// Sum in microseconds.
    sum_us: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: std::time::Duration) {
        let secs = d.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.buckets[i].fetch_add(1, Relaxed);
            }
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_us.fetch_add(d.as_micros() as u64, Relaxed);
    }

    /// Cumulative counts per bucket, total count, and sum in seconds.
    pub fn snapshot(&self) -> (Vec<u64>, u64, f64) {
        (
            self.buckets.iter().map(|b| b.load(Relaxed)).collect(),
            self.count.load(Relaxed),
            self.sum_us.load(Relaxed) as f64 / 1e6,
        )
    }
}

/// Reads how many items wait in one channel, without keeping it open.
pub type Depth = Box<dyn Fn() -> usize + Send + Sync>;

/// The counters of every stage of one run.
pub struct Counters {
    pub fetch: Arc<StageStats>,
    pub pages: Arc<StageStats>,
    pub dedupe: Arc<StageStats>,
    pub extract: Arc<StageStats>,
    pub store: Arc<StageStats>,
    /// Changes posted to webhooks: in, delivered, failed attempts.
    pub webhooks: Arc<StageStats>,
    pub stored: Arc<StoreCounts>,
    pub fetch_latency: Arc<Histogram>,
    /// Whether the writer can commit (`/healthz`).
    pub writer: Arc<WriterHealth>,
    /// Items waiting in each channel between stages.
    pub depths: std::sync::Mutex<Vec<(&'static str, Depth)>>,
}

impl std::fmt::Debug for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counters")
            .field("fetch", &self.fetch)
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            fetch: Arc::new(StageStats::new("fetch")),
            pages: Arc::new(StageStats::new("pages")),
            dedupe: Arc::new(StageStats::new("dedupe")),
            extract: Arc::new(StageStats::new("extract")),
            store: Arc::new(StageStats::new("store")),
            webhooks: Arc::new(StageStats::new("webhooks")),
            stored: Arc::new(StoreCounts::default()),
            fetch_latency: Arc::default(),
            writer: Arc::default(),
            depths: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Counters {
    /// Logs the run's totals in one line.
    pub fn log(&self) {
        let (items, _, feed_errors) = self.fetch.snapshot();
        let (_, _, page_errors) = self.pages.snapshot();
        let (_, new, _) = self.dedupe.snapshot();
        info!(
            entries = items,
            feed_errors,
            page_errors,
            articles_new = new,
            stored = StoreCounts::get(&self.stored.articles),
            duplicates = StoreCounts::get(&self.stored.duplicates),
            filtered = StoreCounts::get(&self.stored.filtered),
            claims = StoreCounts::get(&self.stored.claims),
            "totals"
        );
    }
}
