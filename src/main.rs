//! The `claimwire` command line.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use claimwire::config;
use claimwire::document;
use claimwire::extract::Extractor;
use claimwire::fetch::page;
use claimwire::model::{Kind, Who};
use claimwire::pipeline::{Mode, Options};
use claimwire::store::{self, ClaimFilter};

#[derive(Parser)]
#[command(
    name = "claimwire",
    version,
    about = "Watches news feeds and keeps a database of the figures reports claim, and who claimed them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// The claims database (SQLite; created if missing).
    #[arg(long, env = "CLAIMWIRE_DB", default_value = "claims.db")]
    db: PathBuf,
}

/// How feeds and pages are fetched.
#[derive(clap::Args, Clone)]
struct FetchArgs {
    /// Refuse feed and article URLs that lead to loopback, private or link-local
    /// addresses, also after redirects (on in the Docker image).
    #[arg(long, env = "CLAIMWIRE_BLOCK_INTERNAL")]
    block_internal: bool,
    /// A host the guard lets through all the same (repeatable).
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
}

impl FetchArgs {
    fn client(&self) -> claimwire::fetch::client::ClientOptions {
        claimwire::fetch::client::ClientOptions {
            block_internal: self.block_internal,
            allow_hosts: self.allow_hosts.clone(),
            ..Default::default()
        }
    }
}

/// Which claims a listing covers.
#[derive(clap::Args, Clone)]
struct Only {
    /// Only this event (pipeline name).
    #[arg(long)]
    event: Option<String>,
    /// Only this kind.
    #[arg(long, value_parser = label_parser(Kind::ALL, Kind::as_str, Kind::parse))]
    kind: Option<Kind>,
    /// Only these people.
    #[arg(long, value_parser = label_parser(Who::ALL, Who::as_str, Who::parse))]
    who: Option<Who>,
}

/// Parses one of a label enum's values; clap lists them in help and errors.
fn label_parser<T: Copy + Send + Sync + Clone + 'static>(
    all: &'static [T],
    label: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(all.iter().map(|x| label(*x)))
        .map(move |s| parse(&s).expect("clap admits only listed values"))
}

