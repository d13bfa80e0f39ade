//! Text fields in Azure's system event data that arrive as JSON numbers. Azure's definitions type
//! some values as strings that services send as numbers: Media Services' published samples send
//! `encoderPort`, `timestamp` and `timescale` as numbers in some events and as text in others,
//! Machine Learning's `ModelVersion` comes as `20`. Refusing such an event would lose it (Event
//! Grid does not retry a 400), and the SDKs take them: the JavaScript one keeps whatever JSON
//! value came, Python's and Java's turn a number into its text.
//!
//! Only the fields listed in `tools/azure-events/numbers-as-text.json` (each with the page whose
//! sample sends a number) use these readers. Every string field could, at no cost at run time,
//! but each such field costs serde a wrapper type: for the 882 string fields of `azure-all` that
//! made the crate's debug build about 60% slower (15 s to 24 s), which every user of the features
//! would pay for a tolerance no sample has shown to be needed elsewhere. A field found to need it
//! is one line in that list.
//!
//! An integer keeps its digits; a number with a fraction or an exponent is written the way Rust
//! writes the `f64` it reads (`1.50` becomes `1.5`). The field is still written as a JSON string.

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// A string, or a number as its text.
struct Text;

impl Visitor<'_> for Text {
    type Value = String;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string (or a number)")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_i128<E: Error>(self, value: i128) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_u128<E: Error>(self, value: u128) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<String, E> {
        Ok(value.to_string())
    }
}

/// The same, or nothing for `null`.
struct OptionText;

impl<'de> Visitor<'de> for OptionText {
    type Value = Option<String>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string, a number or null")
    }

    fn visit_none<E: Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<String>, D::Error> {
        string(deserializer).map(Some)
    }
}

pub(crate) fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(Text)
}

pub(crate) fn option_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_option(OptionText)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "super::string")]
        text: String,
        #[serde(default, deserialize_with = "super::option_string")]
        maybe: Option<String>,
    }

    fn read(json: &str) -> Result<(String, Option<String>), serde_json::Error> {
        serde_json::from_str::<Sample>(json).map(|s| (s.text, s.maybe))
    }

    fn both(value: serde_json::Value) -> (String, Option<String>) {
        let json = serde_json::json!({"text": value, "maybe": value});
        let from_text = read(&json.to_string()).unwrap();
        // Decoding from a `Value` (as the CloudEvents route may) gives the same.
        let from_value = serde_json::from_value::<Sample>(json).unwrap();
        assert_eq!(from_text, (from_value.text, from_value.maybe));
        from_text
    }

    #[test]
    fn string_fields_take_text_or_numbers() {
        let text = |s: &str| (s.to_owned(), Some(s.to_owned()));
        assert_eq!(both("27485".into()), text("27485"));
        assert_eq!(both(52859.into()), text("52859"));
        assert_eq!(both((-7).into()), text("-7"));
        assert_eq!(both(36_656_620_000_u64.into()), text("36656620000"));
        assert_eq!(both(1.5.into()), text("1.5"));
        assert_eq!(read(r#"{"text": "a", "maybe": null}"#).unwrap().1, None);
        assert_eq!(read(r#"{"text": "a"}"#).unwrap().1, None);
        assert!(read(r#"{"text": true}"#).is_err());
        assert!(read(r#"{"text": null}"#).is_err());
        assert!(read(r#"{"text": "a", "maybe": ["b"]}"#).is_err());
    }
}
