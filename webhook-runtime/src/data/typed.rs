//! The fast path's view of an event's data: typed while the event around it is parsed, exactly
//! as [`DataDeserializer`](super::DataDeserializer) presents JSON data, or given up on so the
//! general decoder decides.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, Visitor};

use super::EVENT_TYPES_ENUM;

/// The message of the error by which one-pass decoding gives up, leaving the event to the
/// general decoder (which decodes it, or words the answer to it).
pub(crate) const GIVE_UP: &str = "webhook_runtime: decode the general way";

/// Typed JSON data decoded while the event around it is parsed (one pass over the body).
///
/// The handler's type sees the data exactly as [`DataDeserializer`] presents JSON data, except
/// for what needs more than the JSON value: the raw text (`bytes::Bytes`), and the event type
/// of a derived event-type enum when the type comes after the data. Those, and any error, make
/// the decoding give up ([`GIVE_UP`]); the caller then decodes the body the general way.
pub(crate) struct Typed<T>(pub(crate) T);

/// Decodes [`Typed`] data; the event type is known when it came before the data.
pub(crate) struct TypedSeed<'t, T> {
    pub(crate) event_type: Option<&'t str>,
    pub(crate) data: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for TypedSeed<'_, T> {
    type Value = Typed<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Typed<T>, D::Error> {
        T::deserialize(InlineDataDeserializer {
            inner: deserializer,
            event_type: self.event_type,
        })
        .map(Typed)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Typed<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TypedSeed {
            event_type: None,
            data: PhantomData,
        }
        .deserialize(deserializer)
    }
}

/// The data of an event decoded in one pass, in the JSON being parsed: presented to serde the
/// way [`DataDeserializer`] presents JSON data.
struct InlineDataDeserializer<'t, D> {
    inner: D,
    event_type: Option<&'t str>,
}

fn give_up<E: de::Error>() -> E {
    E::custom(GIVE_UP)
}

/// Methods that decode JSON: the value itself.
macro_rules! forward_methods {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($($arg,)*)? visitor)
        }
    )*};
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for InlineDataDeserializer<'_, D> {
    type Error = D::Error;

    forward_methods! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32;
        deserialize_i64; deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32;
        deserialize_u64; deserialize_u128; deserialize_f32; deserialize_f64; deserialize_char;
        deserialize_str; deserialize_string; deserialize_seq; deserialize_map;
        deserialize_identifier;
        deserialize_unit_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
    }

    /// The raw text is not kept in one pass.
    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value, D::Error> {
        Err(give_up())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value, D::Error> {
        Err(give_up())
    }

    /// `None` for JSON `null`; `Some` keeps presenting the value this way.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let event_type = self.event_type;
        self.inner.deserialize_option(OptionVisitor {
            visitor,
            event_type,
        })
    }

    /// `()` accepts any data: the value is skipped.
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(IgnoredAny)?;
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name != EVENT_TYPES_ENUM {
            return self.inner.deserialize_enum(name, variants, visitor);
        }
        if self.event_type.is_none() {
            return Err(give_up());
        }
        visitor.visit_enum(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_newtype_struct(self)
    }
}

struct OptionVisitor<'t, V> {
    visitor: V,
    event_type: Option<&'t str>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, inner: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(InlineDataDeserializer {
            inner,
            event_type: self.event_type,
        })
    }
}

impl<'de, D: de::Deserializer<'de>> de::EnumAccess<'de> for InlineDataDeserializer<'_, D> {
    type Error = D::Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), D::Error> {
        let event_type = self.event_type.ok_or_else(give_up)?;
        let variant = seed.deserialize(de::value::StrDeserializer::<D::Error>::new(event_type))?;
        Ok((variant, self))
    }
}

impl<'de, D: de::Deserializer<'de>> de::VariantAccess<'de> for InlineDataDeserializer<'_, D> {
    type Error = D::Error;

    /// A variant without a field ignores the data.
    fn unit_variant(self) -> Result<(), D::Error> {
        self.inner.deserialize_ignored_any(IgnoredAny).map(|_| ())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, D::Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
