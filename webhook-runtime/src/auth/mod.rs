//! Authentication of webhook requests, handshakes included (protocol.md §7, D1, D15, D20).
//!
//! [`Credentials`] holds any number of accepted credentials at once (for rotation): HTTP Basic
//! (SAP Event Mesh "Basic"), Bearer tokens (CloudEvents §3, SAP OAuth2 client-credentials
//! tokens) also accepted as the `access_token` query parameter, and named API-key headers (SAP
//! "API Key", Event Grid custom delivery headers). Secrets are compared in constant time and never
//! shown by `Debug`. A request that fails gets 401 with a plain reason and no challenge header.
//!
//! Bearer JWTs (SAP Event Mesh OAuth2 tokens, Entra ID tokens of Event Grid) are verified by
//! `auth::jwt` (feature `jwt`, D24). For any other scheme implement [`Authenticate`]. Which of these
//! the OPTIONS handshake requires is the route's [`HandshakeAuth`] (D26).
//!
//! ```
//! use webhook_runtime::auth::Credentials;
//!
//! let credentials = Credentials::new()
//!     .basic("eventmesh", "s3cret")
//!     .bearer("token-2025")
//!     .bearer("token-2026")              // rotation: both accepted
//!     .api_key("x-api-key", "k-1").unwrap();
//! assert_eq!(format!("{credentials:?}"), "Credentials { basic: 1, bearer: 2, api_keys: 1 }");
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use base64::Engine as _;
use http::request::Parts;
use http::{HeaderMap, HeaderName, header};
use subtle::ConstantTimeEq;

#[cfg(any(feature = "jwt", feature = "testing"))]
pub(crate) mod fetch_url;
#[cfg(feature = "jwt")]
pub mod jwt;

/// A secret: compared in constant time, never printed.
#[derive(Clone)]
struct Secret(Box<[u8]>);

impl Secret {
    fn new(value: impl AsRef<[u8]>) -> Self {
        Self(value.as_ref().into())
    }

    /// Constant-time equality (the length is not hidden, which standard practice accepts).
    fn matches(&self, candidate: &[u8]) -> bool {
        bool::from(self.0.as_ref().ct_eq(candidate))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a request proved who it is; `QueryToken` makes the answer `Cache-Control: private` (D15).
///
/// ```
/// use webhook_runtime::auth::{Authenticated, Credentials};
///
/// let credentials = Credentials::new().bearer("t0ken");
/// let by_query = credentials.check(&http::HeaderMap::new(), Some("access_token=t0ken"));
/// assert_eq!(by_query, Some(Authenticated::QueryToken));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticated {
    /// By a header (`Authorization` or an API-key header), or by a custom [`Authenticate`].
    Header,
    /// By the `access_token` query parameter.
    QueryToken,
}

/// What an authentication check concluded (D25): the answers a refused request gets.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::auth::AuthVerdict;
///
/// // A key server that did not answer: the sender should retry, not drop the events.
/// fn verdict(keys: Option<&[&str]>, kid: &str) -> AuthVerdict {
///     match keys {
///         None => AuthVerdict::Unavailable { retry_after: Duration::from_secs(10) },
///         Some(keys) => keys.contains(&kid).into(),
///     }
/// }
/// assert_eq!(verdict(Some(&["k1"]), "k1"), AuthVerdict::Accepted);
/// assert_eq!(verdict(Some(&["k1"]), "k2"), AuthVerdict::Unauthenticated);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVerdict {
    /// The request is authenticated.
    Accepted,
    /// No credentials, or credentials that do not prove anything: 401, without a challenge.
    Unauthenticated,
    /// Valid credentials that lack a required scope or role, or name another caller: 403.
    Forbidden,
    /// The check could not be made now (a key server is unreachable, say): 503 with
    /// `Retry-After` in whole seconds. Never 401 for this: Event Grid does not retry a 401, so the
    /// events would be lost.
    Unavailable {
        /// When the sender should try again.
        retry_after: std::time::Duration,
    },
}

impl From<bool> for AuthVerdict {
    /// `true` accepts, `false` is [`AuthVerdict::Unauthenticated`].
    fn from(accepted: bool) -> Self {
        if accepted {
            Self::Accepted
        } else {
            Self::Unauthenticated
        }
    }
}

