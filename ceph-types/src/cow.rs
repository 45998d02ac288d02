//! Borrowing string helpers.
//!
//! `#[serde(borrow)]` makes a derived field of type `Cow<'a, str>` borrow from the input, but
//! serde's own `Cow` impl (used inside `Option`, `Vec` and maps) always copies. These helpers
//! borrow in those places too, and fall back to an owned string when the JSON string has escapes.

#![cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the cluster-map models of the next commit use the rest"
    )
)]

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Map;

/// Visitor producing a `Cow<'a, str>` that borrows when the deserializer lends the string.
struct CowVisitor;

impl<'de> Visitor<'de> for CowVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A string that borrows from the input when it can: the building block of the helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CowStr<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for CowStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CowVisitor).map(CowStr)
    }
}

/// Visitor that reads any scalar as a string: strings as they are, numbers and booleans in
/// their JSON spelling. Used where Ceph documents every value as a string (metadata maps) but a
/// newer release might write a number.
struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(if v { "true" } else { "false" }))
    }
}

/// A scalar read as a string (see [`ScalarVisitor`]).
#[derive(Debug)]
pub(crate) struct ScalarStr<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for ScalarStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(ScalarStr)
    }
}

/// Seed for a borrowing map key.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(CowVisitor)
    }
}

/// Reads a string, borrowing when possible.
///
/// # Errors
///
/// When the value is not a string.
pub(crate) fn string<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, str>, D::Error> {
    d.deserialize_str(CowVisitor)
}

/// Reads an optional string, borrowing when possible; `null` is `None`.
///
/// # Errors
///
/// When the value is neither a string nor `null`.
pub(crate) fn opt<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Option::<CowStr<'a>>::deserialize(d).map(|o| o.map(|s| s.0))
}

/// Reads any scalar as a string (numbers and booleans in their JSON spelling); `null` is `None`.
///
/// # Errors
///
/// When the value is an array or an object.
pub(crate) fn opt_scalar<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Option::<ScalarStr<'a>>::deserialize(d).map(|o| o.map(|s| s.0))
}

/// Visitor for a list of borrowing strings.
struct VecVisitor;

impl<'de> Visitor<'de> for VecVisitor {
    type Value = Vec<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(CowStr(s)) = seq.next_element()? {
            out.push(s);
        }
        Ok(out)
    }
}

/// Reads a list of strings, borrowing when possible.
///
/// # Errors
///
/// When the value is not a list of strings.
pub(crate) fn vec<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'a, str>>, D::Error> {
    d.deserialize_seq(VecVisitor)
}

/// Visitor for an object whose values are all read as strings.
struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Map<'de, Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let ScalarStr(v) = map.next_value()?;
            out.push((k, v));
        }
        Ok(Map::from(out))
    }
}

/// Reads an object of strings (numbers and booleans are kept in their JSON spelling), borrowing
/// when possible.
///
/// # Errors
///
/// When the value is not an object, or a value is an array or an object.
pub(crate) fn map<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Map<'a, Cow<'a, str>>, D::Error> {
    d.deserialize_map(MapVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Doc<'a> {
        #[serde(borrow, deserialize_with = "string")]
        s: Cow<'a, str>,
        #[serde(borrow, default, deserialize_with = "opt")]
        o: Option<Cow<'a, str>>,
        #[serde(borrow, default, deserialize_with = "vec")]
        v: Vec<Cow<'a, str>>,
        #[serde(borrow, default, deserialize_with = "map")]
        m: Map<'a, Cow<'a, str>>,
        #[serde(borrow, default, deserialize_with = "opt_scalar")]
        n: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_unless_escaped() {
        let text = r#"{"s":"a","o":"b\"","v":["c","d\n"],"m":{"k":"v","e":"\u00e9","n":1,"b":true},"n":2.5}"#;
        let d: Doc<'_> = serde_json::from_str(text).unwrap();
        assert!(matches!(d.s, Cow::Borrowed("a")));
        assert!(matches!(d.o.as_deref(), Some("b\"")));
        assert!(matches!(d.o, Some(Cow::Owned(_))));
        assert!(matches!(d.v[0], Cow::Borrowed("c")));
        assert_eq!(d.v[1], "d\n");
        let m: Vec<(&str, &str)> = d.m.iter().map(|(k, v)| (k, v.as_ref())).collect();
        assert_eq!(m, [("k", "v"), ("e", "é"), ("n", "1"), ("b", "true")]);
        assert!(matches!(d.m.get("k"), Some(Cow::Borrowed("v"))));
        assert_eq!(d.n.as_deref(), Some("2.5"));
    }

    #[test]
    fn rejects_wrong_shapes() {
        let bad = [
            r#"{"s":1}"#,
            r#"{"s":"a","o":1}"#,
            r#"{"s":"a","v":"x"}"#,
            r#"{"s":"a","v":[1]}"#,
            r#"{"s":"a","m":{"k":[1]}}"#,
            r#"{"s":"a","n":{}}"#,
        ];
        for text in bad {
            assert!(serde_json::from_str::<Doc<'_>>(text).is_err(), "{text}");
        }
        let d: Doc<'_> = serde_json::from_str(r#"{"s":"a","o":null,"n":null}"#).unwrap();
        assert_eq!((d.o, d.n), (None, None));
    }
}
