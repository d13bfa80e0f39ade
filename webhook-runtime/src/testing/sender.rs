//! The simulated senders: a generic CloudEvents webhook sender, Azure Event Grid in either
//! output schema, and SAP Event Mesh (protocol.md §1).

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::delivery::{self, DeliveryReport, NextAction, SimulatedDelivery};
use super::exchange::{Exchange, ReceivedAnswer, TokenError, TransportError};
use super::kind::Kind;
use super::target::Target;
use super::token::ClientCredentials;
use super::verdict::{HandshakeReport, HandshakeStatus};
use super::{handshake, validation};
use crate::handshake::WEBHOOK_REQUEST_ORIGIN;

/// The credentials a sender presents, on the handshake as on deliveries (Event Grid's
/// validation event included). `Debug` never shows the secret.
///
/// ```
/// use webhook_runtime::testing::{Authorization, SimulatedSender};
///
/// let sender = SimulatedSender::event_mesh("eventmesh.example.com")
///     .with_authorization(Authorization::basic("eventmesh", "s3cret"));
/// assert!(!format!("{sender:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Authorization(Credential);

#[derive(Clone)]
enum Credential {
    /// A header sent as is.
    Header {
        name: http::HeaderName,
        value: HeaderValue,
    },
    /// A bearer token fetched from a token endpoint, and fetched again before it expires.
    ClientCredentials(ClientCredentials),
}

impl Authorization {
    /// HTTP Basic (SAP Event Mesh "Basic").
    ///
    /// ```
    /// use webhook_runtime::testing::Authorization;
    ///
    /// let basic = Authorization::basic("eventmesh", "s3cret");
    /// assert_eq!(format!("{basic:?}"), r#"Authorization { header: "authorization", value: "<redacted>" }"#);
    /// ```
    pub fn basic(user: &str, password: &str) -> Self {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::header_of(&format!("Basic {encoded}"))
    }

    /// `Authorization: Bearer <token>` with a token the test already holds (CloudEvents §3,
    /// Event Grid's Microsoft Entra ID token, a token taken from an issuer by hand).
    ///
    /// # Panics
    ///
    /// If the token cannot be a header value.
    ///
    /// ```
    /// use webhook_runtime::testing::{Authorization, SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap()).with_credentials(webhook_runtime::auth::Credentials::new().bearer("t0ken"));
    /// # let target = Target::router(Router::new().route("/hooks", route::cloudevents(config, |_: CloudEvent<u32>| async {})), "/hooks");
    /// let sender = SimulatedSender::cloudevents("eventemitter.example.com");
    /// assert!(!sender.handshake(&target).await.is_completed());
    /// let sender = sender.with_authorization(Authorization::bearer("t0ken"));
    /// assert!(sender.handshake(&target).await.is_completed());
    /// # }
    /// ```
    pub fn bearer(token: &str) -> Self {
        Self::header_of(&format!("Bearer {token}"))
    }

    /// OAuth2 client credentials (SAP Event Mesh "OAuth2 client credentials"): the sender
    /// fetches its bearer token from `token_url` with this client id and secret before the
    /// first request that needs one, and again shortly before it expires (see
    /// [`ClientCredentials`], which also takes a scope and further form parameters). An error
    /// when the URL is not https, or plain http to a loopback host.
    ///
    /// ```
    /// use webhook_runtime::testing::{Authorization, SimulatedSender};
    ///
    /// let credentials = Authorization::client_credentials(
    ///     "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
    ///     "sb-orders",
    ///     "s3cret",
    /// )
    /// .unwrap();
    /// let sender = SimulatedSender::event_mesh("eventmesh.example.com").with_authorization(credentials);
    /// ```
    pub fn client_credentials(
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<ClientCredentials, TokenError> {
        ClientCredentials::new(token_url, client_id, client_secret)
    }

    /// An API-key header (SAP "API Key", Event Grid custom delivery headers).
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not valid in a header.
    ///
    /// ```
    /// use webhook_runtime::testing::Authorization;
    ///
    /// let key = Authorization::api_key("x-api-key", "k-1");
    /// assert!(!format!("{key:?}").contains("k-1"));
    /// ```
    pub fn api_key(name: &str, value: &str) -> Self {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        Self(Credential::Header {
            name,
            value: secret(value),
        })
    }

    fn header_of(value: &str) -> Self {
        Self(Credential::Header {
            name: header::AUTHORIZATION,
            value: secret(value),
        })
    }
}

impl From<ClientCredentials> for Authorization {
    fn from(credentials: ClientCredentials) -> Self {
        Self(Credential::ClientCredentials(credentials))
    }
}

fn secret(value: &str) -> HeaderValue {
    let mut value = HeaderValue::from_str(value)
        .unwrap_or_else(|_| panic!("a credential contains a character a header cannot carry"));
    value.set_sensitive(true);
    value
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Credential::Header { name, .. } => f
                .debug_struct("Authorization")
                .field("header", &name.as_str())
                .field("value", &"<redacted>")
                .finish(),
            Credential::ClientCredentials(credentials) => {
                f.debug_tuple("Authorization").field(credentials).finish()
            }
        }
    }
}

