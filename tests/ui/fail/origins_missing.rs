use webhook_runtime::{CloudEvent, webhook};

#[webhook(schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

fn main() {}
