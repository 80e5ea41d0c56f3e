//! The page half of the fetch stage: each [`FeedItem`] becomes an [`Article`],
//! with the linked page's main text when its feed asks for it; a link that may not
//! be followed is recorded as refused.

use std::sync::Arc;

use chrono::Utc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::warn;
use url::Url;

use super::client::{self, FetchError, HttpClient};
use super::page;
use crate::model::{Article, FeedEntry, FeedItem, Record, Skip, SkippedEntry};
use crate::stats::StageStats;

/// Why an entry's link is refused, if it is. A link comes from the network, so it
/// must be an http(s) URL: only the pipeline file's author may name a local file
/// (a feed's own `url`), and `javascript:` or `data:` links are neither followed
/// nor stored. An entry without a link is filed under its feed's URL.
pub fn refused_link(link: Option<&str>) -> Option<String> {
    let link = link?;
    let shown: String = link.chars().take(200).collect();
    match Url::parse(link) {
        Ok(url) => client::refused_scheme(&url).map(|why| format!("{why}: {shown}")),
        Err(e) => Some(format!("link is not a url ({e}): {shown}")),
    }
}

/// Turns a feed item into an article: the feed's text, or the linked page's main
/// text when the feed asks for it. The link must have passed [`refused_link`].
pub async fn article(item: FeedItem, client: &HttpClient) -> Result<Article, FetchError> {
    let FeedItem { feed, entry, poll } = item;
    let FeedEntry {
        key: entry_key,
        link,
        mut title,
        mut published,
        mut text,
    } = entry;
    let url = link
        .clone()
        .unwrap_or_else(|| format!("{}#{}", feed.url, entry_key));
    if feed.fetch_article {
        if let Some(link) = link.as_deref().and_then(|l| Url::parse(l).ok()) {
            let body = client
                .get(&link)
                .await
                .inspect_err(|_| poll.mark_incomplete())?;
            let page = page::main_text_at(
                &body.bytes,
                body.content_type.as_deref(),
                body.final_url.as_ref(),
            );
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

/// The entry as the store records it when its link is refused.
fn refused(item: FeedItem, why: String) -> Record {
    warn!(feed = %item.feed.url, entry = %item.entry.key, reason = %why, "entry refused: its link is not followed or stored");
    Record::Skipped(SkippedEntry {
        feed: item.feed,
        entry_key: item.entry.key,
        reason: Skip::RefusedLink,
        detail: Some(why),
        poll: item.poll,
    })
}

/// The stage's page workers: `workers` tasks share one receiver. On
/// shutdown no new page is started; pages under way finish, and entries still
/// queued are released unprocessed, so the next poll offers them again. An entry
/// whose link is refused goes straight to the store (`records`), recorded with why.
pub async fn run(
    items: async_channel::Receiver<FeedItem>,
    articles: async_channel::Sender<Article>,
    records: async_channel::Sender<Record>,
    client: HttpClient,
    stats: Arc<StageStats>,
    workers: usize,
    shutdown: CancellationToken,
) {
    let mut set = JoinSet::new();
    for _ in 0..workers.max(1) {
        let (items, articles, records, client, stats, shutdown) = (
            items.clone(),
            articles.clone(),
            records.clone(),
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
                stats.input();
                if let Some(why) = refused_link(item.entry.link.as_deref()) {
                    stats.error();
                    if records.send(refused(item, why)).await.is_err() {
                        return;
                    }
                    continue;
                }
                let link = item.entry.link.clone();
                match article(item, &client).await {
                    Ok(a) => {
                        stats.output();
                        if articles.send(a).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        stats.error();
                        warn!(link = link.as_deref().unwrap_or("-"), class = %e.class(), error = %e, "article page not fetched; entry left for the next poll");
                    }
                }
            }
            while let Ok(item) = items.try_recv() {
                item.poll.mark_incomplete();
            }
        });
    }
    drop((articles, records));
    while set.join_next().await.is_some() {}
}
