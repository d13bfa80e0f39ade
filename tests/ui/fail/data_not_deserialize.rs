use webhook_runtime::{CloudEvent, webhook};

struct Order {
    id: String,
}

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(event: CloudEvent<Order>) {
    let _ = &event.data().id;
}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
