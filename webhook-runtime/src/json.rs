//! JSON helpers shared by the decoders.

#[cfg(feature = "sonic-rs")]
mod sonic;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};

use crate::config::DEFAULT_MAX_EVENTS;
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

    /// A member name every element has, quoted as it is sent (`"specversion"`): where it is
    /// found the first two times tells how long the first element is.
    const MEMBER: &'static [u8];

    /// The length of the shortest JSON text of an element the one pass decides, with the comma
    /// that follows it: a body of `n` bytes holds at most `n / SHORTEST` such elements.
    const SHORTEST: usize;

    fn decided(self) -> Option<Self::Output>;
}

/// Reads a JSON array whose elements are decided in one pass as they are parsed, into a `Vec`
/// reserved for its events at once (see [`expected_elements`]); an element that is not decided
/// fails the whole array (with [`GIVE_UP`]), for the general decoder to decode.
pub(crate) struct OnePassArray<R> {
    expected: usize,
    element: PhantomData<R>,
}

impl<R: OnePass> OnePassArray<R> {
    pub(crate) fn new(body: &[u8]) -> Self {
        OnePassArray {
            expected: expected_elements(body, R::MEMBER, R::SHORTEST),
            element: PhantomData,
        }
    }
}

impl<R> Clone for OnePassArray<R> {
    fn clone(&self) -> Self {
        OnePassArray {
            expected: self.expected,
            element: PhantomData,
        }
    }
}

/// How many elements an array of events likely holds: as many as fit in `body` were each as
/// long as the first, the first's length being the distance between the first two `member`s
/// (one each, in the events the one pass decides). Growing a `Vec` of events one doubling at a
/// time copies each event again and again; reserving what the body could hold at most instead
/// (`body.len() / shortest`) made a batch of large events fault in memory pages it never used
/// (BENCHMARKS.md, "Where it went"). A guess only: at most `body.len() / shortest` and
/// [`DEFAULT_MAX_EVENTS`]; a wrong guess costs a reallocation, or a shrink.
fn expected_elements(body: &[u8], member: &[u8], shortest: usize) -> usize {
    let most = (body.len() / shortest.max(1)).min(DEFAULT_MAX_EVENTS);
    let mut found = memchr::memmem::find_iter(body, member);
    match (found.next(), found.next()) {
        (Some(first), Some(second)) => (body.len() / (second - first)).min(most),
        _ => 1,
    }
}

impl<'de, R: OnePass + Deserialize<'de>> DeserializeSeed<'de> for OnePassArray<R> {
    type Value = Vec<R::Output>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, R: OnePass + Deserialize<'de>> Visitor<'de> for OnePassArray<R> {
    type Value = Vec<R::Output>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<R::Output>, A::Error> {
        let mut items = Vec::with_capacity(self.expected);
        while let Some(raw) = seq.next_element::<R>()? {
            items.push(raw.decided().ok_or_else(|| de::Error::custom(GIVE_UP))?);
        }
        if items.capacity() > 2 * items.len() {
            items.shrink_to_fit();
        }
        Ok(items)
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
        self.one_pass_seed(body, PhantomData::<T>)
    }

    /// [`Parser::one_pass`] of an array decided in one pass (see [`OnePassArray`]).
    pub(crate) fn one_pass_array<'de, R: OnePass + Deserialize<'de>>(
        self,
        body: &'de [u8],
    ) -> Option<Vec<R::Output>> {
        self.one_pass_seed(body, OnePassArray::<R>::new(body))
    }

    fn one_pass_seed<'de, S: DeserializeSeed<'de> + Clone>(
        self,
        body: &'de [u8],
        seed: S,
    ) -> Option<S::Value> {
        match self {
            Parser::SerdeJson => serde_json_one_pass(body, seed),
            #[cfg(feature = "sonic-rs")]
            Parser::Sonic => sonic::from_slice(body, seed),
        }
    }
}

/// `serde_json`'s one pass. The body is checked for UTF-8 whole first: `serde_json` does not
/// check the strings of a value it skips (ignored data, unknown members), where the general
/// decoder, which keeps the data as text, refuses invalid UTF-8 anywhere.
fn serde_json_one_pass<'de, S: DeserializeSeed<'de>>(body: &'de [u8], seed: S) -> Option<S::Value> {
    serde_json_from_str(std::str::from_utf8(body).ok()?, seed)
}

/// `serde_json::from_str` with a seed: the value, then nothing but whitespace.
fn serde_json_from_str<'de, S: DeserializeSeed<'de>>(text: &'de str, seed: S) -> Option<S::Value> {
    let mut parser = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut parser).ok()?;
    parser.end().ok()?;
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"id":"1","type":"t","data":{"n":1}}"#;

    fn array(events: &[&str]) -> Vec<u8> {
        format!("[{}]", events.join(",")).into_bytes()
    }

    #[test]
    fn events_of_one_length_are_counted_exactly() {
        for n in [2, 3, 100, 4999] {
            let body = array(&vec![EVENT; n]);
            assert_eq!(expected_elements(&body, br#""type""#, 10), n, "{n}");
        }
    }

    #[test]
    fn an_array_without_a_second_member_expects_one_event() {
        assert_eq!(expected_elements(&array(&[EVENT]), br#""type""#, 10), 1);
        assert_eq!(expected_elements(b"[]", br#""type""#, 10), 1);
    }

    #[test]
    fn the_guess_never_passes_what_the_body_can_hold() {
        // The member as the first event's type too: 7 bytes apart, where the body holds 4 at most.
        let first = r#"{"type":"type","data":1}"#;
        let body = array(&[first, EVENT]);
        assert_eq!(expected_elements(&body, br#""type""#, body.len() / 4), 4);
        let many = array(&vec![EVENT; DEFAULT_MAX_EVENTS + 10]);
        assert_eq!(
            expected_elements(&many, br#""type""#, 10),
            DEFAULT_MAX_EVENTS
        );
    }
}
