//! The `sonic-rs` parser of the one-pass decoders (feature `sonic-rs`), beside `serde_json`'s
//! in [`Parser`](super::Parser): faster on large bodies, and kept to what `serde_json` would
//! decide. Anything it refuses is left to the general decoder (`serde_json`), which decides it
//! and words the answer.
//!
//! `sonic-rs` skips an ignored value recursively with no depth limit (a stack overflow at
//! 100,000 levels in a release build, below 64 on a 2 MiB stack in a debug build), and its own
//! limit for the values it hands to serde is 255 levels, where `serde_json` refuses more than
//! 128. So it never sees the types directly: [`Guarded`] stands between them, counts the arrays
//! and objects the value is in, and stops past [`SONIC_MAX_DEPTH`]; an ignored value is read
//! through it one level at a time instead of being skipped by `sonic-rs`. A body nested deeper
//! is parsed by `serde_json` instead. (This replaces a scan of the whole body for its depth
//! before parsing, which cost about as much as the parse it guarded.)

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use crate::data::GIVE_UP;

/// The deepest nesting of arrays and objects parsed by `sonic-rs`; a body nested deeper is parsed
/// by `serde_json` (whose own limit is 128).
const SONIC_MAX_DEPTH: usize = 16;

/// The error by which [`Guarded`] stops at [`SONIC_MAX_DEPTH`].
const TOO_DEEP: &str = "webhook_runtime: nested too deep for sonic-rs";

/// Parses `body` with `sonic-rs` (`None` when it refuses it), or with `serde_json` when it is
/// nested deeper than [`SONIC_MAX_DEPTH`].
pub(super) fn from_slice<'de, S: DeserializeSeed<'de> + Clone>(
    body: &'de [u8],
    seed: S,
) -> Option<S::Value> {
    // What `sonic_rs::from_slice` checks first; validated here, the text is not checked again.
    let text = simdutf8::basic::from_utf8(body).ok()?;
    if u32::try_from(text.len()).is_err() {
        return super::serde_json_from_str(text, seed);
    }
    let too_deep = Cell::new(false);
    let mut parser = sonic_rs::Deserializer::from_str(text);
    let value = seed.clone().deserialize(Guarded {
        inner: &mut parser,
        depth: 0,
        too_deep: &too_deep,
    });
    match value {
        Ok(value) if parser.end().is_ok() => Some(value),
        _ if too_deep.get() => super::serde_json_from_str(text, seed),
        _ => None,
    }
}

/// A deserializer of `sonic-rs` that counts the arrays and objects its value is in (`depth`), and
/// fails past [`SONIC_MAX_DEPTH`] (noting it in `too_deep`). Everything it hands out (visitors,
/// sequences, maps, enums, seeds) carries the count on.
struct Guarded<'g, D> {
    inner: D,
    depth: usize,
    too_deep: &'g Cell<bool>,
}

/// The count carried by each wrapper.
#[derive(Clone, Copy)]
struct Depth<'g> {
    depth: usize,
    too_deep: &'g Cell<bool>,
}

impl<'g> Depth<'g> {
    #[inline(always)]
    fn wrap<T>(self, inner: T) -> Guarded<'g, T> {
        Guarded {
            inner,
            depth: self.depth,
            too_deep: self.too_deep,
        }
    }

    /// One level deeper, or the error past the limit.
    #[inline(always)]
    fn enter<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= SONIC_MAX_DEPTH {
            self.too_deep.set(true);
            return Err(E::custom(TOO_DEEP));
        }
        Ok(Depth {
            depth: self.depth + 1,
            too_deep: self.too_deep,
        })
    }
}

impl<'g, T> Guarded<'g, T> {
    #[inline(always)]
    fn count(&self) -> Depth<'g> {
        Depth {
            depth: self.depth,
            too_deep: self.too_deep,
        }
    }
}

