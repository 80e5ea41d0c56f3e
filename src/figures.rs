//! Figures: every claim of one (event, kind, who, place), summarised the way an
//! analyst reads them: the latest whole value and who gave it, the range, each
//! distinct value with its sources, when it was first seen and how many
//! independent stories carry it (copies of one wire story count once), and a
//! status with the claims that make it. Analysis beside the store: it reads the
//! store's rows and judges them.
//!
//! The statuses, strongest first:
//! - `disputed`: two sources give incompatible values for about the same time
//!   ("at least 8" is compatible with 12, "about 100" with 105);
//! - `revised`: one source (by `source_key`) moved its own figure;
//! - `changed`: the value moved, but between different sources at different times;
//! - `consistent`: one value throughout.
//!
//! A report that names no source is a source of its own, apart from every other.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{Qualifier, grouped};

/// One claim as figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureClaim {
    pub id: i64,
    pub article_id: i64,
    pub event: String,
    pub kind: String,
    pub who: String,
    pub location: Option<String>,
    pub value: Option<i64>,
    pub qualifier: String,
    /// A part of a figure stated beside it ("including 10 children").
    pub part: bool,
    pub source: Option<String>,
    pub source_key: Option<String>,
    pub story_id: Option<i64>,
    pub outlet: Option<String>,
    /// The time the claim refers to, else its article's publication or fetch time.
    pub at: DateTime<Utc>,
}

impl FigureClaim {
    /// The figure it belongs to.
    pub fn key(&self) -> FigureKey {
        (
            self.event.clone(),
            self.kind.clone(),
            self.who.clone(),
            self.location.clone(),
        )
    }
}

/// Two claims this close in time are about "the same time".
const SAME_TIME_HOURS: i64 = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Consistent,
    /// The value moved between different sources at different times.
    Changed,
    /// A source moved its own figure.
    Revised,
    /// Different sources give incompatible values for about the same time.
    Disputed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Disputed => "disputed",
            Status::Revised => "revised",
            Status::Changed => "changed",
            Status::Consistent => "consistent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::Consistent,
            Status::Changed,
            Status::Revised,
            Status::Disputed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Mixed,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Mixed => "mixed",
        }
    }
}

/// One claim as a reason quotes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Said {
    pub claim: i64,
    pub value: i64,
    pub qualifier: String,
    /// The value with its hedge: "≥ 8".
    pub shown: String,
    pub source: Option<String>,
    pub at: DateTime<Utc>,
}

impl Said {
    fn of(c: &FigureClaim) -> Self {
        let value = c.value.unwrap_or_default();
        Said {
            claim: c.id,
            value,
            qualifier: c.qualifier.clone(),
            shown: shown(&c.qualifier, value),
            source: c.source.clone(),
            at: c.at,
        }
    }

    /// Who said it, as the reason's words name them.
    pub fn who(&self) -> &str {
        self.source
            .as_deref()
            .unwrap_or("a report naming no source")
    }

    fn day(&self) -> String {
        self.at.format("%-d %B %Y").to_string()
    }
}

/// Why a figure has its status: two claims, and the sentence that says so.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    pub status: Status,
    pub earlier: Said,
    pub later: Said,
    /// "the health ministry said 164 on 9 January 2022; the prosecutor 225 on
    /// 15 January 2022".
    pub words: String,
}

impl Reason {
    fn new(status: Status, earlier: &FigureClaim, later: &FigureClaim) -> Self {
        let (earlier, later) = (Said::of(earlier), Said::of(later));
        let words = match status {
            Status::Revised => format!(
                "{} said {} on {}, then {} on {}",
                earlier.who(),
                earlier.shown,
                earlier.day(),
                later.shown,
                later.day()
            ),
            _ => format!(
                "{} said {} on {}; {} {} on {}",
                earlier.who(),
                earlier.shown,
                earlier.day(),
                later.who(),
                later.shown,
                later.day()
            ),
        };
        Reason {
            status,
            earlier,
            later,
            words,
        }
    }

