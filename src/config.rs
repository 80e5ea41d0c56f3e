//! Pipeline files: TOML read with spans, checked key by key so that every problem in
//! a file is reported at once with its line, then turned into typed [`Pipeline`]s.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use url::Url;

use crate::labels::{Kind, Who};
use crate::text::fold;

/// Languages the extractor reads.
pub const LANGUAGES: &[&str] = &["ar", "en", "ru"];

/// Default similarity (estimated Jaccard of word 4-shingles) above which two
/// articles are one story; measured on the labelled pairs in `tests/stories.rs`.
pub const DEFAULT_STORY_THRESHOLD: f64 = 0.4;

/// A place a pipeline or `places.toml` adds: its name, the spellings it is
/// written in, and its country when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub name: String,
    pub aliases: Vec<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// One pipeline file: an event and the feeds that report on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub description: Option<String>,
    /// As written, for display.
    pub keywords: Vec<String>,
    pub poll_every: Duration,
    pub feeds: Vec<Arc<FeedConfig>>,
    /// Places this pipeline adds to the shipped gazetteer.
    pub places: Vec<Place>,
    /// The countries the event is in (ISO 3166-1 codes, upper case): a name that
    /// several places share means the one in these.
    pub countries: Vec<String>,
    /// Webhooks told of the changes of this event's figures.
    pub alerts: Vec<AlertConfig>,
    pub path: PathBuf,
}

/// One `[[alert]]` of a pipeline: a URL that is POSTed each change of the event's
/// figures (of the kinds and groups named, moving by at least `min_change`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertConfig {
    pub url: Url,
    pub event: String,
    /// Empty: every kind.
    pub kinds: Vec<Kind>,
    /// Empty: every group.
    pub who: Vec<Who>,
    /// The least a value must move (or a new figure be) to be sent.
    pub min_change: i64,
}

impl AlertConfig {
    /// The alert's name in the database (its cursor and deliveries): a changed
    /// filter keeps its place, a changed URL or event is a new alert.
    pub fn key(&self) -> String {
        format!("{} {}", self.event, self.url)
    }
}

/// One `[[feed]]` of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    pub url: Url,
    pub pipeline: String,
    pub language: Option<String>,
    pub fetch_article: bool,
    pub poll_every: Duration,
    /// Similarity above which two articles are one story.
    pub story_threshold: f64,
    /// The pipeline's keywords, folded (see [`crate::text::fold`]).
    pub keywords: Vec<String>,
}

impl FeedConfig {
    /// A feed with the defaults a pipeline file would give it.
    pub fn new(url: Url, pipeline: &str) -> Self {
        FeedConfig {
            url,
            pipeline: pipeline.to_string(),
            language: None,
            fetch_article: false,
            poll_every: DEFAULT_POLL_EVERY,
            story_threshold: DEFAULT_STORY_THRESHOLD,
            keywords: Vec::new(),
        }
    }
}

/// A problem at a place in a pipeline file. Line 0 means the file as a whole (it
/// cannot be read, or is not UTF-8 text), shown without a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    fn whole(file: &Path, message: String) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file.display(), self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Every problem found in one or more pipeline files.
#[derive(Debug, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "keywords",
    "story_threshold",
    "poll_every",
    "feed",
    "place",
    "countries",
    "alert",
];
const ALERT_KEYS: &[&str] = &["url", "kind", "who", "min_change"];
const PLACE_KEYS: &[&str] = &["name", "aliases", "country"];
const FEED_KEYS: &[&str] = &["url", "language", "fetch_article", "poll_every"];
const DEFAULT_POLL_EVERY: Duration = Duration::from_secs(600);
const MIN_POLL_EVERY: Duration = Duration::from_secs(1);

/// Pipeline files named by `path`: the file itself, or every `*.toml` in the folder
/// (sorted, so that runs are repeatable). Entries that cannot be read as files
/// (dangling symlinks, say) are left out here; [`load`] reports them.
pub fn pipeline_files(path: &Path) -> Result<Vec<PathBuf>, ConfigErrors> {
    list(path).map(|(files, _)| files)
}

/// The pipeline files under `path`, and a problem for each `*.toml` entry that
/// cannot be read as a file.
fn list(path: &Path) -> Result<(Vec<PathBuf>, Vec<ConfigError>), ConfigErrors> {
    if !path.is_dir() {
        return match std::fs::metadata(path) {
            Ok(_) => Ok((vec![path.to_path_buf()], Vec::new())),
            Err(e) => Err(ConfigErrors(vec![ConfigError::whole(
                path,
                unreadable(path, &e),
            )])),
        };
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        ConfigErrors(vec![ConfigError::whole(
            path,
            format!("cannot read: {}", lower(&e)),
        )])
    })?;
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    for entry in entries {
        let p = match entry {
            Ok(entry) => entry.path(),
            Err(e) => {
                problems.push(ConfigError::whole(
                    path,
                    format!("cannot list: {}", lower(&e)),
                ));
                continue;
            }
        };
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        // `metadata` follows symlinks, so a link to a file counts and a dangling
        // or looping one is an error rather than silently nothing.
        match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => files.push(p),
            Ok(_) => {}
            Err(e) => problems.push(ConfigError::whole(&p, unreadable(&p, &e))),
        }
    }
    files.sort();
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((files, problems))
}

/// An io error in lower case, as the rest of the messages are.
fn lower(e: &std::io::Error) -> String {
    e.to_string().to_lowercase()
}

/// Why `path` cannot be opened: a dangling symlink is named as one, since the
/// io error ("no such file") would contradict the listing that shows it.
fn unreadable(path: &Path, e: &std::io::Error) -> String {
    let is_link = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
    if is_link && e.kind() == std::io::ErrorKind::NotFound {
        match std::fs::read_link(path) {
            Ok(target) => format!(
                "dangling symlink (its target {} does not exist)",
                target.display()
            ),
            Err(_) => "dangling symlink".into(),
        }
    } else {
        format!("cannot read: {}", lower(e))
    }
}

