//! The one HTTP client of the service and its policy: timeouts, a body cap enforced
//! while streaming, redirects followed by hand (so permanent ones are seen and every
//! hop is checked), conditional GET, per-host and global concurrency limits,
//! freshness and Retry-After headers; `file://` reading; fetch failures classified
//! the way the feed row stores them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::model::FailureClass;

/// Default cap on any response body.
pub const DEFAULT_MAX_BODY: u64 = 20 * 1024 * 1024;

/// A fetch that failed, classified for the feed row.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot resolve the host of {url}: {detail}")]
    Dns { url: String, detail: String },
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("tls failed with {url}: {detail}")]
    Tls { url: String, detail: String },
    #[error("timed out fetching {url}")]
    Timeout { url: String },
    #[error("{url} answered http {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("{url}: more than {limit} redirects (a loop?)")]
    Redirects { url: String, limit: usize },
    #[error("{url} is larger than the {limit}-byte cap")]
    TooLarge { url: String, limit: u64 },
    #[error("cannot decode the body of {url}: {detail}")]
    Decode { url: String, detail: String },
    #[error("cannot read {url}: {detail}")]
    File { url: String, detail: String },
    #[error("{url} is not a feed: {detail}")]
    NotAFeed { url: String, detail: String },
    #[error("cannot parse the feed at {url}: {detail}")]
    Parse { url: String, detail: String },
    #[error("request to {url} refused: {detail}")]
    Blocked { url: String, detail: String },
    #[error("request to {url} failed: {detail}")]
    Other { url: String, detail: String },
}

impl FetchError {
    /// The failure class stored on the feed row.
    pub fn class(&self) -> FailureClass {
        match self {
            FetchError::Dns { .. } => FailureClass::Dns,
            FetchError::Connect { .. } => FailureClass::Connect,
            FetchError::Tls { .. } => FailureClass::Tls,
            FetchError::Timeout { .. } => FailureClass::Timeout,
            FetchError::Status { .. } => FailureClass::HttpStatus,
            FetchError::Redirects { .. } => FailureClass::Redirect,
            FetchError::TooLarge { .. } => FailureClass::TooLarge,
            FetchError::Decode { .. } => FailureClass::Decode,
            FetchError::File { .. } => FailureClass::File,
            FetchError::NotAFeed { .. } => FailureClass::NotAFeed,
            FetchError::Parse { .. } => FailureClass::Parse,
            FetchError::Blocked { .. } => FailureClass::Blocked,
            FetchError::Other { .. } => FailureClass::Other,
        }
    }

    /// How long the server asked us to wait (429 and 503 with Retry-After).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Classified by the error's kind and by the types in its chain (our
    /// resolver's verdict, the I/O error under a connection), not by its words.
    fn from_reqwest(url: &Url, e: reqwest::Error) -> Self {
        use super::guard::ResolveError;
        use std::io::ErrorKind;
        let url = url.to_string();
        let detail = error_chain(&e);
        let io = source_of::<std::io::Error>(&e).map(std::io::Error::kind);
        match source_of::<ResolveError>(&e) {
            Some(ResolveError::Internal { .. }) => FetchError::Blocked { url, detail },
            Some(ResolveError::Lookup { .. }) => FetchError::Dns { url, detail },
            None if e.is_timeout() || io == Some(ErrorKind::TimedOut) => {
                FetchError::Timeout { url }
            }
            // rustls reports a failed handshake as invalid data under the connection.
            None if e.is_connect() && io == Some(ErrorKind::InvalidData) => {
                FetchError::Tls { url, detail }
            }
            None if e.is_connect() => FetchError::Connect { url, detail },
            None if e.is_decode() || e.is_body() => FetchError::Decode { url, detail },
            None => FetchError::Other { url, detail },
        }
    }
}

/// The first error of type `T` in `e`'s chain of sources.
fn source_of<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        cur = err.source();
    }
    None
}

/// "outer: inner: innermost", for one-line messages.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// A response body in hand, with what the feed row, the scheduler and the decoders
/// need.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the body came from after redirects.
    pub final_url: Option<Url>,
    /// Set when every redirect on the way was permanent (301/308): the new address.
    pub moved_to: Option<Url>,
    /// How long the response may be reused (Cache-Control max-age, Expires).
    pub fresh_for: Option<Duration>,
}

/// What a conditional GET came to.
#[derive(Debug, Clone)]
pub enum Fetched {
    Body(Box<Body>),
    /// 304: nothing changed since the validators were issued.
    NotModified {
        fresh_for: Option<Duration>,
    },
}

