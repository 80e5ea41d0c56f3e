//! What the listing commands print: feeds, claims and figures as a table for
//! people, or JSON and CSV for programs.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use claimwire::model::{Kind, Qualifier, Who};
use claimwire::store::{self, ClaimFilter};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub fn open_existing(db: &Path) -> Result<rusqlite::Connection> {
    if !db.exists() {
        bail!(
            "no database at {} (run `claimwire once` first, or pass --db)",
            db.display()
        );
    }
    Ok(store::open_read(db)?)
}

/// Writes rows as a JSON array or CSV; `false` when the format is a table.
pub fn write_structured<T: serde::Serialize>(rows: &[T], format: Format) -> Result<bool> {
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            let mut out = out;
            serde_json::to_writer_pretty(&mut out, rows)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for r in rows {
                w.serialize(r)?;
            }
            w.flush()?;
        }
        Format::Table => return Ok(false),
    }
    Ok(true)
}

pub fn feeds(db: &Path, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let rows = store::query::feeds(&conn)
        .with_context(|| format!("cannot read feeds from {}", db.display()))?;
    if write_structured(&rows, format)? {
        return Ok(0);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:<48} {:<20} {:<13} {:<20} {:<20} {:>8} {:>8}  last error",
        "feed", "last poll", "outcome", "next poll", "pipeline", "failures", "articles",
    )?;
    for f in &rows {
        let url = match &f.moved_to {
            Some(m) => format!("{} -> {m}", f.url),
            None => f.url.clone(),
        };
        writeln!(
            out,
            "{:<48} {:<20} {:<13} {:<20} {:<20} {:>8} {:>8}  {}",
            clip(&url, 48),
            f.last_polled_at.as_deref().unwrap_or("-"),
            f.last_outcome.as_deref().unwrap_or("-"),
            f.next_fetch_at.as_deref().unwrap_or("-"),
            clip(&f.pipeline, 20),
            f.failures,
            f.articles,
            match (&f.error_class, &f.last_error) {
                (Some(c), Some(e)) => format!("[{c}] {e}"),
                _ => "-".into(),
            }
        )?;
    }
    writeln!(out, "{} feed(s)", rows.len())?;
    out.flush()?;
    Ok(0)
}

/// A claim flattened for CSV: the JSON's fields, spans as `start-end;...`.
#[derive(serde::Serialize)]
struct ClaimRow<'a> {
    id: i64,
    event: &'a str,
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
    claimed_on: Option<&'a str>,
    sentence: &'a str,
    evidence: &'a str,
    spans: String,
    language: Option<&'a str>,
    extractor: &'a str,
    article_id: i64,
    url: &'a str,
    outlet: Option<&'a str>,
    published_at: Option<&'a str>,
    story_id: Option<i64>,
}

impl<'a> ClaimRow<'a> {
    fn of(c: &'a store::StoredClaim) -> Self {
        ClaimRow {
            id: c.id,
            event: &c.event,
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
            claimed_on: c.claimed_on.as_deref(),
            sentence: &c.sentence,
            evidence: &c.evidence,
            spans: c
                .spans
                .iter()
                .map(|s| format!("{}-{}", s.start, s.end))
                .collect::<Vec<_>>()
                .join(";"),
            language: c.language.as_deref(),
            extractor: &c.extractor,
            article_id: c.article_id,
            url: &c.url,
            outlet: c.outlet.as_deref(),
            published_at: c.published_at.as_deref(),
            story_id: c.story_id,
        }
    }
}

/// A value with its hedge, as every table shows it.
fn shown(qualifier: &str, value: Option<i64>) -> String {
    Qualifier::parse(qualifier)
        .unwrap_or(Qualifier::Exact)
        .show(value)
}

