//! The sender's verdicts: a subscription's handshake status as SAP Event Mesh names it (seed
//! 000, D17), why a handshake failed, and protocol violations worth reporting.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use super::exchange::{Exchange, TokenError, TransportError, seconds, status_line};

/// The handshake status of a subscription, as SAP Event Mesh names it (seed 000).
///
/// Running a handshake ends in [`Completed`](Self::Completed) or [`Failed`](Self::Failed) (D17);
/// [`Requested`](Self::Requested) is the state while the answer is awaited.
/// [`NotInitiated`](Self::NotInitiated) and [`Exempted`](Self::Exempted) are states of a
/// [`Subscription`](super::Subscription): "not run yet" and "handshake skipped by the
/// subscription".
///
/// ```
/// use http::StatusCode;
/// use webhook_runtime::testing::{Failure, HandshakeStatus};
///
/// assert!(HandshakeStatus::Exempted.allows_delivery());
/// let failed = HandshakeStatus::Failed(Failure::NoConsent { status: StatusCode::FORBIDDEN });
/// assert!(!failed.allows_delivery());
/// assert_eq!(failed.to_string(), format!("Failed ({})", failed.failure().unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeStatus {
    /// The sender has not started the handshake yet.
    NotInitiated,
    /// The handshake request is sent and its answer awaited.
    Requested,
    /// The endpoint consented: deliveries may start.
    Completed,
    /// The endpoint did not consent; the sender keeps the subscription paused.
    Failed(Failure),
    /// The subscription skips the handshake ("Exempt Handshake"): deliveries start without it.
    Exempted,
}

impl HandshakeStatus {
    /// Whether deliveries may be sent: [`Completed`](Self::Completed) or
    /// [`Exempted`](Self::Exempted).
    ///
    /// ```
    /// use webhook_runtime::testing::HandshakeStatus;
    ///
    /// // A sender holds its deliveries until the handshake completes.
    /// assert!(!HandshakeStatus::Requested.allows_delivery());
    /// assert!(HandshakeStatus::Completed.allows_delivery());
    /// ```
    pub fn allows_delivery(&self) -> bool {
        matches!(self, HandshakeStatus::Completed | HandshakeStatus::Exempted)
    }

    /// The failure, when the handshake failed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_runtime::testing::{Failure, HandshakeStatus};
    ///
    /// let status = HandshakeStatus::Failed(Failure::Timeout(Duration::from_secs(30)));
    /// assert_eq!(status.failure(), Some(&Failure::Timeout(Duration::from_secs(30))));
    /// assert_eq!(HandshakeStatus::Completed.failure(), None);
    /// ```
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            HandshakeStatus::Failed(failure) => Some(failure),
            _ => None,
        }
    }
}

impl fmt::Display for HandshakeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeStatus::NotInitiated => f.write_str("Not Initiated"),
            HandshakeStatus::Requested => f.write_str("Requested"),
            HandshakeStatus::Completed => f.write_str("Completed"),
            HandshakeStatus::Failed(failure) => write!(f, "Failed ({failure})"),
            HandshakeStatus::Exempted => f.write_str("Exempted"),
        }
    }
}

/// Why a handshake failed, by the sender's rules (protocol.md §2–§3).
///
/// ```
/// use webhook_runtime::testing::{Failure, HandshakeStatus, SimulatedSender, Target};
///
/// # use axum::Router;
/// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
/// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
/// let target = Target::router(app, "/orders");
/// // An origin the endpoint does not allow gets no consent header.
/// let report = SimulatedSender::cloudevents("intruder.example.com").handshake(&target).await;
/// assert!(matches!(report.status().failure(), Some(Failure::NoConsent { .. })));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The answer carries no `WebHook-Allowed-Origin`: no consent, whatever the status (P11,
    /// P12).
    NoConsent {
        /// The answer's status.
        status: StatusCode,
    },
    /// `WebHook-Allowed-Origin` is neither the requested origin byte for byte nor `*` (P14),
    /// e.g. another origin, or the requested one in other letter case.
    OriginMismatch {
        /// The `WebHook-Request-Origin` sent.
        requested: String,
        /// The `WebHook-Allowed-Origin` value(s) received, joined by `, `.
        allowed: String,
    },
    /// A redirect: senders never follow one (W6).
    Redirected {
        /// The 3xx status.
        status: StatusCode,
        /// Its `Location`, when sent.
        location: Option<String>,
    },
    /// Event Grid validation: any status but exactly 200 (a 202 is rejected, protocol.md §3).
    NotOk {
        /// The answer's status.
        status: StatusCode,
    },
    /// Event Grid validation: the 200 carries no JSON `validationResponse` equal to the code.
    ValidationResponse {
        /// The validation code sent.
        expected: String,
        /// The `validationResponse` received (JSON text when it is not a string), if any.
        received: Option<String>,
    },
    /// No answer within the time limit (Event Grid's is 30 s).
    Timeout(Duration),
    /// No answer at all: connection refused, TLS failure, a body that broke off.
    Unreachable(String),
    /// Nothing was sent: the sender could not get its access token (OAuth2 client
    /// credentials), so no consent could be asked for.
    Token(TokenError),
}

