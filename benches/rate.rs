//! What enforcing the granted rate costs per delivery (W11), per process and shared by replicas
//! through Redis (`rate::RedisRate`), in process through an axum `Router`.
//!
//! ```text
//! cargo bench --bench rate
//! ```
//!
//! One scenario (criterion group `structured`): the `structured` request of
//! `benches/cloudevents.rs` (one event with ~1 KiB of typed data) sent to the route of
//! `#[webhook(origins = [...], schema = cloudevents, rate = 4294967295)]`, a grant no request
//! rate reaches, so that every delivery is admitted and handled. The contenders differ only in
//! how the route counts:
//!
//! - `not_enforced`: not at all (the rate is announced in the handshake only);
//! - `per_process`: `with_rate_enforcement()`, the in-process limiter;
//! - `shared_redis`: `with_shared_rate(RedisRate)`, one script call per delivery to a
//!   `redis-server` this bench starts on a free loopback port (and stops at the end). Its
//!   connection is driven by a one-worker multi-thread runtime beside the bench's own, as a
//!   server's runtime drives it. Without `redis-server` installed, this contender is left out.
//!
//! The difference between `shared_redis` and `per_process` is one round trip to Redis on
//! loopback and its script. Instructions per request (callgrind) would count the bench's process
//! only, not Redis: read the wall time. Results and their reading: `BENCHMARKS.md`.

mod common;

#[path = "../tests/common/redis.rs"]
#[allow(
    dead_code,
    reason = "the tests' helper: this bench starts and stops, no more"
)]
mod redis;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use common::{Delivery, Order, Scenario, bench_scenarios, envelope, handle};
use criterion::criterion_main;
use redis::RedisServer;
use webhook_runtime::rate::RedisRate;
use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 4294967295)]
async fn orders(event: CloudEvent<Order>) {
    handle(1, &event);
}

/// The `structured` delivery of `benches/cloudevents.rs`.
fn delivery() -> Delivery {
    let body = serde_json::to_vec(&envelope(0)).expect("json");
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/cloudevents+json"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    Delivery::post(headers, body, 1)
}

/// The benchmark, with the shared criterion settings.
fn benches() {
    let with = |config| Router::new().route("/hook", orders::route_with(config));
    let mut routes = vec![
        (
            "not_enforced",
            Router::new().route("/hook", orders::route()),
        ),
        (
            "per_process",
            with(orders::config().with_rate_enforcement()),
        ),
    ];
    // Kept until the end: the server (killed on drop) and the runtime driving its connection.
    let server = RedisServer::start_with(&[]);
    let driver = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    if let Some(server) = &server {
        let shared = driver
            .block_on(RedisRate::connect(&server.url()))
            .expect("connects to the bench's redis-server");
        routes.push((
            "shared_redis",
            with(
                orders::config()
                    .with_rate_enforcement()
                    .with_shared_rate(shared.with_prefix("bench:")),
            ),
        ));
    }
    let scenario = Scenario {
        name: "structured",
        delivery: delivery(),
        routes,
        floor: None,
    };
    bench_scenarios(&mut common::criterion(), &[scenario]);
    drop(server);
}

criterion_main!(benches);
