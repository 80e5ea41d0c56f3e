//! Article pages: bytes in whatever charset to the page's main text, title and date.

use chrono::{DateTime, Utc};

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub language: Option<String>,
    pub text: String,
}

/// Decodes `bytes` (see [`decode_html`]) and extracts the main text.
pub fn main_text(bytes: &[u8], content_type: Option<&str>) -> Page {
    let html = decode_html(bytes, content_type);
    match rs_trafilatura::extract(&html) {
        Ok(r) => Page {
            title: r.metadata.title.filter(|t| !t.trim().is_empty()),
            published: r.metadata.date,
            language: r.metadata.language,
            text: tidy(&r.content_text),
        },
        // The extractor finds nothing on some pages (empty body, all boilerplate);
        // the page's whole text is the fallback the benchmark calls a baseline.
        Err(_) => Page {
            text: tidy(&super::feed::html_to_text(&html)),
            ..Page::default()
        },
    }
}

fn tidy(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes an HTML page: BOM, then the HTTP charset, then `<meta charset>` in the
/// first 4 KiB, then detection.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(&bytes[..bytes.len().min(4096)]))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let enc = declared.unwrap_or_else(|| {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        det.guess(None, chardetng::Utf8Detection::Allow)
    });
    enc.decode_with_bom_removal(bytes).0.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let rest = head[at..].trim_start_matches(['"', '\'', ' ']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_by_header_meta_and_detection() {
        let (arabic, _, _) =
            encoding_rs::WINDOWS_1256.encode("<p>قتل ثمانية من أفراد الشرطة في ألماتي اليوم</p>");
        let page = format!("<html><head><meta charset=\"windows-1256\"></head><body>");
        let mut bytes = page.into_bytes();
        bytes.extend_from_slice(&arabic);
        assert!(decode_html(&bytes, None).contains("أفراد الشرطة"));
        assert!(decode_html(&arabic, Some("text/html; charset=windows-1256")).contains("ألماتي"));
        let (cyr, _, _) = encoding_rs::WINDOWS_1251
            .encode("<p>Погибли восемь силовиков, сообщило министерство внутренних дел.</p>");
        assert!(decode_html(&cyr, None).contains("восемь силовиков"));
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
