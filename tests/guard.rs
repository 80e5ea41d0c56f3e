//! The SSRF guard: with it on, URLs leading to loopback, private or link-local
//! addresses are refused on the first hop and after redirects, with class `blocked`;
//! with it off (as for the rest of the test suite) loopback works.

use std::time::Duration;

use claimwire::fetch::HttpClient;
use claimwire::fetch::client::ClientOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server answering `/feed` with a tiny feed and `/to?u=URL` with a redirect.
async fn server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let reply = match path.strip_prefix("/to?u=") {
                    Some(target) => format!("HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                    None => "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5\r\nConnection: close\r\n\r\n<rss>".to_string(),
                };
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    addr
}

fn client(block: bool, allow: &[&str]) -> HttpClient {
    HttpClient::new(&ClientOptions {
        block_internal: block,
        allow_hosts: allow.iter().map(|s| s.to_string()).collect(),
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    })
    .unwrap()
}

#[tokio::test]
async fn internal_addresses_are_refused_on_every_hop() {
    let addr = server().await;
    let port = addr.port();
    let get =
        |c: HttpClient, url: String| async move { c.get(&url::Url::parse(&url).unwrap()).await };

    // Off: loopback is fetched.
    assert!(
        get(client(false, &[]), format!("http://{addr}/feed"))
            .await
            .is_ok()
    );

    // On: an IP literal, and a name that resolves to loopback.
    let e = get(client(true, &[]), format!("http://{addr}/feed"))
        .await
        .unwrap_err();
    assert_eq!(e.class().as_str(), "blocked", "{e}");
    assert!(
        e.to_string().contains("127.0.0.1 is an internal address"),
        "{e}"
    );
    let e = get(client(true, &[]), format!("http://localhost:{port}/feed"))
        .await
        .unwrap_err();
    assert_eq!(e.class().as_str(), "blocked", "{e}");
    assert!(
        e.to_string()
            .contains("resolves only to internal addresses"),
        "{e}"
    );

    // After a redirect from an allowed host: to cloud metadata, to a private
    // network, to a name that resolves to loopback, to another scheme.
    let allowed = client(true, &["127.0.0.1"]);
    assert!(
        get(allowed.clone(), format!("http://{addr}/feed"))
            .await
            .is_ok(),
        "the allow-list lets the first hop through"
    );
    for target in [
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.7/feed".to_string(),
        "http://[::1]/feed".to_string(),
        format!("http://localhost:{port}/feed"),
        "file:///etc/passwd".to_string(),
    ] {
        let e = get(allowed.clone(), format!("http://{addr}/to?u={target}"))
            .await
            .unwrap_err();
        assert_eq!(e.class().as_str(), "blocked", "{target}: {e}");
    }
}

/// The class of a failed fetch comes from the error's kind, not its words: a
/// name that does not resolve is `dns`, a closed port `connect`, with the guard
/// off as on.
#[tokio::test]
async fn failures_are_classified_by_kind() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    for block in [false, true] {
        let c = client(block, &["127.0.0.1"]);
        let e = c
            .get(&url::Url::parse("http://no-such-host.invalid/feed").unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.class().as_str(), "dns", "{e}");
        assert!(e.to_string().contains("no-such-host.invalid"), "{e}");
        let e = c
            .get(&url::Url::parse(&format!("http://{closed}/feed")).unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.class().as_str(), "connect", "{e}");
    }
}
