//! A feed server on 127.0.0.1 for end-to-end tests: an RSS feed whose entries link
//! to article pages, both served from state the test can change.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    pub title: String,
    /// Paragraphs of the article page.
    pub paragraphs: Vec<String>,
}

#[derive(Default)]
pub struct ServerState {
    pub entries: Vec<Entry>,
    pub page_delay: Duration,
    pub pages_served: Vec<String>,
    pub feed_requests: usize,
}

pub struct FeedServer {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<ServerState>>,
}

impl FeedServer {
    pub async fn start(entries: Vec<Entry>) -> FeedServer {
        let state = Arc::new(Mutex::new(ServerState {
            entries,
            ..Default::default()
        }));
        let app = Router::new()
            .route("/feed.xml", get(feed))
            .route("/article/{id}", get(article))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FeedServer { addr, state }
    }

    pub fn feed_url(&self) -> String {
        format!("http://{}/feed.xml", self.addr)
    }

    pub fn push(&self, entry: Entry) {
        self.state.lock().unwrap().entries.push(entry);
    }

    pub fn pages_served(&self) -> Vec<String> {
        self.state.lock().unwrap().pages_served.clone()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn feed(
    State(state): State<Arc<Mutex<ServerState>>>,
    headers: axum::http::HeaderMap,
) -> impl IntoResponse {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut st = state.lock().unwrap();
    st.feed_requests += 1;
    let mut items = String::new();
    for e in &st.entries {
        items.push_str(&format!(
            "<item><title>{}</title><link>http://{host}/article/{}?utm_source=rss</link><guid>{}</guid><pubDate>Thu, 06 Jan 2022 10:00:00 GMT</pubDate><description>{}</description></item>\n",
            escape(&e.title),
            e.id,
            e.id,
            escape(&e.title)
        ));
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Test wire</title><link>http://{host}/</link><description>t</description>\n{items}</channel></rss>"
    );
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
}

async fn article(
    State(state): State<Arc<Mutex<ServerState>>>,
    Path(id): Path<String>,
) -> impl IntoResponse {
    let (entry, delay) = {
        let st = state.lock().unwrap();
        (
            st.entries.iter().find(|e| e.id == id).cloned(),
            st.page_delay,
        )
    };
    tokio::time::sleep(delay).await;
    let Some(entry) = entry else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "no such article".to_string(),
        );
    };
    let paragraphs: String = entry
        .paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body>\
         <nav><a href=\"/\">Home</a> | <a href=\"/world\">World</a> | <a href=\"/sport\">Sport</a></nav>\
         <article><h1>{t}</h1>{paragraphs}</article>\
         <footer>Copyright Test Wire. All rights reserved.</footer></body></html>",
        t = escape(&entry.title)
    );
    state.lock().unwrap().pages_served.push(id);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
}

/// An English report with one clear figure, long enough to be an article.
pub fn report(id: &str, figure: u32, place: &str) -> Entry {
    Entry {
        id: id.to_string(),
        title: format!("Unrest in {place}: report {id}"),
        paragraphs: vec![
            format!("The interior ministry said on Thursday that {figure} police officers were killed in clashes with protesters in {place}."),
            format!("Report {id}: the unrest began after fuel prices doubled at the start of the year, and spread from the west of the country to the largest cities within days."),
            "Shops were looted and government buildings set on fire, witnesses said, while the internet was cut across much of the country.".to_string(),
        ],
    }
}

/// Writes a pipeline file for `feed_url` into `dir` and loads it.
pub fn pipeline(
    dir: &std::path::Path,
    feed_url: &str,
    fetch_article: bool,
) -> claimwire::config::Pipeline {
    let path = dir.join("test.toml");
    std::fs::write(
        &path,
        format!("name = \"test-event\"\npoll_every = \"1s\"\n\n[[feed]]\nurl = \"{feed_url}\"\nfetch_article = {fetch_article}\n"),
    )
    .unwrap();
    claimwire::config::load_file(&path).unwrap()
}

/// `claimwire SUBCOMMAND FOLDER --db DB [extra...]` as a child process (`run`
/// gets `--listen none` unless `extra` says otherwise).
pub fn claimwire(
    subcommand: &str,
    folder: &std::path::Path,
    db: &std::path::Path,
    extra: &[&str],
) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimwire"));
    cmd.arg(subcommand).arg(folder).arg("--db").arg(db);
    if subcommand == "run" && !extra.contains(&"--listen") {
        cmd.args(["--listen", "none"]);
    }
    cmd.args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// A database filled by one pass of the demo pipeline, served by the API on a
/// loopback port: the base URL and the folder that holds the database.
pub async fn serve_demo() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let demo = claimwire::config::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/demo.toml"),
    )
    .unwrap();
    let options = claimwire::pipeline::Options::new(db.clone(), claimwire::pipeline::Mode::Once);
    claimwire::service::run(&demo, options, tokio_util::sync::CancellationToken::new())
        .await
        .unwrap();
    (serve(&db).await, dir)
}

/// The API over database `db` on a loopback port: its base URL.
pub async fn serve(db: &std::path::Path) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = claimwire::api::State::new(db, None);
    tokio::spawn(claimwire::api::serve(
        listener,
        state,
        tokio_util::sync::CancellationToken::new(),
    ));
    base
}

/// The database holds exactly `n` articles, one per entry, each with its claim
/// (when `claims`), and passes SQLite's integrity check.
pub fn assert_stored_once(db: &std::path::Path, n: i64, claims: bool) {
    let conn = claimwire::store::open_read(db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM articles"), n);
    assert_eq!(
        count("SELECT count(DISTINCT canonical_url) FROM articles"),
        n
    );
    assert_eq!(
        count("SELECT count(*) FROM feed_entries WHERE status = 'stored'"),
        n
    );
    if claims {
        assert_eq!(count("SELECT count(*) FROM claims"), n);
    }
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

/// Sends `signal` (TERM, INT) to a child process and waits for it to end.
pub async fn signal_and_wait(child: std::process::Child, signal: &str) -> std::process::Output {
    let status = std::process::Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

/// One pass of `pipelines` into `db`, through the library.
pub async fn run_once(
    pipelines: &[claimwire::config::Pipeline],
    db: &std::path::Path,
) -> claimwire::pipeline::Summary {
    let options =
        claimwire::pipeline::Options::new(db.to_path_buf(), claimwire::pipeline::Mode::Once);
    claimwire::service::run(
        pipelines,
        options,
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap()
}

/// A feed of `n` reports whose pages take `delay` each, and a pipeline folder with a
/// database path for it.
pub async fn slow_feed(
    n: u32,
    prefix: &str,
    delay: std::time::Duration,
) -> (FeedServer, tempfile::TempDir, std::path::PathBuf) {
    let entries: Vec<_> = (0..n)
        .map(|i| report(&format!("{prefix}{i}"), i + 2, "Almaty"))
        .collect();
    let server = FeedServer::start(entries).await;
    server.state.lock().unwrap().page_delay = delay;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    pipeline(dir.path(), &server.feed_url(), true);
    (server, dir, db)
}
