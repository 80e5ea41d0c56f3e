//! The items that flow between stages, named for their life; no I/O here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::FeedConfig;
pub use crate::labels::{FailureClass, Kind, Locus, Qualifier, Who, grouped};

/// One entry of a parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    /// Stable key of the entry within its feed (id, else link, else a content hash).
    pub key: String,
    pub link: Option<String>,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    /// Plain text of the entry's content or summary.
    pub text: String,
}

/// An entry not seen before, on its way to become an article: with its feed and
/// the ticket of the poll that found it.
#[derive(Debug)]
pub struct FeedItem {
    pub feed: Arc<FeedConfig>,
    pub entry: FeedEntry,
    pub poll: PollTicket,
}

/// An entry with its text: the feed's own, or the linked page's main text.
#[derive(Debug)]
pub struct Article {
    pub feed: Arc<FeedConfig>,
    pub entry_key: String,
    /// Where the article lives; the feed's URL plus the entry key when it has no link.
    pub url: String,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub text: String,
    pub fetched_at: DateTime<Utc>,
    pub poll: PollTicket,
}

/// An article that passed the keyword filter and was not stored before.
#[derive(Debug)]
pub struct NewArticle {
    pub article: Article,
    pub canonical_url: String,
    pub content_hash: String,
    /// The story (near-duplicate cluster) it belongs to.
    pub story_id: i64,
    /// Its MinHash signature as dedupe encodes it, stored for later articles to
    /// compare with; the store keeps it as given.
    pub signature: Vec<u8>,
    /// The signature's LSH band keys, by which later articles find it.
    pub band_keys: Vec<i64>,
}

/// A new article with its language and claims, ready to store.
#[derive(Debug)]
pub struct ExtractedArticle {
    pub new: NewArticle,
    pub language: Option<String>,
    pub claims: Vec<Claim>,
}

/// Why a feed entry was not stored as an article of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The same article (canonical URL or text) is stored already.
    Duplicate,
    /// None of the pipeline's keywords occur in it.
    Filtered,
    /// Its link is not an http(s) URL: only a pipeline file may name local files,
    /// and `javascript:` or `data:` links are never stored or followed.
    RefusedLink,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Duplicate => "duplicate",
            Skip::Filtered => "filtered",
            Skip::RefusedLink => "refused_link",
        }
    }
}

/// An entry that was read and judged not worth an article row; recorded so that the
/// next poll does not process it again.
#[derive(Debug)]
pub struct SkippedEntry {
    pub feed: Arc<FeedConfig>,
    pub entry_key: String,
    pub reason: Skip,
    /// Why, in words, when the reason alone does not say (the refused link).
    pub detail: Option<String>,
    pub poll: PollTicket,
}

/// What the store stage receives.
#[derive(Debug)]
pub enum Record {
    Article(Box<ExtractedArticle>),
    Skipped(SkippedEntry),
}

/// One figure as a report states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub kind: Kind,
    pub who: Who,
    /// `None` for a vague amount ("dozens"). People are counted whole.
    pub value: Option<i64>,
    pub qualifier: Qualifier,
    /// A part of a figure stated beside it ("including 10 children", "19 of the
    /// 225 dead"): never a figure's latest value.
    pub part: bool,
    pub source: Option<String>,
    pub source_key: Option<String>,
    /// Where, as the text writes it ("Харькове", "حلب").
    pub location: Option<String>,
    /// The place `location` names in the gazetteer, by its English name.
    pub place: Option<String>,
    /// Its ISO 3166-1 country code, when known.
    pub country: Option<String>,
    /// Whether the figure's own clause gave the place, or only the report's lead.
    pub location_from: Option<Locus>,
    /// The day the claim refers to, when the text names one ("on Thursday", "أمس"),
    /// resolved against the article's date.
    pub claimed_on: Option<chrono::NaiveDate>,
    pub sentence: String,
    /// The text of the first evidence span.
    pub evidence: String,
    /// Character (not byte) offsets of every span of the article stating this figure.
    pub spans: Vec<Span>,
}

impl Claim {
    /// The place its figure is kept under: the gazetteer's name, else the place
    /// as written; none when only the report's lead gave it, so that a national
    /// toll is not split from itself. (`store::figures` reads the same from rows.)
    pub fn figure_place(&self) -> Option<String> {
        match self.location_from {
            Some(Locus::Lead) => None,
            _ => self.place.clone().or_else(|| self.location.clone()),
        }
    }
}

/// Character offsets `[start, end)` into the article text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The feed cursor of one successful poll. It travels with every item of the poll
/// and is handed to the store only when the last of them is dropped, which the store
/// does after committing them: so a cursor is never committed before its articles
/// (design.md, delivery guarantee).
#[derive(Debug, Clone)]
pub struct PollTicket(Arc<PendingPoll>);

