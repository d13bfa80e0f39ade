//! Structured and batch mode: events as JSON objects (protocol.md §4, JSON format J3–J10, C10).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use super::CloudEventsDelivery;
use super::attributes::{Attributes, Carrier, is_attribute_name};
use super::event::{CloudEvent, ExtensionValue};
use crate::Rejection;
use crate::data::{DataSource, GIVE_UP, Typed, TypedSeed, is_json_media_type};
use crate::eventgrid::{VALIDATION_EVENT_TYPE, ValidationRequest};
use crate::json::{IndexedArray, OnePass, OnePassArray, malformed};

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
    if let Some(event) = one_pass::<T>(body) {
        return Ok(Some(event));
    }
    serde_json::from_slice::<RawEvent<'_>>(body)
        .map_err(malformed)?
        .into_event()
}

/// Decodes a structured-mode body, recognising an Event Grid subscription validation event sent
/// as a CloudEvent (to Azure Function-style destinations, protocol.md §3) before the data is typed.
pub(crate) fn decode_structured_or_validation<T: DeserializeOwned>(
    body: &[u8],
) -> Result<CloudEventsDelivery<CloudEvent<T>>, Rejection> {
    if let Some(event) = one_pass::<T>(body) {
        return Ok(CloudEventsDelivery::Events(vec![event]));
    }
    let raw = serde_json::from_slice::<RawEvent<'_>>(body).map_err(malformed)?;
    if raw.problem.is_none() && raw.attributes.ty.as_deref() == Some(VALIDATION_EVENT_TYPE) {
        let data = raw.data.map(|d| d.get().as_bytes()).ok_or_else(|| {
            Rejection::bad_request("the subscription validation event has no data")
        })?;
        return ValidationRequest::from_data(data).map(CloudEventsDelivery::EventGridValidation);
    }
    raw.into_event()
        .map(|event| CloudEventsDelivery::Events(event.into_iter().collect()))
}

/// Decodes a batch-mode body: a JSON array of structured events (`[]` is valid). The whole batch
/// is checked before anything is returned; a bad event rejects the batch, naming its index (D8).
/// Events the data type skips are left out.
pub(crate) fn decode_batch<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Vec<CloudEvent<T>>, Rejection> {
    if let Ok(OnePassArray(events)) =
        serde_json::from_slice::<OnePassArray<RawEvent<'_, Typed<T>>>>(body)
    {
        return Ok(events);
    }
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

/// A structured event decoded in one pass: the data is decoded into `T` as the event is parsed,
/// instead of being kept as JSON text and parsed again. `None` whenever the general decoder must
/// decide: an error anywhere, no `data`, `data_base64`, a `datacontenttype` that is not JSON, a
/// data type that needs the raw text or the event type before it came, an event the data type
/// skips, and the Event Grid validation event. It then gives exactly what the general decoder
/// gives for the same body.
fn one_pass<T: DeserializeOwned>(body: &[u8]) -> Option<CloudEvent<T>> {
    serde_json::from_slice::<RawEvent<'_, Typed<T>>>(body)
        .ok()?
        .decided()
}

/// How an event's `data` member is taken while the event is parsed.
trait DataCapture<'de>: Sized {
    fn capture<A: MapAccess<'de>>(
        map: &mut A,
        event: &mut RawEvent<'de, Self>,
    ) -> Result<(), A::Error>;
}

/// The general decoder: the JSON text, decoded once every attribute is known.
impl<'de> DataCapture<'de> for &'de RawValue {
    fn capture<A: MapAccess<'de>>(
        map: &mut A,
        event: &mut RawEvent<'de, Self>,
    ) -> Result<(), A::Error> {
        let raw = map.next_value::<&'de RawValue>()?;
        if event.data.replace(raw).is_some() {
            event.fail(|| duplicate("data"));
        }
        Ok(())
    }
}

/// One pass: decoded into `T` now, when what came before allows it.
impl<'de, T: DeserializeOwned> DataCapture<'de> for Typed<T> {
    fn capture<A: MapAccess<'de>>(
        map: &mut A,
        event: &mut RawEvent<'de, Self>,
    ) -> Result<(), A::Error> {
        let json = event
            .attributes
            .datacontenttype
            .as_deref()
            .is_none_or(is_json_media_type);
        if !json || event.problem.is_some() || event.data_base64.is_some() || event.data.is_some() {
            return Err(de::Error::custom(GIVE_UP));
        }
        let typed = map.next_value_seed(TypedSeed {
            event_type: event.attributes.ty.as_deref(),
            data: PhantomData,
        })?;
        event.data = Some(typed);
        Ok(())
    }
}

