//! Where a simulated sender sends: an axum [`Router`] in process, or a URL over http or https.

use std::fmt;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::BodyExt as _;
use rustls::pki_types::CertificateDer;
use tower::ServiceExt as _;

use super::exchange::{Exchange, ReceivedAnswer, SentRequest, TransportError, has_access_token};
use crate::http_client::{self, ExtraRoots};

/// How long a sender waits for a whole answer unless told otherwise: 30 s, Event Grid's own
/// limit for a validation answer (protocol.md §3).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of an answer's body is kept.
const ANSWER_BODY_LIMIT: usize = 1024 * 1024;

/// The endpoint a simulated sender plays against.
///
/// - [`Target::router`]: an axum `Router` called in process through
///   `tower::ServiceExt::oneshot`: no socket, no server.
/// - [`Target::url`]: any `http` or `https` URL (rustls, the platform's roots plus any added with
///   [`Target::with_root_certificate_pem`]). Redirects are never followed: a 3xx is an answer,
///   and a failure (protocol.md §6, W6).
///
/// Every exchange is bounded by the target's timeout ([`DEFAULT_TIMEOUT`] unless set with
/// [`Target::with_timeout`]); an endpoint that does not answer in time gets the verdict a
/// sender gives it.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::testing::{SimulatedSender, Target};
///
/// # use axum::Router;
/// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
/// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
///
/// let target = Target::router(app, "/orders").with_timeout(Duration::from_secs(2));
/// assert!(SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await.is_completed());
/// # }
/// ```
#[derive(Clone)]
pub struct Target {
    transport: Transport,
    timeout: Duration,
}

#[derive(Clone)]
enum Transport {
    Router {
        router: Router,
        uri: Uri,
    },
    Url {
        client: reqwest::Client,
        url: reqwest::Url,
        roots: ExtraRoots,
    },
}

