//! The store stage: the one writer. Commits records in batches, then the feed
//! reports whose poll tickets those commits released.
//!
//! Input: `Record`s (bounded) and `FeedReport`s (unbounded, small). Output: rows.
//! Failure policy: writes are idempotent (unique canonical URL, unique claim
//! identity, one row per feed entry), so a replay after a crash adds nothing. A
//! commit that fails for a cause that may pass (locked, disk full) is logged,
//! counted, marked on the writer's health and retried with backoff, holding its
//! batch (and so the fetch behind it); one that cannot pass (read-only, damaged),
//! or outlasts the policy, ends the stage with the error, which ends the run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::failure::{Backoff, Cause, RetryPolicy};
use super::{StoreError, ts};
use crate::config::FeedConfig;
use crate::extract::EXTRACTOR_VERSION;
use crate::model::{ExtractedArticle, FeedReport, PollOutcome, Record, Skip};
use crate::stats::{StageStats, StoreCounts, WriterHealth};

/// Most records in one transaction (the records channel holds as many).
pub const BATCH: usize = 1024;

/// The writer's connection and what it reports to.
pub struct Writer {
    pub conn: Connection,
    pub path: PathBuf,
    pub counts: Arc<StoreCounts>,
    pub stats: Arc<StageStats>,
    pub health: Arc<WriterHealth>,
    pub policy: RetryPolicy,
}

/// Runs until `records` closes, then records the last feed reports and returns.
/// `shutdown` only shortens how long a failing commit is retried.
pub async fn run(
    records: async_channel::Receiver<Record>,
    reports: async_channel::Receiver<FeedReport>,
    writer: Writer,
    shutdown: CancellationToken,
) -> Result<(), StoreError> {
    let mut writer = Some(Box::new(writer));
    let mut reports_open = true;
    loop {
        tokio::select! {
            biased;
            first = records.recv() => {
                let Ok(first) = first else { break };
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match records.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                writer = Some(blocking(writer.take(), &shutdown, move |w, shutdown| {
                    let n = batch.len() as u64;
                    w.stats.add_input(n);
                    let counts = w.counts.clone();
                    w.commit(shutdown, |c| write_records(c, &batch, &counts))?;
                    w.stats.add_output(n);
                    w.checkpoint_if_tight();
                    // `batch` is dropped here, after the commit: that releases the
                    // poll tickets, whose reports come back through `reports`.
                    drop(batch);
                    Ok(())
                }).await?);
            }
            report = reports.recv(), if reports_open => {
                let Ok(report) = report else { reports_open = false; continue };
                let mut all = vec![report];
                while let Ok(r) = reports.try_recv() { all.push(r); }
                writer = Some(blocking(writer.take(), &shutdown, move |w, shutdown| {
                    w.commit(shutdown, |c| write_reports(c, &all))
                }).await?);
            }
        }
    }
    // Every item is gone now, so every ticket has been released.
    let mut rest = Vec::new();
    while let Ok(r) = reports.try_recv() {
        rest.push(r);
    }
    if !rest.is_empty() {
        blocking(writer.take(), &shutdown, move |w, shutdown| {
            w.commit(shutdown, |c| write_reports(c, &rest))
        })
        .await?;
    }
    Ok(())
}

/// Runs `work` with the writer on a blocking thread and hands the writer back.
async fn blocking(
    writer: Option<Box<Writer>>,
    shutdown: &CancellationToken,
    work: impl FnOnce(&mut Writer, &CancellationToken) -> Result<(), StoreError> + Send + 'static,
) -> Result<Box<Writer>, StoreError> {
    let mut writer = writer.expect("the writer always gets its connection back");
    let shutdown = shutdown.clone();
    let (writer, result) = tokio::task::spawn_blocking(move || {
        let r = work(&mut writer, &shutdown);
        (writer, r)
    })
    .await
    .map_err(|e| StoreError::Join(e.to_string()))?;
    result?;
    Ok(writer)
}