/// Loads every pipeline under `path`; all problems of all files are returned
/// together, names must be unique and a feed belongs to one pipeline.
pub fn load(path: &Path) -> Result<Vec<Pipeline>, ConfigErrors> {
    load_all(path, false)
}

/// Like [`load`], and a local feed file that does not exist is a problem too. At
/// run time it is only a failing feed (recorded on its row, like an HTTP error),
/// so that one missing file does not stop the other feeds; `check` is where the
/// author wants to hear about it.
pub fn check(path: &Path) -> Result<Vec<Pipeline>, ConfigErrors> {
    load_all(path, true)
}

fn load_all(path: &Path, strict: bool) -> Result<Vec<Pipeline>, ConfigErrors> {
    let (files, mut errors) = list(path)?;
    if files.is_empty() && errors.is_empty() {
        return Err(ConfigErrors(vec![ConfigError::whole(
            path,
            "no pipeline files (*.toml) in this folder".into(),
        )]));
    }
    let mut pipelines = Vec::new();
    let mut names = std::collections::HashMap::new();
    let mut urls: std::collections::HashMap<String, (PathBuf, usize)> =
        std::collections::HashMap::new();
    for file in files {
        let parsed = read_file(&file);
        let mut file_errors = if strict { parsed.warnings } else { Vec::new() };
        match parsed.pipeline {
            Ok(p) => {
                let at = |(line, column): (usize, usize), message: String| ConfigError {
                    file: p.path.clone(),
                    line,
                    column,
                    message,
                };
                if let Some(first) = names.insert(p.name.clone(), p.path.clone()) {
                    file_errors.push(at(
                        parsed.name_at,
                        format!(
                            "pipeline name '{}' is used by {} too; names must be unique",
                            p.name,
                            first.display()
                        ),
                    ));
                }
                for (f, &place) in p.feeds.iter().zip(&parsed.feed_at) {
                    let key = feed_key(&f.url);
                    match urls.get(&key) {
                        Some((first, line)) => file_errors.push(at(
                            place,
                            format!(
                                "feed {} is listed in {} too (line {line}); a feed belongs to one pipeline",
                                f.url,
                                first.display()
                            ),
                        )),
                        None => {
                            urls.insert(key, (p.path.clone(), place.0));
                        }
                    }
                }
                if file_errors.is_empty() {
                    pipelines.push(p);
                }
            }
            Err(e) => file_errors.extend(e.0),
        }
        file_errors.sort_by_key(|e| (e.line, e.column));
        errors.extend(file_errors);
    }
    if errors.is_empty() {
        Ok(pipelines)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// A feed URL as compared for duplicates: the `url` crate has already lower-cased
/// the host and dropped a default port; a fragment never reaches the server.
fn feed_key(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.into()
}

pub fn load_file(file: &Path) -> Result<Pipeline, ConfigErrors> {
    read_file(file).pipeline
}

/// One pipeline file read and parsed, with what cross-file checks need.
struct Parsed {
    pipeline: Result<Pipeline, ConfigErrors>,
    /// Problems that do not stop the pipeline from running; only [`check`]
    /// reports them.
    warnings: Vec<ConfigError>,
    /// Line and column of the `name` key, and of each feed's `url`.
    name_at: (usize, usize),
    feed_at: Vec<(usize, usize)>,
}

impl Parsed {
    fn failed(error: ConfigError) -> Self {
        Self::failed_all(vec![error])
    }

    fn failed_all(errors: Vec<ConfigError>) -> Self {
        Parsed {
            pipeline: Err(ConfigErrors(errors)),
            warnings: Vec::new(),
            name_at: (1, 1),
            feed_at: Vec::new(),
        }
    }
}

fn read_file(file: &Path) -> Parsed {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return Parsed::failed(ConfigError::whole(file, unreadable(file, &e))),
    };
    match decode(bytes, file) {
        Ok(source) => parse_file(&source, file),
        Err(e) => Parsed::failed(e),
    }
}

/// The text of a pipeline file, which must be UTF-8 (a UTF-8 byte order mark is
/// fine: the TOML parser skips it).
fn decode(bytes: Vec<u8>, file: &Path) -> Result<String, ConfigError> {
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(ConfigError::whole(
            file,
            format!("not valid utf-8 (it looks like {encoding}; save it as utf-8)"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..at]);
        ConfigError {
            file: file.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: format!(
                "not valid utf-8: byte 0x{:02x} at offset {at} (save the file as utf-8)",
                bytes[at]
            ),
        }
    })
}

/// "utf-16" or "utf-32" when `bytes` start with that encoding's byte order mark,
/// or have the zero bytes its ASCII characters carry (which UTF-8 TOML never has).
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    // UTF-32 LE before UTF-16 LE: its mark starts with theirs.
    const MARKS: &[(&[u8], &str)] = &[
        (&[0xFF, 0xFE, 0, 0], "utf-32"),
        (&[0, 0, 0xFE, 0xFF], "utf-32"),
        (&[0xFF, 0xFE], "utf-16"),
        (&[0xFE, 0xFF], "utf-16"),
    ];
    if let Some((_, name)) = MARKS.iter().find(|(mark, _)| bytes.starts_with(mark)) {
        return Some(name);
    }
    let head = &bytes[..bytes.len().min(64)];
    let zeros = head.iter().filter(|b| **b == 0).count();
    if zeros == 0 || head.len() < 4 {
        None
    } else if zeros * 4 >= head.len() * 3 {
        Some("utf-32")
    } else {
        Some("utf-16")
    }
}

/// At most this many syntax errors are reported for a file.
const MAX_SYNTAX_ERRORS: usize = 20;

