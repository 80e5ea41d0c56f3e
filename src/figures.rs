//! Figures: every claim of one (event, kind, who, location), summarised the way an
//! analyst reads them: the latest value and who gave it, the range, each distinct
//! value with its sources, when it was first seen and how many independent stories
//! carry it (copies of one wire story count once), and whether sources disagree.
//! Analysis beside the store: it reads the store's rows and judges them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::model::Kind;
pub use crate::store::figures::FigureClaim;

/// Two claims this close in time are about "the same time".
const SAME_TIME_HOURS: i64 = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Different values from different sources for about the same time.
    Disputed,
    /// The value moved over time, from the same source or sources.
    Revised,
    Consistent,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Disputed => "disputed",
            Status::Revised => "revised",
            Status::Consistent => "consistent",
        }
    }
}

/// One distinct value of a figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ValueReport {
    pub value: f64,
    pub qualifiers: Vec<String>,
    pub sources: Vec<String>,
    pub first_seen: DateTime<Utc>,
    /// Independent stories stating it (republished copies count once).
    pub stories: usize,
    /// Articles stating it.
    pub reports: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    pub event: String,
    pub kind: String,
    pub who: String,
    pub location: Option<String>,
    pub latest_value: f64,
    pub latest_source: Option<String>,
    pub latest_at: DateTime<Utc>,
    pub min: f64,
    pub max: f64,
    pub status: Status,
    /// For revised figures: "up", "down" or "mixed".
    pub trend: Option<String>,
    pub values: Vec<ValueReport>,
    /// Vague claims ("dozens") about it.
    pub vague_reports: usize,
}

impl Figure {
    /// What is counted, where: "killed people in Almaty".
    pub fn what(&self) -> String {
        let place = self
            .location
            .as_deref()
            .map(|l| format!(" in {l}"))
            .unwrap_or_default();
        format!("{} {}{place}", self.kind, self.who)
    }

    /// The status with its trend: "revised up", "disputed".
    pub fn verdict(&self) -> String {
        match &self.trend {
            Some(t) => format!("{} {t}", self.status.as_str()),
            None => self.status.as_str().to_string(),
        }
    }

    /// Who gave the latest value.
    pub fn latest_by(&self) -> &str {
        self.latest_source.as_deref().unwrap_or("unattributed")
    }

    /// "latest 225 (the prosecutor, 2022-01-15), range 164–225", as the table and
    /// the web page show it.
    pub fn latest_line(&self) -> String {
        self.latest_line_marked(|v| v.to_string(), |s| s.to_string())
    }

    /// [`Figure::latest_line`] with the latest value and its source marked up
    /// (the web page bolds the one and isolates the other, which may be Arabic).
    pub fn latest_line_marked(
        &self,
        value: impl Fn(&str) -> String,
        source: impl Fn(&str) -> String,
    ) -> String {
        format!(
            "latest {} ({}, {}), range {}–{}",
            value(&self.latest_value.to_string()),
            source(self.latest_by()),
            self.latest_at.format("%Y-%m-%d"),
            self.min,
            self.max
        )
    }

