//! A writer that cannot commit says so and recovers: a second connection holding
//! the write lock, a small volume that fills up. `/healthz` turns 503 with the
//! reason while it lasts, the failure is logged, and when the cause passes every
//! entry is stored exactly once. Two writers on one new database both finish.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{FeedServer, assert_stored_once, report};

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn stored(db: &Path) -> i64 {
    claimwire::store::open_read(db)
        .and_then(|c| {
            c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
                .map_err(|source| claimwire::store::StoreError::Query {
                    path: db.to_path_buf(),
                    source,
                })
        })
        .unwrap_or(0)
}

async fn until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `/healthz`: its status and body.
async fn health(port: u16) -> Option<(u16, String)> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .ok()?;
    let status = r.status().as_u16();
    Some((status, r.text().await.unwrap_or_default()))
}

async fn until_health(port: u16, want: u16, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Some((status, body)) = health(port).await {
            if status == want {
                return body;
            }
        }
        assert!(start.elapsed() < limit, "healthz never answered {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `claimwire run` on one feed, polling every second, serving on `port`.
fn run(folder: &Path, db: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("run")
        .arg(folder)
        .arg("--db")
        .arg(db)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("CLAIMWIRE_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn pipeline_folder(dir: &Path, feed: &str) -> PathBuf {
    let folder = dir.join("pipelines");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("p.toml"),
        format!(
            "name = \"w\"\npoll_every = \"1s\"\n[[feed]]\nurl = \"{feed}\"\nfetch_article = true\n"
        ),
    )
    .unwrap();
    folder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_write_lock_is_reported_and_waited_out() {
    let server = FeedServer::start(vec![report("l0", 2, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let folder = pipeline_folder(dir.path(), &server.feed_url());
    let db = dir.path().join("claims.db");
    let port = free_port();
    let child = run(&folder, &db, port);
    until("the first entry is stored", Duration::from_secs(60), || {
        stored(&db) == 1
    })
    .await;
    until_health(port, 200, Duration::from_secs(30)).await;

    // Another process's writer (here: a connection of the test) holds the lock.
    let locker = rusqlite::Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();
    for i in 1..6 {
        server.push(report(&format!("l{i}"), i + 2, "Almaty"));
    }
    let body = until_health(port, 503, Duration::from_secs(60)).await;
    assert!(body.contains("locked"), "{body}");
    assert_eq!(stored(&db), 1);

    locker.execute_batch("ROLLBACK").unwrap();
    until(
        "every entry is stored after the lock",
        Duration::from_secs(90),
        || stored(&db) == 6,
    )
    .await;
    until_health(port, 200, Duration::from_secs(60)).await;
    let out = common::signal_and_wait(child, "TERM").await;
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("commit failed; retrying"), "{log}");
    assert!(log.contains("writer recovered"), "{log}");
    assert_stored_once(&db, 6, true);
}

/// A tmpfs of `mib` MiB at `dir`, unmounted on drop.
struct Volume(PathBuf);

impl Volume {
    fn mount(dir: &Path, mib: u32) -> Volume {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "this test needs root to mount a small tmpfs: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Volume(dir.to_path_buf())
    }

    /// Fills what is left of the volume; returns the filler's path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        while f.write_all(&[0]).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_reported_and_the_writer_resumes_when_space_is_freed() {
    let server = FeedServer::start(vec![report("f0", 2, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let volume = Volume::mount(&dir.path().join("vol"), 16);
    let folder = pipeline_folder(dir.path(), &server.feed_url());
    let db = volume.0.join("claims.db");
    let port = free_port();
    let child = run(&folder, &db, port);
    until("the first entry is stored", Duration::from_secs(60), || {
        stored(&db) == 1
    })
    .await;

    let filler = volume.fill();
    for i in 1..40 {
        server.push(report(&format!("f{i}"), i + 2, "Almaty"));
    }
    let body = until_health(port, 503, Duration::from_secs(60)).await;
    assert!(body.contains("disk full"), "{body}");

    std::fs::remove_file(&filler).unwrap();
    until(
        "every entry is stored once space is back",
        Duration::from_secs(90),
        || stored(&db) == 40,
    )
    .await;
    until_health(port, 200, Duration::from_secs(60)).await;
    let out = common::signal_and_wait(child, "TERM").await;
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("disk full"), "{log}");
    assert_stored_once(&db, 40, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_on_a_full_disk_exits_non_zero_with_the_cause() {
    let server = FeedServer::start(vec![report("o0", 2, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let volume = Volume::mount(&dir.path().join("vol"), 8);
    let folder = pipeline_folder(dir.path(), &server.feed_url());
    let db = volume.0.join("claims.db");
    // A database that exists and is migrated, on a volume with no room left.
    drop(claimwire::store::open(&db).unwrap());
    volume.fill();
    for i in 1..20 {
        server.push(report(&format!("o{i}"), i + 2, "Almaty"));
    }
    let child = common::claimwire("once", &folder, &db, &[])
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()),
    )
    .await
    .expect("once gives up instead of hanging")
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("disk full"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_stops_the_writer_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    drop(claimwire::store::open(&db).unwrap());
    let conn = claimwire::store::open_read(&db).unwrap();
    let feed = std::sync::Arc::new(claimwire::config::FeedConfig::new(
        url::Url::parse("https://e.org/rss").unwrap(),
        "p",
    ));
    let (reports_tx, reports) = async_channel::unbounded();
    let report = claimwire::model::FeedReport {
        feed: feed.clone(),
        polled_at: chrono::Utc::now(),
        next_poll_at: chrono::Utc::now(),
        outcome: claimwire::model::PollOutcome::NotModified,
    };
    let (records_tx, records) = async_channel::bounded(4);
    records_tx
        .send(claimwire::model::Record::Skipped(
            claimwire::model::SkippedEntry {
                feed,
                entry_key: "e".into(),
                reason: claimwire::model::Skip::Filtered,
                detail: None,
                poll: claimwire::model::PollTicket::new(report, reports_tx),
            },
        ))
        .await
        .unwrap();
    let health = std::sync::Arc::new(claimwire::stats::WriterHealth::default());
    let writer = claimwire::store::Writer {
        conn,
        path: db.clone(),
        counts: Default::default(),
        stats: std::sync::Arc::new(claimwire::stats::StageStats::new("store")),
        health,
        policy: claimwire::store::RetryPolicy::SERVICE,
    };
    let started = Instant::now();
    let result = claimwire::store::run(
        records,
        reports,
        writer,
        tokio_util::sync::CancellationToken::new(),
    )
    .await;
    let err = result.expect_err("a read-only database cannot be written");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "no retries for a cause that cannot pass"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_on_one_new_database_both_finish_and_store_once() {
    let entries: Vec<_> = (0..30)
        .map(|i| report(&format!("t{i}"), i + 2, "Almaty"))
        .collect();
    let server = FeedServer::start(entries).await;
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let folder = pipeline_folder(dir.path(), &server.feed_url());
        let db = dir.path().join("claims.db");
        let a = common::claimwire("once", &folder, &db, &[])
            .spawn()
            .unwrap();
        let b = common::claimwire("once", &folder, &db, &[])
            .spawn()
            .unwrap();
        for child in [a, b] {
            let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
                .await
                .unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_stored_once(&db, 30, true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_beside_a_running_service_both_store_once() {
    let entries: Vec<_> = (0..20)
        .map(|i| report(&format!("s{i}"), i + 2, "Almaty"))
        .collect();
    let server = FeedServer::start(entries).await;
    let dir = tempfile::tempdir().unwrap();
    let folder = pipeline_folder(dir.path(), &server.feed_url());
    let db = dir.path().join("claims.db");
    let port = free_port();
    let service = run(&folder, &db, port);
    for i in 20..40 {
        server.push(report(&format!("s{i}"), i + 2, "Almaty"));
        let out = common::claimwire("once", &folder, &db, &[])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if i >= 22 {
            break;
        }
    }
    until("every entry is stored", Duration::from_secs(60), || {
        stored(&db) == 23
    })
    .await;
    let out = common::signal_and_wait(service, "TERM").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_stored_once(&db, 23, true);
}

#[test]
fn a_database_that_cannot_be_opened_says_why_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no-such-dir").join("claims.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/demo.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("once")
        .arg(&demo)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().last().unwrap();
    assert!(line.contains("no such directory"), "{line}");
    assert_eq!(
        line.matches(&*db.display().to_string()).count(),
        1,
        "{line}"
    );
    assert!(!line.contains("Error code"), "{line}");

    // A folder where the file should be.
    std::fs::create_dir(dir.path().join("dir.db")).unwrap();
    let err = claimwire::store::open(&dir.path().join("dir.db")).unwrap_err();
    assert!(err.to_string().ends_with("it is a directory"), "{err}");
}
