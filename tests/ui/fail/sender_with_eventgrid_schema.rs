use webhook_runtime::{EventGridEvent, webhook};

#[webhook(schema = eventgrid, sender = sap_event_mesh)]
async fn grid(_event: EventGridEvent<serde_json::Value>) {}

fn main() {}
