//! The poll half of the fetch stage: each feed on its schedule, a conditional
//! GET, and its entries not seen before passed on as [`FeedItem`]s; the feed row
//! learns how each poll went (a [`FeedReport`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use super::client::{Body, FetchError, Fetched, HttpClient, Validators};
use super::feed::{self, ParsedFeed};
use super::schedule::{self, Poll};
use crate::config::FeedConfig;
use crate::model::{FeedItem, FeedReport, PollOutcome, PollTicket};
use crate::stats::StageStats;
use crate::store::Reader;

/// How many feeds are polled at once.
pub const MAX_CONCURRENT_POLLS: usize = 8;

/// What the fetch stage needs besides its channels.
#[derive(Clone)]
pub struct FetchContext {
    pub client: HttpClient,
    pub reader: Reader,
    pub reports: async_channel::Sender<FeedReport>,
    pub stats: Arc<StageStats>,
    pub latency: Arc<crate::stats::Histogram>,
}

/// What the poller keeps of a feed between polls (and loads from its row at start).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub validators: Validators,
    pub failures: u32,
    /// Where the feed lives now, after a permanent redirect.
    pub moved_to: Option<Url>,
    pub next_fetch_at: Option<DateTime<Utc>>,
}

impl Cursor {
    async fn load(feed: &FeedConfig, reader: &Reader) -> Cursor {
        match reader.feed_state(feed.url.as_str()).await {
            Ok(Some(s)) => Cursor {
                validators: Validators {
                    etag: s.etag,
                    last_modified: s.last_modified,
                },
                failures: s.failures,
                moved_to: s.moved_to.and_then(|u| Url::parse(&u).ok()),
                next_fetch_at: s.next_fetch_at,
            },
            Ok(None) => Cursor::default(),
            Err(e) => {
                warn!(feed = %feed.url, error = %e, "cannot read the feed's state; polling it from scratch");
                Cursor::default()
            }
        }
    }
}

/// What one poll came to, before anything is sent on.
enum Polled {
    Failed(FetchError),
    NotModified { fresh_for: Option<Duration> },
    Fetched { body: Box<Body>, parsed: ParsedFeed },
}

impl Polled {
    /// A conditional GET of `url`, and the feed parsed if a body came.
    async fn fetch(url: &Url, cursor: &Cursor, ctx: &FetchContext) -> Polled {
        let started = std::time::Instant::now();
        let fetched = ctx.client.get_if_changed(url, &cursor.validators).await;
        ctx.latency.observe(started.elapsed());
        match fetched {
            Ok(Fetched::NotModified { fresh_for }) => Polled::NotModified { fresh_for },
            Ok(Fetched::Body(body)) => {
                let base = body.final_url.clone().unwrap_or_else(|| url.clone());
                match feed::parse(&body.bytes, body.content_type.as_deref(), &base) {
                    Ok(parsed) => Polled::Fetched { body, parsed },
                    Err(e) => Polled::Failed(e),
                }
            }
            Err(e) => Polled::Failed(e),
        }
    }

    /// When to poll again: with backoff after failures (or when the server says),
    /// else on the feed's interval, stretched by its TTL or freshness.
    fn next_delay(&self, failures: u32, every: Duration) -> Duration {
        let poll = match self {
            Polled::Failed(e) => Poll::Failed {
                failures,
                retry_after: e.retry_after(),
            },
            Polled::NotModified { fresh_for } => Poll::Ok {
                ttl: None,
                fresh_for: *fresh_for,
            },
            Polled::Fetched { body, parsed } => Poll::Ok {
                ttl: parsed.ttl,
                fresh_for: body.fresh_for,
            },
        };
        schedule::next_delay(poll, every, schedule::jitter())
    }
}

/// The feed row's record of one poll.
fn report(
    feed: &Arc<FeedConfig>,
    polled_at: DateTime<Utc>,
    delay: Duration,
    outcome: PollOutcome,
) -> FeedReport {
    FeedReport {
        feed: feed.clone(),
        polled_at,
        next_poll_at: polled_at + chrono::Duration::from_std(delay).unwrap_or_default(),
        outcome,
    }
}