/// A simulated sender: it plays the handshake and the deliveries of one kind of event source
/// against a [`Target`], and judges the answers by that source's rules (protocol.md §2, §3, §6).
///
/// | constructor | handshake | next action after a delivery |
/// |---|---|---|
/// | [`SimulatedSender::cloudevents`] | OPTIONS with `WebHook-Request-Origin` (and the optional rate, callback, `Authorization`) | CloudEvents webhook spec |
/// | [`SimulatedSender::event_grid`] | the validation event POSTed (Event Grid schema), with the Entra ID bearer token if given | Event Grid |
/// | [`SimulatedSender::event_grid_cloudevents`] | OPTIONS from `eventgrid.azure.net` with `WebHook-Request-Callback`, with the Entra ID bearer token if given | Event Grid |
/// | [`SimulatedSender::event_mesh`] | OPTIONS with the subscription's `Authorization` (Basic, API key, or a bearer token from OAuth2 client credentials) | SAP Event Mesh, QoS 1 |
///
/// ```
/// use axum::Router;
/// use webhook_runtime::testing::{SimulatedDelivery, NextAction, SimulatedSender, Target};
/// use webhook_runtime::{EventGridConfig, EventGridEvent, route};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let app = Router::new().route("/grid", route::eventgrid(EventGridConfig::new(), |_: EventGridEvent<u32>| async {}));
/// let target = Target::router(app, "/grid");
/// let sender = SimulatedSender::event_grid("orders");
/// assert!(sender.handshake(&target).await.is_completed());
/// // Data the handler cannot take: Event Grid dead-letters it rather than retry.
/// let delivery = SimulatedDelivery::event_grid([serde_json::json!({"id": "1", "subject": "s",
///     "eventType": "t", "eventTime": "2026-01-01T00:00:00Z", "dataVersion": "1", "data": "x"})]);
/// assert_eq!(sender.deliver(&target, &delivery).await.next(), &NextAction::DeadLetter);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SimulatedSender {
    kind: Kind,
    origin: String,
    rate: Option<u32>,
    callback: Option<String>,
    authorization: Option<Authorization>,
    subscription: String,
    validation_code: Option<String>,
    validation_url: Option<String>,
}

/// The subscription name used when none is given.
const DEFAULT_SUBSCRIPTION: &str = "webhook-testing";

impl SimulatedSender {
    fn new(kind: Kind, origin: &str) -> Self {
        Self {
            kind,
            origin: origin.to_owned(),
            rate: None,
            callback: None,
            authorization: None,
            subscription: DEFAULT_SUBSCRIPTION.to_owned(),
            validation_code: None,
            validation_url: None,
        }
    }

    /// Any CloudEvents webhook sender, identifying itself as `origin` (a DNS name such as
    /// `eventemitter.example.com`).
    ///
    /// ```
    /// use webhook_runtime::testing::{HandshakeStatus, SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
    /// # let target = Target::router(Router::new().route("/hooks", route::cloudevents(config, |_: CloudEvent<u32>| async {})), "/hooks");
    /// let report = SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await;
    /// assert_eq!(report.exchange().request.headers["webhook-request-origin"], "eventemitter.example.com");
    /// assert_eq!(report.status(), &HandshakeStatus::Completed);
    /// # }
    /// ```
    pub fn cloudevents(origin: &str) -> Self {
        Self::new(Kind::CloudEvents, origin)
    }

