// `plain = true`: the handler takes CloudEvents and plain messages as `Incoming<T>`.
use webhook_runtime::{Incoming, webhook};

#[derive(serde::Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn orders(incoming: Incoming<Order>) {
    let _ = &incoming.data().order_id;
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn all(_incoming: Vec<Incoming>) {}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/orders", orders::route())
        .route("/all", all::route());
}
