//! Counters every stage keeps: items in, out and failed, plus what the store wrote.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

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
