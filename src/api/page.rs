//! The web page at `/`: per event, a chart of each figure over time (a line per
//! source), disputed figures marked, the latest claims with their sentence and a
//! link to the article, and feed health. Rendered on the server as HTML and SVG:
//! no script, no CDN, works offline; sentences carry `dir="auto"` so Arabic reads
//! right to left.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::State as Shared;
use axum::response::{Html, IntoResponse, Response};

use super::{State, read};
use crate::figures::{self, Figure, FigureClaim};
use crate::store::{self, ClaimFilter};

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG line chart of one figure: value over time, one line per source.
fn chart(figure: &Figure, claims: &[&FigureClaim]) -> String {
    let (w, h, pad) = (520.0, 180.0, 36.0);
    let t0 = claims.iter().map(|c| c.at.timestamp()).min().unwrap_or(0) as f64;
    let t1 = claims.iter().map(|c| c.at.timestamp()).max().unwrap_or(0) as f64;
    let span = (t1 - t0).max(3600.0);
    let top = figure.max.max(1.0) * 1.1;
    let x = |t: i64| pad + (t as f64 - t0) / span * (w - 2.0 * pad);
    let y = |v: f64| h - pad - v / top * (h - 2.0 * pad);
    let mut series: BTreeMap<String, Vec<&FigureClaim>> = BTreeMap::new();
    for c in claims.iter().filter(|c| c.value.is_some()) {
        series
            .entry(
                c.source_key
                    .clone()
                    .unwrap_or_else(|| "unattributed".into()),
            )
            .or_default()
            .push(c);
    }
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{} {} over time"><line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{b}" stroke="#999"/><text x="4" y="{ty}" font-size="10">{max}</text><text x="4" y="{b}" font-size="10">0</text>"##,
        esc(&figure.kind),
        esc(&figure.who),
        b = h - pad,
        r = w - pad,
        ty = y(figure.max) + 4.0,
        max = figure.max
    );
    for (i, (source, points)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut sorted = points.clone();
        sorted.sort_by_key(|c| c.at);
        let path: Vec<String> = sorted
            .iter()
            .map(|c| {
                format!(
                    "{:.1},{:.1}",
                    x(c.at.timestamp()),
                    y(c.value.unwrap_or_default())
                )
            })
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for c in &sorted {
            let _ = write!(
                svg,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3.5" fill="{colour}"><title>{} — {} ({})</title></circle>"#,
                x(c.at.timestamp()),
                y(c.value.unwrap_or_default()),
                c.value.unwrap_or_default(),
                esc(c.source.as_deref().unwrap_or("unattributed")),
                c.at.format("%Y-%m-%d")
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="10" fill="{colour}">{}</text>"#,
            w - pad - 150.0,
            pad + 12.0 * i as f64,
            esc(source)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The page's head and style, up to the first heading.
const HEAD: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>claimwire</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:.2rem 0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:1rem}
.figure{border:1px solid #ddd;border-radius:6px;padding:.6rem}.figure.disputed{border-color:#d62728;background:#fff6f6}
.badge{font-size:.75rem;padding:.1rem .4rem;border-radius:4px;background:#eee}.badge.disputed{background:#d62728;color:#fff}.badge.revised{background:#ff7f0e;color:#fff}
.chart{width:100%;height:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:start;vertical-align:top}
.sentence{unicode-bidi:plaintext}.fail{color:#d62728}
</style></head><body><h1>claimwire</h1>"#;

pub async fn index(Shared(state): Shared<State>) -> Response {
    let data = read(&state, |c| {
        let claims = crate::store::figures::figure_claims(c, None, None)?;
        let latest = store::query::claims(c, &ClaimFilter::default())?;
        let feeds = store::query::feeds(c)?;
        Ok((claims, latest, feeds))
    })
    .await;
    let (claims, latest, feeds) = match data {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let all = figures::summarize(&claims);
    let mut html = String::from(HEAD);
    let mut events: Vec<&str> = all.iter().map(|f| f.event.as_str()).collect();
    events.dedup();
    if events.is_empty() {
        html.push_str("<p>No claims yet. Run a pipeline (<code>claimwire once pipelines/demo.toml</code>).</p>");
    }
    for event in events {
        let _ = write!(
            html,
            r#"<section class="event"><h2>{}</h2><div class="figures">"#,
            esc(event)
        );
        for f in all.iter().filter(|f| f.event == event) {
            figure_card(&mut html, f, &claims);
        }
        html.push_str("</div>");
        latest_claims(&mut html, event, &latest);
        html.push_str("</section>");
    }
    feeds_table(&mut html, &feeds);
    html.push_str("</body></html>");
    Html(html).into_response()
}

/// One figure: what, verdict, latest line and its chart.
fn figure_card(html: &mut String, f: &Figure, claims: &[FigureClaim]) {
    let points: Vec<&FigureClaim> = claims
        .iter()
        .filter(|c| {
            c.event == f.event && c.kind == f.kind && c.who == f.who && c.location == f.location
        })
        .collect();
    let status = f.status.as_str();
    let _ = write!(
        html,
        r#"<div class="figure {status}" data-kind="{}" data-who="{}"><h3>{} <span class="badge {status}">{}</span></h3><div>{}</div>{}</div>"#,
        esc(&f.kind),
        esc(&f.who),
        esc(&f.what()),
        esc(&f.verdict()),
        f.latest_line_marked(
            |v| format!("<b>{v}</b>"),
            |s| format!("<bdi>{}</bdi>", esc(s))
        ),
        chart(f, &points)
    );
}

/// The event's 30 latest claims with their sentences.
fn latest_claims(html: &mut String, event: &str, latest: &[store::StoredClaim]) {
    html.push_str("<h3>Latest claims</h3><table><tr><th>date</th><th>claim</th><th>source</th><th>outlet</th><th>sentence</th></tr>");
    let mut recent: Vec<_> = latest.iter().filter(|c| c.event == event).collect();
    recent.reverse();
    for c in recent.iter().take(30) {
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td>{} {} {}</td><td><bdi>{}</bdi></td><td><a href="/api/articles/{}">{}</a></td><td class="sentence" dir="auto">{}</td></tr>"#,
            esc(c
                .claimed_at
                .as_deref()
                .or(c.published_at.as_deref())
                .map_or("-", |d| &d[..d.len().min(10)])),
            esc(&c.kind),
            c.value.map_or("(vague)".into(), |v| v.to_string()),
            esc(&c.who),
            esc(c.source.as_deref().unwrap_or("-")),
            c.article_id,
            esc(c.outlet.as_deref().unwrap_or("article")),
            esc(&c.sentence)
        );
    }
    html.push_str("</table>");
}

/// Each feed's last poll, outcome, next poll, failures and last error.
fn feeds_table(html: &mut String, feeds: &[store::query::FeedStatus]) {
    html.push_str("<h2>Feeds</h2><table><tr><th>feed</th><th>last poll</th><th>outcome</th><th>next poll</th><th>failures</th><th>articles</th><th>last error</th></tr>");
    for f in feeds {
        let failing = f.last_outcome.as_deref() == Some("failed");
        let _ = write!(
            html,
            r#"<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            if failing { "fail" } else { "" },
            esc(&f.url),
            esc(f.last_polled_at.as_deref().unwrap_or("-")),
            esc(f.last_outcome.as_deref().unwrap_or("-")),
            esc(f.next_fetch_at.as_deref().unwrap_or("-")),
            f.failures,
            f.articles,
            esc(f.last_error.as_deref().unwrap_or(""))
        );
    }
    html.push_str("</table>");
}
