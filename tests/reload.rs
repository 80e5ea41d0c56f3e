//! Hot reload: `claimwire run` picks up a new pipeline file, keeps the last good
//! version of a file broken by an edit (and says where it is broken), and stops
//! polling the feeds of a removed file, all without a restart.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{FeedServer, report};

fn stored(db: &Path) -> i64 {
    claimwire::store::open_read(db)
        .and_then(|c| {
            c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
                .map_err(|source| claimwire::store::StoreError::Query {
                    path: db.into(),
                    source,
                })
        })
        .unwrap_or(0)
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `claimwire run` on `folder`, serving on a free loopback port.
fn run_service(folder: &Path, db: &Path) -> (std::process::Child, u16) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .arg("run")
        .arg(folder)
        .arg("--db")
        .arg(db)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, port)
}

fn pipeline(name: &str, url: &str) -> String {
    format!(
        "name = \"{name}\"\npoll_every = \"1s\"\n[[feed]]\nurl = \"{url}\"\nfetch_article = true\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_are_added_rejected_and_removed_while_running() {
    let a = FeedServer::start(vec![report("a1", 3, "Almaty"), report("a2", 4, "Almaty")]).await;
    let b = FeedServer::start(vec![report("b1", 5, "Aktau")]).await;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pipelines");
    std::fs::create_dir(&folder).unwrap();
    let db = dir.path().join("claims.db");
    std::fs::write(folder.join("a.toml"), pipeline("a", &a.feed_url())).unwrap();
    let (child, port) = run_service(&folder, &db);
    until("pipeline a is stored", || stored(&db) == 2).await;

    // A new file is picked up.
    std::fs::write(folder.join("b.toml"), pipeline("b", &b.feed_url())).unwrap();
    until("pipeline b is stored", || stored(&db) == 3).await;

    // A broken new file is reported; a broken edit keeps the last good version.
    std::fs::write(
        folder.join("c.toml"),
        "name = \"c\"\npoll_every = \"often\"\n[[feed]]\nurl = \"gopher://x\"\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("b.toml"),
        format!("{}\nbogus_key = 1\n", pipeline("b", &b.feed_url())),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    b.push(report("b2", 6, "Aktau"));
    until("b's new entry is stored by the last good version", || {
        stored(&db) == 4
    })
    .await;

    // A removed file's feed is no longer polled.
    std::fs::remove_file(folder.join("a.toml")).unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let polls = a.state.lock().unwrap().feed_requests;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        a.state.lock().unwrap().feed_requests,
        polls,
        "a removed feed was polled again"
    );
    assert!(
        b.state.lock().unwrap().feed_requests >= 3,
        "the other pipeline goes on"
    );

    // The service is up, and its metrics count what the stages did.
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("claimwire_stored_total{what=\"articles\"} 4"),
        "{metrics}"
    );
    assert!(
        metrics.contains("claimwire_fetch_seconds_count"),
        "{metrics}"
    );

    let out = common::signal_and_wait(child, "TERM").await;
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let c_file = folder.join("c.toml");
    let c_file = c_file.display();
    assert!(
        log.contains(&format!("{c_file}:2:14: bad duration 'often'")),
        "{log}"
    );
    assert!(
        log.contains(&format!("{c_file}:4:7: bad feed url 'gopher://x'")),
        "{log}"
    );
    assert!(
        log.contains("unknown key 'bogus_key'")
            && log.contains("the last good version keeps running"),
        "{log}"
    );
    assert!(log.contains("feed removed; no longer polled"), "{log}");
}

fn places_of(db: &Path) -> Vec<(String, Option<String>, Option<String>)> {
    let Ok(c) = claimwire::store::open_read(db) else {
        return Vec::new();
    };
    let mut stmt = c
        .prepare("SELECT a.url, c.place, c.country FROM claims c JOIN articles a ON a.id = c.article_id ORDER BY c.id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_default()
}

/// A pipeline's `[[place]]` edited while the service runs is what the next
/// articles' claims are placed by: reload publishes whole pipelines, not feeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_place_takes_effect_without_a_restart() {
    // A town no gazetteer has: "in Zhyrgalan" is a place, with no name to file it under.
    let server = FeedServer::start(vec![report("z1", 3, "Zhyrgalan")]).await;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pipelines");
    std::fs::create_dir(&folder).unwrap();
    let db = dir.path().join("claims.db");
    let file = folder.join("z.toml");
    std::fs::write(&file, pipeline("z", &server.feed_url())).unwrap();
    let (child, _) = run_service(&folder, &db);
    until("the first report is stored", || !places_of(&db).is_empty()).await;
    assert!(
        places_of(&db).iter().all(|(_, place, _)| place.is_none()),
        "{:?}",
        places_of(&db)
    );

    std::fs::write(
        &file,
        format!(
            "{}\n[[place]]\nname = \"Zhyrgalan Town\"\naliases = [\"Zhyrgalan\"]\ncountry = \"KZ\"\n",
            pipeline("z", &server.feed_url())
        ),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.push(report("z2", 4, "Zhyrgalan"));
    until("the second report is stored", || {
        places_of(&db)
            .iter()
            .any(|(url, ..)| url.contains("/article/z2"))
    })
    .await;
    let second: Vec<_> = places_of(&db)
        .into_iter()
        .filter(|(url, ..)| url.contains("/article/z2"))
        .collect();
    assert!(
        second.iter().all(
            |(_, place, country)| place.as_deref() == Some("Zhyrgalan Town")
                && country.as_deref() == Some("KZ")
        ),
        "{second:?}"
    );
    let out = common::signal_and_wait(child, "TERM").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
