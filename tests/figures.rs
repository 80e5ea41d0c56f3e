//! Figures end to end: the three Arabic eval articles (`../shared/eval/articles`)
//! and the demo feeds go through the pipeline; the security-forces death toll is
//! disputed and the arrests figure is revised upward.

mod common;

use std::path::Path;

use claimwire::figures::{Status, Trend};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_articles_and_demo_give_a_disputed_toll_and_revised_arrests() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let eval = repo.join("../shared/eval/articles");
    if !eval.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared beside the repository"
        );
        eprintln!("skipped: {} is not there", eval.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The eval articles as a feed, dated as they were published.
    let dates = [
        "Fri, 07 Jan 2022 08:00:00 GMT",
        "Thu, 06 Jan 2022 12:00:00 GMT",
        "Sat, 08 Jan 2022 09:00:00 GMT",
    ];
    let mut files: Vec<_> = std::fs::read_dir(&eval)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let items: String = files
        .iter()
        .zip(dates)
        .map(|(f, date)| {
            let stem = f.file_stem().unwrap().to_string_lossy();
            let text = std::fs::read_to_string(f).unwrap();
            let body: String = text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{}</p>", escape(l))).collect();
            format!(
                "<item><title>{stem}</title><link>https://eval.example/{stem}</link><guid>{stem}</guid><pubDate>{date}</pubDate><description>{}</description></item>",
                escape(&body)
            )
        })
        .collect();
    std::fs::write(
        dir.path().join("eval.xml"),
        format!("<rss version=\"2.0\"><channel><title>eval</title>{items}</channel></rss>"),
    )
    .unwrap();
    let demo = repo.join("pipelines/demo");
    std::fs::write(
        dir.path().join("kz.toml"),
        format!(
            "name = \"kazakhstan-2022\"\n[[feed]]\nurl = \"eval.xml\"\nlanguage = \"ar\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n",
            url::Url::from_file_path(demo.join("wire-ar.xml")).unwrap(),
            url::Url::from_file_path(demo.join("wire-en.atom")).unwrap()
        ),
    )
    .unwrap();
    let pipelines = claimwire::config::load(dir.path()).unwrap();
    let db = dir.path().join("claims.db");
    let summary = common::run_once(&pipelines, &db).await;
    assert_eq!(summary.articles_new, 10, "{summary:?}");

    let conn = claimwire::store::open_read(&db).unwrap();
    let all = claimwire::store::figures::figures(&conn, Some("kazakhstan-2022"), None).unwrap();
    let find = |kind: &str, who: &str| {
        all.iter()
            .find(|f| f.kind == kind && f.who == who && f.location.is_none())
            .unwrap_or_else(|| panic!("no {kind} {who} figure in {all:#?}"))
    };
    let toll = find("killed", "security");
    assert_eq!(toll.status, Status::Disputed, "{toll:#?}");
    assert!(
        toll.values.iter().any(|v| v.value == 18) && toll.values.iter().any(|v| v.value == 8),
        "{toll:#?}"
    );
    let arrests = find("arrested", "people");
    assert_eq!(
        (arrests.status, arrests.trend),
        (Status::Revised, Some(Trend::Up)),
        "{arrests:#?}"
    );
    assert_eq!(arrests.latest_value, 5969);
    let first: Vec<i64> = {
        let mut v = arrests.values.clone();
        v.sort_by_key(|v| v.first_seen);
        v.iter().map(|v| v.value).collect()
    };
    assert_eq!(first.first(), Some(&2298), "{first:?}");
    // The demo's republished near-copy joins its story: 2,298 is in two articles
    // of one story.
    let v2298 = arrests.values.iter().find(|v| v.value == 2298).unwrap();
    assert_eq!((v2298.reports, v2298.stories), (2, 1), "{v2298:#?}");
}
