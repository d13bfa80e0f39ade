//! Deliveries a simulated sender makes (CloudEvents structured, binary and batch; Event Grid
//! arrays; plain messages) and what the sender does next with the answer (protocol.md §6).

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde_json::Value;

use super::exchange::{Exchange, ReceivedAnswer};
use super::kind::Kind;
use super::verdict::Violation;
use crate::cloudevents::is_json_media_type;

/// A delivery to send: its body and the headers that belong to its content mode. The sender
/// adds its own (`Authorization`, `WebHook-Request-Origin`, `aeg-subscription-name`, …) where
/// the delivery does not set them.
///
/// ```
/// use serde_json::json;
/// use webhook_runtime::testing::SimulatedDelivery;
///
/// let event = json!({"specversion": "1.0", "id": "A-1", "source": "/orders",
///                    "type": "com.example.order.created", "data": {"order_id": "o-1"}});
/// let binary = SimulatedDelivery::binary(event.clone());
/// assert_eq!(binary.headers()["ce-id"], "A-1");
/// assert_eq!(binary.headers()["content-type"], "application/json");
/// assert_eq!(binary.body().as_ref(), br#"{"order_id":"o-1"}"#);
///
/// let structured = SimulatedDelivery::structured(event);
/// assert_eq!(structured.headers()["content-type"], "application/cloudevents+json; charset=utf-8");
/// ```
#[derive(Debug, Clone)]
pub struct SimulatedDelivery {
    headers: HeaderMap,
    body: Bytes,
}

impl SimulatedDelivery {
    /// One CloudEvent in structured mode: the event as a JSON object,
    /// `application/cloudevents+json; charset=utf-8`.
    pub fn structured(event: Value) -> Self {
        Self::json("application/cloudevents+json; charset=utf-8", &event)
    }

    /// CloudEvents in batch mode: a JSON array, `application/cloudevents-batch+json;
    /// charset=utf-8`.
    pub fn batch(events: impl IntoIterator<Item = Value>) -> Self {
        let events: Vec<Value> = events.into_iter().collect();
        Self::json(
            "application/cloudevents-batch+json; charset=utf-8",
            &Value::Array(events),
        )
    }

    /// One CloudEvent in binary mode, made from the event written as a structured JSON object:
    /// every attribute but the data becomes a percent-encoded `ce-` header (a JSON `null`
    /// attribute is left out), `datacontenttype` becomes `Content-Type` (`application/json`
    /// when the event has `data` and no `datacontenttype`), and the body is the data: decoded
    /// `data_base64`, the JSON text of `data` under a JSON content type, or a string `data`'s
    /// own text under any other.
    ///
    /// # Panics
    ///
    /// If `event` is not a JSON object, or an attribute name cannot be a header name.
    pub fn binary(event: Value) -> Self {
        let Value::Object(mut attributes) = event else {
            panic!("a binary-mode delivery is made from an event written as a JSON object");
        };
        let data = attributes.remove("data");
        let data_base64 = attributes.remove("data_base64");
        let content_type = match attributes.remove("datacontenttype") {
            Some(Value::String(content_type)) => Some(content_type),
            Some(Value::Null) | None => data.as_ref().map(|_| "application/json".to_owned()),
            Some(other) => Some(other.to_string()),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &attributes {
            let text = match value {
                Value::Null => continue,
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let name = HeaderName::from_bytes(format!("ce-{name}").as_bytes())
                .unwrap_or_else(|_| panic!("attribute {name:?} cannot be a ce- header"));
            let value = HeaderValue::from_str(&percent_encode(&text))
                .expect("a percent-encoded value is visible ASCII");
            headers.append(name, value);
        }
        if let Some(content_type) = &content_type {
            headers.insert(
                header::CONTENT_TYPE,
                super::handshake::header_value(content_type, "datacontenttype"),
            );
        }
        let body = match (data_base64, data) {
            (Some(Value::String(encoded)), _) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(&encoded)
                    .map(Bytes::from)
                    .unwrap_or_else(|_| Bytes::from(encoded))
            }
            (_, Some(Value::String(text)))
                if content_type
                    .as_deref()
                    .is_some_and(|ct| !is_json_media_type(ct)) =>
            {
                Bytes::from(text)
            }
            (_, Some(data)) => Bytes::from(data.to_string()),
            (_, None) => Bytes::new(),
        };
        Self { headers, body }
    }

    /// An Azure Event Grid notification (Event Grid schema): a JSON array of events,
    /// `application/json; charset=utf-8`, `aeg-event-type: Notification`,
    /// `aeg-metadata-version: 1` and the first event's `dataVersion` as `aeg-data-version`.
    pub fn event_grid(events: impl IntoIterator<Item = Value>) -> Self {
        let events: Vec<Value> = events.into_iter().collect();
        let data_version = events
            .first()
            .and_then(|event| event.get("dataVersion"))
            .and_then(Value::as_str)
            .and_then(|version| HeaderValue::from_str(version).ok());
        let mut delivery = Self::json("application/json; charset=utf-8", &Value::Array(events));
        let headers = &mut delivery.headers;
        headers.insert("aeg-event-type", HeaderValue::from_static("Notification"));
        headers.insert("aeg-metadata-version", HeaderValue::from_static("1"));
        if let Some(version) = data_version {
            headers.insert("aeg-data-version", version);
        }
        delivery
    }

    /// A plain message, as SAP Event Mesh pushes a queued message that is not a CloudEvent: the
    /// body as is, with its own `Content-Type` (SAP's default is `application/json`).
    ///
    /// # Panics
    ///
    /// If `content_type` is not a valid header value.
    pub fn plain(content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            super::handshake::header_value(content_type, "content type"),
        );
        Self {
            headers,
            body: body.into(),
        }
    }

