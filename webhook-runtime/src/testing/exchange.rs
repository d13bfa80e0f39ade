//! What a simulated sender sent and what it got back, printable with secrets redacted.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// The placeholder that stands for a secret in printed requests.
const REDACTED: &str = "<redacted>";

/// How many bytes of a body [`SentRequest`] and [`ReceivedAnswer`] print.
const PRINTED_BODY: usize = 2048;

/// A request as a simulated sender sent it.
///
/// Its `Debug` and `Display` never show a secret: credential headers are marked sensitive, and
/// [`Display`](fmt::Display) also redacts the `access_token` query parameter and a password in
/// the URL (D15).
///
/// ```
/// use bytes::Bytes;
/// use http::{HeaderMap, Method};
/// use webhook_runtime::testing::SentRequest;
///
/// let request = SentRequest {
///     method: Method::POST,
///     url: "/orders?access_token=s3cret".into(),
///     headers: HeaderMap::new(),
///     body: Bytes::new(),
/// };
/// // Safe to print in a failing test's message.
/// assert!(!request.to_string().contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// The method: `OPTIONS` for a handshake, `POST` for everything else.
    pub method: Method,
    /// The URL (a path for a [`Target::router`](super::Target::router)), as sent.
    pub url: String,
    /// The headers the sender set (a URL target's HTTP client adds `Host`, `Content-Length`
    /// and the like on the wire).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl SentRequest {
    /// The URL with the `access_token` query parameter and any password replaced by
    /// `<redacted>`.
    ///
    /// ```
    /// # use bytes::Bytes;
    /// # use http::{HeaderMap, Method};
    /// use webhook_runtime::testing::SentRequest;
    ///
    /// let request = SentRequest {
    ///     method: Method::POST,
    ///     url: "/orders?access_token=s3cret".into(),
    ///     headers: HeaderMap::new(),
    ///     body: Bytes::new(),
    /// };
    /// assert_eq!(request.redacted_url(), "/orders?access_token=<redacted>");
    /// ```
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// The headers in order, with the values of credential headers (`Authorization` keeps its
    /// scheme) replaced by `<redacted>`.
    ///
    /// ```
    /// use http::{HeaderMap, Method, header::AUTHORIZATION};
    /// use webhook_runtime::testing::SentRequest;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    /// let request = SentRequest { method: Method::OPTIONS, url: "/orders".into(), headers, body: Default::default() };
    /// let (name, value) = &request.redacted_headers()[0];
    /// assert_eq!((name.as_str(), value.as_str()), ("authorization", "Bearer <redacted>"));
    /// ```
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        redacted_headers(&self.headers)
    }
}

impl fmt::Display for SentRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.redacted_url())?;
        for (name, value) in self.redacted_headers() {
            writeln!(f, "{name}: {value}")?;
        }
        write_body(f, &self.body)
    }
}

/// An HTTP answer as the simulated sender received it.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use webhook_runtime::testing::ReceivedAnswer;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "30".parse().unwrap());
/// let answer = ReceivedAnswer { status: StatusCode::SERVICE_UNAVAILABLE, headers, body: Default::default() };
/// assert_eq!(answer.header("Retry-After"), Some("30"));
/// ```
#[derive(Debug, Clone)]
pub struct ReceivedAnswer {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (at most the first MiB of it).
    pub body: Bytes,
}

impl ReceivedAnswer {
    /// The first value of a header as text, when it is visible ASCII.
    ///
    /// ```
    /// use http::{HeaderMap, StatusCode};
    /// use webhook_runtime::testing::ReceivedAnswer;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("webhook-allowed-rate", "120".parse().unwrap());
    /// let answer = ReceivedAnswer { status: StatusCode::OK, headers, body: Default::default() };
    /// assert_eq!(answer.header("webhook-allowed-rate"), Some("120"));
    /// assert_eq!(answer.header("webhook-allowed-origin"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The headers in order, with secrets (`Set-Cookie` and the like) redacted.
    ///
    /// ```
    /// use http::{HeaderMap, StatusCode};
    /// use webhook_runtime::testing::ReceivedAnswer;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("set-cookie", "session=s3cret".parse().unwrap());
    /// let answer = ReceivedAnswer { status: StatusCode::OK, headers, body: Default::default() };
    /// assert!(!format!("{:?}", answer.redacted_headers()).contains("s3cret"));
    /// ```
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        redacted_headers(&self.headers)
    }
}

