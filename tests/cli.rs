//! The command line as a user meets it: checking pipeline files, the offline demo,
//! listing claims, extracting from files.

use std::path::Path;
use std::process::{Command, Output};

fn claimwire(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CLAIMWIRE_DB")
        .output()
        .unwrap()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_reports_every_problem_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "name = \"bad\"\npoll_every = \"every ten minutes\"\nlanguages = [\"ar\"]\n\n[[feed]]\nurl = \"htp:/example.org feed\"\n",
    )
    .unwrap();
    let out = claimwire(&["check", file.to_str().unwrap()], dir.path());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let located: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(file.to_str().unwrap()))
        .collect();
    assert_eq!(located.len(), 3, "{stderr}");
    assert!(
        located[0].contains(":2:14: bad duration 'every ten minutes'"),
        "{stderr}"
    );
    assert!(
        located[1].contains(":3:1: unknown key 'languages'"),
        "{stderr}"
    );
    assert!(located[2].contains(":6:7: bad feed url"), "{stderr}");
    assert!(stderr.contains("3 problem(s)"), "{stderr}");
}

#[test]
fn check_accepts_the_shipped_pipelines() {
    let out = claimwire(&["check", "pipelines"], repo());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("pipeline 'kazakhstan-2022' ok, 2 feed(s)")
    );
}

#[test]
fn the_demo_runs_offline_and_claims_lists_what_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let demo = repo().join("pipelines/demo.toml");
    // From another folder: the demo's relative feed paths resolve against its file.
    let out = claimwire(
        &["once", demo.to_str().unwrap(), "--db", db.to_str().unwrap()],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("feeds polled 2 (failed 0), articles new 7"),
        "{stdout}"
    );

    let out = claimwire(
        &["claims", "--db", db.to_str().unwrap(), "--format", "json"],
        dir.path(),
    );
    assert!(out.status.success());
    let claims: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let has = |kind: &str, value: f64, source_part: &str| {
        claims.iter().any(|c| {
            c["kind"] == kind
                && c["value"].as_f64() == Some(value)
                && c["source"]
                    .as_str()
                    .is_some_and(|s| s.contains(source_part))
        })
    };
    assert!(has("killed", 18.0, "وزارة الداخلية"), "{claims:#?}");
    assert!(has("arrested", 2298.0, "وزارة الداخلية"));
    assert!(has("arrested", 5969.0, "وزارة الداخلية"));
    assert!(has("killed", 8.0, "Interior Ministry"));
    assert!(has("deployed", 2500.0, "alliance"));

    // A second pass stores nothing.
    let out = claimwire(
        &["once", demo.to_str().unwrap(), "--db", db.to_str().unwrap()],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("articles new 0"));

    // The timeline is in order of the day each claim refers to.
    let db_arg = db.to_str().unwrap();
    let out = claimwire(
        &["claims", "--db", db_arg, "--timeline", "--format", "json"],
        dir.path(),
    );
    let timeline: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let days: Vec<String> = timeline
        .iter()
        .map(|c| {
            c["claimed_on"]
                .as_str()
                .or(c["published_at"].as_str())
                .unwrap()[..10]
                .to_string()
        })
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    let out = claimwire(&["claims", "--db", db_arg, "--timeline"], dir.path());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("2022-01-05"),
        "the rioters \"eliminated overnight\" before the 6 January report"
    );

    // Figures: the arrests reported by the interior ministry rise over the days.
    let out = claimwire(
        &[
            "figures", "--db", db_arg, "--kind", "arrested", "--format", "json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figures: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let arrests = figures
        .iter()
        .find(|f| f["who"] == "people" && f["location"].is_null())
        .unwrap();
    assert_eq!(
        (arrests["status"].as_str(), arrests["trend"].as_str()),
        (Some("revised"), Some("up")),
        "{arrests:#}"
    );
    let out = claimwire(&["figures", "--db", db_arg], dir.path());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("arrested people — REVISED up: latest 5,969"),
        "{table}"
    );

    let out = claimwire(
        &[
            "claims",
            "--db",
            db.to_str().unwrap(),
            "--kind",
            "arrested",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("id,event,kind,who,value,qualifier,part,source,source_key"),
        "{csv}"
    );
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",arrested,")),
        "{csv}"
    );

    // A misspelt kind or who is an error that lists the valid ones, not an empty list.
    for (flag, value, valid) in [
        ("--kind", "kiled", "killed"),
        ("--who", "police", "security"),
    ] {
        let out = claimwire(&["claims", "--db", db_arg, flag, value], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{value}'")),
            "{stderr}"
        );
        assert!(stderr.contains(valid), "{stderr}");
    }
    let out = claimwire(
        &[
            "figures", "--db", db_arg, "--who", "people", "--format", "json",
        ],
        dir.path(),
    );
    let figures: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!figures.is_empty() && figures.iter().all(|f| f["who"] == "people"));
}

