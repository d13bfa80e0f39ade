//! Azure Event Grid: the Event Grid event schema, subscription validation and deletion
//! (protocol.md §3, §5, D23).
//!
//! [`decode`] is a plain function over `http` types and bytes: it classifies a POST by its
//! `aeg-event-type` header and checks it.
//!
//! ```
//! use http::HeaderMap;
//! use webhook_runtime::eventgrid::{decode, Delivery};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("aeg-event-type", "SubscriptionValidation".parse().unwrap());
//! let body = br#"[{"id":"1","topic":"/t","subject":"","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent",
//!   "eventTime":"2022-10-28T04:23:35.1981776Z","dataVersion":"1","metadataVersion":"1",
//!   "data":{"validationCode":"512d38b6","validationUrl":"https://rp-eastus2.eventgrid.azure.net:553/x"}}]"#;
//! match decode::<serde_json::Value>(&headers, body).unwrap() {
//!     Delivery::Validation(request) => assert_eq!(request.validation_code, "512d38b6"),
//!     _ => unreachable!(),
//! }
//! ```

mod event;
mod headers;
#[cfg(feature = "validation-get")]
mod validation_get;

use std::borrow::Cow;

use axum::response::Response;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use event::EventGridEvent;
pub use headers::EventGridDelivery;
#[cfg(feature = "validation-get")]
pub(crate) use validation_get::SentSignal;
#[cfg(feature = "validation-get")]
pub use validation_get::{
    EVENT_GRID_DOMAINS, ValidationGet, ValidationGetBuilder, ValidationGetError,
    event_grid_validation_url,
};

use crate::Rejection;
use crate::data::{self, DataSource, Typed};
use crate::interned::interned;
use crate::json::{IndexedArray, OnePass, OnePassArray, malformed, one_pass_from_slice};

/// `eventType` of the subscription validation event.
pub const VALIDATION_EVENT_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";
/// `eventType` of the subscription deletion event.
pub const DELETION_EVENT_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";

/// The `WebHook-Request-Origin` values Event Grid sends when it delivers CloudEvents: the public
/// cloud and the sovereign clouds (protocol.md §1). Use them as the allow-list of a CloudEvents route
/// that Event Grid delivers to, so the route keeps working on government clouds:
///
/// ```
/// use webhook_runtime::{AllowedOrigins, eventgrid::EVENT_GRID_ORIGINS};
///
/// let origins = AllowedOrigins::parse(EVENT_GRID_ORIGINS).unwrap();
/// assert!(origins.grant(b"eventgrid.azure.us").is_some());
/// ```
pub const EVENT_GRID_ORIGINS: &[&str] = &[
    "eventgrid.azure.net",
    "eventgrid.azure.us",
    "eventgrid.azure.cn",
    "eventgrid.azure.eaglex.ic.gov",
    "eventgrid.azure.microsoft.scloud",
];

/// Default body limit of an Event Grid route: 2 MiB, enough for Event Grid's largest event
/// (1 MB) plus the array around it; Event Grid never retries a 413 (D9).
pub const DEFAULT_EVENTGRID_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What an Event Grid POST carries.
#[derive(Debug)]
pub enum Delivery<T> {
    /// Events for the handler (`aeg-event-type: Notification`, or no such header: D23).
    Notification(Vec<EventGridEvent<T>>),
    /// A subscription validation (`aeg-event-type: SubscriptionValidation`).
    Validation(ValidationRequest),
    /// The subscription was deleted (`aeg-event-type: SubscriptionDeletion`).
    Deletion(DeletionNotice),
}

/// A subscription validation event's data. Its `Debug` output hides the code and the URL (which
/// carries the code too): they prove ownership of the endpoint and never reach a log (D15).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationRequest {
    /// The code to echo back in `validationResponse`.
    pub validation_code: String,
    /// The URL a manual validation GETs (API 2018-05-01-preview and later).
    #[serde(default)]
    pub validation_url: Option<String>,
}

