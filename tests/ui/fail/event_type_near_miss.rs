// `EventGridEvents` (the extractor of plain axum handlers) in place of `EventGridEvent`: named as
// the near miss it is, not taken for the publisher's type or an extractor.
use webhook_runtime::extract::EventGridEvents;
use webhook_runtime::webhook;

#[webhook(schema = eventgrid)]
async fn orders(_events: EventGridEvents<serde_json::Value>) {}

fn main() {}
