//! Structured and batch mode: events as JSON objects (SPEC §4, JSON format J3–J10, C10).

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use super::Delivery;
use super::attributes::{Attributes, Carrier, is_attribute_name};
use super::event::{CloudEvent, ExtensionValue};
use crate::Rejection;
use crate::data::{DataSource, is_json_media_type};
use crate::eventgrid::{VALIDATION_EVENT_TYPE, ValidationRequest};
use crate::json::{IndexedArray, malformed};

/// Standard base64, padding optional (RFC 4648 §4).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a structured-mode body: one JSON object holding every attribute and the data; `None`
/// when the data type skips the event.
pub(crate) fn decode_structured<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Option<CloudEvent<T>>, Rejection> {
    serde_json::from_slice::<RawEvent<'_>>(body)
        .map_err(malformed)?
        .into_event()
}

/// Decodes a structured-mode body, recognising an Event Grid subscription validation event sent
/// as a CloudEvent (to Azure Function-style destinations, SPEC §3) before the data is typed.
pub(crate) fn decode_structured_or_validation<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Delivery<CloudEvent<T>>, Rejection> {
    let raw = serde_json::from_slice::<RawEvent<'_>>(body).map_err(malformed)?;
    if raw.problem.is_none() && raw.attributes.ty.as_deref() == Some(VALIDATION_EVENT_TYPE) {
        let data = raw.data.map(|d| d.get().as_bytes()).ok_or_else(|| {
            Rejection::bad_request("the subscription validation event has no data")
        })?;
        return ValidationRequest::from_data(data).map(Delivery::EventGridValidation);
    }
    raw.into_event()
        .map(|event| Delivery::Events(event.into_iter().collect()))
}

/// Decodes a batch-mode body: a JSON array of structured events (`[]` is valid). The whole batch
/// is checked before anything is returned; a bad event rejects the batch, naming its index (D8).
/// Events the data type skips are left out.
pub(crate) fn decode_batch<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Vec<CloudEvent<T>>, Rejection> {
    let IndexedArray(raw) =
        serde_json::from_slice::<IndexedArray<RawEvent<'_>>>(body).map_err(malformed)?;
    // Sized once: collecting a filtered iterator would grow the vector step by step.
    let mut events = Vec::with_capacity(raw.len());
    for (i, event) in raw.into_iter().enumerate() {
        if let Some(event) = event.into_event().map_err(|r| r.in_event(i))? {
            events.push(event);
        }
    }
    Ok(events)
}

/// One event as parsed, before validation. Data stays unparsed JSON text.
#[derive(Default)]
struct RawEvent<'de> {
    attributes: Attributes,
    /// Bit per known attribute already seen (duplicate detection).
    seen: u16,
    data: Option<&'de RawValue>,
    data_base64: Option<String>,
    /// The first problem met while parsing; parsing goes on so that the JSON is fully checked.
    problem: Option<String>,
}

impl RawEvent<'_> {
    fn fail(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }

    fn into_event<T: DeserializeOwned>(self) -> Result<Option<CloudEvent<T>>, Rejection> {
        if let Some(problem) = self.problem {
            return Err(Rejection::bad_request(problem));
        }
        let content_type = self.attributes.datacontenttype.as_deref();
        let decoded;
        let unescaped;
        let data = match (self.data, self.data_base64) {
            (Some(_), Some(_)) => {
                return Err(Rejection::bad_request(
                    "`data` and `data_base64` cannot both be present",
                ));
            }
            (None, Some(encoded)) => {
                decoded = BASE64.decode(encoded.as_bytes()).map_err(|_| {
                    Rejection::bad_request("attribute `data_base64` is not valid base64")
                })?;
                // J5: binary data is never assumed JSON without a JSON content type.
                match content_type {
                    Some(ct) if is_json_media_type(ct) => {
                        DataSource::from_bytes(&decoded, Some(ct))
                    }
                    _ if decoded.is_empty() => DataSource::Absent,
                    _ => DataSource::Opaque(&decoded),
                }
            }
            (Some(raw), None) => {
                let text = raw.get();
                if content_type.is_none_or(is_json_media_type) {
                    DataSource::Json(text.as_bytes())
                } else if text.starts_with('"') {
                    // A string `data` with a non-JSON type carries the text itself.
                    unescaped = serde_json::from_str::<Cow<'_, str>>(text)
                        .map_err(|e| Rejection::bad_request(format!("invalid data: {e}")))?;
                    DataSource::Opaque(unescaped.as_bytes())
                } else {
                    DataSource::Opaque(text.as_bytes())
                }
            }
            (None, None) => DataSource::Absent,
        };
        self.attributes.into_event(Carrier::Json, data)
    }
}

