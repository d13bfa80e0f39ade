use webhook_runtime::{CloudEvent, webhook};

struct Service;

impl Service {
    #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
    async fn orders(self, _event: CloudEvent) {}
}

fn main() {}
