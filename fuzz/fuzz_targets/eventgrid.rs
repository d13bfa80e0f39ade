//! Event Grid POSTs (protocol.md §3, §5, D23): never panics, fails only with a client error, and a
//! validation or deletion event never reaches the handler as a notification.
//!
//! Input format: the first byte picks the `aeg-event-type` header, the rest is the body.

#![no_main]

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_fuzz::assert_client_error;
use webhook_runtime::eventgrid::{DELETION_EVENT_TYPE, EventGridDelivery, VALIDATION_EVENT_TYPE, decode};

const KINDS: [Option<&str>; 6] = [
    None,
    Some("Notification"),
    Some("SubscriptionValidation"),
    Some("SubscriptionDeletion"),
    Some("subscriptionVALIDATION"),
    Some("Other"),
];

fuzz_target!(|input: &[u8]| {
    let Some((&first, body)) = input.split_first() else {
        return;
    };
    let mut headers = HeaderMap::new();
    if let Some(kind) = KINDS[usize::from(first) % KINDS.len()] {
        headers.insert("aeg-event-type", HeaderValue::from_static(kind));
    }
    let decoded = decode::<Value>(&headers, body);
    assert_client_error(&decoded);
    match &decoded {
        Ok(EventGridDelivery::Notification(events)) => {
            for event in events {
                assert!(
                    ![VALIDATION_EVENT_TYPE, DELETION_EVENT_TYPE].contains(&event.event_type())
                );
                assert!(!event.id().is_empty() && !event.event_type().is_empty());
            }
        }
        Ok(EventGridDelivery::Validation(_)) => assert!(
            headers
                .get("aeg-event-type")
                .is_some_and(|k| k.as_bytes().eq_ignore_ascii_case(b"SubscriptionValidation"))
        ),
        Ok(EventGridDelivery::Deletion(_)) => assert!(
            headers
                .get("aeg-event-type")
                .is_some_and(|k| k.as_bytes().eq_ignore_ascii_case(b"SubscriptionDeletion"))
        ),
        Err(_) => {}
    }
    assert_client_error(&decode::<Bytes>(&headers, body));
    assert_client_error(&decode::<Option<String>>(&headers, body));
});