/// The TOML syntax errors of `source`, at most one per line, in order, as byte
/// offsets and messages. The parser's recovery finds most in one pass, but it can
/// skip over some (after a broken table header, say), so the lines with errors
/// are blanked and the text parsed again for errors further down. An error the
/// blanking reveals above the last one found is the blanking's doing (an array
/// or inline table it left unclosed), so it is not reported.
fn syntax_errors(source: &str) -> Vec<(usize, String)> {
    let line_of = |at: usize| source[..at.min(source.len())].matches('\n').count();
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut text = source.to_string();
    while found.len() < MAX_SYNTAX_ERRORS {
        let (_, errors) = DeTable::parse_recoverable(&text);
        let below = found.last().map(|(at, _)| line_of(*at));
        let mut new: Vec<(usize, String)> = errors
            .iter()
            .map(|e| {
                let at = e.span().map_or(0, |s| s.start).min(source.len());
                let message = e.message().lines().next().unwrap_or("invalid TOML");
                (at, message.to_lowercase())
            })
            .filter(|(at, _)| below.is_none_or(|l| line_of(*at) > l))
            .collect();
        new.sort_by_key(|(at, _)| *at);
        new.dedup_by_key(|(at, _)| line_of(*at));
        if new.is_empty() {
            break;
        }
        for (at, _) in &new {
            // Whole lines become spaces, so offsets still point into `source`
            // and the text stays valid UTF-8.
            let bytes = text.as_bytes();
            let start = bytes[..*at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[*at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(text.len(), |i| at + i);
            text.replace_range(start..end, &" ".repeat(end - start));
        }
        found.extend(new);
    }
    found.truncate(MAX_SYNTAX_ERRORS);
    found
}

/// Parses one pipeline file's text; `file` names it in messages and anchors
/// relative feed paths.
pub fn parse(source: &str, file: &Path) -> Result<Pipeline, ConfigErrors> {
    parse_file(source, file).pipeline
}

/// The file's TOML, or every syntax error with its byte offset. Schema problems
/// of a document the parser had to guess at would mostly be echoes of the syntax
/// errors (keys of a broken `[[feed]]` header landing in the top table), so they
/// wait until the syntax is right.
fn document(source: &str) -> Result<toml::Spanned<DeTable<'_>>, Vec<(usize, String)>> {
    let syntax = syntax_errors(source);
    if !syntax.is_empty() {
        return Err(syntax
            .into_iter()
            .map(|(at, m)| (at, format!("invalid TOML: {m}")))
            .collect());
    }
    DeTable::parse(source).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let message = e.message().lines().next().unwrap_or("invalid TOML");
        vec![(at, format!("invalid TOML: {}", message.to_lowercase()))]
    })
}

fn parse_file(source: &str, file: &Path) -> Parsed {
    let mut check = Checker {
        source,
        file,
        errors: Vec::new(),
    };
    let root = match document(source) {
        Ok(root) => root,
        Err(errors) => {
            for (at, message) in errors {
                check.error(at, message);
            }
            return Parsed::failed_all(check.errors);
        }
    };
    let root_span = root.span();
    let root = root.into_inner();
    let base = file.parent().unwrap_or(Path::new("."));
    let top = check.top(&root);
    let name = check.pipeline_name(top.name.clone(), root_span.start);
    let keywords: Vec<String> = top
        .keywords
        .iter()
        .map(|k| fold(k.trim()))
        .filter(|k| !k.is_empty())
        .collect();
    let (feeds, url_at) = check.feeds(&top, &name, &keywords, base);
    let alerts: Vec<AlertConfig> = top
        .alert_tables
        .iter()
        .filter_map(|&(at, table)| check.alert(at, table, &name))
        .collect();
    if feeds.is_empty() && check.errors.is_empty() {
        check.error(
            root_span.end.saturating_sub(1),
            "pipeline has no [[feed]]".into(),
        );
    }
    let Top {
        description,
        keywords,
        poll_every,
        places,
        countries,
        name_at,
        ..
    } = top;
    check.feeds_listed_once(&feeds, &url_at);
    let warnings = check.missing_feed_files(&feeds, &url_at);

    let name_at = check.position(name_at);
    let feed_at = url_at.iter().map(|at| check.position(*at)).collect();
    let pipeline = if check.errors.is_empty() {
        Ok(Pipeline {
            name,
            description,
            keywords,
            poll_every,
            feeds,
            places,
            countries,
            alerts,
            path: file.to_path_buf(),
        })
    } else {
        check.errors.sort_by_key(|e| (e.line, e.column));
        Err(ConfigErrors(check.errors))
    };
    Parsed {
        pipeline,
        warnings,
        name_at,
        feed_at,
    }
}

/// Why a `file:` feed cannot be read, if it cannot; `None` for other schemes.
fn missing_feed_file(url: &Url) -> Option<String> {
    if url.scheme() != "file" {
        return None;
    }
    let path = url.to_file_path().ok()?;
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => None,
        Ok(_) => Some(format!("feed file {} is not a file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some(format!("feed file {} does not exist", path.display()))
        }
        Err(e) => Some(format!(
            "cannot read feed file {}: {}",
            path.display(),
            lower(&e)
        )),
    }
}

/// How often the pipelines folder is looked at for edits.
pub const WATCH_EVERY: Duration = Duration::from_secs(1);

/// A file's identity for change detection: modification time and length.
type Stamp = Option<(Option<std::time::SystemTime>, u64)>;

fn stamp(f: &Path) -> Stamp {
    std::fs::metadata(f)
        .ok()
        .map(|m| (m.modified().ok(), m.len()))
}

