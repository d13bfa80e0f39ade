// A handler at module level with other extractors, a `Result` return and application state.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use webhook_runtime::{CloudEvent, webhook};

#[derive(serde::Deserialize)]
struct Order {
    order_id: String,
    amount: f64,
}

#[derive(Clone)]
struct Db;

#[webhook(origins = ["eventemitter.example.com", "*.example.org"], schema = cloudevents, rate = 120, body_limit = 65536)]
async fn orders(
    headers: HeaderMap,
    event: CloudEvent<Order>,
    State(_db): State<Db>,
) -> Result<(), StatusCode> {
    let _ = (headers.len(), &event.data().order_id, event.data().amount);
    Ok(())
}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/hooks/orders", orders::route())
        .with_state(Db);
}