impl<'de> Deserialize<'de> for RawEvent<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = RawEvent<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvent (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEvent<'de>, A::Error> {
        let mut event = RawEvent::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let key: &str = &key;
            match key {
                "data" => {
                    let raw = map.next_value::<&'de RawValue>()?;
                    if event.data.replace(raw).is_some() {
                        event.fail(|| duplicate(key));
                    }
                }
                "data_base64" => {
                    let value = map.next_value::<AttrValue>()?;
                    if !mark_seen(&mut event.seen, 15) {
                        event.fail(|| duplicate(key));
                    }
                    match value {
                        AttrValue::Null => {}
                        AttrValue::Str(s) => event.data_base64 = Some(s),
                        other => event.fail(|| {
                            format!(
                                "attribute `data_base64` must be a base64 string, not {}",
                                other.kind()
                            )
                        }),
                    }
                }
                _ => {
                    let value = map.next_value::<AttrValue>()?;
                    let index = KNOWN.iter().position(|k| *k == key);
                    if let Some(index) = index {
                        if !mark_seen(&mut event.seen, index) {
                            event.fail(|| duplicate(key));
                        }
                        match value {
                            AttrValue::Null => {}
                            AttrValue::Str(s) => {
                                if let Some(slot) = event.attributes.slot(key) {
                                    *slot = Some(s);
                                }
                            }
                            other => event.fail(|| {
                                format!("attribute `{key}` must be a string, not {}", other.kind())
                            }),
                        }
                    } else {
                        extension(&mut event, key, value);
                    }
                }
            }
        }
        Ok(event)
    }
}

/// Context attributes other than the data, in slot order for duplicate detection.
const KNOWN: [&str; 8] = [
    "specversion",
    "id",
    "source",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
];

fn mark_seen(seen: &mut u16, index: usize) -> bool {
    let bit = 1u16 << index;
    let fresh = *seen & bit == 0;
    *seen |= bit;
    fresh
}

fn duplicate(key: &str) -> String {
    format!("attribute `{key}` appears more than once")
}

fn extension(event: &mut RawEvent<'_>, name: &str, value: AttrValue) {
    if !is_attribute_name(name) {
        return event.fail(|| {
            format!(
                "`{name}` is not a valid attribute name: use lower-case ASCII letters and digits"
            )
        });
    }
    if event.attributes.extensions.contains_key(name) {
        return event.fail(|| duplicate(name));
    }
    let value = match value {
        AttrValue::Null => return,
        AttrValue::Str(s) => ExtensionValue::String(s),
        AttrValue::Bool(b) => ExtensionValue::Boolean(b),
        AttrValue::Int(i) => match i32::try_from(i) {
            Ok(i) => ExtensionValue::Integer(i),
            Err(_) => {
                return event
                    .fail(|| format!("extension `{name}` is an integer outside the 32-bit range"));
            }
        },
        other => {
            return event.fail(|| {
                format!(
                    "extension `{name}` must be a string, a boolean or a 32-bit integer, not {}",
                    other.kind()
                )
            });
        }
    };
    event.attributes.extensions.insert(name.to_owned(), value);
}

/// An object key, borrowed from the body when it holds no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// An attribute value as JSON typed it.
enum AttrValue {
    Null,
    Str(String),
    Bool(bool),
    Int(i64),
    Other(&'static str),
}

impl AttrValue {
    fn kind(&self) -> &'static str {
        match self {
            AttrValue::Null => "null",
            AttrValue::Str(_) => "a string",
            AttrValue::Bool(_) => "a boolean",
            AttrValue::Int(_) => "an integer",
            AttrValue::Other(kind) => kind,
        }
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AttrVisitor)
    }
}

struct AttrVisitor;

impl<'de> Visitor<'de> for AttrVisitor {
    type Value = AttrValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute value")
    }

    fn visit_unit<E>(self) -> Result<AttrValue, E> {
        Ok(AttrValue::Null)
    }

    fn visit_none<E>(self) -> Result<AttrValue, E> {
        Ok(AttrValue::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<AttrValue, E> {
        Ok(AttrValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<AttrValue, E> {
        Ok(AttrValue::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<AttrValue, E> {
        Ok(i64::try_from(v).map_or(AttrValue::Other("an out-of-range integer"), AttrValue::Int))
    }

    fn visit_f64<E>(self, _: f64) -> Result<AttrValue, E> {
        Ok(AttrValue::Other("a fractional number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<AttrValue, E> {
        Ok(AttrValue::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<AttrValue, E> {
        Ok(AttrValue::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AttrValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AttrValue::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(AttrValue::Other("an object"))
    }
}
