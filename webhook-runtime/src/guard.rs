//! The checks that run before a body is read: authentication and origin enforcement (D20:
//! credentials 401 → origin 403; the rate, 429, is `rate.rs`).

use http::request::Parts;
use http::{HeaderMap, StatusCode};

use crate::auth::{AuthVerdict, Authenticated, HandshakeAuth};
use crate::config::{CloudEventsConfig, Config, Schema};
use crate::handshake::WEBHOOK_REQUEST_ORIGIN;
use crate::rejection::Rejection;

/// Authenticates a request when the route has credentials, a token verifier or an
/// authenticator. `Ok(None)` for an open route. Any one of them accepting is enough; a refusal is
/// 401 without a challenge header, 403 for a token that may not call, 503 with `Retry-After`
/// when a token's keys cannot be fetched (D25). A verified JWT's claims go into the request's
/// extensions, for [`BearerClaims`](crate::auth::jwt::BearerClaims).
pub(crate) async fn authenticate<S: Schema>(
    config: &Config<S>,
    parts: &mut Parts,
) -> Result<Option<Authenticated>, Rejection> {
    if !config.has_token_check() {
        return authenticate_by_credentials(config, parts);
    }
    if let Some(how) = config
        .credentials()
        .check(&parts.headers, parts.uri.query())
    {
        return Ok(Some(how));
    }
    #[cfg_attr(
        not(feature = "jwt"),
        expect(unused_mut, reason = "set by the token check")
    )]
    let mut refused = unauthorized();
    #[cfg(feature = "jwt")]
    if let Some(verifier) = config.jwt()
        && let Some((token, how)) = crate::auth::bearer_token(&parts.headers, parts.uri.query())
    {
        // The signature check (and a key fetch) is boxed: its future is large, and a sender's
        // repeated token never needs it.
        let verified = match verifier.remembered(&token) {
            Ok(Ok(known)) => Ok(known),
            Ok(Err(digest)) => Box::pin(verifier.verify_new(&token, digest)).await,
            Err(refusal) => Err(refusal),
        };
        drop(token);
        match verified {
            Ok(verified) => {
                parts.extensions.insert(verified);
                return Ok(Some(how));
            }
            Err(refusal) => {
                let rejection = answer(refusal.verdict(), refusal.reason());
                if refusal.verdict() != AuthVerdict::Unauthenticated {
                    return Err(rejection);
                }
                // An authenticator may still accept the request; if not, the token's reason.
                refused = rejection;
            }
        }
    }
    if let Some(authenticator) = config.authenticator() {
        match authenticator.authenticate(parts).await {
            AuthVerdict::Accepted => return Ok(Some(Authenticated::Header)),
            AuthVerdict::Unauthenticated => {}
            verdict => return Err(answer(verdict, "")),
        }
    }
    Err(refused)
}

/// D26: the handshake's authentication by the route's [`HandshakeAuth`].
pub(crate) async fn authenticate_handshake(
    config: &CloudEventsConfig,
    parts: &mut Parts,
) -> Result<(), Rejection> {
    let check = match config.handshake_auth() {
        HandshakeAuth::Required => true,
        HandshakeAuth::CheckedWhenPresent => config
            .credentials()
            .presented(&parts.headers, parts.uri.query()),
        HandshakeAuth::NotChecked => false,
    };
    if check {
        authenticate(config, parts).await?;
    }
    Ok(())
}

/// [`authenticate`] on a route without a token check, where nothing is awaited.
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

/// The answer to a refusal (D25); `reason` empty for the verdict's own.
fn answer(verdict: AuthVerdict, reason: &'static str) -> Rejection {
    let or = |own: &'static str| if reason.is_empty() { own } else { reason };
    match verdict {
        AuthVerdict::Accepted | AuthVerdict::Unauthenticated => Rejection::new(
            StatusCode::UNAUTHORIZED,
            or("missing or invalid credentials"),
        ),
        AuthVerdict::Forbidden => {
            Rejection::forbidden(or("the credentials do not allow calling this endpoint"))
        }
        AuthVerdict::Unavailable { retry_after } => Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            or("the credentials cannot be checked now: retry later"),
        )
        .with_retry_after(retry_after.as_secs().max(1)),
    }
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
