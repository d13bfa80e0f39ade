//! What a handler says about an event, and what each sender understands by it (protocol.md §6).
//!
//! A handler may return an [`Outcome`] (alone, or inside a `Result` on either side) beside the
//! plain `IntoResponse` returns. The route maps it to the status its [`Sender`] acts on:
//!
//! | outcome | CloudEvents webhook sender | Azure Event Grid | SAP Event Mesh |
//! |---|---|---|---|
//! | `Ack` | 204 | 200 | 204 |
//! | `Retry { after }` | 503 + `Retry-After` | 503 (+ `Retry-After`), retried on Event Grid's schedule | 503 (+ `Retry-After`), redelivered |
//! | `Reject { reason }` | 400 + reason | 400 + reason: dead-lettered, never retried | **204**, and the event goes to the dead-letter hook |
//!
//! SAP Event Mesh redelivers every answer that is not 2xx until the message expires, so a 4xx
//! would make a poison message loop; the route acknowledges it and hands it to
//! [`CloudEventsConfig::on_dead_letter`](crate::CloudEventsConfig::on_dead_letter) (by default one `warn` log line).
//!
//! ```
//! use webhook_runtime::{CloudEvent, Outcome, webhook};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String, amount: f64 }
//!
//! #[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
//! async fn orders(event: CloudEvent<Order>) -> Outcome {
//!     if event.data().amount < 0.0 {
//!         return Outcome::reject("negative amount");
//!     }
//!     Outcome::Ack
//! }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

/// The `Retry-After` of a [`Outcome::Retry`] that names no delay: 30 seconds.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// A handler's verdict on an event: done, try later, or give up.
///
/// ```
/// use webhook_runtime::Outcome;
///
/// fn outcome_of(stored: Result<(), std::io::Error>) -> Outcome {
///     match stored {
///         Ok(()) => Outcome::Ack,
///         Err(_) => Outcome::retry(),
///     }
/// }
/// assert_eq!(outcome_of(Ok(())), Outcome::Ack);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Processed: the sender can forget the event.
    Ack,
    /// Not processed now; the sender should deliver it again, after `after` when given
    /// (otherwise [`DEFAULT_RETRY_AFTER`]).
    Retry {
        /// How long the sender should wait.
        after: Option<Duration>,
    },
    /// Never processable: retrying cannot help.
    Reject {
        /// A one-line reason, sent to the sender (and to the dead-letter hook on SAP Event Mesh).
        reason: Cow<'static, str>,
    },
}

impl Outcome {
    /// [`Outcome::Retry`] without a delay of its own.
    ///
    /// ```
    /// use webhook_runtime::Outcome;
    ///
    /// assert_eq!(Outcome::retry(), Outcome::Retry { after: None });
    /// ```
    pub fn retry() -> Self {
        Outcome::Retry { after: None }
    }

    /// [`Outcome::Retry`] after `after`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_runtime::Outcome;
    ///
    /// // The database is down: ask again in a minute rather than at the sender's default pace.
    /// let outcome = Outcome::retry_after(Duration::from_secs(60));
    /// assert_eq!(outcome, Outcome::Retry { after: Some(Duration::from_secs(60)) });
    /// ```
    pub fn retry_after(after: Duration) -> Self {
        Outcome::Retry { after: Some(after) }
    }

    /// [`Outcome::Reject`] with a reason.
    ///
    /// ```
    /// use webhook_runtime::Outcome;
    ///
    /// let outcome = Outcome::reject(format!("unknown currency {}", "XYZ"));
    /// assert_eq!(outcome, Outcome::Reject { reason: "unknown currency XYZ".into() });
    /// ```
    pub fn reject(reason: impl Into<Cow<'static, str>>) -> Self {
        Outcome::Reject {
            reason: reason.into(),
        }
    }

    /// The answer `sender` acts on as this outcome says. A `Reject` for SAP Event Mesh is
    /// acknowledged here: the route hands the event to the dead-letter hook.
    ///
    /// ```
    /// use http::StatusCode;
    /// use webhook_runtime::{Outcome, Sender};
    ///
    /// let reject = Outcome::reject("bad order");
    /// assert_eq!(reject.response_for(Sender::CloudEvents).status(), StatusCode::BAD_REQUEST);
    /// // SAP Event Mesh would redeliver a 400 forever.
    /// assert_eq!(reject.response_for(Sender::SapEventMesh).status(), StatusCode::NO_CONTENT);
    ///
    /// let retry = Outcome::retry().response_for(Sender::EventGrid);
    /// assert_eq!(retry.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// assert_eq!(retry.headers()["retry-after"], "30");
    /// ```
    pub fn response_for(&self, sender: Sender) -> Response {
        match self {
            Outcome::Ack if sender == Sender::EventGrid => StatusCode::OK.into_response(),
            Outcome::Ack => crate::no_content::no_content(),
            Outcome::Retry { after } => {
                let seconds = after.unwrap_or(DEFAULT_RETRY_AFTER).as_secs_f64().ceil() as u64;
                let mut response = plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not processed now: deliver again later",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
                response
            }
            Outcome::Reject { .. } if sender == Sender::SapEventMesh => {
                crate::no_content::no_content()
            }
            Outcome::Reject { reason } => plain(StatusCode::BAD_REQUEST, reason),
        }
    }
}

