// A subscription that delivers the topic's custom input schema: the publisher's objects as
// `CustomInput<T>` (per object) or `Vec<CustomInput<T>>` (per delivery), with extractors, any
// return type, and the route built from the attribute or at run time.
use axum::extract::State;
use webhook_runtime::eventgrid::EventGridHeaders;
use webhook_runtime::{CustomInput, Outcome, webhook};

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    my_event_type_field: String,
    resource: String,
}

#[derive(Clone, Default)]
struct Db;

#[webhook(schema = eventgrid, subscriptions = ["eventsub2"], body_limit = 65536)]
async fn messages(
    message: CustomInput<Message>,
    delivery: EventGridHeaders,
    State(_db): State<Db>,
) {
    let message = message.data();
    let _ = (
        &message.my_event_type_field,
        &message.resource,
        delivery.delivery_count,
    );
}

#[webhook(schema = eventgrid)]
async fn all_at_once(messages: Vec<CustomInput>) -> Outcome {
    if messages.is_empty() {
        Outcome::Ack
    } else {
        Outcome::retry()
    }
}

#[webhook(schema = eventgrid)]
async fn raw(_message: webhook_runtime::eventgrid::CustomInput<bytes::Bytes>) {}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/messages", messages::route())
        .route(
            "/all",
            all_at_once::route_with(all_at_once::config().with_max_events(10)),
        )
        .route("/raw", raw::route())
        .with_state(Db);
}