    /// The two statements, by who made them and what they said: the same reason
    /// found again (in a copy, or after re-extraction) has the same key.
    pub fn key(&self) -> (Status, Option<&str>, i64, Option<&str>, i64) {
        (
            self.status,
            self.earlier.source.as_deref(),
            self.earlier.value,
            self.later.source.as_deref(),
            self.later.value,
        )
    }

    fn owned_key(&self) -> (Status, Option<String>, i64, Option<String>, i64) {
        let (status, a, va, b, vb) = self.key();
        (status, a.map(str::to_owned), va, b.map(str::to_owned), vb)
    }
}

/// One distinct value of a figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ValueReport {
    pub value: i64,
    pub qualifiers: Vec<String>,
    pub sources: Vec<String>,
    pub first_seen: DateTime<Utc>,
    /// Independent stories stating it (republished copies count once).
    pub stories: usize,
    /// Articles stating it.
    pub reports: usize,
    /// The claims stating it.
    pub claims: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    pub event: String,
    pub kind: String,
    pub who: String,
    pub location: Option<String>,
    pub latest_value: i64,
    pub latest_qualifier: String,
    /// The latest value with its hedge: "> 100".
    pub latest_shown: String,
    pub latest_source: Option<String>,
    pub latest_at: DateTime<Utc>,
    pub latest_claim: i64,
    pub min: i64,
    pub max: i64,
    pub status: Status,
    /// How the value moved, when it did.
    pub trend: Option<Trend>,
    /// The claims behind the status, strongest first.
    pub why: Vec<Reason>,
    /// Each distinct whole value, in the order first seen.
    pub values: Vec<ValueReport>,
    /// Claims of a part of it ("including 10 children"), which are not its value.
    pub parts: usize,
    /// Vague claims ("dozens") about it.
    pub vague_reports: usize,
}

/// `value` with the hedge `qualifier` names.
pub fn shown(qualifier: &str, value: i64) -> String {
    Qualifier::parse(qualifier)
        .unwrap_or(Qualifier::Exact)
        .show(Some(value))
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
        match (self.status, self.trend) {
            (Status::Revised | Status::Changed, Some(t)) => {
                format!("{} {}", self.status.as_str(), t.as_str())
            }
            _ => self.status.as_str().to_string(),
        }
    }

    /// Who gave the latest value.
    pub fn latest_by(&self) -> &str {
        self.latest_source.as_deref().unwrap_or("unattributed")
    }

    /// "latest ≥ 225 (the prosecutor, 2022-01-15), range 164–225", as the table and
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
        let range = if self.min == self.max {
            String::new()
        } else {
            format!(", range {}–{}", grouped(self.min), grouped(self.max))
        };
        format!(
            "latest {} ({}, {}){range}",
            value(&self.latest_shown),
            source(self.latest_by()),
            self.latest_at.format("%Y-%m-%d"),
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
                    grouped(v.value),
                    v.sources.join(", "),
                    v.stories
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The key claims are grouped by.
    pub fn key(&self) -> FigureKey {
        (
            self.event.clone(),
            self.kind.clone(),
            self.who.clone(),
            self.location.clone(),
        )
    }
}

/// (event, kind, who, place): what makes claims one figure.
pub type FigureKey = (String, String, String, Option<String>);

/// Groups claims into figures (pure: the caller reads the claims).
pub fn summarize(claims: &[FigureClaim]) -> Vec<Figure> {
    let mut groups: BTreeMap<FigureKey, Vec<&FigureClaim>> = BTreeMap::new();
    for c in claims {
        groups.entry(c.key()).or_default().push(c);
    }
    groups
        .into_iter()
        .filter_map(|(key, group)| figure(key, &group))
        .collect()
}

