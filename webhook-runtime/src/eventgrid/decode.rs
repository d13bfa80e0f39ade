//! Decoding an Event Grid POST (protocol.md §3, §5, D23): `aeg-event-type` says what it is, and the
//! body is checked whole before anything is answered or handed on: every event of a
//! notification, or the one validation or deletion event.
//!
//! Notifications are decoded in one pass where they can be ([`one_pass`](super::one_pass));
//! [`decode_general`] decides everything else and words every refusal.

use std::borrow::Cow;

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::AEG_EVENT_TYPE;
use super::deletion::{DELETION_EVENT_TYPE, DeletionNotice};
use super::event::{EventGridEvent, is_lifecycle_event_type};
use super::one_pass::OnePassEvent;
use super::validation::{VALIDATION_EVENT_TYPE, ValidationRequest};
use crate::data::{self, DataSource};
use crate::interned::interned;
use crate::json::{IndexedArray, Parser, Text, malformed};
use crate::rejection::{Rejection, quoted};

/// What an Event Grid POST carries: events `Ev` for the handler, or one of Event Grid's own
/// subscription events, which come in the Event Grid schema whatever the subscription's delivery
/// schema (protocol.md §3, G1).
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::eventgrid::{Delivery, decode};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("aeg-event-type", "SubscriptionDeletion".parse().unwrap());
/// let body = br#"[{"id":"1","subject":"","eventType":"Microsoft.EventGrid.SubscriptionDeletedEvent",
///     "eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"eventSubscriptionId":"/subs/orders"}}]"#;
/// let Delivery::Deletion(notice) = decode::<serde_json::Value>(&headers, body).unwrap() else {
///     panic!("not a deletion");
/// };
/// assert_eq!(notice.event_subscription_id.as_deref(), Some("/subs/orders"));
/// ```
#[derive(Debug)]
pub enum Delivery<Ev> {
    /// Events for the handler (`aeg-event-type: Notification`, or no such header: D23).
    Notification(Vec<Ev>),
    /// A subscription validation (`aeg-event-type: SubscriptionValidation`).
    Validation(ValidationRequest),
    /// The subscription was deleted (`aeg-event-type: SubscriptionDeletion`).
    Deletion(DeletionNotice),
}

/// What a POST to a subscription in the Event Grid schema carries.
pub type EventGridDelivery<T> = Delivery<EventGridEvent<T>>;

/// What `aeg-event-type` says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Notification,
    Subscription(SubscriptionKind),
}

/// Which of Event Grid's own subscription events a POST announces.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SubscriptionKind {
    Validation,
    Deletion,
}

/// Reads `aeg-event-type`; without one, a POST is a notification (D23).
pub(super) fn kind(headers: &HeaderMap) -> Result<Kind, Rejection> {
    let Some(value) = crate::headers::first(headers, &AEG_EVENT_TYPE) else {
        return Ok(Kind::Notification);
    };
    let value = value.as_bytes();
    if value.eq_ignore_ascii_case(b"Notification") {
        Ok(Kind::Notification)
    } else if value.eq_ignore_ascii_case(b"SubscriptionValidation") {
        Ok(Kind::Subscription(SubscriptionKind::Validation))
    } else if value.eq_ignore_ascii_case(b"SubscriptionDeletion") {
        Ok(Kind::Subscription(SubscriptionKind::Deletion))
    } else {
        Err(Rejection::bad_request(
            "aeg-event-type must be Notification, SubscriptionValidation or SubscriptionDeletion",
        ))
    }
}

/// One event as parsed: strings checked later, data kept as `D`: JSON text for the general
/// decoder, the handler's type when decoded in one pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "D: Deserialize<'de>")]
pub(super) struct RawGridEvent<'a, D> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    topic: Option<Text<'a>>,
    #[serde(borrow)]
    subject: Option<Text<'a>>,
    #[serde(borrow)]
    event_type: Option<Text<'a>>,
    #[serde(borrow)]
    event_time: Option<Text<'a>>,
    #[serde(default, deserialize_with = "present")]
    data: Option<D>,
    #[serde(borrow)]
    data_version: Option<Text<'a>>,
    #[serde(borrow)]
    metadata_version: Option<Text<'a>>,
}

/// Keeps `"data": null` as present (JSON `null`), unlike `Option`'s default.
fn present<'de, De: serde::Deserializer<'de>, D: Deserialize<'de>>(
    d: De,
) -> Result<Option<D>, De::Error> {
    D::deserialize(d).map(Some)
}

fn required<'a>(value: Option<Text<'a>>, field: &str) -> Result<Cow<'a, str>, Rejection> {
    value
        .map(|Text(text)| text)
        .ok_or_else(|| Rejection::bad_request(format!("missing required field `{field}`")))
}