impl std::fmt::Debug for ValidationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidationRequest")
            .field("validation_code", &"<redacted>")
            .field(
                "validation_url",
                &self.validation_url.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// `{"validationResponse":"<code>"}`. A code of printable ASCII without `"` or `\` (a GUID, as
/// Event Grid sends) is written as it is, as `serde_json` would write it; any other goes
/// through `serde_json`'s escaping.
fn validation_answer(code: &str) -> Vec<u8> {
    const OPEN: &[u8] = b"{\"validationResponse\":\"";
    const CLOSE: &[u8] = b"\"}";
    // One branch-free pass (vectorized for a GUID's 36 bytes), not an `all` with an early exit.
    let mut plain = true;
    for b in code.bytes() {
        plain &= matches!(b, b' '..=b'~') & (b != b'"') & (b != b'\\');
    }
    if plain {
        let mut body = Vec::with_capacity(OPEN.len() + code.len() + CLOSE.len());
        body.extend_from_slice(OPEN);
        body.extend_from_slice(code.as_bytes());
        body.extend_from_slice(CLOSE);
        return body;
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer<'a> {
        validation_response: &'a str,
    }
    serde_json::to_vec(&Answer {
        validation_response: code,
    })
    .unwrap_or_default()
}

impl ValidationRequest {
    /// The synchronous answer (protocol.md §3): **200** with `{"validationResponse": "<code>"}`.
    pub fn respond(&self) -> Response {
        // Built directly: a `Vec<u8>` answer would first get an `application/octet-stream`
        // Content-Type that this one then replaces.
        let mut response = Response::new(axum::body::Body::from(validation_answer(
            &self.validation_code,
        )));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }

    /// Reads the data of a validation event: an object, or a JSON string holding one (how Event
    /// Grid sends it inside a CloudEvent to Azure Function-style destinations, protocol.md §3).
    pub(crate) fn from_data(raw: &[u8]) -> Result<Self, Rejection> {
        let invalid = |e: serde_json::Error| {
            Rejection::bad_request(format!("invalid subscription validation data: {e}"))
        };
        match serde_json::from_slice::<String>(raw) {
            Ok(inner) => serde_json::from_str(&inner).map_err(invalid),
            Err(_) => serde_json::from_slice(raw).map_err(invalid),
        }
    }
}

/// A subscription deletion event's data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeletionNotice {
    /// The resource id of the deleted event subscription.
    #[serde(default)]
    pub event_subscription_id: Option<String>,
}

/// The header naming the kind of an Event Grid delivery (parsed once, not per request).
const AEG_EVENT_TYPE: HeaderName = HeaderName::from_static("aeg-event-type");
/// The header naming the event subscription that delivers.
pub(crate) const AEG_SUBSCRIPTION_NAME: HeaderName =
    HeaderName::from_static("aeg-subscription-name");

/// What `aeg-event-type` says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Notification,
    Validation,
    Deletion,
}

fn kind(headers: &HeaderMap) -> Result<Kind, Rejection> {
    let Some(value) = crate::headers::first(headers, &AEG_EVENT_TYPE) else {
        return Ok(Kind::Notification);
    };
    let value = value.as_bytes();
    if value.eq_ignore_ascii_case(b"Notification") {
        Ok(Kind::Notification)
    } else if value.eq_ignore_ascii_case(b"SubscriptionValidation") {
        Ok(Kind::Validation)
    } else if value.eq_ignore_ascii_case(b"SubscriptionDeletion") {
        Ok(Kind::Deletion)
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
struct RawGridEvent<D> {
    id: Option<String>,
    topic: Option<String>,
    subject: Option<String>,
    event_type: Option<String>,
    event_time: Option<String>,
    #[serde(default, deserialize_with = "present")]
    data: Option<D>,
    data_version: Option<String>,
    metadata_version: Option<String>,
}

/// A validation or deletion event as its answer needs it: [`RawGridEvent`]'s fields, of the
/// same JSON types, but only `eventType` (borrowed from the body) and the data kept. Keeping the
/// other six as strings would allocate each of them only to drop it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "D: Deserialize<'de>")]
struct LifecycleEvent<'a, D> {
    #[serde(borrow)]
    event_type: Option<&'a str>,
    #[serde(default, deserialize_with = "present")]
    data: Option<D>,
    #[serde(rename = "id")]
    _id: Option<UnkeptText>,
    #[serde(rename = "topic")]
    _topic: Option<UnkeptText>,
    #[serde(rename = "subject")]
    _subject: Option<UnkeptText>,
    #[serde(rename = "eventTime")]
    _event_time: Option<UnkeptText>,
    #[serde(rename = "dataVersion")]
    _data_version: Option<UnkeptText>,
    #[serde(rename = "metadataVersion")]
    _metadata_version: Option<UnkeptText>,
}

/// A JSON string, checked to be one but not kept.
struct UnkeptText;

impl<'de> Deserialize<'de> for UnkeptText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = UnkeptText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, _: &str) -> Result<UnkeptText, E> {
                Ok(UnkeptText)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Keeps `"data": null` as present (JSON `null`), unlike `Option`'s default.
fn present<'de, De: serde::Deserializer<'de>, D: Deserialize<'de>>(
    d: De,
) -> Result<Option<D>, De::Error> {
    D::deserialize(d).map(Some)
}

