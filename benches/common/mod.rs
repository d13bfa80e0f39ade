//! What the benches share: the allocation-counting allocator, the typed data, the application
//! code every contender runs, the hand-written routes' refusal, the noop handler, the requests
//! sent, the scenario runner (checks, allocation counts, timing) and the criterion settings.
//! Each bench is its own crate and includes this module (`mod common;`).

#![allow(dead_code, reason = "each bench uses the part it needs")]

use std::alloc::System;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use criterion::Criterion;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// Counts every allocation of the process (`stats_alloc` wraps `System` with atomic counters).
#[global_allocator]
pub static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Events handed to an application handler so far, by any contender (sanity check).
pub static HANDLED: AtomicUsize = AtomicUsize::new(0);

/// What every contender's application code does with an event: look at it, count it.
pub fn handle<E>(events: usize, event: &E) {
    black_box(event);
    HANDLED.fetch_add(events, Ordering::Relaxed);
}

/// Events handled so far.
pub fn handled() -> usize {
    HANDLED.load(Ordering::Relaxed)
}

/// A refusal of the hand-written (and SDK) routes: a status and a one-line reason.
#[derive(Debug)]
pub struct Reject(pub StatusCode, pub &'static str);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

/// 400 with a reason.
pub fn bad_request(reason: &'static str) -> Reject {
    Reject(StatusCode::BAD_REQUEST, reason)
}

/// D19's limit: read the body, answer 204.
pub async fn noop(body: Bytes) -> StatusCode {
    black_box(body);
    StatusCode::NO_CONTENT
}

/// Sends one request through the router; the response (and its body) is dropped. Every answer
/// must be 2xx, in the timed loop too (a route that started refusing, e.g. rate-limiting with
/// 429, would otherwise be timed on its refusals).
pub async fn send(router: &Router, request: Request<Body>) -> StatusCode {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    assert!(status.is_success(), "answered {status}");
    status
}

/// Allocations (and reallocations) made while `run` runs, after one warm-up call.
pub fn allocations(mut run: impl FnMut()) -> usize {
    run();
    let region = Region::new(GLOBAL);
    run();
    let change = region.change();
    change.allocations + change.reallocations
}

/// Allocations (and reallocations) of one request on the server side: the request is built
/// before counting starts, after one warm-up request.
pub fn allocations_per_request(
    runtime: &Runtime,
    router: &Router,
    request: impl Fn() -> Request<Body>,
) -> usize {
    runtime.block_on(send(router, request()));
    let request = request();
    let region = Region::new(GLOBAL);
    runtime.block_on(send(router, request));
    let change = region.change();
    change.allocations + change.reallocations
}

/// A current-thread runtime, as the benches drive requests on.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Settings short enough for a 2-core machine (the command line may override them): warm-up
/// 1 s, measurement 3 s, 30 samples.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args()
}

/// The typed data of every event: a few fields and a note (~900 bytes, or empty for small
/// events).
#[derive(Debug, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub customer: String,
    pub amount: f64,
    pub quantity: u32,
    pub note: String,
}

/// The data of event `i`.
pub fn order(i: usize) -> Order {
    let mut note = String::with_capacity(900);
    while note.len() < 880 {
        note.push_str("Leave the parcel at the back door, next to the blue bin; ring twice. ");
    }
    note.truncate(900);
    Order {
        order_id: format!("o-{i:06}"),
        customer: "c-0042 Jane Doe".to_owned(),
        amount: 1234.5 + i as f64,
        quantity: 3,
        note,
    }
}

/// A structured event, as a sender serializes it (the `structured` scenario sends event 0).
#[derive(Serialize)]
pub struct Envelope<'a> {
    pub specversion: &'a str,
    pub id: String,
    pub source: &'a str,
    #[serde(rename = "type")]
    pub ty: &'a str,
    pub subject: &'a str,
    pub time: &'a str,
    pub datacontenttype: &'a str,
    pub data: Order,
}

/// Event `i`, structured.
pub fn envelope(i: usize) -> Envelope<'static> {
    Envelope {
        specversion: "1.0",
        id: format!("A234-1234-{i:04}"),
        source: "/orders/eu-west",
        ty: "com.example.order.created",
        subject: "order/42",
        time: "2024-05-01T12:00:00Z",
        datacontenttype: "application/json",
        data: order(i),
    }
}

/// A request to send again and again: method, headers and body, cloned into a new request.
pub struct Delivery {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Events the application should see per request.
    pub events: usize,
    /// The answer's body, where it is checked (e.g. a validation response).
    pub answer: Option<String>,
}

impl Delivery {
    /// A POST of `body` with `headers`.
    pub fn post(headers: HeaderMap, body: Vec<u8>, events: usize) -> Self {
        Delivery {
            method: Method::POST,
            headers,
            body: Bytes::from(body),
            events,
            answer: None,
        }
    }

