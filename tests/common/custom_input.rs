//! Event Grid deliveries in a topic's custom input schema (protocol.md G1), for the tests of
//! routes whose handlers take `CustomInput<T>` and of the routes serving the other schema pairs:
//! the publisher's schema of Azure's "Map custom fields to Event Grid schema" example, its
//! objects, and the POSTs Event Grid makes.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::routing::MethodRouter;
use serde::Deserialize;
use serde_json::{Value, json};

/// Where the routes under test are mounted.
pub const PATH: &str = "/messages";
/// What Event Grid sends as Content-Type (protocol.md §5).
pub const JSON: &str = "application/json; charset=utf-8";
/// The validation event of seed 002: every subscription that does not deliver CloudEvents is
/// validated by it, a custom input schema subscription included (G1).
pub const SAMPLE: &str = r#"[{"id":"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66","topic":"/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx","subject":"","data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6","validationUrl":"https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"},"eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","eventTime":"2022-10-28T04:23:35.1981776Z","metadataVersion":"1","dataVersion":"1"}]"#;
/// The validation code of [`SAMPLE`].
pub const SAMPLE_CODE: &str = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";
/// The custom topic of Azure's example.
pub const TOPIC: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.EventGrid/topics/demotopic";

/// The publisher's schema of Azure's example.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Mapped to `eventType` by the topic.
    pub my_event_type_field: String,
    /// The resource the event is about.
    pub resource: String,
    /// The publisher's data.
    pub resource_data: Option<Value>,
}

/// The object Azure's page publishes, which its custom input schema subscription received.
pub fn published() -> Value {
    json!({
        "myEventTypeField": "Created",
        "resource": "Users/example/Messages/1000",
        "resourceData": { "someDataField1": "SomeDataFieldValue" },
    })
}

/// A published object numbered `i` (`resource` `Users/example/Messages/<i>`).
pub fn numbered(i: usize) -> Value {
    json!({ "myEventTypeField": "Created", "resource": format!("Users/example/Messages/{i}") })
}

/// The `resource` of each message, in order.
pub fn resources(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|m| m.resource.clone()).collect()
}

/// A JSON array of `objects`, as a body.
pub fn array(objects: &[Value]) -> String {
    Value::Array(objects.to_vec()).to_string()
}

/// The router serving `route` at [`PATH`], and the state the handler records into.
pub fn serve<S: Clone + Default + Send + Sync + 'static>(route: MethodRouter<S>) -> (Router, S) {
    let state = S::default();
    (
        Router::new().route(PATH, route).with_state(state.clone()),
        state,
    )
}

/// A request to [`PATH`] with `headers` in order.
pub fn request(method: Method, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(PATH);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

/// An Event Grid POST: JSON Content-Type, then `aeg-event-type` and `aeg-subscription-name`
/// when given.
pub fn grid(
    kind: Option<&str>,
    subscription: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut headers = vec![("content-type", JSON)];
    headers.extend(kind.map(|k| ("aeg-event-type", k)));
    headers.extend(subscription.map(|s| ("aeg-subscription-name", s)));
    request(Method::POST, &headers, body)
}

/// A notification (`aeg-event-type: Notification`) carrying `body`.
pub fn notification(body: impl Into<Body>) -> Request<Body> {
    grid(Some("Notification"), None, body)
}

/// The validation POST of [`SAMPLE`], for `subscription`.
pub fn validation(subscription: Option<&str>) -> Request<Body> {
    grid(Some("SubscriptionValidation"), subscription, SAMPLE)
}
