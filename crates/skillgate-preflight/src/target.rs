//! The endpoint under test: its URL, host and port, and the address actually dialed
//! (`--resolve HOST:ADDR` points a public name at a local deployment).

use std::net::{IpAddr, SocketAddr};

use rustls_pki_types::ServerName;
use url::{Host, Url};

use crate::error::Error;

/// Alexa only calls HTTPS endpoints on this port.
pub const ALEXA_PORT: u16 = 443;

/// A parsed endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL as normalized by the URL parser.
    pub url: String,
    /// The host: a DNS name (lowercase) or an IP address literal without brackets.
    pub host: String,
    /// The port (443 when the URL has none).
    pub port: u16,
    /// Path and query, as sent in the request line.
    pub path_and_query: String,
}

impl Endpoint {
    /// Parses `https://host[:port]/path`.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Url {
            url: url.to_string(),
            why: why.to_string(),
        };
        let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if parsed.scheme() != "https" {
            return Err(bad("Alexa only calls https:// endpoints"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad("userinfo is not allowed"));
        }
        let host = match parsed.host() {
            Some(Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(bad("no host")),
        };
        let port = parsed.port().unwrap_or(ALEXA_PORT);
        let mut path_and_query = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        Ok(Self {
            url: parsed.to_string(),
            host,
            port,
            path_and_query,
        })
    }

    /// The name sent in SNI and checked against the certificate.
    pub fn server_name(&self) -> Result<ServerName<'static>, Error> {
        ServerName::try_from(self.host.clone()).map_err(|e| Error::Url {
            url: self.url.clone(),
            why: format!("host is not a valid server name: {e}"),
        })
    }

    /// The `Host` header value.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == ALEXA_PORT {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Parses `--resolve HOST:ADDR` for `endpoint`: ADDR is an IP address (the URL's port is
/// kept) or a socket address (`127.0.0.1:8443`, `[::1]:8443`). HOST must be the URL's host.
pub fn parse_resolve(value: &str, endpoint: &Endpoint) -> Result<SocketAddr, Error> {
    let bad = |why: String| Error::Resolve {
        value: value.to_string(),
        why,
    };
    let Some((host, addr)) = value.split_once(':') else {
        return Err(bad("expected HOST:ADDR".into()));
    };
    if !host.eq_ignore_ascii_case(&endpoint.host) {
        return Err(bad(format!(
            "HOST {host:?} is not the URL's host {:?}",
            endpoint.host
        )));
    }
    if let Ok(socket) = addr.parse::<SocketAddr>() {
        return Ok(socket);
    }
    let trimmed = addr.trim_start_matches('[').trim_end_matches(']');
    match trimmed.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, endpoint.port)),
        Err(_) => Err(bad(format!(
            "ADDR {addr:?} is neither an IP address nor IP:PORT"
        ))),
    }
}

/// The address to dial: `--resolve` when given, else the first address DNS returns.
pub async fn connect_address(
    endpoint: &Endpoint,
    resolve: Option<&str>,
) -> Result<SocketAddr, Error> {
    if let Some(value) = resolve {
        return parse_resolve(value, endpoint);
    }
    if let Ok(ip) = endpoint.host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, endpoint.port));
    }
    let mut addrs = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|source| Error::Lookup {
            host: endpoint.host.clone(),
            source,
        })?;
    addrs.next().ok_or_else(|| Error::Lookup {
        host: endpoint.host.clone(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no address"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_endpoint() {
        let e = Endpoint::parse("https://Skill.Example.com/alexa?x=1").unwrap();
        assert_eq!(e.host, "skill.example.com");
        assert_eq!(e.port, 443);
        assert_eq!(e.path_and_query, "/alexa?x=1");
        assert_eq!(e.authority(), "skill.example.com");
        let e = Endpoint::parse("https://[::1]:8443/").unwrap();
        assert_eq!(e.host, "::1");
        assert_eq!(e.port, 8443);
        assert_eq!(e.authority(), "[::1]:8443");
    }

    #[test]
    fn refuses_what_alexa_cannot_call() {
        for url in ["http://a.example/x", "not a url", "https://u:p@a.example/"] {
            assert!(
                matches!(Endpoint::parse(url), Err(Error::Url { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn resolve_takes_an_ip_or_a_socket_address() {
        let e = Endpoint::parse("https://skill.example.com/alexa").unwrap();
        assert_eq!(
            parse_resolve("skill.example.com:127.0.0.1", &e).unwrap(),
            "127.0.0.1:443".parse().unwrap()
        );
        assert_eq!(
            parse_resolve("SKILL.example.com:127.0.0.1:8443", &e).unwrap(),
            "127.0.0.1:8443".parse().unwrap()
        );
        assert_eq!(
            parse_resolve("skill.example.com:[::1]:8443", &e).unwrap(),
            "[::1]:8443".parse().unwrap()
        );
        assert_eq!(
            parse_resolve("skill.example.com:::1", &e).unwrap(),
            "[::1]:443".parse().unwrap()
        );
        for bad in [
            "other.example.com:127.0.0.1",
            "skill.example.com",
            "skill.example.com:nope",
        ] {
            assert!(
                matches!(parse_resolve(bad, &e), Err(Error::Resolve { .. })),
                "{bad}"
            );
        }
    }
}
