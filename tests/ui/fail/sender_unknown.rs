use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["*"], schema = cloudevents, sender = sap_eventmesh)]
async fn orders(_event: CloudEvent<serde_json::Value>) {}

#[webhook(origins = ["*"], schema = cloudevents, sender = "eventgrid")]
async fn quoted(_event: CloudEvent<serde_json::Value>) {}

fn main() {}