    /// The same delivery with one more header (replacing any of that name, including one the
    /// sender would add).
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not valid in a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        self.headers
            .insert(name, super::handshake::header_value(value, "header value"));
        self
    }

    /// The headers of the delivery (before the sender adds its own).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    pub(crate) fn into_parts(self) -> (HeaderMap, Bytes) {
        (self.headers, self.body)
    }

    fn json(content_type: &'static str, body: &Value) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self {
            headers,
            body: Bytes::from(body.to_string()),
        }
    }
}

/// Percent-encodes a binary-mode header value (HTTP binding §3.1.3.2): space, `"`, `%` and
/// every byte outside printable ASCII.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_graphic() && byte != b'"' && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What the sender does with a delivery after the answer (protocol.md §6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextAction {
    /// Done: processed or accepted (any 2xx for SAP Event Mesh and CloudEvents senders,
    /// 200–204 for Event Grid).
    Acknowledged,
    /// The delivery failed and comes again later (Event Grid: 10 s, 30 s, 1 min, 5 min, … up
    /// to 24 h; SAP Event Mesh: every 15 minutes, growing to daily).
    RetryLater {
        /// The answer's `Retry-After`, when it had one.
        retry_after: Option<String>,
    },
    /// The sender gives up on the event: dead-lettered where the subscription has a
    /// dead-letter destination, dropped otherwise.
    DeadLetter,
    /// The target is retired (410, W10): the sender stops delivering to it.
    Stop,
}

impl NextAction {
    /// Whether the sender will send the delivery again.
    pub fn is_retry(&self) -> bool {
        matches!(self, NextAction::RetryLater { .. })
    }
}

impl fmt::Display for NextAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextAction::Acknowledged => f.write_str("acknowledged"),
            NextAction::RetryLater {
                retry_after: Some(after),
            } => write!(f, "retry later (Retry-After: {after})"),
            NextAction::RetryLater { retry_after: None } => f.write_str("retry later"),
            NextAction::DeadLetter => f.write_str("dead-letter or drop: not retried"),
            NextAction::Stop => f.write_str("stop delivering: the target is retired"),
        }
    }
}

/// The outcome of one delivery: what the sender does next, the exchange, and any violation.
#[derive(Debug, Clone)]
pub struct DeliveryReport {
    pub(crate) next: NextAction,
    pub(crate) violations: Vec<Violation>,
    pub(crate) exchange: Exchange,
}

