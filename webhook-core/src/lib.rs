//! Syntax rules shared by the `#[webhook]` macro (which checks literals at compile time) and the
//! `webhook-runtime` crate (which checks configuration and requests at run time).
//!
//! The rules are those of D3 and D21: a `WebHook-Request-Origin` is a host name made of
//! ASCII letters, digits, `-` and `.`, with an optional `:port`, at most 253 bytes; an allow-list
//! entry is such a name, `*`, or `*.` followed by such a name.
//!
//! ```
//! use webhook_core::{OriginPattern, parse_pattern, is_host_origin};
//!
//! assert_eq!(parse_pattern("*.example.com"), Ok(OriginPattern::Subdomains("example.com")));
//! assert!(parse_pattern("https://example.com").is_err());
//! assert!(is_host_origin(b"eventemitter.example.com"));
//! assert!(!is_host_origin(b"evil.example.com\r\nx: y"));
//! ```

use std::fmt;

/// The longest origin (in bytes) accepted in a request or an allow-list (D21).
pub const MAX_ORIGIN_LEN: usize = 253;

/// One entry of an allow-list of origins.
///
/// ```
/// use webhook_core::{OriginPattern, parse_pattern};
///
/// assert_eq!(parse_pattern("*"), Ok(OriginPattern::Any));
/// assert_eq!(parse_pattern("eventemitter.example.com:8443"), Ok(OriginPattern::Exact("eventemitter.example.com:8443")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginPattern<'a> {
    /// `*`: any origin; the consent answers `*` and never reflects the request.
    Any,
    /// A host name (optionally with `:port`), matched ASCII case-insensitively.
    Exact(&'a str),
    /// `*.example.com`, holding `example.com`: matches names with at least one more label.
    Subdomains(&'a str),
}

/// Why a string is not a valid allow-list entry.
///
/// ```
/// use webhook_core::{PatternError, parse_pattern};
///
/// // A URL pasted where a host name belongs: the error names the fix.
/// let error = parse_pattern("https://eventemitter.example.com/hooks").unwrap_err();
/// assert_eq!(error, PatternError::Url { host: "eventemitter.example.com".into() });
/// assert!(error.to_string().contains("write `eventemitter.example.com`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// The entry is the empty string.
    Empty,
    /// The entry is a URL; the suggestion is its host.
    Url {
        /// The host part of the URL, which is what the entry should say.
        host: String,
    },
    /// `*.` with nothing after it.
    BareWildcard,
    /// A `*` anywhere but as the whole entry or its first label.
    MisplacedWildcard,
    /// A character that no host name holds.
    InvalidChar(char),
    /// An empty label (`a..b`, `.a`, `a.`).
    EmptyLabel,
    /// A `:port` that is not 1 to 5 digits.
    InvalidPort,
    /// Longer than [`MAX_ORIGIN_LEN`] bytes.
    TooLong,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Empty => f.write_str("an origin cannot be empty"),
            PatternError::Url { host } => write!(
                f,
                "an origin is a host name, not a URL: write `{host}` (WebHook-Request-Origin carries no scheme or path)"
            ),
            PatternError::BareWildcard => {
                f.write_str("`*.` must be followed by a domain, as in `*.example.com`")
            }
            PatternError::MisplacedWildcard => f.write_str(
                "a wildcard is allowed only as the whole origin (`*`) or as the first label (`*.example.com`)",
            ),
            PatternError::InvalidChar(c) => write!(
                f,
                "{c:?} cannot appear in an origin: use ASCII letters, digits, `-` and `.`, with an optional `:port`"
            ),
            PatternError::EmptyLabel => {
                f.write_str("an origin cannot hold an empty label (`..`, or a leading or trailing `.`)")
            }
            PatternError::InvalidPort => f.write_str("the port of an origin must be 1 to 5 digits"),
            PatternError::TooLong => write!(f, "an origin is at most {MAX_ORIGIN_LEN} bytes long"),
        }
    }
}

impl std::error::Error for PatternError {}

/// Parses one allow-list entry: `*`, `*.domain`, or a host name with an optional `:port`.
///
/// ```
/// use webhook_core::{OriginPattern, PatternError, parse_pattern};
///
/// assert_eq!(parse_pattern("*.example.com"), Ok(OriginPattern::Subdomains("example.com")));
/// assert_eq!(parse_pattern("a.*.example.com"), Err(PatternError::MisplacedWildcard));
/// ```
pub fn parse_pattern(entry: &str) -> Result<OriginPattern<'_>, PatternError> {
    if entry.is_empty() {
        return Err(PatternError::Empty);
    }
    if entry == "*" {
        return Ok(OriginPattern::Any);
    }
    if let Some((scheme, rest)) = entry.split_once("://")
        && !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        return Err(PatternError::Url {
            host: host.to_owned(),
        });
    }
    if entry.len() > MAX_ORIGIN_LEN {
        return Err(PatternError::TooLong);
    }
    let (wildcard, name) = match entry.strip_prefix("*.") {
        Some("") => return Err(PatternError::BareWildcard),
        Some(rest) => (true, rest),
        None => (false, entry),
    };
    check_name(name)?;
    Ok(if wildcard {
        OriginPattern::Subdomains(name)
    } else {
        OriginPattern::Exact(name)
    })
}

