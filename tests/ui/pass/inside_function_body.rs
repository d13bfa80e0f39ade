// D11: the handler, its data type and its companion all live inside a function body.
use webhook_runtime::{CloudEvent, webhook};

fn main() {
    #[derive(serde::Deserialize)]
    struct Ping {
        n: u32,
    }

    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn ping(event: CloudEvent<Ping>) -> String {
        event.data().n.to_string()
    }

    let _app: axum::Router = axum::Router::new().route("/ping", ping::route());
}
