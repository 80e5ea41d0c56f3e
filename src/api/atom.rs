//! The Atom feeds of figure changes: `/feeds/changes.atom` for every event and
//! `/feeds/{event}/changes.atom` for one, an entry per stored change (a new
//! figure, a new value, a new dispute), newest first. Entry ids are the change's
//! row id, so a feed reader never sees one change twice.

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Path as UrlPath, State as Shared};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;

use super::page::figure_href_of;
use super::{ApiError, State, read};
use crate::store::changes::{self, ChangeFilter, StoredChange};

/// Entries in one feed: a reader polls often, and older changes stay in the API.
const ENTRIES: u32 = 200;

pub async fn all_events(Shared(state): Shared<State>, headers: HeaderMap) -> Response {
    feed(state, headers, None).await
}

pub async fn one_event(
    Shared(state): Shared<State>,
    UrlPath(event): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    feed(state, headers, Some(event)).await
}

async fn feed(state: State, headers: HeaderMap, event: Option<String>) -> Response {
    let filter = ChangeFilter {
        event: event.clone(),
        after: 0,
        newest_first: true,
        limit: ENTRIES,
    };
    let asked = event.clone();
    let data = read(&state, move |c| {
        let known = match &asked {
            Some(e) => crate::store::query::event_known(c, e)?,
            None => true,
        };
        Ok((known, changes::list(c, &filter)?))
    })
    .await;
    let (known, list) = match data {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    if !known {
        let event = event.unwrap_or_default();
        return ApiError(StatusCode::NOT_FOUND, format!("no event '{event}'")).into_response();
    }
    let base = base_url(&headers);
    let body = write(&list, event.as_deref(), &base).to_string();
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `http://host` of the request, so entry links work from a feed reader.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn time(s: &str) -> FixedDateTime {
    DateTime::parse_from_rfc3339(s).unwrap_or_default()
}

/// The feed of `list` (newest first) for `event`, or all events.
pub fn write(list: &[StoredChange], event: Option<&str>, base: &str) -> Feed {
    let (id, title, path) = match event {
        Some(e) => (
            format!("urn:claimwire:changes:{e}"),
            format!("claimwire: changes of figures in {e}"),
            format!("/feeds/{}/changes.atom", super::page::url_part(e)),
        ),
        None => (
            "urn:claimwire:changes".to_string(),
            "claimwire: changes of figures".to_string(),
            "/feeds/changes.atom".to_string(),
        ),
    };
    let mut feed = Feed::default();
    feed.set_id(id);
    feed.set_title(title);
    feed.set_updated(
        list.first()
            .map(|c| time(&c.created_at))
            .unwrap_or_default(),
    );
    feed.set_links(vec![link(format!("{base}{path}"), "self")]);
    feed.set_authors(vec![person("claimwire")]);
    feed.set_entries(list.iter().map(|c| entry(c, base)).collect::<Vec<_>>());
    feed
}

fn link(href: String, rel: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link
}

fn person(name: &str) -> Person {
    let mut p = Person::default();
    p.set_name(name);
    p
}

fn category(term: &str) -> Category {
    let mut c = Category::default();
    c.set_term(term);
    c
}

fn entry(stored: &StoredChange, base: &str) -> Entry {
    let c = &stored.change;
    let mut entry = Entry::default();
    entry.set_id(format!("urn:claimwire:change:{}", stored.id));
    entry.set_title(Text::plain(c.words.clone()));
    let at = time(&stored.created_at);
    entry.set_updated(at);
    entry.set_published(Some(at));
    let href = figure_href_of(&c.event, &c.kind, &c.who, c.location.as_deref());
    entry.set_links(vec![link(format!("{base}{href}"), "alternate")]);
    entry.set_authors(vec![person(c.source.as_deref().unwrap_or("unattributed"))]);
    entry.set_categories(vec![
        category(c.change.as_str()),
        category(&c.kind),
        category(c.status.as_str()),
    ]);
    entry.set_summary(Some(Text::plain(format!(
        "{} · {} · status {} · said for {} · claim {}",
        c.event,
        c.shown,
        c.status.as_str(),
        c.at.format("%Y-%m-%d"),
        c.claim
    ))));
    entry
}
