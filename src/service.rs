//! The service: a running pipeline composed with what watches and serves it —
//! the HTTP API and web page, the periodic totals, the progress bar and the
//! reload of edited pipeline files, and the webhook deliverer. Only the head is cancelled on shutdown; the
//! pipeline drains, then the rest stops.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::Pipeline;
use crate::fetch::HttpClient;
use crate::pipeline::{self, Options, PipelineError, Summary};
use crate::stats::{Counters, StoreCounts};
use crate::webhook::{self, Webhooks};

/// A terminal progress bar over the entries taken in and the articles stored.
fn progress_bar(
    counters: Arc<Counters>,
    feeds: usize,
    done: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} entries · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        loop {
            let (entries, _, feed_errors) = counters.fetch.snapshot();
            let done_entries = StoreCounts::get(&counters.stored.articles)
                + StoreCounts::get(&counters.stored.duplicates)
                + StoreCounts::get(&counters.stored.filtered)
                + counters.pages.snapshot().2;
            bar.set_length(entries);
            bar.set_position(done_entries.min(entries));
            bar.set_message(format!(
                "{} feeds, {feed_errors} failed, {} articles, {} claims",
                feeds,
                StoreCounts::get(&counters.stored.articles),
                StoreCounts::get(&counters.stored.claims)
            ));
            tokio::select! {
                _ = done.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        bar.finish_and_clear();
    })
}

async fn log_totals(counters: Arc<Counters>, every: Duration, stop: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => counters.log(),
        }
    }
}

/// Runs `pipelines` until done (`Mode::Once`) or until `shutdown` is cancelled,
/// with the API on `options.listen`, totals every `options.report_every`, a
/// progress bar if asked, and `options.watch` reloaded as it is edited.
pub async fn run(
    pipelines: &[Pipeline],
    options: Options,
    shutdown: CancellationToken,
) -> Result<Summary, PipelineError> {
    let listener = match options.listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| PipelineError::Stage(format!("cannot listen on {addr}: {e}")))?,
        ),
        None => None,
    };
    let (pipelines_tx, pipelines_rx) = tokio::sync::watch::channel(pipelines.to_vec());
    // Cursors of new alerts start before the pipeline writes its first change.
    let hooks = webhooks(pipelines, &options)?;
    let running = pipeline::build(pipelines, &options, &shutdown)?;
    let counters = running.counters();
    // What serves and watches stops after the pipeline has drained.
    let after = CancellationToken::new();
    let mut tasks = Vec::new();
    if let Some(listener) = listener {
        let addr = listener.local_addr().ok();
        info!(address = ?addr, "http api and web page listening");
        let state = crate::api::State::new(&options.db, Some(counters.clone()));
        tasks.push(tokio::spawn(crate::api::serve(
            listener,
            state,
            after.clone(),
        )));
    }
    tasks.push(tokio::spawn(log_totals(
        counters.clone(),
        options.report_every,
        after.clone(),
    )));
    if options.progress {
        tasks.push(progress_bar(
            counters.clone(),
            running.feeds(),
            after.clone(),
        ));
    }
    if let (Some(dir), pipeline::Mode::Forever) = (options.watch.clone(), options.mode) {
        tasks.push(reload_on_edit(
            dir,
            pipelines,
            pipelines_tx,
            running.reload(),
            running.head(),
        ));
    }
    let hooks = hooks.map(|h| h.counted(counters.webhooks.clone()));
    if let (Some(hooks), pipeline::Mode::Forever) = (&hooks, options.mode) {
        tasks.push(tokio::spawn(hooks.clone().run(pipelines_rx, after.clone())));
    }
    let summary = running.drain().await;
    if let (Some(hooks), pipeline::Mode::Once) = (&hooks, options.mode) {
        hooks.flush(&webhook::alerts_of(pipelines)).await;
    }
    after.cancel();
    for t in tasks {
        let _ = t.await;
    }
    summary
}

/// The webhook deliverer, with the cursors of the pipelines' alerts started; none
/// for a one-off pass without alerts.
fn webhooks(pipelines: &[Pipeline], options: &Options) -> Result<Option<Webhooks>, PipelineError> {
    let alerts = webhook::alerts_of(pipelines);
    if alerts.is_empty() && options.mode == pipeline::Mode::Once {
        return Ok(None);
    }
    let client = HttpClient::new(&options.client)?;
    let hooks = Webhooks::new(&options.db, client)?;
    hooks
        .start(&alerts)
        .map_err(|e| PipelineError::Stage(format!("cannot start webhook cursors: {e}")))?;
    Ok(Some(hooks))
}

/// Watches the pipeline files and publishes each new set of pipelines to the
/// running stages, until the head stops.
fn reload_on_edit(
    dir: std::path::PathBuf,
    pipelines: &[Pipeline],
    tx: tokio::sync::watch::Sender<Vec<Pipeline>>,
    reload: pipeline::Reload,
    head: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let mut rx = tx.subscribe();
    let watch = crate::config::watch(dir, pipelines.to_vec(), tx, head);
    tokio::spawn(async move {
        let publish = async move {
            while rx.changed().await.is_ok() {
                let now = rx.borrow_and_update().clone();
                reload.publish(&now);
            }
        };
        tokio::join!(watch, publish);
    })
}
