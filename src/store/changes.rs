//! The changes of figures, found once, in the transaction that stores or
//! re-extracts claims: the figures those claims touch are summarised before and
//! after, and what became new is written to `changes`. The Atom feed and the
//! webhooks read that table; nothing rescans all claims on a request.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params, params_from_iter, types::Value};
use serde::Serialize;

use super::figures::Scope;
use super::ts;
use crate::figures::{Change, ChangeKind, Figure, FigureClaim, FigureKey, Status, summarize};
use crate::model::{Kind, Who};

/// A change as stored: with its id (stable: the Atom entry's and the webhook's).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredChange {
    pub id: i64,
    pub created_at: String,
    #[serde(flatten)]
    pub change: Change,
}

/// The figures some claims are about, as they stood before those claims were
/// written.
pub struct Watch {
    keys: BTreeSet<FigureKey>,
    claims: Vec<FigureClaim>,
    before: Vec<Figure>,
}

impl Watch {
    /// Reads the figures of `keys` as they stand (call before writing).
    pub fn before(conn: &Connection, keys: BTreeSet<FigureKey>) -> rusqlite::Result<Watch> {
        let claims = load(conn, &keys, 0)?;
        let before = summarize(&claims);
        Ok(Watch {
            keys,
            claims,
            before,
        })
    }

    /// Records what became new when claims were only added, all with ids above
    /// `since`: only those are read again. How many changes.
    pub fn record_added(mut self, conn: &Connection, since: i64) -> rusqlite::Result<usize> {
        if self.keys.is_empty() {
            return Ok(0);
        }
        self.claims.extend(load(conn, &self.keys, since)?);
        let after = summarize(&self.claims);
        write(conn, &crate::figures::changes(&self.before, &after))
    }

    /// Reads the figures again (claims may have gone as well as come) and
    /// records what became new; how many changes.
    pub fn record(self, conn: &Connection) -> rusqlite::Result<usize> {
        if self.keys.is_empty() {
            return Ok(0);
        }
        let after = summarize(&load(conn, &self.keys, 0)?);
        write(conn, &crate::figures::changes(&self.before, &after))
    }
}

fn write(conn: &Connection, new: &[Change]) -> rusqlite::Result<usize> {
    let now = ts(Utc::now());
    let mut stmt = conn.prepare_cached(
        "INSERT INTO changes (event, kind, who, location, change, value, qualifier, previous,
                              source, claim_id, status, revision, words, at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for c in new {
        stmt.execute(params![
            c.event,
            c.kind,
            c.who,
            c.location,
            c.change.as_str(),
            c.value,
            c.qualifier,
            c.previous,
            c.source,
            c.claim,
            c.status.as_str(),
            c.revision,
            c.words,
            ts(c.at),
            now,
        ])?;
    }
    Ok(new.len())
}

/// The claims of the figures of `keys` with ids above `since`, read by (event,
/// kind, who).
fn load(
    conn: &Connection,
    keys: &BTreeSet<FigureKey>,
    since: i64,
) -> rusqlite::Result<Vec<FigureClaim>> {
    let groups: BTreeSet<(&str, &str, &str)> = keys
        .iter()
        .map(|(e, k, w, _)| (e.as_str(), k.as_str(), w.as_str()))
        .collect();
    let mut out = Vec::new();
    for (event, kind, who) in groups {
        let (Some(kind), Some(who)) = (Kind::parse(kind), Who::parse(who)) else {
            continue;
        };
        let scope = Scope {
            event: Some(event),
            kind: Some(kind),
            who: Some(who),
            since,
        };
        let claims = super::figures::figure_claims(conn, scope)?;
        out.extend(claims.into_iter().filter(|c| keys.contains(&c.key())));
    }
    Ok(out)
}

/// Which changes to read.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub event: Option<String>,
    /// Only changes after this id.
    pub after: i64,
    /// Newest first (the feed) rather than oldest first (delivery).
    pub newest_first: bool,
    pub limit: u32,
}

pub fn list(conn: &Connection, filter: &ChangeFilter) -> rusqlite::Result<Vec<StoredChange>> {
    let mut sql = String::from(
        "SELECT id, created_at, event, kind, who, location, change, value, qualifier, previous,
                source, claim_id, status, revision, words, at
         FROM changes WHERE id > ?",
    );
    let mut args = vec![Value::Integer(filter.after)];
    if let Some(e) = &filter.event {
        sql.push_str(" AND event = ?");
        args.push(Value::Text(e.clone()));
    }
    sql.push_str(if filter.newest_first {
        " ORDER BY id DESC LIMIT ?"
    } else {
        " ORDER BY id LIMIT ?"
    });
    args.push(Value::Integer(i64::from(filter.limit)));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
        let change = text(6)?;
        let status = text(12)?;
        let at = text(15)?;
        Ok(StoredChange {
            id: r.get(0)?,
            created_at: text(1)?,
            change: Change {
                event: text(2)?,
                kind: text(3)?,
                who: text(4)?,
                location: r.get(5)?,
                change: ChangeKind::parse(&change).unwrap_or(ChangeKind::NewValue),
                value: r.get(7)?,
                shown: crate::figures::shown(&text(8)?, r.get(7)?),
                qualifier: text(8)?,
                previous: r.get(9)?,
                source: r.get(10)?,
                claim: r.get(11)?,
                status: Status::parse(&status).unwrap_or(Status::Consistent),
                revision: r.get(13)?,
                words: text(14)?,
                at: DateTime::parse_from_rfc3339(&at)
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or_default(),
            },
        })
    })?;
    rows.collect()
}