/// An authentication check of one's own, e.g. a signature a gateway adds.
///
/// ```
/// use std::{future::Future, pin::Pin};
/// use http::request::Parts;
/// use webhook_runtime::auth::{AuthVerdict, Authenticate};
///
/// struct FromGateway;
///
/// impl Authenticate for FromGateway {
///     fn authenticate<'a>(
///         &'a self,
///         request: &'a Parts,
///     ) -> Pin<Box<dyn Future<Output = AuthVerdict> + Send + 'a>> {
///         Box::pin(async move { request.headers.contains_key("x-verified-by-gateway").into() })
///     }
/// }
/// ```
pub trait Authenticate: Send + Sync + 'static {
    /// Whether the request is authenticated, and if not, what it is answered ([`AuthVerdict`];
    /// a `bool` converts with `.into()`). Read what you need from `request`; do not log secrets.
    ///
    /// ```
    /// use std::{future::Future, pin::Pin};
    /// use http::request::Parts;
    /// use webhook_runtime::auth::{AuthVerdict, Authenticate};
    ///
    /// struct Nobody;
    ///
    /// impl Authenticate for Nobody {
    ///     fn authenticate<'a>(&'a self, _: &'a Parts) -> Pin<Box<dyn Future<Output = AuthVerdict> + Send + 'a>> {
    ///         Box::pin(async { AuthVerdict::Forbidden })
    ///     }
    /// }
    ///
    /// let (request, ()) = http::Request::new(()).into_parts();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(Nobody.authenticate(&request).await, AuthVerdict::Forbidden);
    /// # });
    /// ```
    fn authenticate<'a>(
        &'a self,
        request: &'a Parts,
    ) -> Pin<Box<dyn Future<Output = AuthVerdict> + Send + 'a>>;
}

/// How a route authenticates the OPTIONS handshake (D26); deliveries always need credentials
/// when the route has any.
///
/// The default follows the route's [`Sender`](crate::Sender): SAP Event Mesh and CloudEvents
/// senders put their credentials on the handshake, so they are [`Required`](Self::Required);
/// whether Event Grid sends its Entra ID token on the CloudEvents-schema handshake is not
/// documented, so for [`Sender::EventGrid`](crate::Sender::EventGrid) they are
/// [`CheckedWhenPresent`](Self::CheckedWhenPresent).
///
/// ```
/// use webhook_runtime::auth::HandshakeAuth;
///
/// let auth: HandshakeAuth = "when_present".parse().unwrap();
/// assert_eq!(auth, HandshakeAuth::CheckedWhenPresent);
/// assert!("sometimes".parse::<HandshakeAuth>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeAuth {
    /// The handshake must carry accepted credentials (401 otherwise).
    Required,
    /// Credentials on the handshake (an `Authorization` header, an `access_token` query
    /// parameter or a configured API-key header) are verified and refused when they fail; a
    /// handshake without any passes.
    CheckedWhenPresent,
    /// The handshake is answered without looking at credentials.
    NotChecked,
}

impl HandshakeAuth {
    /// The name used in the environment: `required`, `when_present` or `not_checked`.
    ///
    /// ```
    /// use webhook_runtime::auth::HandshakeAuth;
    ///
    /// assert_eq!(HandshakeAuth::NotChecked.as_str(), "not_checked");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::CheckedWhenPresent => "when_present",
            Self::NotChecked => "not_checked",
        }
    }
}

impl std::str::FromStr for HandshakeAuth {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "required" => Ok(Self::Required),
            "when_present" => Ok(Self::CheckedWhenPresent),
            "not_checked" => Ok(Self::NotChecked),
            _ => Err("expected `required`, `when_present` or `not_checked`".to_owned()),
        }
    }
}

/// The accepted credentials of a route; any one of them authenticates a request.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use webhook_runtime::auth::{Authenticated, Credentials};
///
/// let credentials = Credentials::new().api_key("x-api-key", "k-1").unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("x-api-key", HeaderValue::from_static("k-1"));
/// assert_eq!(credentials.check(&headers, None), Some(Authenticated::Header));
/// ```
#[derive(Clone, Default)]
pub struct Credentials {
    basic: Vec<(Secret, Secret)>,
    bearer: Vec<Secret>,
    api_keys: Vec<(HeaderName, Secret)>,
}

/// An API-key header name that is not a valid header name.
///
/// ```
/// use webhook_runtime::auth::Credentials;
///
/// let error = Credentials::new().api_key("x api key", "k-1").unwrap_err();
/// assert_eq!(error.to_string(), r#""x api key" is not a valid header name"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeaderName(String);

impl fmt::Display for InvalidHeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a valid header name", self.0)
    }
}

impl std::error::Error for InvalidHeaderName {}

