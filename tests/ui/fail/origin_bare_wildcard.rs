use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["*."], schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

fn main() {}
