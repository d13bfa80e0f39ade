use webhook_runtime::{CloudEvent, webhook};

#[webhook(orgins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

fn main() {}