/// Polls one feed: a conditional GET, then its entries not seen before go to
/// `items`. Updates `cursor` and returns when to poll again.
pub async fn poll_feed(
    feed: &Arc<FeedConfig>,
    cursor: &mut Cursor,
    ctx: &FetchContext,
    items: &async_channel::Sender<FeedItem>,
) -> Duration {
    let polled_at = Utc::now();
    let url = cursor.moved_to.clone().unwrap_or_else(|| feed.url.clone());
    let polled = Polled::fetch(&url, cursor, ctx).await;
    cursor.failures = match polled {
        Polled::Failed(_) => cursor.failures + 1,
        _ => 0,
    };
    let delay = polled.next_delay(cursor.failures, feed.poll_every);
    match polled {
        Polled::Failed(e) => {
            ctx.stats.error();
            warn!(feed = %url, pipeline = %feed.pipeline, outcome = "failed", class = %e.class(), failures = cursor.failures, retry_in_s = delay.as_secs(), error = %e, "polled feed");
            let outcome = PollOutcome::Failed {
                class: e.class(),
                message: e.to_string(),
            };
            let _ = ctx
                .reports
                .send(report(feed, polled_at, delay, outcome))
                .await;
        }
        Polled::NotModified { .. } => {
            info!(feed = %url, pipeline = %feed.pipeline, outcome = "not_modified", "polled feed");
            let outcome = PollOutcome::NotModified;
            let _ = ctx
                .reports
                .send(report(feed, polled_at, delay, outcome))
                .await;
        }
        Polled::Fetched { body, parsed } => {
            let at = (polled_at, delay);
            pass_on_new(feed, &url, cursor, ctx, items, *body, parsed, at).await;
        }
    }
    delay
}

/// Sends the entries of a fetched feed that it has not offered before, each with
/// the poll's ticket: the feed row is written once they are all stored.
#[allow(clippy::too_many_arguments)]
async fn pass_on_new(
    feed: &Arc<FeedConfig>,
    url: &Url,
    cursor: &mut Cursor,
    ctx: &FetchContext,
    items: &async_channel::Sender<FeedItem>,
    body: Body,
    parsed: ParsedFeed,
    (polled_at, delay): (DateTime<Utc>, Duration),
) {
    if let Some(moved) = &body.moved_to {
        info!(feed = %feed.url, moved_to = %moved, "feed moved permanently; polling its new address from now on");
        cursor.moved_to = Some(moved.clone());
    }
    let entries = parsed.entries;
    let keys: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
    let seen = match ctx
        .reader
        .seen_entries(feed.url.as_str(), keys.clone())
        .await
    {
        Ok(seen) => seen,
        Err(e) => {
            // Without the list of seen entries every entry goes on; dedupe and the
            // idempotent store still keep the database right.
            warn!(feed = %feed.url, error = %e, "cannot read seen entries");
            Default::default()
        }
    };
    let fresh: Vec<_> = entries
        .into_iter()
        .filter(|e| !seen.contains(&e.key))
        .collect();
    cursor.validators = Validators {
        etag: body.etag.clone(),
        last_modified: body.last_modified.clone(),
    };
    let outcome = PollOutcome::Fetched {
        etag: body.etag,
        last_modified: body.last_modified,
        entries: keys.len(),
        new_entries: fresh.len(),
        moved_to: body.moved_to.map(String::from),
    };
    let ticket = PollTicket::new(report(feed, polled_at, delay, outcome), ctx.reports.clone());
    info!(feed = %url, pipeline = %feed.pipeline, outcome = "ok", entries = keys.len(), new_entries = fresh.len(), "polled feed");
    for entry in fresh {
        ctx.stats.input();
        let item = FeedItem {
            feed: feed.clone(),
            entry,
            poll: ticket.clone(),
        };
        if items.send(item).await.is_err() {
            return;
        }
    }
    ticket.seal();
}