/// Validators from the last successful fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Timeouts and limits of the client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Longest a whole request may take.
    pub timeout: Duration,
    /// Longest the body may stall between two reads.
    pub read_timeout: Duration,
    pub max_body: u64,
    pub max_redirects: usize,
    /// Requests to one host at once.
    pub per_host: usize,
    /// Requests at once in all.
    pub global: usize,
    /// Refuse URLs that lead to loopback, private or link-local addresses (SSRF).
    pub block_internal: bool,
    /// Hosts the guard lets through all the same (an internal feed proxy, say).
    pub allow_hosts: Vec<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(20),
            max_body: DEFAULT_MAX_BODY,
            max_redirects: 5,
            per_host: 2,
            global: 32,
            block_internal: false,
            allow_hosts: Vec::new(),
        }
    }
}

/// One shared client: cheap to clone, one connection pool, one set of limits.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    options: ClientOptions,
    global: Arc<Semaphore>,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

pub const USER_AGENT: &str = concat!(
    "claimwire/",
    env!("CARGO_PKG_VERSION"),
    " (news claims monitor)"
);

impl HttpClient {
    pub fn new(options: &ClientOptions) -> Result<Self, FetchError> {
        let resolver = super::guard::Resolver::new(options.block_internal, &options.allow_hosts);
        let client = reqwest::Client::builder()
            .dns_resolver(resolver)
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .read_timeout(options.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(|e| FetchError::Other {
                url: String::new(),
                detail: format!("cannot build the http client: {e}"),
            })?;
        Ok(HttpClient {
            client,
            options: options.clone(),
            global: Arc::new(Semaphore::new(options.global.max(1))),
            hosts: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// GETs `url`, never holding more than the cap. Only `http` and `https`: this is
    /// for addresses that came from the network (article links), which must never
    /// name a local file.
    pub async fn get(&self, url: &Url) -> Result<Body, FetchError> {
        if let Some(why) = refused_scheme(url) {
            return Err(FetchError::Blocked {
                url: url.to_string(),
                detail: why,
            });
        }
        match self.get_if_changed(url, &Validators::default()).await? {
            Fetched::Body(b) => Ok(*b),
            // Without validators a server has no reason to answer 304.
            Fetched::NotModified { .. } => Err(FetchError::Status {
                url: url.to_string(),
                status: 304,
                retry_after: None,
            }),
        }
    }

    /// POSTs a JSON body (a webhook) and answers its status. No redirect is
    /// followed, and the guard applies as to any fetch.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> Result<u16, FetchError> {
        if let Some(why) = refused_scheme(url) {
            return Err(FetchError::Blocked {
                url: url.to_string(),
                detail: why,
            });
        }
        self.check_target(url)?;
        let _permits = self.permits(url).await;
        let mut request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }
        Ok(status.as_u16())
    }

    async fn permits(&self, url: &Url) -> (OwnedSemaphorePermit, OwnedSemaphorePermit) {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let per_host = {
            let mut hosts = self.hosts.lock().expect("host limits poisoned");
            hosts
                .entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(self.options.per_host.max(1))))
                .clone()
        };
        // Host first, so a busy host does not hold global places while it waits.
        let host_permit = per_host
            .acquire_owned()
            .await
            .expect("semaphores are never closed");
        let global = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("semaphores are never closed");
        (host_permit, global)
    }

