//! The `claimwire` command line: arguments, then the command they name.

mod listing;
mod local;
mod reextract;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use claimwire::config;
use claimwire::model::{Kind, Who};
use claimwire::pipeline::{Mode, Options};
use claimwire::store::ClaimFilter;
use listing::Format;

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
    /// The claims database: a SQLite file (created if missing) or a
    /// postgres:// URL.
    #[arg(long = "db", env = "CLAIMWIRE_DB", default_value = "claims.db")]
    location: claimwire::store::Database,
}

impl DbArg {
    /// The SQLite file. The PostgreSQL backend has its schema, migrations and
    /// feed leases (`store::postgres`), but the commands do not run on it yet;
    /// saying so beats taking the URL for a file name.
    fn file(&self) -> Result<PathBuf> {
        match self.location.sqlite() {
            Some(p) => Ok(p.to_path_buf()),
            None => anyhow::bail!(
                "--db {}: commands do not run on PostgreSQL yet (its schema and feed leases are in place); use a SQLite file",
                self.location
            ),
        }
    }
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
        /// Accepted for scripts written before claims were always listed in order
        /// of the day they refer to.
        #[arg(long, hide = true)]
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
    /// Re-read stored articles with this version's extractor and replace their
    /// claims (one article per transaction; safe beside `run`, resumable).
    Reextract {
        #[command(flatten)]
        db: DbArg,
        /// Only this event (pipeline name).
        #[arg(long)]
        event: Option<String>,
        /// Every article, not only those another extractor version read.
        #[arg(long)]
        all: bool,
        /// The pipeline files whose places and countries the extractor uses.
        #[arg(long, default_value = "pipelines")]
        pipelines: PathBuf,
    },
    /// Check pipeline files and report every problem with its file and line.
    Check {
        /// A pipeline file or a folder of them.
        pipelines: PathBuf,
    },
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
            serve(
                &pipelines,
                db.file()?,
                Mode::Forever,
                listen,
                fetch.client(),
            )
        }
        Command::Once {
            pipelines,
            db,
            fetch,
        } => serve(&pipelines, db.file()?, Mode::Once, None, fetch.client()),
        Command::Extract {
            jsonl,
            language,
            date,
            files,
        } => local::extract(&files, jsonl, language.as_deref(), date),
        Command::Claims {
            db,
            only,
            timeline: _,
            format,
        } => listing::claims(
            &db.file()?,
            ClaimFilter {
                event: only.event,
                kind: only.kind,
                who: only.who,
                ..ClaimFilter::default()
            },
            format,
        ),
        Command::Figures { db, only, format } => listing::figures(
            &db.file()?,
            only.event.as_deref(),
            only.kind,
            only.who,
            format,
        ),
        Command::Check { pipelines } => check(&pipelines),
        Command::Reextract {
            db,
            event,
            all,
            pipelines,
        } => reextract::reextract(
            &db.file()?,
            &pipelines,
            claimwire::reextract::Scope { event, all },
        ),
        Command::Feeds { db, format } => listing::feeds(&db.file()?, format),
        Command::Article { jsonl, pages } => local::article(&pages, jsonl),
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