/// Watches `path` (a pipeline file or folder) and publishes its pipelines, whole,
/// whenever a file is added, changed or removed. A file that no longer
/// parses is reported with every located error, and its last good version keeps
/// running. `running` is what the service started with.
pub async fn watch(
    path: PathBuf,
    running: Vec<Pipeline>,
    pipelines: tokio::sync::watch::Sender<Vec<Pipeline>>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    use std::collections::BTreeMap;
    let mut good: BTreeMap<PathBuf, Pipeline> =
        running.into_iter().map(|p| (p.path.clone(), p)).collect();
    let mut seen: BTreeMap<PathBuf, Stamp> = good.keys().map(|f| (f.clone(), stamp(f))).collect();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(WATCH_EVERY) => {}
        }
        let files = match pipeline_files(&path) {
            Ok(files) => files,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot list pipeline files; keeping the running ones");
                continue;
            }
        };
        let mut changed = false;
        let gone: Vec<PathBuf> = seen
            .keys()
            .filter(|f| !files.contains(f))
            .cloned()
            .collect();
        for f in gone {
            seen.remove(&f);
            if good.remove(&f).is_some() {
                tracing::info!(file = %f.display(), "pipeline file removed; its feeds stop");
                changed = true;
            }
        }
        for f in files {
            let now = stamp(&f);
            if seen.get(&f) == Some(&now) {
                continue;
            }
            seen.insert(f.clone(), now);
            match load_file(&f) {
                Ok(p) => {
                    tracing::info!(file = %f.display(), pipeline = %p.name, feeds = p.feeds.len(), "pipeline loaded");
                    good.insert(f, p);
                    changed = true;
                }
                Err(errors) => {
                    for e in &errors.0 {
                        tracing::error!("{e}");
                    }
                    let kept = if good.contains_key(&f) {
                        "the last good version keeps running"
                    } else {
                        "it is not run"
                    };
                    tracing::error!(file = %f.display(), problems = errors.0.len(), "pipeline file rejected; {kept}");
                }
            }
        }
        // Whole pipelines, so that places, countries and keywords change with
        // the feeds.
        if changed && pipelines.send(good.values().cloned().collect()).is_err() {
            return;
        }
    }
}

/// The top table of a pipeline file, as read (feeds still tables).
struct Top<'t> {
    name: Option<String>,
    name_at: usize,
    description: Option<String>,
    keywords: Vec<String>,
    poll_every: Duration,
    countries: Vec<String>,
    story_threshold: f64,
    places: Vec<Place>,
    feed_tables: Vec<(usize, &'t DeTable<'t>)>,
    alert_tables: Vec<(usize, &'t DeTable<'t>)>,
}

struct Checker<'a> {
    source: &'a str,
    file: &'a Path,
    errors: Vec<ConfigError>,
}

type Value<'i> = toml::Spanned<DeValue<'i>>;

