// D10: the attribute's literals are defaults; a deployment builds the route from its own config.
use webhook_runtime::{AllowedOrigins, CloudEvent, Config, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn orders(_event: CloudEvent) {}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let from_env = orders::config().with_env("ORDERS")?;
    let explicit = Config::new()
        .with_origins(AllowedOrigins::parse(["a.example.com"])?)
        .with_rate(60);
    let _app: axum::Router = axum::Router::new()
        .route("/env", orders::route_with(from_env))
        .route("/explicit", orders::route_with(explicit));
    Ok(())
}