impl Writer {
    /// Runs the transaction `work` until it commits, retrying a cause that may pass
    /// with backoff; the transaction rolls back on each failure, so a retry starts
    /// clean.
    fn commit(
        &mut self,
        shutdown: &CancellationToken,
        mut work: impl FnMut(&mut Connection) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut backoff = Backoff::new();
        loop {
            let e = match work(&mut self.conn) {
                Ok(()) => {
                    if self.health.recovered() {
                        info!(db = %self.path.display(), "writer recovered; commits go through again");
                    }
                    return Ok(());
                }
                Err(e) => e,
            };
            self.stats.error();
            let cause = Cause::of(&e);
            let failing_for = started.elapsed();
            if !cause.may_pass() || self.policy.gives_up(failing_for, shutdown.is_cancelled()) {
                error!(db = %self.path.display(), %cause, error = %e, failing_s = failing_for.as_secs(), "commit failed; the writer stops");
                return Err(StoreError::Write {
                    path: self.path.clone(),
                    cause,
                    detail: e.to_string(),
                    failing_s: failing_for.as_secs(),
                });
            }
            let wait = backoff.step();
            warn!(db = %self.path.display(), %cause, error = %e, retry_in_ms = wait.as_millis() as u64, "commit failed; retrying (nothing is lost: the batch is held)");
            self.health.failing(format!("{cause}: {e}"));
            if cause == Cause::DiskFull {
                // The WAL may be what fills the disk; folding it back into the
                // database frees its space.
                self.checkpoint();
            }
            sleep_unless(shutdown, wait);
        }
    }

    /// With little free space left on the database's volume, the WAL is folded back
    /// after every batch instead of growing to the checkpoint threshold (64 MiB).
    fn checkpoint_if_tight(&mut self) {
        if super::disk_is_tight(&self.path) {
            self.checkpoint();
        }
    }

    fn checkpoint(&mut self) {
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            debug!(db = %self.path.display(), error = %e, "checkpoint failed");
        }
    }
}

/// Sleeps for `wait`, or a second once shutdown has been asked for (the last
/// attempts then come quickly, and the policy ends them).
fn sleep_unless(shutdown: &CancellationToken, wait: std::time::Duration) {
    let start = Instant::now();
    let one_second = std::time::Duration::from_secs(1);
    loop {
        let limit = if shutdown.is_cancelled() {
            wait.min(one_second)
        } else {
            wait
        };
        let Some(left) = limit.checked_sub(start.elapsed()).filter(|d| !d.is_zero()) else {
            return;
        };
        std::thread::sleep(left.min(std::time::Duration::from_millis(100)));
    }
}

/// Feed row ids of one transaction: a batch holds many records of few feeds, and
/// each lookup is an upsert (a write), so each feed's is done once.
#[derive(Default)]
struct FeedIds(std::collections::HashMap<String, i64>);

impl FeedIds {
    fn get(&mut self, tx: &Transaction<'_>, feed: &FeedConfig) -> rusqlite::Result<i64> {
        if let Some(id) = self.0.get(feed.url.as_str()) {
            return Ok(*id);
        }
        let id = feed_id(tx, feed)?;
        self.0.insert(feed.url.to_string(), id);
        Ok(id)
    }
}

fn feed_id(tx: &Transaction<'_>, feed: &FeedConfig) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO feeds (url, pipeline) VALUES (?1, ?2)
         ON CONFLICT(url) DO UPDATE SET pipeline = excluded.pipeline
         RETURNING id",
    )?
    .query_row((feed.url.as_str(), &feed.pipeline), |r| r.get(0))
}

/// Writes one batch of records in one transaction.
pub fn write_records(
    conn: &mut Connection,
    batch: &[Record],
    counts: &StoreCounts,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let last_claim: i64 =
        tx.query_row("SELECT COALESCE(MAX(id), 0) FROM claims", [], |r| r.get(0))?;
    let now = ts(Utc::now());
    let mut feed_ids = FeedIds::default();
    let watch = super::changes::Watch::before(&tx, figure_keys(batch))?;
    let (mut articles, mut claims, mut dups, mut filtered) = (0, 0, 0, 0);
    for record in batch {
        match record {
            Record::Article(a) => {
                let feed = feed_ids.get(&tx, &a.new.article.feed)?;
                match insert_article(&tx, feed, a)? {
                    Some((id, n)) => {
                        articles += 1;
                        claims += n;
                        let key = &a.new.article.entry_key;
                        entry(&tx, feed, key, "stored", Some(id), None, &now)?;
                    }
                    None => {
                        dups += 1;
                        let key = &a.new.article.entry_key;
                        entry(&tx, feed, key, "duplicate", None, None, &now)?;
                    }
                }
            }
            Record::Skipped(s) => {
                let feed = feed_ids.get(&tx, &s.feed)?;
                match s.reason {
                    Skip::Duplicate => dups += 1,
                    Skip::Filtered => filtered += 1,
                    // Counted by the pages stage, which refused it.
                    Skip::RefusedLink => {}
                }
                let detail = s.detail.as_deref();
                entry(
                    &tx,
                    feed,
                    &s.entry_key,
                    s.reason.as_str(),
                    None,
                    detail,
                    &now,
                )?;
            }
        }
    }
    // The batch's claims into the search index in one statement (see migration 5).
    tx.prepare_cached(
        "INSERT INTO claims_fts (rowid, sentence) SELECT id, sentence FROM claims WHERE id > ?1",
    )?
    .execute([last_claim])?;
    let changes = watch.record_added(&tx, last_claim)?;
    tx.commit()?;
    StoreCounts::add(&counts.articles, articles);
    StoreCounts::add(&counts.claims, claims);
    StoreCounts::add(&counts.duplicates, dups);
    StoreCounts::add(&counts.filtered, filtered);
    debug!(
        records = batch.len(),
        articles, claims, changes, "committed batch"
    );
    Ok(())
}