impl Checker<'_> {
    /// A feed listed twice in one file is an error at its second `url`.
    fn feeds_listed_once(&mut self, feeds: &[Arc<FeedConfig>], url_at: &[usize]) {
        let mut seen = std::collections::HashMap::new();
        for (f, &at) in feeds.iter().zip(url_at) {
            if let Some(&first) = seen.get(&feed_key(&f.url)) {
                let (line, _) = self.position(first);
                self.error(
                    at,
                    format!("feed {} is listed twice (first at line {line})", f.url),
                );
            } else {
                seen.insert(feed_key(&f.url), at);
            }
        }
    }

    /// Local feed files that do not exist (yet): warnings, not errors.
    fn missing_feed_files(&self, feeds: &[Arc<FeedConfig>], url_at: &[usize]) -> Vec<ConfigError> {
        feeds
            .iter()
            .zip(url_at)
            .filter_map(|(f, &at)| {
                let message = missing_feed_file(&f.url)?;
                let (line, column) = self.position(at);
                Some(ConfigError {
                    file: self.file.to_path_buf(),
                    line,
                    column,
                    message,
                })
            })
            .collect()
    }

    /// Reads the top table: every key but the feeds, which stay tables.
    fn top<'t>(&mut self, root: &'t DeTable<'t>) -> Top<'t> {
        let mut top = Top {
            name: None,
            name_at: 0,
            description: None,
            keywords: Vec::new(),
            poll_every: DEFAULT_POLL_EVERY,
            countries: Vec::new(),
            story_threshold: DEFAULT_STORY_THRESHOLD,
            places: Vec::new(),
            feed_tables: Vec::new(),
            alert_tables: Vec::new(),
        };
        for (key, value) in root.iter() {
            let at = key.span().start;
            match key.get_ref().as_ref() {
                "name" => {
                    top.name_at = at;
                    top.name = self.string(value, "name");
                }
                "description" => top.description = self.string(value, "description"),
                "keywords" => top.keywords = self.string_list(value, "keywords"),
                "countries" => {
                    top.countries = self
                        .string_list(value, "countries")
                        .into_iter()
                        .filter_map(|c| self.country(value, &c))
                        .collect()
                }
                "poll_every" => {
                    if let Some(d) = self.duration(value, "poll_every") {
                        top.poll_every = d;
                    }
                }
                "feed" => self.tables(at, value, "feed", &mut top.feed_tables),
                "alert" => self.tables(at, value, "alert", &mut top.alert_tables),
                "story_threshold" => {
                    if let Some(t) = self.threshold(value) {
                        top.story_threshold = t;
                    }
                }
                "place" => match value.get_ref() {
                    DeValue::Array(items) => top
                        .places
                        .extend(items.iter().filter_map(|item| self.place(item))),
                    _ => self.error(at, "'place' must be written as [[place]] tables".into()),
                },
                other => self.unknown_key(at, other, TOP_KEYS, "pipeline"),
            }
        }
        top
    }

    /// The pipeline's feeds, with the byte offset of each one's `url` value.
    fn feeds(
        &mut self,
        top: &Top<'_>,
        name: &str,
        keywords: &[String],
        base: &Path,
    ) -> (Vec<Arc<FeedConfig>>, Vec<usize>) {
        let (mut feeds, mut url_at) = (Vec::new(), Vec::new());
        for &(at, table) in &top.feed_tables {
            if let Some((url_start, mut feed)) = self.feed(at, table, name, top.poll_every, base) {
                feed.story_threshold = top.story_threshold;
                feed.keywords = keywords.to_vec();
                url_at.push(url_start);
                feeds.push(Arc::new(feed));
            }
        }
        (feeds, url_at)
    }

    /// The `[[feed]]` or `[[alert]]` tables of the top table's `name` key.
    fn tables<'t>(
        &mut self,
        at: usize,
        value: &'t Value<'t>,
        name: &str,
        out: &mut Vec<(usize, &'t DeTable<'t>)>,
    ) {
        let DeValue::Array(items) = value.get_ref() else {
            return self.error(at, format!("'{name}' must be written as [[{name}]] tables"));
        };
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((item.span().start, t)),
                _ => self.error(
                    item.span().start,
                    format!("each {name} must be a [[{name}]] table"),
                ),
            }
        }
    }

    /// One `[[alert]]` table at `at`; `None` when it has no usable url.
    fn alert(&mut self, at: usize, table: &DeTable<'_>, event: &str) -> Option<AlertConfig> {
        let (mut url, mut kinds, mut who, mut min_change) = (None, Vec::new(), Vec::new(), 0);
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "url" => url = self.alert_url(value),
                "kind" => kinds = self.one_or_more(value, "kind", Kind::ALL, |k| k.as_str()),
                "who" => who = self.one_or_more(value, "who", Who::ALL, |w| w.as_str()),
                "min_change" => match value.get_ref() {
                    DeValue::Integer(i) => match i.as_str().parse::<i64>() {
                        Ok(n) if n >= 0 => min_change = n,
                        _ => self.error(
                            value.span().start,
                            "'min_change' must be a whole number, 0 or more".into(),
                        ),
                    },
                    _ => self.error(
                        value.span().start,
                        "'min_change' must be a whole number, 0 or more".into(),
                    ),
                },
                other => self.unknown_key(key.span().start, other, ALERT_KEYS, "alert"),
            }
        }
        if url.is_none() && !table.contains_key("url") {
            self.error(at, "alert has no 'url'".into());
        }
        Some(AlertConfig {
            url: url?,
            event: event.to_string(),
            kinds,
            who,
            min_change,
        })
    }

    /// A webhook's URL: http or https only.
    fn alert_url(&mut self, value: &Value<'_>) -> Option<Url> {
        let text = self.string(value, "url")?;
        match Url::parse(text.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(u),
            Ok(_) => {
                self.error(
                    value.span().start,
                    format!("bad alert url '{text}': a webhook must be http or https"),
                );
                None
            }
            Err(e) => {
                self.error(value.span().start, format!("bad alert url '{text}': {e}"));
                None
            }
        }
    }

    /// A name or a list of names, each one of `all`.
    fn one_or_more<T: Copy>(
        &mut self,
        value: &Value<'_>,
        key: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Vec<T> {
        let names = match value.get_ref() {
            DeValue::String(s) => vec![s.to_string()],
            _ => self.string_list(value, key),
        };
        let mut out = Vec::new();
        for n in names {
            match all.iter().copied().find(|t| name(*t) == n.trim()) {
                Some(t) => out.push(t),
                None => {
                    let known: Vec<&str> = all.iter().map(|t| name(*t)).collect();
                    self.error(
                        value.span().start,
                        format!("unknown {key} '{n}' (known: {})", known.join(", ")),
                    );
                }
            }
        }
        out
    }

    /// `story_threshold`: a number between 0.0 and 1.0.
    fn threshold(&mut self, value: &Value<'_>) -> Option<f64> {
        let parsed = match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => None,
        };
        let ok = parsed.filter(|t| (0.0..=1.0).contains(t));
        if ok.is_none() {
            self.error(
                value.span().start,
                "'story_threshold' must be a number between 0.0 and 1.0".into(),
            );
        }
        ok
    }

    /// The pipeline's name, which must be given and not empty.
    fn pipeline_name(&mut self, name: Option<String>, at: usize) -> String {
        match name {
            Some(n) if !n.trim().is_empty() => n,
            Some(_) => {
                self.error(at, "'name' must not be empty".into());
                String::new()
            }
            None => {
                self.error(
                    at,
                    "missing 'name' (the event this pipeline follows)".into(),
                );
                String::new()
            }
        }
    }

    /// One `[[feed]]` table at `at`, with the byte offset of its `url` value;
    /// `None` when it has no usable url.
    fn feed(
        &mut self,
        at: usize,
        table: &DeTable<'_>,
        pipeline: &str,
        poll_every: Duration,
        base: &Path,
    ) -> Option<(usize, FeedConfig)> {
        let (mut url, mut url_start) = (None, at);
        let mut language = None;
        let mut fetch_article = false;
        let mut feed_poll = poll_every;
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "url" => {
                    url_start = value.span().start;
                    url = self.feed_url(value, base);
                }
                "language" => language = self.language(value).or(language),
                "fetch_article" => match value.get_ref() {
                    DeValue::Boolean(b) => fetch_article = *b,
                    _ => self.error(
                        value.span().start,
                        "'fetch_article' must be true or false".into(),
                    ),
                },
                "poll_every" => {
                    if let Some(d) = self.duration(value, "poll_every") {
                        feed_poll = d;
                    }
                }
                other => self.unknown_key(key.span().start, other, FEED_KEYS, "feed"),
            }
        }
        if url.is_none() && !table.contains_key("url") {
            self.error(at, "feed has no 'url'".into());
        }
        let mut feed = FeedConfig::new(url?, pipeline);
        feed.language = language;
        feed.fetch_article = fetch_article;
        feed.poll_every = feed_poll;
        Some((url_start, feed))
    }

    /// A feed's `language`: one claimwire reads.
    fn language(&mut self, value: &Value<'_>) -> Option<String> {
        let l = self.string(value, "language")?;
        if LANGUAGES.contains(&l.as_str()) {
            return Some(l);
        }
        self.error(
            value.span().start,
            format!(
                "unsupported language '{l}' (expected one of {})",
                LANGUAGES.join(", ")
            ),
        );
        None
    }

    /// Line and column (both from 1, the column in characters) of byte `at`.
    fn position(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.source.len());
        let before = &self.source[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    fn error(&mut self, at: usize, message: String) {
        let (line, column) = self.position(at);
        self.errors.push(ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            message,
        });
    }

    fn unknown_key(&mut self, at: usize, key: &str, known: &[&str], table: &str) {
        let hint = known
            .iter()
            .find(|k| edit_distance(k, key) <= 2)
            .map(|k| format!("; did you mean '{k}'?"))
            .unwrap_or_else(|| format!(" (known keys: {})", known.join(", ")));
        self.error(at, format!("unknown key '{key}' in {table}{hint}"));
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.error(value.span().start, format!("'{key}' must be a string"));
                None
            }
        }
    }

    fn place(&mut self, item: &Value<'_>) -> Option<Place> {
        let DeValue::Table(t) = item.get_ref() else {
            self.error(
                item.span().start,
                "each place must be a [[place]] table".into(),
            );
            return None;
        };
        let (mut name, mut aliases, mut country) = (None, Vec::new(), None);
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "name" => name = self.string(value, "name"),
                "aliases" => aliases = self.string_list(value, "aliases"),
                "country" => {
                    country = self
                        .string(value, "country")
                        .and_then(|c| self.country(value, &c))
                }
                other => self.unknown_key(key.span().start, other, PLACE_KEYS, "place"),
            }
        }
        match name {
            Some(name) if !name.trim().is_empty() => Some(Place {
                name,
                aliases,
                country,
            }),
            _ => {
                self.error(item.span().start, "place has no 'name'".into());
                None
            }
        }
    }

    /// An ISO 3166-1 alpha-2 code ("LY", "tr"), upper-cased.
    fn country(&mut self, value: &Value<'_>, code: &str) -> Option<String> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Some(code);
        }
        self.error(
            value.span().start,
            format!("'{code}' is not a country code (two letters of ISO 3166-1, such as \"LY\")"),
        );
        None
    }

    fn string_list(&mut self, value: &Value<'_>, key: &str) -> Vec<String> {
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| self.string(item, key))
                .collect(),
            _ => {
                self.error(
                    value.span().start,
                    format!("'{key}' must be a list of strings"),
                );
                Vec::new()
            }
        }
    }

    fn duration(&mut self, value: &Value<'_>, key: &str) -> Option<Duration> {
        let text = self.string(value, key)?;
        match humantime::parse_duration(text.trim()) {
            Ok(d) if d >= MIN_POLL_EVERY => Some(d),
            Ok(_) => {
                self.error(
                    value.span().start,
                    format!("'{key}' must be at least 1s, not '{text}'"),
                );
                None
            }
            Err(e) => {
                self.error(
                    value.span().start,
                    format!("bad duration '{text}' for '{key}': {e} (write e.g. \"90s\", \"10m\", \"1h\")"),
                );
                None
            }
        }
    }

    fn feed_url(&mut self, value: &Value<'_>, base: &Path) -> Option<Url> {
        let text = self.string(value, "url")?;
        let at = value.span().start;
        let text = text.trim();
        let has_scheme = text.split_once(':').is_some_and(|(s, _)| {
            s.len() > 1
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if !has_scheme {
            // A bare path is a local file next to the pipeline file.
            let path = base.join(text);
            let path = std::path::absolute(&path).unwrap_or(path);
            return match Url::from_file_path(&path) {
                Ok(u) => Some(u),
                Err(()) => {
                    self.error(at, format!("bad feed path '{text}'"));
                    None
                }
            };
        }
        match Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(u),
            Ok(u) if u.scheme() == "file" => Some(u),
            Ok(u) => {
                self.error(
                    at,
                    format!(
                        "bad feed url '{text}': scheme '{}' is not http, https or file",
                        u.scheme()
                    ),
                );
                None
            }
            Err(e) => {
                self.error(at, format!("bad feed url '{text}': {e}"));
                None
            }
        }
    }
}

