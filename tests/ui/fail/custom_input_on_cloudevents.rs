use webhook_runtime::{CustomInput, webhook};

#[webhook(origins = ["*"], schema = cloudevents)]
async fn orders(_message: CustomInput) {}

fn main() {}