    /// Each distinct value with its sources and stories, on one line.
    pub fn values_line(&self) -> String {
        self.values
            .iter()
            .map(|v| {
                let stories = if v.stories == 1 { "story" } else { "stories" };
                format!(
                    "{} ({}; {} {stories})",
                    v.value,
                    v.sources.join(", "),
                    v.stories
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

type Key = (String, String, String, Option<String>);

/// Groups claims into figures (pure: the caller reads the claims).
pub fn summarize(claims: &[FigureClaim]) -> Vec<Figure> {
    let mut groups: BTreeMap<Key, Vec<&FigureClaim>> = BTreeMap::new();
    for c in claims {
        let key = (
            c.event.clone(),
            c.kind.clone(),
            c.who.clone(),
            c.location.clone(),
        );
        groups.entry(key).or_default().push(c);
    }
    groups
        .into_iter()
        .filter_map(|(key, group)| figure(key, &group))
        .collect()
}

fn value_of(c: &FigureClaim) -> f64 {
    c.value.unwrap_or_default()
}

/// The figure of one group of claims; `None` when none of them gives a number.
fn figure((event, kind, who, location): Key, group: &[&FigureClaim]) -> Option<Figure> {
    let mut exact: Vec<&FigureClaim> = group
        .iter()
        .copied()
        .filter(|c| c.value.is_some())
        .collect();
    exact.sort_by_key(|c| c.at);
    let latest = *exact.last()?;
    let values = value_reports(&exact);
    let (status, trend) = judge(&exact, values.len());
    let all: Vec<f64> = exact.iter().map(|c| value_of(c)).collect();
    Some(Figure {
        event,
        kind,
        who,
        location,
        latest_value: value_of(latest),
        latest_source: latest.source.clone(),
        latest_at: latest.at,
        min: all.iter().copied().fold(f64::INFINITY, f64::min),
        max: all.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        status,
        trend,
        values,
        vague_reports: group.len() - exact.len(),
    })
}

/// Each distinct value of `exact` (in time order) with its sources, qualifiers,
/// first sighting, reports and independent stories.
fn value_reports(exact: &[&FigureClaim]) -> Vec<ValueReport> {
    let mut values: Vec<ValueReport> = Vec::new();
    for c in exact {
        let v = value_of(c);
        let source = c.source.clone().unwrap_or_else(|| "(unattributed)".into());
        match values.iter_mut().find(|r| r.value == v) {
            Some(r) => {
                r.reports += 1;
                if !r.sources.contains(&source) {
                    r.sources.push(source);
                }
                if !r.qualifiers.contains(&c.qualifier) {
                    r.qualifiers.push(c.qualifier.clone());
                }
            }
            None => values.push(ValueReport {
                value: v,
                qualifiers: vec![c.qualifier.clone()],
                sources: vec![source],
                first_seen: c.at,
                stories: 0,
                reports: 1,
            }),
        }
    }
    for r in &mut values {
        let mut stories: Vec<Option<i64>> = exact
            .iter()
            .filter(|c| value_of(c) == r.value)
            .map(|c| c.story_id)
            .collect();
        stories.sort();
        stories.dedup();
        r.stories = stories.len();
    }
    values
}

/// Disputed when two sources give different values about the same time; else
/// revised (with its trend) when the values changed; else consistent.
fn judge(exact: &[&FigureClaim], distinct: usize) -> (Status, Option<String>) {
    let disputed = exact.iter().enumerate().any(|(i, a)| {
        exact[i + 1..].iter().any(|b| {
            a.value != b.value
                && a.source_key.is_some()
                && b.source_key.is_some()
                && a.source_key != b.source_key
                && (a.at - b.at).num_hours().abs() <= SAME_TIME_HOURS
        })
    });
    if disputed {
        return (Status::Disputed, None);
    }
    if distinct <= 1 {
        return (Status::Consistent, None);
    }
    // In time order, with repeats folded. A step within 5 % is no turn: "nearly
    // 6,000" then "5,969" still rises.
    let mut series: Vec<f64> = exact.iter().map(|c| value_of(c)).collect();
    series.dedup();
    let level = |a: f64, b: f64| (b - a).abs() <= 0.05 * a.abs().max(b.abs());
    let up = series.windows(2).all(|w| w[1] >= w[0] || level(w[0], w[1]));
    let down = series.windows(2).all(|w| w[1] <= w[0] || level(w[0], w[1]));
    let trend = match (up, down) {
        (true, _) => "up",
        (_, true) => "down",
        _ => "mixed",
    };
    (Status::Revised, Some(trend.to_string()))
}

/// Reads the claims of `event` (or all) and summarises them; `kind` narrows.
pub fn figures(
    conn: &Connection,
    event: Option<&str>,
    kind: Option<Kind>,
) -> rusqlite::Result<Vec<Figure>> {
    Ok(summarize(&crate::store::figures::figure_claims(
        conn, event, kind,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(value: f64, source: &str, day: u32, story: i64) -> FigureClaim {
        FigureClaim {
            event: "e".into(),
            kind: "arrested".into(),
            who: "people".into(),
            location: None,
            value: Some(value),
            qualifier: "exact".into(),
            source: Some(source.into()),
            source_key: Some(source.to_lowercase()),
            story_id: Some(story),
            outlet: None,
            at: chrono::NaiveDate::from_ymd_opt(2022, 1, day)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc(),
        }
    }

    #[test]
    fn one_source_moving_its_figure_is_revised() {
        let f = summarize(&[
            claim(2298.0, "MVD", 6, 1),
            claim(4000.0, "MVD", 8, 2),
            claim(5969.0, "MVD", 10, 3),
            claim(5969.0, "MVD", 10, 3),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].status, f[0].trend.as_deref()),
            (Status::Revised, Some("up"))
        );
        assert_eq!(
            (f[0].latest_value, f[0].min, f[0].max),
            (5969.0, 2298.0, 5969.0)
        );
        let v = f[0].values.iter().find(|v| v.value == 5969.0).unwrap();
        assert_eq!(
            (v.reports, v.stories),
            (2, 1),
            "copies of one story count once"
        );
    }

    #[test]
    fn different_sources_at_about_the_same_time_dispute() {
        let f = summarize(&[claim(18.0, "MVD", 6, 1), claim(3.0, "Khabar", 7, 2)]);
        assert_eq!(f[0].status, Status::Disputed);
        // The same two values a week apart are not a dispute but a revision.
        let f = summarize(&[claim(18.0, "MVD", 6, 1), claim(3.0, "Khabar", 14, 2)]);
        assert_eq!(f[0].status, Status::Revised);
        let f = summarize(&[claim(18.0, "MVD", 6, 1), claim(18.0, "Khabar", 6, 2)]);
        assert_eq!(
            (f[0].status, f[0].values[0].stories),
            (Status::Consistent, 2)
        );
    }
}
