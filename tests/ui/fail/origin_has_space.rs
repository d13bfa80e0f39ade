use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["a b"], schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

fn main() {}
