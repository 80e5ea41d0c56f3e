//! The HTTP API over a database filled by the demo pipeline: every route, its
//! filters and pagination, and bad parameters as 400s with a JSON message.

mod common;

use common::serve_demo;
use serde_json::Value;

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn json(url: &str) -> (u16, Value) {
    let (status, body) = get(url).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_filter_search_and_paginate() {
    let (base, _dir) = serve_demo().await;
    let (status, all) = json(&format!("{base}/api/claims?limit=500")).await;
    assert_eq!(status, 200);
    let total = all["total"].as_i64().unwrap();
    assert_eq!(all["items"].as_array().unwrap().len() as i64, total);
    assert!(total >= 19, "{total}");

    let (_, page1) = json(&format!("{base}/api/claims?limit=3&offset=0")).await;
    let (_, page2) = json(&format!("{base}/api/claims?limit=3&offset=3")).await;
    assert_eq!(
        (
            page1["total"].as_i64(),
            page1["limit"].as_i64(),
            page2["offset"].as_i64()
        ),
        (Some(total), Some(3), Some(3))
    );
    let ids = |p: &Value| {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&page1).len(), 3);
    assert!(
        ids(&page1).iter().all(|i| !ids(&page2).contains(i)),
        "pages overlap"
    );

    let (_, arrests) = json(&format!(
        "{base}/api/claims?kind=arrested&who=people&source=interior-ministry"
    ))
    .await;
    let items = arrests["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{arrests:#}");
    assert!(
        items
            .iter()
            .all(|c| c["kind"] == "arrested" && c["who"] == "people")
    );

    let (_, since) = json(&format!(
        "{base}/api/claims?since=2022-01-09&until=2022-01-10"
    ))
    .await;
    assert!(since["items"].as_array().unwrap().iter().all(|c| {
        let day = c["claimed_on"]
            .as_str()
            .or(c["published_at"].as_str())
            .unwrap();
        ("2022-01-09".."2022-01-11").contains(&&day[..10])
    }));

    // Full text over sentences, in both scripts.
    let (_, q) = json(&format!("{base}/api/claims?q=detained")).await;
    assert!(q["total"].as_i64().unwrap() >= 1);
    assert!(
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["sentence"].as_str().unwrap().contains("detained"))
    );
    let (_, q) = json(&format!("{base}/api/claims?q={}", "اعتقال")).await;
    assert!(q["total"].as_i64().unwrap() >= 1, "{q:#}");
    let (_, q) = json(&format!("{base}/api/claims?q=%22unbalanced")).await;
    assert_eq!(
        q["total"].as_i64(),
        Some(0),
        "query syntax in q is text, not an error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_400s_with_a_message() {
    let (base, _dir) = serve_demo().await;
    for (query, says) in [
        ("kind=bogus", "unknown kind 'bogus'"),
        ("who=aliens", "unknown who 'aliens'"),
        ("limit=0", "'limit' must be at least 1"),
        ("limit=9999", "'limit' must be a whole number from 0 to 500"),
        ("limit=ten", "'limit' must be a whole number"),
        ("offset=-1", "'offset' must be a whole number"),
        ("since=yesterday", "'since' must be a date like 2022-01-06"),
        ("colour=red", "unknown parameter 'colour'"),
    ] {
        let (status, body) = json(&format!("{base}/api/claims?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["error"].as_str().unwrap().contains(says),
            "{query}: {body}"
        );
    }
    let (status, body) = json(&format!("{base}/api/figures?kind=bogus")).await;
    assert_eq!((status, body["error"].is_string()), (400, true));
    let (status, _) = json(&format!("{base}/api/articles/abc")).await;
    assert_eq!(status, 400);
    let (status, body) = json(&format!("{base}/api/articles/999999")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("no article 999999"))
    );
    let (status, _) = json(&format!("{base}/api/nothing")).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_feeds_articles_health_metrics_and_page() {
    let (base, _dir) = serve_demo().await;
    let (status, figures) = json(&format!(
        "{base}/api/figures?event=kazakhstan-2022&kind=arrested"
    ))
    .await;
    assert_eq!(status, 200);
    let arrests = figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["who"] == "people" && f["location"].is_null())
        .unwrap();
    assert_eq!(arrests["status"], "revised");

    let (_, feeds) = json(&format!("{base}/api/feeds")).await;
    assert_eq!(feeds.as_array().unwrap().len(), 2);
    assert!(
        feeds
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["last_outcome"] == "ok" && f["articles"].as_i64().unwrap() > 0)
    );

    // An article with its text and the spans of its claims.
    let (_, claims) = json(&format!("{base}/api/claims?kind=deployed")).await;
    let id = claims["items"][0]["article_id"].as_i64().unwrap();
    let (status, article) = json(&format!("{base}/api/articles/{id}")).await;
    assert_eq!(status, 200);
    let text = article["text"].as_str().unwrap();
    for c in article["claims"].as_array().unwrap() {
        let (s, e) = (
            c["spans"][0]["start"].as_u64().unwrap() as usize,
            c["spans"][0]["end"].as_u64().unwrap() as usize,
        );
        let span: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(span, c["evidence"].as_str().unwrap());
    }

    let (status, health) = get(&format!("{base}/healthz")).await;
    assert_eq!((status, health.starts_with("ok")), (200, true));
    let (status, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("# TYPE claimwire_feeds_failing gauge"),
        "{metrics}"
    );

    let (status, page) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h2>kazakhstan-2022</h2>"));
    assert!(
        page.contains("badge revised"),
        "the revised arrests figure is marked"
    );
    assert!(
        page.contains(r#"dir="auto""#) && page.contains("وزارة الداخلية"),
        "Arabic sentences are shown and laid out by their own direction"
    );
    assert!(page.contains("<svg class=\"chart\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_400s_and_search_syntax_is_text() {
    let (base, _dir) = serve_demo().await;
    for (path, param) in [
        ("/api/claims?q=a%00b", "'q'"),
        ("/api/claims?source=x%01", "'source'"),
        ("/api/claims?event=%7F", "'event'"),
        ("/api/figures?event=a%00", "'event'"),
    ] {
        let (status, body) = json(&format!("{base}{path}")).await;
        assert_eq!(status, 400, "{path}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains(param) && error.contains("control character"),
            "{path}: {error}"
        );
    }
    let (status, _) = json(&format!("{base}/api/claims?q=killed%09police")).await;
    assert_eq!(status, 200, "a tab is whitespace, not a control character");
    for q in [
        "%22", "*", "NEAR(", "a%20OR", "-x", "a%22b", "%5E", "x:y", "(", "AND",
    ] {
        let (status, body) = json(&format!("{base}/api/claims?q={q}")).await;
        assert_eq!(status, 200, "q={q}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_wildcards_match_only_themselves() {
    let (base, dir) = serve_demo().await;
    let conn = rusqlite::Connection::open(dir.path().join("claims.db")).unwrap();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM claims ORDER BY id LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, source) in ids.iter().zip(["50% of officials", "a_b", r"back\slash"]) {
        conn.execute("UPDATE claims SET source = ?1 WHERE id = ?2", (source, id))
            .unwrap();
    }
    drop(conn);
    let (_, all) = json(&format!("{base}/api/claims?limit=500")).await;
    assert!(all["total"].as_i64().unwrap() > 3);
    for (source, id) in [
        ("%25", ids[0]),
        ("_", ids[1]),
        ("%5C", ids[2]),
        ("0%25%20of", ids[0]),
    ] {
        let (status, body) = json(&format!("{base}/api/claims?source={source}")).await;
        assert_eq!(status, 200);
        let got: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, [id], "source={source}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let (base, _dir) = serve_demo().await;
    for (path, status) in [
        ("/", 200),
        ("/api/claims", 200),
        ("/nothing", 404),
        ("/api/claims?kind=x", 400),
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let h = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        let csp = h("content-security-policy");
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        // The page's one stylesheet is inline; it must stay allowed.
        assert!(csp.contains("style-src 'unsafe-inline'"), "{path}: {csp}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_headers_never_end_is_dropped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (base, _dir) = serve_demo().await;
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /api/claims HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The server's timeout is 10 s; the bound is loose so a slow machine passes.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut buf),
    )
    .await;
    assert!(read.is_ok(), "the connection was still open after 30 s");
    // Hyper may answer 408 before closing; it never answers the request itself.
    let answer = String::from_utf8_lossy(&buf);
    assert!(!answer.contains(" 200 "), "{answer}");
    // The server is still up for others.
    let (status, _) = get(&format!("{base}/api/feeds")).await;
    assert_eq!(status, 200);
}
