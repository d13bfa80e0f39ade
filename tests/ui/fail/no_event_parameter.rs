use webhook_runtime::webhook;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_headers: axum::http::HeaderMap) {}

fn main() {}