#[derive(Subcommand)]
enum Command {
    /// Run the service: poll every feed on its schedule until SIGINT or SIGTERM.
    Run {
        /// A pipeline file or a folder of them.
        #[arg(default_value = "pipelines")]
        pipelines: PathBuf,
        #[command(flatten)]
        db: DbArg,
        /// Where to serve the HTTP API, /metrics and the web page (`none`: nowhere).
        #[arg(long, default_value = "127.0.0.1:8080", env = "CLAIMWIRE_LISTEN")]
        listen: String,
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Poll every feed once, store what is new, print a summary and exit.
    Once {
        /// A pipeline file or a folder of them.
        pipelines: PathBuf,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Extract claims from local text or HTML files (`-` reads standard input).
    Extract {
        /// One JSON object per claim per line.
        #[arg(long)]
        jsonl: bool,
        /// Language of the files when detection cannot tell (ar, en, ru).
        #[arg(long)]
        language: Option<String>,
        /// The articles' date (YYYY-MM-DD), to resolve "on Thursday" or "أمس".
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the main text, title, date and language of web pages (files, `.gz`
    /// files, `-` for stdin, or http(s) URLs).
    Article {
        /// One JSON object per page per line.
        #[arg(long)]
        jsonl: bool,
        #[arg(required = true)]
        pages: Vec<String>,
    },
    /// List stored claims.
    Claims {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        only: Only,
        /// In order of the time the claims refer to (else publication), with outlet
        /// and source.
        #[arg(long)]
        timeline: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show each feed: last poll, outcome, next poll, failures, last error, articles.
    Feeds {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Figures: per (event, kind, who, place) the latest value and its source, the
    /// range, each value with its sources and independent stories, and a status
    /// (disputed, revised, consistent).
    Figures {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        only: Only,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check pipeline files and report every problem with its file and line.
    Check {
        /// A pipeline file or a folder of them.
        pipelines: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLAIMWIRE_LOG")
                // html5ever reports every quirk of real pages; they are not ours.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,html5ever=error")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match dispatch(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("claimwire: {e:#}");
            std::process::exit(1);
        }
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run {
            pipelines,
            db,
            listen,
            fetch,
        } => {
            let listen = match listen.as_str() {
                "none" | "" => None,
                addr => Some(addr.parse().with_context(|| {
                    format!("--listen: '{addr}' is not an address like 127.0.0.1:8080")
                })?),
            };
            serve(&pipelines, db.db, Mode::Forever, listen, fetch.client())
        }
        Command::Once {
            pipelines,
            db,
            fetch,
        } => serve(&pipelines, db.db, Mode::Once, None, fetch.client()),
        Command::Extract {
            jsonl,
            language,
            date,
            files,
        } => extract(&files, jsonl, language.as_deref(), date),
        Command::Claims {
            db,
            only,
            timeline,
            format,
        } => claims(
            &db.db,
            ClaimFilter {
                event: only.event,
                kind: only.kind,
                who: only.who,
                timeline,
                ..ClaimFilter::default()
            },
            format,
        ),
        Command::Figures { db, only, format } => figures(&db.db, &only, format),
        Command::Check { pipelines } => check(&pipelines),
        Command::Feeds { db, format } => feeds(&db.db, format),
        Command::Article { jsonl, pages } => article(&pages, jsonl),
    }
}

fn load(path: &Path) -> Result<Vec<config::Pipeline>> {
    problems_printed(path, config::load(path))
}

/// The pipelines loaded from `path`, or each problem on its own line of stderr and
/// an error that counts them.
fn problems_printed(
    path: &Path,
    loaded: Result<Vec<config::Pipeline>, config::ConfigErrors>,
) -> Result<Vec<config::Pipeline>> {
    match loaded {
        Ok(p) => Ok(p),
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            bail!(
                "{} problem(s) in pipeline files under {}",
                errors.0.len(),
                path.display()
            )
        }
    }
}

fn check(path: &Path) -> Result<i32> {
    // Stricter than loading for `once`/`run`: a missing local feed file is a
    // problem here, not just a failing feed.
    let pipelines = problems_printed(path, config::check(path))?;
    for p in &pipelines {
        println!(
            "{}: pipeline '{}' ok, {} feed(s)",
            p.path.display(),
            p.name,
            p.feeds.len()
        );
    }
    Ok(0)
}

fn serve(
    path: &Path,
    db: PathBuf,
    mode: Mode,
    listen: Option<std::net::SocketAddr>,
    client: claimwire::fetch::client::ClientOptions,
) -> Result<i32> {
    let pipelines = load(path)?;
    if pipelines.is_empty() {
        bail!("no pipeline files (*.toml) in {}", path.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        tokio::spawn(stop_on_signal(shutdown.clone()));
        info!(pipelines = pipelines.len(), feeds = pipelines.iter().map(|p| p.feeds.len()).sum::<usize>(), db = %db.display(), "starting");
        let watch = (mode == Mode::Forever).then(|| path.to_path_buf());
        // A bar in a terminal; plain log lines otherwise (files, CI, journald).
        let progress = mode == Mode::Once && std::io::stderr().is_terminal();
        let options = Options { listen, watch, progress, client, ..Options::new(db, mode) };
        let summary = claimwire::service::run(&pipelines, options, shutdown).await?;
        println!("{summary}");
        Ok(0)
    })
}

/// SIGINT and SIGTERM both stop polling; the pipeline then drains and exits.
async fn stop_on_signal(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            warn!("cannot listen for signals");
            return;
        };
        tokio::select! {
            _ = term.recv() => info!("SIGTERM: stopping"),
            _ = int.recv() => info!("SIGINT: stopping"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    shutdown.cancel();
}

fn article(pages: &[String], jsonl: bool) -> Result<i32> {
    let client = claimwire::fetch::HttpClient::new(&Default::default())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for arg in pages {
        let is_url = arg.starts_with("http://") || arg.starts_with("https://");
        let fetched = if is_url {
            url::Url::parse(arg)
                .map_err(anyhow::Error::from)
                .and_then(|u| {
                    runtime
                        .block_on(client.get(&u))
                        .map_err(anyhow::Error::from)
                })
                .map(|b| (b.bytes, b.content_type))
        } else {
            document::read_bytes(Path::new(arg))
                .map_err(anyhow::Error::from)
                .map(|b| (b, None))
        };
        let (bytes, content_type) = match fetched {
            Ok(x) => x,
            Err(e) => {
                eprintln!("claimwire: {arg}: {e:#}");
                failed += 1;
                continue;
            }
        };
        let page = page::main_text(&bytes, content_type.as_deref());
        let language = page
            .language
            .clone()
            .or_else(|| claimwire::extract::lang::detect(&page.text, None));
        let doc = if is_url {
            arg.clone()
        } else {
            document::doc_id(Path::new(arg))
        };
        let published = page.published.map(|d| d.to_rfc3339());
        if jsonl {
            let v = serde_json::json!({
                "doc": doc,
                "title": page.title,
                "published": published,
                "language": language,
                "text": page.text,
            });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "== {doc}\ntitle: {}\npublished: {}\nlanguage: {}\n\n{}\n",
                page.title.as_deref().unwrap_or("-"),
                published.as_deref().unwrap_or("-"),
                language.as_deref().unwrap_or("-"),
                page.text
            )?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}

fn extract(
    files: &[PathBuf],
    jsonl: bool,
    language: Option<&str>,
    date: Option<chrono::NaiveDate>,
) -> Result<i32> {
    let extractor = Extractor::new()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for path in files {
        let text = match document::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("claimwire: {e:#}");
                failed += 1;
                continue;
            }
        };
        let found = extractor.extract(&text, language, date);
        let doc = document::doc_id(path);
        for c in &found.claims {
            if jsonl {
                let mut v = serde_json::to_value(c)?;
                v["doc"] = serde_json::Value::String(doc.clone());
                v["language"] = serde_json::json!(found.language);
                serde_json::to_writer(&mut out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{doc}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.kind,
                    c.who,
                    c.value.map_or("-".into(), |v| v.to_string()),
                    c.qualifier,
                    c.source.as_deref().unwrap_or("-"),
                    c.location.as_deref().unwrap_or("-"),
                    c.evidence
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}

fn open_existing(db: &Path) -> Result<rusqlite::Connection> {
    if !db.exists() {
        bail!(
            "no database at {} (run `claimwire once` first, or pass --db)",
            db.display()
        );
    }
    Ok(store::open_read(db)?)
}

/// Writes rows as a JSON array or CSV; `false` when the format is a table.
fn write_structured<T: serde::Serialize>(rows: &[T], format: Format) -> Result<bool> {
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            let mut out = out;
            serde_json::to_writer_pretty(&mut out, rows)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for r in rows {
                w.serialize(r)?;
            }
            w.flush()?;
        }
        Format::Table => return Ok(false),
    }
    Ok(true)
}

fn feeds(db: &Path, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let rows = store::query::feeds(&conn)
        .with_context(|| format!("cannot read feeds from {}", db.display()))?;
    if write_structured(&rows, format)? {
        return Ok(0);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:<48} {:<20} {:<13} {:<20} {:<20} {:>8} {:>8}  last error",
        "feed", "last poll", "outcome", "next poll", "pipeline", "failures", "articles",
    )?;
    for f in &rows {
        let url = match &f.moved_to {
            Some(m) => format!("{} -> {m}", f.url),
            None => f.url.clone(),
        };
        writeln!(
            out,
            "{:<48} {:<20} {:<13} {:<20} {:<20} {:>8} {:>8}  {}",
            clip(&url, 48),
            f.last_polled_at.as_deref().unwrap_or("-"),
            f.last_outcome.as_deref().unwrap_or("-"),
            f.next_fetch_at.as_deref().unwrap_or("-"),
            clip(&f.pipeline, 20),
            f.failures,
            f.articles,
            match (&f.error_class, &f.last_error) {
                (Some(c), Some(e)) => format!("[{c}] {e}"),
                _ => "-".into(),
            }
        )?;
    }
    writeln!(out, "{} feed(s)", rows.len())?;
    out.flush()?;
    Ok(0)
}

fn claims(db: &Path, filter: ClaimFilter, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let rows = store::query::claims(&conn, &filter)
        .with_context(|| format!("cannot read claims from {}", db.display()))?;
    if write_structured(&rows, format)? {
        return Ok(0);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:<10} {:<18} {:<12} {:<10} {:>8} {:<9} {:<28} {:<12} {:<22} evidence",
        "date", "event", "kind", "who", "value", "qualifier", "source", "location", "outlet"
    )?;
    for r in &rows {
        let date = r
            .claimed_at
            .as_deref()
            .or(r.published_at.as_deref())
            .map_or("-", |d| &d[..d.len().min(10)]);
        writeln!(
            out,
            "{:<10} {:<18} {:<12} {:<10} {:>8} {:<9} {:<28} {:<12} {:<22} {}",
            date,
            clip(&r.event, 18),
            r.kind,
            r.who,
            r.value.map_or("-".into(), |v| v.to_string()),
            r.qualifier,
            clip(r.source.as_deref().unwrap_or("-"), 28),
            clip(r.location.as_deref().unwrap_or("-"), 12),
            clip(r.outlet.as_deref().unwrap_or("-"), 22),
            r.evidence
        )?;
    }
    writeln!(out, "{} claim(s)", rows.len())?;
    out.flush()?;
    Ok(0)
}

/// A figure flattened for CSV.
#[derive(serde::Serialize)]
struct FigureRow<'a> {
    event: &'a str,
    kind: &'a str,
    who: &'a str,
    location: Option<&'a str>,
    status: &'a str,
    trend: Option<&'a str>,
    latest_value: f64,
    latest_source: Option<&'a str>,
    latest_at: String,
    min: f64,
    max: f64,
    values: String,
}

fn figures(db: &Path, only: &Only, format: Format) -> Result<i32> {
    let conn = open_existing(db)?;
    let mut figures = claimwire::figures::figures(&conn, only.event.as_deref(), only.kind)
        .with_context(|| format!("cannot read figures from {}", db.display()))?;
    figures.retain(|f| only.who.is_none_or(|w| f.who == w.as_str()));
    match format {
        Format::Json => {
            write_structured(&figures, format)?;
        }
        Format::Csv => {
            let rows: Vec<FigureRow> = figures
                .iter()
                .map(|f| FigureRow {
                    event: &f.event,
                    kind: &f.kind,
                    who: &f.who,
                    location: f.location.as_deref(),
                    status: f.status.as_str(),
                    trend: f.trend.as_deref(),
                    latest_value: f.latest_value,
                    latest_source: f.latest_source.as_deref(),
                    latest_at: f.latest_at.to_rfc3339(),
                    min: f.min,
                    max: f.max,
                    values: f.values_line(),
                })
                .collect();
            write_structured(&rows, format)?;
        }
        Format::Table => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for f in &figures {
                writeln!(
                    out,
                    "{} · {} — {}: {}",
                    f.event,
                    f.what(),
                    // "REVISED up": the status stands out in a column of lines.
                    f.verdict()
                        .replacen(f.status.as_str(), &f.status.as_str().to_uppercase(), 1),
                    f.latest_line()
                )?;
                for v in &f.values {
                    writeln!(
                        out,
                        "    {:>8}  first {}  stories {:>2}  reports {:>2}  {}",
                        v.value,
                        v.first_seen.format("%Y-%m-%d"),
                        v.stories,
                        v.reports,
                        v.sources.join("; ")
                    )?;
                }
            }
            writeln!(out, "{} figure(s)", figures.len())?;
            out.flush()?;
        }
    }
    Ok(0)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n - 1).collect();
        c.push('…');
        c
    }
}
