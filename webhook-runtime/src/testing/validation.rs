//! The sender's side of Azure Event Grid's subscription validation (Event Grid schema; protocol.md §3,
//! seed 002): the validation event, and the verdict on the answer.
//!
//! The answer must be exactly **200** (a 202 is rejected) with a JSON body whose
//! `validationResponse` (camelCase) is the validation code.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::exchange::ReceivedAnswer;
use super::handshake::{header_value, redirect_failure};
use super::verdict::{Failure, HandshakeStatus};
use crate::eventgrid::VALIDATION_EVENT_TYPE;

/// The headers and body of a validation POST: `aeg-event-type: SubscriptionValidation`, the
/// subscription name upper-cased as Event Grid sends it, and the one-event array of seed 002.
pub(crate) fn request(
    subscription: &str,
    code: &str,
    validation_url: Option<&str>,
) -> (HeaderMap, Bytes) {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(
        "aeg-event-type",
        HeaderValue::from_static("SubscriptionValidation"),
    );
    headers.extend(subscription_headers(subscription));
    headers.insert("aeg-metadata-version", HeaderValue::from_static("1"));
    headers.insert("aeg-data-version", HeaderValue::from_static("1"));
    let mut data = json!({ "validationCode": code });
    if let Some(url) = validation_url {
        data["validationUrl"] = json!(url);
    }
    let body = json!([{
        "id": super::sender::random_id(),
        "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/webhook-testing/providers/Microsoft.EventGrid/topics/webhook-testing",
        "subject": "",
        "data": data,
        "eventType": VALIDATION_EVENT_TYPE,
        "eventTime": now(),
        "metadataVersion": "1",
        "dataVersion": "1",
    }]);
    (headers, Bytes::from(body.to_string()))
}

/// `aeg-subscription-name` (upper-cased, as Event Grid sends it) and `aeg-delivery-count`.
pub(crate) fn subscription_headers(subscription: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "aeg-subscription-name",
        header_value(&subscription.to_uppercase(), "subscription name"),
    );
    headers.insert("aeg-delivery-count", HeaderValue::from_static("0"));
    headers
}

/// The current time in RFC 3339, as `eventTime`.
pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "2024-01-01T00:00:00Z".to_owned())
}

/// Event Grid's verdict on the answer to a validation event.
pub(crate) fn judge(code: &str, answer: &ReceivedAnswer) -> HandshakeStatus {
    if answer.status != StatusCode::OK {
        return HandshakeStatus::Failed(redirect_failure(answer).unwrap_or(Failure::NotOk {
            status: answer.status,
        }));
    }
    let received = serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|body| match body.get("validationResponse")? {
            serde_json::Value::String(text) => Some(text.clone()),
            other => Some(other.to_string()),
        });
    if received.as_deref() == Some(code) {
        HandshakeStatus::Completed
    } else {
        HandshakeStatus::Failed(Failure::ValidationResponse {
            expected: code.to_owned(),
            received,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> ReceivedAnswer {
        ReceivedAnswer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    #[test]
    fn only_an_exact_200_with_the_code_validates() {
        assert_eq!(
            judge("c-1", &answer(200, r#"{"validationResponse":"c-1"}"#)),
            HandshakeStatus::Completed
        );
        assert_eq!(
            judge("c-1", &answer(202, r#"{"validationResponse":"c-1"}"#)),
            HandshakeStatus::Failed(Failure::NotOk {
                status: StatusCode::ACCEPTED
            })
        );
        assert_eq!(
            judge("c-1", &answer(200, r#"{"ValidationResponse":"c-1"}"#)),
            HandshakeStatus::Failed(Failure::ValidationResponse {
                expected: "c-1".to_owned(),
                received: None
            })
        );
        assert_eq!(
            judge("c-1", &answer(200, r#"{"validationResponse":1}"#)),
            HandshakeStatus::Failed(Failure::ValidationResponse {
                expected: "c-1".to_owned(),
                received: Some("1".to_owned())
            })
        );
    }
}
