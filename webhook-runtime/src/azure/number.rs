//! Numbers in Azure's system event data. Some published samples carry them as text (Key Vault's
//! `"NBF": "1559081980"`); refusing such an event would lose it (Event Grid does not retry a
//! 400), so a numeric string is read as its number. They are written back as numbers.

use serde::{Deserialize, Deserializer};

/// A number as JSON sends it, or as text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Loose {
    Integer(i64),
    Float(f64),
    Text(String),
}

impl Loose {
    fn float<E: serde::de::Error>(self) -> Result<f64, E> {
        match self {
            // Azure's integers fit an f64's 53 bits; a larger one is rounded as JSON readers do.
            #[expect(clippy::cast_precision_loss, reason = "as any JSON reader would")]
            Self::Integer(value) => Ok(value as f64),
            Self::Float(value) => Ok(value),
            Self::Text(text) => text
                .trim()
                .parse()
                .map_err(|_| E::custom("expected a number (or a number as text)")),
        }
    }

    fn integer<E: serde::de::Error>(self) -> Result<i64, E> {
        match self {
            Self::Integer(value) => Ok(value),
            Self::Float(value) if value.fract() == 0.0 && value.abs() < 9.0e15 =>
            {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "checked whole and in range"
                )]
                Ok(value as i64)
            }
            Self::Float(_) => Err(E::custom("expected an integer")),
            Self::Text(text) => text
                .trim()
                .parse()
                .map_err(|_| E::custom("expected an integer (or an integer as text)")),
        }
    }
}

pub(crate) fn f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Loose::deserialize(deserializer)?.float()
}

pub(crate) fn i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Loose::deserialize(deserializer)?.integer()
}

pub(crate) fn option_f64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    Option::<Loose>::deserialize(deserializer)?
        .map(Loose::float)
        .transpose()
}

pub(crate) fn option_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Option::<Loose>::deserialize(deserializer)?
        .map(Loose::integer)
        .transpose()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "super::option_f64")]
        float: Option<f64>,
        #[serde(default, deserialize_with = "super::option_i64")]
        integer: Option<i64>,
    }

    fn read(json: &str) -> Result<(Option<f64>, Option<i64>), serde_json::Error> {
        serde_json::from_str::<Sample>(json).map(|s| (s.float, s.integer))
    }

    #[test]
    fn numbers_or_numeric_text() {
        assert_eq!(
            read(r#"{"float": 1.5, "integer": 7}"#).unwrap(),
            (Some(1.5), Some(7))
        );
        assert_eq!(
            read(r#"{"float": "1559081980", "integer": " 42 "}"#).unwrap(),
            (Some(1_559_081_980.0), Some(42))
        );
        assert_eq!(
            read(r#"{"float": 3, "integer": 3.0}"#).unwrap(),
            (Some(3.0), Some(3))
        );
        assert_eq!(read(r#"{"float": null}"#).unwrap(), (None, None));
        assert!(read(r#"{"integer": 3.5}"#).is_err());
        assert!(read(r#"{"float": "soon"}"#).is_err());
        assert!(read(r#"{"float": true}"#).is_err());
    }
}
