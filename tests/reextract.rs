//! `claimwire reextract`: claims an older extractor stored are replaced by what
//! this one reads, article by article, and a run killed halfway and run again
//! leaves the same database as one that was never interrupted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use claimwire::extract::EXTRACTOR_VERSION;

const PLACES: &[&str] = &[
    "Almaty",
    "Aktau",
    "Taraz",
    "Shymkent",
    "Astana",
    "Zhanaozen",
];

/// A pipeline over a local feed of `n` distinct reports (their text in the feed).
fn feed_of(dir: &Path, n: usize) -> Vec<claimwire::config::Pipeline> {
    let items: String = (0..n)
        .map(|i| {
            let place = PLACES[i % PLACES.len()];
            let text = format!(
                "<p>The interior ministry said on Thursday that {} police officers were killed in clashes in {place}, and {} people were detained.</p><p>Report {i}: at least {} people were injured, the health ministry said in its bulletin number {i}.</p>",
                i % 40 + 2,
                i * 7 + 100,
                i % 90 + 10
            );
            format!(
                "<item><title>Report {i}</title><link>https://wire.example/{i}</link><guid>r{i}</guid><pubDate>Thu, 06 Jan 2022 10:00:00 GMT</pubDate><description>{}</description></item>",
                text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
            )
        })
        .collect();
    std::fs::write(
        dir.join("wire.xml"),
        format!("<rss version=\"2.0\"><channel><title>wire</title>{items}</channel></rss>"),
    )
    .unwrap();
    let file = dir.join("kz.toml");
    std::fs::write(
        &file,
        "name = \"kz\"\n[[feed]]\nurl = \"wire.xml\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    vec![claimwire::config::load_file(&file).unwrap()]
}

/// Makes the database look as an older extractor left it: another version on
/// every row, some claims missing and some values read wrong.
fn age(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "UPDATE articles SET extractor = 'claimwire-0.0.1/1';
         UPDATE claims SET extractor = 'claimwire-0.0.1/1';
         DELETE FROM claims WHERE id % 3 = 0;
         UPDATE claims SET value = value + 1000 WHERE id % 5 = 0;
         INSERT INTO claims_fts (claims_fts) VALUES ('rebuild');",
    )
    .unwrap();
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = claimwire::store::open_read(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// What the database says, without row ids or times: every claim with its
/// article's URL, each article's extractor, and the figure changes in order.
#[derive(Debug, PartialEq)]
struct Content {
    claims: Vec<String>,
    articles: Vec<String>,
    changes: Vec<String>,
}

fn content(db: &Path) -> Content {
    let conn = claimwire::store::open_read(db).unwrap();
    let rows = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            Ok(cells.join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let claims = rows(
        "SELECT a.canonical_url, c.kind, c.who, c.value, c.qualifier, c.part, c.source,
                c.source_key, c.location, c.place, c.country, c.location_from, c.claimed_at,
                c.sentence, c.evidence, c.spans, c.extractor
         FROM claims c JOIN articles a ON a.id = c.article_id
         ORDER BY a.canonical_url, c.spans, c.kind, c.who",
    );
    Content {
        claims,
        articles: rows("SELECT canonical_url, extractor FROM articles ORDER BY canonical_url"),
        changes: rows(
            "SELECT event, kind, who, location, change, value, qualifier, previous, status, words
             FROM changes ORDER BY id",
        ),
    }
}

fn sound(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    conn.execute_batch("INSERT INTO claims_fts (claims_fts) VALUES ('integrity-check')")
        .unwrap();
}

fn reextract(db: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimwire"));
    cmd.args(["reextract", "--db"])
        .arg(db)
        .arg("--pipelines")
        .arg(dir.join("kz.toml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

async fn aged_database(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pipelines = feed_of(dir.path(), n);
    let db = dir.path().join("claims.db");
    let summary = common::run_once(&pipelines, &db).await;
    assert_eq!(summary.articles_new, n as u64, "{summary:?}");
    age(&db);
    (dir, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_of_an_old_extractor_are_replaced_once() {
    let (dir, db) = aged_database(30).await;
    let fresh = {
        let copy = dir.path().join("fresh.db");
        let pipelines = feed_of(dir.path(), 30);
        common::run_once(&pipelines, &copy).await;
        copy
    };
    let before = count(&db, "SELECT count(*) FROM claims");
    assert!(before < count(&fresh, "SELECT count(*) FROM claims"));

    let out = reextract(&db, dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("re-extracted 30 article(s)"), "{stdout}");
    assert!(stdout.contains("killed "), "{stdout}");

    // The claims are what the current extractor reads, once each, all marked
    // with its version, and searchable.
    let (now, want) = (content(&db), content(&fresh));
    assert_eq!(now.claims, want.claims);
    assert_eq!(now.articles, want.articles);
    assert!(
        now.changes.len() > want.changes.len(),
        "the corrected values are changes"
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM claims WHERE extractor <> '{EXTRACTOR_VERSION}'")
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM claims"),
        count(&fresh, "SELECT count(*) FROM claims")
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH 'detained'"
        ),
        count(
            &fresh,
            "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH 'detained'"
        ),
    );
    sound(&db);

    // A second run finds nothing to do; --all reads everything and changes nothing.
    let out = reextract(&db, dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("re-extracted 0 article(s)"));
    let before = content(&db);
    let out = reextract(&db, dir.path()).arg("--all").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("re-extracted 30 article(s)"), "{stdout}");
    assert!(
        stdout.contains("added     0  removed     0  changed     0"),
        "{stdout}"
    );
    assert_eq!(content(&db), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_halfway_and_run_again_equals_an_uninterrupted_run() {
    let n = 300;
    let (dir, db) = aged_database(n).await;
    let whole = dir.path().join("whole.db");
    {
        let conn = claimwire::store::open_read(&db).unwrap();
        conn.execute("VACUUM INTO ?1", [whole.to_str().unwrap()])
            .unwrap();
    }
    let out = reextract(&whole, dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Killed once some articles are done.
    let mut child = reextract(&db, dir.path()).spawn().unwrap();
    let done = format!("SELECT count(*) FROM articles WHERE extractor = '{EXTRACTOR_VERSION}'");
    let mut killed_at = None;
    for _ in 0..2000 {
        let d = count(&db, &done);
        if d > 0 {
            killed_at = Some(d);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = count(&db, &done);
    eprintln!("killed with {killed_at:?} of {n} articles done ({after_kill} after the kill)");
    assert!(
        after_kill < n as i64,
        "the run ended before it was killed; make n larger"
    );
    sound(&db);

    let out = reextract(&db, dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(content(&db), content(&whole));
    sound(&db);
}
