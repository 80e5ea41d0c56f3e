//! The PostgreSQL backend against a real server: the throwaway cluster that
//! `.ci/run` starts (`scripts/pg_cluster.sh`), named by CLAIMWIRE_TEST_POSTGRES.
//! Without it these tests say so and pass, unless CLAIMWIRE_REQUIRE_POSTGRES is
//! set (CI sets it), where a missing server fails them.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use claimwire::store::postgres::{Postgres, lease, schema};

/// A new, empty database on the test server, as a URL; None without a server.
async fn fresh_database() -> Option<String> {
    let Ok(admin) = std::env::var("CLAIMWIRE_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CLAIMWIRE_REQUIRE_POSTGRES").is_none(),
            "CLAIMWIRE_REQUIRE_POSTGRES is set but CLAIMWIRE_TEST_POSTGRES is not"
        );
        eprintln!(
            "no CLAIMWIRE_TEST_POSTGRES: PostgreSQL tests skipped (see scripts/pg_cluster.sh)"
        );
        return None;
    };
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    );
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    Some(url.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_migrate_once() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Postgres::open(&url).await.map(|_| ()) })
        })
        .collect();
    for s in starts {
        s.await.unwrap().unwrap();
    }
    let db = Postgres::open(&url).await.unwrap();
    let client = db.client().await.unwrap();
    assert_eq!(
        schema::version(&client).await.unwrap(),
        schema::latest_version()
    );
    let applied: i64 = client
        .query_one("SELECT count(*) FROM claimwire_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        applied as usize,
        schema::latest_version(),
        "each migration once"
    );
}

#[tokio::test]
async fn a_bad_server_is_named_without_its_password() {
    let e = Postgres::open("postgres://claimwire:s3cret@127.0.0.1:1/claims")
        .await
        .err()
        .expect("nothing listens on port 1");
    let line = e.to_string();
    assert!(
        line.starts_with(
            "cannot connect to database postgres://claimwire:***@127.0.0.1:1/claims: "
        ),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_feeds_are_leased_to_one_instance_and_taken_over_when_a_lease_runs_out() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let db = Postgres::open(&url).await.unwrap();
    let urls: Vec<String> = (0..300)
        .map(|i| format!("http://127.0.0.1:9/feed/{i}"))
        .collect();
    lease::register(&db, "p", &urls).await.unwrap();
    lease::register(&db, "other", &urls).await.unwrap(); // a second instance: no copies

    // Three instances lease in small bites at once: every feed goes to exactly one.
    let now = Utc::now();
    let until = now + Duration::seconds(60);
    let takers: Vec<_> = (0..3)
        .map(|i| {
            let (db, urls) = (db.clone(), urls.clone());
            tokio::spawn(async move {
                let owner = format!("instance-{i}");
                let mut mine = Vec::new();
                loop {
                    let got = lease::take_due(&db, &owner, &urls, 7, now, until)
                        .await
                        .unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got);
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    let mut per_instance = Vec::new();
    for t in takers {
        let mine = t.await.unwrap();
        per_instance.push(mine.len());
        for l in &mine {
            assert!(seen.insert(l.feed_id), "feed {} leased twice", l.url);
        }
    }
    assert_eq!(seen.len(), 300, "{per_instance:?}");

    // Before the leases run out nobody else gets a feed; after, another does.
    assert!(
        lease::take_due(&db, "late", &urls, 500, now, until)
            .await
            .unwrap()
            .is_empty()
    );
    let later = until + Duration::seconds(1);
    let taken = lease::take_due(
        &db,
        "late",
        &urls,
        500,
        later,
        later + Duration::seconds(60),
    )
    .await
    .unwrap();
    assert_eq!(taken.len(), 300);

    // The first holder's release comes too late and writes nothing; the new
    // holder's release schedules the feed.
    let stale = lease::Lease {
        feed_id: taken[0].feed_id,
        url: taken[0].url.clone(),
        until,
    };
    assert!(
        !lease::release(&db, "instance-0", &stale, later)
            .await
            .unwrap()
    );
    let next = later + Duration::seconds(300);
    assert!(lease::release(&db, "late", &taken[0], next).await.unwrap());
    let again = lease::take_due(&db, "x", &urls, 500, later + Duration::seconds(30), next)
        .await
        .unwrap();
    assert!(
        again.is_empty(),
        "a released feed waits for its next poll, others are still held"
    );
    let due = lease::take_due(&db, "x", &urls[..1], 5, next, next + Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arabic_and_russian_words_are_found_by_full_text_search() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let db = Postgres::open(&url).await.unwrap();
    let c = db.client().await.unwrap();
    c.batch_execute(
        "INSERT INTO articles (id, canonical_url, url, event, title, fetched_at, text, content_hash)
         VALUES (1, 'u', 'u', 'e', 't', 'now', 'x', 'h');
         INSERT INTO claims (article_id, event, kind, who, value, qualifier, sentence, evidence, span_start, span_end, spans, extractor) VALUES
         (1, 'e', 'killed', 'people', 12, 'exact', 'قالت وزارة الصحة إن 12 شخصا قتلوا في القصف', '12', 0, 1, '[]', 'v'),
         (1, 'e', 'arrested', 'people', 40, 'exact', 'МВД сообщило о задержании 40 человек в Алматы', '40', 0, 1, '[]', 'v'),
         (1, 'e', 'injured', 'people', 3, 'exact', 'Three people were injured, police said', '3', 1, 2, '[]', 'v');",
    )
    .await
    .unwrap();
    for (q, want) in [
        ("الصحة", 12.0),
        ("задержании", 40.0),
        ("police", 3.0),
        ("POLICE", 3.0),
    ] {
        let rows = c
            .query(
                "SELECT value FROM claims WHERE sentence_words @@ plainto_tsquery('simple', $1)",
                &[&q],
            )
            .await
            .unwrap();
        let got: Vec<f64> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(got, vec![want], "{q}");
    }
    // A word's inner part, as a Russian case ending or an Arabic clitic hides it.
    let rows = c
        .query(
            "SELECT value FROM claims WHERE sentence ILIKE '%' || $1 || '%'",
            &[&"Алмат"],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}
