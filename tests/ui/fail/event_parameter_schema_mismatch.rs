use webhook_runtime::{CloudEvent, webhook};

#[webhook(schema = eventgrid, subscriptions = ["orders"])]
async fn orders(_event: CloudEvent) {}

fn main() {}
