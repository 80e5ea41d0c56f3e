//! End to end through the library: a loopback feed server, the whole pipeline, a
//! temporary database.

mod common;

use claimwire::pipeline::{self, Mode, Options};
use claimwire::store::{self, ClaimFilter};
use common::{FeedServer, pipeline, report};
use tokio_util::sync::CancellationToken;

async fn once(p: &claimwire::config::Pipeline, db: &std::path::Path) -> pipeline::Summary {
    claimwire::service::run(
        std::slice::from_ref(p),
        Options::new(db.to_path_buf(), Mode::Once),
        CancellationToken::new(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_articles_and_claims_once_and_only_what_is_new() {
    let server = FeedServer::start(vec![
        report("a1", 12, "Almaty"),
        report("a2", 5, "Aktau"),
        report("a3", 3, "Taraz"),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let p = pipeline(dir.path(), &server.feed_url(), true);

    let first = once(&p, &db).await;
    assert_eq!(first.feeds_polled, 1);
    assert_eq!(first.feeds_failed, 0);
    assert_eq!(first.articles_new, 3, "{first:?}");
    assert_eq!(first.articles_failed, 0);
    assert_eq!(server.pages_served().len(), 3);

    let conn = store::open_read(&db).unwrap();
    let claims = store::query::claims(&conn, &ClaimFilter::default()).unwrap();
    type Row = (String, String, Option<i64>, Option<String>, Option<String>);
    let mut found: Vec<Row> = claims
        .iter()
        .map(|c| {
            (
                c.kind.clone(),
                c.who.clone(),
                c.value,
                c.source.clone(),
                c.location.clone(),
            )
        })
        .collect();
    found.sort_by_key(|a| a.2);
    let expect = |v: i64, place: &str| {
        (
            "killed".to_string(),
            "security".to_string(),
            Some(v),
            Some("The interior ministry".to_string()),
            Some(place.to_string()),
        )
    };
    assert_eq!(
        found,
        vec![expect(3, "Taraz"), expect(5, "Aktau"), expect(12, "Almaty")]
    );
    // The stored text is the page's main text, not its navigation or footer, and
    // the link is stored without its tracking parameter.
    let (text, url): (String, String) = conn
        .query_row(
            "SELECT text, canonical_url FROM articles WHERE canonical_url LIKE '%/a1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(text.contains("12 police officers were killed"), "{text}");
    assert!(!text.contains("All rights reserved"), "{text}");
    assert!(url.ends_with("/article/a1"), "{url}");
    // Claim spans point into the stored text.
    let c = claims.iter().find(|c| c.value == Some(12)).unwrap();
    let span: String = text
        .chars()
        .skip(c.spans[0].start)
        .take(c.spans[0].end - c.spans[0].start)
        .collect();
    assert_eq!(span, c.evidence);

    // The same feed again: nothing new is fetched or stored.
    let second = once(&p, &db).await;
    assert_eq!(second.articles_new, 0, "{second:?}");
    assert_eq!(second.claims, 0);
    assert_eq!(
        server.pages_served().len(),
        3,
        "known entries must not be fetched again"
    );
    let totals = store::query::totals(&conn).unwrap();
    assert_eq!((totals.articles, totals.claims), (3, 3));

    // One more entry: exactly one new article.
    server.push(report("a4", 9, "Shymkent"));
    let third = once(&p, &db).await;
    assert_eq!(third.articles_new, 1, "{third:?}");
    assert_eq!(third.claims, 1);
    let totals = store::query::totals(&conn).unwrap();
    assert_eq!((totals.articles, totals.claims), (4, 4));

    // Claims of every pass are in the search index, and the index is sound.
    for (place, value) in [("Taraz", 3), ("Shymkent", 9)] {
        let hits = store::query::claims(
            &conn,
            &ClaimFilter {
                q: Some(place.to_string()),
                ..ClaimFilter::default()
            },
        )
        .unwrap();
        assert_eq!(
            hits.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![Some(value)]
        );
    }
    store::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO claims_fts (claims_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();

    // The feed row says how the last poll went.
    let (outcome, failures): (String, i64) = conn
        .query_row("SELECT last_outcome, failures FROM feeds", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((outcome.as_str(), failures), ("ok", 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_feed_is_recorded_and_the_others_still_run() {
    let server = FeedServer::start(vec![report("b1", 4, "Almaty")]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let path = dir.path().join("two.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"two\"\n[[feed]]\nurl = \"{}\"\nfetch_article = true\n[[feed]]\nurl = \"http://{}/missing.xml\"\n[[feed]]\nurl = \"no-such-file.xml\"\n",
            server.feed_url(),
            server.addr
        ),
    )
    .unwrap();
    let p = claimwire::config::load_file(&path).unwrap();
    let summary = once(&p, &db).await;
    assert_eq!(summary.feeds_polled, 3);
    assert_eq!(summary.feeds_failed, 2);
    assert_eq!(summary.articles_new, 1);
    let conn = store::open_read(&db).unwrap();
    let mut rows: Vec<(String, String, Option<String>, i64)> = conn
        .prepare("SELECT url, last_outcome, error_class, failures FROM feeds ORDER BY url")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    let classes: Vec<(String, Option<String>, i64)> =
        rows.into_iter().map(|r| (r.1, r.2, r.3)).collect();
    assert!(
        classes.contains(&("failed".into(), Some("http_status".into()), 1)),
        "{classes:?}"
    );
    assert!(
        classes.contains(&("failed".into(), Some("file".into()), 1)),
        "{classes:?}"
    );
    assert!(classes.contains(&("ok".into(), None, 0)), "{classes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keywords_filter_entries_and_filtered_entries_are_not_read_again() {
    let server = FeedServer::start(vec![report("k1", 4, "Almaty"), report("k2", 6, "Minsk")]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let path = dir.path().join("kw.toml");
    std::fs::write(&path, format!("name = \"kw\"\nkeywords = [\"ALMATY\", \"ألماتي\"]\n[[feed]]\nurl = \"{}\"\nfetch_article = true\n", server.feed_url())).unwrap();
    let p = claimwire::config::load_file(&path).unwrap();
    let first = once(&p, &db).await;
    assert_eq!(
        (first.articles_new, first.articles_filtered),
        (1, 1),
        "{first:?}"
    );
    let second = once(&p, &db).await;
    assert_eq!(
        (
            second.articles_new,
            second.articles_filtered,
            second.entries_new
        ),
        (0, 0, 0),
        "{second:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_extends_the_gazetteer() {
    let server = FeedServer::start(vec![report("p1", 4, "Kaskelen")]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let path = dir.path().join("places.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"places\"\n[[feed]]\nurl = \"{}\"\nfetch_article = true\n[[place]]\nname = \"Kaskelen\"\naliases = [\"Каскелен\", \"قاسقلين\"]\n",
            server.feed_url()
        ),
    )
    .unwrap();
    let p = claimwire::config::load_file(&path).unwrap();
    let summary = once(&p, &db).await;
    assert_eq!(summary.claims, 1);
    let conn = store::open_read(&db).unwrap();
    let claims = store::query::claims(&conn, &ClaimFilter::default()).unwrap();
    assert_eq!(claims[0].location.as_deref(), Some("Kaskelen"));
}