    /// Azure Event Grid delivering the Event Grid schema to the subscription `subscription`:
    /// the handshake is the validation event, with a fresh code and a `validationUrl`.
    ///
    /// With Microsoft Entra authentication on the subscription, Event Grid sends an Entra ID
    /// token as `Authorization: Bearer`: give the sender one with
    /// [`with_authorization`](Self::with_authorization)`(`[`Authorization::bearer`]`(token))`,
    /// and it presents it on the validation event (a POST, which a route authenticates like a
    /// delivery) and on every delivery.
    /// Its verdicts follow Event Grid: a 401 or 403 is final (the event is dead-lettered or
    /// dropped), a 503 is retried (with the answer's `Retry-After` reported).
    pub fn event_grid(subscription: &str) -> Self {
        Self::new(Kind::EventGrid, "").with_subscription(subscription)
    }

    /// Azure Event Grid delivering the CloudEvents 1.0 schema: the OPTIONS handshake from
    /// `eventgrid.azure.net` (see [`SimulatedSender::with_origin`] for a sovereign cloud) with a
    /// `WebHook-Request-Callback`.
    ///
    /// A bearer token given with [`with_authorization`](Self::with_authorization) (Microsoft
    /// Entra authentication) goes on the OPTIONS handshake and on every delivery; the verdicts
    /// are those of [`event_grid`](Self::event_grid).
    pub fn event_grid_cloudevents() -> Self {
        Self::new(Kind::EventGridCloudEvents, "eventgrid.azure.net")
    }

    /// SAP Event Mesh, identifying itself as `origin`; give it the subscription's credentials
    /// with [`SimulatedSender::with_authorization`]: they go on the OPTIONS handshake too.
    /// For a subscription authenticated by OAuth2 client credentials, give it
    /// [`Authorization::client_credentials`]: it fetches its token from the token URL, sends it
    /// as `Authorization: Bearer` and fetches a new one before it expires.
    pub fn event_mesh(origin: &str) -> Self {
        Self::new(Kind::EventMesh, origin)
    }

    /// Another `WebHook-Request-Origin`.
    pub fn with_origin(mut self, origin: &str) -> Self {
        self.origin = origin.to_owned();
        self
    }