/// One event as parsed, before validation. The data is kept as `D`: unparsed JSON text for the
/// general decoder, typed in one pass.
struct RawEvent<'de, D = &'de RawValue> {
    attributes: Attributes<'de>,
    /// Bit per known attribute already seen (duplicate detection).
    seen: u16,
    data: Option<D>,
    data_base64: Option<Cow<'de, str>>,
    /// The first problem met while parsing; parsing goes on so that the JSON is fully checked.
    problem: Option<String>,
}

impl<'de, D> RawEvent<'de, D> {
    fn new() -> Self {
        RawEvent {
            attributes: Attributes::default(),
            seen: 0,
            data: None,
            data_base64: None,
            problem: None,
        }
    }

    fn fail(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }
}

impl<T> OnePass for RawEvent<'_, Typed<T>> {
    type Output = CloudEvent<T>;

    /// The event, when the one pass decides it (see [`one_pass`]).
    fn decided(self) -> Option<CloudEvent<T>> {
        if self.problem.is_some() || self.data_base64.is_some() {
            return None;
        }
        let Typed(data) = self.data?;
        // A `datacontenttype` after `data` is only known now; the validation event is answered
        // by the general decoder's caller, never handed over as data.
        let attributes = &self.attributes;
        if attributes
            .datacontenttype
            .as_deref()
            .is_some_and(|ct| !is_json_media_type(ct))
            || attributes.ty.as_deref() == Some(VALIDATION_EVENT_TYPE)
        {
            return None;
        }
        self.attributes
            .into_event_with(Carrier::Json, |_, _| Ok(Some(data)))
            .ok()
            .flatten()
    }
}

impl RawEvent<'_> {
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

impl<'de, C: DataCapture<'de>> Deserialize<'de> for RawEvent<'de, C> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor(PhantomData))
    }
}

struct EventVisitor<C>(PhantomData<C>);

impl<'de, C: DataCapture<'de>> Visitor<'de> for EventVisitor<C> {
    type Value = RawEvent<'de, C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvent (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEvent<'de, C>, A::Error> {
        let mut event = RawEvent::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let key: &str = &key;
            match key {
                "data" => C::capture(&mut map, &mut event)?,
                "data_base64" => {
                    let value = map.next_value::<AttrValue<'de>>()?;
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
                    let value = map.next_value::<AttrValue<'de>>()?;
                    let Some((index, slot)) = event.attributes.numbered_slot(key) else {
                        extension(&mut event, key, value);
                        continue;
                    };
                    let problem = match value {
                        AttrValue::Null => None,
                        AttrValue::Str(s) => {
                            *slot = Some(s);
                            None
                        }
                        other => Some(other.kind()),
                    };
                    if !mark_seen(&mut event.seen, index) {
                        event.fail(|| duplicate(key));
                    }
                    if let Some(kind) = problem {
                        event.fail(|| format!("attribute `{key}` must be a string, not {kind}"));
                    }
                }
            }
        }
        Ok(event)
    }
}

fn mark_seen(seen: &mut u16, index: u8) -> bool {
    let bit = 1u16 << index;
    let fresh = *seen & bit == 0;
    *seen |= bit;
    fresh
}

fn duplicate(key: &str) -> String {
    format!("attribute `{key}` appears more than once")
}

fn extension<'de, D>(event: &mut RawEvent<'de, D>, name: &str, value: AttrValue<'de>) {
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
        AttrValue::Str(s) => ExtensionValue::String(s.into_owned()),
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

/// An attribute value as JSON typed it; a string is borrowed from the body when it holds no
/// escapes.
enum AttrValue<'de> {
    Null,
    Str(Cow<'de, str>),
    Bool(bool),
    Int(i64),
    Other(&'static str),
}

impl AttrValue<'_> {
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

impl<'de> Deserialize<'de> for AttrValue<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AttrVisitor)
    }
}

struct AttrVisitor;

