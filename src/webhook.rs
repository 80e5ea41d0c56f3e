//! The webhook deliverer: POSTs each change of a figure (see
//! [`crate::store::changes`]) to the `[[alert]]` URLs of its event's pipeline, in
//! order, as JSON. The outbox is the database: an alert's cursor moves past a
//! change only when the receiver answered 2xx, in the transaction that records
//! the delivery, so a failure is retried with backoff and a restart resumes where
//! the last run stopped. Delivery is at least once; `id` names the change for a
//! receiver that must see it once.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{AlertConfig, Pipeline};
use crate::fetch::{FetchError, HttpClient};
use crate::figures::Change;
use crate::stats::StageStats;
use crate::store::alerts::{self, Attempt, Outcome};
use crate::store::changes::{self, ChangeFilter, StoredChange};
use crate::store::{self, StoreError};

/// How often pending changes are looked for.
const POLL: Duration = Duration::from_millis(500);
/// The first wait after a failure; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Changes read from the outbox at a time.
const BATCH: u32 = 100;

/// Whether `alert` asks to hear of `change`.
pub fn wanted(alert: &AlertConfig, change: &Change) -> bool {
    (alert.kinds.is_empty() || alert.kinds.iter().any(|k| k.as_str() == change.kind))
        && (alert.who.is_empty() || alert.who.iter().any(|w| w.as_str() == change.who))
        && change.size() >= alert.min_change
}

/// The wait after `failures` failures in a row, or what the receiver asked for.
pub fn backoff(failures: u32, asked: Option<Duration>) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(1 << failures.saturating_sub(1).min(16));
    asked.unwrap_or(doubled).min(MAX_BACKOFF)
}

pub fn alerts_of(pipelines: &[Pipeline]) -> Vec<AlertConfig> {
    pipelines.iter().flat_map(|p| p.alerts.clone()).collect()
}

/// Why a round of deliveries for one alert stopped early.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error(transparent)]
    Post(#[from] FetchError),
    #[error("webhook outbox: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("webhook outbox task failed: {0}")]
    Join(String),
}

/// The deliverer: the database it reads and records in, the client it posts with.
#[derive(Clone)]
pub struct Webhooks {
    conn: Arc<Mutex<Connection>>,
    client: HttpClient,
    stats: Arc<StageStats>,
}

/// When an alert may be tried next.
#[derive(Debug, Clone, Copy)]
struct Due {
    failures: u32,
    at: Instant,
}

impl Webhooks {
    pub fn new(db: &Path, client: HttpClient) -> Result<Self, StoreError> {
        Ok(Webhooks {
            conn: Arc::new(Mutex::new(store::open(db)?)),
            client,
            stats: Arc::new(StageStats::new("webhooks")),
        })
    }

