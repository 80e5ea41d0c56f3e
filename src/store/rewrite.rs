//! Re-extraction's reads and writes: which stored articles an older extractor
//! read, their text, and the replacement of one article's claims in one
//! transaction (with the figure changes it makes), so an interrupted run leaves
//! no article half done.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::changes::Watch;
use super::query::{self, ClaimFilter, StoredClaim};
use super::writer::{claim_keys, insert_claims};
use crate::extract::EXTRACTOR_VERSION;
use crate::figures::FigureKey;
use crate::model::{Claim, Span};

/// The ids of the articles to re-read, in order: those another extractor
/// version read (or every one, with `all`), of `event` if given.
pub fn stale(conn: &Connection, event: Option<&str>, all: bool) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM articles
         WHERE (?1 OR extractor IS NULL OR extractor <> ?2) AND (?3 IS NULL OR event = ?3)
         ORDER BY id",
    )?;
    let ids = stmt.query_map(params![all, EXTRACTOR_VERSION, event], |r| r.get(0))?;
    ids.collect()
}

/// What extraction needs of a stored article.
#[derive(Debug, Clone)]
pub struct StoredText {
    pub id: i64,
    pub event: String,
    pub text: String,
    pub language: Option<String>,
    pub published: Option<NaiveDate>,
}

pub fn text(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoredText>> {
    conn.query_row(
        "SELECT id, event, text, language, published_at FROM articles WHERE id = ?1",
        [id],
        |r| {
            let published: Option<String> = r.get(4)?;
            Ok(StoredText {
                id: r.get(0)?,
                event: r.get(1)?,
                text: r.get(2)?,
                language: r.get(3)?,
                published: published
                    .and_then(|p| NaiveDate::parse_from_str(p.get(..10)?, "%Y-%m-%d").ok()),
            })
        },
    )
    .optional()
}

/// What re-extraction did to the claims of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindDiff {
    pub added: u64,
    pub removed: u64,
    /// The same figure at the same place in the text, read differently.
    pub changed: u64,
    pub unchanged: u64,
}

/// What re-extraction did, per kind, and the figure changes it recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub articles: u64,
    pub kinds: BTreeMap<String, KindDiff>,
    pub changes: u64,
}

impl Diff {
    pub fn add(&mut self, other: &Diff) {
        self.articles += other.articles;
        self.changes += other.changes;
        for (kind, d) in &other.kinds {
            let mine = self.kinds.entry(kind.clone()).or_default();
            mine.added += d.added;
            mine.removed += d.removed;
            mine.changed += d.changed;
            mine.unchanged += d.unchanged;
        }
    }
}

/// Everything a claim says, for telling an unchanged claim from a changed one.
#[derive(Debug, PartialEq)]
struct Content<'a> {
    kind: &'a str,
    who: &'a str,
    value: Option<i64>,
    qualifier: &'a str,
    part: bool,
    source: Option<&'a str>,
    source_key: Option<&'a str>,
    location: Option<&'a str>,
    place: Option<&'a str>,
    country: Option<&'a str>,
    location_from: Option<&'a str>,
    claimed_on: Option<String>,
    sentence: &'a str,
    evidence: &'a str,
    spans: &'a [Span],
}

fn stored_content(c: &StoredClaim) -> Content<'_> {
    Content {
        kind: &c.kind,
        who: &c.who,
        value: c.value,
        qualifier: &c.qualifier,
        part: c.part,
        source: c.source.as_deref(),
        source_key: c.source_key.as_deref(),
        location: c.location.as_deref(),
        place: c.place.as_deref(),
        country: c.country.as_deref(),
        location_from: c.location_from.as_deref(),
        claimed_on: c.claimed_on.clone(),
        sentence: &c.sentence,
        evidence: &c.evidence,
        spans: &c.spans,
    }
}

