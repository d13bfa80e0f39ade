//! The granted rate (W11, D20: 429 with `Retry-After`), enforced with the generic cell rate
//! algorithm: per process, or across replicas through Redis by `RedisRate` (feature `redis`).
//!
//! A grant of `n` requests per minute admits `n` in any minute, in bursts of up to `n`. Shared
//! through Redis, the grant is counted per route and sender origin on the Redis server's clock,
//! so N replicas behind a load balancer together admit what was granted, not N times it.
//!
//! While Redis cannot be reached, each replica falls back to its own per-process limiter: a
//! delivery is never refused for Redis's sake (that would stall every sender during an outage),
//! and the rate stays bounded (at most N times the grant across N replicas) until Redis is back.
//! The fallback is logged at `warn` on each admission it decides.
//!
//! ```
//! use axum::{Router, body::Body, http::{Request, StatusCode}};
//! use tower::ServiceExt;
//! use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
//!
//! let config = CloudEventsConfig::new()
//!     .with_origins(AllowedOrigins::parse(["*"]).unwrap())
//!     .with_rate(1)
//!     .with_rate_enforcement();
//! let app: Router = Router::new().route("/orders", route::cloudevents(config, |_: CloudEvent<u32>| async {}));
//! let post = || {
//!     Request::post("/orders")
//!         .header("content-type", "application/cloudevents+json")
//!         .body(Body::from(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1}"#))
//!         .unwrap()
//! };
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! assert_eq!(app.clone().oneshot(post()).await.unwrap().status(), StatusCode::NO_CONTENT);
//! // One delivery a minute was granted: the second is told when to come back.
//! let refused = app.oneshot(post()).await.unwrap();
//! assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
//! assert!(refused.headers().contains_key("retry-after"));
//! # });
//! ```

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::StatusCode;

use crate::rejection::Rejection;

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisRate;

/// The window a grant counts in.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The granted rate, enforced per process with the generic cell rate algorithm: `per_minute`
/// deliveries in any minute, with bursts up to that many.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    start: Instant,
    interval: Duration,
    window: Duration,
    /// Theoretical arrival time of the next delivery, as a duration since `start`.
    next: Mutex<Duration>,
}

impl RateLimiter {
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        let window = WINDOW;
        Self {
            start: Instant::now(),
            interval: window / per_minute.max(1),
            window,
            next: Mutex::new(Duration::ZERO),
        }
    }

    /// Admits one delivery, or answers 429 with the seconds to wait in `Retry-After` (W11).
    pub(crate) fn admit(&self) -> Result<(), Rejection> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Result<(), Rejection> {
        let now = now.saturating_duration_since(self.start);
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = (*next).max(now);
        let after = tat + self.interval;
        if after > now + self.window {
            return Err(too_many(after - self.window - now));
        }
        *next = after;
        Ok(())
    }
}

/// The 429 for a delivery that must wait `wait` (W11): `Retry-After` in whole seconds, at least 1.
pub(crate) fn too_many(wait: Duration) -> Rejection {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Rejection::new(
        StatusCode::TOO_MANY_REQUESTS,
        "the granted rate is exceeded: retry after the time in Retry-After",
    )
    .with_retry_after(seconds.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w11_rate_allows_the_granted_number_per_minute() {
        let limiter = RateLimiter::per_minute(3);
        let t0 = limiter.start;
        for _ in 0..3 {
            assert!(limiter.admit_at(t0).is_ok());
        }
        let refused = limiter.admit_at(t0).unwrap_err();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.retry_after(), Some(20));
        assert!(limiter.admit_at(t0 + Duration::from_secs(20)).is_ok());
        assert!(limiter.admit_at(t0 + Duration::from_secs(20)).is_err());
    }
}