impl fmt::Display for ReceivedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", status_line(self.status))?;
        for (name, value) in self.redacted_headers() {
            writeln!(f, "{name}: {value}")?;
        }
        write_body(f, &self.body)
    }
}

/// Why no answer came.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::testing::{Failure, TransportError};
///
/// // A handshake without an answer fails the same way.
/// let error = TransportError::Timeout(Duration::from_secs(30));
/// assert_eq!(Failure::from(error), Failure::Timeout(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No complete answer within the target's timeout.
    Timeout(Duration),
    /// The request could not be made or the answer could not be read (connection refused, TLS
    /// failure, a body that broke off).
    Unreachable(String),
    /// The request was not sent: the sender could not get the access token it needed from its
    /// token endpoint ([`ClientCredentials`](super::ClientCredentials)).
    Token(TokenError),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Timeout(limit) => {
                write!(f, "no answer within {}", seconds(*limit))
            }
            TransportError::Unreachable(reason) => write!(f, "no answer: {reason}"),
            TransportError::Token(error) => write!(f, "not sent: {error}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// Why a sender using OAuth2 client credentials has no access token to send. The messages name
/// the token endpoint (scheme, host and path only) and never a secret.
///
/// ```
/// use webhook_runtime::testing::{Authorization, TokenError};
///
/// let error = Authorization::client_credentials("http://auth.example.com/oauth/token", "id", "s3cret").unwrap_err();
/// assert!(matches!(error, TokenError::InvalidUrl { .. }));
/// assert!(!error.to_string().contains("s3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token URL is not a URL, or neither https nor plain http to a loopback host.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer from the token endpoint: connection refused, TLS failure, a body that broke
    /// off.
    Unreachable {
        /// The token endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// No whole answer from the token endpoint within the target's timeout.
    Timeout {
        /// The token endpoint.
        endpoint: String,
        /// The time limit.
        limit: Duration,
    },
    /// The token endpoint answered with a status other than 2xx (wrong client credentials,
    /// wrong URL, an unknown scope...).
    Refused {
        /// The token endpoint.
        endpoint: String,
        /// The answer's status.
        status: StatusCode,
        /// The OAuth2 `error` code of the answer (`invalid_client`, `invalid_scope`...), when
        /// it has one.
        error: Option<String>,
    },
    /// A 2xx answer without a usable `access_token`.
    NoAccessToken {
        /// The token endpoint.
        endpoint: String,
        /// What was wrong with the answer.
        reason: String,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::InvalidUrl { url, reason } => {
                write!(f, "token URL {url:?} cannot be used: {reason}")
            }
            TokenError::Unreachable { endpoint, reason } => {
                write!(f, "token endpoint {endpoint} unreachable: {reason}")
            }
            TokenError::Timeout { endpoint, limit } => write!(
                f,
                "token endpoint {endpoint}: no answer within {}",
                seconds(*limit)
            ),
            TokenError::Refused {
                endpoint,
                status,
                error,
            } => {
                write!(
                    f,
                    "token endpoint {endpoint} answered {}",
                    status_line(*status)
                )?;
                if let Some(error) = error {
                    write!(f, " ({error})")?;
                }
                f.write_str(" instead of an access token")
            }
            TokenError::NoAccessToken { endpoint, reason } => {
                write!(
                    f,
                    "token endpoint {endpoint} gave no access token: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// One request and its answer (or why there was none).
///
/// ```
/// use http::{Method, StatusCode};
/// use webhook_runtime::testing::{Exchange, ReceivedAnswer, SentRequest, TransportError};
///
/// let request = SentRequest { method: Method::OPTIONS, url: "/orders".into(), headers: Default::default(), body: Default::default() };
/// let answer = ReceivedAnswer { status: StatusCode::OK, headers: Default::default(), body: Default::default() };
/// let exchange = Exchange { request, answer: Ok(answer) };
/// assert_eq!(exchange.status(), Some(StatusCode::OK));
/// ```
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What was sent.
    pub request: SentRequest,
    /// What came back.
    pub answer: Result<ReceivedAnswer, TransportError>,
}

impl Exchange {
    /// The answer's status, when an answer came.
    ///
    /// ```
    /// use http::Method;
    /// use webhook_runtime::testing::{Exchange, SentRequest, TransportError};
    ///
    /// let request = SentRequest { method: Method::POST, url: "/orders".into(), headers: Default::default(), body: Default::default() };
    /// let exchange = Exchange { request, answer: Err(TransportError::Unreachable("connection refused".into())) };
    /// assert_eq!(exchange.status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.answer.as_ref().ok().map(|answer| answer.status)
    }
}

/// `200 OK`, `418` (a code without a reason phrase).
pub(crate) fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// A duration as seconds, e.g. `0.2 s`.
pub(crate) fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

fn write_body(f: &mut fmt::Formatter<'_>, body: &[u8]) -> fmt::Result {
    if body.is_empty() {
        return Ok(());
    }
    let shown = &body[..body.len().min(PRINTED_BODY)];
    writeln!(f)?;
    let text = String::from_utf8_lossy(shown);
    write!(f, "{}", text.strip_suffix('\n').unwrap_or(&text))?;
    if shown.len() < body.len() {
        write!(f, "… ({} bytes in all)", body.len())?;
    }
    writeln!(f)
}

/// Whether a header carries a secret by its name alone.
fn is_secret_name(name: &HeaderName) -> bool {
    let name = name.as_str();
    matches!(
        name,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || ["token", "secret", "password", "key", "signature"]
        .iter()
        .any(|word| name.contains(word))
}

fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), redact_value(name, value)))
        .collect()
}

