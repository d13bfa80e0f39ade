//! What deduplication costs per delivery (D8), in process through an axum `Router`.
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
//! The allocation-counting allocator of the other benches is installed here too (`benches/common`).
//!
//! Results and their reading: `BENCHMARKS.md`.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Request};
use common::{Order, send};
use criterion::{Criterion, criterion_main};
use webhook_runtime::dedup::{Dedup, MemoryStore};
use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(event: CloudEvent<Order>) {
    common::handle(1, &event);
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

fn bench(c: &mut Criterion) {
    let runtime = common::runtime();
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
        let before = common::handled();
        runtime.block_on(send(router, request(&headers, &body, 1)));
        runtime.block_on(send(
            router,
            request(&headers, &body, if *new { 2 } else { 1 }),
        ));
        let handled = common::handled() - before;
        let expected = if *new { 2 } else { 1 };
        assert_eq!(handled, expected, "{name}: events handled");
    }
    let next = AtomicU64::new(10);
    let fresh = || {
        // Ids far from the timed loop's.
        static FRESH: AtomicU64 = AtomicU64::new(1 << 40);
        FRESH.fetch_add(1, Ordering::Relaxed)
    };
    let counts: Vec<String> = routes
        .iter()
        .map(|(name, router, new)| {
            let count = common::allocations_per_request(&runtime, router, || {
                request(&headers, &body, if *new { fresh() } else { 1 })
            });
            format!("{name} {count}")
        })
        .collect();
    println!("allocations per request: dedup: {}", counts.join(", "));
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

/// The benchmark, with the shared criterion settings.
fn benches() {
    bench(&mut common::criterion());
}

criterion_main!(benches);
