use webhook_runtime::webhook;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
struct Orders;

fn main() {}
