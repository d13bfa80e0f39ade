//! Allow-lists of origins and the matching rules of D3 and D21.

use std::fmt;

use webhook_core::{OriginPattern, PatternError, is_host_origin, is_visible_ascii, parse_pattern};

/// The origins a route consents to in the OPTIONS handshake.
///
/// Entries are host names (`eventemitter.example.com`, optionally with `:port`), compared ASCII
/// case-insensitively; `*.example.com`, which matches names with at least one more whole label
/// (`a.example.com`, never `example.com` nor `xexample.com`); or `*`, which consents to anyone and
/// answers `WebHook-Allowed-Origin: *` without reflecting the request. Prefixes never match.
///
/// ```
/// use webhook_runtime::{AllowedOrigins, OriginGrant};
///
/// let origins = AllowedOrigins::parse(["eventemitter.example.com", "*.example.org"]).unwrap();
/// assert_eq!(origins.grant(b"EventEmitter.example.com"), Some(OriginGrant::Echo));
/// assert_eq!(origins.grant(b"a.b.example.org"), Some(OriginGrant::Echo));
/// assert_eq!(origins.grant(b"eventemitter.example.com.attacker.tld"), None);
/// assert_eq!(origins.grant(b"example.org"), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    any: bool,
    /// Lower-cased exact names.
    exact: Box<[Box<str>]>,
    /// Lower-cased suffixes, each starting with `.`.
    suffixes: Box<[Box<str>]>,
}

/// How a granted origin is answered in `WebHook-Allowed-Origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginGrant {
    /// Echo the request's own `WebHook-Request-Origin` bytes.
    Echo,
    /// Answer `*` (the allow-list is `*`).
    Wildcard,
}

/// An allow-list entry that is not an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginError {
    entry: String,
    error: PatternError,
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid origin {:?}: {}", self.entry, self.error)
    }
}

impl std::error::Error for OriginError {}

impl AllowedOrigins {
    /// An empty allow-list: every handshake is refused.
    pub fn none() -> Self {
        Self::default()
    }

    /// `*`: every handshake is granted with `WebHook-Allowed-Origin: *`.
    pub fn any() -> Self {
        Self {
            any: true,
            ..Self::default()
        }
    }

    /// Parses allow-list entries; fails on the first that is not `*`, `*.domain` or a host name.
    pub fn parse<I>(entries: I) -> Result<Self, OriginError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut any = false;
        let mut exact = Vec::new();
        let mut suffixes = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            match parse_pattern(entry) {
                Ok(OriginPattern::Any) => any = true,
                Ok(OriginPattern::Exact(name)) => exact.push(name.to_ascii_lowercase().into()),
                Ok(OriginPattern::Subdomains(domain)) => {
                    suffixes.push(format!(".{}", domain.to_ascii_lowercase()).into())
                }
                Err(error) => {
                    return Err(OriginError {
                        entry: entry.to_owned(),
                        error,
                    });
                }
            }
        }
        Ok(Self {
            any,
            exact: exact.into(),
            suffixes: suffixes.into(),
        })
    }

    /// Whether the list consents to everyone (`*`).
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// Whether the list consents to no one.
    pub fn is_empty(&self) -> bool {
        !self.any && self.exact.is_empty() && self.suffixes.is_empty()
    }

    /// Decides whether `request_origin` (the raw bytes of `WebHook-Request-Origin`) is allowed.
    ///
    /// A value that is not a host name (D21) is refused unless the list is `*`, and even then
    /// it is answered with `*`, never echoed.
    pub fn grant(&self, request_origin: &[u8]) -> Option<OriginGrant> {
        if self.any {
            return is_visible_ascii(request_origin).then_some(OriginGrant::Wildcard);
        }
        // An exact entry is a host name (checked when parsed), so a value equal to one, ASCII
        // case aside, has the syntax of D21: the syntax check is needed only for the suffixes.
        if self
            .exact
            .iter()
            .any(|name| name.as_bytes().eq_ignore_ascii_case(request_origin))
        {
            return Some(OriginGrant::Echo);
        }
        if !is_host_origin(request_origin) {
            return None;
        }
        self.suffixes
            .iter()
            .any(|suffix| {
                let suffix = suffix.as_bytes();
                request_origin.len() > suffix.len() && {
                    let (labels, tail) =
                        request_origin.split_at(request_origin.len() - suffix.len());
                    tail.eq_ignore_ascii_case(suffix)
                        && labels.split(|&b| b == b'.').all(|l| !l.is_empty())
                }
            })
            .then_some(OriginGrant::Echo)
    }
}

