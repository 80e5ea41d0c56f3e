//! Alerts end to end: the Atom feeds of figure changes, read by a feed parser, as
//! reports arrive from a loopback feed server.

mod common;

use std::sync::{Arc, Mutex};

use common::{FeedServer, pipeline, report, run_once, serve};

async fn atom(url: &str) -> feed_rs::model::Feed {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("application/atom+xml"), "{kind}");
    let body = r.bytes().await.unwrap();
    let feed = feed_rs::parser::parse(&body[..])
        .unwrap_or_else(|e| panic!("{url}: {e}: {}", String::from_utf8_lossy(&body)));
    if let Some(theirs) = feedparser_ids(&body) {
        assert_eq!(theirs, ids(&feed), "python feedparser on {url}");
    }
    feed
}

/// The entry ids Python's feedparser (what many feed readers are built on) reads
/// from `body`, failing on any problem it reports; None when it is not installed
/// (CI installs it and sets CLAIMWIRE_REQUIRE_FEEDPARSER, so there it must run).
fn feedparser_ids(body: &[u8]) -> Option<Vec<String>> {
    const CHECK: &str = "import sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
if d.bozo: sys.exit(f'not well-formed: {d.bozo_exception}')
if d.version != 'atom10': sys.exit(f'not read as Atom 1.0: {d.version}')
for e in d.entries:
    if not (e.get('id') and e.get('title') and e.get('link') and e.get('updated_parsed')):
        sys.exit(f'entry lacks id, title, link or updated: {e}')
    print(e.id)";
    let have = std::process::Command::new("python3")
        .args(["-c", "import feedparser"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var_os("CLAIMWIRE_REQUIRE_FEEDPARSER").is_none(),
            "CLAIMWIRE_REQUIRE_FEEDPARSER is set but python3 cannot import feedparser"
        );
        return None;
    }
    let mut child = std::process::Command::new("python3")
        .args(["-c", CHECK])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "feedparser: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect(),
    )
}

fn ids(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.id.clone()).collect()
}

