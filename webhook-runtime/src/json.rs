//! JSON helpers shared by the decoders.

#[cfg(feature = "sonic-rs")]
mod sonic;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};

use crate::data::GIVE_UP;
use crate::rejection::Rejection;

/// A JSON array whose element errors name the element's index (`event 3: …`).
pub(crate) struct IndexedArray<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for IndexedArray<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ArrayVisitor(PhantomData))
    }
}

struct ArrayVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ArrayVisitor<T> {
    type Value = IndexedArray<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IndexedArray<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            let index = items.len();
            match seq.next_element::<T>() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(IndexedArray(items)),
                Err(e) => return Err(de::Error::custom(format_args!("event {index}: {e}"))),
            }
        }
    }
}

/// Decided in one pass: what an element parsed as `Self` becomes, or `None` when the general
/// decoder must decide it.
pub(crate) trait OnePass {
    type Output;

    fn decided(self) -> Option<Self::Output>;
}

/// A JSON array whose elements are decided in one pass as they are parsed; an element that is
/// not decided fails the whole array (with [`GIVE_UP`]), for the general decoder to decode.
pub(crate) struct OnePassArray<R: OnePass>(pub(crate) Vec<R::Output>);

impl<'de, R: OnePass + Deserialize<'de>> Deserialize<'de> for OnePassArray<R> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(OnePassVisitor(PhantomData))
    }
}

struct OnePassVisitor<R>(PhantomData<R>);

impl<'de, R: OnePass + Deserialize<'de>> Visitor<'de> for OnePassVisitor<R> {
    type Value = OnePassArray<R>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OnePassArray<R>, A::Error> {
        let mut items = Vec::new();
        while let Some(raw) = seq.next_element::<R>()? {
            items.push(raw.decided().ok_or_else(|| de::Error::custom(GIVE_UP))?);
        }
        Ok(OnePassArray(items))
    }
}

/// A JSON string, borrowed from the body when it holds no escapes. (serde borrows a `Cow` field
/// marked `borrow`, but not one inside an `Option`: this newtype is what an optional field holds.)
#[derive(Deserialize)]
pub(crate) struct Text<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

/// The rejection for a body that is not the expected JSON.
pub(crate) fn malformed(error: serde_json::Error) -> Rejection {
    if error.is_data() {
        Rejection::bad_request(error.to_string())
    } else {
        Rejection::bad_request(format!("malformed JSON: {error}"))
    }
}

/// The parser of a one-pass decoder. The general decoders, which word the rejections, always
/// use `serde_json`; a one pass only decides or gives up, so it may use a faster parser that
/// never accepts what `serde_json` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parser {
    /// `serde_json`, as the general decoders.
    SerdeJson,
    /// `sonic-rs`, with the guard of [`sonic`]: anything it does not decide goes to
    /// `serde_json`.
    #[cfg(feature = "sonic-rs")]
    Sonic,
}

impl Parser {
    /// The parser of the CloudEvents one passes (structured events, batches): `sonic-rs` with
    /// the feature.
    #[cfg(feature = "sonic-rs")]
    pub(crate) const ONE_PASS: Parser = Parser::Sonic;
    /// The parser of the CloudEvents one passes (structured events, batches): `sonic-rs` with
    /// the feature.
    #[cfg(not(feature = "sonic-rs"))]
    pub(crate) const ONE_PASS: Parser = Parser::SerdeJson;
    /// The parser of the Event Grid one pass: `serde_json`, with the feature too. On Event Grid
    /// arrays (many short strings) `sonic-rs` cost more than it saved once `serde_json` was
    /// given the body as checked UTF-8 (BENCHMARKS.md, "Feature `sonic-rs`"), and a fast path
    /// stays only where it gains (D19).
    pub(crate) const EVENT_GRID: Parser = Parser::SerdeJson;

    /// Every parser, for the tests that hold each one pass to the general decoder.
    #[cfg(test)]
    pub(crate) const ALL: &[Parser] = &[
        Parser::SerdeJson,
        #[cfg(feature = "sonic-rs")]
        Parser::Sonic,
    ];

    /// Parses `body` for a one-pass decoder, which gives up (`None`) on anything it does not
    /// decide.
    pub(crate) fn one_pass<'de, T: Deserialize<'de>>(self, body: &'de [u8]) -> Option<T> {
        match self {
            Parser::SerdeJson => serde_json_one_pass(body),
            #[cfg(feature = "sonic-rs")]
            Parser::Sonic => sonic::from_slice(body),
        }
    }
}

/// `serde_json`'s one pass. The body is checked for UTF-8 whole first: `serde_json` does not
/// check the strings of a value it skips (ignored data, unknown members), where the general
/// decoder, which keeps the data as text, refuses invalid UTF-8 anywhere.
fn serde_json_one_pass<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Option<T> {
    serde_json::from_str(std::str::from_utf8(body).ok()?).ok()
}
