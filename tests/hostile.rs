//! Hostile feeds: entity expansion ("billion laughs"), deep nesting, a 100 MB
//! single-line entry, invalid UTF-8, NUL bytes. Each is rejected or read with
//! bounded memory and time, and the feed row says what happened; the run goes on.

mod common;

use std::time::{Duration, Instant};

fn billion_laughs() -> Vec<u8> {
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>");
    doc.into_bytes()
}

fn deeply_nested() -> Vec<u8> {
    let depth = 200_000;
    let mut doc = String::from(
        "<rss version=\"2.0\"><channel><title>deep</title><item><title>x</title><description>",
    );
    doc.push_str(&"<div>".repeat(depth));
    doc.push_str(&"</div>".repeat(depth));
    doc.push_str("</description></item></channel></rss>");
    doc.into_bytes()
}

fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let mut invalid_utf8 = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><item><title>bad \xff\xfe\xc3 bytes</title><guid>1</guid></item></channel></rss>".to_vec();
    invalid_utf8.extend_from_slice(b"\n");
    let nul = b"<rss version=\"2.0\"><channel><title>t\0t</title><item><title>a\0b</title><guid>1</guid></item></channel></rss>".to_vec();
    vec![
        ("billion-laughs", billion_laughs()),
        ("deeply-nested", deeply_nested()),
        ("invalid-utf8", invalid_utf8),
        ("nul-bytes", nul),
    ]
}

#[test]
fn hostile_documents_are_read_or_refused_quickly() {
    let url = url::Url::parse("http://feeds.example/feed.xml").unwrap();
    for (name, doc) in hostile() {
        let start = Instant::now();
        let result = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn({
                let url = url.clone();
                move || {
                    claimwire::fetch::feed::parse(&doc, None, &url).map(|f| {
                        f.entries
                            .iter()
                            .map(|e| e.title.len() + e.text.len())
                            .sum::<usize>()
                    })
                }
            })
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{name}: the feed path panicked or overflowed its stack"));
        let took = start.elapsed();
        eprintln!(
            "{name}: {:?} in {took:?}",
            result.as_ref().map_err(|e| e.to_string())
        );
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
        if let Ok(size) = result {
            assert!(
                size < 1_000_000,
                "{name}: entity expansion produced {size} bytes"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_feeds_end_on_their_rows_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("name = \"hostile\"\n");
    for (name, doc) in hostile() {
        std::fs::write(dir.path().join(format!("{name}.xml")), doc).unwrap();
        toml.push_str(&format!("[[feed]]\nurl = \"{name}.xml\"\n"));
    }
    // 100 MB on one line: refused at the body cap without being read whole.
    {
        use std::io::Write;
        let mut f = std::fs::File::create(dir.path().join("huge.xml")).unwrap();
        f.write_all(b"<rss version=\"2.0\"><channel><title>t</title><item><title>")
            .unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
        f.write_all(b"</title></item></channel></rss>").unwrap();
    }
    toml.push_str("[[feed]]\nurl = \"huge.xml\"\n");
    std::fs::write(dir.path().join("good.xml"), "<rss version=\"2.0\"><channel><title>t</title><item><title>ok</title><guid>g1</guid><description>Police said 12 officers were killed in Almaty.</description></item></channel></rss>").unwrap();
    toml.push_str("[[feed]]\nurl = \"good.xml\"\n");
    std::fs::write(dir.path().join("hostile.toml"), toml).unwrap();
    let pipelines = claimwire::config::load(&dir.path().join("hostile.toml")).unwrap();
    let db = dir.path().join("claims.db");
    let start = Instant::now();
    let summary = common::run_once(&pipelines, &db).await;
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(summary.feeds_polled, 6);
    assert!(
        summary.articles_new >= 1,
        "the good feed is stored: {summary:?}"
    );

    let conn = claimwire::store::open_read(&db).unwrap();
    let row = |file: &str| -> (String, Option<String>, Option<String>) {
        conn.query_row(
            "SELECT last_outcome, error_class, last_error FROM feeds WHERE url LIKE ?1",
            [format!("%/{file}")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let huge = row("huge.xml");
    assert_eq!(
        (huge.0.as_str(), huge.1.as_deref()),
        ("failed", Some("too_large")),
        "{huge:?}"
    );
    for file in [
        "billion-laughs.xml",
        "deeply-nested.xml",
        "invalid-utf8.xml",
        "nul-bytes.xml",
    ] {
        let (outcome, class, error) = row(file);
        eprintln!("{file}: {outcome} {class:?} {error:?}");
        assert!(
            outcome == "ok"
                || (outcome == "failed" && class.as_deref() == Some("parse") && error.is_some()),
            "{file}: {outcome} {class:?}"
        );
    }
}
