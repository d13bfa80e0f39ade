// One mistake, one error: the route is still mounted, and only the attribute error shows.
use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 0)]
async fn orders(_event: CloudEvent) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
