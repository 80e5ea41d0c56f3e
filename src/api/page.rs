//! The web pages: `/`, per event, a chart of each figure over time (a line per
//! source), its status and latest whole value, the latest claims and feed health;
//! `/figure`, one figure with every claim behind it and its dispute or revision in
//! words. Rendered on the server as HTML and SVG: no script, no CDN, works
//! offline; sentences carry `dir="auto"` so Arabic reads right to left.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use axum::extract::{Query, State as Shared};
use axum::response::{Html, IntoResponse, Response};

use super::{ApiError, State, bad, plain_text, read};
use crate::figures::{self, Figure, FigureClaim};
use crate::model::{Kind, Qualifier, Who, grouped};
use crate::store::{self, ClaimFilter, StoredClaim, figures::Scope};

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `s` for a query string.
pub fn url_part(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where a figure's own page is.
pub fn figure_href(f: &Figure) -> String {
    figure_href_of(&f.event, &f.kind, &f.who, f.location.as_deref())
}

/// Where the page of the figure with this key is.
pub fn figure_href_of(event: &str, kind: &str, who: &str, place: Option<&str>) -> String {
    format!(
        "/figure?event={}&kind={}&who={}&place={}",
        url_part(event),
        url_part(kind),
        url_part(who),
        url_part(place.unwrap_or(""))
    )
}

/// A reason in words with each source isolated, so an Arabic name keeps its
/// place in an English sentence.
fn reason_html(r: &figures::Reason) -> String {
    let mut html = esc(&r.words);
    let mut names: Vec<String> = [r.earlier.who(), r.later.who()].map(esc).to_vec();
    names.dedup();
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        html = html.replace(&name, &format!("<bdi>{name}</bdi>"));
    }
    html
}

/// Round steps for an axis from 0 to `max`: 1, 2 or 5 times a power of ten.
fn ticks(max: i64) -> Vec<i64> {
    let max = max.max(1);
    let rough = max as f64 / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(power * 10.0)
        .max(1.0) as i64;
    (0..)
        .map(|i| i * step)
        .take_while(|v| *v < max + step)
        .collect()
}

/// Where a chart's plot sits in its SVG and how time and values map onto it.
struct Frame {
    left: f64,
    plot_w: f64,
    h: f64,
    bottom: f64,
    top_pad: f64,
    t0: i64,
    span: f64,
    top: f64,
}

impl Frame {
    fn x(&self, t: i64) -> f64 {
        self.left + 8.0 + (t - self.t0) as f64 / self.span * (self.plot_w - 16.0)
    }

    fn y(&self, v: i64) -> f64 {
        self.h - self.bottom - v as f64 / self.top * (self.h - self.bottom - self.top_pad)
    }