impl<'de> Visitor<'de> for AttrVisitor {
    type Value = AttrValue<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute value")
    }

    fn visit_unit<E>(self) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Null)
    }

    fn visit_none<E>(self) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<AttrValue<'de>, E> {
        Ok(i64::try_from(v).map_or(AttrValue::Other("an out-of-range integer"), AttrValue::Int))
    }

    fn visit_f64<E>(self, _: f64) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Other("a fractional number"))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AttrValue<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AttrValue::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrValue<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(AttrValue::Other("an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general decoder alone.
    fn general<T: DeserializeOwned>(body: &str) -> Option<CloudEvent<T>> {
        serde_json::from_slice::<RawEvent<'_>>(body.as_bytes())
            .ok()?
            .into_event()
            .ok()
            .flatten()
    }

    /// The one pass either gives up or gives exactly what the general decoder gives.
    fn agrees<T: DeserializeOwned + PartialEq + fmt::Debug>(body: &str) -> bool {
        match one_pass::<T>(body.as_bytes()) {
            Some(fast) => {
                assert_eq!(Some(&fast), general::<T>(body).as_ref(), "{body}");
                true
            }
            None => false,
        }
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Order {
        order_id: String,
        amount: f64,
    }

    const HEAD: &str = r#""specversion":"1.0","id":"1","source":"/s","type":"t""#;

    #[test]
    fn d13_one_pass_agrees_with_the_general_decoder() {
        let typed = [
            format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1.5}}}}"#),
            format!(
                r#"{{"data":{{"order_id":"o","amount":1.5}},{HEAD},"datacontenttype":"application/json"}}"#
            ),
            format!(
                r#"{{{HEAD},"time":"2024-05-01T12:00:00Z","ext":"x","data":{{"amount":2,"order_id":"p\u00e9"}}}}"#
            ),
        ];
        for body in &typed {
            assert!(agrees::<Order>(body), "one pass for {body}");
            assert!(agrees::<serde_json::Value>(body), "one pass for {body}");
            assert!(
                agrees::<Option<serde_json::Value>>(body),
                "one pass for {body}"
            );
            assert!(agrees::<()>(body), "one pass for {body}");
        }
        let null = format!(r#"{{{HEAD},"data":null}}"#);
        assert!(agrees::<Option<Order>>(&null));
        assert!(agrees::<serde_json::Value>(&null));
        let text = format!(r#"{{{HEAD},"data":"plain \"text\""}}"#);
        assert!(agrees::<String>(&text));
        assert!(agrees::<()>(&text));
    }

    #[test]
    fn d22_one_pass_gives_up_where_the_general_decoder_decides() {
        let cases = [
            // No data, base64 data, data that is not JSON (declared before or after it).
            format!(r#"{{{HEAD}}}"#),
            format!(r#"{{{HEAD},"data_base64":"e30="}}"#),
            format!(
                r#"{{{HEAD},"datacontenttype":"text/plain","data":{{"order_id":"o","amount":1}}}}"#
            ),
            format!(
                r#"{{{HEAD},"data":{{"order_id":"o","amount":1}},"datacontenttype":"text/plain"}}"#
            ),
            // A duplicate data member, a bad attribute, bad data, trailing garbage.
            format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1}},"data":1}}"#),
            r#"{"specversion":"0.3","id":"1","source":"/s","type":"t","data":{"order_id":"o","amount":1}}"#.to_owned(),
            format!(r#"{{{HEAD},"data":{{"order_id":1}}}}"#),
            format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1}}}} x"#),
            // The Event Grid validation event, answered by the route.
            r#"{"specversion":"1.0","id":"1","source":"/s","type":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"order_id":"o","amount":1}}"#.to_owned(),
        ];
        for body in &cases {
            assert!(!agrees::<Order>(body), "gave up for {body}");
        }
        // The raw text of the data is not available in one pass.
        let body = format!(r#"{{{HEAD},"data":{{"a":1}}}}"#);
        assert!(one_pass::<bytes::Bytes>(body.as_bytes()).is_none());
        assert!(general::<bytes::Bytes>(&body).is_some());
    }

    #[test]
    fn d8_one_pass_batch_gives_up_on_any_event_it_does_not_decide() {
        let good = format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1}}}}"#);
        let bad = format!(r#"{{{HEAD},"data_base64":"e30="}}"#);
        let batch = |events: &[&str]| format!("[{}]", events.join(","));
        type Batch<'a> = OnePassArray<RawEvent<'a, Typed<Order>>>;
        let body = batch(&[&good, &good]);
        let OnePassArray(events) = serde_json::from_str::<Batch<'_>>(&body).unwrap();
        assert_eq!(events.len(), 2);
        let body = batch(&[&good, &bad]);
        assert!(serde_json::from_str::<Batch<'_>>(&body).is_err());
        // The general decoder still decides it (here: 415, the data is not JSON).
        let err = decode_batch::<Order>(batch(&[&good, &bad]).as_bytes()).unwrap_err();
        assert!(err.reason().starts_with("event 1:"), "{}", err.reason());
    }
}