pub fn claims(db: &Path, filter: ClaimFilter, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let rows = store::query::claims(&conn, &filter)
        .with_context(|| format!("cannot read claims from {}", db.display()))?;
    if let Format::Csv = format {
        let flat: Vec<ClaimRow> = rows.iter().map(ClaimRow::of).collect();
        write_structured(&flat, format)?;
        return Ok(0);
    }
    if write_structured(&rows, format)? {
        return Ok(0);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:<10} {:<18} {:<12} {:<10} {:>9} {:<28} {:<12} {:<22} evidence",
        "day", "event", "kind", "who", "value", "source", "location", "outlet"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:<10} {:<18} {:<12} {:<10} {:>9} {:<28} {:<12} {:<22} {}",
            r.day().unwrap_or("-"),
            clip(&r.event, 18),
            r.kind,
            r.who,
            shown(&r.qualifier, r.value),
            clip(r.source.as_deref().unwrap_or("-"), 28),
            clip(r.location.as_deref().unwrap_or("-"), 12),
            clip(r.outlet.as_deref().unwrap_or("-"), 22),
            r.evidence
        )?;
    }
    writeln!(out, "{} claim(s)", rows.len())?;
    out.flush()?;
    Ok(0)
}

/// A figure flattened for CSV.
#[derive(serde::Serialize)]
struct FigureRow<'a> {
    event: &'a str,
    kind: &'a str,
    who: &'a str,
    location: Option<&'a str>,
    status: &'a str,
    trend: Option<&'a str>,
    latest_value: i64,
    latest_qualifier: &'a str,
    latest_shown: &'a str,
    latest_source: Option<&'a str>,
    latest_at: String,
    min: i64,
    max: i64,
    values: String,
    why: String,
}

pub fn figures(
    db: &Path,
    event: Option<&str>,
    kind: Option<Kind>,
    who: Option<Who>,
    format: Format,
) -> Result<i32> {
    let conn = open_existing(db)?;
    let mut figures = store::figures::figures(&conn, event, kind)
        .with_context(|| format!("cannot read figures from {}", db.display()))?;
    figures.retain(|f| who.is_none_or(|w| f.who == w.as_str()));
    match format {
        Format::Json => {
            write_structured(&figures, format)?;
        }
        Format::Csv => {
            let rows: Vec<FigureRow> = figures.iter().map(figure_row).collect();
            write_structured(&rows, format)?;
        }
        Format::Table => figures_table(&figures)?,
    }
    Ok(0)
}

fn figure_row(f: &claimwire::figures::Figure) -> FigureRow<'_> {
    FigureRow {
        event: &f.event,
        kind: &f.kind,
        who: &f.who,
        location: f.location.as_deref(),
        status: f.status.as_str(),
        trend: f.trend.map(|t| t.as_str()),
        latest_value: f.latest_value,
        latest_qualifier: &f.latest_qualifier,
        latest_shown: &f.latest_shown,
        latest_source: f.latest_source.as_deref(),
        latest_at: f.latest_at.to_rfc3339(),
        min: f.min,
        max: f.max,
        values: f.values_line(),
        why: f
            .why
            .iter()
            .map(|r| r.words.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn figures_table(figures: &[claimwire::figures::Figure]) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in figures {
        writeln!(
            out,
            "{} · {} — {}: {}",
            f.event,
            f.what(),
            // "REVISED up": the status stands out in a column of lines.
            f.verdict()
                .replacen(f.status.as_str(), &f.status.as_str().to_uppercase(), 1),
            f.latest_line()
        )?;
        if let Some(r) = f.why.first() {
            writeln!(out, "    why: {}", r.words)?;
        }
        for v in &f.values {
            let hedges: Vec<String> = v
                .qualifiers
                .iter()
                .map(|q| shown(q, Some(v.value)))
                .collect();
            writeln!(
                out,
                "    {:>10}  first {}  stories {:>2}  reports {:>2}  {}",
                hedges.join(" / "),
                v.first_seen.format("%Y-%m-%d"),
                v.stories,
                v.reports,
                v.sources.join("; ")
            )?;
        }
    }
    writeln!(out, "{} figure(s)", figures.len())?;
    out.flush()?;
    Ok(())
}

pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n - 1).collect();
        c.push('…');
        c
    }
}
