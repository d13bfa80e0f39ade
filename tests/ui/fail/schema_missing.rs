use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"])]
async fn orders(_event: CloudEvent) {}

fn main() {}
