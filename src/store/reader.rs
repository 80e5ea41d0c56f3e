//! What the stages other than the writer read: the fetch stage a feed's row and
//! the entries it has offered, dedupe whether an article is stored and the
//! stories it may join. Each read opens its own connection (WAL), so readers never
//! wait on the writer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use super::{StoreError, open_read};

/// Whether an article with this canonical URL or content hash is stored.
pub fn is_stored(
    conn: &Connection,
    canonical_url: &str,
    content_hash: &str,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM articles WHERE canonical_url = ?1
         UNION ALL SELECT 1 FROM articles WHERE content_hash = ?2 LIMIT 1",
    )?
    .query_row((canonical_url, content_hash), |_| Ok(()))
    .optional()
    .map(|r| r.is_some())
}

/// What the fetch stage needs to know of a feed from earlier polls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub failures: u32,
    pub moved_to: Option<String>,
    pub next_fetch_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The largest story id stored (0 for none).
pub fn max_story_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(story_id), 0) FROM articles", [], |r| {
        r.get(0)
    })
}

/// Stored articles sharing a band key with `keys`: each one's story and its
/// signature as stored (dedupe decodes it).
pub fn story_candidates(conn: &Connection, keys: &[i64]) -> rusqlite::Result<Vec<(i64, Vec<u8>)>> {
    let marks = vec!["?"; keys.len()].join(",");
    // A band key shared by very many articles (boilerplate) adds nothing but cost.
    let sql = format!(
        "SELECT a.story_id, m.signature FROM article_minhash m JOIN articles a ON a.id = m.article_id
         WHERE m.article_id IN (SELECT article_id FROM story_bands WHERE band_key IN ({marks}) LIMIT 64)
           AND a.story_id IS NOT NULL"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(keys), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// Read access for stages other than the writer: each use gets its own
/// connection, so readers never wait on the writer (WAL).
#[derive(Debug, Clone)]
pub struct Reader {
    path: PathBuf,
}

impl Reader {
    pub fn new(path: &Path) -> Self {
        Reader {
            path: path.to_path_buf(),
        }
    }

    pub fn connect(&self) -> Result<Connection, StoreError> {
        open_read(&self.path)
    }

    /// The feed's row, if it has been polled before.
    pub async fn feed_state(&self, feed_url: &str) -> Result<Option<FeedState>, StoreError> {
        let path = self.path.clone();
        let feed_url = feed_url.to_string();
        tokio::task::spawn_blocking(move || {
            if !path.exists() {
                return Ok(None);
            }
            let conn = open_read(&path)?;
            conn.query_row(
                "SELECT etag, last_modified, failures, moved_to, next_fetch_at FROM feeds WHERE url = ?1",
                [&feed_url],
                |r| {
                    let next: Option<String> = r.get(4)?;
                    Ok(FeedState {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        failures: r.get(2)?,
                        moved_to: r.get(3)?,
                        next_fetch_at: next
                            .and_then(|n| chrono::DateTime::parse_from_rfc3339(&n).ok())
                            .map(|d| d.with_timezone(&chrono::Utc)),
                    })
                },
            )
            .optional()
            .map_err(|source| StoreError::Query { path: path.clone(), source })
        })
        .await
        .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Which of `keys` the feed has offered before (stored, duplicate or filtered).
    pub async fn seen_entries(
        &self,
        feed_url: &str,
        keys: Vec<String>,
    ) -> Result<HashSet<String>, StoreError> {
        let path = self.path.clone();
        let feed_url = feed_url.to_string();
        tokio::task::spawn_blocking(move || {
            let conn = open_read(&path)?;
            let query_error = |source| StoreError::Query {
                path: path.clone(),
                source,
            };
            let mut stmt = conn
                .prepare_cached(
                    "SELECT 1 FROM feed_entries e JOIN feeds f ON f.id = e.feed_id
                     WHERE f.url = ?1 AND e.entry_key = ?2",
                )
                .map_err(query_error)?;
            let mut seen = HashSet::new();
            for key in keys {
                if stmt.exists((&feed_url, &key)).map_err(query_error)? {
                    seen.insert(key);
                }
            }
            Ok(seen)
        })
        .await
        .map_err(|e| StoreError::Join(e.to_string()))?
    }
}
