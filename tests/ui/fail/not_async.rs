use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
fn orders(_event: CloudEvent) {}

fn main() {}
