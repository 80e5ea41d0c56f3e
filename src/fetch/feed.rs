//! Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed, via feed-rs) to entries with
//! a stable key, an absolute link and plain text.

use sha2::{Digest, Sha256};
use url::Url;

use super::FetchError;
use super::decode::{charset_param, html_to_text, looks_like_html};

pub use crate::model::FeedEntry;

/// A parsed feed: its entries and how long it says it may be cached.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The feed's own title, as plain text.
    pub title: Option<String>,
    pub entries: Vec<FeedEntry>,
    /// RSS `<ttl>`.
    pub ttl: Option<std::time::Duration>,
}

/// The document as the XML parser should see it. A BOM or the XML declaration
/// names the encoding and the parser honours them, unless HTTP says otherwise: then
/// the body is decoded by the HTTP charset and declared UTF-8. A document that
/// declares nothing and is not UTF-8 is decoded by detection.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> std::borrow::Cow<'a, [u8]> {
    use std::borrow::Cow;
    if let Some(text) = wide_without_bom(bytes) {
        return Cow::Owned(text.into_bytes());
    }
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return Cow::Borrowed(bytes);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let declared = head.starts_with("<?xml")
        && head
            .split("?>")
            .next()
            .is_some_and(|d| d.contains("encoding"));
    let http = content_type
        .and_then(charset_param)
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let encoding = match http {
        Some(enc) => enc,
        None if std::str::from_utf8(bytes).is_ok() => return Cow::Borrowed(bytes),
        // Declared UTF-8 with a few broken bytes: keep the feed, mark the bytes.
        None if declared
            && head
                .split("?>")
                .next()
                .is_some_and(|d| d.contains("utf-8") || d.contains("utf8")) =>
        {
            return Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into_bytes());
        }
        None if declared => return Cow::Borrowed(bytes),
        None => {
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(bytes, true);
            det.guess(None, chardetng::Utf8Detection::Allow)
        }
    };
    if encoding == encoding_rs::UTF_8 && !declared {
        return Cow::Borrowed(bytes);
    }
    let (text, _, _) = encoding.decode(bytes);
    // The declaration would now lie: the text is UTF-8.
    let text = match text.find("?>") {
        Some(end) if text.starts_with("<?xml") => {
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"{}", &text[end..])
        }
        _ => text.into_owned(),
    };
    Cow::Owned(text.into_bytes())
}

/// UTF-16 and UTF-32 documents, with or without a BOM, recognised by how `<?`
/// is spelled (XML 1.0, appendix F), as UTF-8 text with a truthful declaration.
/// The XML reader handles UTF-16 with a BOM itself, but panics on UTF-16 without
/// one and does not read UTF-32 at all.
fn wide_without_bom(bytes: &[u8]) -> Option<String> {
    let (width, big_endian, skip) = match bytes {
        [0, 0, 0xFE, 0xFF, ..] => (4, true, 4),
        [0xFF, 0xFE, 0, 0, ..] => (4, false, 4),
        [0, 0, 0, b'<', ..] => (4, true, 0),
        [b'<', 0, 0, 0, ..] => (4, false, 0),
        [0, b'<', 0, b'?', ..] => (2, true, 0),
        [b'<', 0, b'?', 0, ..] => (2, false, 0),
        [0xFE, 0xFF, ..] => (2, true, 2),
        [0xFF, 0xFE, ..] => (2, false, 2),
        _ => return None,
    };
    let body = &bytes[skip..];
    let text: String = if width == 2 {
        let enc = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        enc.decode_without_bom_handling(body).0.into_owned()
    } else {
        body.chunks_exact(4)
            .map(|c| {
                let n = if big_endian {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(n).unwrap_or('\u{FFFD}')
            })
            .collect()
    };
    let text = text.trim_start_matches('\u{feff}');
    Some(match text.find("?>") {
        Some(end) if text.starts_with("<?xml") => {
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"{}", &text[end..])
        }
        _ => text.to_string(),
    })
}

/// `<rss>` with no `version` (seen in the wild) is RSS 2.0 to every reader; feed-rs
/// refuses it, so the attribute is added.
fn with_rss_version(bytes: std::borrow::Cow<'_, [u8]>) -> std::borrow::Cow<'_, [u8]> {
    let head_len = bytes.len().min(4096);
    let Some(at) = bytes[..head_len].windows(4).position(|w| w == b"<rss") else {
        return bytes;
    };
    let tag_end = bytes[at..head_len]
        .iter()
        .position(|&b| b == b'>')
        .map_or(head_len, |e| at + e);
    let bare = matches!(bytes.get(at + 4), Some(b' ' | b'>' | b'\n' | b'\r' | b'\t'));
    if !bare || bytes[at..tag_end].windows(7).any(|w| w == b"version") {
        return bytes;
    }
    let mut fixed = Vec::with_capacity(bytes.len() + 16);
    fixed.extend_from_slice(&bytes[..at + 4]);
    fixed.extend_from_slice(b" version=\"2.0\"");
    fixed.extend_from_slice(&bytes[at + 4..]);
    std::borrow::Cow::Owned(fixed)
}

/// Parses a feed document fetched from `url` (after redirects).
pub fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &Url,
) -> Result<ParsedFeed, FetchError> {
    let bytes = with_rss_version(decode(bytes, content_type));
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        // An entry without an id gets ours below: feed-rs would make up a random
        // one when it has no link either, which differs on every poll.
        .id_generator(|_, _, _| String::new())
        .build();
    // A parser panic on a hostile document must not end the poller: it is one
    // more unparsable feed.
    let parsed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(&bytes[..])))
            .map_err(|_| FetchError::Parse {
                url: url.to_string(),
                detail: "the feed parser gave up on this document".into(),
            })?;
    let feed = match parsed {
        Ok(feed) => feed,
        // `<rss version="2.0"></rss>`: a feed with no channel yet is empty, not broken.
        Err(feed_rs::parser::ParseFeedError::ParseError(
            feed_rs::parser::ParseErrorKind::NoFeedRoot,
        )) if is_bare_rss(&bytes) => {
            return Ok(ParsedFeed {
                title: None,
                entries: Vec::new(),
                ttl: None,
            });
        }
        Err(e) => return Err(not_parsed(e, &bytes, url)),
    };
    let title = feed.title.as_ref().map(|t| html_to_text(&t.content));
    let ttl = feed
        .ttl
        .map(|m| std::time::Duration::from_secs(u64::from(m) * 60));
    let entries = feed
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
        .collect();
    Ok(ParsedFeed {
        title,
        entries,
        ttl,
    })
}

