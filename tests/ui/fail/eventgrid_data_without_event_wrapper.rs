// The publisher's type alone is not an event parameter on an Event Grid route: the error names
// `EventGridEvent<Order>` and `CustomInput<Order>`, so the custom input schema is never assumed.
use webhook_runtime::webhook;

#[derive(serde::Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(schema = eventgrid)]
async fn orders(order: Order) {
    let _ = &order.order_id;
}

fn main() {}