fn required(value: Option<String>, field: &str) -> Result<String, Rejection> {
    value.ok_or_else(|| Rejection::bad_request(format!("missing required field `{field}`")))
}

fn non_empty(value: Option<String>, field: &str) -> Result<String, Rejection> {
    let value = required(value, field)?;
    if value.is_empty() {
        return Err(Rejection::bad_request(format!(
            "field `{field}` must not be empty"
        )));
    }
    Ok(value)
}

impl RawGridEvent<&RawValue> {
    fn data_bytes(&self) -> Option<&[u8]> {
        self.data.map(|raw| raw.get().as_bytes())
    }

    fn into_event<T: DeserializeOwned>(self) -> Result<Option<EventGridEvent<T>>, Rejection> {
        self.into_event_with(|raw, ty| {
            data::decode(DataSource::Json(raw.get().as_bytes()), None, ty)
        })
    }
}

/// An event decoded in one pass: its data typed as the event is parsed (instead of being kept as
/// JSON text and parsed again), the required fields plain strings, `eventTime` borrowed until it
/// is read. Anything the one pass does not decide fails it: a missing, null or empty required
/// field, a bad time, data the type does not take (or for which it needs the raw text or the
/// event type), an event the data type skips, and the validation and deletion events. The
/// general decoder then decodes the body, and words the answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "T: DeserializeOwned")]
struct OnePassEvent<'a, T> {
    id: String,
    topic: Option<String>,
    subject: String,
    event_type: String,
    #[serde(borrow)]
    event_time: Cow<'a, str>,
    data: Typed<T>,
    #[serde(borrow)]
    data_version: Cow<'a, str>,
    #[serde(borrow)]
    metadata_version: Option<Text<'a>>,
}

/// A string borrowed from the body when it holds no escapes: serde borrows a `Cow` field
/// marked `borrow`, but not one inside an `Option`.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl<T> OnePass for OnePassEvent<'_, T> {
    type Output = EventGridEvent<T>;

    fn decided(self) -> Option<EventGridEvent<T>> {
        if self.id.is_empty() || self.event_type.is_empty() || is_lifecycle_event(&self.event_type)
        {
            return None;
        }
        let event_time = OffsetDateTime::parse(&self.event_time, &Rfc3339).ok()?;
        let Typed(data) = self.data;
        Some(EventGridEvent {
            id: self.id,
            topic: self.topic,
            subject: self.subject,
            event_type: self.event_type,
            event_time,
            data_version: interned(self.data_version),
            metadata_version: self.metadata_version.map(|Text(v)| interned(v)),
            data,
        })
    }
}

fn is_lifecycle_event(event_type: &str) -> bool {
    event_type == VALIDATION_EVENT_TYPE || event_type == DELETION_EVENT_TYPE
}

impl<D> RawGridEvent<D> {
    fn event_type(&self) -> &str {
        self.event_type.as_deref().unwrap_or_default()
    }

    /// Checks every field, then gets the data from `data` (given the event type).
    fn into_event_with<T>(
        self,
        data: impl FnOnce(D, &str) -> Result<Option<T>, Rejection>,
    ) -> Result<Option<EventGridEvent<T>>, Rejection> {
        let id = non_empty(self.id, "id")?;
        let subject = required(self.subject, "subject")?;
        let event_type = non_empty(self.event_type, "eventType")?;
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
            topic: self.topic,
            subject,
            event_type,
            event_time,
            data_version: interned(Cow::Owned(data_version)),
            metadata_version: self.metadata_version.map(|v| interned(Cow::Owned(v))),
            data,
        }))
    }
}