/// A plain-text answer with a one-line reason.
fn plain(status: StatusCode, reason: &str) -> Response {
    let mut response = (status, format!("{reason}\n")).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Outside a webhook route an outcome answers as for the generic CloudEvents sender; inside one,
/// the route maps it for its sender.
impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let mut response = self.response_for(Sender::CloudEvents);
        response.extensions_mut().insert(Returned(self));
        response
    }
}

/// The outcome a response was made from, for the route to map it for its sender.
#[derive(Clone)]
pub(crate) struct Returned(pub(crate) Outcome);

/// Who delivers to a route, which decides what its answers mean (protocol.md §6).
///
/// ```
/// use webhook_runtime::Sender;
///
/// // Read from the environment or a config file by the same names the attribute uses.
/// let sender: Sender = "sap_event_mesh".parse().unwrap();
/// assert_eq!(sender, Sender::SapEventMesh);
/// assert_eq!(Sender::default(), Sender::CloudEvents);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Sender {
    /// A sender following the CloudEvents HTTP webhook specification (the default of
    /// `schema = cloudevents`).
    #[default]
    CloudEvents,
    /// Azure Event Grid, in either schema (the only sender of `schema = eventgrid`).
    EventGrid,
    /// SAP Event Mesh (QoS 1 webhook subscriptions): redelivers every answer that is not 2xx.
    SapEventMesh,
}

impl Sender {
    /// The name used in the attribute, the environment and logs.
    ///
    /// ```
    /// use webhook_runtime::Sender;
    ///
    /// assert_eq!(Sender::EventGrid.as_str(), "eventgrid");
    /// assert_eq!(Sender::EventGrid.to_string(), "eventgrid");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::CloudEvents => "cloudevents",
            Sender::EventGrid => "eventgrid",
            Sender::SapEventMesh => "sap_event_mesh",
        }
    }
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sender {
    type Err = UnknownSender;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim() {
            "cloudevents" => Ok(Sender::CloudEvents),
            "eventgrid" => Ok(Sender::EventGrid),
            "sap_event_mesh" => Ok(Sender::SapEventMesh),
            _ => Err(UnknownSender),
        }
    }
}

/// A sender name that is not `cloudevents`, `eventgrid` or `sap_event_mesh`.
///
/// ```
/// use webhook_runtime::Sender;
/// use webhook_runtime::outcome::UnknownSender;
///
/// assert_eq!("azure".parse::<Sender>(), Err(UnknownSender));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownSender;

impl fmt::Display for UnknownSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected one of `cloudevents`, `eventgrid`, `sap_event_mesh`")
    }
}

impl std::error::Error for UnknownSender {}

/// An event its handler rejected on a route whose sender cannot be told (SAP Event Mesh): it was
/// acknowledged, and is handed to [`CloudEventsConfig::on_dead_letter`](crate::CloudEventsConfig::on_dead_letter) to
/// be kept or reported.
///
/// ```
/// use webhook_runtime::outcome::DeadLetter;
///
/// // A hook that keeps enough to find the event again in the sender's logs.
/// fn describe(letter: &DeadLetter<'_>) -> String {
///     format!("event {} rejected: {}", letter.event.id.unwrap_or("?"), letter.reason)
/// }
/// # let body = bytes::Bytes::new();
/// # let event = webhook_runtime::outcome::EventRef { id: Some("A1"), ..Default::default() };
/// # let letter = DeadLetter { reason: "bad order", event, content_type: None, body: &body };
/// assert_eq!(describe(&letter), "event A1 rejected: bad order");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DeadLetter<'a> {
    /// The reason the handler gave.
    pub reason: &'a str,
    /// The rejected event's attributes.
    pub event: EventRef<'a>,
    /// The `Content-Type` of the delivery that carried it.
    pub content_type: Option<&'a str>,
    /// The body of that delivery, as received (for a batch: the whole batch; `index` in
    /// [`EventRef`] says which event).
    pub body: &'a Bytes,
}

/// Which event of a delivery: its position and identifying attributes, when it has them.
///
/// ```
/// use webhook_runtime::outcome::EventRef;
///
/// let third = EventRef { index: 2, id: Some("A3"), ..EventRef::default() };
/// assert_eq!(third.source, None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// Position in the delivery (0 for a single event).
    pub index: usize,
    /// `id`, when the event has one (plain messages have none).
    pub id: Option<&'a str>,
    /// CloudEvents `source` (Event Grid: none).
    pub source: Option<&'a str>,
    /// `type` (Event Grid: `eventType`).
    pub event_type: Option<&'a str>,
}

/// The default dead-letter hook: one `warn` line with the event's attributes and the reason.
pub(crate) fn log_dead_letter(letter: &DeadLetter<'_>) {
    tracing::warn!(
        index = letter.event.index,
        id = letter.event.id,
        source = letter.event.source,
        event_type = letter.event.event_type,
        reason = letter.reason,
        "event rejected by the handler and acknowledged (dead letter)"
    );
}
