use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, subscriptions = ["orders"])]
async fn orders(_event: CloudEvent) {}

fn main() {}
