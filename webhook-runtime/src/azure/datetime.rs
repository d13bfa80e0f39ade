//! The serde of the date-times in Azure's system event data: RFC 3339, and, as Azure's own SDKs
//! accept them, times without an offset (taken as UTC).

use serde::{Deserialize, Deserializer, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an RFC 3339 time, or an ISO 8601 time without offset as UTC.
pub(crate) fn parse(text: &str) -> Option<OffsetDateTime> {
    if let Ok(time) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(time);
    }
    // No offset: the same text read as UTC.
    if text.ends_with(|c: char| c.is_ascii_digit()) {
        return OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339).ok();
    }
    None
}

fn format(time: &OffsetDateTime) -> String {
    // An OffsetDateTime always formats as RFC 3339 unless its year is out of range, which
    // parsing cannot produce.
    time.format(&Rfc3339).unwrap_or_default()
}

#[allow(
    dead_code,
    reason = "for date-times that are always sent: none is listed yet"
)]
pub(crate) fn serialize<S: Serializer>(
    time: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(time))
}

#[allow(
    dead_code,
    reason = "for date-times that are always sent: none is listed yet"
)]
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<OffsetDateTime, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 date-time"))
}

/// The same for an optional field.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        time: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => serializer.serialize_some(&format(time)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? {
            Some(text) => parse(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 date-time")),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_times_with_and_without_offset() {
        let with = parse("2017-06-26T18:41:00.9584103Z").unwrap();
        assert_eq!(with.unix_timestamp(), 1_498_502_460);
        let without = parse("2017-06-26T18:41:00.9584103").unwrap();
        assert_eq!(without, with);
        assert_eq!(
            parse("2017-06-26T18:41:00").unwrap().unix_timestamp(),
            1_498_502_460
        );
        assert!(parse("yesterday").is_none());
        assert_eq!(format(&with), "2017-06-26T18:41:00.9584103Z");
    }
}
