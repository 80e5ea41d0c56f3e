//! The SSRF guard: with it on, feed and article URLs that lead to loopback,
//! private, link-local or otherwise internal addresses are refused, on the first
//! hop and after every redirect. Names are checked where they are resolved (a DNS
//! resolver that drops internal addresses), so a name that resolves differently on
//! the second lookup cannot slip through; IP literals are checked before connecting.

use std::net::{IpAddr, SocketAddr};

/// Whether an address is one a feed on the internet should never lead to.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
                // 0.0.0.0/8 and 240.0.0.0/4.
                || v4.octets()[0] == 0
                || v4.octets()[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

/// Why a host name gave no address to connect to; the fetch error's class is read
/// from it, not from its message.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("blocked: {host} resolves only to internal addresses ({ip})")]
    Internal { host: String, ip: IpAddr },
    #[error("cannot resolve {host}: {source}")]
    Lookup {
        host: String,
        source: std::io::Error,
    },
}

/// The client's resolver: the system's, and with `block_internal` on, only public
/// addresses (but for allowed names).
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    block_internal: bool,
    allow: std::sync::Arc<Vec<String>>,
}

impl Resolver {
    pub fn new(block_internal: bool, allow: &[String]) -> Self {
        Resolver {
            block_internal,
            allow: std::sync::Arc::new(allow.iter().map(|a| a.to_ascii_lowercase()).collect()),
        }
    }
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let check = self.block_internal && !self.allow.contains(&host.to_ascii_lowercase());
        Box::pin(async move {
            let lookup = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|addrs| addrs.collect::<Vec<SocketAddr>>());
            let all = match lookup {
                Ok(addrs) => addrs,
                Err(source) => return Err(Box::new(ResolveError::Lookup { host, source }) as _),
            };
            let public: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| !check || !is_internal(a.ip()))
                .collect();
            if public.is_empty() && !all.is_empty() {
                let ip = all[0].ip();
                return Err(Box::new(ResolveError::Internal { host, ip }) as _);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2a00:1450:4001::200e",
            "93.184.216.34",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }
}
