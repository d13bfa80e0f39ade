// D11: the companion carries the handler's visibility, so it can be mounted from elsewhere.
mod hooks {
    use webhook_runtime::{CloudEvent, webhook};

    #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
    pub async fn public(_event: CloudEvent) {}

    #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
    pub(crate) async fn crate_wide(_event: CloudEvent) {}

    pub mod nested {
        use webhook_runtime::{CloudEvent, webhook};

        #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
        pub(in crate::hooks) async fn parent_only(_event: CloudEvent) {}
    }

    pub fn nested_route() -> axum::routing::MethodRouter {
        nested::parent_only::route()
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/public", hooks::public::route())
        .route("/crate", hooks::crate_wide::route())
        .route("/nested", hooks::nested_route());
}
