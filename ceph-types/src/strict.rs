//! A deserializer adapter that never decodes a struct from a JSON array.
//!
//! serde's derived `Deserialize` for a struct accepts a sequence as well as a map and fills the
//! fields by position, so `"stats": [1, 2, 3]` where Ceph writes an object would silently become
//! `stored = 1, objects = 2, ...`. Ceph's dumps never write a struct as an array, so such input is
//! damaged or of another shape, and a monitoring tool must say so rather than read numbers into
//! the wrong fields.
//!
//! [`StrictDeserializer`] wraps any [`serde::Deserializer`] and routes every
//! `deserialize_struct` to `deserialize_map`, at every depth: the visitors, sequence and map
//! accessors, seeds and enum accessors it hands out are wrapped the same way, so a struct nested
//! in a list in an option in a map is reached through the adapter too. Everything else is
//! forwarded unchanged (borrowed strings stay borrowed, errors keep the inner deserializer's
//! positions). [`Model::parse`](crate::Model::parse) parses every model through it.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

/// A [`Deserializer`] that reads structs only from maps, never positionally from sequences.
///
/// Every [`Model`](crate::Model)'s `parse` uses it; wrap a deserializer in it to get the same
/// behaviour when driving serde yourself (for example, reading a model from a stream):
///
/// ```
/// use ceph_types::{DfPoolStats, StrictDeserializer};
/// use serde::Deserialize;
///
/// let mut json = serde_json::Deserializer::from_str("[1, 2, 3]");
/// // serde alone would fill the first fields by position
/// assert!(DfPoolStats::deserialize(StrictDeserializer::new(&mut json)).is_err());
///
/// let mut json = serde_json::Deserializer::from_str(r#"{"stored": 1}"#);
/// let stats = DfPoolStats::deserialize(StrictDeserializer::new(&mut json))?;
/// assert_eq!(stats.stored, Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StrictDeserializer<D>(D);

impl<D> StrictDeserializer<D> {
    /// Wraps `inner`.
    pub fn new(inner: D) -> Self {
        StrictDeserializer(inner)
    }

    /// The wrapped deserializer.
    pub fn into_inner(self) -> D {
        self.0
    }
}

/// Wraps a visitor so that what it is handed (deserializers, accessors) is wrapped too.
struct Wrap<X>(X);

/// Forwards `deserialize_*` methods that take only a visitor.
macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Wrap(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictDeserializer<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    /// The point of the adapter: a struct is read from a map only.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Forwards `visit_*` methods that take a plain value.
macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit! {
        visit_bool(bool)
        visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128)
        visit_f32(f32) visit_f64(f64) visit_char(char)
        visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(StrictDeserializer(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(StrictDeserializer(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Wrap(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Wrap(data))
    }
}

/// A seed whose deserializer is wrapped.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(StrictDeserializer(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Wrap<A::Variant>), A::Error> {
        self.0
            .variant_seed(Seed(seed))
            .map(|(v, var)| (v, Wrap(var)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap(visitor))
    }

    /// A struct variant is read as a newtype variant whose content goes through
    /// [`StrictDeserializer::deserialize_struct`], so it too is read from a map only.
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.newtype_variant_seed(StructSeed { fields, visitor })
    }
}

/// Reads a struct variant's content as a struct, through the adapter.
struct StructSeed<V> {
    fields: &'static [&'static str],
    visitor: V,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        StrictDeserializer(d).deserialize_struct("", self.fields, self.visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner<'a> {
        #[serde(borrow)]
        name: Cow<'a, str>,
        #[serde(default)]
        n: u32,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape<'a> {
        Unit,
        New(#[serde(borrow)] Inner<'a>),
        Pair(u32, u32),
        Fields { a: u32 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer<'a> {
        #[serde(borrow)]
        one: Option<Inner<'a>>,
        #[serde(borrow, default)]
        list: Vec<Inner<'a>>,
        #[serde(borrow, default)]
        by_key: BTreeMap<&'a str, Inner<'a>>,
        #[serde(borrow, default)]
        shapes: Vec<Shape<'a>>,
        #[serde(default)]
        tuple: Option<(u32, u32)>,
    }

    fn strict<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        T::deserialize(StrictDeserializer::new(&mut de))
    }

    #[test]
    fn objects_are_read_and_strings_stay_borrowed() {
        let text = r#"{"one": {"name": "a"}, "list": [{"name": "b", "n": 2}],
            "by_key": {"k": {"name": "c"}}, "tuple": [1, 2],
            "shapes": ["Unit", {"New": {"name": "d"}}, {"Pair": [3, 4]}, {"Fields": {"a": 5}}]}"#;
        let o: Outer<'_> = strict(text).unwrap();
        assert!(matches!(o.one.as_ref().unwrap().name, Cow::Borrowed("a")));
        assert_eq!((o.list[0].name.as_ref(), o.list[0].n), ("b", 2));
        assert!(matches!(o.by_key["k"].name, Cow::Borrowed("c")));
        assert_eq!(o.tuple, Some((1, 2)));
        assert_eq!(
            o.shapes,
            [
                Shape::Unit,
                Shape::New(Inner {
                    name: "d".into(),
                    n: 0
                }),
                Shape::Pair(3, 4),
                Shape::Fields { a: 5 },
            ]
        );
    }

    #[test]
    fn structs_from_arrays_are_rejected_at_every_depth() {
        // Each of these is accepted by serde_json alone (positionally).
        let cases = [
            "[null]",
            r#"{"one": ["a"]}"#,
            r#"{"one": null, "list": [["a", 1]]}"#,
            r#"{"one": null, "by_key": {"k": ["a"]}}"#,
            r#"{"one": null, "shapes": [{"New": ["a"]}]}"#,
            r#"{"one": null, "shapes": [{"Fields": [5]}]}"#,
        ];
        for text in cases {
            assert!(serde_json::from_str::<Outer<'_>>(text).is_ok(), "{text}");
            let err = strict::<Outer<'_>>(text).unwrap_err();
            assert!(err.is_data(), "{text}: {err}");
            assert!(
                err.to_string().contains("invalid type: sequence"),
                "{text}: {err}"
            );
        }
    }
}