    /// Counts into the running pipeline's counters.
    pub fn counted(mut self, stats: Arc<StageStats>) -> Self {
        self.stats = stats;
        self
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SendError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().expect("outbox connection poisoned");
            f(&mut conn)
        })
        .await
        .map_err(|e| SendError::Join(e.to_string()))?
        .map_err(SendError::Store)
    }

    /// Creates the cursors of alerts not seen before. Called before the pipeline
    /// writes, so that a new alert hears of every change from this run on.
    pub fn start(&self, alerts: &[AlertConfig]) -> Result<(), rusqlite::Error> {
        let conn = self.conn.lock().expect("outbox connection poisoned");
        for a in alerts {
            alerts::start(&conn, &a.key(), &a.event)?;
        }
        Ok(())
    }

    /// Sends `alert` its pending changes in order until none is left, one fails or
    /// `stop` is cancelled; how many were delivered.
    async fn send_pending(
        &self,
        alert: &AlertConfig,
        stop: &CancellationToken,
    ) -> Result<usize, SendError> {
        let mut sent = 0;
        loop {
            let (key, event) = (alert.key(), alert.event.clone());
            let pending = self
                .with_conn(move |c| {
                    let after = alerts::cursor(c, &key)?.unwrap_or_default();
                    let filter = ChangeFilter {
                        event: Some(event),
                        after,
                        newest_first: false,
                        limit: BATCH,
                    };
                    changes::list(c, &filter)
                })
                .await?;
            if pending.is_empty() {
                return Ok(sent);
            }
            for change in pending {
                if stop.is_cancelled() {
                    return Ok(sent);
                }
                if self.send(alert, &change).await? {
                    sent += 1;
                }
            }
        }
    }

    /// One change to one alert: skipped (cursor moved) when the filter does not
    /// want it, else posted and the attempt recorded. Whether it was posted.
    async fn send(&self, alert: &AlertConfig, change: &StoredChange) -> Result<bool, SendError> {
        let (key, id) = (alert.key(), change.id);
        if !wanted(alert, &change.change) {
            self.with_conn(move |c| alerts::advance(c, &key, id))
                .await?;
            return Ok(false);
        }
        self.stats.input();
        let count_key = key.clone();
        let attempt = self
            .with_conn(move |c| alerts::attempts(c, &count_key, id))
            .await?
            + 1;
        let body = serde_json::to_vec(change).expect("a change serialises");
        let headers = [
            ("x-claimwire-change", id.to_string()),
            ("x-claimwire-attempt", attempt.to_string()),
        ];
        let posted = self.client.post_json(&alert.url, &headers, body).await;
        let (outcome, http_status, error) = match &posted {
            Ok(status) => (Outcome::Delivered, Some(*status), None),
            Err(e @ FetchError::Blocked { .. }) => (Outcome::Blocked, None, Some(e.to_string())),
            Err(e @ FetchError::Status { status, .. }) => {
                (Outcome::Failed, Some(*status), Some(e.to_string()))
            }
            Err(e) => (Outcome::Failed, None, Some(e.to_string())),
        };
        self.with_conn(move |c| {
            alerts::record(
                c,
                &Attempt {
                    alert: &key,
                    change: id,
                    attempt,
                    outcome,
                    http_status,
                    error,
                },
            )
        })
        .await?;
        match posted {
            Ok(_) => {
                self.stats.output();
                Ok(true)
            }
            Err(e) => {
                self.stats.error();
                warn!(alert = %alert.url, change = id, attempt, error = %e, "webhook delivery failed");
                Err(SendError::Post(e))
            }
        }
    }

    /// One round for each alert, no retries: what `claimwire once` does at its end.
    pub async fn flush(&self, alerts: &[AlertConfig]) {
        let stop = CancellationToken::new();
        for a in alerts {
            if let Err(e) = self.send_pending(a, &stop).await {
                warn!(alert = %a.url, error = %e, "webhook changes left for the next run");
            }
        }
    }

    /// Delivers until `stop` is cancelled, following the pipelines as they are
    /// reloaded; each alert backs off on its own.
    pub async fn run(self, mut pipelines: watch::Receiver<Vec<Pipeline>>, stop: CancellationToken) {
        let mut due: HashMap<String, Due> = HashMap::new();
        let mut started: BTreeSet<String> = BTreeSet::new();
        loop {
            let alerts = alerts_of(&pipelines.borrow_and_update());
            let keys: BTreeSet<String> = alerts.iter().map(AlertConfig::key).collect();
            if keys != started {
                match self.start(&alerts) {
                    Ok(()) => started = keys,
                    Err(e) => warn!(error = %e, "cannot start webhook cursors"),
                }
            }
            let mut wake = Instant::now() + POLL;
            for a in &alerts {
                let key = a.key();
                let now = Instant::now();
                if let Some(d) = due.get(&key).filter(|d| d.at > now) {
                    wake = wake.min(d.at);
                    continue;
                }
                match self.send_pending(a, &stop).await {
                    Ok(n) => {
                        if n > 0 {
                            info!(alert = %a.url, delivered = n, "webhook changes delivered");
                        }
                        due.remove(&key);
                    }
                    Err(e) => {
                        let failures = due.get(&key).map_or(0, |d| d.failures) + 1;
                        let asked = match &e {
                            SendError::Post(p) => p.retry_after(),
                            _ => None,
                        };
                        let at = Instant::now() + backoff(failures, asked);
                        wake = wake.min(at);
                        due.insert(key, Due { failures, at });
                    }
                }
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep_until(wake) => {}
                _ = pipelines.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{ChangeKind, Status};
    use crate::model::{Kind, Who};

    fn change(kind: &str, who: &str, value: i64, previous: Option<i64>) -> Change {
        Change {
            event: "e".into(),
            kind: kind.into(),
            who: who.into(),
            location: None,
            change: ChangeKind::NewValue,
            value,
            qualifier: "exact".into(),
            shown: value.to_string(),
            previous,
            source: None,
            claim: 1,
            status: Status::Revised,
            revision: true,
            words: String::new(),
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn an_alert_hears_only_of_its_kinds_groups_and_large_enough_moves() {
        let alert = AlertConfig {
            url: "http://hooks.example/x".parse().unwrap(),
            event: "e".into(),
            kinds: vec![Kind::Killed],
            who: vec![Who::Civilians, Who::People],
            min_change: 10,
        };
        assert!(wanted(&alert, &change("killed", "people", 30, Some(20))));
        assert!(
            !wanted(&alert, &change("killed", "people", 29, Some(20))),
            "moved 9"
        );
        assert!(
            wanted(&alert, &change("killed", "civilians", 12, None)),
            "a new figure of 12"
        );
        assert!(!wanted(&alert, &change("injured", "people", 300, None)));
        assert!(!wanted(&alert, &change("killed", "security", 300, None)));
        let all = AlertConfig {
            kinds: vec![],
            who: vec![],
            min_change: 0,
            ..alert
        };
        assert!(wanted(&all, &change("injured", "security", 1, Some(1))));
    }

    #[test]
    fn backoff_doubles_to_a_cap_and_follows_retry_after() {
        assert_eq!(backoff(1, None), Duration::from_millis(500));
        assert_eq!(backoff(2, None), Duration::from_secs(1));
        assert_eq!(backoff(4, None), Duration::from_secs(4));
        assert_eq!(backoff(40, None), MAX_BACKOFF);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(backoff(1, Some(Duration::from_secs(7200))), MAX_BACKOFF);
    }
}
