//! The rows figures are made of: each claim with its event, kind, who, place,
//! value, source, story and outlet, and the time it refers to; and the figures
//! `crate::figures` makes of them.

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, params_from_iter, types::Value};

use crate::figures::{Figure, FigureClaim, summarize};
use crate::model::{Kind, Who};

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(&format!("{s}T12:00:00"), "%Y-%m-%dT%H:%M:%S") {
        return Some(d.and_utc());
    }
    None
}

/// Which claims to read: all, or narrowed by event, kind and who.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub event: Option<&'a str>,
    pub kind: Option<Kind>,
    pub who: Option<Who>,
    /// Only claims with ids above this.
    pub since: i64,
}

/// The claims figures are made of, with the time each refers to.
pub fn figure_claims(conn: &Connection, scope: Scope) -> rusqlite::Result<Vec<FigureClaim>> {
    let Scope {
        event,
        kind,
        who,
        since,
    } = scope;
    let mut sql = String::from(
        // A figure is one per place its clause names (by the gazetteer's name, so
        // that "Харькове" and "Харьков" are one); a place only the lead gave does
        // not split a national toll from itself.
        "SELECT c.event, c.kind, c.who,
                CASE WHEN c.location_from = 'lead' THEN NULL ELSE COALESCE(c.place, c.location) END,
                CAST(c.value AS INTEGER), c.qualifier, c.source, c.source_key, a.story_id, a.outlet,
                c.claimed_at, a.published_at, a.fetched_at, c.id, c.article_id, c.part
         FROM claims c JOIN articles a ON a.id = c.article_id WHERE 1 = 1",
    );
    let mut args = Vec::new();
    if let Some(e) = event {
        sql.push_str(" AND c.event = ?");
        args.push(Value::Text(e.into()));
    }
    if let Some(k) = kind {
        sql.push_str(" AND c.kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    if let Some(w) = who {
        sql.push_str(" AND c.who = ?");
        args.push(Value::Text(w.as_str().into()));
    }
    if since > 0 {
        sql.push_str(" AND c.id > ?");
        args.push(Value::Integer(since));
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        let claimed: Option<String> = r.get(10)?;
        let published: Option<String> = r.get(11)?;
        let fetched: String = r.get(12)?;
        let at = claimed
            .as_deref()
            .and_then(parse_time)
            .or_else(|| published.as_deref().and_then(parse_time))
            .or_else(|| parse_time(&fetched))
            .unwrap_or_else(Utc::now);
        Ok(FigureClaim {
            id: r.get(13)?,
            article_id: r.get(14)?,
            part: r.get(15)?,
            event: r.get(0)?,
            kind: r.get(1)?,
            who: r.get(2)?,
            location: r.get(3)?,
            value: r.get(4)?,
            qualifier: r.get(5)?,
            source: r.get(6)?,
            source_key: r.get(7)?,
            story_id: r.get(8)?,
            outlet: r.get(9)?,
            at,
        })
    })?;
    rows.collect()
}

/// Reads the claims of `event` (or all) and summarises them; `kind` narrows.
pub fn figures(
    conn: &Connection,
    event: Option<&str>,
    kind: Option<Kind>,
) -> rusqlite::Result<Vec<Figure>> {
    let scope = Scope {
        event,
        kind,
        ..Scope::default()
    };
    Ok(summarize(&figure_claims(conn, scope)?))
}