impl DeliveryReport {
    /// What the sender does next.
    pub fn next(&self) -> &NextAction {
        &self.next
    }

    /// The answer's status, when an answer came in time.
    pub fn status(&self) -> Option<StatusCode> {
        self.exchange.status()
    }

    /// Departures from the protocol seen in the answer (W6, W7, W8, W11 for a CloudEvents
    /// sender).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The request sent and the answer received.
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }
}

/// protocol.md §6, per sender. No answer at all (timeout, connection failure) is retried by every
/// sender.
pub(crate) fn next_action(kind: Kind, answer: Option<&ReceivedAnswer>) -> NextAction {
    let Some(answer) = answer else {
        return NextAction::RetryLater { retry_after: None };
    };
    let status = answer.status.as_u16();
    let retry = || NextAction::RetryLater {
        retry_after: answer.header("retry-after").map(str::to_owned),
    };
    match kind {
        // QoS 1: any 2xx acknowledges, everything else is redelivered.
        Kind::EventMesh => {
            if answer.status.is_success() {
                NextAction::Acknowledged
            } else {
                retry()
            }
        }
        // 200–204 success; 400, 401, 403, 413 are not retried; every other answer is.
        Kind::EventGrid | Kind::EventGridCloudEvents => match status {
            200..=204 => NextAction::Acknowledged,
            400 | 401 | 403 | 413 => NextAction::DeadLetter,
            _ => retry(),
        },
        // The CloudEvents webhook spec §2 and RFC 7231: 2xx processed or accepted; 410
        // retired; 408, 429 and 5xx are worth another try; a redirect is a failure (W6) to try
        // again; other client errors cannot succeed by repetition.
        Kind::CloudEvents => match status {
            200..=299 => NextAction::Acknowledged,
            410 => NextAction::Stop,
            300..=399 | 408 | 429 | 500..=599 => retry(),
            400..=499 => NextAction::DeadLetter,
            _ => retry(),
        },
    }
}

/// W6, W7, W8 and W11: what the CloudEvents webhook spec asks of a delivery's answer.
pub(crate) fn violations(kind: Kind, answer: Option<&ReceivedAnswer>) -> Vec<Violation> {
    let (Kind::CloudEvents, Some(answer)) = (kind, answer) else {
        return Vec::new();
    };
    let mut violations = Vec::new();
    let status = answer.status;
    if status.is_redirection() {
        violations.push(Violation::Redirect(status));
    }
    if status == StatusCode::TOO_MANY_REQUESTS && !answer.headers.contains_key(header::RETRY_AFTER)
    {
        violations.push(Violation::RetryAfterMissing);
    }
    if status == StatusCode::OK && answer.body.is_empty() {
        violations.push(Violation::EmptyOk);
    }
    if (status == StatusCode::OK || status == StatusCode::CREATED)
        && !answer.body.is_empty()
        && !answer.headers.contains_key(header::CONTENT_TYPE)
    {
        violations.push(Violation::BodyWithoutContentType(status));
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_headers_are_percent_encoded() {
        assert_eq!(percent_encode("a b\"%é~"), "a%20b%22%25%C3%A9~");
        let delivery = SimulatedDelivery::binary(serde_json::json!({
            "specversion": "1.0", "id": "1", "source": "/s", "type": "t",
            "datacontenttype": "text/plain", "data": "hello", "subject": null, "n": 5
        }));
        assert_eq!(delivery.headers()["content-type"], "text/plain");
        assert_eq!(delivery.headers()["ce-n"], "5");
        assert!(!delivery.headers().contains_key("ce-subject"));
        assert!(!delivery.headers().contains_key("ce-datacontenttype"));
        assert_eq!(delivery.body().as_ref(), b"hello");
    }

    #[test]
    fn binary_data_base64_is_decoded() {
        let delivery = SimulatedDelivery::binary(serde_json::json!({
            "specversion": "1.0", "id": "1", "source": "/s", "type": "t",
            "datacontenttype": "application/octet-stream", "data_base64": "AAEC"
        }));
        assert_eq!(delivery.body().as_ref(), [0, 1, 2]);
    }
}
