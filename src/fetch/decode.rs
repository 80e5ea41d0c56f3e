//! Bytes to text for feeds and pages alike: the charset a response declares,
//! an HTML page's decoding, and the plain text of an HTML fragment.

/// Decodes an HTML page: BOM, then the HTTP charset, then `<meta charset>` in the
/// first 4 KiB, then detection.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    decode_html_at(bytes, content_type, None)
}

/// As [`decode_html`], with the page's address: its top-level domain is the
/// detector's hint (`.kz` pages lean to Cyrillic encodings, `.eg` to Arabic ones).
pub fn decode_html_at(bytes: &[u8], content_type: Option<&str>, url: Option<&url::Url>) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(head(bytes)))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    // Most undeclared pages are UTF-8, and checking that is ~50x cheaper than
    // running the detector over the page.
    if declared.is_none() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return text.to_string();
        }
    }
    let enc = declared.unwrap_or_else(|| {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        let tld = url
            .and_then(|u| u.host_str())
            .and_then(|h| h.rsplit('.').next())
            .map(str::as_bytes);
        det.guess(tld, chardetng::Utf8Detection::Allow)
    });
    enc.decode_with_bom_removal(bytes).0.into_owned()
}

/// The `<head>` of a page, where a `<meta charset>` may stand anywhere (at most
/// 64 KiB, for pages without one).
fn head(bytes: &[u8]) -> &[u8] {
    let limit = bytes.len().min(64 * 1024);
    let end = bytes[..limit]
        .windows(7)
        .position(|w| w.eq_ignore_ascii_case(b"</head>"))
        .unwrap_or(limit);
    &bytes[..end]
}

/// The `charset` parameter of a Content-Type.
pub fn charset_param(content_type: &str) -> Option<String> {
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

/// Whether `bytes` begin an HTML page: a doctype, `<html>` or `<body>` in the
/// first KiB (after a byte-order mark).
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = head_lower(bytes, 1024);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.contains("<html") || head.contains("<body")
}

/// Whether `bytes` hold HTML, a page or a fragment (a paragraph tag in the first
/// 2 KiB): what a local document is read as.
pub fn holds_html(bytes: &[u8]) -> bool {
    looks_like_html(bytes) || head_lower(bytes, 2048).contains("<p>")
}

fn head_lower(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(n)]).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_by_header_meta_and_detection() {
        let (arabic, _, _) =
            encoding_rs::WINDOWS_1256.encode("<p>قتل ثمانية من أفراد الشرطة في ألماتي اليوم</p>");
        let page = "<html><head><meta charset=\"windows-1256\"></head><body>".to_string();
        let mut bytes = page.into_bytes();
        bytes.extend_from_slice(&arabic);
        assert!(decode_html(&bytes, None).contains("أفراد الشرطة"));
        assert!(decode_html(&arabic, Some("text/html; charset=windows-1256")).contains("ألماتي"));
        let (cyr, _, _) = encoding_rs::WINDOWS_1251
            .encode("<p>Погибли восемь силовиков, сообщило министерство внутренних дел.</p>");
        assert!(decode_html(&cyr, None).contains("восемь силовиков"));
    }
}