    /// The two axes, a value and a faint rule at each y tick, a date under each x tick.
    fn axes(&self, svg: &mut String, y_ticks: &[i64], t1: i64) {
        let (left, b, r) = (self.left, self.h - self.bottom, self.left + self.plot_w);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"/><line x1="{left}" y1="{}" x2="{left}" y2="{b}" stroke="#999"/>"##,
            self.top_pad
        );
        for v in y_ticks {
            let y = self.y(*v);
            let _ = write!(
                svg,
                r##"<text class="ytick" x="{}" y="{:.1}" font-size="10" text-anchor="end">{}</text><line x1="{left}" y1="{y:.1}" x2="{r}" y2="{y:.1}" stroke="#eee"/>"##,
                left - 4.0,
                y + 3.0,
                grouped(*v),
            );
        }
        for t in day_ticks(self.t0, t1) {
            let day = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
            let _ = write!(
                svg,
                r#"<text class="xtick" x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
                self.x(t),
                b + 14.0,
                day.format("%Y-%m-%d")
            );
        }
    }

    /// One source's line, its points (with the value as said) and its legend row.
    fn series(&self, svg: &mut String, i: usize, source: &str, mut line: Vec<&FigureClaim>) {
        let colour = COLOURS[i % COLOURS.len()];
        line.sort_by_key(|c| c.at);
        let at = |c: &FigureClaim| {
            (
                self.x(c.at.timestamp()),
                self.y(c.value.unwrap_or_default()),
            )
        };
        let path: Vec<String> = line
            .iter()
            .map(|c| {
                let (x, y) = at(c);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for c in &line {
            let (x, y) = at(c);
            let _ = write!(
                svg,
                r#"<circle class="point" cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{colour}"><title>{} — {} ({})</title></circle>"#,
                figures::shown(&c.qualifier, c.value.unwrap_or_default()),
                esc(source),
                c.at.format("%Y-%m-%d")
            );
        }
        let ly = self.top_pad + 6.0 + 14.0 * i as f64;
        let lx = self.left + self.plot_w + 12.0;
        let _ = write!(
            svg,
            r#"<g class="legend"><line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="3"/><text x="{}" y="{}" font-size="10">{}</text></g>"#,
            lx + 14.0,
            lx + 18.0,
            ly + 3.5,
            esc(&clip(source, 26))
        );
    }
}

/// An SVG line chart of one figure's whole values over time, one line per source,
/// with dates under the x axis, values beside the y axis and the legend to the
/// right of the plot.
fn chart(figure: &Figure, claims: &[&FigureClaim]) -> String {
    let points: Vec<&FigureClaim> = claims
        .iter()
        .copied()
        .filter(|c| c.value.is_some() && !c.part)
        .collect();
    let t0 = points.iter().map(|c| c.at.timestamp()).min().unwrap_or(0);
    let t1 = points.iter().map(|c| c.at.timestamp()).max().unwrap_or(0);
    let y_ticks = ticks(figure.max);
    let frame = Frame {
        left: 52.0,
        plot_w: 420.0,
        h: 200.0,
        bottom: 30.0,
        top_pad: 10.0,
        t0,
        span: ((t1 - t0) as f64).max(3600.0),
        top: (*y_ticks.last().unwrap_or(&1)).max(1) as f64,
    };
    let w = frame.left + frame.plot_w + 170.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {}" role="img" aria-label="{} over time">"#,
        frame.h,
        esc(&figure.what()),
    );
    frame.axes(&mut svg, &y_ticks, t1);
    let mut series: BTreeMap<String, Vec<&FigureClaim>> = BTreeMap::new();
    for c in points {
        let name = c.source.clone().unwrap_or_else(|| "unattributed".into());
        series.entry(name).or_default().push(c);
    }
    for (i, (source, line)) in series.into_iter().enumerate() {
        frame.series(&mut svg, i, &source, line);
    }
    svg.push_str("</svg>");
    svg
}

/// Up to five dates, evenly spread from `t0` to `t1` (one when they are a day apart
/// or less).
fn day_ticks(t0: i64, t1: i64) -> Vec<i64> {
    let days = (t1 - t0) / 86_400;
    if days < 1 {
        return vec![t0];
    }
    let n = days.min(4);
    (0..=n).map(|i| t0 + (t1 - t0) * i / n).collect()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut c: String = s.chars().take(n - 1).collect();
    c.push('…');
    c
}

