//! Store stage and the database: schema and migrations, the one writer, and the
//! read queries the CLI uses.

pub mod alerts;
pub mod changes;
pub mod database;
pub mod failure;
pub mod figures;
pub mod postgres;
pub mod query;
pub mod reader;
pub mod rewrite;
pub mod schema;
pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use database::Database;
pub use failure::{Cause, RetryPolicy};
pub use query::{ClaimFilter, StoredClaim};
pub use reader::{FeedState, Reader, is_stored, max_story_id, story_candidates};
pub use writer::{Writer, run};

/// A database failure; names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error("cannot migrate database {}: {detail}", path.display())]
    Migrate { path: PathBuf, detail: String },
    #[error("database {}: {source}", path.display())]
    Query {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot commit to database {}: {cause} ({detail}){}", path.display(), if *failing_s > 0 { format!(", failing for {failing_s} s") } else { String::new() })]
    Write {
        path: PathBuf,
        cause: Cause,
        detail: String,
        failing_s: u64,
    },
    #[error("database task failed: {0}")]
    Join(String),
}

/// A time as both backends store it: RFC 3339 in UTC to the second, so that text
/// order is time order.
pub(crate) fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How long a reader waits for a lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the writer waits for a lock before it counts a failed commit, says so
/// and retries with backoff (see `writer`): a long lock is then visible.
const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Below this much free space on the database's volume, the writer checkpoints
/// after every batch: a 64 MiB WAL does not fit on a small volume.
const TIGHT_DISK: u64 = 256 * 1024 * 1024;

/// Whether the volume holding `db` has little free space left.
pub fn disk_is_tight(db: &Path) -> bool {
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs4::available_space(dir).is_ok_and(|free| free < TIGHT_DISK)
}

/// Why `path` cannot be opened, in words: SQLite says only "unable to open
/// database file", so the file and its folder are looked at.
fn open_failure(path: &Path, e: &rusqlite::Error) -> String {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return format!("no such directory {}", dir.display());
    }
    if path.is_dir() {
        return "it is a directory".into();
    }
    if fs4::available_space(dir).is_ok_and(|free| free == 0) {
        return format!(
            "disk full: no space left on the volume of {} ({e})",
            dir.display()
        );
    }
    let probe = if path.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map(drop)
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|_| std::fs::remove_file(path))
    };
    match probe {
        Err(io) => io.to_string().to_lowercase(),
        Ok(()) => match e {
            rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
            other => other.to_string(),
        },
    }
}

/// Opens (creating if needed) the database for writing and brings its schema up
/// to date. Several processes may do this at once on one file.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_error = |e: rusqlite::Error| StoreError::Open {
        path: path.to_path_buf(),
        reason: open_failure(path, &e),
    };
    let mut conn = Connection::open(path).map_err(open_error)?;
    conn.busy_timeout(WRITER_BUSY_TIMEOUT).map_err(open_error)?;
    // Every transaction takes the write lock at BEGIN: a deferred one that reads
    // first and then writes cannot be retried by the busy handler when another
    // process wrote in between, and fails at once with "database is locked".
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    pragma_with_retry(&conn, "journal_mode", "WAL").map_err(open_error)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_error)?;
    // A batch (up to 1,024 articles) touches pages all over the URL, hash, band and
    // search indexes: with SQLite's 2 MiB default cache the writer spilled them to
    // the WAL mid-transaction (store cost 368 -> 322 µs per article at 100k stored
    // with 64 MiB). Checkpointing every 64 MiB of WAL instead of every 4 MiB
    // writes a page that several batches modify back once (677 -> 518 µs with
    // batches of 256). Measured with `cargo bench --bench scaling`.
    conn.pragma_update(None, "cache_size", -65536)
        .map_err(open_error)?;
    conn.pragma_update(None, "mmap_size", 4_294_967_296i64)
        .map_err(open_error)?;
    conn.pragma_update(None, "wal_autocheckpoint", 16384)
        .map_err(open_error)?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Switching a new file to WAL needs a lock the busy handler does not wait for;
/// two processes opening one new file at once meet here.
fn pragma_with_retry(conn: &Connection, name: &str, value: &str) -> rusqlite::Result<()> {
    let mut backoff = failure::Backoff::new();
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, name, value) {
            Err(e) if Cause::of(&e) == Cause::Locked && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(backoff.step());
            }
            other => return other,
        }
    }
}

/// Brings the schema up to date. The migrator reads the version before it takes
/// the write lock, so a process that raced another one to a new file finds the
/// tables made when its own migration runs; it then reads the version again.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let mut attempts = 0;
    loop {
        match schema::migrate(conn) {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 3 && schema::version(conn).is_ok_and(|v| v > 0) => {
                attempts += 1;
            }
            Err(e) => {
                return Err(StoreError::Migrate {
                    path: path.to_path_buf(),
                    detail: migrate_message(&e),
                });
            }
        }
    }
}

/// The migrator's error without the SQL it ran (which it appends in full).
fn migrate_message(e: &rusqlite_migration::Error) -> String {
    match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
        other => other.to_string(),
    }
    .to_lowercase()
}

/// Opens the database read-only (it must exist and be migrated).
pub fn open_read(path: &Path) -> Result<Connection, StoreError> {
    let open_error = |e: rusqlite::Error| StoreError::Open {
        path: path.to_path_buf(),
        reason: match &e {
            rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
            other => other.to_string(),
        },
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(open_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
    // Readers probe the story and URL indexes once per article; a 64 MiB page cache
    // and memory-mapped reads keep those probes off the disk as the database grows.
    conn.pragma_update(None, "cache_size", -65536)
        .map_err(open_error)?;
    conn.pragma_update(None, "mmap_size", 4_294_967_296i64)
        .map_err(open_error)?;
    Ok(conn)
}