fn redact_value(name: &HeaderName, value: &HeaderValue) -> String {
    if !value.is_sensitive() && !is_secret_name(name) {
        return String::from_utf8_lossy(value.as_bytes()).into_owned();
    }
    if name == http::header::AUTHORIZATION || name == http::header::PROXY_AUTHORIZATION {
        // The scheme tells which credential was used, and is not a secret.
        if let Some((scheme, _)) = std::str::from_utf8(value.as_bytes())
            .ok()
            .and_then(|v| v.split_once(' '))
        {
            return format!("{scheme} {REDACTED}");
        }
    }
    REDACTED.to_owned()
}

/// Replaces the password of the URL's user information and every `access_token` query
/// parameter's value with `<redacted>`.
pub(crate) fn redact_url(url: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let (before_query, query) = match before_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (before_fragment, None),
    };
    let mut out = redact_password(before_query);
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("access_token") => {
                    format!("{name}={REDACTED}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether the URL's query carries an `access_token` parameter (CloudEvents §3.2).
pub(crate) fn has_access_token(url: &str) -> bool {
    let before_fragment = url.split('#').next().unwrap_or_default();
    before_fragment.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|pair| {
            pair.split('=')
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case("access_token"))
        })
    })
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let password = if userinfo.contains(':') {
                format!(":{REDACTED}")
            } else {
                String::new()
            };
            format!("{scheme}://{user}{password}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d15_access_token_and_password_are_redacted() {
        assert_eq!(
            redact_url("https://u:pw@h.example/p?a=1&access_token=s3cret&b=2#f"),
            "https://u:<redacted>@h.example/p?a=1&access_token=<redacted>&b=2#f"
        );
        assert_eq!(
            redact_url("/hooks?ACCESS_TOKEN=x"),
            "/hooks?ACCESS_TOKEN=<redacted>"
        );
        assert_eq!(
            redact_url("http://h.example/p?q=1"),
            "http://h.example/p?q=1"
        );
        assert!(has_access_token("/p?q=1&access_token=x"));
        assert!(!has_access_token("/p?q=access_token#access_token=x"));
    }

    #[test]
    fn credential_headers_are_redacted() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Basic dTpw"));
        headers.insert("x-api-key", HeaderValue::from_static("k-1"));
        headers.insert("webhook-request-origin", HeaderValue::from_static("a.b"));
        let shown = redacted_headers(&headers);
        assert_eq!(
            shown,
            [
                ("authorization".to_owned(), "Basic <redacted>".to_owned()),
                ("x-api-key".to_owned(), "<redacted>".to_owned()),
                ("webhook-request-origin".to_owned(), "a.b".to_owned()),
            ]
        );
    }

    #[test]
    fn a_bearer_token_is_redacted_whether_or_not_marked_sensitive() {
        let mut sensitive = HeaderValue::from_static("Bearer eyJ.secret.sig");
        sensitive.set_sensitive(true);
        for value in [HeaderValue::from_static("Bearer eyJ.secret.sig"), sensitive] {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", value);
            let request = SentRequest {
                method: Method::POST,
                url: "/hook".to_owned(),
                headers,
                body: Bytes::new(),
            };
            assert_eq!(
                request.redacted_headers(),
                [("authorization".to_owned(), "Bearer <redacted>".to_owned())]
            );
            assert!(!request.to_string().contains("eyJ"), "{request}");
        }
    }
}
