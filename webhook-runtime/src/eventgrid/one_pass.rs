//! The fast path of Event Grid notifications (per delivery): each event's data is typed as the
//! array is parsed, instead of being kept as JSON text and parsed again. It decides only what it
//! can decide exactly as [`decode_general`](super::decode::decode_general) would; anything else
//! (a missing or empty field, a bad time, data the type refuses, a validation or deletion event)
//! gives up, and the general decoder decodes the body. A differential test below holds the two
//! to the same answers; `BENCHMARKS.md` gives what the fast path is worth.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::event::{EventGridEvent, is_lifecycle_event_type};
use crate::data::Typed;
use crate::interned::interned;
use crate::json::{OnePass, Text};

/// An event decoded in one pass: its data typed as the event is parsed (instead of being kept as
/// JSON text and parsed again), the required fields plain strings, `eventTime` borrowed until it
/// is read. Anything the one pass does not decide fails it: a missing, null or empty required
/// field, a bad time, data the type does not take (or for which it needs the raw text or the
/// event type), an event the data type skips, and the validation and deletion events. The
/// general decoder then decodes the body, and words the answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "T: DeserializeOwned")]
pub(super) struct OnePassEvent<'a, T> {
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

impl<T> OnePass for OnePassEvent<'_, T> {
    type Output = EventGridEvent<T>;

    /// `{"id":"a","subject":"","eventType":"a","eventTime":"2024-01-01T00:00:00Z","dataVersion":"","data":0},`:
    /// the required fields, `id` and `eventType` not empty, the shortest RFC 3339 time.
    const SHORTEST: usize = 101;
    const MEMBER: &'static [u8] = b"\"eventTime\"";

    fn decided(self) -> Option<EventGridEvent<T>> {
        if self.id.is_empty()
            || self.event_type.is_empty()
            || is_lifecycle_event_type(&self.event_type)
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

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::*;
    use crate::eventgrid::decode::tests::{SAMPLE, headers};
    use crate::eventgrid::decode::{EventGridDelivery, RawGridEvent, decode};
    use crate::json::{IndexedArray, Parser};

    const EVENT: &str = r#"{"id":"1","topic":"/t","subject":"s","eventType":"Shop.Order","eventTime":"2024-05-01T12:00:00Z","dataVersion":"1","data":{"orderId":"o\u00e9"}}"#;

    /// The general decoder alone.
    fn general<T: DeserializeOwned>(body: &str) -> Option<Vec<EventGridEvent<T>>> {
        let IndexedArray(raw) =
            serde_json::from_str::<IndexedArray<RawGridEvent<'_, &RawValue>>>(body).ok()?;
        raw.into_iter()
            .map(|event| event.into_event().ok().flatten())
            .collect()
    }

    /// The one pass, with each parser (`sonic-rs` too when the feature is on), either gives up
    /// or gives exactly what the general decoder gives; the parsers decide the same bodies.
    fn agrees<T: DeserializeOwned + PartialEq + std::fmt::Debug>(body: &str) -> bool {
        let decided: Vec<bool> = Parser::ALL
            .iter()
            .map(
                |&parser| match parser.one_pass_array::<OnePassEvent<'_, T>>(body.as_bytes()) {
                    Some(fast) => {
                        assert_eq!(Some(fast), general::<T>(body), "{parser:?}: {body}");
                        true
                    }
                    None => false,
                },
            )
            .collect();
        assert!(
            decided.iter().all(|&d| d == decided[0]),
            "{decided:?}: {body}"
        );
        decided[0]
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
        assert!(matches!(raw, Ok(EventGridDelivery::Notification(events)) if events.len() == 1));
    }

    #[test]
    fn shortest_event_the_one_pass_decides_is_as_long_as_reserved_for() {
        let shortest = r#"{"id":"a","subject":"","eventType":"a","eventTime":"2024-01-01T00:00:00Z","dataVersion":"","data":0}"#;
        assert_eq!(shortest.len() + 1, OnePassEvent::<'_, u8>::SHORTEST);
        for &parser in Parser::ALL {
            let body = format!("[{shortest},{shortest}]");
            let events = parser.one_pass_array::<OnePassEvent<'_, u8>>(body.as_bytes());
            assert_eq!(events.map(|e| e.len()), Some(2), "{parser:?}");
        }
    }
}