fn new_content(c: &Claim) -> Content<'_> {
    Content {
        kind: c.kind.as_str(),
        who: c.who.as_str(),
        value: c.value,
        qualifier: c.qualifier.as_str(),
        part: c.part,
        source: c.source.as_deref(),
        source_key: c.source_key.as_deref(),
        location: c.location.as_deref(),
        place: c.place.as_deref(),
        country: c.country.as_deref(),
        location_from: c.location_from.map(|l| l.as_str()),
        claimed_on: c.claimed_on.map(|d| d.to_string()),
        sentence: &c.sentence,
        evidence: &c.evidence,
        spans: &c.spans,
    }
}

/// The figure a stored claim belongs to (as [`Claim::figure_place`] for new ones).
fn stored_key(c: &StoredClaim) -> FigureKey {
    let place = match c.location_from.as_deref() {
        Some("lead") => None,
        _ => c.place.clone().or_else(|| c.location.clone()),
    };
    (c.event.clone(), c.kind.clone(), c.who.clone(), place)
}

/// Replaces the claims of `article` with `claims`, as read by the current
/// extractor, in one transaction: claims that did not change keep their rows
/// (and ids), the others are deleted or inserted, the search index follows, the
/// article is marked read by this version, and the figure changes are recorded.
pub fn replace_claims(
    conn: &mut Connection,
    article: &StoredText,
    language: Option<&str>,
    claims: &[Claim],
) -> rusqlite::Result<Diff> {
    let tx = conn.transaction()?;
    let filter = ClaimFilter {
        article: Some(article.id),
        ..ClaimFilter::default()
    };
    let old = query::claims(&tx, &filter)?;
    let mut kept = vec![false; old.len()];
    let mut fresh = Vec::new();
    for c in claims {
        let content = new_content(c);
        match (0..old.len()).find(|&i| !kept[i] && stored_content(&old[i]) == content) {
            Some(i) => kept[i] = true,
            None => fresh.push(c.clone()),
        }
    }
    let mut diff = Diff {
        articles: 1,
        ..Diff::default()
    };
    // A figure read again at the same place in the text is changed, not removed
    // and added.
    let at = |kind: &str, spans: &[Span]| (kind.to_string(), spans.first().map(|s| s.start));
    let gone: Vec<&StoredClaim> = old
        .iter()
        .zip(&kept)
        .filter(|(_, k)| !**k)
        .map(|(c, _)| c)
        .collect();
    // Figures can only change where claims do: an article read the same way
    // again costs no figure summaries.
    let keys: BTreeSet<FigureKey> = gone
        .iter()
        .map(|c| stored_key(c))
        .chain(claim_keys(&article.event, &fresh))
        .collect();
    let watch = Watch::before(&tx, keys)?;
    let gone_at: Vec<_> = gone.iter().map(|c| at(&c.kind, &c.spans)).collect();
    let fresh_at: Vec<_> = fresh
        .iter()
        .map(|c| at(c.kind.as_str(), &c.spans))
        .collect();
    for (c, _) in old.iter().zip(&kept).filter(|(_, k)| **k) {
        diff.kinds.entry(c.kind.clone()).or_default().unchanged += 1;
    }
    for (c, place) in gone.iter().zip(&gone_at) {
        tx.execute("DELETE FROM claims WHERE id = ?1", [c.id])?;
        let d = diff.kinds.entry(c.kind.clone()).or_default();
        if fresh_at.contains(place) {
            d.changed += 1;
        } else {
            d.removed += 1;
        }
    }
    for place in fresh_at.iter().filter(|p| !gone_at.contains(p)) {
        diff.kinds.entry(place.0.clone()).or_default().added += 1;
    }
    let last: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM claims", [], |r| r.get(0))?;
    insert_claims(&tx, article.id, &article.event, &fresh)?;
    tx.execute(
        "INSERT INTO claims_fts (rowid, sentence) SELECT id, sentence FROM claims WHERE id > ?1",
        [last],
    )?;
    tx.execute(
        "UPDATE claims SET extractor = ?2 WHERE article_id = ?1",
        params![article.id, EXTRACTOR_VERSION],
    )?;
    tx.execute(
        "UPDATE articles SET extractor = ?2, language = ?3 WHERE id = ?1",
        params![article.id, EXTRACTOR_VERSION, language],
    )?;
    diff.changes = watch.record(&tx)? as u64;
    tx.commit()?;
    Ok(diff)
}
