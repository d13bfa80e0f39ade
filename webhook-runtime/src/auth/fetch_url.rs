//! The rule for URLs that credential material is fetched from: an issuer's keys (feature `jwt`)
//! and the testing kit's OAuth2 tokens (feature `testing`).
//!
//! Such a URL is https. Plain http is allowed only to a loopback host, where tests run their
//! issuers: anywhere else a key set or a token fetched in the clear could be swapped or read on
//! the way.

use std::fmt;

/// Why a URL may not be fetched from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchUrlError {
    /// It does not parse as a URL (the parser's reason).
    NotAUrl(String),
    /// Neither https nor http to a loopback host.
    NotSecure,
}

impl fmt::Display for FetchUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl(reason) => write!(f, "not a URL: {reason}"),
            Self::NotSecure => f.write_str("neither https nor plain http to a loopback host"),
        }
    }
}

/// The URL parsed, when it is https or http to a loopback host.
pub(crate) fn https_or_loopback(url: &str) -> Result<reqwest::Url, FetchUrlError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| FetchUrlError::NotAUrl(e.to_string()))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        _ => Err(FetchUrlError::NotSecure),
    }
}

/// Whether the URL's host is `localhost` or a loopback address (IPv4 or IPv6).
fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_loopback() {
        for ok in [
            "https://login.microsoftonline.com/t/v2.0",
            "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
            "http://127.0.0.1:8080/jwks",
            "http://127.1.2.3/token",
            "http://[::1]:9/jwks",
            "http://localhost/x",
            "http://LOCALHOST:1/x",
        ] {
            assert!(https_or_loopback(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://issuer.example.com",
            "http://10.0.0.1/jwks",
            "http://localhost.example.com/token",
            "ftp://x",
        ] {
            assert_eq!(
                https_or_loopback(refused),
                Err(FetchUrlError::NotSecure),
                "{refused}"
            );
        }
        assert!(matches!(
            https_or_loopback("not a url"),
            Err(FetchUrlError::NotAUrl(_))
        ));
    }
}
