use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = kafka)]
async fn orders(_event: CloudEvent) {}

fn main() {}
