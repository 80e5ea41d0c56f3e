//! The web page in headless Chromium (Debian's `chromium`, installed by `.ci/run`):
//! it loads against a database filled by the demo pipeline, its charts show the
//! demo's figures, the console stays clean, and a screenshot is kept as an artifact
//! (`target/browser/page.png`).

mod common;

use std::process::Command;

fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("skipped: no chromium on this machine");
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_the_demo_figures_in_chromium() {
    let Some(browser) = chromium() else { return };
    let (base, _dir) = common::serve_demo().await;
    let url = format!("{base}/");

    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("page.png");
    let (dom, log, ok) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || headless(browser, &url, &["--dump-dom".to_string()]))
            .await
            .unwrap()
    };
    assert!(ok, "{log}");
    assert!(dom.contains("<h2>kazakhstan-2022</h2>"), "{dom}");
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert!(charts >= 5, "a chart per demo figure, got {charts}");
    assert!(dom.contains("data-kind=\"arrested\" data-who=\"people\""));
    assert!(dom.contains("badge revised"));
    assert!(
        dom.matches("class=\"point\"").count() >= 10,
        "the charts plot the demo's claims"
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE(")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    let args = vec![
        format!("--screenshot={}", shot.display()),
        "--hide-scrollbars".to_string(),
    ];
    let (_, log, ok) = tokio::task::spawn_blocking(move || headless(browser, &url, &args))
        .await
        .unwrap();
    assert!(ok, "{log}");
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot at {}",
        shot.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_figure_page_spells_out_its_revision_in_chromium() {
    let Some(browser) = chromium() else { return };
    let (base, _dir) = common::serve_demo().await;
    let url = format!("{base}/figure?event=kazakhstan-2022&kind=arrested&who=people&place=");
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("figure.png");
    let (dom, log, ok) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || headless(browser, &url, &["--dump-dom".to_string()]))
            .await
            .unwrap()
    };
    assert!(ok, "{log}");
    assert!(dom.contains("class=\"verdict\""), "{dom}");
    assert!(
        dom.contains("<bdi>وزارة الداخلية الكازاخستانية</bdi> said 2,298 on 6 January 2022, then ~4,000 on 8 January 2022"),
        "the revision in words: {dom}"
    );
    assert!(dom.contains("<h3>Every claim</h3>"));
    assert!(
        dom.contains("<mark>اعتقال 2298 شخصا</mark>"),
        "the figure's span is marked in its Arabic sentence: {dom}"
    );
    assert!(dom.contains(r#"dir="auto" lang="ar""#));
    assert!(
        dom.matches("class=\"xtick\"").count() >= 2,
        "dates on the x axis"
    );
    assert!(
        dom.matches("class=\"ytick\"").count() >= 3,
        "values on the y axis"
    );
    assert!(
        dom.matches("class=\"legend\"").count() >= 2,
        "a line per source"
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE(")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let args = vec![
        format!("--screenshot={}", shot.display()),
        "--hide-scrollbars".to_string(),
    ];
    let (_, log, ok) = tokio::task::spawn_blocking(move || headless(browser, &url, &args))
        .await
        .unwrap();
    assert!(ok, "{log}");
    assert!(std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000));
}

/// Runs headless Chromium on `url`: stdout, stderr (with console messages), success.
fn headless(browser: &str, url: &str, extra: &[String]) -> (String, String, bool) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.success(),
    )
}
