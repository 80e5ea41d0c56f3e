//! The PostgreSQL backend: a pool of connections to one server that several
//! claimwire instances share, its schema (`schema`) and the leases that give each
//! due feed to one instance at a time (`lease`).

pub mod lease;
pub mod schema;

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::database::redacted;

/// Connections one instance keeps open at most.
const POOL_SIZE: usize = 16;

/// A PostgreSQL failure; names the server (password hidden).
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("bad database url {url}: {detail}")]
    Url { url: String, detail: String },
    #[error("cannot connect to database {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("cannot migrate database {url}: {detail}")]
    Migrate { url: String, detail: String },
    #[error("database {url}: {detail}")]
    Query { url: String, detail: String },
}

/// What the server said, in one line: its own message for a server error (the
/// client's `Display` says only "db error"), else the client's chain.
pub fn detail(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out = format!("{out}: {s}");
        source = s.source();
    }
    out
}

/// An open, migrated PostgreSQL database.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    url: String,
}

impl Postgres {
    /// Connects to `url` and brings the schema up to date (waiting for another
    /// instance that is migrating it).
    pub async fn open(url: &str) -> Result<Postgres, PgError> {
        let shown = redacted(url);
        let config = tokio_postgres::Config::from_str(url).map_err(|e| PgError::Url {
            url: shown.clone(),
            detail: detail(&e),
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| PgError::Connect {
                url: shown.clone(),
                detail: e.to_string(),
            })?;
        let db = Postgres { pool, url: shown };
        let mut client = db.client().await?;
        schema::migrate(&mut client)
            .await
            .map_err(|e| PgError::Migrate {
                url: db.url.clone(),
                detail: detail(&e),
            })?;
        Ok(db)
    }

    /// A connection from the pool.
    pub async fn client(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.pool.get().await.map_err(|e| PgError::Connect {
            url: self.url.clone(),
            detail: match &e {
                deadpool_postgres::PoolError::Backend(b) => detail(b),
                other => other.to_string(),
            },
        })
    }

    /// A failed statement, named with this server.
    pub fn query_error(&self, e: &tokio_postgres::Error) -> PgError {
        PgError::Query {
            url: self.url.clone(),
            detail: detail(e),
        }
    }
}