/// Decodes an Event Grid POST: classifies it by `aeg-event-type` and checks it whole.
///
/// A validation or deletion delivery holds exactly one event of the matching type; a
/// notification holds events for the handler, and a validation or deletion event inside it is a
/// 400 (D23), never echoed and never handed to the handler. Errors name the event's index.
pub fn decode<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Delivery<T>, Rejection> {
    let kind = kind(headers)?;
    if kind == Kind::Notification
        && let Some(OnePassArray(events)) =
            one_pass_from_slice::<OnePassArray<OnePassEvent<'_, T>>>(body)
    {
        return Ok(Delivery::Notification(events));
    }
    // A validation in one pass too: its data read as the request directly, the other fields
    // checked but not kept. Anything else (an escaped `eventType` included) is left to the
    // general decoder, which names the problem.
    if kind == Kind::Validation
        && let Ok(IndexedArray(events)) =
            serde_json::from_slice::<IndexedArray<LifecycleEvent<'_, ValidationRequest>>>(body)
        && let [
            LifecycleEvent {
                event_type: Some(VALIDATION_EVENT_TYPE),
                data: Some(_),
                ..
            },
        ] = events[..]
        && let Some(LifecycleEvent {
            data: Some(request),
            ..
        }) = events.into_iter().next()
    {
        return Ok(Delivery::Validation(request));
    }
    decode_general(kind, body)
}

/// [`decode`] without the one-pass decoders: every event read with its fields kept as raw JSON,
/// then checked and typed. It decides whatever the one pass leaves, and names the problem.
fn decode_general<T: DeserializeOwned>(kind: Kind, body: &[u8]) -> Result<Delivery<T>, Rejection> {
    let IndexedArray(events) =
        serde_json::from_slice::<IndexedArray<RawGridEvent<&RawValue>>>(body).map_err(malformed)?;
    match kind {
        Kind::Validation => {
            let event = single(events, VALIDATION_EVENT_TYPE, "SubscriptionValidation")?;
            let data = event
                .data_bytes()
                .ok_or_else(|| Rejection::bad_request("the validation event has no data"))?;
            ValidationRequest::from_data(data).map(Delivery::Validation)
        }
        Kind::Deletion => {
            let event = single(events, DELETION_EVENT_TYPE, "SubscriptionDeletion")?;
            let notice = match event.data_bytes() {
                Some(data) => serde_json::from_slice(data).map_err(|e| {
                    Rejection::bad_request(format!("invalid subscription deletion data: {e}"))
                })?,
                None => DeletionNotice::default(),
            };
            Ok(Delivery::Deletion(notice))
        }
        Kind::Notification => {
            // Sized once: collecting a filtered iterator would grow the vector step by step.
            let mut typed = Vec::with_capacity(events.len());
            for (index, event) in events.into_iter().enumerate() {
                let ty = event.event_type();
                if is_lifecycle_event(ty) {
                    return Err(Rejection::bad_request(format!(
                        "`{ty}` must come alone, with its own aeg-event-type header"
                    ))
                    .in_event(index));
                }
                if let Some(event) = event.into_event().map_err(|r| r.in_event(index))? {
                    typed.push(event);
                }
            }
            Ok(Delivery::Notification(typed))
        }
    }
}

