//! The fast path of structured and batch mode (per delivery): the data is decoded into the
//! handler's type as the event is parsed, instead of being kept as JSON text and parsed again.
//! It decides only what it decides exactly as the general decoder
//! ([`RawEvent::into_event`]) would, and gives up on anything else; the differential tests
//! below hold it to that, and `BENCHMARKS.md` gives what it is worth.

use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess};

use super::attributes::Carrier;
use super::event::CloudEvent;
use super::raw_event::{DataCapture, RawEvent};
use crate::data::{GIVE_UP, Typed, TypedSeed, is_json_media_type};
use crate::eventgrid::VALIDATION_EVENT_TYPE;
use crate::json::{OnePass, Parser};

/// A structured event decoded in one pass: the data is decoded into `T` as the event is parsed,
/// instead of being kept as JSON text and parsed again. `None` whenever the general decoder must
/// decide: an error anywhere, no `data`, `data_base64`, a `datacontenttype` that is not JSON, a
/// data type that needs the raw text or the event type before it came, an event the data type
/// skips, and the Event Grid validation event. It then gives exactly what the general decoder
/// gives for the same body.
pub(super) fn event<T: DeserializeOwned>(parser: Parser, body: &[u8]) -> Option<CloudEvent<T>> {
    parser.one_pass::<RawEvent<'_, Typed<T>>>(body)?.decided()
}

/// A batch decoded in one pass: every event as [`event`] decides it, or `None` as soon as one
/// is not.
pub(super) fn array<T: DeserializeOwned>(
    parser: Parser,
    body: &[u8],
) -> Option<Vec<CloudEvent<T>>> {
    parser.one_pass_array::<RawEvent<'_, Typed<T>>>(body)
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

impl<T> OnePass for RawEvent<'_, Typed<T>> {
    type Output = CloudEvent<T>;

    /// `{"id":"a","source":"a","type":"a","specversion":"1.0","data":0},`: the four required
    /// attributes, none empty, and `data` (the one pass gives up without it).
    const SHORTEST: usize = 64;
    const MEMBER: &'static [u8] = b"\"specversion\"";

    /// The event, when the one pass decides it (see [`event`]).
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

#[cfg(test)]
mod tests {
    use std::fmt;

    use serde::Deserialize;

    use super::*;
    use crate::cloudevents::batch::decode_batch;

    /// The general decoder alone.
    fn general<T: DeserializeOwned>(body: &str) -> Option<CloudEvent<T>> {
        serde_json::from_slice::<RawEvent<'_>>(body.as_bytes())
            .ok()?
            .into_event()
            .ok()
            .flatten()
    }

    /// The one pass, with each parser, either gives up or gives exactly what the general decoder
    /// gives; the parsers decide the same bodies.
    fn agrees<T: DeserializeOwned + PartialEq + fmt::Debug>(body: &str) -> bool {
        let decided = Parser::ALL
            .iter()
            .map(|&parser| match event::<T>(parser, body.as_bytes()) {
                Some(fast) => {
                    assert_eq!(
                        Some(&fast),
                        general::<T>(body).as_ref(),
                        "{parser:?}: {body}"
                    );
                    true
                }
                None => false,
            });
        let decided: Vec<bool> = decided.collect();
        assert!(
            decided.iter().all(|&d| d == decided[0]),
            "{decided:?}: {body}"
        );
        decided[0]
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
        for &parser in Parser::ALL {
            assert!(event::<bytes::Bytes>(parser, body.as_bytes()).is_none());
        }
        assert!(general::<bytes::Bytes>(&body).is_some());
    }

    /// Found by the fuzz target `sonic_differential`: `serde_json` skipped data it ignores without
    /// checking its UTF-8, and so took a body the general decoder refuses.
    #[test]
    fn d13_one_pass_gives_up_on_invalid_utf8_in_data_it_ignores() {
        let body = [
            format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1,"#).as_bytes(),
            b"\"\xa1x\":1}}",
        ]
        .concat();
        for &parser in Parser::ALL {
            assert!(event::<()>(parser, &body).is_none(), "{parser:?}");
            assert!(event::<Order>(parser, &body).is_none(), "{parser:?}");
        }
        let err = super::super::structured::decode_structured::<()>(&body).unwrap_err();
        assert!(
            err.reason().starts_with("malformed JSON"),
            "{}",
            err.reason()
        );
    }

    #[test]
    fn d8_one_pass_batch_gives_up_on_any_event_it_does_not_decide() {
        let good = format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1}}}}"#);
        let bad = format!(r#"{{{HEAD},"data_base64":"e30="}}"#);
        let batch = |events: &[&str]| format!("[{}]", events.join(","));
        type Event<'a> = RawEvent<'a, Typed<Order>>;
        let body = batch(&[&good, &good]);
        for &parser in Parser::ALL {
            let events = parser.one_pass_array::<Event<'_>>(body.as_bytes()).unwrap();
            assert_eq!(events.len(), 2);
            let body = batch(&[&good, &bad]);
            assert!(
                parser
                    .one_pass_array::<Event<'_>>(body.as_bytes())
                    .is_none()
            );
        }
        // The general decoder still decides it (here: 415, the data is not JSON).
        let err = decode_batch::<Order>(batch(&[&good, &bad]).as_bytes()).unwrap_err();
        assert!(err.reason().starts_with("event 1:"), "{}", err.reason());
    }

    #[test]
    fn shortest_event_the_one_pass_decides_is_as_long_as_reserved_for() {
        let shortest = r#"{"id":"a","source":"a","type":"a","specversion":"1.0","data":0}"#;
        type Event<'a> = RawEvent<'a, Typed<u8>>;
        assert_eq!(shortest.len() + 1, Event::SHORTEST);
        for &parser in Parser::ALL {
            let body = format!("[{shortest},{shortest}]");
            let events = parser.one_pass_array::<Event<'_>>(body.as_bytes());
            assert_eq!(events.map(|e| e.len()), Some(2), "{parser:?}");
        }
    }
}
