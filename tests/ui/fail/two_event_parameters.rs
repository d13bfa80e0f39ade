use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_first: CloudEvent, _second: Vec<CloudEvent>) {}

fn main() {}
