//! When to poll a feed next: after success, the longest of the pipeline's interval,
//! the feed's `<ttl>` and the response's freshness; after failure, exponential
//! backoff, at least what Retry-After asks; always with jitter so feeds spread out.

use std::time::Duration;

/// Backoff never waits longer than this (a Retry-After may ask for more, up to a day).
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What a poll tells the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Fetched (or 304): the feed's `<ttl>` and the response's freshness, if any.
    Ok {
        ttl: Option<Duration>,
        fresh_for: Option<Duration>,
    },
    /// The `failures`-th failure in a row, with the server's Retry-After.
    Failed {
        failures: u32,
        retry_after: Option<Duration>,
    },
}

/// The delay before the next poll; `jitter` is a number in [0, 1).
pub fn next_delay(poll: Poll, interval: Duration, jitter: f64) -> Duration {
    let base = match poll {
        Poll::Ok { ttl, fresh_for } => interval
            .max(ttl.unwrap_or_default())
            .max(fresh_for.unwrap_or_default()),
        Poll::Failed {
            failures,
            retry_after,
        } => {
            let doublings = failures.saturating_sub(1).min(20);
            let backoff = interval.saturating_mul(1u32 << doublings).min(MAX_BACKOFF);
            backoff.max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER))
        }
    };
    // Up to 10 % later, never earlier than the server asked.
    base + base.mul_f64(0.1 * jitter.clamp(0.0, 1.0))
}

/// A number in [0, 1) that differs between calls, for jitter (no RNG crate needed).
pub fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn success_waits_for_the_longest_of_interval_ttl_and_freshness() {
        let ok = |ttl, fresh| Poll::Ok {
            ttl,
            fresh_for: fresh,
        };
        assert_eq!(next_delay(ok(None, None), 10 * MIN, 0.0), 10 * MIN);
        assert_eq!(
            next_delay(ok(Some(60 * MIN), None), 10 * MIN, 0.0),
            60 * MIN
        );
        assert_eq!(
            next_delay(ok(None, Some(30 * MIN)), 10 * MIN, 0.0),
            30 * MIN
        );
        assert_eq!(
            next_delay(ok(None, None), 10 * MIN, 0.5),
            10 * MIN + 30 * Duration::from_secs(1)
        );
    }

    #[test]
    fn failures_back_off_exponentially_up_to_a_cap_and_honour_retry_after() {
        let failed = |n, ra| Poll::Failed {
            failures: n,
            retry_after: ra,
        };
        assert_eq!(next_delay(failed(1, None), 10 * MIN, 0.0), 10 * MIN);
        assert_eq!(next_delay(failed(2, None), 10 * MIN, 0.0), 20 * MIN);
        assert_eq!(next_delay(failed(4, None), 10 * MIN, 0.0), 80 * MIN);
        assert_eq!(next_delay(failed(30, None), 10 * MIN, 0.0), MAX_BACKOFF);
        assert_eq!(
            next_delay(failed(1, Some(90 * MIN)), 10 * MIN, 0.0),
            90 * MIN
        );
        assert!(next_delay(failed(1, None), 10 * MIN, 0.99) <= 11 * MIN);
    }

    #[test]
    fn jitter_is_in_range_and_varies() {
        let xs: Vec<f64> = (0..50).map(|_| jitter()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.windows(2).any(|w| w[0] != w[1]));
    }
}
