//! Dedupe stage: keeps articles that match the pipeline's keywords and are not
//! stored already (by canonical URL or by content hash), across restarts.
//!
//! Input: `Article`s. Output: `NewArticle`s to extract, and a `Record::Skipped` to
//! the store for every duplicate or filtered entry, so its feed does not offer it
//! again. Failure policy: if the database cannot be read the article goes on (the
//! store's unique keys still refuse a copy).

pub mod canonical;
pub mod minhash;
pub mod stories;

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tracing::warn;

pub use canonical::canonical_url;
use stories::{Candidate, StoryIndex};

use crate::model::{Article, NewArticle, Record, Skip, SkippedEntry};
use crate::stats::StageStats;
use crate::store::Reader;
use crate::text::{fold, matches_any};

/// How many keys of articles passed on but perhaps not yet stored are remembered.
/// Must exceed what the channels between dedupe and store can hold.
const IN_FLIGHT: usize = 8192;

/// The decision for one article.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    New {
        canonical_url: String,
        content_hash: String,
    },
    Skip(Skip),
}

/// The pure core: the keyword filter, plus the keys of articles passed on whose
/// storing may still be under way.
#[derive(Debug, Default)]
pub struct Deduper {
    in_flight: HashSet<String>,
    order: VecDeque<String>,
}

impl Deduper {
    /// Judges `article`; `stored` says whether a key is already in the database.
    pub fn check(&mut self, article: &Article, stored: impl Fn(&str, &str) -> bool) -> Verdict {
        if !matches_any(&article.feed.keywords, &[&article.title, &article.text]) {
            return Verdict::Skip(Skip::Filtered);
        }
        let canonical_url = canonical_url(&article.url);
        let content_hash = content_hash(&article.text);
        if self.in_flight.contains(&canonical_url)
            || self.in_flight.contains(&content_hash)
            || stored(&canonical_url, &content_hash)
        {
            return Verdict::Skip(Skip::Duplicate);
        }
        for key in [&canonical_url, &content_hash] {
            self.in_flight.insert(key.clone());
            self.order.push_back(key.clone());
        }
        while self.order.len() > IN_FLIGHT {
            if let Some(old) = self.order.pop_front() {
                self.in_flight.remove(&old);
            }
        }
        Verdict::New {
            canonical_url,
            content_hash,
        }
    }
}

/// Hash of the folded text, so that the same report with other spacing, case or
/// Arabic spelling variants is the same content.
pub fn content_hash(text: &str) -> String {
    let folded = fold(text);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut h = Sha256::new();
    h.update(words.join(" ").as_bytes());
    format!("{:x}", h.finalize())
}

/// The stage loop; runs on a blocking thread because it reads the database.
pub fn run(
    articles: async_channel::Receiver<Article>,
    new: async_channel::Sender<NewArticle>,
    records: async_channel::Sender<Record>,
    reader: Reader,
    stats: Arc<StageStats>,
) {
    let mut deduper = Deduper::default();
    let conn = reader.connect().map_err(|e| warn!(error = %e, "dedupe cannot open the database; relying on the store's unique keys")).ok();
    let max_story = conn
        .as_ref()
        .and_then(|c| crate::store::max_story_id(c).ok())
        .unwrap_or(0);
    let mut stories = StoryIndex::new(max_story);
    while let Ok(article) = articles.recv_blocking() {
        stats.input();
        let verdict = deduper.check(&article, |url, hash| {
            conn.as_ref()
                .map(|c| crate::store::is_stored(c, url, hash).unwrap_or(false))
                .unwrap_or(false)
        });
        let sent = match verdict {
            Verdict::New {
                canonical_url,
                content_hash,
            } => {
                stats.output();
                let signature = minhash::of_text(&article.text);
                let story_id = stories.assign(&signature, article.feed.story_threshold, |keys| {
                    conn.as_ref()
                        .map(|c| {
                            crate::store::story_candidates(c, keys)
                                .map(|rows| rows.into_iter().map(Candidate::from_row).collect())
                                .unwrap_or_else(|e| {
                                    warn!(error = %e, "cannot read the story index");
                                    Vec::new()
                                })
                        })
                        .unwrap_or_default()
                });
                new.send_blocking(NewArticle {
                    article,
                    canonical_url,
                    content_hash,
                    story_id,
                    band_keys: minhash::band_keys(&signature),
                    signature: minhash::to_bytes(&signature),
                })
                .is_ok()
            }
            Verdict::Skip(reason) => records
                .send_blocking(Record::Skipped(SkippedEntry {
                    feed: article.feed,
                    entry_key: article.entry_key,
                    reason,
                    detail: None,
                    poll: article.poll,
                }))
                .is_ok(),
        };
        if !sent {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FeedConfig;
    use crate::model::{FeedReport, PollOutcome, PollTicket};

    fn article(url: &str, text: &str, keywords: &[&str]) -> Article {
        let feed = Arc::new(FeedConfig {
            keywords: keywords.iter().map(|k| fold(k)).collect(),
            ..FeedConfig::new(url::Url::parse("https://e.org/rss").unwrap(), "p")
        });
        let (tx, _rx) = async_channel::unbounded();
        let report = FeedReport {
            feed: feed.clone(),
            polled_at: chrono::Utc::now(),
            next_poll_at: chrono::Utc::now(),
            outcome: PollOutcome::Failed {
                class: crate::model::FailureClass::Other,
                message: String::new(),
            },
        };
        Article {
            feed,
            entry_key: url.into(),
            url: url.into(),
            title: String::new(),
            published: None,
            text: text.into(),
            fetched_at: chrono::Utc::now(),
            poll: PollTicket::new(report, tx),
        }
    }

    #[test]
    fn the_same_url_or_text_passes_once() {
        let mut d = Deduper::default();
        let never = |_: &str, _: &str| false;
        assert!(matches!(
            d.check(
                &article("https://e.org/a?utm_source=x", "One text.", &[]),
                never
            ),
            Verdict::New { .. }
        ));
        assert_eq!(
            d.check(&article("https://E.org/a#top", "Other text.", &[]), never),
            Verdict::Skip(Skip::Duplicate)
        );
        assert_eq!(
            d.check(&article("https://e.org/b", "one   TEXT.", &[]), never),
            Verdict::Skip(Skip::Duplicate)
        );
        assert!(matches!(
            d.check(&article("https://e.org/c", "Third.", &[]), never),
            Verdict::New { .. }
        ));
    }

    #[test]
    fn what_the_database_holds_is_a_duplicate() {
        let mut d = Deduper::default();
        let v = d.check(&article("https://e.org/a", "x", &[]), |url, _| {
            url == "https://e.org/a"
        });
        assert_eq!(v, Verdict::Skip(Skip::Duplicate));
    }

    #[test]
    fn keywords_filter_articles() {
        let mut d = Deduper::default();
        let never = |_: &str, _: &str| false;
        assert_eq!(
            d.check(
                &article("https://e.org/a", "Protests in Minsk", &["Almaty"]),
                never
            ),
            Verdict::Skip(Skip::Filtered)
        );
        assert!(matches!(
            d.check(
                &article("https://e.org/b", "اشتباكات في أَلماتي", &["ألماتي"]),
                never
            ),
            Verdict::New { .. }
        ));
    }
}