fn check_name(name: &str) -> Result<(), PatternError> {
    let (host, port) = match name.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (name, None),
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(PatternError::InvalidPort);
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(if c == '*' {
            PatternError::MisplacedWildcard
        } else {
            PatternError::InvalidChar(c)
        });
    }
    if host.split('.').any(str::is_empty) {
        return Err(PatternError::EmptyLabel);
    }
    Ok(())
}

/// Whether a request's `WebHook-Request-Origin` value has the syntax of D21: non-empty, at most
/// [`MAX_ORIGIN_LEN`] bytes, ASCII letters, digits, `-` and `.`, and an optional `:port` of 1 to 5
/// digits. Only such a value is ever echoed back.
///
/// ```
/// use webhook_core::is_host_origin;
///
/// assert!(is_host_origin(b"eventemitter.example.com:443"));
/// assert!(!is_host_origin(b"https://eventemitter.example.com"));
/// ```
pub fn is_host_origin(value: &[u8]) -> bool {
    if value.is_empty() || value.len() > MAX_ORIGIN_LEN {
        return false;
    }
    let (host, port) = match value.iter().position(|&b| b == b':') {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit));
    port_ok
        && !host.is_empty()
        && host
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Whether `value` is non-empty visible ASCII (`!` to `~`): what an allow-list of `*` consents to
/// when the value is not a host name (D21).
///
/// ```
/// use webhook_core::is_visible_ascii;
///
/// assert!(is_visible_ascii(b"urn:example:emitter"));
/// // A space or a control character could split a header line.
/// assert!(!is_visible_ascii(b"a b"));
/// assert!(!is_visible_ascii(b""));
/// ```
pub fn is_visible_ascii(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(|b| b.is_ascii_graphic())
}

/// Whether `name` is a valid Event Grid event subscription name: 3 to 64 ASCII letters, digits
/// and `-` (compared case-insensitively with `aeg-subscription-name`).
///
/// ```
/// use webhook_core::is_subscription_name;
///
/// assert!(is_subscription_name("orders-to-webhook"));
/// assert!(!is_subscription_name("ab"));
/// assert!(!is_subscription_name("orders_to_webhook"));
/// ```
pub fn is_subscription_name(name: &str) -> bool {
    (3..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d3_patterns_parse() {
        assert_eq!(parse_pattern("*"), Ok(OriginPattern::Any));
        assert_eq!(
            parse_pattern("a.example.com"),
            Ok(OriginPattern::Exact("a.example.com"))
        );
        assert_eq!(
            parse_pattern("a.example.com:8443"),
            Ok(OriginPattern::Exact("a.example.com:8443"))
        );
        assert_eq!(
            parse_pattern("*.example.com"),
            Ok(OriginPattern::Subdomains("example.com"))
        );
    }

    #[test]
    fn d3_bad_patterns_are_refused() {
        assert_eq!(parse_pattern(""), Err(PatternError::Empty));
        assert_eq!(parse_pattern("*."), Err(PatternError::BareWildcard));
        assert_eq!(parse_pattern("a b"), Err(PatternError::InvalidChar(' ')));
        assert_eq!(
            parse_pattern("https://x.com/hook"),
            Err(PatternError::Url {
                host: "x.com".into()
            })
        );
        assert_eq!(
            parse_pattern("a.*.com"),
            Err(PatternError::MisplacedWildcard)
        );
        assert_eq!(
            parse_pattern("**.com"),
            Err(PatternError::MisplacedWildcard)
        );
        assert_eq!(parse_pattern("a..com"), Err(PatternError::EmptyLabel));
        assert_eq!(parse_pattern("a.com:"), Err(PatternError::InvalidPort));
        assert_eq!(parse_pattern(&"a".repeat(254)), Err(PatternError::TooLong));
    }

    #[test]
    fn subscription_names() {
        assert!(is_subscription_name("quickstart"));
        assert!(is_subscription_name("Orders-2"));
        assert!(!is_subscription_name("ab"));
        assert!(!is_subscription_name("my_sub"));
        assert!(!is_subscription_name(&"a".repeat(65)));
    }

    #[test]
    fn d21_request_origin_syntax() {
        assert!(is_host_origin(b"eventgrid.azure.net"));
        assert!(is_host_origin(b"localhost:8080"));
        assert!(!is_host_origin(b""));
        assert!(!is_host_origin(b"https://x.com"));
        assert!(!is_host_origin(b"a b"));
        assert!(!is_host_origin("caf\u{e9}.com".as_bytes()));
        assert!(!is_host_origin(b"x.com:"));
        assert!(is_host_origin("a".repeat(253).as_bytes()));
        assert!(!is_host_origin("a".repeat(254).as_bytes()));
        assert!(is_visible_ascii(b"https://x.com"));
        assert!(!is_visible_ascii(b"a b"));
        assert!(!is_visible_ascii(b""));
    }
}
