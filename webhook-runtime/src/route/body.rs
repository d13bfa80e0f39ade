//! Reading a delivery's body: at most the route's limit (413, D9), decided from
//! `Content-Length` before reading when one is declared, and within the route's body timeout
//! (408), so a sender that stops mid-body does not hold the request.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::rejection::Rejection;

/// Reads the body up to `limit` bytes: 413 beyond it, decided from `Content-Length` before
/// reading when one is declared.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: axum::body::Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, Rejection> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::payload_too_large(limit));
    }
    // The timer is only set when the body is not all there at once (the usual case for a small
    // body): reading the clock and arming a timer per request costs more than the first poll.
    // It is boxed, as only a body still arriving needs one; and it is polled in the same
    // `poll_fn` as the body, so that no result is held in this future across an await.
    let mut collect = std::pin::pin!(Limited::new(body, limit).collect());
    let mut timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
    let collected = std::future::poll_fn(|cx| {
        if let Poll::Ready(collected) = collect.as_mut().poll(cx) {
            return Poll::Ready(Some(collected));
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
    .ok_or_else(|| {
        Rejection::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("the body did not arrive within {} s", timeout.as_secs_f32()),
        )
    })?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Rejection::payload_too_large(limit))
        }
        Err(_) => Err(Rejection::bad_request(
            "the request body could not be read to its end",
        )),
    }
}
