//! Read queries behind the CLI (and later the HTTP API).

use rusqlite::{Connection, params_from_iter, types::Value};
use serde::Serialize;

/// A stored claim with where it was reported.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredClaim {
    pub id: i64,
    pub event: String,
    pub kind: String,
    pub who: String,
    pub value: Option<f64>,
    pub qualifier: String,
    pub source: Option<String>,
    pub location: Option<String>,
    pub outlet: Option<String>,
    pub published_at: Option<String>,
    /// The day the claim refers to, when the text names one.
    pub claimed_at: Option<String>,
    pub story_id: Option<i64>,
    pub url: String,
    pub sentence: String,
    pub evidence: String,
    pub span_start: i64,
    pub span_end: i64,
}

/// Which claims to list.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub event: Option<String>,
    pub kind: Option<String>,
    /// In order of the time the claims refer to (else publication), not of storage.
    pub timeline: bool,
}

pub fn claims(conn: &Connection, filter: &ClaimFilter) -> rusqlite::Result<Vec<StoredClaim>> {
    let mut sql = String::from(
        "SELECT c.id, c.event, c.kind, c.who, c.value, c.qualifier, c.source, c.location,
                a.outlet, a.published_at, a.url, c.sentence, c.evidence, c.span_start, c.span_end,
                c.claimed_at, a.story_id
         FROM claims c JOIN articles a ON a.id = c.article_id WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(e) = &filter.event {
        sql.push_str(" AND c.event = ?");
        args.push(Value::Text(e.clone()));
    }
    if let Some(k) = &filter.kind {
        sql.push_str(" AND c.kind = ?");
        args.push(Value::Text(k.clone()));
    }
    sql.push_str(if filter.timeline {
        " ORDER BY coalesce(c.claimed_at, substr(a.published_at, 1, 10), substr(a.fetched_at, 1, 10)), a.published_at, c.article_id, c.span_start"
    } else {
        " ORDER BY coalesce(a.published_at, a.fetched_at), c.article_id, c.span_start"
    });
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(StoredClaim {
            id: r.get(0)?,
            event: r.get(1)?,
            kind: r.get(2)?,
            who: r.get(3)?,
            value: r.get(4)?,
            qualifier: r.get(5)?,
            source: r.get(6)?,
            location: r.get(7)?,
            outlet: r.get(8)?,
            published_at: r.get(9)?,
            url: r.get(10)?,
            sentence: r.get(11)?,
            evidence: r.get(12)?,
            span_start: r.get(13)?,
            span_end: r.get(14)?,
            claimed_at: r.get(15)?,
            story_id: r.get(16)?,
        })
    })?;
    rows.collect()
}

/// Counts of what the database holds, for summaries.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub feeds: i64,
    pub articles: i64,
    pub claims: i64,
}

pub fn totals(conn: &Connection) -> rusqlite::Result<Totals> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles), (SELECT count(*) FROM claims)",
        [],
        |r| {
            Ok(Totals {
                feeds: r.get(0)?,
                articles: r.get(1)?,
                claims: r.get(2)?,
            })
        },
    )
}

/// A feed's row as `claimwire feeds` shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeedStatus {
    pub url: String,
    pub pipeline: String,
    pub last_polled_at: Option<String>,
    pub last_outcome: Option<String>,
    pub next_fetch_at: Option<String>,
    pub failures: i64,
    pub error_class: Option<String>,
    pub last_error: Option<String>,
    pub moved_to: Option<String>,
    pub articles: i64,
}

pub fn feeds(conn: &Connection) -> rusqlite::Result<Vec<FeedStatus>> {
    let mut stmt = conn.prepare(
        "SELECT f.url, f.pipeline, f.last_polled_at, f.last_outcome, f.next_fetch_at, f.failures,
                f.error_class, f.last_error, f.moved_to,
                (SELECT count(*) FROM articles a WHERE a.feed_id = f.id)
         FROM feeds f ORDER BY f.pipeline, f.url",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FeedStatus {
            url: r.get(0)?,
            pipeline: r.get(1)?,
            last_polled_at: r.get(2)?,
            last_outcome: r.get(3)?,
            next_fetch_at: r.get(4)?,
            failures: r.get(5)?,
            error_class: r.get(6)?,
            last_error: r.get(7)?,
            moved_to: r.get(8)?,
            articles: r.get(9)?,
        })
    })?;
    rows.collect()
}
