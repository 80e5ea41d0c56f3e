//! Article pages: bytes in whatever charset to the page's main text, title and date.

use chrono::{DateTime, Utc};

use super::decode::{decode_html_at, html_to_text};

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub language: Option<String>,
    pub text: String,
}

/// Decodes `bytes` (see [`decode_html`](super::decode::decode_html)) and extracts the main text.
pub fn main_text(bytes: &[u8], content_type: Option<&str>) -> Page {
    main_text_at(bytes, content_type, None)
}

/// As [`main_text`], for a page fetched from `url` (a hint for charset detection).
pub fn main_text_at(bytes: &[u8], content_type: Option<&str>, url: Option<&url::Url>) -> Page {
    let html = decode_html_at(bytes, content_type, url);
    let declared = published(&html);
    let options = rs_trafilatura::Options {
        page_type: Some(rs_trafilatura::page_type::PageType::Article),
        // Its default cuts the text at 1,000,000 bytes, silently and possibly inside
        // a character; the body cap (20 MiB of HTML) already bounds the text.
        max_extracted_len: usize::MAX,
        ..rs_trafilatura::Options::default()
    };
    match rs_trafilatura::extract_with_options(&html, &options) {
        Ok(r) => {
            let title = r.metadata.title.filter(|t| !t.trim().is_empty());
            Page {
                text: without_headline(&tidy(&r.content_text), title.as_deref()),
                title,
                published: declared.or(r.metadata.date),
                language: r.metadata.language,
            }
        }
        // The extractor finds nothing on some pages (empty body, all boilerplate);
        // the page's whole text is the fallback the benchmark calls a baseline.
        Err(_) => Page {
            text: tidy(&html_to_text(&html)),
            published: declared,
            ..Page::default()
        },
    }
}

/// Meta tags (`property`, `name` or `itemprop`, lower-cased) that state when an
/// article was first published, strongest first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
];

/// When the page says it was published: meta tags, then JSON-LD `datePublished`,
/// then `<time datetime>` (marked as the publication time, then inside an
/// `<article>`, then any). Head first, then the whole page.
///
/// The tags are found by a scan rather than a second DOM parse: parsing cost
/// as much as a third of main-text extraction, and these tags are flat.
pub fn published(html: &str) -> Option<DateTime<Utc>> {
    let head_end = html.find("</head>").or_else(|| html.find("</HEAD>"));
    if let Some(end) = head_end {
        if let Some(d) = declared_date(&html[..end]) {
            return Some(d);
        }
    }
    declared_date(html)
}

fn declared_date(html: &str) -> Option<DateTime<Utc>> {
    use regex::Regex;
    use std::sync::LazyLock;
    static META: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<meta\s[^>]*>").unwrap());
    static LD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?is)<script[^>]*application/ld\+json[^>]*>(.*?)</script>"#).unwrap()
    });
    static TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<time\s[^>]*>").unwrap());

    let best_meta = META
        .find_iter(html)
        .filter_map(|m| {
            let attrs = attributes(m.as_str());
            let key = ["property", "name", "itemprop"]
                .iter()
                .find_map(|k| attrs.iter().find(|(n, _)| n == k))?
                .1
                .to_ascii_lowercase();
            let rank = DATE_META.iter().position(|k| *k == key)?;
            let date = attrs
                .iter()
                .find(|(n, _)| n == "content")
                .and_then(|(_, v)| parse_date(v))?;
            Some((rank, date))
        })
        .min_by_key(|(rank, _)| *rank);
    if let Some((_, d)) = best_meta {
        return Some(d);
    }
    for ld in LD.captures_iter(html) {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(ld[1].trim()) {
            if let Some(d) = json_ld_date(&json) {
                return Some(d);
            }
        }
    }
    let article_at = html
        .find("<article")
        .or_else(|| html.find("<ARTICLE"))
        .unwrap_or(usize::MAX);
    TIME.find_iter(html)
        .filter_map(|m| {
            let attrs = attributes(m.as_str());
            let date = attrs
                .iter()
                .find(|(n, _)| n == "datetime")
                .and_then(|(_, v)| parse_date(v))?;
            let marked = attrs.iter().any(|(n, v)| {
                n == "pubdate" || (n == "itemprop" && v.eq_ignore_ascii_case("datepublished"))
            });
            let rank = if marked {
                0
            } else if m.start() > article_at {
                1
            } else {
                2
            };
            Some((rank, date))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, d)| d)
}

