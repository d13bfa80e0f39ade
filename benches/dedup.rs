//! What deduplication costs per delivery (SPEC D8), in process through an axum `Router`.
//!
//! ```text
//! cargo bench --bench dedup
//! ```
//!
//! One binary-mode CloudEvent (~1 KiB of typed data) per request, sent with
//! `tower::ServiceExt::oneshot` on a current-thread runtime; every contender gets a request with
//! a fresh `ce-id` header each iteration (so all pay the same request building). Contenders:
//!
//! - `no_dedup`: the `#[webhook]` route without deduplication;
//! - `memory_new`: the same route with `Dedup::new(MemoryStore::new(100_000), 10 min)`, every
//!   event new (claim, handler, complete; the store full and evicting in steady state);
//! - `memory_duplicate`: the same route, every request a redelivery of one handled event
//!   (claim answers "done": acknowledged without calling the handler).
//!
//! Results and their reading: `BENCHMARKS.md`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Request};
use criterion::{Criterion, criterion_main};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use webhook_runtime::dedup::{Dedup, MemoryStore};
use webhook_runtime::{CloudEvent, webhook};

/// The typed data of the event: a few fields and a ~900-byte string.
#[derive(Debug, Serialize, Deserialize)]
struct Order {
    order_id: String,
    customer: String,
    amount: f64,
    quantity: u32,
    note: String,
}

/// Events handed to the handler (checked before timing).
static HANDLED: AtomicU64 = AtomicU64::new(0);

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(event: CloudEvent<Order>) {
    black_box(&event);
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

fn body() -> Bytes {
    let mut note = String::new();
    while note.len() < 900 {
        note.push_str("Leave the parcel at the back door, next to the blue bin; ring twice. ");
    }
    note.truncate(900);
    let order = Order {
        order_id: "o-000001".to_owned(),
        customer: "c-0042 Jane Doe".to_owned(),
        amount: 1234.5,
        quantity: 3,
        note,
    };
    Bytes::from(serde_json::to_vec(&order).expect("json"))
}

fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("content-type", "application/json"),
        ("ce-specversion", "1.0"),
        ("ce-source", "/orders/eu-west"),
        ("ce-type", "com.example.order.created"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}

/// A request carrying event `id`.
fn request(headers: &HeaderMap, body: &Bytes, id: u64) -> Request<Body> {
    let mut request = Request::post("/hook")
        .body(Body::from(body.clone()))
        .expect("request");
    *request.headers_mut() = headers.clone();
    request.headers_mut().insert("ce-id", HeaderValue::from(id));
    request
}

async fn send(router: &Router, request: Request<Body>) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    assert!(response.status().is_success(), "{}", response.status());
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dedup = || Dedup::new(MemoryStore::new(100_000), Duration::from_secs(600));
    let routes = [
        (
            "no_dedup",
            Router::new().route("/hook", orders::route()),
            true,
        ),
        (
            "memory_new",
            Router::new().route(
                "/hook",
                orders::route_with(orders::config().with_dedup(dedup())),
            ),
            true,
        ),
        (
            "memory_duplicate",
            Router::new().route(
                "/hook",
                orders::route_with(orders::config().with_dedup(dedup())),
            ),
            false,
        ),
    ];
    let (headers, body) = (headers(), body());
    // Checked before timing: new events reach the handler, a redelivery does not.
    for (name, router, new) in &routes {
        let before = HANDLED.load(Ordering::Relaxed);
        runtime.block_on(send(router, request(&headers, &body, 1)));
        runtime.block_on(send(
            router,
            request(&headers, &body, if *new { 2 } else { 1 }),
        ));
        let handled = HANDLED.load(Ordering::Relaxed) - before;
        let expected = if *new { 2 } else { 1 };
        assert_eq!(handled, expected, "{name}: events handled");
    }
    let next = AtomicU64::new(10);
    let mut group = c.benchmark_group("dedup");
    for (name, router, new) in &routes {
        group.bench_function(*name, |b| {
            b.to_async(&runtime).iter(|| {
                let id = if *new {
                    next.fetch_add(1, Ordering::Relaxed)
                } else {
                    1
                };
                send(router, request(&headers, &body, id))
            });
        });
    }
    group.finish();
}

/// Short settings for a 2-core machine (the command line may override them).
fn benches() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    bench(&mut criterion);
}

criterion_main!(benches);
