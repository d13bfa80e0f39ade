//! Event data keyed by event type (`#[derive(EventTypes)]`).

/// An enum with a variant per event type, made by `#[derive(EventTypes)]`: use it as the data
/// type of `CloudEvent<E>` or `EventGridEvent<E>` and each event's data is decoded into the
/// variant its type (`type` / `eventType`) names.
///
/// ```
/// use webhook_runtime::{CloudEvent, EventTypes};
///
/// #[derive(EventTypes)]
/// #[events(unknown = reject)]
/// enum Shop {
///     #[event("shop.order.placed")]
///     Placed(serde_json::Value),
///     #[event("shop.order.cancelled")]
///     Cancelled,
/// }
///
/// // What the route checks a type against before it decodes the data.
/// assert_eq!(Shop::EVENT_TYPES, ["shop.order.placed", "shop.order.cancelled"]);
/// # let _ = |event: CloudEvent<Shop>| matches!(event.data(), Shop::Placed(_) | Shop::Cancelled);
/// ```
pub trait EventTypes {
    /// The event types the enum lists, in declaration order.
    const EVENT_TYPES: &'static [&'static str];
}
