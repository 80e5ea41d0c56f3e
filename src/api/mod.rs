//! The HTTP API, Prometheus metrics and the web page, served while `claimwire run`
//! works (`--listen`). Every request reads through its own connection, so the
//! writer is never blocked; a bad parameter is a 400 with a JSON message.

pub mod atom;
pub mod metrics;
pub mod page;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State as Shared};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use crate::model::{Kind, Who};
use crate::stats::Counters;
use crate::store::{self, ClaimFilter};

/// What handlers share: where the database is and the running pipeline's counters.
#[derive(Clone)]
pub struct State {
    db: Arc<PathBuf>,
    counters: Option<Arc<Counters>>,
}

impl State {
    pub fn new(db: &Path, counters: Option<Arc<Counters>>) -> Self {
        State {
            db: Arc::new(db.to_path_buf()),
            counters,
        }
    }
}

/// A failed request, as JSON.
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// Runs a read on a blocking thread with a fresh read-only connection.
async fn read<T: Send + 'static>(
    state: &State,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || {
        let conn = store::open_read(&db)
            .map_err(|e| ApiError(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        f(&conn).map_err(|e| {
            warn!(error = %e, "api query failed");
            ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
        })
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

pub fn router(state: State) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/figure", get(page::figure))
        .route("/feeds/changes.atom", get(atom::all_events))
        .route("/feeds/{event}/changes.atom", get(atom::one_event))
        .route("/api/claims", get(claims))
        .route("/api/figures", get(figures))
        .route("/api/feeds", get(feeds))
        .route("/api/articles/{id}", get(article))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such route".into()) })
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// The page is server-rendered with one inline stylesheet and inline SVG, no
/// script, image, font or frame: anything else a browser is asked to load or run
/// (injected markup, say) is refused.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every response carries, errors and 404s included.
async fn security_headers(mut response: Response) -> Response {
    use axum::http::HeaderValue;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// How long a client may take to send a request's headers. `axum::serve` sets no
/// timer, so hyper's timeout never fired and a client that sent half a request
/// held its connection for as long as it liked.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; further clients wait in the listen backlog rather
/// than costing a task and a file descriptor each.
const MAX_CONNECTIONS: usize = 1024;

/// Serves until `stop` is cancelled, then lets open requests finish.
pub async fn serve(listener: tokio::net::TcpListener, state: State, stop: CancellationToken) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let app = router(state);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    // Each connection holds a receiver; `closed()` on the sender is all of them done.
    let (done_tx, done_rx) = tokio::sync::watch::channel(());
    loop {
        let slot = tokio::select! {
            _ = stop.cancelled() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, mostly: wait for some to close
                    // instead of spinning on the error.
                    warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let (stop, done) = (stop.clone(), done_rx.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let _done = done;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "http connection ended");
            }
        });
    }
    drop(listener);
    drop(done_rx);
    done_tx.closed().await;
}

const CLAIM_KEYS: &[&str] = &[
    "event", "kind", "who", "source", "since", "until", "q", "limit", "offset",
];
const MAX_LIMIT: u32 = 500;

/// A 400 naming the first parameter whose name or value holds a control character
/// other than tab or newline: no one types those, and a NUL makes SQLite fail.
fn plain_text(params: &HashMap<String, String>) -> Result<(), ApiError> {
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    let control = |s: &str| s.chars().any(|c| c.is_control() && c != '\t' && c != '\n');
    match keys
        .into_iter()
        .find(|k| control(k) || control(&params[*k]))
    {
        Some(k) => Err(bad(format!(
            "parameter '{}' holds a control character",
            k.escape_debug()
        ))),
        None => Ok(()),
    }
}

/// Parses the claim filters of a query string; every problem is a 400.
pub fn claim_filter(params: &HashMap<String, String>) -> Result<ClaimFilter, ApiError> {
    plain_text(params)?;
    if let Some(unknown) = params.keys().find(|k| !CLAIM_KEYS.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown parameter '{unknown}' (known: {})",
            CLAIM_KEYS.join(", ")
        )));
    }
    let get = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let kind = one_of("kind", get("kind"), Kind::ALL, |k| k.as_str())?;
    let who = one_of("who", get("who"), Who::ALL, |w| w.as_str())?;
    let date = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        get(k)
            .map(|v| {
                v.parse()
                    .map_err(|_| bad(format!("'{k}' must be a date like 2022-01-06, not '{v}'")))
            })
            .transpose()
    };
    let number = |k: &str, default: u32, max: u32| -> Result<u32, ApiError> {
        match get(k) {
            None => Ok(default),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(bad(format!(
                    "'{k}' must be a whole number from 0 to {max}, not '{v}'"
                ))),
            },
        }
    };
    let limit = number("limit", 50, MAX_LIMIT)?;
    if limit == 0 {
        return Err(bad("'limit' must be at least 1"));
    }
    let q = get("q");
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad("'q' is longer than 200 characters"));
    }
    Ok(ClaimFilter {
        event: get("event"),
        kind,
        who,
        source: get("source"),
        since: date("since")?,
        until: date("until")?,
        q,
        limit: Some(limit),
        offset: number("offset", 0, u32::MAX)?,
        article: None,
    })
}

