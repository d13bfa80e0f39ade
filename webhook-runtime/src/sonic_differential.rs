//! The differential check of the `sonic-rs` one pass (feature `sonic-rs`): every decoder with a
//! one pass decodes a body twice, its one pass parsed by `sonic-rs` and by `serde_json`, and
//! both must give the same answer: the same events, or the same rejection. The fuzz target
//! `sonic_differential` and `tests/sonic_differential.rs` run it; it is not part of the API.

use std::fmt::Debug;

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::cloudevents::{decode_batch_with, decode_structured_with};
use crate::eventgrid::decode_with;
use crate::json::Parser;

/// What a body came to, counted over every decoder and data type checked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// Decodings that gave events (an empty batch included).
    pub accepted: usize,
    /// Decodings that gave a rejection.
    pub rejected: usize,
}

/// Event data with the usual field types, optional ones and a nested list.
#[derive(Debug, PartialEq, Deserialize)]
struct Order {
    order_id: String,
    amount: f64,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    quantity: Option<u32>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Decodes `body` as a structured event, a batch and an Event Grid notification, each with
/// several data types (`serde_json::Value`, `Option<Value>`, `()`, `String` and a struct),
/// once with each parser; `Err` describes the first answer on which `sonic-rs` and `serde_json`
/// differ.
pub fn sonic_agrees(body: &[u8]) -> Result<Agreement, String> {
    let mut agreement = Agreement::default();
    decoders::<serde_json::Value>(&mut agreement, body)?;
    decoders::<Option<serde_json::Value>>(&mut agreement, body)?;
    decoders::<()>(&mut agreement, body)?;
    decoders::<String>(&mut agreement, body)?;
    decoders::<Order>(&mut agreement, body)?;
    Ok(agreement)
}

fn decoders<T: DeserializeOwned + PartialEq + Debug>(
    agreement: &mut Agreement,
    body: &[u8],
) -> Result<(), String> {
    let notification = HeaderMap::new();
    compare(agreement, "structured", body, |parser| {
        decode_structured_with::<T>(parser, body)
    })?;
    compare(agreement, "batch", body, |parser| {
        decode_batch_with::<T>(parser, body)
    })?;
    compare(agreement, "eventgrid", body, |parser| {
        decode_with::<T>(parser, &notification, body).map(|delivery| match delivery {
            crate::eventgrid::Delivery::Notification(events) => events,
            // Never for a notification: it would show as a difference.
            _ => Vec::new(),
        })
    })
}

fn compare<R: PartialEq + Debug, E: PartialEq + Debug>(
    agreement: &mut Agreement,
    decoder: &str,
    body: &[u8],
    decode: impl Fn(Parser) -> Result<R, E>,
) -> Result<(), String> {
    let sonic = decode(Parser::Sonic);
    let serde_json = decode(Parser::SerdeJson);
    if sonic != serde_json {
        return Err(format!(
            "{decoder} of {} ({}): sonic-rs gave {sonic:?}, serde_json {serde_json:?}",
            String::from_utf8_lossy(body),
            std::any::type_name::<R>(),
        ));
    }
    match sonic {
        Ok(_) => agreement.accepted += 1,
        Err(_) => agreement.rejected += 1,
    }
    Ok(())
}