/// Deserializer methods read by `deserialize_any`, the visitor guarded: `sonic-rs`'s typed
/// methods, given a value of another type, skip that value (recursively, without a limit) to
/// word their error. The visitor refuses the other type as `serde_json` does.
macro_rules! read_by_any {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {$(
        #[inline(always)]
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.count().wrap(visitor);
            self.inner.deserialize_any(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Guarded<'_, D> {
    type Error = D::Error;

    read_by_any! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32;
        deserialize_i64; deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32;
        deserialize_u64; deserialize_u128; deserialize_f64; deserialize_char;
        deserialize_str; deserialize_string; deserialize_bytes; deserialize_byte_buf;
        deserialize_unit; deserialize_seq; deserialize_map; deserialize_identifier;
        deserialize_unit_struct(_name: &'static str);
        deserialize_tuple(_len: usize);
        deserialize_tuple_struct(_name: &'static str, _len: usize);
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]);
    }

    /// Given up: `serde_json` reads an `f32` to the nearest `f32`, `sonic-rs` by way of an `f64`
    /// (rounded twice).
    fn deserialize_f32<V: Visitor<'de>>(self, _: V) -> Result<V::Value, D::Error> {
        Err(de::Error::custom(GIVE_UP))
    }

    /// `null`, or the value (which never skips anything in `sonic-rs`).
    #[inline(always)]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visitor = self.count().wrap(visitor);
        self.inner.deserialize_option(visitor)
    }

    #[inline(always)]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.count().wrap(visitor);
        self.inner.deserialize_newtype_struct(name, visitor)
    }

    /// A string (a unit variant) or an object of one member (the variant and its content), as
    /// `serde_json` reads an enum; the content read through the guard.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let count = self.count();
        self.inner.deserialize_any(EnumVisitor { visitor, count })
    }

    /// Read through the guard (not skipped by `sonic-rs`, which would recurse without a limit).
    #[inline(always)]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let ignored = self.count().wrap(IgnoredAny);
        self.inner.deserialize_any(ignored)?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// An enum as [`Guarded::deserialize_enum`] reads it.
struct EnumVisitor<'g, V> {
    visitor: V,
    count: Depth<'g>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.visitor.visit_enum(StrDeserializer::new(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.visitor.visit_enum(BorrowedStrDeserializer::new(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.count.enter()?.wrap(map);
        self.visitor.visit_enum(MapAccessDeserializer::new(map))
    }
}