fn title(e: &feed_rs::model::Entry) -> String {
    e.title
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_atom_feed_has_stable_ids_and_gains_an_entry_when_a_figure_is_revised() {
    let server = FeedServer::start(vec![report("a1", 12, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let p = pipeline(dir.path(), &server.feed_url(), true);
    run_once(std::slice::from_ref(&p), &db).await;
    let base = serve(&db).await;

    let first = atom(&format!("{base}/feeds/changes.atom")).await;
    assert_eq!(first.entries.len(), 1, "{first:#?}");
    let new_figure = &first.entries[0];
    assert!(new_figure.id.starts_with("urn:claimwire:change:"));
    assert!(title(new_figure).contains("12"), "{new_figure:#?}");
    assert!(new_figure.categories.iter().any(|c| c.term == "new_figure"));
    let link = &new_figure.links[0].href;
    assert!(link.starts_with(&base) && link.contains("/figure?event=test-event&kind=killed"));
    assert_eq!(reqwest::get(link).await.unwrap().status(), 200, "{link}");

    // Read again with nothing new: the same entries under the same ids.
    let again = atom(&format!("{base}/feeds/changes.atom")).await;
    assert_eq!(ids(&again), ids(&first));

    // The same ministry raises its toll: one more entry, a revision, on top.
    server.push(report("a2", 15, "Almaty"));
    run_once(std::slice::from_ref(&p), &db).await;
    let second = atom(&format!("{base}/feeds/test-event/changes.atom")).await;
    assert_eq!(second.entries.len(), 2, "{second:#?}");
    assert_eq!(
        ids(&second)[1..],
        ids(&first)[..],
        "old entries keep their ids"
    );
    let revision = &second.entries[0];
    assert!(
        title(revision).contains("revised to 15"),
        "{}",
        title(revision)
    );
    assert!(revision.categories.iter().any(|c| c.term == "revised"));
    assert!(second.updated >= first.updated);

    // A third pass with nothing new adds nothing.
    run_once(std::slice::from_ref(&p), &db).await;
    assert_eq!(
        ids(&atom(&format!("{base}/feeds/changes.atom")).await),
        ids(&second)
    );
    let r = reqwest::get(format!("{base}/feeds/no-such-event/changes.atom"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// A webhook receiver on loopback that answers 500 to its first `fail` requests
/// and 200 after; it keeps the change ids it accepted.
#[derive(Default)]
struct Receiver {
    requests: usize,
    fail: usize,
    accepted: Vec<i64>,
    bodies: Vec<serde_json::Value>,
}

async fn receiver(fail: usize) -> (String, Arc<Mutex<Receiver>>) {
    use axum::extract::State;
    let state = Arc::new(Mutex::new(Receiver {
        fail,
        ..Receiver::default()
    }));
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(s): State<Arc<Mutex<Receiver>>>, body: axum::Json<serde_json::Value>| async move {
                    let mut s = s.lock().unwrap();
                    s.requests += 1;
                    if s.requests <= s.fail {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    s.accepted.push(body["id"].as_i64().unwrap());
                    s.bodies.push(body.0);
                    axum::http::StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// Waits up to 30 s for `done` to hold.
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_fails_twice_gets_every_change_once_across_a_restart() {
    let (hook, got) = receiver(2).await;
    let server = FeedServer::start(vec![report("a1", 12, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pipelines");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("test.toml"),
        format!(
            "name = \"test-event\"\npoll_every = \"1s\"\n[[feed]]\nurl = \"{}\"\nfetch_article = true\n[[alert]]\nurl = \"{hook}\"\nkind = \"killed\"\n",
            server.feed_url()
        ),
    )
    .unwrap();
    let db = dir.path().join("claims.db");

    // First run: the change is stored, its first delivery fails, and claimwire
    // stops before the retry.
    let run = common::claimwire("run", &folder, &db, &[]).spawn().unwrap();
    wait_for("the first failed delivery", || {
        got.lock().unwrap().requests >= 1
    })
    .await;
    let out = common::signal_and_wait(run, "TERM").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(got.lock().unwrap().accepted.is_empty());

    // The ministry revises its toll while claimwire is down.
    server.push(report("a2", 15, "Almaty"));
    let run = common::claimwire("run", &folder, &db, &[]).spawn().unwrap();
    wait_for("both changes delivered", || {
        got.lock().unwrap().accepted.len() >= 2
    })
    .await;
    // Time for a duplicate to show, were there one.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let out = common::signal_and_wait(run, "TERM").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let conn = claimwire::store::open_read(&db).unwrap();
    let stored: Vec<i64> = conn
        .prepare("SELECT id FROM changes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let got = got.lock().unwrap();
    assert_eq!(got.accepted, stored, "every change once, in order");
    assert_eq!(
        got.requests,
        stored.len() + 2,
        "two failures, then one post each"
    );
    let revision = &got.bodies[1];
    assert_eq!(
        (
            revision["change"].as_str(),
            revision["value"].as_i64(),
            revision["previous"].as_i64()
        ),
        (Some("new_value"), Some(15), Some(12)),
        "{revision:#}"
    );
    assert_eq!(revision["revision"], true);
    // Each attempt's outcome is on record.
    let outcomes: Vec<(i64, String, Option<i64>)> = conn
        .prepare("SELECT attempt, outcome, http_status FROM deliveries ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (1, "failed".to_string(), Some(500)),
            (2, "failed".to_string(), Some(500)),
            (3, "delivered".to_string(), Some(204)),
            (1, "delivered".to_string(), Some(204)),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_internal_refuses_a_loopback_webhook_and_keeps_the_change() {
    let (hook, got) = receiver(0).await;
    let server = FeedServer::start(vec![report("a1", 12, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    std::fs::write(
        dir.path().join("test.toml"),
        format!(
            "name = \"test-event\"\n[[feed]]\nurl = \"{}\"\nfetch_article = true\n[[alert]]\nurl = \"{hook}\"\n",
            server.feed_url().replace("127.0.0.1", "localhost")
        ),
    )
    .unwrap();
    // The feed's host is let through; the webhook's loopback address is not.
    let out = common::claimwire(
        "once",
        &dir.path().join("test.toml"),
        &db,
        &["--block-internal", "--allow-host", "localhost"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(got.lock().unwrap().requests, 0);
    assert!(stderr.contains("is an internal address"), "{stderr}");
    let conn = claimwire::store::open_read(&db).unwrap();
    let (blocked, cursor): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM deliveries WHERE outcome = 'blocked'),
                    (SELECT last_change FROM alert_cursors)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((blocked, cursor), (1, 0), "refused, and still pending");
}
