//! Re-extraction: reads the stored text of every article an older extractor read
//! (or all of them) with the current one and replaces that article's claims, one
//! article per transaction, so that a run killed halfway leaves each article
//! either done or untouched and a second run finishes the job. It writes beside a
//! running `claimwire run`: a lock is waited for, not fought.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::Pipeline;
use crate::extract::{Extractor, Extractors, LexiconError};
use crate::store::rewrite::{self, Diff};
use crate::store::{self, Cause, StoreError};

/// Why re-extraction stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReextractError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error("database {}: {source}", path.display())]
    Query {
        path: std::path::PathBuf,
        source: rusqlite::Error,
    },
}

/// How long one article's transaction waits for a lock held by another writer.
const LOCK_PATIENCE: Duration = Duration::from_secs(120);

/// Which articles to re-read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub event: Option<String>,
    /// Every article, not only those another extractor version read.
    pub all: bool,
}

/// Re-extracts the articles of `scope` in `db` with the extractor of
/// `pipelines` (their places and countries); `progress` hears after each
/// article how many are done of how many. The summary of what changed.
pub fn run(
    db: &Path,
    pipelines: &[Pipeline],
    scope: &Scope,
    mut progress: impl FnMut(u64, u64),
) -> Result<Diff, ReextractError> {
    let query = |source| ReextractError::Query {
        path: db.to_path_buf(),
        source,
    };
    let mut conn = store::open(db)?;
    let extractors = Extractors::new(Extractor::new()?, pipelines);
    let ids = rewrite::stale(&conn, scope.event.as_deref(), scope.all).map_err(query)?;
    let total = ids.len() as u64;
    let mut summary = Diff::default();
    for (done, id) in ids.into_iter().enumerate() {
        // An article deleted since the list was read is simply not there.
        if let Some(article) = rewrite::text(&conn, id).map_err(query)? {
            let found = extractors.for_pipeline(&article.event).extract(
                &article.text,
                article.language.as_deref(),
                article.published,
            );
            let diff = patiently(|| {
                rewrite::replace_claims(
                    &mut conn,
                    &article,
                    found.language.as_deref(),
                    &found.claims,
                )
            })
            .map_err(query)?;
            summary.add(&diff);
        }
        progress(done as u64 + 1, total);
    }
    Ok(summary)
}

/// `f`, again after a backoff while another writer holds the lock.
fn patiently<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = Instant::now();
    let mut backoff = store::failure::Backoff::new();
    loop {
        match f() {
            Err(e) if Cause::of(&e) == Cause::Locked && started.elapsed() < LOCK_PATIENCE => {
                std::thread::sleep(backoff.step());
            }
            other => return other,
        }
    }
}
