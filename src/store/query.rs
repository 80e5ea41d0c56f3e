//! Read queries behind the CLI (and later the HTTP API).

use rusqlite::{Connection, params_from_iter, types::Value};
use serde::Serialize;

use crate::model::{Kind, Span, Who};

/// A stored claim with where it was reported: the fields of a `Claim` as
/// `claimwire extract --jsonl` prints them, under the same names, and the
/// article's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredClaim {
    pub id: i64,
    pub event: String,
    pub kind: String,
    pub who: String,
    pub value: Option<i64>,
    pub qualifier: String,
    pub part: bool,
    pub source: Option<String>,
    pub source_key: Option<String>,
    /// Where, as written.
    pub location: Option<String>,
    /// The gazetteer's name for it, and its ISO 3166-1 country code.
    pub place: Option<String>,
    pub country: Option<String>,
    /// `clause` when the figure's own clause names the place, `lead` when only
    /// the report's lead does.
    pub location_from: Option<String>,
    /// The day the claim refers to, when the text names one.
    pub claimed_on: Option<String>,
    pub sentence: String,
    pub evidence: String,
    pub spans: Vec<Span>,
    pub language: Option<String>,
    pub extractor: String,
    pub article_id: i64,
    pub url: String,
    pub outlet: Option<String>,
    pub published_at: Option<String>,
    pub story_id: Option<i64>,
}

impl StoredClaim {
    /// The day it is about: the one it names, else its article's publication day.
    pub fn day(&self) -> Option<&str> {
        self.claimed_on
            .as_deref()
            .or(self.published_at.as_deref())
            .map(|d| &d[..d.len().min(10)])
    }
}

/// Which claims to list.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub event: Option<String>,
    pub kind: Option<Kind>,
    pub who: Option<Who>,
    /// A part of the source as written, or its key.
    pub source: Option<String>,
    /// Claims referring to (else published on) this day or later, `YYYY-MM-DD`.
    pub since: Option<chrono::NaiveDate>,
    pub until: Option<chrono::NaiveDate>,
    /// Words that must all occur in the claim's sentence (full-text search).
    pub q: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
    /// Only this article's claims.
    pub article: Option<i64>,
}

/// The day a claim is about: the one it names, else its article's. Claims are
/// listed in its order, and the table shows it.
const CLAIM_DAY: &str =
    "coalesce(c.claimed_at, substr(a.published_at, 1, 10), substr(a.fetched_at, 1, 10))";

/// `q` as an FTS5 query: each word quoted, so user input is never query syntax.
fn fts_query(q: &str) -> String {
    q.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` for a LIKE pattern with `ESCAPE '\'`: its `%` and `_` are only themselves.
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn where_clause(filter: &ClaimFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" FROM claims c JOIN articles a ON a.id = c.article_id WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    let mut eq = |column: &str, v: &Option<String>| {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {column} = ?"));
            args.push(Value::Text(v.clone()));
        }
    };
    eq("c.event", &filter.event);
    eq("c.kind", &filter.kind.map(|k| k.as_str().to_string()));
    eq("c.who", &filter.who.map(|w| w.as_str().to_string()));
    if let Some(s) = &filter.source {
        // A key without its country ("health-ministry") is every country's.
        sql.push_str(
            " AND (c.source LIKE '%' || ? || '%' ESCAPE '\\' OR c.source_key = ?
                   OR c.source_key LIKE ? || ':%' ESCAPE '\\')",
        );
        args.push(Value::Text(like_literal(s)));
        args.push(Value::Text(s.clone()));
        args.push(Value::Text(like_literal(s)));
    }
    if let Some(id) = filter.article {
        sql.push_str(" AND c.article_id = ?");
        args.push(Value::Integer(id));
    }
    if let Some(d) = filter.since {
        sql.push_str(&format!(" AND {CLAIM_DAY} >= ?"));
        args.push(Value::Text(d.to_string()));
    }
    if let Some(d) = filter.until {
        sql.push_str(&format!(" AND {CLAIM_DAY} <= ?"));
        args.push(Value::Text(d.to_string()));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.push_str(" AND c.id IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?)");
        args.push(Value::Text(fts_query(q)));
    }
    (sql, args)
}

