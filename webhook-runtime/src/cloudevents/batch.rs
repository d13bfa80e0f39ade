//! Batch mode: a JSON array of structured events that share one `specversion` (C10). The whole
//! batch is checked before the handler sees any of it (D8).

use serde::de::DeserializeOwned;

use super::event::CloudEvent;
use super::one_pass;
use super::raw_event::RawEvent;
use crate::json::{IndexedArray, Parser, malformed};
use crate::rejection::Rejection;

/// Decodes a batch-mode body: a JSON array of structured events (`[]` is valid). The whole batch
/// is checked before anything is returned; a bad event rejects the batch, naming its index (D8).
/// Events the data type skips are left out.
pub(crate) fn decode_batch<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Vec<CloudEvent<T>>, Rejection> {
    decode_batch_with(Parser::ONE_PASS, body)
}

/// [`decode_batch`], its one pass parsed by `parser`.
pub(crate) fn decode_batch_with<T: DeserializeOwned>(
    parser: Parser,
    body: &[u8],
) -> Result<Vec<CloudEvent<T>>, Rejection> {
    if let Some(events) = one_pass::array::<T>(parser, body) {
        return Ok(events);
    }
    let IndexedArray(raw) =
        serde_json::from_slice::<IndexedArray<RawEvent<'_>>>(body).map_err(malformed)?;
    // Sized once: collecting a filtered iterator would grow the vector step by step.
    let mut events = Vec::with_capacity(raw.len());
    for (i, event) in raw.into_iter().enumerate() {
        if let Some(event) = event.into_event().map_err(|r| r.in_event(i))? {
            events.push(event);
        }
    }
    Ok(events)
}
