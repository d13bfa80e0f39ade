//! JSON helpers shared by the decoders.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};
#[cfg(feature = "sonic-rs")]
use wide::u8x16;

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
/// count). Invalid JSON is not an error here: the parser decides it.
///
/// The body is read 64 bytes at a time: four 16-byte SIMD compares (`wide`) give one bit per
/// byte for its quotes, backslashes, opening and closing brackets; the running parity of the
/// quotes marks what is inside a string, and the depth moves by the count of the brackets
/// outside strings. A block is read byte by byte only when it holds a backslash (or starts
/// inside an escape), or when its brackets could take the depth past `limit` or below zero.
/// (On an Event Grid array of 5000 small events, 1.1 MB of mostly short strings: 0.13 ms, where
/// skipping strings eight bytes at a time took 0.42 ms.)
#[cfg(feature = "sonic-rs")]
fn nested_deeper_than(body: &[u8], limit: usize) -> bool {
    let mut scan = DepthScan {
        depth: 0,
        limit,
        in_string: false,
        escaped: false,
    };
    let mut blocks = body.chunks_exact(64);
    for block in &mut blocks {
        if scan.block(block) {
            return true;
        }
    }
    scan.bytes(blocks.remainder())
}

/// Where [`nested_deeper_than`] is in the body.
#[cfg(feature = "sonic-rs")]
struct DepthScan {
    depth: usize,
    limit: usize,
    in_string: bool,
    /// The last byte read was a backslash inside a string.
    escaped: bool,
}

#[cfg(feature = "sonic-rs")]
impl DepthScan {
    /// Reads `bytes` one at a time; `true` once the depth passes the limit.
    fn bytes(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' => {
                    self.depth += 1;
                    if self.depth > self.limit {
                        return true;
                    }
                }
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        false
    }

    /// Reads a block of 64 bytes; `true` once the depth passes the limit.
    fn block(&mut self, block: &[u8]) -> bool {
        let (mut quotes, mut backslashes, mut opens, mut closes) = (0u64, 0u64, 0u64, 0u64);
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let bytes = u8x16::new(lane.try_into().unwrap_or_default());
            // `[` and `{` (and `]` and `}`) differ only in the bit 0x20.
            let folded = bytes | u8x16::splat(0x20);
            let shift = 16 * i;
            let mask = |lanes: u8x16, byte: u8| {
                u64::from(lanes.simd_eq(u8x16::splat(byte)).to_bitmask()) << shift
            };
            quotes |= mask(bytes, b'"');
            backslashes |= mask(bytes, b'\\');
            opens |= mask(folded, b'{');
            closes |= mask(folded, b'}');
        }
        if backslashes != 0 || self.escaped {
            return self.bytes(block);
        }
        // Bit i set: byte i is inside a string. That is an odd number of quotes up to byte i,
        // or an even number when the block starts inside a string.
        let mut inside = quotes;
        for shift in [1, 2, 4, 8, 16, 32] {
            inside ^= inside << shift;
        }
        if self.in_string {
            inside = !inside;
        }
        self.in_string = inside >> 63 == 1;
        let opens = opens & !inside;
        let closes = closes & !inside;
        let (opened, closed) = (opens.count_ones() as usize, closes.count_ones() as usize);
        if self.depth + opened <= self.limit && closed <= self.depth {
            self.depth = self.depth + opened - closed;
            return false;
        }
        // In order: the brackets are the block's only bytes that move the depth.
        let mut brackets = opens | closes;
        while brackets != 0 {
            let bit = brackets & brackets.wrapping_neg();
            if opens & bit != 0 {
                self.depth += 1;
                if self.depth > self.limit {
                    return true;
                }
            } else {
                self.depth = self.depth.saturating_sub(1);
            }
            brackets ^= bit;
        }
        false
    }
}

// Everything here tests the `sonic-rs` path (CI runs the suite with the feature too).
#[cfg(all(test, feature = "sonic-rs"))]
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

    /// Byte by byte, as the block scan must answer.
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

    /// Checks the scan against [`reference_depth`] at the limits from `below` under the body's
    /// depth to one above it; returns how many limits it checked.
    fn assert_scan_agrees(body: &str, below: usize) -> usize {
        let deepest = reference_depth(body.as_bytes());
        let limits = deepest.saturating_sub(below)..=deepest + 1;
        let count = limits.clone().count();
        for limit in limits {
            assert_eq!(
                nested_deeper_than(body.as_bytes(), limit),
                deepest > limit,
                "{body:?} limit {limit}"
            );
        }
        count
    }

    #[test]
    fn nesting_depth_block_scan_agrees_with_bytewise_at_every_offset() {
        // Quotes, escapes and brackets inside strings at every offset within a 64-byte block,
        // strings ending in the middle and at the end of the body, an unterminated string.
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
        for pad in 0..=64 {
            for a in pieces {
                for b in pieces {
                    for c in pieces {
                        let body = format!("{}{a}{b}[{c}[{b}", " ".repeat(pad));
                        checked += assert_scan_agrees(&body, 1);
                    }
                }
            }
        }
        assert!(checked > 65 * 1000);
        // Unterminated: the scan ends without reading past the body.
        assert!(!nested_deeper_than(br#"[["abc\"#, 2));
        assert!(!nested_deeper_than(br#"[["abcdefghijklmnop"#, 2));
    }

    #[test]
    fn nesting_depth_block_scan_agrees_with_bytewise_on_long_bodies() {
        // Bodies of a few blocks: runs of brackets that cross a block's limit check, escapes
        // (and runs of backslashes) split across blocks, strings spanning blocks.
        let pieces = [
            "[",
            "[[[[[[",
            "]",
            "]]]]",
            "{",
            "}",
            ",",
            "\"ab\"",
            "\"a\\\"b\"",
            "\"\\\\\"",
            "\"[[[[[[[[[[[[[[[[[[[[\"",
            "\"]]]]]]]]]]\"",
            "1234567",
            "\"é\"",
            "\"",
            "\\",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut body = String::new();
            while body.len() < 64 + (next() % 256) as usize {
                body.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            assert_scan_agrees(&body, 2);
        }
    }

    /// What the one pass takes with `sonic-rs` is what `serde_json` takes, with the same value:
    /// a body `sonic-rs` accepts and `serde_json` refuses would skip the general decoder's
    /// rejection. (Refusing more only sends the body to the general decoder.)
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
