//! The one HTTP client of the service and its policy (timeouts, size cap, User-Agent),
//! `file://` reading, and fetch failures classified the way the feed row stores them.

use std::time::Duration;

use url::Url;

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
    #[error("{url} answered http {status}")]
    Status { url: String, status: u16 },
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
    #[error("request to {url} failed: {detail}")]
    Other { url: String, detail: String },
}

impl FetchError {
    /// The failure class stored on the feed row.
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::Dns { .. } => "dns",
            FetchError::Connect { .. } => "connect",
            FetchError::Tls { .. } => "tls",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Status { .. } => "http_status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Decode { .. } => "decode",
            FetchError::File { .. } => "file",
            FetchError::NotAFeed { .. } => "not_a_feed",
            FetchError::Parse { .. } => "parse",
            FetchError::Other { .. } => "other",
        }
    }

    fn from_reqwest(url: &Url, e: reqwest::Error) -> Self {
        let url = url.to_string();
        let chain = error_chain(&e);
        let lower = chain.to_lowercase();
        if e.is_timeout() {
            FetchError::Timeout { url }
        } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
            FetchError::Dns { url, detail: chain }
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            FetchError::Tls { url, detail: chain }
        } else if e.is_connect() {
            FetchError::Connect { url, detail: chain }
        } else if e.is_decode() || e.is_body() {
            FetchError::Decode { url, detail: chain }
        } else {
            FetchError::Other { url, detail: chain }
        }
    }
}

/// "outer: inner: innermost", lower-case, for one-line messages.
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

/// A response body in hand, with what the feed row and the decoders need.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Timeouts and limits of the client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body: u64,
    pub max_redirects: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: DEFAULT_MAX_BODY,
            max_redirects: 5,
        }
    }
}

/// One shared client: cheap to clone, one connection pool.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    max_body: u64,
}

pub const USER_AGENT: &str = concat!(
    "claimwire/",
    env!("CARGO_PKG_VERSION"),
    " (news claims monitor; +https://github.com/claimwire/claimwire)"
);

impl HttpClient {
    pub fn new(options: &ClientOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(|e| FetchError::Other {
                url: String::new(),
                detail: format!("cannot build the http client: {e}"),
            })?;
        Ok(HttpClient {
            client,
            max_body: options.max_body,
        })
    }

    /// GETs `url` (`http`, `https` or `file`), never holding more than the cap.
    pub async fn get(&self, url: &Url) -> Result<Body, FetchError> {
        if url.scheme() == "file" {
            return read_file(url, self.max_body).await;
        }
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: self.max_body,
        };
        if response.content_length().is_some_and(|n| n > self.max_body) {
            return Err(too_large());
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e))?
        {
            if bytes.len() as u64 + chunk.len() as u64 > self.max_body {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Body {
            bytes,
            content_type,
            etag,
            last_modified,
        })
    }
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
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| file_error(e.to_string().to_lowercase()))?;
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
        ..Body::default()
    })
}