    /// Requests a rate (`WebHook-Request-Rate`, requests per minute) in the handshake.
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap()).with_rate(120);
    /// # let target = Target::router(Router::new().route("/hooks", route::cloudevents(config, |_: CloudEvent<u32>| async {})), "/hooks");
    /// let report = SimulatedSender::cloudevents("eventemitter.example.com").with_rate(600).handshake(&target).await;
    /// // The endpoint grants no more than it was configured with.
    /// assert_eq!(report.exchange().answer.as_ref().unwrap().header("webhook-allowed-rate"), Some("120"));
    /// # }
    /// ```
    pub fn with_rate(mut self, rate: u32) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Offers a `WebHook-Request-Callback` URL in the handshake (Event Grid's CloudEvents
    /// sender offers one of its own unless given this).
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
    /// # let target = Target::router(Router::new().route("/hooks", route::cloudevents(config, |_: CloudEvent<u32>| async {})), "/hooks");
    /// let sender = SimulatedSender::cloudevents("eventemitter.example.com").with_callback("https://eventemitter.example.com/confirm");
    /// let report = sender.handshake(&target).await;
    /// assert_eq!(report.exchange().request.headers["webhook-request-callback"], "https://eventemitter.example.com/confirm");
    /// # }
    /// ```
    pub fn with_callback(mut self, url: &str) -> Self {
        self.callback = Some(url.to_owned());
        self
    }

    /// Presents credentials on every request: the OPTIONS handshake, Event Grid's validation
    /// event and every delivery. [`ClientCredentials`] are shared by the clones of this sender.
    pub fn with_authorization(mut self, authorization: impl Into<Authorization>) -> Self {
        self.authorization = Some(authorization.into());
        self
    }

    /// The Event Grid subscription name (`aeg-subscription-name`, sent upper-cased as Event
    /// Grid does).
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = EventGridConfig::new();
    /// # let target = Target::router(Router::new().route("/hooks", route::eventgrid(config, |_: EventGridEvent<u32>| async {})), "/hooks");
    /// let report = SimulatedSender::event_grid("x").with_subscription("orders").handshake(&target).await;
    /// assert_eq!(report.exchange().request.headers["aeg-subscription-name"], "ORDERS");
    /// # }
    /// ```
    pub fn with_subscription(mut self, name: &str) -> Self {
        self.subscription = name.to_owned();
        self
    }

    /// A fixed validation code instead of a fresh one per validation event.
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, EventGridConfig, EventGridEvent, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let config = EventGridConfig::new();
    /// # let target = Target::router(Router::new().route("/hooks", route::eventgrid(config, |_: EventGridEvent<u32>| async {})), "/hooks");
    /// let report = SimulatedSender::event_grid("orders").with_validation_code("512d38b6").handshake(&target).await;
    /// let answer = report.exchange().answer.as_ref().unwrap();
    /// assert_eq!(answer.body, r#"{"validationResponse":"512d38b6"}"#);
    /// # }
    /// ```
    pub fn with_validation_code(mut self, code: &str) -> Self {
        self.validation_code = Some(code.to_owned());
        self
    }

    /// Another `validationUrl` in the validation event (the default is a URL under
    /// `eventgrid.azure.net` that nothing serves).
    pub fn with_validation_url(mut self, url: &str) -> Self {
        self.validation_url = Some(url.to_owned());
        self
    }

    /// The sender's name, e.g. `"SAP Event Mesh"`.
    ///
    /// ```
    /// use webhook_runtime::testing::SimulatedSender;
    ///
    /// assert_eq!(SimulatedSender::event_mesh("eventmesh.example.com").name(), "SAP Event Mesh");
    /// assert_eq!(SimulatedSender::event_grid_cloudevents().name(), "Azure Event Grid (CloudEvents schema)");
    /// ```
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::CloudEvents => "CloudEvents webhook sender",
            Kind::EventGrid => "Azure Event Grid (Event Grid schema)",
            Kind::EventGridCloudEvents => "Azure Event Grid (CloudEvents schema)",
            Kind::EventMesh => "SAP Event Mesh",
        }
    }

    /// Runs the handshake once and returns the verdict: the OPTIONS abuse-protection handshake,
    /// or for [`SimulatedSender::event_grid`] the validation event.
    pub async fn handshake(&self, target: &Target) -> HandshakeReport {
        if self.kind == Kind::EventGrid {
            return self.validate(target).await;
        }
        let callback = match (&self.callback, self.kind) {
            (Some(callback), _) => Some(callback.clone()),
            (None, Kind::EventGridCloudEvents) => Some(format!(
                "https://rp-webhook-testing.eventgrid.azure.net:553/eventsubscriptions/{}/validate?id={}&apiVersion=2020-06-01",
                self.subscription,
                random_id()
            )),
            (None, _) => None,
        };
        let headers = handshake::request_headers(&self.origin, self.rate, callback.as_deref());
        let exchange = self
            .send(target, Method::OPTIONS, headers, Default::default())
            .await;
        let (status, violations) = match &exchange.answer {
            Ok(answer) => handshake::judge(&self.origin, self.rate.is_some(), answer),
            Err(error) => (HandshakeStatus::Failed(error.clone().into()), Vec::new()),
        };
        HandshakeReport {
            status,
            exchange,
            violations,
        }
    }

    async fn validate(&self, target: &Target) -> HandshakeReport {
        let code = self.validation_code.clone().unwrap_or_else(random_id);
        let url = self.validation_url.clone().unwrap_or_else(|| {
            format!(
                "https://rp-webhook-testing.eventgrid.azure.net:553/eventsubscriptions/{}/validate?id={code}&apiVersion=2018-05-01-preview",
                self.subscription
            )
        });
        let (headers, body) = validation::request(&self.subscription, &code, Some(&url));
        let exchange = self.send(target, Method::POST, headers, body).await;
        let status = match &exchange.answer {
            Ok(answer) => validation::judge(&code, answer),
            Err(error) => HandshakeStatus::Failed(error.clone().into()),
        };
        HandshakeReport {
            status,
            exchange,
            violations: Vec::new(),
        }
    }

    /// Sends one delivery and returns what the sender does next (protocol.md §6). The sender adds its
    /// credentials, its `WebHook-Request-Origin` (senders that shook hands by OPTIONS, W4) or
    /// its `aeg-subscription-name` and `aeg-delivery-count` (Event Grid), unless the delivery
    /// sets them. A delivery left unsent because no token could be had is retried later, as one
    /// that got no answer.
    pub async fn deliver(&self, target: &Target, delivery: &SimulatedDelivery) -> DeliveryReport {
        let (mut headers, body) = delivery.clone().into_parts();
        match self.kind {
            Kind::EventGrid => {
                for (name, value) in validation::subscription_headers(&self.subscription) {
                    if let Some(name) = name {
                        headers.entry(name).or_insert(value);
                    }
                }
            }
            _ => {
                headers
                    .entry(WEBHOOK_REQUEST_ORIGIN)
                    .or_insert_with(|| handshake::header_value(&self.origin, "origin"));
            }
        }
        let exchange = self.send(target, Method::POST, headers, body).await;
        let answer = exchange.answer.as_ref().ok();
        DeliveryReport {
            next: delivery::next_action(self.kind, answer),
            violations: delivery::violations(self.kind, answer),
            exchange,
        }
    }

    /// What this sender does after a delivery answered `status` with `headers` (protocol.md §6),
    /// without sending anything.
    ///
    /// ```
    /// use http::{HeaderMap, StatusCode};
    /// use webhook_runtime::testing::{NextAction, SimulatedSender};
    ///
    /// let none = HeaderMap::new();
    /// let grid = SimulatedSender::event_grid("orders");
    /// let mesh = SimulatedSender::event_mesh("eventmesh.example.com");
    /// assert_eq!(grid.next_action(StatusCode::BAD_REQUEST, &none), NextAction::DeadLetter);
    /// assert!(mesh.next_action(StatusCode::BAD_REQUEST, &none).is_retry());
    /// ```
    pub fn next_action(&self, status: StatusCode, headers: &HeaderMap) -> NextAction {
        let answer = ReceivedAnswer {
            status,
            headers: headers.clone(),
            body: Default::default(),
        };
        delivery::next_action(self.kind, Some(&answer))
    }

    /// Sends a request with the sender's credentials added; a request left unsent for want of
    /// a token gets [`TransportError::Token`] in place of an answer.
    async fn send(
        &self,
        target: &Target,
        method: Method,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Exchange {
        match self.authorize(&mut headers, target.timeout()).await {
            Ok(()) => target.send(method, headers, body).await,
            Err(error) => target.not_sent(method, headers, body, TransportError::Token(error)),
        }
    }

    /// Adds the credentials, unless the request already carries that header; a token is
    /// fetched (within `limit`) only when one is needed and the cached one is not fresh.
    async fn authorize(&self, headers: &mut HeaderMap, limit: Duration) -> Result<(), TokenError> {
        match self.authorization.as_ref().map(|a| &a.0) {
            None => {}
            Some(Credential::Header { name, value }) => {
                headers.entry(name.clone()).or_insert_with(|| value.clone());
            }
            Some(Credential::ClientCredentials(credentials))
                if !headers.contains_key(header::AUTHORIZATION) =>
            {
                let value = credentials.authorization(limit).await?;
                headers.insert(header::AUTHORIZATION, value);
            }
            Some(Credential::ClientCredentials(_)) => {}
        }
        Ok(())
    }
}

/// A fresh identifier in the shape of a UUID (version 4 layout), for validation codes and
/// event ids. Unpredictable enough for tests; not for secrets.
pub(crate) fn random_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = std::collections::hash_map::RandomState::new();
    let mut words = [0u64; 2];
    for (i, word) in words.iter_mut().enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_usize(i);
        if let Ok(elapsed) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(elapsed.as_nanos());
        }
        *word = hasher.finish();
    }
    let [a, b] = words;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_differ() {
        let (a, b) = (random_id(), random_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36, "{a}");
        assert_eq!(a.as_bytes()[14], b'4', "{a}");
    }

    #[test]
    fn credentials_are_not_shown() {
        let basic = Authorization::basic("user", "s3cret");
        assert!(!format!("{basic:?}").contains("s3cret"));
        let sender = SimulatedSender::event_mesh("a.example.com").with_authorization(basic);
        assert!(!format!("{sender:?}").contains("s3cret"));
        assert!(!format!("{sender:?}").contains("dXNlcjpzM2NyZXQ"));
    }
}
