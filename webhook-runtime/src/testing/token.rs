//! OAuth2 client credentials (RFC 6749 §4.4) on the sender's side, as SAP Event Mesh uses them
//! for a webhook subscription whose authentication is "OAuth2 client credentials": the sender
//! asks the token URL of the subscription for an access token and sends it as
//! `Authorization: Bearer` on the handshake and on every delivery, until it is about to expire.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::{HeaderValue, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::exchange::TokenError;
use super::target::describe;
use crate::auth::fetch_url::https_or_loopback;

/// How long before its expiry a cached token is replaced by a new one: 30 s (half the lifetime
/// of a token that lives less than a minute).
pub const TOKEN_RENEWAL_MARGIN: Duration = Duration::from_secs(30);

/// The most of a token endpoint's answer that is read.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// The longest OAuth2 `error` code repeated in a [`TokenError::Refused`].
const MAX_ERROR_CODE: usize = 64;

/// What `application/x-www-form-urlencoded` leaves as is: letters, digits and `*-._`.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// OAuth2 client credentials: where a sender gets its access token, and the token it holds.
///
/// Made by [`Authorization::client_credentials`](super::Authorization::client_credentials) and
/// given to a sender with [`SimulatedSender::with_authorization`](super::SimulatedSender::with_authorization).
/// Before the first request that needs a token, the sender POSTs
/// `grant_type=client_credentials` (with the [`scope`](Self::with_scope) and the
/// [further parameters](Self::with_parameter), if any) to the token URL, with the client id and
/// secret as HTTP Basic credentials (each form-encoded first, as RFC 6749 §2.3.1 asks), and
/// reads `access_token` and `expires_in` from the JSON answer. The token is reused until
/// [`TOKEN_RENEWAL_MARGIN`] before it expires, then fetched again; an answer without
/// `expires_in` gives a token used for one request only. Clones share the token, as the
/// deliveries of one subscription do.
///
/// A token endpoint that fails leaves the request unsent: the exchange's answer is
/// [`TransportError::Token`](super::TransportError::Token), a handshake fails with
/// [`Failure::Token`](super::Failure::Token) and a delivery is retried later, as a broker
/// retries a message it could not send. `Debug` shows neither the secret nor the token.
///
/// ```
/// use webhook_runtime::testing::{Authorization, SimulatedSender};
///
/// let credentials = Authorization::client_credentials(
///     "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
///     "sb-orders!t42",
///     "s3cret",
/// )
/// .unwrap()
/// .with_scope("orders!t42.deliver");
/// let sender = SimulatedSender::event_mesh("eventmesh.sap.example").with_authorization(credentials);
/// assert!(!format!("{sender:?}").contains("s3cret"));
///
/// // Tokens travel over https, or plain http to a loopback host only.
/// assert!(Authorization::client_credentials("http://uaa.example.com/oauth/token", "id", "secret").is_err());
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: reqwest::Url,
    client_id: String,
    basic: HeaderValue,
    scope: Option<String>,
    parameters: Vec<(String, String)>,
    client: reqwest::Client,
    /// Shared by clones, and locked while a token is fetched, so that requests made at once
    /// wait for one fetch instead of each making their own.
    cache: Arc<tokio::sync::Mutex<Option<Cached>>>,
}

/// A token that may be sent again until `renew_at`.
struct Cached {
    value: HeaderValue,
    renew_at: Instant,
}

/// A token just fetched, with how long it may be reused (none: this request only).
struct Fetched {
    value: HeaderValue,
    reusable_for: Option<Duration>,
}

impl ClientCredentials {
    /// Client credentials for the token endpoint at `token_url` (https, or plain http to a
    /// loopback host).
    pub(crate) fn new(
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, TokenError> {
        let invalid = |reason: String| TokenError::InvalidUrl {
            url: token_url.to_owned(),
            reason,
        };
        let parsed = https_or_loopback(token_url).map_err(|e| invalid(e.to_string()))?;
        let pair = format!(
            "{}:{}",
            utf8_percent_encode(client_id, FORM),
            utf8_percent_encode(client_secret, FORM)
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut basic = HeaderValue::from_str(&format!("Basic {encoded}"))
            .expect("base64 is always a valid header value");
        basic.set_sensitive(true);
        // The token endpoint is never followed elsewhere: a redirect could carry the client
        // secret to another host.
        let client = crate::http_client::builder(&[])
            .and_then(|builder| builder.build().map_err(|e| e.to_string()))
            .map_err(|e| invalid(format!("the HTTP client could not be built: {e}")))?;
        Ok(Self {
            token_url: parsed,
            client_id: client_id.to_owned(),
            basic,
            scope: None,
            parameters: Vec::new(),
            client,
            cache: Arc::default(),
        })
    }

    /// Asks for this scope (the form parameter `scope`; several are separated by spaces).
    /// SAP's XSUAA needs none: the client's scopes are granted anyway.
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.to_owned());
        self.forget_token()
    }