/// The page's head and style, up to the first heading.
fn head(title: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:1200px}}
h1{{font-size:1.4rem}}h2{{font-size:1.2rem;border-bottom:1px solid #ddd}}h3{{font-size:1rem;margin:.2rem 0}}
.figures{{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1rem}}
.figure{{border:1px solid #ddd;border-radius:6px;padding:.6rem}}.figure.disputed{{border-color:#d62728;background:#fff6f6}}
.badge{{font-size:.75rem;padding:.1rem .4rem;border-radius:4px;background:#eee}}.badge.disputed{{background:#d62728;color:#fff}}.badge.revised{{background:#ff7f0e;color:#fff}}.badge.changed{{background:#9467bd;color:#fff}}
.chart{{width:100%;height:auto}}table{{border-collapse:collapse;width:100%;font-size:.85rem}}td,th{{border-bottom:1px solid #eee;padding:.3rem;text-align:start;vertical-align:top}}
.sentence{{unicode-bidi:plaintext}}.fail{{color:#d62728}}mark{{background:#ffe58a}}.why li{{margin:.2rem 0}}
</style></head><body><h1><a href="/">claimwire</a></h1>"#,
        esc(title)
    )
}

pub async fn index(Shared(state): Shared<State>) -> Response {
    let data = read(&state, |c| {
        let claims = store::figures::figure_claims(c, Scope::default())?;
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
    let mut by_figure: HashMap<figures::FigureKey, Vec<&FigureClaim>> = HashMap::new();
    for c in &claims {
        by_figure.entry(c.key()).or_default().push(c);
    }
    let mut html = head("claimwire");
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
            let points = by_figure.get(&f.key()).map_or(&[][..], |v| v.as_slice());
            figure_card(&mut html, f, points);
        }
        html.push_str("</div>");
        latest_claims(&mut html, event, &latest);
        html.push_str("</section>");
    }
    feeds_table(&mut html, &feeds);
    html.push_str("</body></html>");
    Html(html).into_response()
}

/// The status badge and the latest line of a figure.
fn verdict_line(f: &Figure) -> String {
    let status = f.status.as_str();
    format!(
        r#"<span class="badge {status}">{}</span> {}"#,
        esc(&f.verdict()),
        f.latest_line_marked(
            |v| format!("<b>{}</b>", esc(v)),
            |s| format!("<bdi>{}</bdi>", esc(s))
        )
    )
}

/// One figure: what, verdict, latest line, its chart and a link to its page.
fn figure_card(html: &mut String, f: &Figure, points: &[&FigureClaim]) {
    let why = f
        .why
        .first()
        .map(|r| format!(r#"<div class="why">{}</div>"#, esc(&r.words)))
        .unwrap_or_default();
    let _ = write!(
        html,
        r#"<div class="figure {}" data-kind="{}" data-who="{}"><h3><a href="{}">{}</a></h3><div>{}</div>{why}{}</div>"#,
        f.status.as_str(),
        esc(&f.kind),
        esc(&f.who),
        esc(&figure_href(f)),
        esc(&f.what()),
        verdict_line(f),
        chart(f, points)
    );
}

/// The day a stored claim is about, as the claims table shows it.
fn claim_day(c: &StoredClaim) -> &str {
    c.day().unwrap_or("-")
}

/// The value of a stored claim with its hedge.
fn claim_value(c: &StoredClaim) -> String {
    Qualifier::parse(&c.qualifier)
        .unwrap_or(Qualifier::Exact)
        .show(c.value)
}

/// The event's 30 latest claims with their sentences.
fn latest_claims(html: &mut String, event: &str, latest: &[StoredClaim]) {
    html.push_str("<h3>Latest claims</h3><table><tr><th>date</th><th>claim</th><th>source</th><th>outlet</th><th>sentence</th></tr>");
    let mut recent: Vec<_> = latest.iter().filter(|c| c.event == event).collect();
    recent.reverse();
    for c in recent.iter().take(30) {
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td>{} {} {}</td><td><bdi>{}</bdi></td><td><a href="/api/articles/{}">{}</a></td><td class="sentence" dir="auto">{}</td></tr>"#,
            esc(claim_day(c)),
            esc(&c.kind),
            esc(&claim_value(c)),
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

/// Which figure `/figure` shows.
struct FigureQuery {
    event: String,
    kind: Kind,
    who: Who,
    place: Option<String>,
}

fn figure_query(params: &HashMap<String, String>) -> Result<FigureQuery, ApiError> {
    plain_text(params)?;
    const KEYS: &[&str] = &["event", "kind", "who", "place"];
    if let Some(unknown) = params.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown parameter '{unknown}' (known: {})",
            KEYS.join(", ")
        )));
    }
    let get = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let need = |k: &str| get(k).ok_or_else(|| bad(format!("'{k}' is required")));
    let kind = need("kind")?;
    let who = need("who")?;
    Ok(FigureQuery {
        event: need("event")?,
        kind: super::one_of("kind", Some(kind), Kind::ALL, |k| k.as_str())?.unwrap_or(Kind::Killed),
        who: super::one_of("who", Some(who), Who::ALL, |w| w.as_str())?.unwrap_or(Who::People),
        place: get("place"),
    })
}

/// `/figure?event=&kind=&who=&place=`: one figure, its status in words, a chart
/// with a line per source, and every claim behind it with its sentence.
pub async fn figure(
    Shared(state): Shared<State>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = match figure_query(&params) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let (event, kind, who, place) = (q.event.clone(), q.kind, q.who, q.place.clone());
    let data = read(&state, move |c| {
        let key = (
            event.clone(),
            kind.as_str().to_string(),
            who.as_str().to_string(),
            place,
        );
        let scope = Scope {
            event: Some(&event),
            kind: Some(kind),
            who: Some(who),
            ..Scope::default()
        };
        let points: Vec<FigureClaim> = store::figures::figure_claims(c, scope)?
            .into_iter()
            .filter(|p| p.key() == key)
            .collect();
        let filter = ClaimFilter {
            event: Some(event),
            kind: Some(kind),
            who: Some(who),
            ..ClaimFilter::default()
        };
        let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
        let mut claims = store::query::claims(c, &filter)?;
        claims.retain(|s| ids.contains(&s.id));
        Ok((points, claims))
    })
    .await;
    let (points, claims) = match data {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let Some(f) = figures::summarize(&points).into_iter().next() else {
        return ApiError(
            axum::http::StatusCode::NOT_FOUND,
            format!(
                "no figure {} {} {} in {}",
                q.kind,
                q.who,
                q.place.as_deref().unwrap_or("(no place)"),
                q.event
            ),
        )
        .into_response();
    };
    let mut html = head(&format!("{} · {}", f.event, f.what()));
    let refs: Vec<&FigureClaim> = points.iter().collect();
    let _ = write!(
        html,
        r#"<h2>{} · {}</h2><p class="verdict">{}</p>"#,
        esc(&f.event),
        esc(&f.what()),
        verdict_line(&f)
    );
    why_list(&mut html, &f);
    html.push_str(&chart(&f, &refs));
    figure_claims_table(&mut html, &claims);
    html.push_str("</body></html>");
    Html(html).into_response()
}

/// The reasons for a figure's status, one line each.
fn why_list(html: &mut String, f: &Figure) {
    if f.why.is_empty() {
        return;
    }
    html.push_str(r#"<h3>Why</h3><ul class="why">"#);
    for r in &f.why {
        let _ = write!(
            html,
            r#"<li><span class="badge {0}">{0}</span> {1}</li>"#,
            r.status.as_str(),
            reason_html(r)
        );
    }
    html.push_str("</ul>");
}

/// Every claim of a figure: day, value, source, outlet, story, and its sentence
/// with the figure's words marked.
fn figure_claims_table(html: &mut String, claims: &[StoredClaim]) {
    html.push_str("<h3>Every claim</h3><table class=\"claims\"><tr><th>day</th><th>value</th><th>source</th><th>outlet</th><th>story</th><th>sentence</th></tr>");
    for c in claims {
        let sentence = match c
            .sentence
            .find(&c.evidence)
            .filter(|_| !c.evidence.is_empty())
        {
            Some(i) => format!(
                "{}<mark>{}</mark>{}",
                esc(&c.sentence[..i]),
                esc(&c.evidence),
                esc(&c.sentence[i + c.evidence.len()..])
            ),
            None => esc(&c.sentence),
        };
        let _ = write!(
            html,
            r#"<tr{}><td>{}</td><td>{}</td><td><bdi>{}</bdi></td><td><a href="{}">{}</a></td><td>{}</td><td class="sentence" dir="auto" lang="{}">{sentence}</td></tr>"#,
            if c.part { r#" class="part""# } else { "" },
            esc(claim_day(c)),
            esc(&claim_value(c)),
            esc(c.source.as_deref().unwrap_or("unattributed")),
            esc(&c.url),
            esc(c.outlet.as_deref().unwrap_or("article")),
            c.story_id.map_or("-".into(), |s| s.to_string()),
            esc(c.language.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</table>");
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_steps_are_round() {
        assert_eq!(super::ticks(225), [0, 100, 200, 300]);
        assert_eq!(super::ticks(8), [0, 2, 4, 6, 8]);
        assert_eq!(super::ticks(5969), [0, 2000, 4000, 6000]);
        assert_eq!(super::ticks(1), [0, 1]);
    }
}
