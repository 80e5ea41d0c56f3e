//! Fetching against a fault-injecting HTTP server on 127.0.0.1: each misbehaviour
//! ends in the right outcome and failure class on the feed row, and the run goes on
//! with the other feeds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use claimwire::config::Pipeline;
use claimwire::fetch::client::ClientOptions;
use claimwire::pipeline::{self, Mode, Options};
use rusqlite::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Thu, 06 Jan 2022 10:00:00 GMT";

fn rss(host: &str, tag: &str, n: usize, link_page: Option<&str>) -> String {
    let items: String = (0..n)
        .map(|i| {
            let link = link_page.map_or(format!("http://{host}/{tag}/{i}"), |p| format!("http://{host}{p}"));
            format!("<item><title>{tag} {i}</title><link>{link}</link><guid>{tag}-{i}</guid><description>Police said {} protesters were detained in Almaty ({tag}).</description></item>", i + 2)
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{tag}</title><link>http://{host}/</link><description>d</description>{items}</channel></rss>"
    )
}

struct Server {
    addr: std::net::SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

async fn respond(mut sock: TcpStream, hits: Arc<Mutex<HashMap<String, usize>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
    };
    let host = header("host").unwrap_or_default();
    let n = {
        let mut h = hits.lock().unwrap();
        let c = h.entry(path.clone()).or_default();
        *c += 1;
        *c
    };
    let ok = |ctype: &str, body: &[u8], extra: &str| {
        let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n", body.len()).into_bytes();
        r.extend_from_slice(body);
        r
    };
    let status = |code: &str, extra: &str| {
        format!("HTTP/1.1 {code}\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n")
            .into_bytes()
    };
    let reply: Vec<u8> = match path.as_str() {
        "/etag.xml" if header("if-none-match").as_deref() == Some(ETAG) => status("304 Not Modified", ""),
        "/etag.xml" => ok("application/rss+xml", rss(&host, "etag", 2, None).as_bytes(), &format!("ETag: {ETAG}\r\n")),
        "/lastmod.xml" if header("if-modified-since").as_deref() == Some(LAST_MODIFIED) => status("304 Not Modified", ""),
        "/lastmod.xml" => ok("application/rss+xml", rss(&host, "lastmod", 2, None).as_bytes(), &format!("Last-Modified: {LAST_MODIFIED}\r\n")),
        "/429.xml" => status("429 Too Many Requests", "Retry-After: 120\r\n"),
        "/flaky.xml" if n == 1 => status("500 Internal Server Error", ""),
        "/flaky.xml" => ok("application/rss+xml", rss(&host, "flaky", 1, None).as_bytes(), ""),
        "/reset.xml" => {
            // Close with RST instead of a response.
            // Blocking on drop is what a reset needs here; the test wants the RST.
            #[allow(deprecated)]
            let _ = sock.set_linger(Some(Duration::ZERO));
            return;
        }
        "/stall.xml" => {
            let body = rss(&host, "stall", 3, None);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&body.as_bytes()[..body.len() / 2]).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        }
        "/badgzip.xml" => {
            let body = b"\x1f\x8b\x08\x00this is not gzip at all, not even close";
            let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
            r.extend_from_slice(body);
            r
        }
        "/endless.xml" => {
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss>").await;
            let block = vec![b'x'; 64 * 1024];
            // Until the client hangs up; bounded so the test always ends.
            for _ in 0..4096 {
                if sock.write_all(&block).await.is_err() {
                    break;
                }
            }
            return;
        }
        "/loop-a.xml" => status("302 Found", "Location: /loop-b.xml\r\n"),
        "/loop-b.xml" => status("302 Found", "Location: /loop-a.xml\r\n"),
        "/old.xml" => status("301 Moved Permanently", "Location: /new.xml\r\n"),
        "/new.xml" => ok("application/rss+xml", rss(&host, "moved", 1, None).as_bytes(), ""),
        "/page.html" => ok(
            "text/html",
            b"<!DOCTYPE html><html><head><title>News</title><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feeds/world.xml\"></head><body>News</body></html>",
            "",
        ),
        "/arabic.xml" => ok("application/rss+xml", rss(&host, "arabic", 1, Some("/ar-article.html")).as_bytes(), ""),
        "/ar-article.html" => {
            let text = "<html><head><title>احتجاجات</title></head><body><div><p>قالت وزارة الداخلية الكازاخستانية إن ثمانية من أفراد الشرطة قتلوا في ألماتي خلال الاشتباكات مع المحتجين يوم الخميس.</p><p>وأضافت الوزارة أنه تم اعتقال 2298 شخصا في أنحاء البلاد، فيما أصيب مئات آخرون بجروح متفاوتة في المواجهات التي شهدتها المدن الكبرى.</p></div></body></html>";
            let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
            ok("text/html", &bytes, "")
        }
        _ => status("404 Not Found", ""),
    };
    let _ = sock.write_all(&reply).await;
    let _ = sock.shutdown().await;
}

