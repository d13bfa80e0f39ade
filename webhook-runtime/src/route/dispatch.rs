//! A delivery's events handed to the handler (D8): the calls in order, deduplication around
//! them, and the handler's answer mapped for the sender ([`Outcome`], dead letters, D6's 204).

use std::future::Future;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use http_body::Body as _;

use super::handler::{DeliveredEvent, EventParam, HandlerAnswer, IntoHandlerAnswer};
use super::matched_path;
use super::response_future::RequestCounters;
use crate::config::DeadLetterHook;
use crate::dedup::Dedup;
use crate::dedup::{self, ClaimRefused};
use crate::no_content::{into_no_content, no_content};
use crate::outcome::{DeadLetter, EventRef, Outcome, Returned, Sender};
use crate::rejection::{Rejection, bounded};
use crate::span::{request_span, traced};

/// What a delivery's handler calls need besides the events: the route's settings, its sender,
/// and the body the events came in (for the dead-letter hook).
pub(super) struct DeliveryContext<'a> {
    pub(super) dedup: Option<&'a Dedup>,
    /// Where an SAP Event Mesh route's rejected events go (a log line without a hook).
    pub(super) dead_letter_hook: Option<&'a DeadLetterHook>,
    /// The most events the route takes in one delivery.
    pub(super) max_events: usize,
    pub(super) sender: Sender,
    #[cfg_attr(not(feature = "metrics"), expect(dead_code))]
    pub(super) counted: RequestCounters,
    pub(super) body: &'a Bytes,
}

/// Who an event is, kept for the dead-letter hook after the event itself went to the handler.
struct EventLabel {
    index: usize,
    id: Option<String>,
    source: Option<String>,
    event_type: Option<String>,
}

impl EventLabel {
    fn of(index: usize, event: &impl DeliveredEvent) -> Self {
        Self {
            index,
            id: event.event_id().map(str::to_owned),
            source: event.event_source().map(str::to_owned),
            event_type: event.event_type_name().map(str::to_owned),
        }
    }

    fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            index: self.index,
            id: self.id.as_deref(),
            source: self.source.as_deref(),
            event_type: self.event_type.as_deref(),
        }
    }
}

impl DeliveryContext<'_> {
    /// The answer for the sender: an [`Outcome`] mapped for it (a rejection the sender would
    /// redeliver forever goes to the dead-letter hook), anything else as the handler made it,
    /// an empty 200 as 204 (D6).
    fn answer(&self, response: Response, headers: &HeaderMap, events: &[EventLabel]) -> Response {
        let Some(Returned(outcome)) = response.extensions().get::<Returned>() else {
            return no_content_for_empty_ok(response);
        };
        if let Outcome::Reject { reason } = outcome {
            request_span().record("reason", &**reason);
            if self.sender == Sender::SapEventMesh {
                let content_type = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                for event in events {
                    let letter = DeadLetter {
                        reason,
                        event: event.as_ref(),
                        content_type,
                        body: self.body,
                    };
                    match self.dead_letter_hook {
                        Some(hook) => hook(&letter),
                        None => crate::outcome::log_dead_letter(&letter),
                    }
                }
            }
        }
        outcome.response_for(self.sender)
    }
}

