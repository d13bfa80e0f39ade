//! Structured mode: one event as one JSON object holding every attribute and the data
//! (protocol.md §4, JSON format J3–J10).

use serde::de::DeserializeOwned;

use super::CloudEventsDelivery;
use super::event::CloudEvent;
use super::one_pass;
use super::raw_event::RawEvent;
use crate::eventgrid::{VALIDATION_EVENT_TYPE, ValidationRequest};
use crate::json::{Parser, malformed};
use crate::rejection::Rejection;

/// Decodes a structured-mode body: one JSON object holding every attribute and the data; `None`
/// when the data type skips the event.
pub(crate) fn decode_structured<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Option<CloudEvent<T>>, Rejection> {
    decode_structured_with(Parser::ONE_PASS, body)
}

/// [`decode_structured`], its one pass parsed by `parser`.
pub(crate) fn decode_structured_with<T: DeserializeOwned>(
    parser: Parser,
    body: &[u8],
) -> Result<Option<CloudEvent<T>>, Rejection> {
    if let Some(event) = one_pass::event::<T>(parser, body) {
        return Ok(Some(event));
    }
    serde_json::from_slice::<RawEvent<'_>>(body)
        .map_err(malformed)?
        .into_event()
}

/// Decodes a structured-mode body, recognising an Event Grid subscription validation event sent
/// as a CloudEvent (to Azure Function-style destinations, protocol.md §3) before the data is typed.
pub(crate) fn decode_structured_or_validation<T: DeserializeOwned>(
    body: &[u8],
) -> Result<CloudEventsDelivery<CloudEvent<T>>, Rejection> {
    if let Some(event) = one_pass::event::<T>(Parser::ONE_PASS, body) {
        return Ok(CloudEventsDelivery::Events(vec![event]));
    }
    let raw = serde_json::from_slice::<RawEvent<'_>>(body).map_err(malformed)?;
    if raw.problem.is_none() && raw.attributes.ty.as_deref() == Some(VALIDATION_EVENT_TYPE) {
        let data = raw.data.map(|d| d.get().as_bytes()).ok_or_else(|| {
            Rejection::bad_request("the subscription validation event has no data")
        })?;
        return ValidationRequest::from_data(data).map(CloudEventsDelivery::EventGridValidation);
    }
    raw.into_event()
        .map(|event| CloudEventsDelivery::Events(event.into_iter().collect()))
}
