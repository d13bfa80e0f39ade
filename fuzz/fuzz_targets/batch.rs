//! CloudEvents batch mode (protocol.md §4, C10, D8) on arbitrary bodies: never panics, fails only with a
//! client error, and every accepted event satisfies C1.

#![no_main]

use bytes::Bytes;
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_fuzz::{assert_valid_delivery, assert_valid_events};
use webhook_runtime::cloudevents::{Mode, decode, decode_delivery};

fuzz_target!(|body: &[u8]| {
    let headers = HeaderMap::new();
    let events = decode::<Value>(Mode::Batch, &headers, body);
    assert_valid_events(&events);
    // A batch is decoded whole and no event is skipped (only derived event-type enums skip):
    // two data types that both accept a batch see the same number of events.
    let raw = decode::<Bytes>(Mode::Batch, &headers, body);
    assert_valid_events(&raw);
    if let (Ok(events), Ok(raw)) = (&events, &raw) {
        assert_eq!(events.len(), raw.len());
    }
    assert_valid_events(&decode::<Option<Value>>(Mode::Batch, &headers, body));
    assert_valid_delivery(&decode_delivery::<Value>(Mode::Batch, &headers, body));
});
