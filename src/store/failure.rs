//! Why a write failed and whether waiting may help: the writer retries a busy,
//! locked or full database with backoff, and stops on one that is read-only or
//! damaged, since no retry mends those.

use std::time::Duration;

use rusqlite::ffi::ErrorCode;

/// The cause of a failed write, as the log, `/healthz` and the exit message name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Another process holds the write lock (a second writer, a backup).
    Locked,
    /// The disk or the volume is full.
    DiskFull,
    /// The operating system failed a read or write.
    Io,
    /// The file or its folder cannot be written.
    ReadOnly,
    /// The file is damaged or not a database.
    Corrupt,
    /// The file cannot be opened any more (removed, its folder gone).
    CannotOpen,
    /// Anything else (a constraint, a bug): retrying gives the same answer.
    Other,
}

impl Cause {
    pub fn of(e: &rusqlite::Error) -> Cause {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Cause::Locked,
            Some(ErrorCode::DiskFull) => Cause::DiskFull,
            Some(ErrorCode::SystemIoFailure) => Cause::Io,
            Some(ErrorCode::ReadOnly) => Cause::ReadOnly,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Cause::Corrupt,
            Some(ErrorCode::CannotOpen) => Cause::CannotOpen,
            _ => Cause::Other,
        }
    }

    /// Whether the same write may succeed later without anyone mending the file.
    pub fn may_pass(self) -> bool {
        matches!(self, Cause::Locked | Cause::DiskFull | Cause::Io)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Locked => "database locked by another process",
            Cause::DiskFull => "disk full",
            Cause::Io => "i/o error",
            Cause::ReadOnly => "database is read-only",
            Cause::Corrupt => "database is damaged",
            Cause::CannotOpen => "database file cannot be opened",
            Cause::Other => "write refused",
        }
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Waits between attempts: doubling from `FIRST` up to `MAX`.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(250);
    const MAX: Duration = Duration::from_secs(30);

    pub fn new() -> Self {
        Backoff { next: Self::FIRST }
    }

    /// The wait before the next attempt.
    pub fn step(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        wait
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// How long the writer keeps retrying a failure that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Give up once commits have failed this long (`None`: while the service runs).
    pub give_up_after: Option<Duration>,
    /// After shutdown was asked for, give up once commits have failed this long:
    /// what is not committed is fetched again by the next run.
    pub after_shutdown: Duration,
}

impl RetryPolicy {
    /// A `once` run: a cron job must end, so it gives up after half a minute.
    pub const ONCE: RetryPolicy = RetryPolicy {
        give_up_after: Some(Duration::from_secs(30)),
        after_shutdown: Duration::from_secs(10),
    };
    /// The service: waits out a full disk or a long lock until it is stopped.
    pub const SERVICE: RetryPolicy = RetryPolicy {
        give_up_after: None,
        after_shutdown: Duration::from_secs(10),
    };

    /// Whether to stop retrying after failing for `failing_for`.
    pub fn gives_up(&self, failing_for: Duration, shutting_down: bool) -> bool {
        self.give_up_after.is_some_and(|d| failing_for >= d)
            || (shutting_down && failing_for >= self.after_shutdown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_and_full_disks_are_retried_damage_is_not() {
        let sqlite =
            |code: i32| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        assert_eq!(
            Cause::of(&sqlite(rusqlite::ffi::SQLITE_BUSY)),
            Cause::Locked
        );
        assert_eq!(
            Cause::of(&sqlite(rusqlite::ffi::SQLITE_FULL)),
            Cause::DiskFull
        );
        assert_eq!(
            Cause::of(&sqlite(rusqlite::ffi::SQLITE_READONLY)),
            Cause::ReadOnly
        );
        assert_eq!(
            Cause::of(&sqlite(rusqlite::ffi::SQLITE_NOTADB)),
            Cause::Corrupt
        );
        assert!(Cause::Locked.may_pass() && Cause::DiskFull.may_pass());
        assert!(!Cause::ReadOnly.may_pass() && !Cause::Corrupt.may_pass());
        assert!(!Cause::of(&rusqlite::Error::InvalidQuery).may_pass());
    }

    #[test]
    fn backoff_doubles_up_to_a_cap_and_policies_give_up_when_they_say() {
        let mut b = Backoff::new();
        let waits: Vec<_> = (0..10).map(|_| b.step().as_millis()).collect();
        assert_eq!(&waits[..4], &[250, 500, 1000, 2000]);
        assert_eq!(waits[9], 30_000);
        let min = Duration::from_secs(60);
        assert!(RetryPolicy::ONCE.gives_up(min, false));
        assert!(!RetryPolicy::SERVICE.gives_up(min * 60, false));
        assert!(RetryPolicy::SERVICE.gives_up(min, true));
        assert!(!RetryPolicy::SERVICE.gives_up(Duration::from_secs(1), true));
    }
}