#[test]
fn claims_on_a_missing_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimwire(&["claims", "--db", "nope.db"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at nope.db"));
}

#[test]
fn a_postgres_url_is_not_taken_for_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["claims", "figures", "feeds"] {
        let out = claimwire(&[cmd, "--db", "postgres://cw:secret@db/claims"], dir.path());
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--db postgres://cw:***@db/claims: commands do not run on PostgreSQL yet"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("secret"), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file made"
    );
}

#[test]
fn extract_reads_text_html_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("note.txt");
    std::fs::write(
        &txt,
        "Police said at least 12 protesters were detained in Almaty on Friday.",
    )
    .unwrap();
    let html = dir.path().join("page.html");
    std::fs::write(
        &html,
        format!(
            "<html><body><nav>Home News</nav><article>{}</article></body></html>",
            "<p>The health ministry said that 164 people had died in the unrest across the country, including many in the largest city.</p>".repeat(2)
        ),
    )
    .unwrap();
    let out = claimwire(
        &[
            "extract",
            "--jsonl",
            txt.to_str().unwrap(),
            html.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let note = rows.iter().find(|r| r["doc"] == "note").unwrap();
    assert_eq!(note["kind"], "arrested");
    assert_eq!(note["value"], 12.0);
    assert_eq!(note["qualifier"], "at_least");
    assert_eq!(note["who"], "protesters");
    assert_eq!(note["source"], "Police");
    assert_eq!(note["location"], "Almaty");
    assert!(
        note["evidence"]
            .as_str()
            .unwrap()
            .contains("12 protesters were detained")
    );
    assert!(
        rows.iter()
            .any(|r| r["doc"] == "page" && r["kind"] == "killed" && r["value"] == 164.0)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_claimwire"))
        .args(["extract", "--jsonl", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("قالت وزارة الداخلية إن ثمانية من أفراد الشرطة قتلوا.".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let row: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(
        (
            row["kind"].as_str(),
            row["value"].as_f64(),
            row["who"].as_str()
        ),
        (Some("killed"), Some(8.0), Some("security"))
    );
}

#[test]
fn check_fails_on_a_folder_with_nothing_to_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimwire(&["check", "."], dir.path());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".: no pipeline files (*.toml) in this folder"),
        "{stderr}"
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("missing.toml", dir.path().join("x.toml")).unwrap();
        let out = claimwire(&["check", "."], dir.path());
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("./x.toml: dangling symlink"), "{stderr}");
        assert!(stderr.contains("1 problem(s)"), "{stderr}");
    }
}

#[test]
fn check_reports_a_missing_feed_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "name = \"p\"\n\n[[feed]]\nurl = \"no-such-file.xml\"\n",
    )
    .unwrap();
    let out = claimwire(&["check", "p.toml"], dir.path());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("p.toml:4:7: feed file "), "{stderr}");
    assert!(
        stderr.contains("no-such-file.xml does not exist"),
        "{stderr}"
    );
}
