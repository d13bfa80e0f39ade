//! JSON helpers shared by the decoders.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};

use crate::Rejection;
use crate::data::GIVE_UP;

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

/// The rejection for a body that is not the expected JSON.
pub(crate) fn malformed(error: serde_json::Error) -> Rejection {
    if error.is_data() {
        Rejection::bad_request(error.to_string())
    } else {
        Rejection::bad_request(format!("malformed JSON: {error}"))
    }
}