impl Server {
    async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let h = hits.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(respond(sock, h.clone()));
            }
        });
        Server { addr, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn pipeline_for(dir: &std::path::Path, feeds: &[(String, bool)]) -> Pipeline {
    let mut text = String::from("name = \"faults\"\npoll_every = \"10m\"\n");
    for (url, fetch_article) in feeds {
        text.push_str(&format!(
            "[[feed]]\nurl = \"{url}\"\nfetch_article = {fetch_article}\n"
        ));
    }
    let path = dir.join("faults.toml");
    std::fs::write(&path, text).unwrap();
    claimwire::config::load_file(&path).unwrap()
}

async fn once(p: &Pipeline, db: &std::path::Path) -> pipeline::Summary {
    let mut options = Options::new(db.to_path_buf(), Mode::Once);
    options.client = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        read_timeout: Duration::from_millis(800),
        max_body: 1024 * 1024,
        max_redirects: 4,
        ..ClientOptions::default()
    };
    claimwire::service::run(std::slice::from_ref(p), options, CancellationToken::new())
        .await
        .unwrap()
}

#[derive(Debug)]
struct Row {
    outcome: Option<String>,
    class: Option<String>,
    failures: i64,
    error: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    moved_to: Option<String>,
    polled: Option<String>,
    next: Option<String>,
}

fn row(conn: &Connection, url: &str) -> Row {
    conn.query_row(
        "SELECT last_outcome, error_class, failures, last_error, etag, last_modified, moved_to, last_polled_at, next_fetch_at FROM feeds WHERE url = ?1",
        [url],
        |r| {
            Ok(Row {
                outcome: r.get(0)?,
                class: r.get(1)?,
                failures: r.get(2)?,
                error: r.get(3)?,
                etag: r.get(4)?,
                last_modified: r.get(5)?,
                moved_to: r.get(6)?,
                polled: r.get(7)?,
                next: r.get(8)?,
            })
        },
    )
    .unwrap_or_else(|e| panic!("no row for {url}: {e}"))
}

