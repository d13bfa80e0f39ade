use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders<T: serde::de::DeserializeOwned + Send + 'static>(_event: CloudEvent<T>) {}

fn main() {}
