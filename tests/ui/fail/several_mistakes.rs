use webhook_runtime::{CloudEvent, webhook};

#[webhook(orgins = ["a.example.com"], rate = 0)]
async fn orders(_event: CloudEvent) {}

fn main() {}