/// The figures a batch's claims belong to.
fn figure_keys(batch: &[Record]) -> std::collections::BTreeSet<crate::figures::FigureKey> {
    let mut keys = std::collections::BTreeSet::new();
    for record in batch {
        if let Record::Article(a) = record {
            keys.extend(claim_keys(&a.new.article.feed.pipeline, &a.claims));
        }
    }
    keys
}

/// The figures of `claims` of `event`.
pub fn claim_keys<'a>(
    event: &'a str,
    claims: &'a [crate::model::Claim],
) -> impl Iterator<Item = crate::figures::FigureKey> + 'a {
    claims.iter().map(move |c| {
        (
            event.to_string(),
            c.kind.as_str().to_string(),
            c.who.as_str().to_string(),
            c.figure_place(),
        )
    })
}

fn entry(
    tx: &Transaction<'_>,
    feed: i64,
    key: &str,
    status: &str,
    article: Option<i64>,
    detail: Option<&str>,
    now: &str,
) -> rusqlite::Result<()> {
    // A second copy of an entry (a poll that came round while the first was
    // still being read) may reach the writer first, as a duplicate that skipped
    // extraction: the entry whose article is then stored is 'stored'.
    tx.prepare_cached(
        "INSERT INTO feed_entries (feed_id, entry_key, status, article_id, detail, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (feed_id, entry_key) DO UPDATE
            SET status = excluded.status, article_id = excluded.article_id, detail = NULL
            WHERE excluded.status = 'stored' AND feed_entries.status <> 'stored'",
    )?
    .execute(params![feed, key, status, article, detail, now])?;
    Ok(())
}

/// Inserts the article and its claims; `None` when the canonical URL is stored.
fn insert_article(
    tx: &Transaction<'_>,
    feed: i64,
    a: &ExtractedArticle,
) -> rusqlite::Result<Option<(i64, u64)>> {
    let art = &a.new.article;
    let outlet = outlet(&art.url);
    let id: Option<i64> = tx
        .prepare_cached(
            "INSERT INTO articles (canonical_url, url, feed_id, event, outlet, title, published_at,
                                   fetched_at, language, text, content_hash, story_id, extractor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(canonical_url) DO NOTHING RETURNING id",
        )?
        .query_row(
            params![
                a.new.canonical_url,
                art.url,
                feed,
                art.feed.pipeline,
                outlet,
                art.title,
                art.published.map(ts),
                ts(art.fetched_at),
                a.language,
                art.text,
                a.new.content_hash,
                a.new.story_id,
                EXTRACTOR_VERSION,
            ],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    insert_signature(tx, id, a)?;
    Ok(Some((
        id,
        insert_claims(tx, id, &art.feed.pipeline, &a.claims)?,
    )))
}

/// The article's MinHash signature and its band keys, for later stories.
fn insert_signature(tx: &Transaction<'_>, id: i64, a: &ExtractedArticle) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO article_minhash (article_id, signature) VALUES (?1, ?2)")?
        .execute(params![id, a.new.signature])?;
    let mut band =
        tx.prepare_cached("INSERT INTO story_bands (band_key, article_id) VALUES (?1, ?2)")?;
    for key in &a.new.band_keys {
        band.execute(params![key, id])?;
    }
    Ok(())
}

/// The claims of article `id` of `event`; how many were new.
pub fn insert_claims(
    tx: &Connection,
    id: i64,
    event: &str,
    claims: &[crate::model::Claim],
) -> rusqlite::Result<u64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO claims (article_id, event, kind, who, value, value_low, value_high, qualifier,
                             source, source_key, location, claimed_at, sentence, evidence,
                             span_start, span_end, spans, extractor, place, country, location_from,
                             part)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22)
         ON CONFLICT DO NOTHING",
    )?;
    let mut n = 0;
    for c in claims {
        let first = c
            .spans
            .first()
            .copied()
            .unwrap_or(crate::model::Span { start: 0, end: 0 });
        let spans = serde_json::to_string(&c.spans).unwrap_or_else(|_| "[]".into());
        n += stmt.execute(params![
            id,
            event,
            c.kind.as_str(),
            c.who.as_str(),
            c.value,
            c.value,
            c.value,
            c.qualifier.as_str(),
            c.source,
            c.source_key,
            c.location,
            c.claimed_on.map(|d| d.to_string()),
            c.sentence,
            c.evidence,
            first.start as i64,
            first.end as i64,
            spans,
            EXTRACTOR_VERSION,
            c.place,
            c.country,
            c.location_from.map(|l| l.as_str()),
            c.part,
        ])? as u64;
    }
    Ok(n)
}