    /// A new request to `/hook`.
    pub fn request(&self) -> Request<Body> {
        let mut request = Request::new(Body::from(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = "/hook".parse().expect("uri");
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// One scenario (a criterion group): the delivery, its routes by contender, and the serde floor.
pub struct Scenario {
    pub name: &'static str,
    pub delivery: Delivery,
    pub routes: Vec<(&'static str, Router)>,
    pub floor: Option<fn(&[u8])>,
}

/// Sends one request and returns the answer's status and body (checks only, never timed).
async fn send_and_read(router: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.expect("body");
    (
        status,
        String::from_utf8(body.to_bytes().to_vec()).expect("UTF-8 answer"),
    )
}

/// Checks that every contender answers 2xx, hands every event to the application (`noop`
/// none) and gives the expected answer where one is set, then prints the body size and the
/// allocations per request.
fn check_and_count(runtime: &Runtime, scenario: &Scenario) {
    let delivery = &scenario.delivery;
    let mut counts = Vec::new();
    for (contender, router) in &scenario.routes {
        let before = handled();
        let (status, answer) = runtime.block_on(send_and_read(router, delivery.request()));
        let handled = handled() - before;
        assert!(
            status.is_success(),
            "{}/{contender}: answered {status}: {answer}",
            scenario.name
        );
        let expected = if *contender == "noop" {
            0
        } else {
            delivery.events
        };
        assert_eq!(
            handled, expected,
            "{}/{contender}: events handled",
            scenario.name
        );
        if let Some(expected) = &delivery.answer
            && *contender != "noop"
        {
            assert_eq!(status, StatusCode::OK, "{}/{contender}", scenario.name);
            assert_eq!(&answer, expected, "{}/{contender}: answer", scenario.name);
        }
        let count = allocations_per_request(runtime, router, || delivery.request());
        counts.push(format!("{contender} {count}"));
    }
    if let Some(floor) = scenario.floor {
        counts.push(format!(
            "serde_floor {}",
            allocations(|| floor(&delivery.body))
        ));
    }
    println!(
        "allocations per request: {} ({} bytes, {} events): {}",
        scenario.name,
        delivery.body.len(),
        delivery.events,
        counts.join(", ")
    );
}

/// Checks every scenario, then times each as a criterion group: every contender's route, then
/// the serde floor.
///
/// With `WEBHOOK_BENCH_LOOP=group/contender` (and `WEBHOOK_BENCH_REQUESTS`, default 100000),
/// it sends that contender's request that many times and returns, without criterion: a loop
/// for profilers, e.g. instructions per request with `valgrind --tool=callgrind` (the
/// difference of two request counts cancels the set-up).
pub fn bench_scenarios(c: &mut Criterion, scenarios: &[Scenario]) {
    let runtime = runtime();
    if let Ok(target) = std::env::var("WEBHOOK_BENCH_LOOP") {
        profile_loop(&runtime, scenarios, &target);
        return;
    }
    for scenario in scenarios {
        check_and_count(&runtime, scenario);
    }
    for scenario in scenarios {
        let delivery = &scenario.delivery;
        let mut group = c.benchmark_group(scenario.name);
        for (contender, router) in &scenario.routes {
            group.bench_function(*contender, |b| {
                b.to_async(&runtime)
                    .iter(|| send(router, delivery.request()));
            });
        }
        if let Some(floor) = scenario.floor {
            group.bench_function("serde_floor", |b| {
                b.iter(|| floor(black_box(&delivery.body)));
            });
        }
        group.finish();
    }
}

/// Sends one contender's request `WEBHOOK_BENCH_REQUESTS` times (see [`bench_scenarios`]); the
/// contender `serde_floor` runs the scenario's floor on its body as many times.
fn profile_loop(runtime: &Runtime, scenarios: &[Scenario], target: &str) {
    let (group, contender) = target
        .split_once('/')
        .expect("WEBHOOK_BENCH_LOOP=group/contender");
    let scenario = scenarios
        .iter()
        .find(|s| s.name == group)
        .unwrap_or_else(|| panic!("no scenario `{group}`"));
    let requests: usize = std::env::var("WEBHOOK_BENCH_REQUESTS").map_or(100_000, |n| {
        n.parse().expect("WEBHOOK_BENCH_REQUESTS: a number")
    });
    if contender == "serde_floor" {
        let floor = scenario
            .floor
            .unwrap_or_else(|| panic!("no floor in `{group}`"));
        for _ in 0..requests {
            floor(black_box(&scenario.delivery.body));
        }
        return;
    }
    let (_, router) = scenario
        .routes
        .iter()
        .find(|(name, _)| *name == contender)
        .unwrap_or_else(|| panic!("no contender `{contender}` in `{group}`"));
    runtime.block_on(async {
        for _ in 0..requests {
            send(router, scenario.delivery.request()).await;
        }
    });
}
