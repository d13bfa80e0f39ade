//! What the benches share: the allocation-counting allocator, the application code every
//! contender runs, the hand-written routes' refusal, the noop handler, sending, and the criterion
//! settings. Each bench is its own crate and includes this module (`mod common;`).

#![allow(dead_code, reason = "each bench uses the part it needs")]

use std::alloc::System;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use criterion::Criterion;
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
