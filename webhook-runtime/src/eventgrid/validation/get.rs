//! The manual-validation GET, done by the runtime (D14; cargo feature `validation-get`).
//!
//! Event Grid's `validationUrl` comes from the request body, so fetching it blindly is
//! server-side request forgery. The runtime only ever GETs an `https` URL whose host is an Event
//! Grid domain or under one at a label boundary, without credentials in the URL, after the 200
//! answer has been sent, once, without following redirects, with a short timeout.

use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use reqwest::Url;
use tokio::sync::oneshot;

use super::ValidationRequest;
use crate::http_client::{self, ExtraRoots};
use crate::rejection::Rejection;

/// The domains Event Grid's validation URLs live under: the public cloud and the sovereign clouds.
pub const EVENT_GRID_DOMAINS: &[&str] = &[
    "eventgrid.azure.net",
    "eventgrid.azure.us",
    "eventgrid.azure.cn",
    "eventgrid.azure.eaglex.ic.gov",
    "eventgrid.azure.microsoft.scloud",
];

/// Parses `url` and returns it only if the runtime may GET it: `https`, no user or password, a
/// host name (not an IP address) equal to an Event Grid domain or under one at a label boundary
/// (`rp-eastus2.eventgrid.azure.net`, never `eventgrid.azure.net.evil.tld`).
///
/// The same parsed URL is what the request is made with, so the check and the fetch cannot
/// disagree about the host.
///
/// ```
/// use webhook_runtime::eventgrid::event_grid_validation_url;
///
/// assert!(event_grid_validation_url("https://rp-eastus2.eventgrid.azure.net:553/validate?id=1").is_some());
/// assert!(event_grid_validation_url("http://rp-eastus2.eventgrid.azure.net/validate").is_none());
/// assert!(event_grid_validation_url("https://eventgrid.azure.net.evil.tld/").is_none());
/// assert!(event_grid_validation_url("https://eventgrid.azure.net@evil.tld/").is_none());
/// ```
pub fn event_grid_validation_url(url: &str) -> Option<Url> {
    let url = Url::parse(url).ok()?;
    if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    // `domain()` is `None` for an IP address.
    let host = url.domain()?.to_ascii_lowercase();
    let allowed = EVENT_GRID_DOMAINS.iter().any(|domain| {
        host == *domain
            || host
                .strip_suffix(domain)
                .and_then(|labels| labels.strip_suffix('.'))
                .is_some_and(|labels| {
                    !labels.is_empty() && labels.split('.').all(|l| !l.is_empty())
                })
    });
    allowed.then_some(url)
}

/// The client that performs manual-validation GETs. Give it to
/// [`EventGridConfig::with_validation_get`](crate::EventGridConfig::with_validation_get).
#[derive(Debug, Clone)]
pub struct ValidationGet {
    client: reqwest::Client,
}

/// Builds a [`ValidationGet`]; redirects are never followed, whatever is set here.
#[derive(Debug)]
pub struct ValidationGetBuilder {
    timeout: Duration,
    extra_roots: ExtraRoots,
    resolved: Vec<(String, SocketAddr)>,
}

/// Why a [`ValidationGet`] could not be built.
#[derive(Debug)]
pub struct ValidationGetError(String);

impl std::fmt::Display for ValidationGetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the validation client could not be built: {}", self.0)
    }
}

impl std::error::Error for ValidationGetError {}

impl ValidationGet {
    /// A client with the defaults: the platform's root certificates, a 10 s timeout, no
    /// redirects.
    pub fn new() -> Result<Self, ValidationGetError> {
        Self::builder().build()
    }

    /// A builder, for a different timeout, a private root certificate or a fixed address.
    pub fn builder() -> ValidationGetBuilder {
        ValidationGetBuilder {
            timeout: Duration::from_secs(10),
            extra_roots: ExtraRoots::new(),
            resolved: Vec::new(),
        }
    }

    /// GETs `url` once; the outcome is logged, never retried.
    pub(crate) async fn get(&self, url: Url) {
        let host = url.host_str().unwrap_or_default().to_owned();
        match self.client.get(url).send().await {
            Ok(response) if response.status().is_success() => {
                tracing::info!(%host, status = response.status().as_u16(), "Event Grid manual validation done");
            }
            Ok(response) => {
                tracing::warn!(%host, status = response.status().as_u16(), "Event Grid manual validation refused");
            }
            Err(error) => {
                tracing::warn!(%host, error = %error.without_url(), "Event Grid manual validation failed");
            }
        }
    }
}

impl ValidationGetBuilder {
    /// The whole request's time limit (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts one more root certificate (PEM), e.g. a corporate TLS proxy's.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, ValidationGetError> {
        let certificates = http_client::certificates_from_pem(pem).map_err(ValidationGetError)?;
        self.extra_roots.extend(certificates);
        Ok(self)
    }

    /// Connects to `address` for `host` instead of resolving it (TLS still checks `host`).
    pub fn resolve(mut self, host: &str, address: SocketAddr) -> Self {
        self.resolved.push((host.to_owned(), address));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ValidationGet, ValidationGetError> {
        let mut builder = http_client::builder(&self.extra_roots)
            .map_err(ValidationGetError)?
            .https_only(true)
            .timeout(self.timeout);
        for (host, address) in &self.resolved {
            builder = builder.resolve(host, *address);
        }
        builder
            .build()
            .map(|client| ValidationGet { client })
            .map_err(|error| ValidationGetError(error.to_string()))
    }
}

/// An empty response body that reports when the server is done with it (sent or dropped), so
/// the GET starts only after the 200 has gone out.
struct SentSignal(Option<oneshot::Sender<()>>);

impl SentSignal {
    fn new() -> (Self, oneshot::Receiver<()>) {
        let (sender, receiver) = oneshot::channel();
        (Self(Some(sender)), receiver)
    }
}

impl Body for SentSignal {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        true
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(0)
    }
}

impl Drop for SentSignal {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            let _ = sender.send(());
        }
    }
}

/// Answers a validation by the runtime's own GET: a 200 at once, and the GET of `validationUrl`
/// once that 200 has gone out. Refused (403) on a route that lists no subscriptions, as the GET
/// is only for an expected one, and (400) when the URL is not https on an Event Grid host.
pub(super) fn answer(
    client: &ValidationGet,
    request: &ValidationRequest,
    lists_subscriptions: bool,
) -> Response {
    if !lists_subscriptions {
        tracing::error!("validation by GET is configured without `subscriptions`: refusing");
        return Rejection::forbidden(
            "this endpoint validates by GET only for listed subscriptions, and lists none",
        )
        .into_response();
    }
    let Some(url) = request
        .validation_url
        .as_deref()
        .and_then(event_grid_validation_url)
    else {
        tracing::warn!(
            "validation event refused: its validationUrl is not https on an Event Grid host"
        );
        return Rejection::bad_request("validationUrl is not an https URL on an Event Grid host")
            .into_response();
    };
    let (body, sent) = SentSignal::new();
    let client = client.clone();
    tokio::spawn(async move {
        if sent.await.is_ok() {
            client.get(url).await;
        }
    });
    (http::StatusCode::OK, axum::body::Body::new(body)).into_response()
}