/// The outlet of an article: its host without `www.`.
pub fn outlet(url: &str) -> Option<String> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// Records what each poll came to on its feed row.
pub fn write_reports(conn: &mut Connection, reports: &[FeedReport]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for r in reports {
        let id = feed_id(&tx, &r.feed)?;
        let polled = ts(r.polled_at);
        let next = ts(r.next_poll_at);
        match &r.outcome {
            PollOutcome::Fetched {
                etag,
                last_modified,
                entries,
                moved_to,
                ..
            } => {
                tx.prepare_cached(
                    "UPDATE feeds SET etag = ?2, last_modified = ?3, last_polled_at = ?4,
                        last_success_at = ?4, next_fetch_at = ?5, last_outcome = 'ok',
                        entries_last_poll = ?6, failures = 0, error_class = NULL, last_error = NULL,
                        moved_to = coalesce(?7, moved_to)
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    etag,
                    last_modified,
                    polled,
                    next,
                    *entries as i64,
                    moved_to
                ])?;
            }
            PollOutcome::NotModified => {
                tx.prepare_cached(
                    "UPDATE feeds SET last_polled_at = ?2, last_success_at = ?2, next_fetch_at = ?3,
                        last_outcome = 'not_modified', failures = 0, error_class = NULL, last_error = NULL
                     WHERE id = ?1",
                )?
                .execute(params![id, polled, next])?;
            }
            PollOutcome::Failed { class, message } => {
                tx.prepare_cached(
                    "UPDATE feeds SET last_polled_at = ?2, next_fetch_at = ?3, last_outcome = 'failed',
                        failures = failures + 1, error_class = ?4, last_error = ?5
                     WHERE id = ?1",
                )?
                .execute(params![id, polled, next, class.as_str(), message])?;
            }
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{
        Article, ExtractedArticle, FeedReport, NewArticle, PollOutcome, PollTicket,
    };

    #[test]
    fn an_entry_is_stored_when_its_duplicate_copy_was_written_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open(&dir.path().join("c.db")).unwrap();
        let feed = Arc::new(crate::config::FeedConfig::new(
            url::Url::parse("https://e.org/rss").unwrap(),
            "p",
        ));
        let (done, _reports) = async_channel::unbounded();
        let ticket = || {
            let report = FeedReport {
                feed: feed.clone(),
                polled_at: Utc::now(),
                next_poll_at: Utc::now(),
                outcome: PollOutcome::NotModified,
            };
            PollTicket::new(report, done.clone())
        };
        // The second poll's copy, found a duplicate of the first in flight.
        let copy = Record::Skipped(crate::model::SkippedEntry {
            feed: feed.clone(),
            entry_key: "e1".into(),
            reason: Skip::Duplicate,
            detail: None,
            poll: ticket(),
        });
        let article = Article {
            feed: feed.clone(),
            entry_key: "e1".into(),
            url: "https://e.org/a/1".into(),
            title: "t".into(),
            published: None,
            text: "text".into(),
            fetched_at: Utc::now(),
            poll: ticket(),
        };
        let first = Record::Article(Box::new(ExtractedArticle {
            new: NewArticle {
                article,
                canonical_url: "https://e.org/a/1".into(),
                content_hash: "h".into(),
                story_id: 1,
                signature: Vec::new(),
                band_keys: Vec::new(),
            },
            language: None,
            claims: Vec::new(),
        }));
        let counts = StoreCounts::default();
        write_records(&mut conn, &[copy], &counts).unwrap();
        write_records(&mut conn, &[first], &counts).unwrap();
        let (status, article): (String, Option<i64>) = conn
            .query_row(
                "SELECT status, article_id FROM feed_entries WHERE entry_key = 'e1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), article.is_some()), ("stored", true));
    }
}
