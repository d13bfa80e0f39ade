//! Decoding an event's data into the handler's type (J5–J10, D13, D22), for every schema.
//!
//! The data of an event is one of: absent, JSON text (a structured `data` member, or a body or
//! `data_base64` whose content type is JSON or unstated), or opaque bytes with a non-JSON content
//! type. [`DataDeserializer`] presents it to serde so that the handler's type picks what it needs:
//! `bytes::Bytes` asks for bytes and gets them raw, `Option<T>` asks for an option and gets `None`
//! when there is no data, `String` gets text, and every other type is decoded from JSON (415 when
//! the content type says the data is not JSON).

use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};

use crate::rejection::{Rejection, quoted};

mod typed;

pub(crate) use typed::{GIVE_UP, Typed, TypedSeed};

/// Where an event's data comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DataSource<'a> {
    /// No data (no `data` member, a null `data_base64`, an empty binary body).
    Absent,
    /// JSON text.
    Json(&'a [u8]),
    /// Bytes whose content type is not JSON.
    Opaque(&'a [u8]),
}

/// Whether a media type is JSON: `application/json`, `text/json` or `*/*+json` (D22).
///
/// ```
/// use webhook_runtime::cloudevents::is_json_media_type;
///
/// assert!(is_json_media_type("application/json; charset=utf-8"));
/// assert!(is_json_media_type("application/vnd.shop.order+json"));
/// assert!(!is_json_media_type("application/xml"));
/// ```
pub fn is_json_media_type(content_type: &str) -> bool {
    // The usual value, without parameters, decided without splitting.
    if content_type.eq_ignore_ascii_case("application/json") {
        return true;
    }
    // As bytes: no `str` splitter, no character-boundary checks.
    let essence = media_type_essence(content_type).as_bytes();
    essence.eq_ignore_ascii_case(b"application/json")
        || essence.eq_ignore_ascii_case(b"text/json")
        || (essence.len() > 5
            && essence[essence.len() - 5..].eq_ignore_ascii_case(b"+json")
            && essence.contains(&b'/'))
}

/// A media type without its parameters or the whitespace around it.
pub(crate) fn media_type_essence(value: &str) -> &str {
    let end = value.bytes().position(|b| b == b';').unwrap_or(value.len());
    value[..end].trim_ascii()
}

impl<'a> DataSource<'a> {
    /// Data from bytes with an optional content type: JSON unless the content type says otherwise.
    pub(crate) fn from_bytes(bytes: &'a [u8], content_type: Option<&str>) -> Self {
        if bytes.is_empty() {
            DataSource::Absent
        } else if content_type.is_none_or(is_json_media_type) {
            DataSource::Json(bytes)
        } else {
            DataSource::Opaque(bytes)
        }
    }
}

/// The serde enum name by which `#[derive(EventTypes)]` asks for the event type as the variant.
pub const EVENT_TYPES_ENUM: &str = "webhook_runtime::EventTypes";
/// The error message by which a derived enum skips an event of a type it does not handle.
pub const SKIP_EVENT: &str = "webhook_runtime: skip this event";
/// The start of the error message by which a derived enum refuses an unknown event type.
pub const UNKNOWN_EVENT_TYPE: &str = "unknown event type ";

/// Decodes the data of an event of type `event_type` into `T`, turning a failure into the right
/// rejection; `None` when `T` (a derived event-type enum) skips the event.
pub(crate) fn decode<T: DeserializeOwned>(
    source: DataSource<'_>,
    content_type: Option<&str>,
    event_type: &str,
) -> Result<Option<T>, Rejection> {
    match T::deserialize(DataDeserializer {
        source,
        content_type,
        event_type,
    }) {
        Ok(data) => Ok(Some(data)),
        Err(DataError(Kind::Skip)) => Ok(None),
        Err(error) => Err(error.into_rejection()),
    }
}

#[derive(Debug)]
enum Kind {
    Skip,
    UnknownType(String),
    Missing,
    NotJson(Option<String>),
    Invalid(String),
}

/// Why data could not be decoded.
#[derive(Debug)]
pub(crate) struct DataError(Kind);

impl DataError {
    fn json(error: serde_json::Error) -> Self {
        DataError(Kind::Invalid(error.to_string()))
    }

    fn into_rejection(self) -> Rejection {
        match self.0 {
            Kind::Skip => Rejection::bad_request("the event was skipped"),
            Kind::UnknownType(message) => Rejection::bad_request(message),
            Kind::Missing => Rejection::bad_request(
                "the event has no data, but the handler requires it (use Option<T> to accept events without data)",
            ),
            Kind::NotJson(Some(content_type)) => Rejection::unsupported_media_type(format!(
                "data content type {} is not JSON, but the handler decodes JSON",
                quoted(&content_type)
            )),
            Kind::NotJson(None) => Rejection::unsupported_media_type(
                "the data is binary (data_base64 without a JSON datacontenttype), but the handler decodes JSON",
            ),
            Kind::Invalid(message) => Rejection::bad_request(format!("invalid data: {message}")),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Skip => f.write_str("skipped"),
            Kind::UnknownType(m) => f.write_str(m),
            Kind::Missing => f.write_str("no data"),
            Kind::NotJson(ct) => write!(f, "data content type {ct:?} is not JSON"),
            Kind::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DataError {}

impl de::Error for DataError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        let message = msg.to_string();
        DataError(if message == SKIP_EVENT {
            Kind::Skip
        } else if message.starts_with(UNKNOWN_EVENT_TYPE) {
            Kind::UnknownType(message)
        } else {
            Kind::Invalid(message)
        })
    }
}

/// A serde `Deserializer` over an event's data.
pub(crate) struct DataDeserializer<'a> {
    source: DataSource<'a>,
    content_type: Option<&'a str>,
    event_type: &'a str,
}

impl DataDeserializer<'_> {
    fn not_json(&self) -> DataError {
        DataError(Kind::NotJson(self.content_type.map(str::to_owned)))
    }
}

