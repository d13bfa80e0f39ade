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

/// Parses `body` for Event Grid's one-pass decoder, which gives up (`None`) on anything it does
/// not decide: with the `sonic-rs` feature by `sonic-rs`, otherwise by `serde_json`. The general
/// decoders, which word the rejections, always use `serde_json`. (CloudEvents bodies stay with
/// `serde_json`: with the depth check below, `sonic-rs` made them slower, their long strings
/// being scanned twice.)
pub(crate) fn one_pass_from_slice<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Option<T> {
    #[cfg(feature = "sonic-rs")]
    if !nested_deeper_than(body, SONIC_MAX_DEPTH) {
        return sonic_rs::from_slice(body).ok();
    }
    serde_json::from_slice(body).ok()
}

/// The deepest nesting handed to `sonic-rs`. It skips ignored values recursively with no limit
/// (a stack overflow at 100,000 levels in a release build, below 64 levels on a 2 MiB stack in
/// a debug build), so deeper bodies go to `serde_json`, whose limit is 128.
#[cfg(feature = "sonic-rs")]
const SONIC_MAX_DEPTH: usize = 16;

/// Whether `body` nests arrays and objects deeper than `limit` (brackets inside strings do not
/// count). Invalid JSON is not an error here: the parser decides it. Strings are skipped eight
/// bytes at a time while no quote or backslash is among them (a 1 KiB string is most of an
/// event's bytes).
#[cfg(any(feature = "sonic-rs", test))]
fn nested_deeper_than(body: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        i += 1;
        match b {
            b'"' => loop {
                while let Some(word) = body.get(i..i + 8) {
                    let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                    let found = has_byte(word, b'"') | has_byte(word, b'\\');
                    if found != 0 {
                        i += (found.trailing_zeros() / 8) as usize;
                        break;
                    }
                    i += 8;
                }
                match body.get(i) {
                    None => return false,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => i += 2,
                    Some(_) => i += 1,
                }
            },
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The high bit of each byte of `word` equal to `byte` (and possibly of bytes above a match,
/// which the caller never reads past the first).
#[cfg(any(feature = "sonic-rs", test))]
fn has_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_ignores_brackets_in_strings() {
        assert!(!nested_deeper_than(b"[]", 1));
        assert!(nested_deeper_than(b"[[]]", 1));
        assert!(!nested_deeper_than(br#"[{"a":1},{"b":[2]}]"#, 3));
        assert!(nested_deeper_than(br#"[{"a":1},{"b":[2]}]"#, 2));
        // Brackets and escaped quotes inside strings are text.
        assert!(!nested_deeper_than(br#"["[[[[", "\"{{{{\"", "\\"]"#, 1));
        // A string of closing brackets does not hide the depth after it.
        assert!(nested_deeper_than(br#"["]]]]]]", [[[]]]]"#, 3));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(nested_deeper_than(deep.as_bytes(), 128));
        assert!(!nested_deeper_than(deep.as_bytes(), 10_000));
    }

    /// Byte by byte, as the word-at-a-time scan must answer.
    fn reference_depth(body: &[u8]) -> usize {
        let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
        for &b in body {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        deepest
    }

    #[test]
    fn nesting_depth_word_scan_agrees_with_bytewise_at_every_alignment() {
        // Quotes, escapes and brackets inside strings at every offset within a word, strings
        // ending in the middle and at the end of the body, an unterminated string.
        let pieces = [
            r#""abcdefghijklmnop""#,
            r#""a\"[[[b\\""#,
            r#""\\\\\\\"]]]]]]]]""#,
            r#""{{{{{{{{{{{{{{{{{{{{{{""#,
            "[",
            "]",
            "{",
            "}",
            ",",
            r#""é[ü""#,
        ];
        let mut checked = 0;
        for pad in 0..9 {
            for a in pieces {
                for b in pieces {
                    for c in pieces {
                        let body = format!("{}{a}{b}[{c}[{b}", " ".repeat(pad));
                        let deepest = reference_depth(body.as_bytes());
                        for limit in deepest.saturating_sub(1)..=deepest + 1 {
                            assert_eq!(
                                nested_deeper_than(body.as_bytes(), limit),
                                deepest > limit,
                                "{body:?} limit {limit}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 9 * 1000);
        // Unterminated: the scan ends without reading past the body.
        assert!(!nested_deeper_than(br#"[["abc\"#, 2));
        assert!(!nested_deeper_than(br#"[["abcdefghijklmnop"#, 2));
    }

    /// What the one pass takes with `sonic-rs` is what `serde_json` takes, with the same value:
    /// a body `sonic-rs` accepts and `serde_json` refuses would skip the general decoder's
    /// rejection. (Refusing more only sends the body to the general decoder.)
    #[cfg(feature = "sonic-rs")]
    #[test]
    fn sonic_one_pass_accepts_nothing_serde_json_refuses() {
        let bodies: &[&[u8]] = &[
            br#"{"a":"\ud800"}"#,
            br#"{"a":"\udc00\ud800"}"#,
            br#"{"a":"\ud83d\ude00"}"#,
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\"\xc0\xaf\"}",
            b"{\"a\":\"\xed\xa0\x80\"}",
            b"{\"a\":\"tab\there\"}",
            b"{\"a\":\"nul\x00\"}",
            br#"{"a":1e400}"#,
            br#"{"a":-1e400}"#,
            br#"{"a":-0}"#,
            br#"{"a":18446744073709551616}"#,
            br#"{"a":-9223372036854775809}"#,
            br#"{"a":01}"#,
            br#"{"a":1.}"#,
            br#"{"a":.5}"#,
            br#"{"a":+1}"#,
            br#"{"a":NaN}"#,
            br#"{"a":Infinity}"#,
            br#"{"a":[1,]}"#,
            br#"{"a":1,}"#,
            br#"{'a':1}"#,
            br#"{"a":1} x"#,
            br#"{"a":1}{"a":2}"#,
            br#"{"a":1}/* c */"#,
            b"\xef\xbb\xbf{\"a\":1}",
            b" \t\r\n{\"a\":1} \n",
            br#"{"a":"\x"}"#,
            br#"{"a":"\u12"}"#,
            br#"{"a":"\u0041\n\/"}"#,
            br#"{"a":tru}"#,
            br#"{"a":nul}"#,
            br#"{"a" 1}"#,
            br#"{"a":1"#,
            br#"["#,
            b"",
            br#"{"a":1,"a":2}"#,
            br#"[1,2,3]"#,
            br#""text""#,
        ];
        let mut taken = 0;
        for body in bodies {
            let fast = one_pass_from_slice::<serde_json::Value>(body);
            let reference = serde_json::from_slice::<serde_json::Value>(body).ok();
            if fast.is_some() {
                assert_eq!(fast, reference, "{}", String::from_utf8_lossy(body));
                taken += 1;
            }
        }
        // The valid bodies above are taken by `sonic-rs` itself, not all given up.
        assert!(taken >= 8, "{taken}");
    }
}
