//! Counters through the [`metrics`] facade (feature `metrics`).
//!
//! | counter | labels | counts |
//! |---|---|---|
//! | `webhook_deliveries_total` | `route`, `sender`, `status` | POST requests answered |
//! | `webhook_events_total` | `route`, `sender` | events decoded and handed to the handler's calls |
//! | `webhook_handshakes_total` | `route`, `result` (`granted`, `refused`) | OPTIONS handshakes |
//! | `webhook_rejections_total` | `route`, `reason` | requests the runtime refused, by reason |
//! | `webhook_handler_failures_total` | `route`, `sender` | handler answers that were not 2xx, and panics |
//!
//! `reason` is one of `unauthenticated` (401), `forbidden` (403), `method` (405), `timeout`
//! (408), `too_large` (413), `unsupported_media_type` (415), `rate_limited` (429), `malformed`
//! (400), `unavailable` (503), `other`.
//!
//! The keys of a route's counters (name and labels) are made once, at its first request, so a
//! counted request allocates nothing for them.
//!
//! ```
//! use axum::{Router, body::Body, http::Request};
//! use metrics_util::debugging::{DebugValue, DebuggingRecorder};
//! use tower::ServiceExt;
//! use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
//!
//! // An application installs its exporter (Prometheus, StatsD...); a debugging recorder here.
//! let recorder = DebuggingRecorder::new();
//! let snapshotter = recorder.snapshotter();
//! let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
//! let app: Router = Router::new().route("/orders", route::cloudevents(config, |_: CloudEvent<u32>| async {}));
//! let request = Request::post("/orders")
//!     .header("content-type", "application/cloudevents+json")
//!     .body(Body::from(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1}"#))
//!     .unwrap();
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! metrics::with_local_recorder(&recorder, || runtime.block_on(app.oneshot(request))).unwrap();
//! let events = snapshotter.snapshot().into_vec().into_iter()
//!     .find(|(key, ..)| key.key().name() == "webhook_events_total")
//!     .map(|(.., value)| value);
//! assert!(matches!(events, Some(DebugValue::Counter(1))));
//! ```

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use axum::response::Response;
use http::StatusCode;
use metrics::{Key, Label, Level, Metadata, SharedString};

use crate::outcome::Sender;

/// Marks a response the runtime made itself to refuse a request.
#[derive(Clone, Copy)]
pub(crate) struct Refused;

/// Marks the 500 answered for a panic.
#[derive(Clone, Copy)]
pub(crate) struct Panicked;

const DELIVERIES: &str = "webhook_deliveries_total";
const EVENTS: &str = "webhook_events_total";
const HANDSHAKES: &str = "webhook_handshakes_total";
const REJECTIONS: &str = "webhook_rejections_total";
const HANDLER_FAILURES: &str = "webhook_handler_failures_total";

/// What the `counter!` macro would give these counters: this module's target, at `info`.
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The `reason` label of each refused status; any other status is `other`.
const REASONS: [(u16, &str); 9] = [
    (400, "malformed"),
    (401, "unauthenticated"),
    (403, "forbidden"),
    (405, "method"),
    (408, "timeout"),
    (413, "too_large"),
    (415, "unsupported_media_type"),
    (429, "rate_limited"),
    (503, "unavailable"),
];

/// The statuses whose delivery keys are made ahead; a delivery answered with another status
/// makes its key when counted.
const STATUSES: [u16; 21] = [
    200, 201, 202, 204, 400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 429, 500, 501, 502,
    503, 504,
];

/// The counters' keys of one route (an endpoint at one matched path).
pub(crate) struct RouteKeys {
    route: SharedString,
    sender: Sender,
    events: Key,
    handler_failures: Key,
    granted: Key,
    refused: Key,
    /// [`REASONS`]' keys, then `other`'s.
    rejections: Vec<Key>,
    /// [`STATUSES`]' keys.
    deliveries: Vec<Key>,
}