/// Calls the handler for each argument the events make (D8): extractors run before each call,
/// the first answer that is not 2xx answers for the delivery. With deduplication, events
/// handled before are left out (and acknowledged), and each call's events are recorded as handled
/// when it succeeds or released when it fails.
pub(super) async fn dispatch<S, E, X, F, Fut>(
    context: &DeliveryContext<'_>,
    handler: &F,
    events: Vec<E::Event>,
    parts: &mut Parts,
    state: &S,
) -> Response
where
    E: EventParam,
    X: FromRequestParts<S>,
    F: Fn(E, X) -> Fut,
    Fut: Future,
    Fut::Output: IntoHandlerAnswer,
{
    if events.len() > context.max_events {
        return too_many_events(events.len(), context.max_events);
    }
    record_events(&events);
    #[cfg(feature = "metrics")]
    context.counted.events(events.len());
    // Only a sender that redelivers every refusal needs the rejected events named afterwards.
    let mut labels: Vec<EventLabel> = if context.sender == Sender::SapEventMesh {
        events
            .iter()
            .enumerate()
            .map(|(i, e)| EventLabel::of(i, e))
            .collect()
    } else {
        Vec::new()
    };
    let (events, mut claims) = match context.dedup {
        None => (events, None),
        Some(dedup) => {
            // Boxed: its state stays out of the future of every delivery without dedup.
            match Box::pin(claim(dedup, context.sender, parts, events, &mut labels)).await {
                Ok(Some((events, claims))) => (events, Some(claims)),
                Ok(None) => return Outcome::Ack.response_for(context.sender),
                Err(response) => return response,
            }
        }
    };
    let mut settled = 0;
    let mut calls = E::calls(events);
    if calls.len() == 0 {
        return no_content();
    }
    loop {
        // Extractors first: an argument taken before an await would be held in this future
        // beside the handler's own future, which holds it too.
        let extracted = match X::from_request_parts(parts, state).await {
            Ok(extracted) => extracted,
            Err(rejection) => return rejection.into_response(),
        };
        // The argument's binding ends before the await: a binding still in scope keeps its
        // space in this future even after the value moved into the handler's.
        let (count, call) = match calls.next() {
            Some(argument) => (argument.count(), handler(argument, extracted)),
            None => return no_content(),
        };
        // A handler without a return type answers nothing to map (`None`: handled, 204).
        let response = match call.await.into_handler_answer() {
            HandlerAnswer::Handled => None,
            HandlerAnswer::Response(response) => {
                let labels = labels.get(settled..settled + count).unwrap_or_default();
                Some(context.answer(response, &parts.headers, labels))
            }
        };
        let handled = response.as_ref().is_none_or(|r| r.status().is_success());
        if let Some(claims) = &mut claims
            && let Err(error) = Box::pin(claims.settle(count, handled)).await
        {
            // The events were handled (or not) all the same; a lost record only means a
            // redelivery may be handled again.
            tracing::warn!(%error, "deduplication record not updated");
        }
        if !handled {
            #[cfg(feature = "metrics")]
            context.counted.handler_failure();
        }
        // The last call's answer answers for the delivery, as does the first failure; the
        // others are dropped at once rather than kept in this future across the next call.
        if !handled || calls.len() == 0 {
            return response.unwrap_or_else(no_content);
        }
        settled += count;
    }
}

/// Records the number of events and the first event on the request's span.
fn record_events(events: &[impl DeliveredEvent]) {
    // Without a span, recording on `Span::none()` would still cost its calls.
    if !traced() {
        return;
    }
    let span = request_span();
    span.record("events", events.len());
    if let Some(first) = events.first() {
        if let Some(id) = first.event_id() {
            span.record("first_id", &*bounded(id));
        }
        if let Some(ty) = first.event_type_name() {
            span.record("first_type", &*bounded(ty));
        }
    }
}

/// D6: a 200 with an empty body (what `()` and `Ok(())` produce) becomes 204 (W8).
fn no_content_for_empty_ok(response: Response) -> Response {
    if response.status() == StatusCode::OK && response.body().size_hint().exact() == Some(0) {
        into_no_content(response)
    } else {
        response
    }
}

/// Claims a delivery's events in the dedup store (see [`dedup::claim_delivery`]) and leaves out
/// those handled before, with their labels. `None` when every event was handled before: the
/// delivery is acknowledged again. An event in flight elsewhere answers "retry later" for the
/// delivery, a failing store 503.
async fn claim<Ev: DeliveredEvent>(
    dedup: &dedup::Dedup,
    sender: Sender,
    parts: &Parts,
    events: Vec<Ev>,
    labels: &mut Vec<EventLabel>,
) -> Result<Option<(Vec<Ev>, dedup::Claims)>, Response> {
    let route = matched_path(&parts.extensions);
    let keys = events
        .iter()
        .map(|event| dedup::key(route, event.event_source(), event.event_id()))
        .collect();
    let (handle, claims) = match dedup::claim_delivery(dedup, keys).await {
        Ok(claimed) => claimed,
        Err(ClaimRefused::InFlight) => {
            request_span().record("reason", "the same event is being handled");
            return Err(Outcome::retry_after(Duration::from_secs(1)).response_for(sender));
        }
        Err(ClaimRefused::Store(error)) => {
            tracing::error!(%error, "deduplication store failed: delivery refused for now");
            return Err(Rejection::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the deduplication store is unavailable: deliver again later",
            )
            .with_retry_after(5)
            .into_response());
        }
    };
    if !events.is_empty() && !handle.contains(&true) {
        return Ok(None);
    }
    let mut kept = Vec::with_capacity(events.len());
    for (event, handle) in events.into_iter().zip(&handle) {
        if *handle {
            kept.push(event);
        } else {
            tracing::debug!(
                id = event.event_id(),
                "a redelivery of an event handled before: acknowledged again"
            );
        }
    }
    if !labels.is_empty() {
        let mut handle = handle.iter();
        labels.retain(|_| handle.next().copied().unwrap_or(true));
    }
    Ok(Some((kept, claims)))
}

/// A delivery with more events than the route takes is refused whole, before any call: 413, as
/// for a body over the limit (D9), since it is too large for this endpoint and no sender gains
/// by retrying it unchanged.
fn too_many_events(count: usize, max: usize) -> Response {
    request_span().record("reason", "too many events");
    Rejection::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the delivery holds {count} events; this endpoint takes at most {max} at once"),
    )
    .into_response()
}
