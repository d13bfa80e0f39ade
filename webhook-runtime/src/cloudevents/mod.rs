//! CloudEvents over HTTP: the event type and the decoders of each content mode (protocol.md §4).
//!
//! The decoders are plain functions over `http` types and bytes, usable without the macro:
//!
//! ```
//! use http::HeaderMap;
//! use webhook_runtime::cloudevents::{decode, Mode};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("content-type", "application/cloudevents+json".parse().unwrap());
//! let body = br#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"n":1}}"#;
//! assert_eq!(Mode::detect(&headers).unwrap(), Mode::Structured);
//! let events = decode::<serde_json::Value>(Mode::Structured, &headers, body).unwrap();
//! assert_eq!(events[0].data()["n"], 1);
//! ```

mod attributes;
mod batch;
mod binary;

mod event;
mod one_pass;
mod raw_event;
mod structured;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName};
use serde::de::DeserializeOwned;

pub use crate::data::is_json_media_type;
use crate::data::media_type_essence;
pub use attributes::is_attribute_name;
pub use binary::{HeaderValueError, decode_header_value};
pub use event::{CloudEvent, ExtensionValue, SpecVersion};
#[cfg(feature = "sonic-rs")]
pub(crate) use {batch::decode_batch_with, structured::decode_structured_with};

use crate::eventgrid::{VALIDATION_EVENT_TYPE, ValidationRequest};
use crate::rejection::{Rejection, quoted};

/// The header whose presence makes a request binary mode (a name parsed once, not per request).
const CE_SPECVERSION: HeaderName = HeaderName::from_static("ce-specversion");
/// The event type in binary mode, looked at for an Event Grid validation event.
const CE_TYPE: HeaderName = HeaderName::from_static("ce-type");

/// The content mode of a CloudEvents delivery (H4).
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::cloudevents::Mode;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/cloudevents-batch+json".parse().unwrap());
/// assert_eq!(Mode::detect(&headers).unwrap(), Mode::Batch);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `application/cloudevents+json`: one event as a JSON object.
    Structured,
    /// `application/cloudevents-batch+json`: a JSON array of events.
    Batch,
    /// Attributes in `ce-` headers, the body is the data.
    Binary,
}

impl Mode {
    /// Detects the mode from the headers: by Content-Type (case-insensitive, parameters ignored,
    /// batch tested first), else binary when `ce-specversion` is present; anything else is not a
    /// CloudEvent (415, D7), as is an event format other than JSON.
    ///
    /// ```
    /// use http::{HeaderMap, StatusCode};
    /// use webhook_runtime::cloudevents::Mode;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("ce-specversion", "1.0".parse().unwrap());
    /// assert_eq!(Mode::detect(&headers).unwrap(), Mode::Binary);
    /// headers.clear();
    /// headers.insert("content-type", "application/json".parse().unwrap());
    /// assert_eq!(Mode::detect(&headers).unwrap_err().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    /// ```
    pub fn detect(headers: &HeaderMap) -> Result<Mode, Rejection> {
        Self::detect_or_plain(headers)?.ok_or_else(|| {
            Rejection::unsupported_media_type(
                "not a CloudEvent: expected Content-Type application/cloudevents+json or \
                 application/cloudevents-batch+json, or binary mode with a ce-specversion header",
            )
        })
    }

    /// [`Mode::detect`], with `None` for a body that is not a CloudEvent at all (a plain
    /// message); an unsupported event format is still 415.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use webhook_runtime::cloudevents::Mode;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("content-type", "text/plain".parse().unwrap());
    /// assert_eq!(Mode::detect_or_plain(&headers).unwrap(), None);
    /// headers.insert("content-type", "application/cloudevents+xml".parse().unwrap());
    /// assert!(Mode::detect_or_plain(&headers).is_err());
    /// ```
    pub fn detect_or_plain(headers: &HeaderMap) -> Result<Option<Mode>, Rejection> {
        let content_type = headers.get(CONTENT_TYPE);
        // The usual structured type first, the whole value without parameters: one comparison
        // instead of the text check, the parameter search and the prefixes.
        if content_type.is_some_and(|v| {
            v.as_bytes()
                .eq_ignore_ascii_case(b"application/cloudevents+json")
        }) {
            return Ok(Some(Mode::Structured));
        }
        if let Some(essence) = content_type
            .and_then(|v| v.to_str().ok())
            .map(media_type_essence)
        {
            for (mode, prefix) in [
                (Mode::Batch, "application/cloudevents-batch"),
                (Mode::Structured, "application/cloudevents"),
            ] {
                if starts_with_ignore_case(essence, prefix) {
                    let format = &essence[prefix.len()..];
                    return if format.is_empty() || format.eq_ignore_ascii_case("+json") {
                        Ok(Some(mode))
                    } else {
                        Err(Rejection::unsupported_media_type(format!(
                            "event format {} is not supported: send JSON ({prefix}+json)",
                            quoted(essence)
                        )))
                    };
                }
            }
        }
        Ok(crate::headers::first(headers, &CE_SPECVERSION)
            .is_some()
            .then_some(Mode::Binary))
    }
}

fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    value.len() >= prefix.len()
        && value.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Decodes a delivery in the given mode into its events (one, or a whole batch). Events that a
/// derived event-type enum skips are left out.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::cloudevents::{Mode, decode};
///
/// let body = br#"[{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1},
///                {"specversion":"1.0","id":"2","source":"/s","type":"t","data":2}]"#;
/// let events = decode::<u32>(Mode::Batch, &HeaderMap::new(), body).unwrap();
/// assert_eq!(events.iter().map(|e| *e.data()).sum::<u32>(), 3);
/// ```
pub fn decode<T: DeserializeOwned>(
    mode: Mode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<CloudEvent<T>>, Rejection> {
    match mode {
        Mode::Structured => structured::decode_structured(body).map(|e| e.into_iter().collect()),
        Mode::Batch => batch::decode_batch(body),
        Mode::Binary => binary::decode_binary(headers, body).map(|e| e.into_iter().collect()),
    }
}

/// A CloudEvents delivery as the route sees it; `Ev` is what the handler's events are made of
/// (`CloudEvent<T>`, or `Incoming<T>` on a route that also takes plain messages).
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::cloudevents::{CloudEventsDelivery, Mode, decode_delivery};
///
/// let body = br#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":"hi"}"#;
/// match decode_delivery::<String>(Mode::Structured, &HeaderMap::new(), body).unwrap() {
///     CloudEventsDelivery::Events(events) => assert_eq!(events[0].data(), "hi"),
///     CloudEventsDelivery::EventGridValidation(_) => unreachable!(),
/// }
/// ```
#[derive(Debug)]
pub enum CloudEventsDelivery<Ev> {
    /// Events for the handler.
    Events(Vec<Ev>),
    /// An Event Grid subscription validation sent as a CloudEvent (protocol.md §3).
    EventGridValidation(ValidationRequest),
}

/// [`decode`], recognising an Event Grid validation event (structured, or binary by `ce-type`)
/// before the data is typed.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::cloudevents::{CloudEventsDelivery, Mode, decode_delivery};
///
/// // Event Grid's subscription validation, sent as a CloudEvent: its data is not the route's type.
/// let body = br#"{"specversion":"1.0","id":"1","source":"/grid","type":"Microsoft.EventGrid.SubscriptionValidationEvent",
///     "data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}}"#;
/// let delivery = decode_delivery::<u64>(Mode::Structured, &HeaderMap::new(), body).unwrap();
/// assert!(matches!(delivery, CloudEventsDelivery::EventGridValidation(_)));
/// ```
pub fn decode_delivery<T: DeserializeOwned>(
    mode: Mode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<CloudEventsDelivery<CloudEvent<T>>, Rejection> {
    match mode {
        Mode::Structured => structured::decode_structured_or_validation(body),
        // A repeated `ce-type` is not a validation: the binary decoder refuses it (D22).
        Mode::Binary
            if crate::headers::first(headers, &CE_TYPE)
                .is_some_and(|t| t.as_bytes() == VALIDATION_EVENT_TYPE.as_bytes())
                && headers.get_all(CE_TYPE).iter().nth(1).is_none() =>
        {
            ValidationRequest::from_data(body).map(CloudEventsDelivery::EventGridValidation)
        }
        _ => decode(mode, headers, body).map(CloudEventsDelivery::Events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn with_type(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, ct.parse().unwrap());
        h
    }

    #[test]
    fn h4_mode_detection() {
        assert_eq!(
            Mode::detect(&with_type("application/cloudevents+json")).unwrap(),
            Mode::Structured
        );
        assert_eq!(
            Mode::detect(&with_type("Application/CloudEvents+JSON; charset=utf-8")).unwrap(),
            Mode::Structured
        );
        assert_eq!(
            Mode::detect(&with_type("application/cloudevents-batch+json")).unwrap(),
            Mode::Batch
        );
        let mut binary = with_type("application/json");
        binary.insert("ce-specversion", "1.0".parse().unwrap());
        assert_eq!(Mode::detect(&binary).unwrap(), Mode::Binary);
        assert_eq!(
            Mode::detect(&with_type("application/json"))
                .unwrap_err()
                .status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            Mode::detect(&with_type("application/cloudevents+xml"))
                .unwrap_err()
                .status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
}