impl fmt::Debug for AllowedOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        if self.any {
            list.entry(&"*");
        }
        list.entries(self.exact.iter());
        list.entries(self.suffixes.iter().map(|s| format!("*{s}")));
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowedOrigins {
        AllowedOrigins::parse(entries).unwrap()
    }

    #[test]
    fn d3_exact_is_case_insensitive() {
        let l = list(&["EventEmitter.Example.com"]);
        assert_eq!(
            l.grant(b"eventemitter.example.com"),
            Some(OriginGrant::Echo)
        );
        assert_eq!(
            l.grant(b"EVENTEMITTER.EXAMPLE.COM"),
            Some(OriginGrant::Echo)
        );
    }

    #[test]
    fn d3_no_prefix_or_suffix_tricks() {
        let l = list(&["trusted.example.com"]);
        for bad in [
            &b"trusted.example.com.attacker.tld"[..],
            b"trusted.example.co",
            b"xtrusted.example.com",
            b"a.trusted.example.com",
            b"trusted.example.com:443",
            b"trusted.example.com.",
        ] {
            assert_eq!(l.grant(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn d3_wildcard_needs_a_whole_label() {
        let l = list(&["*.example.com"]);
        assert_eq!(l.grant(b"a.example.com"), Some(OriginGrant::Echo));
        assert_eq!(l.grant(b"a.b.Example.COM"), Some(OriginGrant::Echo));
        assert_eq!(l.grant(b"example.com"), None);
        assert_eq!(l.grant(b"xexample.com"), None);
        assert_eq!(l.grant(b".example.com"), None);
        assert_eq!(l.grant(b"a..example.com"), None);
        assert_eq!(l.grant(b"example.com.evil.tld"), None);
    }

    #[test]
    fn d21_star_answers_star_for_visible_ascii_only() {
        let l = list(&["*"]);
        assert_eq!(l.grant(b"anything.example"), Some(OriginGrant::Wildcard));
        assert_eq!(
            l.grant(b"https://sender.example/x"),
            Some(OriginGrant::Wildcard)
        );
        assert_eq!(l.grant(b""), None);
        assert_eq!(l.grant(b"a b"), None);
    }

    #[test]
    fn d21_non_host_values_are_refused() {
        let l = list(&["*.example.com"]);
        assert_eq!(l.grant(b"a.example.com\r\nx"), None);
        assert_eq!(l.grant("\u{e9}.example.com".as_bytes()), None);
    }

    /// `grant` skips the syntax check when an exact entry matches: it must answer as if the
    /// check ran first, for values that differ from an entry only in case or in a byte.
    #[test]
    fn d21_exact_match_answers_as_the_syntax_check_would() {
        let entries = ["a.example.com", "host-1.example.com:8080", "localhost"];
        let l = list(&entries);
        let mut values: Vec<Vec<u8>> = Vec::new();
        for entry in entries {
            let bytes = entry.as_bytes();
            values.push(bytes.to_ascii_uppercase());
            for i in 0..bytes.len() {
                for b in [0, b' ', b'*', b'_', 0x80, 0xC3, 0xFF, bytes[i] ^ 0x20] {
                    let mut v = bytes.to_vec();
                    v[i] = b;
                    values.push(v);
                }
            }
        }
        for v in values {
            let expected = (is_host_origin(&v)
                && entries
                    .iter()
                    .any(|e| e.as_bytes().eq_ignore_ascii_case(&v)))
            .then_some(OriginGrant::Echo);
            assert_eq!(l.grant(&v), expected, "{}", String::from_utf8_lossy(&v));
        }
    }

    #[test]
    fn empty_list_refuses_everyone() {
        assert!(AllowedOrigins::none().is_empty());
        assert_eq!(AllowedOrigins::none().grant(b"a.example.com"), None);
    }
}
