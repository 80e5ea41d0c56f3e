//! What the listing commands print: feeds, claims and figures as a table for
//! people, or JSON and CSV for programs.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use claimwire::model::{Kind, Who};
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

pub fn claims(db: &Path, filter: ClaimFilter, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let rows = store::query::claims(&conn, &filter)
        .with_context(|| format!("cannot read claims from {}", db.display()))?;
    if write_structured(&rows, format)? {
        return Ok(0);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:<10} {:<18} {:<12} {:<10} {:>8} {:<9} {:<28} {:<12} {:<22} evidence",
        "date", "event", "kind", "who", "value", "qualifier", "source", "location", "outlet"
    )?;
    for r in &rows {
        let date = r
            .claimed_at
            .as_deref()
            .or(r.published_at.as_deref())
            .map_or("-", |d| &d[..d.len().min(10)]);
        writeln!(
            out,
            "{:<10} {:<18} {:<12} {:<10} {:>8} {:<9} {:<28} {:<12} {:<22} {}",
            date,
            clip(&r.event, 18),
            r.kind,
            r.who,
            r.value.map_or("-".into(), |v| v.to_string()),
            r.qualifier,
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
    latest_value: f64,
    latest_source: Option<&'a str>,
    latest_at: String,
    min: f64,
    max: f64,
    values: String,
}

pub fn figures(
    db: &Path,
    event: Option<&str>,
    kind: Option<Kind>,
    who: Option<Who>,
    format: Format,
) -> Result<i32> {
    let conn = open_existing(db)?;
    let mut figures = claimwire::figures::figures(&conn, event, kind)
        .with_context(|| format!("cannot read figures from {}", db.display()))?;
    figures.retain(|f| who.is_none_or(|w| f.who == w.as_str()));
    match format {
        Format::Json => {
            write_structured(&figures, format)?;
        }
        Format::Csv => {
            let rows: Vec<FigureRow> = figures
                .iter()
                .map(|f| FigureRow {
                    event: &f.event,
                    kind: &f.kind,
                    who: &f.who,
                    location: f.location.as_deref(),
                    status: f.status.as_str(),
                    trend: f.trend.as_deref(),
                    latest_value: f.latest_value,
                    latest_source: f.latest_source.as_deref(),
                    latest_at: f.latest_at.to_rfc3339(),
                    min: f.min,
                    max: f.max,
                    values: f.values_line(),
                })
                .collect();
            write_structured(&rows, format)?;
        }
        Format::Table => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for f in &figures {
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
                for v in &f.values {
                    writeln!(
                        out,
                        "    {:>8}  first {}  stories {:>2}  reports {:>2}  {}",
                        v.value,
                        v.first_seen.format("%Y-%m-%d"),
                        v.stories,
                        v.reports,
                        v.sources.join("; ")
                    )?;
                }
            }
            writeln!(out, "{} figure(s)", figures.len())?;
            out.flush()?;
        }
    }
    Ok(0)
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
