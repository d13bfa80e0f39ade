use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 60, rate = 120)]
async fn orders(_event: CloudEvent) {}

fn main() {}