fn is_bare_rss(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("<rss") && !text.contains("<channel") && !text.contains("<item")
}

/// The error for a document the parser refused: an HTML page (naming the feed it
/// advertises) or a broken feed.
fn not_parsed(e: feed_rs::parser::ParseFeedError, bytes: &[u8], url: &Url) -> FetchError {
    if looks_like_html(bytes) {
        let detail = match advertised_feed(bytes, url) {
            Some(feed) => format!("the page is html; it advertises a feed at {feed}"),
            None => "the page is html and advertises no feed".to_string(),
        };
        FetchError::NotAFeed {
            url: url.to_string(),
            detail,
        }
    } else {
        FetchError::Parse {
            url: url.to_string(),
            detail: e.to_string().to_lowercase(),
        }
    }
}

/// The feed an HTML page advertises with `<link rel="alternate" type="...rss+xml">`.
pub fn advertised_feed(html: &[u8], base: &Url) -> Option<String> {
    let doc = dom_query::Document::from(String::from_utf8_lossy(html).as_ref());
    let links = doc.select("link[rel~='alternate']");
    links.iter().find_map(|l| {
        let kind = l.attr("type")?.to_ascii_lowercase();
        let feedish = kind.contains("rss") || kind.contains("atom") || kind.contains("feed+json");
        let href = l.attr("href")?;
        feedish.then(|| resolve(base, &href))
    })
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
        let entries = parse(rss, None, &url()).unwrap().entries;
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
        let err = parse(b"<!DOCTYPE html><html><body>hi</body></html>", None, &url()).unwrap_err();
        assert_eq!(err.class().as_str(), "not_a_feed");
        let page = b"<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss/world.xml\"></head><body>news</body></html>";
        let err = parse(page, Some("text/html"), &url()).unwrap_err();
        assert!(
            err.to_string()
                .contains("advertises a feed at https://news.example/rss/world.xml"),
            "{err}"
        );
        let err = parse(b"this is not xml at all {", None, &url()).unwrap_err();
        assert_eq!(err.class().as_str(), "parse");
    }

    #[test]
    fn feeds_in_legacy_encodings_decode_by_declaration_or_http_charset() {
        let body = "<rss version=\"2.0\"><channel><title>أخبار</title><ttl>60</ttl><item><title>مقتل ثمانية من أفراد الشرطة</title><guid>1</guid></item></channel></rss>";
        let (cp1256, _, _) = encoding_rs::WINDOWS_1256.encode(body);
        let mut declared = b"<?xml version=\"1.0\" encoding=\"windows-1256\"?>".to_vec();
        declared.extend_from_slice(&cp1256);
        let feed = parse(&declared, None, &url()).unwrap();
        assert_eq!(feed.entries[0].title, "مقتل ثمانية من أفراد الشرطة");
        assert_eq!(feed.ttl, Some(std::time::Duration::from_secs(3600)));
        let feed = parse(
            &cp1256,
            Some("application/rss+xml; charset=windows-1256"),
            &url(),
        )
        .unwrap();
        assert_eq!(feed.entries[0].title, "مقتل ثمانية من أفراد الشرطة");
        let ru = "<?xml version=\"1.0\" encoding=\"koi8-r\"?><rss version=\"2.0\"><channel><title>t</title><item><title>Погибли восемь силовиков</title><guid>1</guid></item></channel></rss>";
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(ru);
        assert_eq!(
            parse(&koi8, None, &url()).unwrap().entries[0].title,
            "Погибли восемь силовиков"
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for u in ru.replace("koi8-r", "utf-16").encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            parse(&utf16, None, &url()).unwrap().entries[0].title,
            "Погибли восемь силовиков"
        );
    }

    #[test]
    fn entries_without_id_get_a_stable_key() {
        let rss = br#"<rss version="2.0"><channel><title>t</title><item><description>only text</description></item></channel></rss>"#;
        let a = parse(rss, None, &url()).unwrap().entries;
        let b = parse(rss, None, &url()).unwrap().entries;
        assert!(!a[0].key.is_empty());
        assert_eq!(a[0].key, b[0].key);
    }
}