/// The figure of one group of claims; `None` when none of them gives a number.
/// Parts count only when nothing else does.
fn figure((event, kind, who, location): FigureKey, group: &[&FigureClaim]) -> Option<Figure> {
    let counted = |part: bool| -> Vec<&FigureClaim> {
        let mut v: Vec<&FigureClaim> = group
            .iter()
            .copied()
            .filter(|c| c.value.is_some() && c.part == part)
            .collect();
        v.sort_by_key(|c| (c.at, c.id));
        v
    };
    let mut whole = counted(false);
    let parts = counted(true);
    let part_count = if whole.is_empty() {
        whole = parts;
        0
    } else {
        parts.len()
    };
    let latest = *whole.last()?;
    let values = value_reports(&whole);
    let why = reasons(&whole);
    let status = why.first().map_or(Status::Consistent, |r| r.status);
    let series: Vec<i64> = whole.iter().filter_map(|c| c.value).collect();
    Some(Figure {
        event,
        kind,
        who,
        location,
        latest_value: latest.value.unwrap_or_default(),
        latest_qualifier: latest.qualifier.clone(),
        latest_shown: shown(&latest.qualifier, latest.value.unwrap_or_default()),
        latest_source: latest.source.clone(),
        latest_at: latest.at,
        latest_claim: latest.id,
        min: series.iter().copied().min().unwrap_or_default(),
        max: series.iter().copied().max().unwrap_or_default(),
        trend: (status != Status::Consistent).then(|| trend(&series)),
        status,
        why,
        values,
        parts: part_count,
        vague_reports: group.iter().filter(|c| c.value.is_none()).count(),
    })
}

/// Each distinct value of `exact` (in time order) with its sources, qualifiers,
/// first sighting, reports and independent stories.
fn value_reports(exact: &[&FigureClaim]) -> Vec<ValueReport> {
    let mut values: Vec<ValueReport> = Vec::new();
    let mut stories: Vec<HashSet<Option<i64>>> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for c in exact {
        let v = c.value.unwrap_or_default();
        let source = c.source.as_deref().unwrap_or("(unattributed)");
        let i = match index.get(&v) {
            Some(&i) => i,
            None => {
                index.insert(v, values.len());
                values.push(ValueReport {
                    value: v,
                    qualifiers: Vec::new(),
                    sources: Vec::new(),
                    first_seen: c.at,
                    stories: 0,
                    reports: 0,
                    claims: Vec::new(),
                });
                stories.push(HashSet::new());
                values.len() - 1
            }
        };
        let r = &mut values[i];
        r.reports += 1;
        r.claims.push(c.id);
        if !r.sources.iter().any(|s| s == source) {
            r.sources.push(source.to_owned());
        }
        if !r.qualifiers.contains(&c.qualifier) {
            r.qualifiers.push(c.qualifier.clone());
        }
        stories[i].insert(c.story_id);
    }
    for (r, s) in values.iter_mut().zip(&stories) {
        r.stories = s.len();
    }
    values
}

/// Who stands behind a claim: its source's key, or for a claim that names none,
/// its article alone.
fn speaker(c: &FigureClaim) -> Cow<'_, str> {
    match &c.source_key {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(format!("article {}", c.article_id)),
    }
}

/// The range of counts a hedged value allows.
fn bounds(c: &FigureClaim) -> (f64, f64) {
    let v = c.value.unwrap_or_default() as f64;
    match Qualifier::parse(&c.qualifier) {
        Some(Qualifier::Approx) => (v * 0.9, v * 1.1),
        Some(Qualifier::AtLeast) => (v, f64::INFINITY),
        Some(Qualifier::MoreThan) => (v + 0.5, f64::INFINITY),
        Some(Qualifier::AtMost) => (0.0, v),
        Some(Qualifier::LessThan) => (0.0, v - 0.5),
        _ => (v, v),
    }
}

/// Whether two claims can both be true.
pub fn compatible(a: &FigureClaim, b: &FigureClaim) -> bool {
    let ((a0, a1), (b0, b1)) = (bounds(a), bounds(b));
    a0 <= b1 && b0 <= a1
}

/// How many of a figure's latest distinct statements its reasons are about: a
/// status says where the figure stands now, and a war's death toll read from
/// ten thousand reports is not re-argued from its first day on every batch.
const RECENT_STATEMENTS: usize = 200;

