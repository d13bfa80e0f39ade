//! Event data keyed by event type (`#[derive(EventTypes)]`).

/// An enum with a variant per event type, made by `#[derive(EventTypes)]`: use it as the data
/// type of `CloudEvent<E>` or `EventGridEvent<E>` and each event's data is decoded into the
/// variant its type (`type` / `eventType`) names.
pub trait EventTypes {
    /// The event types the enum lists, in declaration order.
    const EVENT_TYPES: &'static [&'static str];
}