fn non_empty<'a>(value: Option<Text<'a>>, field: &str) -> Result<Cow<'a, str>, Rejection> {
    let value = required(value, field)?;
    if value.is_empty() {
        return Err(Rejection::bad_request(format!(
            "field `{field}` must not be empty"
        )));
    }
    Ok(value)
}

impl RawGridEvent<'_, &RawValue> {
    fn data_bytes(&self) -> Option<&[u8]> {
        self.data.map(|raw| raw.get().as_bytes())
    }

    pub(super) fn into_event<T: DeserializeOwned>(
        self,
    ) -> Result<Option<EventGridEvent<T>>, Rejection> {
        self.into_event_with(|raw, ty| {
            data::decode(DataSource::Json(raw.get().as_bytes()), None, ty)
        })
    }
}

impl<D> RawGridEvent<'_, D> {
    fn event_type(&self) -> &str {
        self.event_type.as_ref().map_or("", |Text(text)| text)
    }

    /// Checks every field, then gets the data from `data` (given the event type).
    fn into_event_with<T>(
        self,
        data: impl FnOnce(D, &str) -> Result<Option<T>, Rejection>,
    ) -> Result<Option<EventGridEvent<T>>, Rejection> {
        let id = non_empty(self.id, "id")?.into_owned();
        let subject = required(self.subject, "subject")?.into_owned();
        let event_type = non_empty(self.event_type, "eventType")?.into_owned();
        let event_time = required(self.event_time, "eventTime")?;
        let event_time = OffsetDateTime::parse(&event_time, &Rfc3339).map_err(|_| {
            Rejection::bad_request("field `eventTime` must be an RFC 3339 timestamp")
        })?;
        let raw = self
            .data
            .ok_or_else(|| Rejection::bad_request("missing required field `data`"))?;
        let data_version = required(self.data_version, "dataVersion")?;
        let Some(data) = data(raw, &event_type)? else {
            return Ok(None);
        };
        Ok(Some(EventGridEvent {
            id,
            topic: self.topic.map(|Text(topic)| topic.into_owned()),
            subject,
            event_type,
            event_time,
            data_version: interned(data_version),
            metadata_version: self.metadata_version.map(|Text(v)| interned(v)),
            data,
        }))
    }
}

/// Decodes an Event Grid POST: classifies it by `aeg-event-type` and checks it whole.
///
/// A validation or deletion delivery holds exactly one event of the matching type; a
/// notification holds events for the handler, and a validation or deletion event inside it is a
/// 400 (D23), never echoed and never handed to the handler. Errors name the event's index.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::eventgrid::{Delivery, decode};
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u32 }
///
/// let body = br#"[{"id":"e1","subject":"orders/1","eventType":"Shop.OrderPlaced",
///     "eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"id":7}}]"#;
/// let Delivery::Notification(events) = decode::<Order>(&HeaderMap::new(), body).unwrap() else {
///     panic!("not a notification");
/// };
/// assert_eq!(events[0].data().id, 7);
/// assert_eq!(events[0].event_type(), "Shop.OrderPlaced");
/// ```
pub fn decode<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<EventGridDelivery<T>, Rejection> {
    decode_with(Parser::EVENT_GRID, headers, body)
}

/// [`decode`], its one pass parsed by `parser`.
pub(crate) fn decode_with<T: DeserializeOwned>(
    parser: Parser,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<EventGridDelivery<T>, Rejection> {
    let kind = kind(headers)?;
    if kind == Kind::Notification
        && let Some(events) = parser.one_pass_array::<OnePassEvent<'_, T>>(body)
    {
        return Ok(EventGridDelivery::Notification(events));
    }
    decode_general(kind, body)
}

/// [`decode`] without the one-pass decoder: every event read with its fields kept as raw JSON,
/// then checked and typed. It decides whatever the one pass leaves, and names the problem.
fn decode_general<T: DeserializeOwned>(
    kind: Kind,
    body: &[u8],
) -> Result<EventGridDelivery<T>, Rejection> {
    let events = raw_events(body)?;
    if let Kind::Subscription(kind) = kind {
        return subscription_event(kind, events);
    }
    // Sized once: collecting a filtered iterator would grow the vector step by step.
    let mut typed = Vec::with_capacity(events.len());
    for (index, event) in events.into_iter().enumerate() {
        let ty = event.event_type();
        if is_lifecycle_event_type(ty) {
            return Err(Rejection::bad_request(format!(
                "{} must come alone, with its own aeg-event-type header",
                quoted(ty)
            ))
            .in_event(index));
        }
        if let Some(event) = event.into_event().map_err(|r| r.in_event(index))? {
            typed.push(event);
        }
    }
    Ok(Delivery::Notification(typed))
}

/// Decodes the validation or deletion event of a POST whose `aeg-event-type` announced one. Such
/// events are in the Event Grid schema on every route, a custom input schema subscription's
/// included (G1).
pub(super) fn decode_subscription_event<Ev>(
    kind: SubscriptionKind,
    body: &[u8],
) -> Result<Delivery<Ev>, Rejection> {
    subscription_event(kind, raw_events(body)?)
}

/// The body as a JSON array of Event Grid events, their fields not yet checked.
fn raw_events(body: &[u8]) -> Result<Vec<RawGridEvent<'_, &RawValue>>, Rejection> {
    let IndexedArray(events) =
        serde_json::from_slice::<IndexedArray<RawGridEvent<'_, &RawValue>>>(body)
            .map_err(malformed)?;
    Ok(events)
}

