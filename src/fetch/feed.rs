//! Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed, via feed-rs) to entries with
//! a stable key, an absolute link and plain text.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use url::Url;

use super::FetchError;

/// One entry of a parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub key: String,
    pub link: Option<String>,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub text: String,
}

/// Parses a feed document fetched from `url`.
pub fn parse(bytes: &[u8], url: &Url) -> Result<Vec<FeedEntry>, FetchError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        // An entry without an id gets ours below: feed-rs would make up a random
        // one when it has no link either, which differs on every poll.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(bytes).map_err(|e| {
        let detail = e.to_string().to_lowercase();
        if looks_like_html(bytes) {
            FetchError::NotAFeed {
                url: url.to_string(),
                detail: "the document is an html page".into(),
            }
        } else {
            FetchError::Parse {
                url: url.to_string(),
                detail,
            }
        }
    })?;
    Ok(feed
        .entries
        .into_iter()
        .map(|entry| {
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .map(|l| resolve(url, &l.href));
            let title = entry
                .title
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
            let html = entry
                .content
                .and_then(|c| c.body)
                .or(entry.summary.map(|s| s.content))
                .unwrap_or_default();
            let text = html_to_text(&html);
            let key = match (entry.id.trim(), &link) {
                ("", Some(link)) => link.clone(),
                ("", None) => content_key(&title, &text),
                (id, _) => id.to_string(),
            };
            FeedEntry {
                key,
                link,
                title,
                published: entry.published.or(entry.updated),
                text,
            }
        })
        .collect())
}

fn resolve(base: &Url, href: &str) -> String {
    base.join(href.trim())
        .map(String::from)
        .unwrap_or_else(|_| href.trim().to_string())
}

/// A key for an entry that has neither id nor link, stable across polls.
fn content_key(title: &str, text: &str) -> String {
    let mut h = Sha256::new();
    for part in [title, text] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("sha256:{:x}", h.finalize())
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<html")
}

/// Plain text of an HTML fragment, one line per block; plain text passes through.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.trim().to_string();
    }
    let text = html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), 10_000)
        .unwrap_or_else(|_| html.to_string());
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://news.example/world/rss.xml").unwrap()
    }

    #[test]
    fn reads_rss_entries_with_absolute_links_and_text() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Clashes &amp; arrests</title><link>/a/1.html</link><guid>id-1</guid>
<pubDate>Thu, 06 Jan 2022 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Police said 12 people were &lt;b&gt;killed&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;More later.&lt;/p&gt;</description></item>
</channel></rss>"#;
        let entries = parse(rss, &url()).unwrap();
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.key, "id-1");
        assert_eq!(e.link.as_deref(), Some("https://news.example/a/1.html"));
        assert_eq!(e.title, "Clashes & arrests");
        assert_eq!(e.text, "Police said 12 people were killed.\nMore later.");
        assert!(e.published.is_some());
    }

    #[test]
    fn an_html_page_is_not_a_feed() {
        let err = parse(b"<!DOCTYPE html><html><body>hi</body></html>", &url()).unwrap_err();
        assert_eq!(err.class(), "not_a_feed");
        let err = parse(b"this is not xml at all {", &url()).unwrap_err();
        assert_eq!(err.class(), "parse");
    }

    #[test]
    fn entries_without_id_get_a_stable_key() {
        let rss = br#"<rss version="2.0"><channel><title>t</title><item><description>only text</description></item></channel></rss>"#;
        let a = parse(rss, &url()).unwrap();
        let b = parse(rss, &url()).unwrap();
        assert!(!a[0].key.is_empty());
        assert_eq!(a[0].key, b[0].key);
    }
}