    /// A conditional GET: sends the validators and answers `NotModified` on 304.
    /// `url` may be a `file:` URL, since feed addresses come from the pipeline
    /// file's author; a redirect never leads to one.
    pub async fn get_if_changed(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        if url.scheme() == "file" {
            return read_file(url, self.options.max_body)
                .await
                .map(|b| Fetched::Body(Box::new(b)));
        }
        let mut current = url.clone();
        self.check_target(&current)?;
        let mut all_permanent = true;
        for _ in 0..=self.options.max_redirects {
            let _permits = self.permits(&current).await;
            let mut request = self.client.get(current.clone());
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
            let response = request
                .send()
                .await
                .map_err(|e| FetchError::from_reqwest(&current, e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                    .ok_or_else(|| FetchError::Other {
                        url: current.to_string(),
                        detail: format!("http {} without a usable location", status.as_u16()),
                    })?;
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if let Some(why) = refused_scheme(&location) {
                    return Err(FetchError::Blocked {
                        url: location.to_string(),
                        detail: format!("redirect from {current}: {why}"),
                    });
                }
                current = location;
                self.check_target(&current)?;
                continue;
            }
            let fresh_for = freshness(response.headers());
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified { fresh_for });
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: current.to_string(),
                    status: status.as_u16(),
                    retry_after: retry_after(response.headers()),
                });
            }
            let moved_to = (all_permanent && current != *url).then(|| current.clone());
            let mut body = self.read_body(&current, response).await?;
            body.fresh_for = fresh_for;
            body.moved_to = moved_to;
            body.final_url = Some(current);
            return Ok(Fetched::Body(Box::new(body)));
        }
        Err(FetchError::Redirects {
            url: url.to_string(),
            limit: self.options.max_redirects,
        })
    }

    /// With the guard on, an IP-literal host must be public, and only http(s) may
    /// be followed (names are checked by the resolver).
    fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        if !self.options.block_internal {
            return Ok(());
        }
        let blocked = |detail: String| FetchError::Blocked {
            url: url.to_string(),
            detail,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(blocked(format!("scheme {} is not fetched", url.scheme())));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        let allowed = url.host_str().is_some_and(|h| {
            self.options
                .allow_hosts
                .iter()
                .any(|a| a.eq_ignore_ascii_case(h.trim_matches(['[', ']'])))
        });
        match ip {
            Some(ip) if super::guard::is_internal(ip) && !allowed => {
                Err(blocked(format!("{ip} is an internal address")))
            }
            _ => Ok(()),
        }
    }

    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Body, FetchError> {
        let max = self.options.max_body;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: max,
        };
        // A declared length over the cap is refused before any byte is read; an
        // undeclared or lying one is stopped while streaming.
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_large());
        }
        let header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(header::CONTENT_TYPE);
        let etag = header(header::ETAG);
        let last_modified = header(header::LAST_MODIFIED);
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e))?
        {
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Body {
            bytes,
            content_type,
            etag,
            last_modified,
            ..Body::default()
        })
    }
}

/// Retry-After in seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    (at - Utc::now()).to_std().ok().or(Some(Duration::ZERO))
}

/// How long a response may be reused: Cache-Control max-age, else Expires.
pub fn freshness(headers: &HeaderMap) -> Option<Duration> {
    let cache_control = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for directive in cache_control.split(',') {
        if let Some(secs) = directive.trim().strip_prefix("max-age=") {
            if let Ok(secs) = secs.trim_matches('"').parse::<u64>() {
                return Some(Duration::from_secs(secs));
            }
        }
    }
    let expires = headers.get(header::EXPIRES)?.to_str().ok()?;
    let at = DateTime::parse_from_rfc2822(expires)
        .ok()?
        .with_timezone(&Utc);
    (at - Utc::now()).to_std().ok()
}

/// Why a URL from the network is not fetched: anything but http(s).
pub fn refused_scheme(url: &Url) -> Option<String> {
    (!matches!(url.scheme(), "http" | "https"))
        .then(|| format!("scheme {} is not fetched from a link", url.scheme()))
}

async fn read_file(url: &Url, max_body: u64) -> Result<Body, FetchError> {
    use tokio::io::AsyncReadExt;
    let file_error = |detail: String| FetchError::File {
        url: url.to_string(),
        detail,
    };
    let path = url
        .to_file_path()
        .map_err(|()| file_error("not a local path".into()))?;
    // Opened without blocking: opening a FIFO for reading otherwise waits for a
    // writer, on a thread that shutdown cannot interrupt. Only regular files are
    // read (not FIFOs, devices or /proc streams that never end).
    let file = tokio::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .await
        .map_err(|e| file_error(e.to_string().to_lowercase()))?;
    let meta = file
        .metadata()
        .await
        .map_err(|e| file_error(e.to_string().to_lowercase()))?;
    if !meta.is_file() {
        return Err(file_error("not a regular file".into()));
    }
    let mut bytes = Vec::new();
    file.take(max_body + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| file_error(e.to_string().to_lowercase()))?;
    if bytes.len() as u64 > max_body {
        return Err(FetchError::TooLarge {
            url: url.to_string(),
            limit: max_body,
        });
    }
    Ok(Body {
        bytes,
        final_url: Some(url.clone()),
        ..Body::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_retry_after_and_freshness() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        let later = (Utc::now() + chrono::Duration::seconds(300)).to_rfc2822();
        h.insert(header::RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap().as_secs();
        assert!((295..=300).contains(&d), "{d}");
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=900"),
        );
        assert_eq!(freshness(&h), Some(Duration::from_secs(900)));
        let mut h = HeaderMap::new();
        h.insert(header::EXPIRES, HeaderValue::from_str(&later).unwrap());
        assert!(freshness(&h).unwrap().as_secs() >= 295);
    }
}