/// The reasons for a figure's status, strongest first (`exact` in time order):
/// disputes, then revisions, then changes between sources, each made by one of
/// the latest [`RECENT_STATEMENTS`]; each pair of statements once, however many
/// copies carry it.
fn reasons(exact: &[&FigureClaim]) -> Vec<Reason> {
    // Copies of one statement (a wire story's republications) are one.
    let mut seen = HashSet::new();
    let mut distinct: Vec<(&FigureClaim, Cow<str>)> = Vec::new();
    for c in exact {
        let who = speaker(c);
        if seen.insert((
            who.clone(),
            c.value,
            c.qualifier.as_str(),
            c.at.date_naive(),
        )) {
            distinct.push((c, who));
        }
    }
    let recent = distinct.len().saturating_sub(RECENT_STATEMENTS);
    let mut out: Vec<Reason> = Vec::new();
    let mut keys = HashSet::new();
    let mut push = |r: Reason| {
        if keys.insert(r.owned_key()) {
            out.push(r);
        }
    };
    // A statement is disputed by the latest earlier one (within the window, from
    // another source) that it cannot stand beside: one reason per statement, so
    // hundreds of unattributed reports make hundreds of reasons, not a square.
    for (i, (b, b_who)) in distinct.iter().enumerate().skip(recent) {
        let rival = distinct[..i]
            .iter()
            .rev()
            .take_while(|(a, _)| (b.at - a.at).num_hours() <= SAME_TIME_HOURS)
            .find(|(a, a_who)| a_who != b_who && !compatible(a, b));
        if let Some((a, _)) = rival {
            push(Reason::new(Status::Disputed, a, b));
        }
    }
    // Each source's own statements, one after another.
    let mut by_speaker: BTreeMap<&str, Vec<(usize, &FigureClaim)>> = BTreeMap::new();
    for (i, (c, who)) in distinct.iter().enumerate() {
        by_speaker.entry(who).or_default().push((i, c));
    }
    for own in by_speaker.values() {
        for w in own.windows(2) {
            let ((_, a), (i, b)) = (w[0], w[1]);
            if i >= recent && a.value != b.value {
                push(Reason::new(Status::Revised, a, b));
            }
        }
    }
    for w in distinct[recent.saturating_sub(1)..].windows(2) {
        let ((a, a_who), (b, b_who)) = (&w[0], &w[1]);
        if a.value != b.value && a_who != b_who {
            push(Reason::new(Status::Changed, a, b));
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.status));
    out
}

/// How a series moved. A step within 5 % is no turn: "nearly 6,000" then
/// "5,969" still rises.
fn trend(series: &[i64]) -> Trend {
    let mut series = series.to_vec();
    series.dedup();
    let level = |a: i64, b: i64| (b - a).abs() as f64 <= 0.05 * a.abs().max(b.abs()) as f64;
    let up = series.windows(2).all(|w| w[1] >= w[0] || level(w[0], w[1]));
    let down = series.windows(2).all(|w| w[1] <= w[0] || level(w[0], w[1]));
    match (up, down) {
        (true, _) => Trend::Up,
        (_, true) => Trend::Down,
        _ => Trend::Mixed,
    }
}

/// What happened to a figure when claims were stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The first claim of a figure.
    NewFigure,
    /// A value the figure did not have before (a revision when its source moved).
    NewValue,
    /// Two sources now disagree where they did not.
    NewDispute,
}

impl ChangeKind {
    pub const ALL: &'static [ChangeKind] = &[
        ChangeKind::NewFigure,
        ChangeKind::NewValue,
        ChangeKind::NewDispute,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NewFigure => "new_figure",
            ChangeKind::NewValue => "new_value",
            ChangeKind::NewDispute => "new_dispute",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One change of a figure, as the Atom feed and the webhooks tell it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub event: String,
    pub kind: String,
    pub who: String,
    pub location: Option<String>,
    pub change: ChangeKind,
    pub value: i64,
    pub qualifier: String,
    /// The value with its hedge: "> 100".
    pub shown: String,
    /// The figure's latest value before it, for a new value or dispute.
    pub previous: Option<i64>,
    pub source: Option<String>,
    /// The claim that made the change.
    pub claim: i64,
    /// The figure's status after it.
    pub status: Status,
    /// Whether the source moved its own figure.
    pub revision: bool,
    /// The change in one sentence.
    pub words: String,
    /// The time the claim refers to.
    pub at: DateTime<Utc>,
}

