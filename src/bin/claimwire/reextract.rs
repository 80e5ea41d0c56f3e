//! `claimwire reextract`: the stored articles read again by this version's
//! extractor, with a progress bar in a terminal and a summary per kind.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use tracing::warn;

use claimwire::extract::EXTRACTOR_VERSION;
use claimwire::reextract::{self, Scope};

pub fn reextract(db: &Path, pipelines: &Path, scope: Scope) -> Result<i32> {
    super::listing::open_existing(db)?;
    let pipelines = if pipelines.exists() {
        super::load(pipelines)?
    } else {
        warn!(
            path = %pipelines.display(),
            "no pipeline files there: re-extracting without their places and countries"
        );
        Vec::new()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} articles · {per_sec} · eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let diff = reextract::run(db, &pipelines, &scope, |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "re-extracted {} article(s) with {EXTRACTOR_VERSION}; figure changes recorded {}",
        diff.articles, diff.changes
    );
    for (kind, d) in &diff.kinds {
        println!(
            "  {kind:<13} added {:>5}  removed {:>5}  changed {:>5}  unchanged {:>6}",
            d.added, d.removed, d.changed, d.unchanged
        );
    }
    Ok(0)
}