/// A [`Target`] that could not be made.
///
/// ```
/// use webhook_runtime::testing::Target;
///
/// let error = Target::url("hooks.example.com/orders").err().unwrap();
/// assert!(error.to_string().contains("not a URL"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// The route at `path` of `router`, called in process (the router's state must be
    /// provided already: a `Router<()>`).
    ///
    /// # Panics
    ///
    /// If `path` is not a valid request target (`/hooks/orders`, `/hooks?access_token=x`).
    ///
    /// ```
    /// use axum::Router;
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    /// use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
    /// let app = Router::new().route("/hooks/orders", route::cloudevents(config, |_: CloudEvent<u32>| async {}));
    /// // No socket: the request goes through the router's tower service.
    /// let target = Target::router(app, "/hooks/orders");
    /// assert!(SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await.is_completed());
    /// # }
    /// ```
    pub fn router(router: Router, path: &str) -> Self {
        let uri = path
            .parse::<Uri>()
            .unwrap_or_else(|error| panic!("{path:?} is not a valid request path: {error}"));
        Self {
            transport: Transport::Router { router, uri },
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// An `http` or `https` URL. An `access_token` query parameter is sent as is and redacted
    /// whenever the request is printed.
    ///
    /// ```
    /// use webhook_runtime::testing::Target;
    ///
    /// let target = Target::url("https://hooks.example.com/orders").unwrap();
    /// assert!(Target::url("ftp://hooks.example.com/orders").is_err());
    /// # let _ = target;
    /// ```
    pub fn url(url: &str) -> Result<Self, TargetError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|error| TargetError(format!("{url:?} is not a URL: {error}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(TargetError(format!(
                "{url:?}: only http and https URLs can be probed"
            )));
        }
        if parsed.host_str().is_none() {
            return Err(TargetError(format!("{url:?} has no host")));
        }
        Ok(Self {
            transport: Transport::Url {
                client: client(&[])?,
                url: parsed,
                roots: ExtraRoots::new(),
            },
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same target with another time limit for each whole exchange (request and answer).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_runtime::testing::Target;
    ///
    /// // A CI job with a slow endpoint under test.
    /// let target = Target::url("https://hooks.example.com/orders").unwrap().with_timeout(Duration::from_secs(60));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts one more root certificate (PEM) for an `https` URL, e.g. a test CA. Has no effect
    /// on a router target.
    ///
    /// ```
    /// use webhook_runtime::testing::Target;
    ///
    /// let target = Target::url("https://hooks.internal.example.com/orders").unwrap();
    /// // A file that holds no certificate is refused, not silently ignored.
    /// assert!(target.with_root_certificate_pem(b"not a certificate").is_err());
    /// ```
    pub fn with_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, TargetError> {
        if let Transport::Url {
            client: c, roots, ..
        } = &mut self.transport
        {
            roots.extend(http_client::certificates_from_pem(pem).map_err(TargetError)?);
            *c = client(roots)?;
        }
        Ok(self)
    }

    /// The time limit of each exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The URL, or the path of a router target, as requests are sent to it (not redacted).
    fn url_string(&self) -> String {
        match &self.transport {
            Transport::Router { uri, .. } => uri.to_string(),
            Transport::Url { url, .. } => url.to_string(),
        }
    }

    /// Sends one request and reads the answer, within the timeout.
    pub(crate) async fn send(
        &self,
        method: Method,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Exchange {
        let url = self.url_string();
        if has_access_token(&url) {
            // CloudEvents §3.2: a client sending the token in the query also sends no-store.
            headers
                .entry(http::header::CACHE_CONTROL)
                .or_insert(http::HeaderValue::from_static("no-store"));
        }
        let request = SentRequest {
            method,
            url,
            headers,
            body,
        };
        let answer = match tokio::time::timeout(self.timeout, self.exchange(&request)).await {
            Ok(answer) => answer,
            Err(_) => Err(TransportError::Timeout(self.timeout)),
        };
        Exchange { request, answer }
    }

    /// The exchange of a request that was never sent, with the reason in place of an answer
    /// (the sender could not get its access token).
    pub(crate) fn not_sent(
        &self,
        method: Method,
        headers: HeaderMap,
        body: Bytes,
        error: TransportError,
    ) -> Exchange {
        Exchange {
            request: SentRequest {
                method,
                url: self.url_string(),
                headers,
                body,
            },
            answer: Err(error),
        }
    }

    async fn exchange(&self, sent: &SentRequest) -> Result<ReceivedAnswer, TransportError> {
        match &self.transport {
            Transport::Router { router, uri } => {
                let mut request = Request::new(Body::from(sent.body.clone()));
                *request.method_mut() = sent.method.clone();
                *request.uri_mut() = uri.clone();
                *request.headers_mut() = sent.headers.clone();
                if sent.method == Method::POST || !sent.body.is_empty() {
                    // What a client on the wire sends, and what limits are decided from.
                    request
                        .headers_mut()
                        .insert(http::header::CONTENT_LENGTH, sent.body.len().into());
                }
                let response = match router.clone().oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                let (parts, mut body) = response.into_parts();
                let mut kept = BytesMut::new();
                while let Some(frame) = body.frame().await {
                    let frame = frame.map_err(|error| {
                        TransportError::Unreachable(format!("the answer's body broke off: {error}"))
                    })?;
                    if let Ok(data) = frame.into_data() {
                        keep(&mut kept, &data);
                    }
                }
                Ok(ReceivedAnswer {
                    status: parts.status,
                    headers: parts.headers,
                    body: kept.freeze(),
                })
            }
            Transport::Url { client, url, .. } => {
                let mut response = client
                    .request(sent.method.clone(), url.clone())
                    .headers(sent.headers.clone())
                    .body(sent.body.clone())
                    .send()
                    .await
                    .map_err(|error| TransportError::Unreachable(describe(&error)))?;
                let status = response.status();
                let headers = std::mem::take(response.headers_mut());
                let mut kept = BytesMut::new();
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) => keep(&mut kept, &chunk),
                        Ok(None) => break,
                        Err(error) => {
                            return Err(TransportError::Unreachable(format!(
                                "the answer's body broke off: {}",
                                describe(&error)
                            )));
                        }
                    }
                }
                Ok(ReceivedAnswer {
                    status,
                    headers,
                    body: kept.freeze(),
                })
            }
        }
    }
}

/// The URL (the path of a router target) with the `access_token` query parameter and any
/// password redacted.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::exchange::redact_url(&self.url_string()))
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.transport {
            Transport::Router { .. } => "router",
            Transport::Url { .. } => "url",
        };
        f.debug_struct("Target")
            .field(kind, &super::exchange::redact_url(&self.url_string()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Appends `data` to `kept` up to the kept limit.
fn keep(kept: &mut BytesMut, data: &[u8]) {
    let room = ANSWER_BODY_LIMIT.saturating_sub(kept.len());
    kept.extend_from_slice(&data[..data.len().min(room)]);
}

/// An HTTP client that never follows redirects and trusts the platform's roots plus `roots`.
fn client(roots: &[CertificateDer<'static>]) -> Result<reqwest::Client, TargetError> {
    http_client::builder(roots)
        .and_then(|builder| builder.build().map_err(|error| error.to_string()))
        .map_err(|error| TargetError(format!("the HTTP client could not be built: {error}")))
}

/// A reqwest error with its causes (the TLS or connection reason), without the URL (it may
/// hold an `access_token`).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "the answer could not be read".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
