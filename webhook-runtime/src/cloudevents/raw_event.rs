//! One structured-mode event as parsed from JSON, before it is checked, and the general
//! decoder that checks it (protocol.md §4, JSON format J3–J10): every attribute read with its
//! JSON type, duplicates and bad values noted while the whole object is still parsed, then the
//! data decoded once every attribute is known. The structured and batch decoders, and the fast
//! path beside them ([`one_pass`](super::one_pass)), all parse through [`RawEvent`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::engine::GeneralPurpose;
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use super::attributes::{Attributes, Carrier, is_attribute_name};
use super::event::{CloudEvent, ExtensionValue};
use crate::data::{DataSource, is_json_media_type};
use crate::rejection::{Rejection, quoted};

/// Base64 as RFC 4648 §4 writes it, which the JSON format names for `data_base64` (J5): the
/// standard alphabet, padded with `=` to a multiple of 4 characters, unused bits zero. What every
/// SDK sends; unpadded or non-canonical text is refused.
const BASE64: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How an event's `data` member is taken while the event is parsed.
pub(super) trait DataCapture<'de>: Sized {
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

/// One event as parsed, before validation. The data is kept as `D`: unparsed JSON text for the
/// general decoder, typed in one pass.
pub(super) struct RawEvent<'de, D = &'de RawValue> {
    pub(super) attributes: Attributes<'de>,
    /// Bit per known attribute already seen (duplicate detection).
    pub(super) seen: u16,
    pub(super) data: Option<D>,
    pub(super) data_base64: Option<Cow<'de, str>>,
    /// The first problem met while parsing; parsing goes on so that the JSON is fully checked.
    pub(super) problem: Option<String>,
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

    pub(super) fn fail(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }
}

impl RawEvent<'_> {
    /// Checks the event and decodes its data (the general decoder); `None` when the data type
    /// skips the event.
    pub(super) fn into_event<T: DeserializeOwned>(
        self,
    ) -> Result<Option<CloudEvent<T>>, Rejection> {
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
                    Rejection::bad_request(
                        "attribute `data_base64` is not valid base64 (RFC 4648 §4: the standard \
                         alphabet, padded with `=`)",
                    )
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
                        event.fail(|| {
                            format!("attribute {} must be a string, not {kind}", quoted(key))
                        });
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
    format!("attribute {} appears more than once", quoted(key))
}

fn extension<'de, D>(event: &mut RawEvent<'de, D>, name: &str, value: AttrValue<'de>) {
    if !is_attribute_name(name) {
        return event.fail(|| {
            format!(
                "{} is not a valid attribute name: use lower-case ASCII letters and digits",
                quoted(name)
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
                return event.fail(|| {
                    format!(
                        "extension {} is an integer outside the 32-bit range",
                        quoted(name)
                    )
                });
            }
        },
        other => {
            return event.fail(|| {
                format!(
                    "extension {} must be a string, a boolean or a 32-bit integer, not {}",
                    quoted(name),
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

    /// J5: `data_base64` is RFC 4648 §4 base64, padded and canonical.
    #[test]
    fn j5_data_base64_is_padded_canonical_base64() {
        for valid in [
            "",
            "e30=",
            "aGVsbG8=",
            "AP8QgA==",
            "eyJvcmRlcl9pZCI6Im8tMSJ9",
        ] {
            assert!(BASE64.decode(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "e30", "aGVsbG8", "AP8QgA", "AP8QgA=", "e31=", "aGVsbG9=", "e30==", "e3 0=",
        ] {
            assert!(BASE64.decode(invalid).is_err(), "{invalid}");
        }
    }
}