fn single<D>(
    events: Vec<RawGridEvent<D>>,
    expected: &str,
    header: &str,
) -> Result<RawGridEvent<D>, Rejection> {
    let count = events.len();
    let mut events = events.into_iter();
    match (events.next(), count) {
        (Some(event), 1) if event.event_type() == expected => Ok(event),
        (Some(event), 1) => Err(Rejection::bad_request(format!(
            "aeg-event-type: {header} needs a `{expected}` event, not `{}`",
            event.event_type()
        ))),
        _ => Err(Rejection::bad_request(format!(
            "aeg-event-type: {header} needs exactly one event, not {count}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use serde_json::json;

    /// The answer written without `serde_json` is byte for byte what `serde_json` writes.
    #[test]
    fn s3_validation_answer_is_serde_json_s_own() {
        for code in [
            "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
            "",
            " ~!#$%&'()*+,-./:;<=>?@[]^_`{|}",
            "a\"b",
            "a\\b",
            "tab\there",
            "line\n",
            "\u{7f}",
            "caf\u{e9}",
            "\u{1}",
        ] {
            #[derive(serde::Serialize)]
            struct Answer<'a> {
                #[serde(rename = "validationResponse")]
                code: &'a str,
            }
            let expected = serde_json::to_vec(&Answer { code }).unwrap();
            assert_eq!(
                String::from_utf8(validation_answer(code)).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{code:?}"
            );
        }
    }

    const SAMPLE: &str = r#"[
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

    fn headers(kind: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(kind) = kind {
            h.insert("aeg-event-type", kind.parse().unwrap());
        }
        h
    }

    #[test]
    fn validation_sample_is_recognised() {
        let Delivery::Validation(request) = decode::<serde_json::Value>(
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
    fn validation_in_one_pass_or_the_general_way() {
        let validation = headers(Some("SubscriptionValidation"));
        let code = |body: &str| match decode::<serde_json::Value>(&validation, body.as_bytes()) {
            Ok(Delivery::Validation(request)) => Ok(request.validation_code),
            Ok(_) => Err("not a validation".to_owned()),
            Err(rejection) => Err(rejection.reason().to_owned()),
        };
        // The data as an object (one pass) and as a JSON string holding one (the general way).
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let mut as_string = sample.clone();
        as_string[0]["data"] = sample[0]["data"].to_string().into();
        for body in [sample.to_string(), as_string.to_string()] {
            assert_eq!(
                code(&body).as_deref(),
                Ok("512d38b6-c7b8-40c8-89fe-f46f9e9622b6")
            );
        }
        // Two events, or no code: refused with the general decoder's reasons.
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

    /// Every variation of the sample validation event: each field left out, null, or of another
    /// JSON type (escaped strings included), the data's fields likewise, and the array around it
    /// changed.
    fn validation_variants() -> Vec<String> {
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let event = sample[0].as_object().unwrap().clone();
        let values = [
            json!(null),
            json!(1),
            json!(true),
            json!([]),
            json!({}),
            json!(""),
            json!("x"),
            json!("Microsoft.EventGrid.SubscriptionValidationEvent"),
            json!("Microsoft.EventGrid.SubscriptionDeletedEvent"),
            json!({"validationCode": "c"}),
            json!({"validationCode": 1}),
            json!({"validationCode": "c", "validationUrl": null}),
            json!({"validationCode": "c", "validationUrl": 2}),
            json!({"validationUrl": "https://x"}),
            json!("{\"validationCode\":\"in a string\"}"),
        ];
        let mut variants = vec![sample.to_string()];
        let keys: Vec<String> = event.keys().cloned().chain(["extra".to_owned()]).collect();
        for key in &keys {
            let mut without = event.clone();
            without.remove(key);
            variants.push(json!([without]).to_string());
            for value in &values {
                let mut changed = event.clone();
                changed.insert(key.clone(), value.clone());
                variants.push(json!([changed]).to_string());
            }
        }
        let one = sample[0].to_string();
        variants.extend([
            "[]".to_owned(),
            format!("[{one},{one}]"),
            one.clone(),
            format!("[{one}] x"),
            format!("[{one}"),
            // A field twice: serde's derived visitors refuse it, the general way too.
            format!("[{}]", one.replacen('{', r#"{"id":"again","#, 1)),
            format!(
                "[{}]",
                one.replace(
                    "SubscriptionValidationEvent",
                    r"SubscriptionValidation\u0045vent"
                )
            ),
        ]);
        variants
    }

    /// The one-pass validation decoder never decides otherwise than the general decoder: what
    /// it accepts, the general decoder accepts with the same request, and what it refuses goes
    /// to the general decoder.
    #[test]
    fn validation_in_one_pass_agrees_with_the_general_decoder() {
        let validation = headers(Some("SubscriptionValidation"));
        let outcome = |decoded: Result<Delivery<serde_json::Value>, Rejection>| match decoded {
            Ok(Delivery::Validation(request)) => Ok(request),
            Ok(_) => panic!("a validation header gave another delivery"),
            Err(rejection) => Err((rejection.status(), rejection.reason().to_owned())),
        };
        let variants = validation_variants();
        let mut accepted = 0;
        for body in &variants {
            let decoded = outcome(decode(&validation, body.as_bytes()));
            let general = outcome(decode_general(Kind::Validation, body.as_bytes()));
            assert_eq!(decoded, general, "{body}");
            accepted += usize::from(decoded.is_ok());
        }
        // Both ways are exercised: some variants are answered, most refused.
        assert!(accepted > 10 && accepted < variants.len() / 2, "{accepted}");
    }

    #[test]
    fn d23_validation_event_in_a_notification_is_400() {
        let err = decode::<serde_json::Value>(&headers(None), SAMPLE.as_bytes()).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(err.reason().starts_with("event 0:"), "{}", err.reason());
    }

    const EVENT: &str = r#"{"id":"1","topic":"/t","subject":"s","eventType":"Shop.Order","eventTime":"2024-05-01T12:00:00Z","dataVersion":"1","data":{"orderId":"o\u00e9"}}"#;

    /// The general decoder alone.
    fn general<T: DeserializeOwned>(body: &str) -> Option<Vec<EventGridEvent<T>>> {
        let IndexedArray(raw) =
            serde_json::from_str::<IndexedArray<RawGridEvent<&RawValue>>>(body).ok()?;
        raw.into_iter()
            .map(|event| event.into_event().ok().flatten())
            .collect()
    }

    /// The one pass (with `sonic-rs` when the feature is on) either gives up or gives exactly
    /// what the general decoder gives.
    fn agrees<T: DeserializeOwned + PartialEq + std::fmt::Debug>(body: &str) -> bool {
        match one_pass_from_slice::<OnePassArray<OnePassEvent<'_, T>>>(body.as_bytes()) {
            Some(OnePassArray(fast)) => {
                assert_eq!(Some(fast), general::<T>(body), "{body}");
                true
            }
            None => false,
        }
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Order {
        order_id: String,
    }

    #[test]
    fn d13_one_pass_agrees_with_the_general_decoder() {
        let null = EVENT.replace(r#"{"orderId":"o\u00e9"}"#, "null");
        for body in [format!("[{EVENT},{EVENT}]"), "[]".to_owned()] {
            assert!(agrees::<Order>(&body), "{body}");
            assert!(agrees::<serde_json::Value>(&body), "{body}");
            assert!(agrees::<()>(&body), "{body}");
        }
        assert!(agrees::<Option<Order>>(&format!("[{null}]")));
        // Gives up: bad data, a missing field, the raw text, the validation event, garbage.
        assert!(!agrees::<Order>(&format!("[{null}]")));
        assert!(!agrees::<Order>(&format!(
            "[{}]",
            EVENT.replace(r#""id":"1","#, "")
        )));
        assert!(!agrees::<bytes::Bytes>(&format!("[{EVENT}]")));
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        assert!(!agrees::<serde_json::Value>(&sample.to_string()));
        assert!(!agrees::<Order>(&format!("[{EVENT}] x")));
        for (from, to) in [
            (r#""subject":"s""#, r#""subject":null"#),
            (r#""id":"1""#, r#""id":"""#),
            (
                r#""eventTime":"2024-05-01T12:00:00Z""#,
                r#""eventTime":"May 1st""#,
            ),
            (r#""dataVersion":"1","#, ""),
        ] {
            let body = format!("[{}]", EVENT.replace(from, to));
            assert!(!agrees::<Order>(&body), "gave up for {body}");
        }
        // An optional field null, an escaped time: decided in one pass.
        let body = format!("[{}]", EVENT.replace(r#""topic":"/t""#, r#""topic":null"#));
        assert!(agrees::<Order>(&body));
        let body = format!(
            "[{}]",
            EVENT.replace("2024-05-01T12", r"2024-05-01\u005412")
        );
        assert!(agrees::<Order>(&body));
        // Versions, plain, escaped, common (shared) or not: decided in one pass, the same.
        for (data_version, metadata_version) in
            [("1", "1"), (r"1.0", r"1"), ("", "7"), ("3.1", "1")]
        {
            let versions = format!(
                r#""dataVersion":"{data_version}","metadataVersion":"{metadata_version}","#
            );
            let body = format!("[{}]", EVENT.replace(r#""dataVersion":"1","#, &versions));
            assert!(agrees::<Order>(&body), "{body}");
        }
        // The general decoder decides those.
        let raw = decode::<bytes::Bytes>(&headers(None), format!("[{EVENT}]").as_bytes());
        assert!(matches!(raw, Ok(Delivery::Notification(events)) if events.len() == 1));
    }

    #[test]
    fn validation_data_as_a_json_string() {
        let raw = br#""{\"validationCode\":\"abc\"}""#;
        assert_eq!(
            ValidationRequest::from_data(raw).unwrap().validation_code,
            "abc"
        );
    }
}