fn label(key: &'static str, value: impl Into<SharedString>) -> Label {
    Label::new(key, value)
}

impl RouteKeys {
    fn new(route: &str, sender: Sender) -> Self {
        let route = SharedString::from_shared(Arc::<str>::from(route));
        let with = |name: &'static str, key: &'static str, value: &'static str| {
            Key::from_parts(name, vec![label("route", route.clone()), label(key, value)])
        };
        let reasons = REASONS.iter().map(|&(_, reason)| reason);
        Self {
            events: with(EVENTS, "sender", sender.as_str()),
            handler_failures: with(HANDLER_FAILURES, "sender", sender.as_str()),
            granted: with(HANDSHAKES, "result", "granted"),
            refused: with(HANDSHAKES, "result", "refused"),
            rejections: reasons
                .chain(["other"])
                .map(|reason| with(REJECTIONS, "reason", reason))
                .collect(),
            deliveries: STATUSES
                .iter()
                .map(|&status| Self::delivery_key(&route, sender, status.to_string().into()))
                .collect(),
            route,
            sender,
        }
    }

    fn delivery_key(route: &SharedString, sender: Sender, status: SharedString) -> Key {
        Key::from_parts(
            DELIVERIES,
            vec![
                label("route", route.clone()),
                label("sender", sender.as_str()),
                label("status", status),
            ],
        )
    }

    /// Counts `count` events decoded and handed to the handler's calls.
    pub(crate) fn events(&self, count: usize) {
        increment(&self.events, count as u64);
    }

    /// Counts a handler answer that was not 2xx, or a panic.
    pub(crate) fn handler_failure(&self) {
        increment(&self.handler_failures, 1);
    }

    /// Counts a request at its answer: a handshake (`options`) or a delivery, a refusal by the
    /// runtime by reason, and a handler's panic.
    pub(crate) fn answered(&self, options: bool, response: &Response) {
        let status = response.status();
        if options {
            if status == StatusCode::OK {
                increment(&self.granted, 1);
            } else if status.is_client_error() {
                increment(&self.refused, 1);
            }
        } else {
            match STATUSES.iter().position(|&s| s == status.as_u16()) {
                Some(i) => increment(&self.deliveries[i], 1),
                None => {
                    let status = status.as_str().to_owned().into();
                    increment(&Self::delivery_key(&self.route, self.sender, status), 1);
                }
            }
        }
        if response.extensions().get::<Refused>().is_some() {
            let reason = REASONS
                .iter()
                .position(|&(code, _)| code == status.as_u16())
                .unwrap_or(REASONS.len());
            increment(&self.rejections[reason], 1);
        } else if !options
            && status.is_server_error()
            && response.extensions().get::<Panicked>().is_some()
        {
            // A handler that panicked (its 500 is made by the runtime, not by the handler).
            self.handler_failure();
        }
    }
}

fn increment(key: &Key, count: u64) {
    metrics::with_recorder(|recorder| recorder.register_counter(key, &METADATA).increment(count));
}

/// The counters' keys of an endpoint, by the matched path it serves (an endpoint can be routed
/// at several), made at the first request of each.
#[derive(Default)]
pub(crate) struct RouteCounters {
    first: OnceLock<Arc<RouteKeys>>,
    others: Mutex<Vec<Arc<RouteKeys>>>,
}

impl RouteCounters {
    /// The keys for a request at `route` (its matched path, `""` when unrouted).
    pub(crate) fn keys(&self, route: &str, sender: Sender) -> Arc<RouteKeys> {
        let first = self
            .first
            .get_or_init(|| Arc::new(RouteKeys::new(route, sender)));
        if &*first.route == route {
            return Arc::clone(first);
        }
        let mut others = self.others.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(keys) = others.iter().find(|keys| &*keys.route == route) {
            return Arc::clone(keys);
        }
        let keys = Arc::new(RouteKeys::new(route, sender));
        others.push(Arc::clone(&keys));
        keys
    }
}
