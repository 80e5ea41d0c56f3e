//! Fetch stage: polls feeds (HTTP or `file://`), parses them, and turns each entry
//! not seen before into an [`Article`] with text, fetching the linked page when the
//! feed asks for it.
//!
//! Input: the feeds of the loaded pipelines. Output: `Article`s, and a
//! [`FeedReport`] per poll (via the poll ticket, or at once on failure).
//! Failure policy: a feed that cannot be fetched or parsed is reported on its row
//! and polled again later; a page that cannot be fetched is skipped and its entry
//! stays unseen, so the next poll retries it.

pub mod client;
pub mod feed;
pub mod page;

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use client::{FetchError, HttpClient};

use crate::config::FeedConfig;
use crate::model::{Article, FeedItem, FeedReport, PollOutcome, PollTicket};
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
}

/// Polls one feed and sends its new entries to `items`. Returns how many were new.
pub async fn poll_feed(
    feed: Arc<FeedConfig>,
    ctx: &FetchContext,
    items: &async_channel::Sender<FeedItem>,
) -> Result<usize, FetchError> {
    let polled_at = Utc::now();
    let fetched = ctx.client.get(&feed.url).await;
    let parsed = fetched.and_then(|body| {
        let entries = feed::parse(&body.bytes, &feed.url)?;
        Ok((body, entries))
    });
    let (body, entries) = match parsed {
        Ok(ok) => ok,
        Err(e) => {
            ctx.stats.error();
            let _ = ctx
                .reports
                .send(FeedReport {
                    feed: feed.clone(),
                    polled_at,
                    outcome: PollOutcome::Failed {
                        class: e.class(),
                        message: e.to_string(),
                    },
                })
                .await;
            return Err(e);
        }
    };
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
    let ticket = PollTicket::new(
        FeedReport {
            feed: feed.clone(),
            polled_at,
            outcome: PollOutcome::Fetched {
                etag: body.etag,
                last_modified: body.last_modified,
                entries: keys.len(),
                new_entries: fresh.len(),
            },
        },
        ctx.reports.clone(),
    );
    let new = fresh.len();
    info!(feed = %feed.url, pipeline = %feed.pipeline, outcome = "ok", entries = keys.len(), new_entries = new, "polled feed");
    for entry in fresh {
        ctx.stats.input();
        let item = FeedItem {
            feed: feed.clone(),
            entry_key: entry.key,
            link: entry.link,
            title: entry.title,
            published: entry.published,
            text: entry.text,
            poll: ticket.clone(),
        };
        if items.send(item).await.is_err() {
            return Ok(new);
        }
    }
    ticket.seal();
    Ok(new)
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
            tokio::select! {
                _ = shutdown.cancelled() => None,
                r = poll_feed(feed.clone(), &ctx, &items) => Some(log_poll(&feed, r)),
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

/// Polls every feed on its own interval until `shutdown`.
pub async fn poll_forever(
    feeds: Vec<Arc<FeedConfig>>,
    ctx: FetchContext,
    items: async_channel::Sender<FeedItem>,
    shutdown: CancellationToken,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let mut tasks = JoinSet::new();
    for feed in feeds {
        let (ctx, items, limit, shutdown) =
            (ctx.clone(), items.clone(), limit.clone(), shutdown.clone());
        tasks.spawn(async move {
            loop {
                {
                    let _permit = limit.acquire().await;
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        r = poll_feed(feed.clone(), &ctx, &items) => { log_poll(&feed, r); }
                    }
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(feed.poll_every) => {}
                }
            }
        });
    }
    drop(items);
    while tasks.join_next().await.is_some() {}
}

fn log_poll(feed: &FeedConfig, r: Result<usize, FetchError>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => {
            warn!(feed = %feed.url, pipeline = %feed.pipeline, outcome = "failed", class = e.class(), error = %e, "polled feed");
            false
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct PollSummary {
    pub ok: usize,
    pub failed: usize,
}

/// Turns a feed item into an article: the feed's text, or the linked page's main
/// text when the feed asks for it.
pub async fn article(item: FeedItem, client: &HttpClient) -> Result<Article, FetchError> {
    let FeedItem {
        feed,
        entry_key,
        link,
        mut title,
        mut published,
        mut text,
        poll,
    } = item;
    let url = link
        .clone()
        .unwrap_or_else(|| format!("{}#{}", feed.url, entry_key));
    if feed.fetch_article {
        if let Some(link) = link.as_deref().and_then(|l| url::Url::parse(l).ok()) {
            let body = client
                .get(&link)
                .await
                .inspect_err(|_| poll.mark_incomplete())?;
            let page = page::main_text(&body.bytes, body.content_type.as_deref());
            if !page.text.trim().is_empty() {
                text = page.text;
            }
            if title.is_empty() {
                title = page.title.unwrap_or_default();
            }
            // The page's own date is the publication date; the feed's is a fallback.
            published = page.published.or(published);
        }
    }
    Ok(Article {
        feed,
        entry_key,
        url,
        title,
        published,
        text,
        fetched_at: Utc::now(),
        poll,
    })
}

/// The page-fetching half of the stage: `workers` tasks share one receiver. On
/// shutdown no new page is started; pages under way finish, and entries still
/// queued are released unprocessed, so the next poll offers them again.
pub async fn run_articles(
    items: async_channel::Receiver<FeedItem>,
    articles: async_channel::Sender<Article>,
    client: HttpClient,
    stats: Arc<StageStats>,
    workers: usize,
    shutdown: CancellationToken,
) {
    let mut set = JoinSet::new();
    for _ in 0..workers.max(1) {
        let (items, articles, client, stats, shutdown) = (
            items.clone(),
            articles.clone(),
            client.clone(),
            stats.clone(),
            shutdown.clone(),
        );
        set.spawn(async move {
            loop {
                let item = tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => break,
                    item = items.recv() => match item {
                        Ok(item) => item,
                        Err(_) => break,
                    },
                };
                let link = item.link.clone();
                match article(item, &client).await {
                    Ok(a) => {
                        stats.output();
                        if articles.send(a).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        stats.error();
                        warn!(link = link.as_deref().unwrap_or("-"), class = e.class(), error = %e, "article page not fetched; entry left for the next poll");
                    }
                }
            }
            while let Ok(item) = items.try_recv() {
                item.poll.mark_incomplete();
            }
        });
    }
    drop(articles);
    while set.join_next().await.is_some() {}
}
