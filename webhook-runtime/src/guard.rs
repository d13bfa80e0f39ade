//! The checks that run before a body is read: authentication, origin enforcement and the rate
//! limit (D20: credentials 401 → origin 403 → rate 429).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::request::Parts;
use http::{HeaderMap, StatusCode};

use crate::auth::Authenticated;
use crate::config::{CloudEventsConfig, Config, Schema};
use crate::handshake::WEBHOOK_REQUEST_ORIGIN;
use crate::rejection::Rejection;

/// Authenticates a request when the route has credentials or an authenticator (401 otherwise,
/// without a challenge header). `Ok(None)` for an open route.
pub(crate) async fn authenticate<S: Schema>(
    config: &Config<S>,
    parts: &Parts,
) -> Result<Option<Authenticated>, Rejection> {
    let Some(authenticator) = config.authenticator() else {
        return authenticate_by_credentials(config, parts);
    };
    if let Some(how) = config
        .credentials()
        .check(&parts.headers, parts.uri.query())
    {
        return Ok(Some(how));
    }
    if authenticator.authenticate(parts).await {
        return Ok(Some(Authenticated::Header));
    }
    Err(unauthorized())
}

/// [`authenticate`] on a route without an authenticator, where nothing is awaited.
fn authenticate_by_credentials<S: Schema>(
    config: &Config<S>,
    parts: &Parts,
) -> Result<Option<Authenticated>, Rejection> {
    let credentials = config.credentials();
    if credentials.is_empty() {
        return Ok(None);
    }
    credentials
        .check(&parts.headers, parts.uri.query())
        .map(Some)
        .ok_or_else(unauthorized)
}

fn unauthorized() -> Rejection {
    Rejection::new(StatusCode::UNAUTHORIZED, "missing or invalid credentials")
}

/// W4/P5: a delivery must carry `WebHook-Request-Origin` (spec v1.0.2) or `Origin` (v1.0 and
/// v1.0.1) naming an allowed origin.
pub(crate) fn check_origin(
    config: &CloudEventsConfig,
    headers: &HeaderMap,
) -> Result<(), Rejection> {
    let origin = crate::headers::first(headers, &WEBHOOK_REQUEST_ORIGIN)
        .or_else(|| headers.get(http::header::ORIGIN));
    match origin {
        Some(origin) if config.origins().grant(origin.as_bytes()).is_some() => Ok(()),
        Some(_) => Err(Rejection::forbidden(
            "the delivery's origin is not allowed to deliver to this endpoint",
        )),
        None => Err(Rejection::forbidden(
            "deliveries to this endpoint must carry WebHook-Request-Origin (or Origin)",
        )),
    }
}

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
        let window = Duration::from_secs(60);
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
            let wait = after - self.window - now;
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Rejection::new(
                StatusCode::TOO_MANY_REQUESTS,
                "the granted rate is exceeded: retry after the time in Retry-After",
            )
            .with_retry_after(seconds.max(1)));
        }
        *next = after;
        Ok(())
    }
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
