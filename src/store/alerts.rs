//! The webhook outbox: per alert, the id of the last change it was sent (its
//! cursor), and every delivery attempt with its outcome. The changes themselves
//! are the `changes` table; an alert's pending changes are those after its cursor.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It answered otherwise or could not be reached; the change is tried again.
    Failed,
    /// The guard refused the URL (`--block-internal`); tried again after a reload.
    Blocked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Failed => "failed",
            Outcome::Blocked => "blocked",
        }
    }
}

/// The alert's cursor, created for a new alert at the event's latest change: an
/// alert added to a pipeline hears of what happens from then on.
pub fn start(conn: &Connection, alert: &str, event: &str) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT OR IGNORE INTO alert_cursors (alert, last_change)
         VALUES (?1, (SELECT coalesce(max(id), 0) FROM changes WHERE event = ?2))",
        params![alert, event],
    )?;
    cursor(conn, alert).map(Option::unwrap_or_default)
}

pub fn cursor(conn: &Connection, alert: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT last_change FROM alert_cursors WHERE alert = ?1",
        [alert],
        |r| r.get(0),
    )
    .optional()
}

/// Moves the cursor past `change` (sent, or not wanted by the alert's filter).
pub fn advance(conn: &Connection, alert: &str, change: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE alert_cursors SET last_change = max(last_change, ?2) WHERE alert = ?1",
        params![alert, change],
    )?;
    Ok(())
}

/// One attempt to send `change`.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub alert: &'a str,
    pub change: i64,
    pub attempt: u32,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

/// Records an attempt and, when it delivered, moves the cursor past the change,
/// in one transaction: a change is never both sent and pending.
pub fn record(conn: &mut Connection, a: &Attempt<'_>) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO deliveries (alert, change_id, attempt, outcome, http_status, error, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.alert,
            a.change,
            a.attempt,
            a.outcome.as_str(),
            a.http_status,
            a.error,
            super::ts(Utc::now()),
        ],
    )?;
    if a.outcome == Outcome::Delivered {
        advance(&tx, a.alert, a.change)?;
    }
    tx.commit()
}

/// Attempts so far for `change` by `alert` (a restart continues the count).
pub fn attempts(conn: &Connection, alert: &str, change: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT count(*) FROM deliveries WHERE alert = ?1 AND change_id = ?2",
        params![alert, change],
        |r| r.get(0),
    )
}
