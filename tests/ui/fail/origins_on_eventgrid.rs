use webhook_runtime::{EventGridEvent, webhook};

#[webhook(schema = eventgrid, origins = ["eventgrid.azure.net"])]
async fn blobs(_event: EventGridEvent) {}

fn main() {}