impl PollTicket {
    pub fn new(report: FeedReport, done: async_channel::Sender<FeedReport>) -> Self {
        PollTicket(Arc::new(PendingPoll {
            report: Some(report),
            done,
            incomplete: AtomicBool::new(false),
            sealed: AtomicBool::new(false),
        }))
    }

    /// Every entry of the poll has been handed on. A ticket dropped unsealed (the
    /// poll was cancelled midway) records the poll without its cursor.
    pub fn seal(&self) {
        self.0.sealed.store(true, Ordering::Relaxed);
    }

    /// An item of this poll could not be processed: the poll's entries are still
    /// recorded, but its ETag and Last-Modified are not, so that the next poll asks
    /// for the whole feed again and retries the item.
    pub fn mark_incomplete(&self) {
        self.0.incomplete.store(true, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct PendingPoll {
    report: Option<FeedReport>,
    done: async_channel::Sender<FeedReport>,
    incomplete: AtomicBool,
    sealed: AtomicBool,
}

impl Drop for PendingPoll {
    fn drop(&mut self) {
        if let Some(mut report) = self.report.take() {
            if self.incomplete.load(Ordering::Relaxed) || !self.sealed.load(Ordering::Relaxed) {
                if let PollOutcome::Fetched {
                    etag,
                    last_modified,
                    ..
                } = &mut report.outcome
                {
                    *etag = None;
                    *last_modified = None;
                }
            }
            // The report channel is unbounded; it is closed only when the store has
            // ended, and then there is nobody left to record the poll.
            let _ = self.done.try_send(report);
        }
    }
}

/// What one poll of a feed came to, for the feed's row.
#[derive(Debug, Clone)]
pub struct FeedReport {
    pub feed: Arc<FeedConfig>,
    pub polled_at: DateTime<Utc>,
    /// When the scheduler will poll it again.
    pub next_poll_at: DateTime<Utc>,
    pub outcome: PollOutcome,
}

#[derive(Debug, Clone)]
pub enum PollOutcome {
    Fetched {
        etag: Option<String>,
        last_modified: Option<String>,
        entries: usize,
        new_entries: usize,
        /// The feed answered through permanent redirects from here.
        moved_to: Option<String>,
    },
    /// 304: nothing new, nothing sent downstream.
    NotModified,
    Failed {
        class: FailureClass,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> (PollTicket, async_channel::Receiver<FeedReport>) {
        let feed = Arc::new(FeedConfig::new(
            url::Url::parse("https://e.org/rss").unwrap(),
            "p",
        ));
        let (tx, rx) = async_channel::unbounded();
        let report = FeedReport {
            feed,
            polled_at: Utc::now(),
            next_poll_at: Utc::now(),
            outcome: PollOutcome::Fetched {
                etag: Some("\"v1\"".into()),
                last_modified: Some("Thu, 06 Jan 2022 10:00:00 GMT".into()),
                entries: 2,
                new_entries: 2,
                moved_to: None,
            },
        };
        (PollTicket::new(report, tx), rx)
    }

    fn etag(rx: &async_channel::Receiver<FeedReport>) -> Option<String> {
        match rx.try_recv().unwrap().outcome {
            PollOutcome::Fetched { etag, .. } => etag,
            _ => panic!("not fetched"),
        }
    }

    #[test]
    fn a_value_is_shown_with_its_hedge() {
        assert_eq!(Qualifier::AtLeast.show(Some(8)), "≥ 8");
        assert_eq!(Qualifier::MoreThan.show(Some(100)), "> 100");
        assert_eq!(Qualifier::Approx.show(Some(6000)), "~6,000");
        assert_eq!(Qualifier::Exact.show(Some(1_234_567)), "1,234,567");
        assert_eq!(Qualifier::Vague.show(None), "(vague)");
    }

    #[test]
    fn the_cursor_is_reported_only_after_the_last_item_is_dropped() {
        let (t, rx) = ticket();
        let item = t.clone();
        t.seal();
        drop(t);
        assert!(rx.try_recv().is_err(), "an item still holds the poll");
        drop(item);
        assert_eq!(etag(&rx).as_deref(), Some("\"v1\""));
    }

    #[test]
    fn an_unsealed_or_incomplete_poll_keeps_no_cursor() {
        let (t, rx) = ticket();
        drop(t);
        assert_eq!(etag(&rx), None);
        let (t, rx) = ticket();
        t.seal();
        t.clone().mark_incomplete();
        drop(t);
        assert_eq!(etag(&rx), None);
    }
}
