//! Decoding a POST to a route whose subscription delivers in the topic's custom input schema
//! (protocol.md G1, G2): `aeg-event-type` says what it is, as on every Event Grid route; a
//! validation or deletion is an Event Grid schema event, decoded as such; a notification is the
//! publisher's objects, each typed and checked before anything is handed on (D8).
//!
//! These routes are not among the measured scenarios (D19), so each object is read twice, once
//! for the check of G2 and once for the handler's type, for clarity rather than speed.

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::custom_input::CustomInput;
use super::decode::{Delivery, Kind, decode_subscription_event, kind};
use super::event::is_lifecycle_event_type;
use crate::data::{self, DataSource};
use crate::json::{IndexedArray, Text, malformed};
use crate::rejection::{Rejection, quoted};

/// What a POST to a custom input schema subscription carries.
pub type CustomInputDelivery<T> = Delivery<CustomInput<T>>;

/// Decodes a POST to a custom input schema route: classifies it by `aeg-event-type` (none: a
/// notification, D23) and checks it whole.
///
/// A validation or deletion is decoded as [`decode`](super::decode) decodes it. A notification's
/// body is a JSON array of the publisher's objects (or one object alone, G2), each decoded into
/// `T` as event data is (D13): a `serde_json::Value` takes any, `bytes::Bytes` the object's JSON
/// text. An object that does not decode, or one whose `eventType` is Event Grid's validation or
/// deletion event, is a 400 for the whole delivery, naming its index.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::eventgrid::{CustomInputDelivery, decode_custom_input};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("aeg-event-type", "Notification".parse().unwrap());
/// let body = br#"[{"myEventTypeField":"Created","resource":"Users/example/Messages/1000"}]"#;
/// match decode_custom_input::<serde_json::Value>(&headers, body).unwrap() {
///     CustomInputDelivery::Notification(events) => {
///         assert_eq!(events[0].data()["resource"], "Users/example/Messages/1000");
///     }
///     _ => unreachable!(),
/// }
/// ```
pub fn decode_custom_input<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<CustomInputDelivery<T>, Rejection> {
    match kind(headers)? {
        Kind::Subscription(kind) => decode_subscription_event(kind, body),
        Kind::Notification => {
            let objects = published_objects(body)?;
            // Sized once: collecting a filtered iterator would grow the vector step by step.
            let mut events = Vec::with_capacity(objects.len());
            for (index, object) in objects.into_iter().enumerate() {
                events.push(typed(object).map_err(|r| r.in_event(index))?);
            }
            Ok(Delivery::Notification(events))
        }
    }
}

/// The published objects of a notification: the elements of a JSON array, or one JSON object
/// alone (G2). Anything else is a 400.
fn published_objects(body: &[u8]) -> Result<Vec<&RawValue>, Rejection> {
    match body.trim_ascii_start().first() {
        Some(b'[') => {
            let IndexedArray(objects) =
                serde_json::from_slice::<IndexedArray<&RawValue>>(body).map_err(malformed)?;
            Ok(objects)
        }
        Some(b'{') => Ok(vec![
            serde_json::from_slice::<&RawValue>(body).map_err(malformed)?,
        ]),
        _ => Err(Rejection::bad_request(
            "a custom input schema delivery is a JSON array of the published events",
        )),
    }
}

/// Only the member that tells Event Grid's own subscription events apart (D23, G2).
#[derive(Deserialize)]
struct EventTypeOnly<'a> {
    #[serde(rename = "eventType", borrow)]
    event_type: Option<Text<'a>>,
}

/// One published object typed for the handler. A validation or deletion event among the objects
/// is refused (G2, as D23 refuses one inside a notification): never echoed, never handed to the
/// handler.
fn typed<T: DeserializeOwned>(object: &RawValue) -> Result<CustomInput<T>, Rejection> {
    let text = object.get();
    // An object of any other shape (or not an object at all) is left for `T` to judge.
    if let Ok(EventTypeOnly {
        event_type: Some(Text(ty)),
    }) = serde_json::from_str::<EventTypeOnly<'_>>(text)
        && is_lifecycle_event_type(&ty)
    {
        return Err(Rejection::bad_request(format!(
            "{} must come alone, with its own aeg-event-type header",
            quoted(&ty)
        )));
    }
    // No event type: the publisher's schema has none that the route knows of. A derived
    // event-type enum that skips such an event would drop every delivery unseen (and Event Grid
    // would count them delivered), so a skip is refused instead (G2).
    match data::decode(DataSource::Json(text.as_bytes()), None, "")? {
        Some(data) => Ok(CustomInput::new(data)),
        None => Err(Rejection::bad_request(
            "the handler's type skips events by their event type, and events in a custom input \
             schema have none: take the publisher's own type",
        )),
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;
    use crate::eventgrid::decode::tests::{SAMPLE, headers};

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Message {
        my_event_type_field: String,
        resource: String,
    }

    /// The published object of Azure's "Map custom fields to Event Grid schema".
    const PUBLISHED: &str = r#"{"myEventTypeField":"Created","resource":"Users/example/Messages/1000","resourceData":{"someDataField1":"SomeDataFieldValue"}}"#;

    fn notification<T: DeserializeOwned>(body: &str) -> Result<Vec<CustomInput<T>>, Rejection> {
        match decode_custom_input::<T>(&headers(None), body.as_bytes())? {
            Delivery::Notification(events) => Ok(events),
            _ => panic!("not a notification"),
        }
    }

    #[test]
    fn g1_g2_an_array_or_one_object_of_published_objects() {
        let expected = Message {
            my_event_type_field: "Created".to_owned(),
            resource: "Users/example/Messages/1000".to_owned(),
        };
        for body in [format!("[{PUBLISHED}]"), format!(" {PUBLISHED}\n")] {
            let events = notification::<Message>(&body).unwrap();
            assert_eq!(events, [CustomInput::new(expected.clone())], "{body}");
        }
        assert!(notification::<Message>("[]").unwrap().is_empty());
        for body in ["", "  ", "\"text\"", "5", "null", "[1] x", "{} {}"] {
            let error = notification::<serde_json::Value>(body).unwrap_err();
            assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{body:?}");
        }
    }

    #[test]
    fn g1_g2_a_bad_object_fails_the_delivery_naming_its_index() {
        let body = format!(r#"[{PUBLISHED},{{"resource":"r"}}]"#);
        let error = notification::<Message>(&body).unwrap_err();
        assert!(error.reason().starts_with("event 1:"), "{}", error.reason());
        // Raw JSON text for `Bytes`, any JSON for `Value`.
        let raw = notification::<bytes::Bytes>(&format!("[{PUBLISHED}, 7]")).unwrap();
        assert_eq!(raw[0].data(), PUBLISHED.as_bytes());
        assert_eq!(raw[1].data(), "7".as_bytes());
    }

    #[test]
    fn g1_d23_g2_subscription_events_are_decoded_as_event_grid_events() {
        let validation = decode_custom_input::<Message>(
            &headers(Some("SubscriptionValidation")),
            SAMPLE.as_bytes(),
        )
        .unwrap();
        assert!(matches!(validation, Delivery::Validation(r)
            if r.validation_code == "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));
        // Without its header, the validation event is refused, not handed on.
        let error = notification::<serde_json::Value>(SAMPLE).unwrap_err();
        assert!(error.reason().starts_with("event 0:"), "{}", error.reason());
        assert!(!error.reason().contains("512d38b6"), "{}", error.reason());
    }
}
