//! Where the claims database lives: a SQLite file (the embedded default) or a
//! PostgreSQL server that several instances share, told apart by the `--db` value.

use std::fmt;
use std::path::{Path, PathBuf};

/// The database `--db` / `CLAIMWIRE_DB` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` connection URL.
    Postgres(String),
}

/// A PostgreSQL URL with its password (if any) replaced, for logs and errors.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Database {
    /// Any value that starts with a PostgreSQL scheme is a server; everything else
    /// is a file name, as before there was a second backend.
    pub fn parse(value: &str) -> Database {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Database::Postgres(value.to_string())
        } else {
            Database::Sqlite(PathBuf::from(value))
        }
    }

    /// The SQLite file, or None for a server.
    pub fn sqlite(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(p) => Some(p),
            Database::Postgres(_) => None,
        }
    }
}

impl std::str::FromStr for Database {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Database::parse(s))
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(p) => write!(f, "{}", p.display()),
            Database::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_servers_and_everything_else_a_file() {
        for url in [
            "postgres://u@127.0.0.1:5432/claims",
            "postgresql://u@db/claims?sslmode=disable",
            "POSTGRES://u@db/claims",
        ] {
            assert_eq!(
                Database::parse(url),
                Database::Postgres(url.into()),
                "{url}"
            );
        }
        for file in [
            "claims.db",
            "/var/lib/claimwire/claims.db",
            "postgres.db",
            "postgres:claims",
        ] {
            assert_eq!(
                Database::parse(file),
                Database::Sqlite(file.into()),
                "{file}"
            );
        }
    }

    #[test]
    fn a_password_never_reaches_a_log_line() {
        let db = Database::parse("postgres://claimwire:s3cret@db:5432/claims");
        assert_eq!(db.to_string(), "postgres://claimwire:***@db:5432/claims");
        assert!(!format!("{db}").contains("s3cret"));
    }
}
