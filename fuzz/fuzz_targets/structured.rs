//! CloudEvents structured mode (protocol.md §4, J3–J10, C1) on arbitrary bodies: never panics, fails
//! only with a client error, and every accepted event satisfies C1.

#![no_main]

use bytes::Bytes;
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_fuzz::{assert_valid_delivery, assert_valid_events};
use webhook_runtime::cloudevents::{Mode, decode, decode_delivery};

fuzz_target!(|body: &[u8]| {
    let headers = HeaderMap::new();
    let events = decode::<Value>(Mode::Structured, &headers, body);
    assert_valid_events(&events);
    if let Ok(events) = &events {
        assert!(events.len() <= 1);
    }
    assert_valid_events(&decode::<Bytes>(Mode::Structured, &headers, body));
    assert_valid_events(&decode::<Option<String>>(Mode::Structured, &headers, body));
    assert_valid_delivery(&decode_delivery::<Value>(Mode::Structured, &headers, body));
});
