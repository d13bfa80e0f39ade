use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn orders(_event: CloudEvent) {}

fn main() {}
