//! Checks shared by the fuzz targets: the invariants every decoder result must satisfy.

use webhook_runtime::cloudevents::{self, CloudEventsDelivery};
use webhook_runtime::{CloudEvent, Rejection};

/// A rejection is a client error (400, 413, 415): no body makes a decoder fail as a server.
pub fn assert_client_error<T>(result: &Result<T, Rejection>) {
    if let Err(rejection) = result {
        assert!(
            rejection.status().is_client_error(),
            "{} {}",
            rejection.status(),
            rejection.reason()
        );
    }
}

/// C1: an accepted CloudEvent has `specversion` 1.0, a non-empty `id`, `source` and `type`,
/// and extension names of lower-case letters and digits other than `data`.
pub fn assert_valid_event<T>(event: &CloudEvent<T>) {
    assert_eq!(event.specversion().as_str(), "1.0");
    assert!(!event.id().is_empty(), "empty id");
    assert!(!event.source().is_empty(), "empty source");
    assert!(!event.ty().is_empty(), "empty type");
    for name in event.extensions().keys() {
        assert!(
            cloudevents::is_attribute_name(name) && name != "data",
            "extension {name:?}"
        );
    }
}

/// [`assert_client_error`], then [`assert_valid_event`] on every decoded event.
pub fn assert_valid_events<T>(result: &Result<Vec<CloudEvent<T>>, Rejection>) {
    assert_client_error(result);
    result.iter().flatten().for_each(assert_valid_event);
}

/// [`assert_valid_events`] for a delivery that may be an Event Grid validation instead.
pub fn assert_valid_delivery<T>(result: &Result<CloudEventsDelivery<CloudEvent<T>>, Rejection>) {
    assert_client_error(result);
    if let Ok(CloudEventsDelivery::Events(events)) = result {
        events.iter().for_each(assert_valid_event);
    }
}