fn seconds_between(a: &Option<String>, b: &Option<String>) -> i64 {
    let p =
        |s: &Option<String>| chrono::DateTime::parse_from_rfc3339(s.as_deref().unwrap()).unwrap();
    (p(b) - p(a)).num_seconds()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_classified_on_its_feed_row_and_the_run_goes_on() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let paths = [
        "/etag.xml",
        "/lastmod.xml",
        "/429.xml",
        "/flaky.xml",
        "/reset.xml",
        "/stall.xml",
        "/badgzip.xml",
        "/endless.xml",
        "/loop-a.xml",
        "/old.xml",
        "/page.html",
        "/arabic.xml",
    ];
    let feeds: Vec<(String, bool)> = paths
        .iter()
        .map(|p| (server.url(p), *p == "/arabic.xml"))
        .collect();
    let p = pipeline_for(dir.path(), &feeds);

    let first = once(&p, &db).await;
    assert_eq!(first.feeds_polled, paths.len());
    let conn = claimwire::store::open_read(&db).unwrap();
    let r = |path: &str| row(&conn, &server.url(path));

    // Conditional GET: validators stored.
    assert_eq!(
        (
            r("/etag.xml").outcome.as_deref(),
            r("/etag.xml").etag.as_deref()
        ),
        (Some("ok"), Some(ETAG))
    );
    assert_eq!(
        r("/lastmod.xml").last_modified.as_deref(),
        Some(LAST_MODIFIED)
    );
    // 429: classified, and the next poll waits at least what Retry-After asked.
    let limited = r("/429.xml");
    assert_eq!(
        (limited.class.as_deref(), limited.failures),
        (Some("http_status"), 1)
    );
    assert!(
        limited.error.as_deref().unwrap().contains("429"),
        "{limited:?}"
    );
    assert!(
        seconds_between(&limited.polled, &limited.next) >= 120,
        "{limited:?}"
    );
    // 500: failed once, backing off.
    let flaky = r("/flaky.xml");
    assert_eq!(
        (
            flaky.outcome.as_deref(),
            flaky.class.as_deref(),
            flaky.failures
        ),
        (Some("failed"), Some("http_status"), 1)
    );
    assert!(
        seconds_between(&flaky.polled, &flaky.next) >= 600,
        "{flaky:?}"
    );
    // Transport faults.
    assert!(
        matches!(
            r("/reset.xml").class.as_deref(),
            Some("connect" | "other" | "decode")
        ),
        "{:?}",
        r("/reset.xml")
    );
    assert_eq!(
        r("/stall.xml").class.as_deref(),
        Some("timeout"),
        "{:?}",
        r("/stall.xml")
    );
    assert_eq!(
        r("/badgzip.xml").class.as_deref(),
        Some("decode"),
        "{:?}",
        r("/badgzip.xml")
    );
    assert_eq!(
        r("/endless.xml").class.as_deref(),
        Some("too_large"),
        "{:?}",
        r("/endless.xml")
    );
    assert_eq!(
        r("/loop-a.xml").class.as_deref(),
        Some("redirect"),
        "{:?}",
        r("/loop-a.xml")
    );
    assert!(server.hits("/loop-a.xml") <= 3, "redirects must be bounded");
    // A permanent redirect is followed and recorded as the feed's new address.
    let moved = r("/old.xml");
    assert_eq!(
        (moved.outcome.as_deref(), moved.moved_to.clone()),
        (Some("ok"), Some(server.url("/new.xml")))
    );
    // An HTML page: not a feed, and the error names the feed it advertises.
    let page = r("/page.html");
    assert_eq!(page.class.as_deref(), Some("not_a_feed"));
    assert!(
        page.error
            .as_deref()
            .unwrap()
            .contains(&server.url("/feeds/world.xml")),
        "{page:?}"
    );
    // A windows-1256 page with no charset anywhere comes out as Arabic, with claims.
    let (text, language): (String, Option<String>) = conn
        .query_row(
            "SELECT text, language FROM articles WHERE url LIKE '%ar-article.html'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(text.contains("ثمانية من أفراد الشرطة قتلوا"), "{text}");
    assert_eq!(language.as_deref(), Some("ar"));
    let claims: i64 = conn
        .query_row("SELECT count(*) FROM claims c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE '%ar-article.html'", [], |r| r.get(0))
        .unwrap();
    assert!(claims >= 2, "{claims}");
    // The good feeds stored their entries despite the bad ones.
    assert_eq!(first.articles_new, 2 + 2 + 1 + 1, "{first:?}");

    // Second pass: 304s cost nothing; the flaky feed recovers; the moved feed is
    // fetched at its new address.
    let old_hits = server.hits("/old.xml");
    let second = once(&p, &db).await;
    assert_eq!(r("/etag.xml").outcome.as_deref(), Some("not_modified"));
    assert_eq!(r("/lastmod.xml").outcome.as_deref(), Some("not_modified"));
    let flaky = r("/flaky.xml");
    assert_eq!(
        (flaky.outcome.as_deref(), flaky.failures, flaky.class),
        (Some("ok"), 0, None)
    );
    assert_eq!(
        server.hits("/old.xml"),
        old_hits,
        "the moved feed is polled at its new address"
    );
    assert_eq!(r("/429.xml").failures, 2);
    assert_eq!(
        second.articles_new, 1,
        "only the recovered feed's entry is new: {second:?}"
    );
}
