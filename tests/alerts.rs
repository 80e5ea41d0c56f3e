//! Alerts end to end: the Atom feeds of figure changes, read by a feed parser, as
//! reports arrive from a loopback feed server.

mod common;

use common::{FeedServer, pipeline, report, run_once, serve};

async fn atom(url: &str) -> feed_rs::model::Feed {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("application/atom+xml"), "{kind}");
    let body = r.bytes().await.unwrap();
    feed_rs::parser::parse(&body[..])
        .unwrap_or_else(|e| panic!("{url}: {e}: {}", String::from_utf8_lossy(&body)))
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