    /// Adds a form parameter to the token request, after `grant_type` and `scope`: what some
    /// token endpoints need besides them, such as `resource` or `audience` (the audience the
    /// token is for), or what a test issuer reads (the repository's test issuer takes `aud` and
    /// `expires_in`).
    pub fn with_parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters.push((name.to_owned(), value.to_owned()));
        self.forget_token()
    }

    /// The token endpoint: scheme, host, port and path (no query, no user information).
    pub fn endpoint(&self) -> String {
        format!(
            "{}{}",
            self.token_url.origin().ascii_serialization(),
            self.token_url.path()
        )
    }

    /// A token cached for other parameters is not one for these.
    fn forget_token(mut self) -> Self {
        self.cache = Arc::default();
        self
    }

    /// The `Authorization` value to send: the cached token while it is fresh, else a new one
    /// fetched within `limit`.
    pub(crate) async fn authorization(&self, limit: Duration) -> Result<HeaderValue, TokenError> {
        let mut cached = self.cache.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.value.clone());
        }
        let fetched = match tokio::time::timeout(limit, self.fetch()).await {
            Ok(fetched) => fetched?,
            Err(_) => {
                return Err(TokenError::Timeout {
                    endpoint: self.endpoint(),
                    limit,
                });
            }
        };
        *cached = fetched.reusable_for.map(|lifetime| Cached {
            value: fetched.value.clone(),
            renew_at: Instant::now() + lifetime,
        });
        Ok(fetched.value)
    }

    /// One request to the token endpoint.
    async fn fetch(&self) -> Result<Fetched, TokenError> {
        let unreachable = |reason: String| TokenError::Unreachable {
            endpoint: self.endpoint(),
            reason,
        };
        // The lifetime counts from before the request, so the token is renewed early rather
        // than late however long the endpoint takes to answer.
        let asked_at = Instant::now();
        let mut response = self
            .client
            .post(self.token_url.clone())
            .header(header::AUTHORIZATION, self.basic.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(self.form())
            .send()
            .await
            .map_err(|e| unreachable(describe(&e)))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(format!("the answer broke off: {}", describe(&e))))?
        {
            let room = MAX_TOKEN_ANSWER.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if !status.is_success() {
            return Err(TokenError::Refused {
                endpoint: self.endpoint(),
                status,
                error: oauth_error(&body),
            });
        }
        let (value, lifetime) = read_answer(&body).map_err(|reason| TokenError::NoAccessToken {
            endpoint: self.endpoint(),
            reason,
        })?;
        let spent = asked_at.elapsed();
        Ok(Fetched {
            value,
            reusable_for: lifetime
                .map(|lifetime| lifetime.saturating_sub(renewal_margin(lifetime)))
                .and_then(|reusable| reusable.checked_sub(spent))
                .filter(|reusable| !reusable.is_zero()),
        })
    }

    /// The form of the token request.
    fn form(&self) -> String {
        let mut form = String::from("grant_type=client_credentials");
        let scope = self.scope.as_ref().map(|scope| ("scope", scope.as_str()));
        let parameters = self
            .parameters
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()));
        for (name, value) in scope.into_iter().chain(parameters) {
            form.push_str(&format!(
                "&{}={}",
                utf8_percent_encode(name, FORM),
                utf8_percent_encode(value, FORM)
            ));
        }
        form
    }
}

/// How long before expiry a token of this lifetime is renewed.
fn renewal_margin(lifetime: Duration) -> Duration {
    TOKEN_RENEWAL_MARGIN.min(lifetime / 2)
}