/// Methods that decode JSON: forwarded to `serde_json` for JSON data, refused otherwise.
macro_rules! json_methods {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, DataError> {
            match self.source {
                DataSource::Json(text) => {
                    let mut de = serde_json::Deserializer::from_slice(text);
                    let value = de::Deserializer::$method(&mut de, $($($arg,)*)? visitor).map_err(DataError::json)?;
                    de.end().map_err(DataError::json)?;
                    Ok(value)
                }
                DataSource::Absent => Err(DataError(Kind::Missing)),
                DataSource::Opaque(_) => Err(self.not_json()),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for DataDeserializer<'de> {
    type Error = DataError;

    json_methods! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32;
        deserialize_i64; deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32;
        deserialize_u64; deserialize_u128; deserialize_f32; deserialize_f64; deserialize_char;
        deserialize_seq; deserialize_map; deserialize_identifier;
        deserialize_unit_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        match self.source {
            DataSource::Opaque(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => visitor.visit_str(text),
                Err(_) => Err(de::Error::custom("the data is not UTF-8 text")),
            },
            DataSource::Json(text) => {
                let mut de = serde_json::Deserializer::from_slice(text);
                let value =
                    de::Deserializer::deserialize_str(&mut de, visitor).map_err(DataError::json)?;
                de.end().map_err(DataError::json)?;
                Ok(value)
            }
            DataSource::Absent => Err(DataError(Kind::Missing)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        self.deserialize_str(visitor)
    }

    /// Raw data: the bytes of a binary body or of `data_base64`, or the JSON text of `data`.
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        match self.source {
            DataSource::Json(bytes) | DataSource::Opaque(bytes) => visitor.visit_bytes(bytes),
            DataSource::Absent => Err(DataError(Kind::Missing)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        self.deserialize_bytes(visitor)
    }

    /// `None` for absent data and for JSON `null`; `Some` otherwise.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        match self.source {
            DataSource::Absent => visitor.visit_none(),
            DataSource::Json(text) if text.trim_ascii() == b"null" => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// `()` accepts any data, or none.
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DataError> {
        visitor.visit_unit()
    }

    /// A derived event-type enum gets the event type as its variant and the data as its content;
    /// any other enum is decoded from JSON.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DataError> {
        if name == EVENT_TYPES_ENUM {
            return visitor.visit_enum(self);
        }
        match self.source {
            DataSource::Json(text) => {
                let mut de = serde_json::Deserializer::from_slice(text);
                let value = de::Deserializer::deserialize_enum(&mut de, name, variants, visitor)
                    .map_err(DataError::json)?;
                de.end().map_err(DataError::json)?;
                Ok(value)
            }
            DataSource::Absent => Err(DataError(Kind::Missing)),
            DataSource::Opaque(_) => Err(self.not_json()),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DataError> {
        visitor.visit_newtype_struct(self)
    }
}

impl<'de> de::EnumAccess<'de> for DataDeserializer<'de> {
    type Error = DataError;
    type Variant = Self;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), DataError> {
        let variant = seed.deserialize(de::value::BorrowedStrDeserializer::<DataError>::new(
            self.event_type,
        ))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for DataDeserializer<'de> {
    type Error = DataError;

    /// A variant without a field ignores the data.
    fn unit_variant(self) -> Result<(), DataError> {
        Ok(())
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DataError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DataError> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DataError> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::StatusCode;

    fn decode_any<T: DeserializeOwned>(
        source: DataSource<'_>,
        ct: Option<&str>,
    ) -> Result<T, Rejection> {
        decode(source, ct, "t").map(|d| d.expect("not skipped"))
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Order {
        order_id: String,
    }

    #[test]
    fn d13_typed_json() {
        let order: Order = decode_any(DataSource::Json(br#"{"order_id":"a"}"#), None).unwrap();
        assert_eq!(order.order_id, "a");
    }

    #[test]
    fn d13_bytes_get_raw_data() {
        let raw: Bytes = decode_any(DataSource::Json(br#"{"a": 1}"#), None).unwrap();
        assert_eq!(&raw[..], br#"{"a": 1}"#);
        let raw: Bytes = decode_any(
            DataSource::Opaque(b"\x00\xff"),
            Some("application/octet-stream"),
        )
        .unwrap();
        assert_eq!(&raw[..], b"\x00\xff");
    }

    #[test]
    fn d13_option_is_none_without_data() {
        let none: Option<Order> = decode_any(DataSource::Absent, None).unwrap();
        assert_eq!(none, None);
        let some: Option<Order> =
            decode_any(DataSource::Json(br#"{"order_id":"a"}"#), None).unwrap();
        assert!(some.is_some());
    }

    #[test]
    fn d22_required_data_missing_is_400() {
        let err = decode_any::<Order>(DataSource::Absent, None).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(err.reason().contains("no data"));
    }

    #[test]
    fn d22_json_type_with_non_json_content_is_415() {
        let err = decode_any::<Order>(DataSource::Opaque(b"<order/>"), Some("application/xml"))
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let text: String =
            decode_any(DataSource::Opaque(b"<order/>"), Some("application/xml")).unwrap();
        assert_eq!(text, "<order/>");
    }

    #[test]
    fn d22_json_media_types() {
        for yes in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "text/json",
            "application/vnd.x+json",
            " application/json ; charset=utf-8",
            "\tTEXT/JSON;x=1",
            "application/problem+JSON",
        ] {
            assert!(is_json_media_type(yes), "{yes}");
        }
        // Whitespace around the essence is RFC 9110's OWS (space, tab): other spaces stay.
        for no in [
            "text/plain",
            "application/xml",
            "+json",
            "x+json",
            "application/jsonx",
            "application/json x",
            "\u{a0}application/json",
            "",
            ";application/json",
        ] {
            assert!(!is_json_media_type(no), "{no}");
        }
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        let err = decode_any::<serde_json::Value>(DataSource::Json(b"{} x"), None).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}