/// The answer to a validation or deletion delivery, from its events.
fn subscription_event<Ev>(
    kind: SubscriptionKind,
    events: Vec<RawGridEvent<'_, &RawValue>>,
) -> Result<Delivery<Ev>, Rejection> {
    match kind {
        SubscriptionKind::Validation => {
            let event = single(events, VALIDATION_EVENT_TYPE, "SubscriptionValidation")?;
            let data = event
                .data_bytes()
                .ok_or_else(|| Rejection::bad_request("the validation event has no data"))?;
            ValidationRequest::from_data(data).map(Delivery::Validation)
        }
        SubscriptionKind::Deletion => {
            let event = single(events, DELETION_EVENT_TYPE, "SubscriptionDeletion")?;
            let notice = match event.data_bytes() {
                Some(data) => serde_json::from_slice(data).map_err(|e| {
                    Rejection::bad_request(format!("invalid subscription deletion data: {e}"))
                })?,
                None => DeletionNotice::default(),
            };
            Ok(Delivery::Deletion(notice))
        }
    }
}

/// The one event of a validation or deletion delivery, of the type its header announced.
fn single<'a, D>(
    events: Vec<RawGridEvent<'a, D>>,
    expected: &str,
    header: &str,
) -> Result<RawGridEvent<'a, D>, Rejection> {
    let count = events.len();
    let mut events = events.into_iter();
    match (events.next(), count) {
        (Some(event), 1) if event.event_type() == expected => Ok(event),
        (Some(event), 1) => Err(Rejection::bad_request(format!(
            "aeg-event-type: {header} needs a `{expected}` event, not {}",
            quoted(event.event_type())
        ))),
        _ => Err(Rejection::bad_request(format!(
            "aeg-event-type: {header} needs exactly one event, not {count}"
        ))),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use http::StatusCode;

    pub(in crate::eventgrid) const SAMPLE: &str = r#"[
  {
    "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
    "topic": "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    "subject": "",
    "data": {
      "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"
    },
    "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
    "eventTime": "2022-10-28T04:23:35.1981776Z",
    "metadataVersion": "1",
    "dataVersion": "1"
  }
]"#;

    pub(in crate::eventgrid) fn headers(kind: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(kind) = kind {
            h.insert("aeg-event-type", kind.parse().unwrap());
        }
        h
    }

    #[test]
    fn validation_sample_is_recognised() {
        let EventGridDelivery::Validation(request) = decode::<serde_json::Value>(
            &headers(Some("SubscriptionValidation")),
            SAMPLE.as_bytes(),
        )
        .unwrap() else {
            panic!("not a validation")
        };
        assert_eq!(
            request.validation_code,
            "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"
        );
        assert!(
            request
                .validation_url
                .unwrap()
                .starts_with("https://rp-eastus2.eventgrid.azure.net:553/")
        );
    }

    #[test]
    fn validation_data_as_an_object_or_a_json_string() {
        let validation = headers(Some("SubscriptionValidation"));
        let code = |body: &str| match decode::<serde_json::Value>(&validation, body.as_bytes()) {
            Ok(EventGridDelivery::Validation(request)) => Ok(request.validation_code),
            Ok(_) => Err("not a validation".to_owned()),
            Err(rejection) => Err(rejection.reason().to_owned()),
        };
        // The data as an object and as a JSON string holding one.
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let mut as_string = sample.clone();
        as_string[0]["data"] = sample[0]["data"].to_string().into();
        for body in [sample.to_string(), as_string.to_string()] {
            assert_eq!(
                code(&body).as_deref(),
                Ok("512d38b6-c7b8-40c8-89fe-f46f9e9622b6")
            );
        }
        // Two events, or no code: refused, saying why.
        let two = format!("[{},{}]", sample[0], sample[0]);
        assert!(code(&two).unwrap_err().contains("exactly one event"));
        let mut no_code = sample.clone();
        no_code[0]["data"] = serde_json::json!({});
        assert!(
            code(&no_code.to_string())
                .unwrap_err()
                .contains("validationCode")
        );
    }

    #[test]
    fn d23_validation_event_in_a_notification_is_400() {
        let err = decode::<serde_json::Value>(&headers(None), SAMPLE.as_bytes()).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(err.reason().starts_with("event 0:"), "{}", err.reason());
    }
}