/// Visitor methods that take a plain value: passed on as they are.
macro_rules! plain_visits {
    ($($method:ident($ty:ty);)*) => {$(
        #[inline(always)]
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Guarded<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    plain_visits! {
        visit_bool(bool); visit_i8(i8); visit_i16(i16); visit_i32(i32); visit_i64(i64);
        visit_i128(i128); visit_u8(u8); visit_u16(u16); visit_u32(u32); visit_u64(u64);
        visit_u128(u128); visit_f32(f32); visit_f64(f64); visit_char(char); visit_str(&str);
        visit_borrowed_str(&'de str); visit_string(String); visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]); visit_byte_buf(Vec<u8>);
    }

    #[inline(always)]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    #[inline(always)]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    #[inline(always)]
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        let deserializer = self.count().wrap(deserializer);
        self.inner.visit_some(deserializer)
    }

    #[inline(always)]
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        let deserializer = self.count().wrap(deserializer);
        self.inner.visit_newtype_struct(deserializer)
    }

    #[inline(always)]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let seq = self.count().enter()?.wrap(seq);
        self.inner.visit_seq(seq)
    }

    #[inline(always)]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.count().enter()?.wrap(map);
        self.inner.visit_map(map)
    }

    #[inline(always)]
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        let data = self.count().enter()?.wrap(data);
        self.inner.visit_enum(data)
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Guarded<'_, A> {
    type Error = A::Error;

    #[inline(always)]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let seed = self.count().wrap(seed);
        self.inner.next_element_seed(seed)
    }

    #[inline(always)]
    fn next_element<T: Deserialize<'de>>(&mut self) -> Result<Option<T>, A::Error> {
        self.next_element_seed(PhantomData)
    }

    #[inline(always)]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Guarded<'_, A> {
    type Error = A::Error;

    #[inline(always)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = self.count().wrap(seed);
        self.inner.next_key_seed(seed)
    }

    #[inline(always)]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.count().wrap(seed);
        self.inner.next_value_seed(seed)
    }

    // The provided methods, as the seeded ones (inlined: they run for every member).
    #[inline(always)]
    fn next_key<K: Deserialize<'de>>(&mut self) -> Result<Option<K>, A::Error> {
        self.next_key_seed(PhantomData)
    }

    #[inline(always)]
    fn next_value<T: Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.next_value_seed(PhantomData)
    }

    #[inline(always)]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'g, A: EnumAccess<'de>> EnumAccess<'de> for Guarded<'g, A> {
    type Error = A::Error;
    type Variant = Guarded<'g, A::Variant>;

    #[inline(always)]
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let count = self.count();
        let (value, variant) = self.inner.variant_seed(count.wrap(seed))?;
        Ok((value, count.wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Guarded<'_, A> {
    type Error = A::Error;

    #[inline(always)]
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    #[inline(always)]
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.count().wrap(seed);
        self.inner.newtype_variant_seed(seed)
    }

    #[inline(always)]
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let visitor = self.count().wrap(visitor);
        self.inner.tuple_variant(len, visitor)
    }

    #[inline(always)]
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = self.count().wrap(visitor);
        self.inner.struct_variant(fields, visitor)
    }
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Guarded<'_, T> {
    type Value = T::Value;

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T::Value, D::Error> {
        let deserializer = self.count().wrap(deserializer);
        self.inner.deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Struct { a: u8 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Known {
        a: Option<u8>,
    }

    /// The same answer as `serde_json` for the types the decoders read, on `body`.
    fn assert_same(body: &str) {
        fn same<'de, T: Deserialize<'de> + PartialEq + std::fmt::Debug>(body: &'de str) {
            let fast = from_slice(body.as_bytes(), PhantomData::<T>);
            let reference = serde_json::from_str::<T>(body).ok();
            assert_eq!(
                fast,
                reference,
                "{body:.80} as {}",
                std::any::type_name::<T>()
            );
        }
        same::<serde_json::Value>(body);
        same::<Vec<serde_json::Value>>(body);
        same::<std::collections::BTreeMap<String, serde_json::Value>>(body);
        same::<String>(body);
        same::<()>(body);
        same::<Option<u8>>(body);
        same::<Shape>(body);
        same::<Known>(body);
        same::<Vec<Known>>(body);
        assert!(
            from_slice(body.as_bytes(), PhantomData::<IgnoredAny>).is_some()
                == serde_json::from_str::<IgnoredAny>(body).is_ok()
        );
    }

    /// Arrays and objects nested past the guard's limit, where every type expects them, and
    /// where none does (which `sonic-rs` would skip, without a limit, to word its error): the
    /// same answers as `serde_json`, and no stack overflow (100,000 levels).
    #[test]
    fn deep_bodies_get_serde_json_answers_without_sonic_rs_recursion() {
        for levels in [15, 16, 17, 127, 128, 129, 100_000] {
            let arrays = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
            let objects = format!("{}1{}", r#"{"a":"#.repeat(levels), "}".repeat(levels));
            for deep in [&arrays, &objects] {
                assert_same(deep);
                assert_same(&format!(r#"{{"a":{deep},"b":1}}"#));
                assert_same(&format!(r#"{{"Unit":{deep}}}"#));
                assert_same(&format!(r#"{{"Newtype":{deep}}}"#));
                assert_same(&format!(r#"[{{"a":1}},{{"x":{deep}}}]"#));
            }
        }
        for body in [
            r#""Unit""#,
            r#"{"Newtype":7}"#,
            r#"{"Struct":{"a":1}}"#,
            r#"{"Unit":null}"#,
        ] {
            assert_same(body);
            assert!(
                from_slice(body.as_bytes(), PhantomData::<Shape>).is_some(),
                "{body}"
            );
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
            let fast = from_slice(body, PhantomData::<serde_json::Value>);
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