/// How many claims match `filter` (ignoring its limit and offset).
pub fn count_claims(conn: &Connection, filter: &ClaimFilter) -> rusqlite::Result<i64> {
    let (from, args) = where_clause(filter);
    conn.query_row(
        &format!("SELECT count(*){from}"),
        params_from_iter(args),
        |r| r.get(0),
    )
}

pub fn claims(conn: &Connection, filter: &ClaimFilter) -> rusqlite::Result<Vec<StoredClaim>> {
    let (from, mut args) = where_clause(filter);
    let mut sql = format!(
        "SELECT c.id, c.event, c.kind, c.who, CAST(c.value AS INTEGER), c.qualifier, c.part,
                c.source, c.source_key, c.location, c.place, c.country, c.location_from,
                c.claimed_at, c.sentence, c.evidence, c.spans, a.language, c.extractor,
                c.article_id, a.url, a.outlet, a.published_at, a.story_id{from}
         ORDER BY {CLAIM_DAY}, a.published_at, c.article_id, c.span_start"
    );
    if let Some(limit) = filter.limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        args.push(Value::Integer(i64::from(limit)));
        args.push(Value::Integer(i64::from(filter.offset)));
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        let spans: String = r.get(16)?;
        Ok(StoredClaim {
            id: r.get(0)?,
            event: r.get(1)?,
            kind: r.get(2)?,
            who: r.get(3)?,
            value: r.get(4)?,
            qualifier: r.get(5)?,
            part: r.get(6)?,
            source: r.get(7)?,
            source_key: r.get(8)?,
            location: r.get(9)?,
            place: r.get(10)?,
            country: r.get(11)?,
            location_from: r.get(12)?,
            claimed_on: r.get(13)?,
            sentence: r.get(14)?,
            evidence: r.get(15)?,
            spans: serde_json::from_str(&spans).unwrap_or_default(),
            language: r.get(17)?,
            extractor: r.get(18)?,
            article_id: r.get(19)?,
            url: r.get(20)?,
            outlet: r.get(21)?,
            published_at: r.get(22)?,
            story_id: r.get(23)?,
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

/// Whether the database knows `event`: a pipeline's feeds, articles or changes.
pub fn event_known(conn: &Connection, event: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM feeds WHERE pipeline = ?1)
             OR EXISTS(SELECT 1 FROM articles WHERE event = ?1)
             OR EXISTS(SELECT 1 FROM changes WHERE event = ?1)",
        [event],
        |r| r.get(0),
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

/// An article with its text and the spans of its claims.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredArticle {
    pub id: i64,
    pub url: String,
    pub outlet: Option<String>,
    pub title: String,
    pub published_at: Option<String>,
    pub language: Option<String>,
    pub story_id: Option<i64>,
    pub event: String,
    pub text: String,
    pub claims: Vec<StoredClaim>,
}

pub fn article(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoredArticle>> {
    use rusqlite::OptionalExtension;
    let Some(mut a) = conn
        .query_row(
            "SELECT id, url, outlet, title, published_at, language, story_id, event, text FROM articles WHERE id = ?1",
            [id],
            |r| {
                Ok(StoredArticle {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    outlet: r.get(2)?,
                    title: r.get(3)?,
                    published_at: r.get(4)?,
                    language: r.get(5)?,
                    story_id: r.get(6)?,
                    event: r.get(7)?,
                    text: r.get(8)?,
                    claims: Vec::new(),
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    a.claims = claims(
        conn,
        &ClaimFilter {
            article: Some(id),
            ..ClaimFilter::default()
        },
    )?;
    Ok(Some(a))
}