/// Polls every feed once, at most [`MAX_CONCURRENT_POLLS`] at a time, then returns
/// (dropping `items`, which lets the rest of the pipeline drain).
pub async fn poll_once(
    feeds: Vec<Arc<FeedConfig>>,
    ctx: FetchContext,
    items: async_channel::Sender<FeedItem>,
    shutdown: CancellationToken,
) -> PollSummary {
    let limit = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let mut polls = JoinSet::new();
    for feed in feeds {
        let (ctx, items, limit, shutdown) =
            (ctx.clone(), items.clone(), limit.clone(), shutdown.clone());
        polls.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let mut cursor = Cursor::load(&feed, &ctx.reader).await;
            tokio::select! {
                _ = shutdown.cancelled() => None,
                _ = poll_feed(&feed, &mut cursor, &ctx, &items) => Some(cursor.failures == 0),
            }
        });
    }
    drop(items);
    let mut summary = PollSummary::default();
    while let Some(done) = polls.join_next().await {
        match done {
            Ok(Some(true)) => summary.ok += 1,
            Ok(Some(false)) => summary.failed += 1,
            Ok(None) | Err(_) => {}
        }
    }
    summary
}

/// One feed's polls, each after the delay the last one asked for, until `stop`
/// (the feed removed or changed) or `shutdown`. `resume`: at start-up a feed keeps
/// its stored schedule; one added or changed later is polled at once.
async fn poll_on_schedule(
    feed: Arc<FeedConfig>,
    ctx: FetchContext,
    items: async_channel::Sender<FeedItem>,
    limit: Arc<Semaphore>,
    resume: bool,
    stop: CancellationToken,
    shutdown: CancellationToken,
) {
    let mut cursor = Cursor::load(&feed, &ctx.reader).await;
    let mut wait = if resume {
        cursor
            .next_fetch_at
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .unwrap_or_default()
            .min(schedule::MAX_BACKOFF)
    } else {
        Duration::ZERO
    };
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let _permit = limit.acquire().await;
        // A poll under way finishes even if the feed is removed meanwhile; only
        // shutdown interrupts it.
        tokio::select! {
            _ = shutdown.cancelled() => return,
            delay = poll_feed(&feed, &mut cursor, &ctx, &items) => wait = delay,
        }
    }
}

/// Polls every feed on its own schedule until `shutdown`. A feed whose row says
/// it is not due yet (after a restart) waits until it is. `feeds` may change while
/// running (hot reload): a new or changed feed is polled at once with its new
/// settings, a removed one stops after any poll under way.
pub async fn poll_forever(
    mut feeds: tokio::sync::watch::Receiver<Vec<Arc<FeedConfig>>>,
    ctx: FetchContext,
    items: async_channel::Sender<FeedItem>,
    shutdown: CancellationToken,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let mut tasks = JoinSet::new();
    let mut running: std::collections::HashMap<String, (Arc<FeedConfig>, CancellationToken)> =
        Default::default();
    let mut first = true;
    loop {
        let wanted: Vec<Arc<FeedConfig>> = feeds.borrow_and_update().clone();
        let keep: std::collections::HashSet<String> =
            wanted.iter().map(|f| f.url.to_string()).collect();
        running.retain(|url, (_, stop)| {
            let stays = keep.contains(url);
            if !stays {
                info!(feed = %url, "feed removed; no longer polled");
                stop.cancel();
            }
            stays
        });
        for feed in wanted {
            let key = feed.url.to_string();
            if let Some((old, stop)) = running.get(&key) {
                if **old == *feed {
                    continue;
                }
                info!(feed = %key, "feed settings changed; polling with the new ones");
                stop.cancel();
            } else if !first {
                info!(feed = %key, pipeline = %feed.pipeline, "feed added");
            }
            let stop = shutdown.child_token();
            running.insert(key, (feed.clone(), stop.clone()));
            let (ctx, items, limit, resume, shutdown) = (
                ctx.clone(),
                items.clone(),
                limit.clone(),
                first,
                shutdown.clone(),
            );
            tasks.spawn(async move {
                poll_on_schedule(feed, ctx, items, limit, resume, stop, shutdown).await
            });
        }
        first = false;
        tokio::select! {
            _ = shutdown.cancelled() => break,
            changed = feeds.changed() => {
                if changed.is_err() {
                    // Nobody will change the feeds again: run until shutdown.
                    shutdown.cancelled().await;
                    break;
                }
            }
        }
    }
    drop(items);
    while tasks.join_next().await.is_some() {}
}

#[derive(Debug, Default, Clone, Copy)]
pub struct PollSummary {
    pub ok: usize,
    pub failed: usize,
}
