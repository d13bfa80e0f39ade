use webhook_runtime::{Incoming, webhook};

#[webhook(origins = ["*"], schema = cloudevents)]
async fn orders(_incoming: Incoming) {}

fn main() {}