/// Levenshtein distance, for "did you mean" on short config keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Pipeline, ConfigErrors> {
        parse(s, Path::new("/etc/claimwire/p.toml"))
    }

    #[test]
    fn reads_a_full_pipeline() {
        let p = parse_str(
            r#"
name = "kz"
description = "Unrest"
keywords = ["Kazakhstan", "كازاخستان"]
poll_every = "5m"

[[feed]]
url = "https://example.org/rss.xml"
language = "ar"
fetch_article = true

[[feed]]
url = "feeds/local.xml"
poll_every = "30s"
"#,
        )
        .unwrap();
        assert_eq!(p.name, "kz");
        assert_eq!(p.poll_every, Duration::from_secs(300));
        assert_eq!(p.feeds.len(), 2);
        assert!(p.feeds[0].fetch_article);
        assert_eq!(p.feeds[0].language.as_deref(), Some("ar"));
        assert_eq!(
            p.feeds[1].url.as_str(),
            "file:///etc/claimwire/feeds/local.xml"
        );
        assert_eq!(p.feeds[1].poll_every, Duration::from_secs(30));
        assert_eq!(
            p.feeds[0].keywords,
            vec!["kazakhstan".to_string(), fold("كازاخستان")]
        );
        assert!(p.places.is_empty());
        let p = parse_str("name = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\n[[place]]\nname = \"Kaskelen\"\naliases = [\"قاسقلين\", \"Каскелен\"]\n").unwrap();
        assert_eq!(p.places[0].aliases.len(), 2);
        let err = parse_str("name = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\n[[place]]\naliases = [\"x\"]\nkind = 1\n").unwrap_err();
        assert_eq!(err.0.len(), 2, "{err}");
    }

    #[test]
    fn reads_alerts_and_reports_their_mistakes_by_line() {
        let feed = "name = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\n";
        let p = parse_str(&format!(
            "{feed}[[alert]]\nurl = \"https://hooks.example/a\"\nkind = [\"killed\", \"injured\"]\nwho = \"civilians\"\nmin_change = 10\n[[alert]]\nurl = \"http://hooks.example/b\"\n"
        ))
        .unwrap();
        assert_eq!(p.alerts.len(), 2);
        assert_eq!(p.alerts[0].kinds, vec![Kind::Killed, Kind::Injured]);
        assert_eq!(
            (p.alerts[0].who.clone(), p.alerts[0].min_change),
            (vec![Who::Civilians], 10)
        );
        assert!(p.alerts[1].kinds.is_empty() && p.alerts[1].min_change == 0);
        assert_eq!(p.alerts[1].key(), "kz http://hooks.example/b");
        let err = parse_str(&format!(
            "{feed}[[alert]]\nurl = \"file:///tmp/x\"\nkind = \"kiled\"\nmin_change = -1\nmin_chnage = 3\n[[alert]]\nwho = \"people\"\n"
        ))
        .unwrap_err();
        let msgs: Vec<String> = err.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "/etc/claimwire/p.toml:5:7: bad alert url 'file:///tmp/x': a webhook must be http or https",
                "/etc/claimwire/p.toml:6:8: unknown kind 'kiled' (known: killed, injured, hospitalized, critical, arrested, deployed, missing, displaced, kidnapped, evacuated)",
                "/etc/claimwire/p.toml:7:14: 'min_change' must be a whole number, 0 or more",
                "/etc/claimwire/p.toml:8:1: unknown key 'min_chnage' in alert; did you mean 'min_change'?",
                "/etc/claimwire/p.toml:9:1: alert has no 'url'",
            ]
        );
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let err = parse_str(
            "name = \"kz\"\npoll_evry = \"10m\"\n\n[[feed]]\nurl = \"ftp://example.org/x\"\n\n[[feed]]\nurl = \"https://example.org/a\"\npoll_every = \"ten minutes\"\n",
        )
        .unwrap_err();
        let msgs: Vec<String> = err.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("/etc/claimwire/p.toml:2:1: unknown key 'poll_evry'"),
            "{}",
            msgs[0]
        );
        assert!(msgs[0].contains("did you mean 'poll_every'"));
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("/etc/claimwire/p.toml:5:7: bad feed url")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("/etc/claimwire/p.toml:9:14: bad duration 'ten minutes'")),
            "{msgs:?}"
        );
    }

    #[test]
    fn rejects_missing_name_bad_types_and_languages() {
        let err = parse_str("keywords = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\nlanguage = \"fr\"\nfetch_article = \"yes\"\n").unwrap_err();
        let msgs = err.to_string();
        assert!(msgs.contains("missing 'name'"), "{msgs}");
        assert!(
            msgs.contains(":1:12: 'keywords' must be a list of strings"),
            "{msgs}"
        );
        assert!(msgs.contains(":4:12: unsupported language 'fr'"), "{msgs}");
        assert!(
            msgs.contains(":5:17: 'fetch_article' must be true or false"),
            "{msgs}"
        );
    }

    #[test]
    fn reports_toml_syntax_errors_with_a_line() {
        let err = parse_str("name = \"kz\"\n[[feed]\nurl = 1\n").unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].line, 2, "{}", err);
        assert!(err.0[0].message.starts_with("invalid TOML"));
    }

    #[test]
    fn a_feed_needs_a_url_and_a_pipeline_needs_a_feed() {
        let err = parse_str("name = \"kz\"\n").unwrap_err();
        assert!(err.to_string().contains("no [[feed]]"));
        let err = parse_str("name = \"kz\"\n[[feed]]\nlanguage = \"en\"\n").unwrap_err();
        assert!(err.to_string().contains(":2:1: feed has no 'url'"), "{err}");
    }

    fn lines(err: &ConfigErrors) -> Vec<(usize, usize)> {
        err.0.iter().map(|e| (e.line, e.column)).collect()
    }

    #[test]
    fn reports_every_syntax_error_once_per_line() {
        let err =
            parse_str("name = \"kz\nx = = 2\n[[feed]]\nurl = \"https://e.org/\"\ny = [1,\nz = 3\n")
                .unwrap_err();
        // Line 6 has four errors from the unclosed array above it: one is enough.
        assert_eq!(lines(&err), [(1, 11), (2, 5), (6, 1)], "{err}");
        assert!(
            err.0
                .iter()
                .all(|e| e.message.starts_with("invalid TOML: "))
        );

        // The broken header hides the unclosed string from the parser's own
        // recovery; blanking the lines already reported finds it.
        let err = parse_str("a = 1\na = 2\nb = 01\nc = tru\n[t\nd = 'x\n").unwrap_err();
        assert_eq!(
            err.0.iter().map(|e| e.line).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6],
            "{err}"
        );
        assert!(err.0[4].message.contains("literal string"), "{err}");

        // An unclosed inline table: no echo above the errors it causes.
        let err = parse_str("a = { x = 1,\nb = 2\n").unwrap_err();
        assert!(err.0.iter().all(|e| e.line >= 2), "{err}");

        // No schema problems (unknown key 'bogus') until the syntax is right.
        let err = parse_str("bogus = 1\nname = \"kz\n").unwrap_err();
        assert_eq!(lines(&err), [(2, 11)], "{err}");

        let many: String = (0..30).map(|i| format!("k{i} = =\n")).collect();
        assert_eq!(parse_str(&many).unwrap_err().0.len(), MAX_SYNTAX_ERRORS);
    }

    #[test]
    fn a_duplicate_feed_is_reported_where_it_is_written() {
        let err = parse_str(
            "name = \"kz\"\n[[feed]]\nurl = \"https://example.org/rss\"\n[[feed]]\nurl = \"https://Example.ORG:443/rss#top\"\n[[feed]]\nurl = \"https://example.org/rss?x=1\"\n",
        )
        .unwrap_err();
        assert_eq!(lines(&err), [(5, 7)], "{err}");
        assert!(
            err.0[0]
                .message
                .contains("https://example.org/rss#top is listed twice (first at line 3)"),
            "{err}"
        );
    }

    fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_feed_in_two_pipelines_is_reported_in_the_second() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.toml",
            "name = \"a\"\n[[feed]]\nurl = \"https://e.org/rss\"\n",
        );
        let b = write(
            dir.path(),
            "b.toml",
            "\nname = \"a\"\n[[feed]]\nurl = \"https://E.org/rss\"\n",
        );
        let err = load(dir.path()).unwrap_err();
        let b = b.display();
        assert_eq!(err.0.len(), 2, "{err}");
        assert!(
            err.0[0]
                .to_string()
                .starts_with(&format!("{b}:2:1: pipeline name 'a' is used by")),
            "{err}"
        );
        assert!(
            err.0[1]
                .to_string()
                .starts_with(&format!("{b}:4:7: feed https://e.org/rss is listed in")),
            "{err}"
        );
        assert!(err.0[1].message.contains("a.toml too (line 3)"), "{err}");
    }

    #[test]
    fn a_missing_feed_file_is_a_problem_for_check_only() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "here.xml", "<rss/>");
        let file = write(
            dir.path(),
            "p.toml",
            "name = \"kz\"\n[[feed]]\nurl = \"here.xml\"\n[[feed]]\nurl = \"no-such-file.xml\"\n[[feed]]\nurl = \"https://e.org/rss\"\n",
        );
        assert_eq!(load(dir.path()).unwrap()[0].feeds.len(), 3);
        assert!(load_file(&file).is_ok());
        let err = check(dir.path()).unwrap_err();
        assert_eq!(lines(&err), [(5, 7)], "{err}");
        assert!(
            err.0[0].message.starts_with("feed file ")
                && err.0[0]
                    .message
                    .ends_with("no-such-file.xml does not exist"),
            "{err}"
        );
        // A file: URL is checked the same way.
        let url = Url::from_file_path(dir.path().join("gone.xml")).unwrap();
        write(
            dir.path(),
            "p.toml",
            format!("name = \"kz\"\n[[feed]]\nurl = \"{url}\"\n"),
        );
        assert!(
            check(dir.path())
                .unwrap_err()
                .to_string()
                .contains("gone.xml does not exist")
        );
    }

    #[test]
    fn an_empty_folder_or_bad_symlinks_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: no pipeline files (*.toml) in this folder",
                dir.path().display()
            )
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("missing.toml", dir.path().join("x.toml")).unwrap();
            symlink("b.toml", dir.path().join("a.toml")).unwrap();
            symlink("a.toml", dir.path().join("b.toml")).unwrap();
            let err = load(dir.path()).unwrap_err();
            let msgs: Vec<String> = err.0.iter().map(|e| e.to_string()).collect();
            let d = dir.path().display();
            assert_eq!(msgs.len(), 3, "{msgs:?}");
            assert!(
                msgs[0].starts_with(&format!("{d}/a.toml: cannot read: ")),
                "{msgs:?}"
            );
            assert!(msgs[0].contains("symbolic links"), "{msgs:?}");
            assert_eq!(
                msgs[2],
                format!("{d}/x.toml: dangling symlink (its target missing.toml does not exist)")
            );
            // A good file next to them loads, but the bad links are still reported.
            write(
                dir.path(),
                "ok.toml",
                "name = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\n",
            );
            assert_eq!(load(dir.path()).unwrap_err().0.len(), 3);
            assert_eq!(pipeline_files(dir.path()).unwrap().len(), 1);
        }
    }

    #[test]
    fn a_file_that_is_not_utf8_says_why_and_where() {
        let dir = tempfile::tempdir().unwrap();
        let text = "name = \"kz\"\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let file = write(dir.path(), "u16.toml", &utf16);
        let err = load_file(&file).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: not valid utf-8 (it looks like utf-16; save it as utf-8)",
                file.display()
            )
        );
        let no_bom: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let file = write(dir.path(), "u16be.toml", &no_bom);
        assert!(
            load_file(&file)
                .unwrap_err()
                .to_string()
                .contains("looks like utf-16")
        );
        let mut utf32 = vec![0xFF, 0xFE, 0, 0];
        utf32.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
        let file = write(dir.path(), "u32.toml", &utf32);
        assert!(
            load_file(&file)
                .unwrap_err()
                .to_string()
                .contains("looks like utf-32")
        );

        let file = write(dir.path(), "latin1.toml", b"name = \"kz\"\n# caf\xe9\n");
        let err = load_file(&file).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2:6: not valid utf-8: byte 0xe9 at offset 17 (save the file as utf-8)",
                file.display()
            )
        );
        // A UTF-8 byte order mark is fine.
        let file = write(
            dir.path(),
            "bom.toml",
            "\u{feff}name = \"kz\"\n[[feed]]\nurl = \"https://e.org/\"\n",
        );
        assert!(load_file(&file).is_ok());
    }

    #[test]
    fn an_unreadable_file_has_no_position() {
        let dir = tempfile::tempdir().unwrap();
        // A folder cannot be read as a file, even by root.
        let err = load_file(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: cannot read: ", dir.path().display())),
            "{msg}"
        );
        assert!(!msg.contains(":0:0"), "{msg}");
    }
}
