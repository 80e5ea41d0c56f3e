//! `claimwire run` stops cleanly on SIGTERM and SIGINT: it stops polling, drains
//! what it fetched into the database, and exits 0.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{FeedServer, report};

async fn stop_mid_run(signal: &str) {
    let entries: Vec<_> = (0..40)
        .map(|i| report(&format!("s{i}"), i + 2, "Almaty"))
        .collect();
    let server = FeedServer::start(entries).await;
    server.state.lock().unwrap().page_delay = Duration::from_millis(150);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    common::pipeline(dir.path(), &server.feed_url(), true);

    let mut child = Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("run")
        .arg(dir.path())
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some pages, but far from all, have been served.
    let start = Instant::now();
    while server.pages_served().len() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the service fetched nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let waited = tokio::task::spawn_blocking(move || {
        let out = child.wait_with_output().unwrap();
        out
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&waited.stderr);
    assert!(
        waited.status.success(),
        "exit {:?}: {stderr}",
        waited.status
    );
    assert!(stderr.contains(&format!("{signal}: stopping")), "{stderr}");

    let served = server.pages_served();
    assert!(
        served.len() < 40,
        "the signal came too late to test anything"
    );
    let conn = claimwire::store::open_read(&db).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    // Every page the service fetched (before the signal or while draining) is stored.
    assert_eq!(stored as usize, served.len(), "{stderr}");
    let claims: i64 = conn
        .query_row("SELECT count(*) FROM claims", [], |r| r.get(0))
        .unwrap();
    assert_eq!(claims, stored);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_exits_cleanly() {
    stop_mid_run("TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_drains_and_exits_cleanly() {
    stop_mid_run("INT").await;
}
