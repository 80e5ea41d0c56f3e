//! Feed leases: instances sharing one database take due feeds with
//! `FOR UPDATE SKIP LOCKED` and write who holds each and until when on the feed
//! row, so a feed is polled by one instance at a time, and an instance that dies
//! loses its feeds to the others when its leases run out.

use chrono::{DateTime, Utc};

use super::{PgError, Postgres};
use crate::store::ts;

/// A feed this instance may poll until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub feed_id: i64,
    pub url: String,
    pub until: DateTime<Utc>,
}

/// Adds the feeds a pipeline names that the database does not have yet (due at
/// once); feeds another instance added are left as they are.
pub async fn register(db: &Postgres, pipeline: &str, urls: &[String]) -> Result<(), PgError> {
    let client = db.client().await?;
    client
        .execute(
            "INSERT INTO feeds (url, pipeline) SELECT u, $2 FROM unnest($1::text[]) AS u
             ON CONFLICT (url) DO NOTHING",
            &[&urls, &pipeline],
        )
        .await
        .map_err(|e| db.query_error(&e))?;
    Ok(())
}

/// Leases up to `limit` of `urls` that are due at `now` and that nobody holds (or
/// whose holder's lease ran out), oldest due first, to `owner` until `until`. Rows
/// another instance is leasing at this moment are skipped, not waited for.
pub async fn take_due(
    db: &Postgres,
    owner: &str,
    urls: &[String],
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Lease>, PgError> {
    let client = db.client().await?;
    let (now_s, until_s) = (ts(now), ts(until));
    let rows = client
        .query(
            "WITH due AS (
                SELECT id FROM feeds
                WHERE url = ANY($1::text[])
                  AND (next_fetch_at IS NULL OR next_fetch_at <= $2)
                  AND (lease_until IS NULL OR lease_until <= $2)
                ORDER BY next_fetch_at NULLS FIRST, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED
             )
             UPDATE feeds f SET lease_owner = $4, lease_until = $5
             FROM due WHERE f.id = due.id
             RETURNING f.id, f.url",
            &[&urls, &now_s, &limit, &owner, &until_s],
        )
        .await
        .map_err(|e| db.query_error(&e))?;
    Ok(rows
        .iter()
        .map(|r| Lease {
            feed_id: r.get(0),
            url: r.get(1),
            until,
        })
        .collect())
}

/// Hands a polled feed back, due again at `next_fetch_at`. False when the lease
/// had run out and another instance holds the feed now: its poll then stands, and
/// this one's schedule is not written over it.
pub async fn release(
    db: &Postgres,
    owner: &str,
    lease: &Lease,
    next_fetch_at: DateTime<Utc>,
) -> Result<bool, PgError> {
    let client = db.client().await?;
    let n = client
        .execute(
            "UPDATE feeds SET lease_owner = NULL, lease_until = NULL, next_fetch_at = $3
             WHERE id = $1 AND lease_owner = $2",
            &[&lease.feed_id, &owner, &ts(next_fetch_at)],
        )
        .await
        .map_err(|e| db.query_error(&e))?;
    Ok(n == 1)
}
