// An `Rc` held across an `.await` makes the future not `Send`: rustc says so, once, at `async`.
use std::rc::Rc;

use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent) {
    let seen = Rc::new(1);
    std::future::ready(()).await;
    drop(seen);
}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