async fn claims(
    Shared(state): Shared<State>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = claim_filter(&params)?;
    let (limit, offset) = (filter.limit.unwrap_or(50), filter.offset);
    let (total, items) = read(&state, move |c| {
        Ok((
            store::query::count_claims(c, &filter)?,
            store::query::claims(c, &filter)?,
        ))
    })
    .await?;
    Ok(
        axum::Json(json!({ "total": total, "limit": limit, "offset": offset, "items": items }))
            .into_response(),
    )
}

async fn figures(
    Shared(state): Shared<State>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    plain_text(&params)?;
    if let Some(unknown) = params
        .keys()
        .find(|k| !["event", "kind"].contains(&k.as_str()))
    {
        return Err(bad(format!(
            "unknown parameter '{unknown}' (known: event, kind)"
        )));
    }
    let kind = params.get("kind").cloned().filter(|k| !k.is_empty());
    let kind = one_of("kind", kind, Kind::ALL, |k| k.as_str())?;
    let event = params.get("event").cloned().filter(|e| !e.is_empty());
    let figures = read(&state, move |c| {
        store::figures::figures(c, event.as_deref(), kind)
    })
    .await?;
    Ok(axum::Json(figures).into_response())
}

async fn feeds(Shared(state): Shared<State>) -> Result<Response, ApiError> {
    let feeds = read(&state, store::query::feeds).await?;
    Ok(axum::Json(feeds).into_response())
}

async fn article(
    Shared(state): Shared<State>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| bad(format!("article id must be a number, not '{id}'")))?;
    match read(&state, move |c| store::query::article(c, id)).await? {
        Some(a) => Ok(axum::Json(a).into_response()),
        None => Err(ApiError(StatusCode::NOT_FOUND, format!("no article {id}"))),
    }
}

/// 200 while the database can be read and the writer commits; 503 with the reason
/// while the writer's commits fail (locked, disk full), so that a supervisor sees
/// a wedged service.
async fn healthz(Shared(state): Shared<State>) -> Response {
    let trouble = state.counters.as_ref().and_then(|c| c.writer.trouble());
    if let Some(t) = trouble {
        let since = t.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            format!(
                "unhealthy: the writer cannot commit since {since}: {}\n",
                t.reason
            ),
        )
            .into_response();
    }
    match read(&state, |c| {
        c.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))
    })
    .await
    {
        Ok(n) => (
            [(header::CONTENT_TYPE, "text/plain")],
            format!("ok: {n} articles\n"),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `value` of parameter `param` when it is one of `all`'s names; else a 400 that
/// lists them.
fn one_of<T: Copy>(
    param: &str,
    value: Option<String>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    let Some(v) = value else { return Ok(None) };
    all.iter()
        .copied()
        .find(|x| name(*x) == v)
        .map(Some)
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|x| name(*x)).collect();
            bad(format!(
                "unknown {param} '{v}' (known: {})",
                known.join(", ")
            ))
        })
}
