//! CloudEvents binary mode (protocol.md §4, H8–H11, D22) with headers built from the input: never
//! panics, fails only with a client error, and every accepted event satisfies C1.
//!
//! Input format: header lines `name:value` (arbitrary bytes; lines that are not a valid header
//! name and value are skipped), then an empty line, then the body. Seeds are readable requests.

#![no_main]

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_fuzz::{assert_client_error, assert_valid_delivery, assert_valid_events};
use webhook_runtime::cloudevents::{Mode, decode, decode_delivery};
use webhook_runtime::message::decode_incoming;

/// At most this many header lines are read.
const MAX_HEADERS: usize = 16;

fn split(input: &[u8]) -> (HeaderMap, &[u8]) {
    let mut headers = HeaderMap::new();
    let mut rest = input;
    for _ in 0..MAX_HEADERS {
        let (line, after) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = after;
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(&line[colon + 1..]),
        ) {
            headers.append(name, value);
        }
    }
    (headers, rest)
}

fuzz_target!(|input: &[u8]| {
    let (headers, body) = split(input);
    let events = decode::<Value>(Mode::Binary, &headers, body);
    assert_valid_events(&events);
    if let Ok(events) = &events {
        assert!(events.len() <= 1);
    }
    assert_valid_events(&decode::<Bytes>(Mode::Binary, &headers, body));
    assert_valid_events(&decode::<Option<Value>>(Mode::Binary, &headers, body));
    assert_valid_events(&decode::<String>(Mode::Binary, &headers, body));
    assert_valid_delivery(&decode_delivery::<Value>(Mode::Binary, &headers, body));
    // The whole path of a route that also takes plain messages: detection, then decoding.
    match Mode::detect_or_plain(&headers) {
        Ok(mode) => assert_client_error(&decode_incoming::<Value>(mode, &headers, body)),
        Err(rejection) => assert_client_error::<()>(&Err(rejection)),
    }
});
