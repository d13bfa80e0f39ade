//! The event a handler receives from a subscription that delivers in the topic's custom input
//! schema (protocol.md G1, G2): the publisher's own JSON object, typed.

/// One event of an Event Grid subscription whose delivery schema is the custom input schema: the
/// JSON object the publisher posted to the topic, decoded into `T` (protocol.md G1).
///
/// Event Grid then delivers what was published, unchanged: there is no `id`, `eventType` or other
/// Event Grid field to read, only the publisher's fields. The subscription's validation and
/// deletion still come in the Event Grid schema, and the route answers them itself.
///
/// As a handler parameter on a `schema = eventgrid` route, `CustomInput<T>` makes the handler run
/// once per event of the delivered array, in order, stopping at the first answer that is not 2xx;
/// `Vec<CustomInput<T>>` makes it run once with the whole array. Writing the wrapper is what says
/// that the subscription delivers the custom input schema: a plain `Order` parameter is a compile
/// error, so a misspelt `EventGridEvent` never turns a route into this one (G2).
///
/// ```
/// use webhook_runtime::{CustomInput, webhook};
///
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Message {
///     my_event_type_field: String,
///     resource: String,
/// }
///
/// #[webhook(schema = eventgrid, subscriptions = ["eventsub2"])]
/// async fn messages(message: CustomInput<Message>) {
///     let message = message.data();
///     println!("{} {}", message.my_event_type_field, message.resource);
/// }
///
/// let app: axum::Router = axum::Router::new().route("/messages", messages::route());
/// ```
///
/// Event Grid delivers at least once and these events carry no id of their own, so deduplication
/// (`EventGridConfig::with_dedup`) has no key for them: each delivery is handed to the handler.
/// The `aeg-delivery-count` header ([`EventGridHeaders`](super::EventGridHeaders)) tells a
/// redelivery apart, and an id field of the publisher's schema, if it has one, identifies the event.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomInput<T = serde_json::Value> {
    pub(crate) data: T,
}

impl<T> CustomInput<T> {
    /// An event holding `data`, to unit-test a handler.
    pub fn new(data: T) -> Self {
        Self { data }
    }

    /// The publisher's object, decoded.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Takes the publisher's object.
    pub fn into_data(self) -> T {
        self.data
    }
}