/// The attributes of one start tag, names lower-cased, values unquoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    use regex::Regex;
    use std::sync::LazyLock;
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"#)
            .unwrap()
    });
    // Skip the tag name itself.
    let body = tag
        .trim_start_matches('<')
        .trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    ATTR.captures_iter(body)
        .map(|c| {
            let value = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |v| v.as_str());
            (c[1].to_ascii_lowercase(), value.to_string())
        })
        .collect()
}

fn json_ld_date(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    match v {
        serde_json::Value::Object(map) => map
            .get("datePublished")
            .and_then(|d| d.as_str())
            .and_then(parse_date)
            .or_else(|| map.values().find_map(json_ld_date)),
        serde_json::Value::Array(items) => items.iter().find_map(json_ld_date),
        _ => None,
    }
}

/// Dates as pages write them: RFC 3339 (with or without seconds or zone), RFC 2822,
/// or a bare day.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.and_utc());
        }
    }
    let day = s.get(..10).unwrap_or(s);
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The body without the headline repeated at its top (the title is kept apart).
fn without_headline(text: &str, title: Option<&str>) -> String {
    let words = |s: &str| {
        crate::text::fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let Some(title) = title.map(words).filter(|t| !t.is_empty()) else {
        return text.to_string();
    };
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(i) = lines.iter().take(3).position(|l| words(l) == title) {
        lines.remove(i);
    }
    lines.join("\n")
}

fn tidy(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_more_than_a_million_bytes_keeps_all_its_text() {
        // Two-byte letters: a cut at byte 1,000,000 could also fall inside one.
        let paragraph = "<p>قال الدفاع المدني إن فرق الإنقاذ انتشلت جثثا جديدة من تحت الأنقاض في المدينة المنكوبة.</p>\n";
        let html = format!(
            "<html><body><article>{}</article></body></html>",
            paragraph.repeat(8000)
        );
        assert!(html.len() > 1_200_000);
        let page = main_text(html.as_bytes(), Some("text/html; charset=utf-8"));
        assert!(page.text.len() > 1_000_000, "{} bytes", page.text.len());
        assert!(page.text.trim_end().ends_with("المنكوبة."));
    }

    #[test]
    fn finds_the_publication_date_in_meta_json_ld_or_time() {
        let meta = "<html><head><meta property=\"article:published_time\" content=\"2022-01-06T09:30:00+06:00\"></head><body></body></html>";
        assert_eq!(
            published(meta).unwrap().to_rfc3339(),
            "2022-01-06T03:30:00+00:00"
        );
        let ld = r#"<html><head><script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","datePublished":"2022-01-07"}]}</script></head></html>"#;
        assert_eq!(
            published(ld).unwrap().date_naive().to_string(),
            "2022-01-07"
        );
        let time = "<html><body><article><time datetime=\"2022-01-08 10:00\">8 Jan</time></article></body></html>";
        assert_eq!(
            published(time).unwrap().to_rfc3339(),
            "2022-01-08T10:00:00+00:00"
        );
        assert_eq!(published("<html><body>no date</body></html>"), None);
        // The strongest tag wins wherever it stands; attributes in any order and quoting.
        let ranked = "<html><head><META NAME='DC.date.issued' CONTENT='2022-01-01'>\
            <meta content=2022-01-05T08:00:00Z property=\"article:published_time\" />\
            <meta name=\"description\" content=\"2022-01-09\"></head></html>";
        assert_eq!(
            published(ranked).unwrap().to_rfc3339(),
            "2022-01-05T08:00:00+00:00"
        );
        // A time marked as the publication time beats one in the article text.
        let marked = "<html><body><article><time datetime=\"2022-01-02\">2 Jan</time>\
            <time pubdate datetime=\"2022-01-03\">3 Jan</time></article></body></html>";
        assert_eq!(
            published(marked).unwrap().date_naive().to_string(),
            "2022-01-03"
        );
        assert_eq!(
            parse_date("Thu, 06 Jan 2022 10:00:00 GMT")
                .unwrap()
                .to_rfc3339(),
            "2022-01-06T10:00:00+00:00"
        );
    }

    #[test]
    fn extracts_the_article_not_the_navigation() {
        let body = "<p>Police in Almaty said on Thursday that 18 officers were killed and 748 injured in clashes with protesters across the country.</p>".repeat(3);
        let html = format!(
            "<html><head><title>Unrest</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article><h1>Unrest</h1>{body}</article><footer>Copyright</footer></body></html>"
        );
        let page = main_text(html.as_bytes(), Some("text/html"));
        assert!(page.text.contains("18 officers were killed"), "{page:?}");
        assert!(!page.text.contains("Copyright"));
    }
}
