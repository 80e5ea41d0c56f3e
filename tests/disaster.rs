//! A disaster followed from real reports: a file feed built at run time from the
//! corpus texts of one mine disaster in `../shared/eval/corpus`, run through the
//! whole pipeline, and its missing miners over the days in `figures` and the page.

use std::path::{Path, PathBuf};

mod common;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/corpus")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS feed of every English report of `event` in the corpus, each dated as its
/// manifest says: `(feed path, reports)`.
fn feed_of(event: &str, dir: &Path) -> (PathBuf, usize) {
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(corpus().join("manifest.json")).unwrap()).unwrap();
    let mut items = String::new();
    let mut n = 0;
    for doc in manifest
        .iter()
        .filter(|d| d["event"] == event && d["lang"] == "en")
    {
        let id = doc["id"].as_str().unwrap();
        let text = std::fs::read_to_string(corpus().join(format!("texts/{id}.txt"))).unwrap();
        let date = chrono::NaiveDate::parse_from_str(doc["date"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc();
        let title = text.lines().next().unwrap_or(id);
        let body: String = text
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect();
        items.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{id}</guid><pubDate>{}</pubDate><description>{}</description></item>\n",
            escape(title),
            escape(doc["url"].as_str().unwrap()),
            date.to_rfc2822(),
            escape(&body),
        ));
        n += 1;
    }
    let path = dir.join("reports.xml");
    std::fs::write(
        &path,
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>corpus</title><link>http://example.org/</link><description>corpus</description>\n{items}</channel></rss>\n"),
    )
    .unwrap();
    (path, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mine_disasters_missing_over_the_days_in_figures_and_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let (feed, reports) = feed_of("listvyazhnaya-mine-2021", dir.path());
    assert!(
        reports >= 2,
        "the corpus has {reports} English reports of the disaster"
    );
    let pipeline = dir.path().join("mine.toml");
    std::fs::write(
        &pipeline,
        format!(
            "name = \"listvyazhnaya-mine-2021\"\ncountries = [\"RU\"]\n\n[[feed]]\nurl = \"{}\"\nlanguage = \"en\"\n",
            feed.display()
        ),
    )
    .unwrap();
    let db = dir.path().join("claims.db");
    let out = common::claimwire("once", &pipeline, &db, &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .args(["figures", "--db"])
        .arg(&db)
        .args(["--kind", "missing", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figures: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        figures.iter().all(|f| f["kind"] == "missing"),
        "{figures:#?}"
    );
    // The miners still missing, reported on two days, the later report's figure
    // the latest.
    let missing = figures
        .iter()
        .find(|f| f["values"].as_array().is_some_and(|v| v.len() >= 2))
        .unwrap_or_else(|| panic!("no figure of missing with several values: {figures:#?}"));
    let days: Vec<&str> = missing["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["first_seen"].as_str().unwrap()[..10])
        .collect();
    let (first, last) = (days.iter().min().unwrap(), days.iter().max().unwrap());
    assert!(first < last, "reported on one day only: {days:?}");
    assert_eq!(missing["latest_value"].as_f64(), Some(31.0), "{missing:#}");
    assert_eq!(&missing["latest_at"].as_str().unwrap()[..10], *last);

    // The page shows the figure.
    let base = common::serve(&db).await;
    let page = reqwest::get(&base).await.unwrap().text().await.unwrap();
    assert!(page.contains("listvyazhnaya-mine-2021"), "{page}");
    assert!(
        page.contains(r#"data-kind="missing""#) && page.contains("<b>31</b>"),
        "the page shows no figure of the missing: {page}"
    );
}