impl Credentials {
    /// No credentials: nothing is accepted until some are added.
    ///
    /// ```
    /// use webhook_runtime::auth::Credentials;
    ///
    /// let none = Credentials::new();
    /// assert!(none.is_empty());
    /// assert_eq!(none.check(&http::HeaderMap::new(), None), None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts HTTP Basic with this user and password.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
    /// use webhook_runtime::auth::Credentials;
    ///
    /// let credentials = Credentials::new().basic("eventmesh", "s3cret");
    /// let mut headers = HeaderMap::new();
    /// // base64 of "eventmesh:s3cret"
    /// headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic ZXZlbnRtZXNoOnMzY3JldA=="));
    /// assert!(credentials.check(&headers, None).is_some());
    /// ```
    pub fn basic(mut self, user: impl AsRef<[u8]>, password: impl AsRef<[u8]>) -> Self {
        self.basic.push((Secret::new(user), Secret::new(password)));
        self
    }

    /// Accepts `Authorization: Bearer <token>` and the `access_token` query parameter.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
    /// use webhook_runtime::auth::Credentials;
    ///
    /// let credentials = Credentials::new().bearer("token-2026");
    /// let mut headers = HeaderMap::new();
    /// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer token-2026"));
    /// assert!(credentials.check(&headers, None).is_some());
    /// ```
    pub fn bearer(mut self, token: impl AsRef<[u8]>) -> Self {
        self.bearer.push(Secret::new(token));
        self
    }

    /// Accepts the header `name` with this value.
    ///
    /// ```
    /// use webhook_runtime::auth::Credentials;
    ///
    /// // An Event Grid subscription's custom delivery header.
    /// let credentials = Credentials::new().api_key("x-grid-key", "k-1").unwrap();
    /// assert!(!credentials.is_empty());
    /// ```
    pub fn api_key(
        mut self,
        name: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<Self, InvalidHeaderName> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidHeaderName(name.to_owned()))?;
        self.api_keys.push((name, Secret::new(value)));
        Ok(self)
    }

    /// Whether no credential is configured.
    ///
    /// ```
    /// use webhook_runtime::auth::Credentials;
    ///
    /// assert!(Credentials::new().is_empty());
    /// assert!(!Credentials::new().bearer("t").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.basic.is_empty() && self.bearer.is_empty() && self.api_keys.is_empty()
    }

    /// Whether a request carries any credential material this route could check: an
    /// `Authorization` header, an `access_token` query parameter or a configured API-key header
    /// (for [`HandshakeAuth::CheckedWhenPresent`]).
    pub(crate) fn presented(&self, headers: &HeaderMap, query: Option<&str>) -> bool {
        headers.contains_key(header::AUTHORIZATION)
            || has_access_token(query)
            || self
                .api_keys
                .iter()
                .any(|(name, _)| headers.contains_key(name))
    }

    /// Checks a request's headers and query. Every configured credential is compared, so the
    /// time taken does not tell which one came close.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
    /// use webhook_runtime::auth::{Authenticated, Credentials};
    ///
    /// let credentials = Credentials::new().bearer("good");
    /// let mut headers = HeaderMap::new();
    /// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer bad"));
    /// assert_eq!(credentials.check(&headers, None), None);
    /// assert_eq!(credentials.check(&headers, Some("access_token=good")), Some(Authenticated::QueryToken));
    /// ```
    pub fn check(&self, headers: &HeaderMap, query: Option<&str>) -> Option<Authenticated> {
        let mut by_header = false;
        let authorization = single(headers, &header::AUTHORIZATION);
        if let Some((user, password)) = authorization.and_then(basic_pair) {
            for (u, p) in &self.basic {
                by_header |= u.matches(&user) & p.matches(&password);
            }
        }
        if let Some(token) = authorization.and_then(|a| strip_scheme(a, b"bearer")) {
            let token = trim(token);
            for t in &self.bearer {
                by_header |= t.matches(token);
            }
        }
        for (name, value) in &self.api_keys {
            if let Some(sent) = single(headers, name) {
                by_header |= value.matches(sent);
            }
        }
        if by_header {
            return Some(Authenticated::Header);
        }
        let token = query.and_then(access_token)?;
        let mut by_query = false;
        for t in &self.bearer {
            by_query |= t.matches(token.as_bytes());
        }
        by_query.then_some(Authenticated::QueryToken)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("basic", &self.basic.len())
            .field("bearer", &self.bearer.len())
            .field("api_keys", &self.api_keys.len())
            .finish()
    }
}

