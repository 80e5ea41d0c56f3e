//! `/metrics` in the Prometheus text format: items in, out and failed per stage,
//! what the store wrote, channel depths, fetch latency, feeds failing by class.

use std::fmt::Write;

use axum::extract::State as Shared;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{State, read};
use crate::stats::{LATENCY_BUCKETS, StoreCounts};

pub async fn metrics(Shared(state): Shared<State>) -> Response {
    let mut out = String::new();
    if let Some(c) = &state.counters {
        out.push_str("# HELP claimwire_stage_items_total Items per stage: in, out and failed.\n# TYPE claimwire_stage_items_total counter\n");
        for stage in [
            &c.fetch,
            &c.pages,
            &c.dedupe,
            &c.extract,
            &c.store,
            &c.webhooks,
        ] {
            let (i, o, e) = stage.snapshot();
            for (dir, n) in [("in", i), ("out", o), ("error", e)] {
                let _ = writeln!(
                    out,
                    "claimwire_stage_items_total{{stage=\"{}\",direction=\"{dir}\"}} {n}",
                    stage.name
                );
            }
        }
        out.push_str("# HELP claimwire_stored_total What the store committed.\n# TYPE claimwire_stored_total counter\n");
        for (what, n) in [
            ("articles", StoreCounts::get(&c.stored.articles)),
            ("claims", StoreCounts::get(&c.stored.claims)),
            ("duplicates", StoreCounts::get(&c.stored.duplicates)),
            ("filtered", StoreCounts::get(&c.stored.filtered)),
        ] {
            let _ = writeln!(out, "claimwire_stored_total{{what=\"{what}\"}} {n}");
        }
        out.push_str("# HELP claimwire_channel_depth Items waiting between stages.\n# TYPE claimwire_channel_depth gauge\n");
        for (name, len) in c.depths.lock().expect("depths poisoned").iter() {
            let _ = writeln!(
                out,
                "claimwire_channel_depth{{channel=\"{name}\"}} {}",
                len()
            );
        }
        let healthy = u8::from(c.writer.trouble().is_none());
        let _ = writeln!(
            out,
            "# HELP claimwire_writer_healthy 1 while the writer commits, 0 while its commits fail.\n# TYPE claimwire_writer_healthy gauge\nclaimwire_writer_healthy {healthy}"
        );
        let (buckets, count, sum) = c.fetch_latency.snapshot();
        out.push_str("# HELP claimwire_fetch_seconds Feed fetch latency.\n# TYPE claimwire_fetch_seconds histogram\n");
        for (bound, n) in LATENCY_BUCKETS.iter().zip(&buckets) {
            let _ = writeln!(out, "claimwire_fetch_seconds_bucket{{le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "claimwire_fetch_seconds_bucket{{le=\"+Inf\"}} {count}\nclaimwire_fetch_seconds_sum {sum}\nclaimwire_fetch_seconds_count {count}"
        );
    }
    let failing = read(&state, |c| {
        let mut stmt = c.prepare("SELECT error_class, count(*) FROM feeds WHERE last_outcome = 'failed' GROUP BY error_class")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?)))?;
        rows.collect::<Result<Vec<_>, _>>()
    })
    .await
    .unwrap_or_default();
    out.push_str("# HELP claimwire_feeds_failing Feeds whose last poll failed, by failure class.\n# TYPE claimwire_feeds_failing gauge\n");
    for (class, n) in failing {
        let _ = writeln!(
            out,
            "claimwire_feeds_failing{{class=\"{}\"}} {n}",
            class.unwrap_or_default()
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