impl Change {
    fn new(f: &Figure, change: ChangeKind, said: &Said, previous: Option<i64>) -> Self {
        Change {
            event: f.event.clone(),
            kind: f.kind.clone(),
            who: f.who.clone(),
            location: f.location.clone(),
            change,
            value: said.value,
            qualifier: said.qualifier.clone(),
            shown: said.shown.clone(),
            previous,
            source: said.source.clone(),
            claim: said.claim,
            status: f.status,
            revision: false,
            words: String::new(),
            at: said.at,
        }
    }

    /// How far the value moved: the whole value for a new figure.
    pub fn size(&self) -> i64 {
        (self.value - self.previous.unwrap_or(0)).abs()
    }
}

/// What became new between two summaries of the same figures (`after` holds
/// the claims of `before` and more): new figures, new values, new disputes.
pub fn changes(before: &[Figure], after: &[Figure]) -> Vec<Change> {
    let mut out = Vec::new();
    let before: HashMap<FigureKey, &Figure> = before.iter().map(|b| (b.key(), b)).collect();
    for f in after {
        let Some(b) = before.get(&f.key()) else {
            let mut c = Change::new(f, ChangeKind::NewFigure, &f.latest_said(), None);
            c.words = format!("{}: {} ({})", f.what(), c.shown, f.latest_by());
            out.push(c);
            continue;
        };
        let known: HashSet<i64> = b.values.iter().map(|v| v.value).collect();
        for v in f.values.iter().filter(|v| !known.contains(&v.value)) {
            let revised = f
                .why
                .iter()
                .find(|r| r.status == Status::Revised && r.later.value == v.value);
            let said = match revised {
                Some(r) => r.later.clone(),
                None => f.said_of(v),
            };
            let mut c = Change::new(f, ChangeKind::NewValue, &said, Some(b.latest_value));
            c.revision = revised.is_some();
            c.words = match revised {
                Some(r) => format!("{}: revised to {} ({})", f.what(), c.shown, r.words),
                None => format!(
                    "{}: {} ({}), was {}",
                    f.what(),
                    c.shown,
                    said.who(),
                    b.latest_shown
                ),
            };
            out.push(c);
        }
        let old: HashSet<_> = b.why.iter().map(Reason::key).collect();
        for r in f
            .why
            .iter()
            .filter(|r| r.status == Status::Disputed && !old.contains(&r.key()))
        {
            let mut c = Change::new(f, ChangeKind::NewDispute, &r.later, Some(r.earlier.value));
            c.words = format!("{} disputed: {}", f.what(), r.words);
            out.push(c);
        }
    }
    out
}

impl Figure {
    fn latest_said(&self) -> Said {
        Said {
            claim: self.latest_claim,
            value: self.latest_value,
            qualifier: self.latest_qualifier.clone(),
            shown: self.latest_shown.clone(),
            source: self.latest_source.clone(),
            at: self.latest_at,
        }
    }