/// The bearer token of a request: `Authorization: Bearer <token>` (sent once), else the
/// `access_token` query parameter (D15), with how it came.
#[cfg(feature = "jwt")]
pub(crate) fn bearer_token<'a>(
    headers: &'a HeaderMap,
    query: Option<&str>,
) -> Option<(std::borrow::Cow<'a, str>, Authenticated)> {
    if let Some(authorization) = single(headers, &header::AUTHORIZATION) {
        let token = trim(strip_scheme(authorization, b"bearer")?);
        return std::str::from_utf8(token)
            .ok()
            .map(|t| (std::borrow::Cow::Borrowed(t), Authenticated::Header));
    }
    let token = query.and_then(access_token)?;
    Some((std::borrow::Cow::Owned(token), Authenticated::QueryToken))
}

/// The value of a header sent exactly once (a repeated credential header is refused).
fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a [u8]> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    values.next().is_none().then_some(value.as_bytes())
}

/// The user and password of `Authorization: Basic …`.
fn basic_pair(authorization: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let encoded = strip_scheme(authorization, b"basic")?;
    let mut decoded = base64::engine::general_purpose::STANDARD
        .decode(trim(encoded))
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let password = decoded.split_off(colon + 1);
    decoded.pop();
    Some((decoded, password))
}

/// `<scheme> <rest>` with the scheme compared ASCII case-insensitively.
fn strip_scheme<'a>(value: &'a [u8], scheme: &[u8]) -> Option<&'a [u8]> {
    let space = value.iter().position(|&b| b == b' ')?;
    value[..space]
        .eq_ignore_ascii_case(scheme)
        .then(|| &value[space + 1..])
}

fn trim(value: &[u8]) -> &[u8] {
    value.trim_ascii()
}

/// The percent-decoded `access_token` query parameter, if present once.
pub(crate) fn access_token(query: &str) -> Option<String> {
    let mut found = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name == "access_token" {
            if found.is_some() {
                return None;
            }
            let value = value.replace('+', " ");
            found = Some(
                percent_encoding::percent_decode_str(&value)
                    .decode_utf8()
                    .ok()?
                    .into_owned(),
            );
        }
    }
    found
}

/// Whether a query string carries an `access_token` (whose answer must be `Cache-Control:
/// private`, and which must never be logged).
///
/// ```
/// use webhook_runtime::auth::has_access_token;
///
/// assert!(has_access_token(Some("a=1&access_token=t")));
/// assert!(!has_access_token(Some("a=1")));
/// ```
pub fn has_access_token(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|p| p == "access_token" || p.starts_with("access_token="))
    })
}

/// D15: a 2xx answer to a request that carried an `access_token` query parameter is
/// `Cache-Control: private`.
pub(crate) fn private_if_access_token(
    mut response: axum::response::Response,
    parts: &Parts,
) -> axum::response::Response {
    if response.status().is_success() && has_access_token(parts.uri.query()) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            http::HeaderValue::from_static("private"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn basic(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    #[test]
    fn basic_bearer_api_key_and_query() {
        let c = Credentials::new()
            .basic("u", "p:w")
            .bearer("t1")
            .bearer("t2")
            .api_key("x-api-key", "k")
            .unwrap();
        assert_eq!(
            c.check(&headers(&[("authorization", &basic("u", "p:w"))]), None),
            Some(Authenticated::Header)
        );
        assert_eq!(
            c.check(&headers(&[("authorization", &basic("u", "p"))]), None),
            None
        );
        assert_eq!(
            c.check(&headers(&[("authorization", "bearer t2")]), None),
            Some(Authenticated::Header)
        );
        assert_eq!(
            c.check(&headers(&[("authorization", "Bearer t3")]), None),
            None
        );
        assert_eq!(
            c.check(&headers(&[("x-api-key", "k")]), None),
            Some(Authenticated::Header)
        );
        assert_eq!(c.check(&headers(&[("x-api-key", "k2")]), None), None);
        assert_eq!(
            c.check(&headers(&[]), Some("a=1&access_token=t1")),
            Some(Authenticated::QueryToken)
        );
        assert_eq!(
            c.check(&headers(&[]), Some("access_token=t1&access_token=t1")),
            None
        );
        assert_eq!(c.check(&headers(&[]), None), None);
    }

    #[test]
    fn repeated_credential_headers_are_refused() {
        let c = Credentials::new().bearer("t");
        let h = headers(&[("authorization", "Bearer t"), ("authorization", "Bearer t")]);
        assert_eq!(c.check(&h, None), None);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new()
            .basic("user-x", "password-y")
            .bearer("token-z");
        let shown = format!("{c:?} {:?}", Secret::new("abc"));
        for secret in ["user-x", "password-y", "token-z", "abc"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn access_token_is_percent_decoded() {
        assert_eq!(access_token("access_token=a%2Bb").as_deref(), Some("a+b"));
        assert!(has_access_token(Some("x=1&access_token=a")));
        assert!(!has_access_token(Some("x=1&access_tokens=a")));
    }
}
