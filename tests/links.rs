//! Links a feed gives are never local files or script URLs: a hostile feed served
//! over loopback whose entries link to `file:` URLs (a secret file, a FIFO),
//! `javascript:`, `data:` and `vbscript:` gets nothing read, and each such entry is
//! recorded with why; only the pipeline file's own `url` may name a local file.

use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use rusqlite::Connection;

const SECRET: &str = "the-secret-contents-of-a-local-file";

/// An RSS feed with one entry per link, each with a figure in its description.
fn feed(links: &[String]) -> String {
    let items: String = links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            format!(
                "<item><title>report {i}</title><link>{}</link><guid>g{i}</guid><description>Police said {} protesters were detained in Almaty.</description></item>",
                link.replace('&', "&amp;").replace('<', "&lt;"),
                i + 2
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://x/</link><description>d</description>{items}</channel></rss>"
    )
}

async fn serve(body: String) -> String {
    let app = Router::new()
        .route(
            "/feed.xml",
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], body) }
            }),
        )
        .route(
            "/page/{tag}",
            get(|| async {
                "<html><body><article><p>The ministry said 7 people were killed in Almaty on Thursday, in the worst clashes the city has seen in years.</p></article></body></html>"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_local_files_and_scripts_are_refused_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, SECRET).unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let pages = serve(String::new()).await;
    let links = |tag: &str| {
        vec![
            format!("file://{}", secret.display()),
            format!("file://{}", fifo.display()),
            "file:///proc/self/environ".to_string(),
            "javascript:alert(document.cookie)".to_string(),
            format!("data:text/html,<p>{SECRET}</p>"),
            "vbscript:msgbox(1)".to_string(),
            format!("{pages}/page/{tag}"),
        ]
    };
    // The same entries in a feed whose pages are fetched and in one whose are not.
    let with_pages = serve(feed(&links("a"))).await;
    let without = serve(feed(&links("b"))).await;
    let folder = dir.path().join("pipelines");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("hostile.toml"),
        format!(
            "name = \"hostile\"\n[[feed]]\nurl = \"{with_pages}/feed.xml\"\nfetch_article = true\n[[feed]]\nurl = \"{without}/feed.xml\"\nfetch_article = false\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("claims.db");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimwire"));
    cmd.arg("once").arg(&folder).arg("--db").arg(&db).args([
        "--block-internal",
        "--allow-host",
        "127.0.0.1",
    ]);
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A FIFO that were opened would hang the run here.
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()),
    )
    .await
    .expect("once finishes: nothing blocks on the FIFO")
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "once failed: {stderr}");

    let conn = Connection::open(&db).unwrap();
    let leaked: i64 = conn
        .query_row(
            "SELECT count(*) FROM articles WHERE text LIKE ?1 OR url NOT LIKE 'http%'",
            [format!("%{SECRET}%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0, "a local file or a script URL was stored");
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    // The one http entry of each feed (one article page, one feed text).
    assert_eq!(stored, 2, "{stderr}");
    let mut refused = conn
        .prepare(
            "SELECT e.detail FROM feed_entries e WHERE e.status = 'refused_link' ORDER BY e.entry_key",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    refused.sort();
    assert_eq!(
        refused.len(),
        12,
        "six refused entries in each feed: {refused:?}"
    );
    for scheme in ["file", "javascript", "data", "vbscript"] {
        assert!(
            refused
                .iter()
                .any(|d| d.starts_with(&format!("scheme {scheme} is not fetched"))),
            "no entry refused for {scheme}: {refused:?}"
        );
    }
    assert!(
        stderr.contains("entry refused"),
        "each refusal is logged: {stderr}"
    );
    // Recorded as seen: a second pass neither reads nor records them again.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("once")
        .arg(&folder)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(again.status.success());
    let entries: i64 = conn
        .query_row("SELECT count(*) FROM feed_entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(entries, 14);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_url_naming_a_fifo_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("feed.xml"));
    std::fs::write(
        dir.path().join("p.toml"),
        "name = \"fifo\"\n[[feed]]\nurl = \"feed.xml\"\n",
    )
    .unwrap();
    let db = dir.path().join("claims.db");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("once")
        .arg(dir.path().join("p.toml"))
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()),
    )
    .await
    .expect("once does not wait for a writer to open the FIFO")
    .unwrap();
    assert!(out.status.success());
    let conn = Connection::open(&db).unwrap();
    let (class, error): (String, String) = conn
        .query_row("SELECT error_class, last_error FROM feeds", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(class, "file");
    assert!(error.contains("not a regular file"), "{error}");
}
