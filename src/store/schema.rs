//! Schema, as numbered migrations: a database of any earlier version is brought up
//! to date on open; applied migrations are never edited, only appended to.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const MIGRATIONS: &[&str] = &[
    // 1: feeds, the entries they offered, articles and claims.
    "CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        pipeline TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled_at TEXT,
        last_success_at TEXT,
        next_fetch_at TEXT,
        last_outcome TEXT,
        entries_last_poll INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        error_class TEXT,
        last_error TEXT
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        canonical_url TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        feed_id INTEGER REFERENCES feeds(id),
        event TEXT NOT NULL,
        outlet TEXT,
        title TEXT NOT NULL,
        published_at TEXT,
        fetched_at TEXT NOT NULL,
        language TEXT,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        story_id INTEGER
    );
    CREATE INDEX articles_content_hash ON articles(content_hash);
    CREATE INDEX articles_event ON articles(event);
    CREATE TABLE feed_entries (
        feed_id INTEGER NOT NULL REFERENCES feeds(id),
        entry_key TEXT NOT NULL,
        status TEXT NOT NULL,
        article_id INTEGER REFERENCES articles(id),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (feed_id, entry_key)
    ) WITHOUT ROWID;
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        event TEXT NOT NULL,
        kind TEXT NOT NULL,
        who TEXT NOT NULL,
        value REAL,
        value_low REAL,
        value_high REAL,
        qualifier TEXT NOT NULL,
        source TEXT,
        source_key TEXT,
        location TEXT,
        claimed_at TEXT,
        sentence TEXT NOT NULL,
        evidence TEXT NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        spans TEXT NOT NULL,
        extractor TEXT NOT NULL
    );
    CREATE UNIQUE INDEX claims_identity ON claims(article_id, kind, who, ifnull(value, -1), span_start);
    CREATE INDEX claims_event_kind ON claims(event, kind);",
    // 2: where a feed moved to (permanent redirects), and the HTTP status of its
    // last failure.
    "ALTER TABLE feeds ADD COLUMN moved_to TEXT;
    CREATE INDEX feed_entries_article ON feed_entries(article_id);
    CREATE INDEX articles_feed ON articles(feed_id);",
    // 3: stories. Each article's MinHash signature, and its LSH band keys in one
    // indexed table, so finding candidates is a few index probes at any size.
    "CREATE TABLE article_minhash (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        signature BLOB NOT NULL
    );
    CREATE TABLE story_bands (
        band_key INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        PRIMARY KEY (band_key, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX articles_story ON articles(story_id);",
    // 4: full-text search over claim sentences (FTS5, kept in step by triggers; see 5).
    "CREATE VIRTUAL TABLE claims_fts USING fts5(sentence, content='claims', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
    INSERT INTO claims_fts(rowid, sentence) SELECT id, sentence FROM claims;
    CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
        INSERT INTO claims_fts(rowid, sentence) VALUES (new.id, new.sentence);
    END;
    CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, sentence) VALUES ('delete', old.id, old.sentence);
    END;
    CREATE INDEX claims_article ON claims(article_id);",
    // 5: the writer indexes a batch's claims in one statement. A trigger made every
    // claim a savepoint, and FTS5 writes its pending terms out at each savepoint:
    // one segment per claim and merges without end (a third of the writer's time).
    "DROP TRIGGER claims_fts_insert;",
    // 6: why an entry was not stored, in words (a refused link names its scheme).
    "ALTER TABLE feed_entries ADD COLUMN detail TEXT;",
    // 7: the place of a claim in the gazetteer, and whether its clause or the
    // report's lead gave it.
    "ALTER TABLE claims ADD COLUMN place TEXT;
     ALTER TABLE claims ADD COLUMN country TEXT;
     ALTER TABLE claims ADD COLUMN location_from TEXT;",
    // 8: parts of figures; the extractor that read each article (so that
    // `reextract` finds those an older one read, claims or none); the changes of
    // figures, found when claims are stored; webhook cursors and deliveries.
    "ALTER TABLE claims ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE articles ADD COLUMN extractor TEXT;
     UPDATE articles SET extractor = (SELECT min(c.extractor) FROM claims c WHERE c.article_id = articles.id);
     CREATE INDEX articles_extractor ON articles(extractor);
     CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        event TEXT NOT NULL,
        kind TEXT NOT NULL,
        who TEXT NOT NULL,
        location TEXT,
        change TEXT NOT NULL,
        value INTEGER NOT NULL,
        qualifier TEXT NOT NULL,
        previous INTEGER,
        source TEXT,
        claim_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        revision INTEGER NOT NULL,
        words TEXT NOT NULL,
        at TEXT NOT NULL,
        created_at TEXT NOT NULL
     );
     CREATE INDEX changes_event ON changes(event, id);
     CREATE TABLE alert_cursors (
        alert TEXT PRIMARY KEY,
        last_change INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        alert TEXT NOT NULL,
        change_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        at TEXT NOT NULL
     );
     CREATE INDEX deliveries_alert ON deliveries(alert, change_id);",
    // 9: leases, so that instances sharing a database poll each feed one at a
    // time (PostgreSQL uses them; one SQLite file has one poller per feed, but the
    // two schemas stay the same).
    "ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
     ALTER TABLE feeds ADD COLUMN lease_until TEXT;
     CREATE INDEX feeds_due ON feeds(next_fetch_at);",
];

pub fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect()).to_latest(conn)
}

/// The schema version of the database (0 for a new file).
pub fn version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map(|v| v as usize)
}

/// The schema version a fully migrated database has.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_apply_and_are_valid() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, super::latest_version());
        // Idempotent on an up-to-date database.
        super::migrate(&mut conn).unwrap();
        rusqlite_migration::Migrations::new(
            super::MIGRATIONS
                .iter()
                .map(|s| rusqlite_migration::M::up(s))
                .collect(),
        )
        .validate()
        .unwrap();
    }
}