    /// A distinct value as its first claim said it.
    fn said_of(&self, v: &ValueReport) -> Said {
        let qualifier = v
            .qualifiers
            .first()
            .cloned()
            .unwrap_or_else(|| "exact".into());
        Said {
            claim: v.claims.first().copied().unwrap_or_default(),
            value: v.value,
            shown: shown(&qualifier, v.value),
            qualifier,
            source: v
                .sources
                .first()
                .filter(|s| *s != "(unattributed)")
                .cloned(),
            at: v.first_seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(value: i64, source: &str, day: u32, story: i64) -> FigureClaim {
        FigureClaim {
            id: story * 100 + i64::from(day),
            article_id: story,
            event: "e".into(),
            kind: "arrested".into(),
            who: "people".into(),
            location: None,
            value: Some(value),
            qualifier: "exact".into(),
            part: false,
            source: (!source.is_empty()).then(|| source.into()),
            source_key: (!source.is_empty()).then(|| source.to_lowercase()),
            story_id: Some(story),
            outlet: None,
            at: chrono::NaiveDate::from_ymd_opt(2022, 1, day)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc(),
        }
    }

    fn hedged(mut c: FigureClaim, qualifier: &str) -> FigureClaim {
        c.qualifier = qualifier.into();
        c
    }

    #[test]
    fn many_unattributed_reports_make_reasons_about_the_latest_only() {
        // A thousand reports naming no source, each with its own count, on one
        // day: each disputes the one before it; only the latest are argued.
        let many: Vec<FigureClaim> = (0..1000).map(|i| claim(10 + i, "", 9, i + 1)).collect();
        let f = summarize(&many);
        assert_eq!(f[0].status, Status::Disputed);
        assert_eq!(f[0].values.len(), 1000);
        let disputes: Vec<&Reason> = f[0]
            .why
            .iter()
            .filter(|r| r.status == Status::Disputed)
            .collect();
        assert_eq!(disputes.len(), RECENT_STATEMENTS);
        let last = disputes.last().unwrap();
        assert_eq!((last.earlier.value, last.later.value), (1008, 1009));
    }

    #[test]
    fn one_source_moving_its_figure_is_revised() {
        let f = summarize(&[
            claim(2298, "MVD", 6, 1),
            claim(4000, "MVD", 8, 2),
            claim(5969, "MVD", 10, 3),
            claim(5969, "MVD", 10, 3),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].status, f[0].trend),
            (Status::Revised, Some(Trend::Up))
        );
        assert_eq!((f[0].latest_value, f[0].min, f[0].max), (5969, 2298, 5969));
        let v = f[0].values.iter().find(|v| v.value == 5969).unwrap();
        assert_eq!(
            (v.reports, v.stories),
            (2, 1),
            "copies of one story count once"
        );
        assert_eq!(f[0].why.len(), 2, "{:#?}", f[0].why);
        assert_eq!(
            f[0].why[0].words,
            "MVD said 2,298 on 6 January 2022, then 4,000 on 8 January 2022"
        );
    }

    #[test]
    fn a_later_value_from_another_source_is_a_change_not_a_revision() {
        let f = summarize(&[claim(40, "health ministry", 6, 1), claim(100, "", 13, 2)]);
        assert_eq!(
            (f[0].status, f[0].trend),
            (Status::Changed, Some(Trend::Up))
        );
        assert_eq!(f[0].why[0].earlier.claim, 106);
        assert_eq!(f[0].why[0].later.claim, 213);
        // Two reports that name no source are two sources.
        let f = summarize(&[claim(40, "", 6, 1), claim(100, "", 13, 2)]);
        assert_eq!(f[0].status, Status::Changed);
    }

    #[test]
    fn different_sources_at_about_the_same_time_dispute() {
        let f = summarize(&[claim(18, "MVD", 6, 1), claim(3, "Khabar", 7, 2)]);
        assert_eq!(f[0].status, Status::Disputed);
        assert_eq!(
            f[0].why[0].words,
            "MVD said 18 on 6 January 2022; Khabar 3 on 7 January 2022"
        );
        // The same two values a week apart are a change, not a dispute.
        let f = summarize(&[claim(18, "MVD", 6, 1), claim(3, "Khabar", 14, 2)]);
        assert_eq!(f[0].status, Status::Changed);
        let f = summarize(&[claim(18, "MVD", 6, 1), claim(18, "Khabar", 6, 2)]);
        assert_eq!(
            (f[0].status, f[0].values[0].stories),
            (Status::Consistent, 2)
        );
        // An unattributed report disputes a source like any other.
        let f = summarize(&[claim(18, "MVD", 6, 1), claim(30, "", 6, 2)]);
        assert_eq!(f[0].status, Status::Disputed);
    }

    #[test]
    fn hedged_values_that_can_both_be_true_do_not_dispute() {
        let at_least_8 = hedged(claim(8, "MVD", 6, 1), "at_least");
        let f = summarize(&[at_least_8.clone(), claim(12, "Khabar", 6, 2)]);
        assert_eq!(f[0].status, Status::Changed, "{:#?}", f[0].why);
        let more_than_100 = hedged(claim(100, "MVD", 6, 1), "more_than");
        let f = summarize(&[more_than_100, claim(100, "Khabar", 6, 2)]);
        assert_eq!(f[0].status, Status::Disputed, "more than 100 is not 100");
        let about_100 = hedged(claim(100, "MVD", 6, 1), "approx");
        let f = summarize(&[about_100.clone(), claim(105, "Khabar", 6, 2)]);
        assert_ne!(f[0].status, Status::Disputed);
        let f = summarize(&[about_100, claim(150, "Khabar", 6, 2)]);
        assert_eq!(f[0].status, Status::Disputed);
        let up_to_50 = hedged(claim(50, "MVD", 6, 1), "at_most");
        let f = summarize(&[up_to_50, claim(60, "Khabar", 6, 2)]);
        assert_eq!(f[0].status, Status::Disputed);
    }

    #[test]
    fn a_range_is_compatible_with_a_value_inside_it() {
        // "from 2,000 to 5,000" is two claims: at least 2,000 and at most 5,000.
        let low = hedged(claim(2000, "UN", 6, 1), "at_least");
        let high = hedged(claim(5000, "UN", 6, 1), "at_most");
        let inside = claim(3000, "Red Crescent", 6, 2);
        let outside = claim(6000, "Red Crescent", 6, 2);
        assert!(compatible(&low, &inside) && compatible(&high, &inside));
        assert!(!compatible(&high, &outside));
    }

    #[test]
    fn a_part_is_never_the_latest_value() {
        let mut part = claim(10, "civil defence", 9, 2);
        part.part = true;
        let f = summarize(&[claim(300, "civil defence", 8, 1), part]);
        assert_eq!((f[0].latest_value, f[0].parts), (300, 1));
        assert_eq!(f[0].status, Status::Consistent);
        assert_eq!(f[0].latest_line(), "latest 300 (civil defence, 2022-01-08)");
    }

    #[test]
    fn the_latest_line_shows_the_hedge() {
        let f = summarize(&[
            claim(40, "health ministry", 6, 1),
            hedged(claim(100, "health ministry", 7, 2), "more_than"),
        ]);
        assert_eq!(
            f[0].latest_line(),
            "latest > 100 (health ministry, 2022-01-07), range 40–100"
        );
    }

    #[test]
    fn changes_are_new_figures_values_and_disputes() {
        let first = [claim(40, "health ministry", 6, 1)];
        let revised = [first[0].clone(), claim(100, "health ministry", 7, 2)];
        let disputed = [
            revised[0].clone(),
            revised[1].clone(),
            claim(30, "police", 7, 3),
        ];
        let new = changes(&[], &summarize(&first));
        assert_eq!(new.len(), 1);
        assert_eq!((new[0].change, new[0].value), (ChangeKind::NewFigure, 40));
        let new = changes(&summarize(&first), &summarize(&revised));
        assert_eq!(new.len(), 1, "{new:#?}");
        assert_eq!(
            (
                new[0].change,
                new[0].value,
                new[0].previous,
                new[0].revision
            ),
            (ChangeKind::NewValue, 100, Some(40), true)
        );
        let new = changes(&summarize(&revised), &summarize(&disputed));
        let kinds: Vec<ChangeKind> = new.iter().map(|c| c.change).collect();
        // One new statement, one dispute: with the latest value it contradicts.
        assert_eq!(kinds, [ChangeKind::NewValue, ChangeKind::NewDispute]);
        assert_eq!((new[1].value, new[1].previous), (30, Some(100)));
        // A copy of a claim already stored changes nothing.
        let copy = [
            revised[0].clone(),
            revised[1].clone(),
            claim(100, "health ministry", 7, 4),
        ];
        assert!(changes(&summarize(&revised), &summarize(&copy)).is_empty());
    }
}