/// The `Authorization` value and the lifetime (`expires_in`, when positive) of a token answer.
fn read_answer(body: &[u8]) -> Result<(HeaderValue, Option<Duration>), String> {
    let answer: Value =
        serde_json::from_slice(body).map_err(|_| "the answer is not JSON".to_owned())?;
    let token = match answer.get("access_token") {
        Some(Value::String(token)) if !token.trim().is_empty() => token.trim(),
        Some(_) => return Err("access_token is not a non-empty string".to_owned()),
        None => return Err("the answer has no access_token".to_owned()),
    };
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "access_token holds characters a header cannot carry".to_owned())?;
    value.set_sensitive(true);
    // Some endpoints write the number as a string; a lifetime that cannot be read, or is not
    // positive, leaves the token for this one request.
    let seconds = match answer.get("expires_in") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    let lifetime = seconds
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(u32::MAX.into())));
    Ok((value, lifetime))
}

/// The OAuth2 `error` code of a refusal (RFC 6749 §5.2), when it is a short plain code; the
/// description is left out, as it is free text from the endpoint.
fn oauth_error(body: &[u8]) -> Option<String> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    let code = answer.get("error")?.as_str()?;
    let plain = !code.is_empty()
        && code.len() <= MAX_ERROR_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    plain.then(|| code.to_owned())
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parameters: Vec<&str> = self.parameters.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.endpoint())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scope", &self.scope)
            .field("parameters", &parameters)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_answer_gives_a_sensitive_bearer_value_and_its_lifetime() {
        let (value, lifetime) =
            read_answer(br#"{"access_token":"abc.def","token_type":"bearer","expires_in":3599}"#)
                .unwrap();
        assert_eq!(value, "Bearer abc.def");
        assert!(value.is_sensitive());
        assert_eq!(lifetime, Some(Duration::from_secs(3599)));
        let (_, lifetime) = read_answer(br#"{"access_token":"t","expires_in":"3600"}"#).unwrap();
        assert_eq!(lifetime, Some(Duration::from_secs(3600)));
        for once in [
            r#"{"access_token":"t"}"#,
            r#"{"access_token":"t","expires_in":0}"#,
            r#"{"access_token":"t","expires_in":-5}"#,
            r#"{"access_token":"t","expires_in":"soon"}"#,
        ] {
            assert_eq!(read_answer(once.as_bytes()).unwrap().1, None, "{once}");
        }
        for refused in [
            "not json",
            r#"{"token":"t"}"#,
            r#"{"access_token":""}"#,
            r#"{"access_token":7}"#,
            "{\"access_token\":\"a\\nb\"}",
        ] {
            assert!(read_answer(refused.as_bytes()).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_token_is_renewed_before_it_expires() {
        assert_eq!(
            renewal_margin(Duration::from_secs(3600)),
            TOKEN_RENEWAL_MARGIN
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(10)),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn only_a_plain_oauth_error_code_is_repeated() {
        assert_eq!(
            oauth_error(br#"{"error":"invalid_client","error_description":"bad secret x"}"#),
            Some("invalid_client".to_owned())
        );
        assert_eq!(oauth_error(br#"{"error":"has spaces and s3cret"}"#), None);
        assert_eq!(oauth_error(b"<html>"), None);
    }

    #[test]
    fn the_request_is_form_encoded_with_basic_client_credentials() {
        let credentials =
            ClientCredentials::new("http://127.0.0.1:9/oauth/token?tenant=x", "sb-a!b|c", "p:w")
                .unwrap()
                .with_scope("a.read b.write")
                .with_parameter("aud", "api://orders");
        assert_eq!(
            credentials.form(),
            "grant_type=client_credentials&scope=a.read%20b.write&aud=api%3A%2F%2Forders"
        );
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&credentials.basic.as_bytes()["Basic ".len()..])
            .unwrap();
        assert_eq!(decoded, b"sb-a%21b%7Cc:p%3Aw");
        assert_eq!(credentials.endpoint(), "http://127.0.0.1:9/oauth/token");
        let shown = format!("{credentials:?}");
        assert!(
            !shown.contains("p:w") && !shown.contains("p%3Aw"),
            "{shown}"
        );
        assert!(
            shown.contains("sb-a!b|c") && shown.contains("aud"),
            "{shown}"
        );
        assert!(!shown.contains("api://orders"), "{shown}");
    }

    #[test]
    fn the_token_url_is_https_or_loopback_http() {
        assert!(ClientCredentials::new("https://uaa.example.com/oauth/token", "a", "b").is_ok());
        for refused in ["http://uaa.example.com/oauth/token", "uaa.example.com"] {
            assert!(
                matches!(
                    ClientCredentials::new(refused, "a", "b"),
                    Err(TokenError::InvalidUrl { .. })
                ),
                "{refused}"
            );
        }
    }
}