impl From<TransportError> for Failure {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::Timeout(limit) => Failure::Timeout(limit),
            TransportError::Unreachable(reason) => Failure::Unreachable(reason),
            TransportError::Token(error) => Failure::Token(error),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoConsent { status } => write!(
                f,
                "no consent: the {} answer carries no WebHook-Allowed-Origin",
                status_line(*status)
            ),
            Failure::OriginMismatch { requested, allowed } => write!(
                f,
                "origin echoed wrong: WebHook-Allowed-Origin is {allowed:?}, neither the requested \
                 {requested:?} byte for byte nor \"*\""
            ),
            Failure::Redirected { status, location } => {
                write!(f, "redirected: {}", status_line(*status))?;
                if let Some(location) = location {
                    write!(f, " to {location:?}")?;
                }
                f.write_str(", and senders never follow redirects")
            }
            Failure::NotOk { status } if *status == StatusCode::ACCEPTED => {
                f.write_str("202 instead of 200: Event Grid rejects a 202 to its validation event")
            }
            Failure::NotOk { status } => write!(
                f,
                "{} instead of 200 to the validation event",
                status_line(*status)
            ),
            Failure::ValidationResponse {
                expected,
                received: Some(received),
            } => write!(
                f,
                "validation code wrong: validationResponse is {received:?}, not {expected:?}"
            ),
            Failure::ValidationResponse {
                expected,
                received: None,
            } => write!(
                f,
                "validation code missing: the 200 carries no JSON validationResponse (expected \
                 {expected:?}); only a manual GET of validationUrl could still validate"
            ),
            Failure::Timeout(limit) => write!(f, "timeout: no answer within {}", seconds(*limit)),
            Failure::Unreachable(reason) => write!(f, "unreachable: {reason}"),
            Failure::Token(error) => write!(f, "no access token: {error}"),
        }
    }
}

/// A departure from the protocol that does not change what the sender does next, but that a
/// stricter sender may hold against the endpoint.
///
/// ```
/// use webhook_runtime::testing::Violation;
///
/// // Each names the rule it breaks, for a test's failure message.
/// assert!(Violation::RetryAfterMissing.to_string().starts_with("W11"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// Consent without `WebHook-Allowed-Rate` although a rate was requested (P15: MUST).
    MissingAllowedRate,
    /// `WebHook-Allowed-Rate` is neither `*` nor a positive integer (P15).
    InvalidAllowedRate(String),
    /// The consent carries no `Allow` header listing `POST` (P13: SHOULD).
    AllowWithoutPost,
    /// A redirect answered a CloudEvents delivery (W6: MUST NOT).
    Redirect(StatusCode),
    /// A 429 without `Retry-After` (W11: MUST).
    RetryAfterMissing,
    /// A 200 with an empty body: a processed delivery without payload is 201 or 204 (W8).
    EmptyOk,
    /// A 200 or 201 with a body but no `Content-Type` (W7: MUST).
    BodyWithoutContentType(StatusCode),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::MissingAllowedRate => f.write_str(
                "P15: a rate was requested but the consent carries no WebHook-Allowed-Rate",
            ),
            Violation::InvalidAllowedRate(value) => write!(
                f,
                "P15: WebHook-Allowed-Rate {value:?} is neither \"*\" nor a positive integer"
            ),
            Violation::AllowWithoutPost => {
                f.write_str("P13: the consent carries no Allow header listing POST")
            }
            Violation::Redirect(status) => write!(
                f,
                "W6: {} answered a delivery; a webhook must not redirect",
                status_line(*status)
            ),
            Violation::RetryAfterMissing => {
                f.write_str("W11: 429 without Retry-After (it must say when to come back)")
            }
            Violation::EmptyOk => f.write_str(
                "W8: 200 with an empty body; a processed delivery without payload is 201 or 204",
            ),
            Violation::BodyWithoutContentType(status) => write!(
                f,
                "W7: {} with a body but no Content-Type",
                status_line(*status)
            ),
        }
    }
}

/// The outcome of one handshake run: the verdict, the exchange it was drawn from, and any
/// violation seen on the way.
///
/// ```
/// use webhook_runtime::testing::{SimulatedSender, Target};
///
/// # use axum::Router;
/// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
/// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
/// let target = Target::router(app, "/orders");
/// let report = SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await;
/// assert!(report.is_completed(), "{:?}", report.exchange());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HandshakeReport {
    pub(crate) status: HandshakeStatus,
    pub(crate) exchange: Exchange,
    pub(crate) violations: Vec<Violation>,
}

impl HandshakeReport {
    /// The verdict: [`HandshakeStatus::Completed`] or [`HandshakeStatus::Failed`].
    ///
    /// ```
    /// use webhook_runtime::testing::{HandshakeStatus, SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
    /// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
    /// let target = Target::router(app, "/orders");
    /// let report = SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await;
    /// assert_eq!(report.status(), &HandshakeStatus::Completed);
    /// # }
    /// ```
    pub fn status(&self) -> &HandshakeStatus {
        &self.status
    }

    /// Whether the handshake completed.
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
    /// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
    /// let target = Target::router(app, "/orders");
    /// assert!(SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await.is_completed());
    /// # }
    /// ```
    pub fn is_completed(&self) -> bool {
        self.status == HandshakeStatus::Completed
    }

    /// The request sent and the answer received.
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
    /// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
    /// let target = Target::router(app, "/orders");
    /// let report = SimulatedSender::cloudevents("eventemitter.example.com").handshake(&target).await;
    /// assert_eq!(report.exchange().request.method, http::Method::OPTIONS);
    /// assert_eq!(report.exchange().status(), Some(http::StatusCode::OK));
    /// # }
    /// ```
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// Departures from the protocol that did not decide the verdict.
    ///
    /// ```
    /// use webhook_runtime::testing::{SimulatedSender, Target};
    ///
    /// # use axum::Router;
    /// # use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
    /// # let app = Router::new().route("/orders", route::cloudevents(CloudEventsConfig::new().with_origins(origins), |_: CloudEvent<u32>| async {}));
    /// let target = Target::router(app, "/orders");
    /// let sender = SimulatedSender::cloudevents("eventemitter.example.com").with_rate(60);
    /// let report = sender.handshake(&target).await;
    /// assert!(report.violations().is_empty(), "{:?}", report.violations());
    /// # }
    /// ```
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}
