use webhook_runtime::{EventGridEvent, webhook};

#[webhook(schema = eventgrid, subscriptions = ["my_subscription"])]
async fn blobs(_event: EventGridEvent) {}

fn main() {}
