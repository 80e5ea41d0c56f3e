//! Canonical URLs: one spelling per article, whatever tracking the link carries.

use url::Url;

/// Query parameters that only track the reader.
fn is_tracking(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "yclid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "ref_src"
                | "_ga"
                | "cmpid"
                | "ocid"
        )
}

/// Lower-case scheme and host, no fragment, no default port, no tracking
/// parameters, the rest of the query sorted. A string that is not a URL is kept.
pub fn canonical_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw.trim()) else {
        return raw.trim().to_string();
    };
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    // The url crate already lower-cases scheme and host and drops default ports.
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tracking_fragment_and_default_port_and_sorts_the_query() {
        assert_eq!(
            canonical_url("HTTPS://News.Example:443/a/b?z=1&utm_source=tw&a=2&fbclid=x#comments"),
            "https://news.example/a/b?a=2&z=1"
        );
        assert_eq!(canonical_url("http://e.org:80/x?gclid=1"), "http://e.org/x");
        assert_eq!(canonical_url("http://e.org:8080/x"), "http://e.org:8080/x");
        assert_eq!(canonical_url("not a url"), "not a url");
    }
}
