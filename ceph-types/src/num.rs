//! Lenient number fields.
//!
//! Ceph prints the same field as an integer on one release and as a float on another
//! (`1` vs `1.0`), quotes some numbers (`"last_change": "46"` in older `osd dump`), and prints
//! NaN and infinities as bare tokens that the [pre-pass](crate::quote_non_finite) turns into
//! strings. The helpers here are used with `#[serde(deserialize_with = ..)]` /
//! `#[serde(with = ..)]` on every numeric field of the models:
//!
//! * integer fields accept integers, floats with no fractional part (`3.0`, `1e3`) and strings
//!   holding either; anything else (a fraction, a value out of the field's range) is an error;
//! * float fields accept any number, strings holding a number or a non-finite spelling (`nan`,
//!   `-nan`, `inf`, `-inf`, `infinity`, any case) and `null` (read as NaN, which is how
//!   `serde_json` itself writes NaN). They serialize NaN as `"nan"` and infinities as `"inf"` /
//!   `"-inf"`, so a written model parses back to the same value;
//! * the `opt_` variants read `null` as `None`.

#![cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the cluster-map models of the next commit use the rest"
    )
)]

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Serialize, Serializer};

/// Visitor for an integer of type `T` in any of the accepted spellings.
struct IntVisitor<T>(PhantomData<T>);

/// Converts an `i128` to `T`, or reports the value as out of range.
fn fit<T: TryFrom<i128>, E: de::Error>(v: i128, shown: Unexpected<'_>) -> Result<T, E> {
    T::try_from(v).map_err(|_| E::invalid_value(shown, &"an integer in range"))
}

/// The integer value of `f`, if it is finite, has no fractional part and fits an `i128`.
fn integral(f: f64) -> Option<i128> {
    // 2^100 is far past every integer type used by the models and exactly representable.
    const LIMIT: f64 = 1_267_650_600_228_229_401_496_703_205_376.0;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < LIMIT).then_some(f as i128)
}

impl<'de, T: TryFrom<i128>> Visitor<'de> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (possibly written as a float or a string)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        fit(i128::from(v), Unexpected::Unsigned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        fit(i128::from(v), Unexpected::Signed(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        match integral(v) {
            Some(i) => fit(i, Unexpected::Float(v)),
            None => Err(E::invalid_value(Unexpected::Float(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let t = v.trim();
        if let Ok(i) = t.parse::<i128>() {
            return fit(i, Unexpected::Str(v));
        }
        match t.parse::<f64>().ok().and_then(integral) {
            Some(i) => fit(i, Unexpected::Str(v)),
            None => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

/// Reads an integer field leniently (see the [module docs](self)).
///
/// # Errors
///
/// When the value is not an integer in one of the accepted spellings or does not fit `T`.
pub(crate) fn int<'de, D: Deserializer<'de>, T: TryFrom<i128>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(IntVisitor(PhantomData))
}

/// Visitor for an optional integer: `null` is `None`.
struct OptVisitor<V>(V);

impl<'de, T: TryFrom<i128>> Visitor<'de> for OptVisitor<IntVisitor<T>> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        self.0.visit_u64(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        self.0.visit_i64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        self.0.visit_f64(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        self.0.visit_str(v).map(Some)
    }
}

/// Reads an optional integer field leniently; `null` is `None`.
///
/// # Errors
///
/// As [`int`].
pub(crate) fn opt_int<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_any(OptVisitor(IntVisitor(PhantomData)))
}

/// Parses a float from a string: a number or a non-finite spelling.
fn float_from_str(v: &str) -> Option<f64> {
    // Rust's parser takes `nan`, `inf`, `infinity` in any case with an optional sign.
    v.trim().parse::<f64>().ok()
}

/// Visitor for a float; `null` is NaN.
struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, `nan`, `inf` or null")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        float_from_str(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::NAN)
    }
}

/// Reads a float field leniently (see the [module docs](self)).
///
/// # Errors
///
/// When the value is neither a number, a string holding one, nor `null`.
pub(crate) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(FloatVisitor)
}

/// Writes a float, non-finite values as the strings `"nan"`, `"inf"`, `"-inf"`.
///
/// # Errors
///
/// Only those of the serializer.
pub(crate) fn float_ser<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_nan() {
        s.serialize_str("nan")
    } else if v.is_infinite() {
        s.serialize_str(if *v > 0.0 { "inf" } else { "-inf" })
    } else {
        s.serialize_f64(*v)
    }
}

/// Visitor for an optional float; `null` is `None`.
struct OptFloatVisitor;

impl<'de> Visitor<'de> for OptFloatVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, `nan`, `inf` or null")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
        FloatVisitor.visit_u64(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
        FloatVisitor.visit_i64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<f64>, E> {
        FloatVisitor.visit_str(v).map(Some)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
}

/// Reads an optional float field leniently; `null` is `None`.
///
/// # Errors
///
/// As [`float`].
pub(crate) fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(OptFloatVisitor)
}

/// Writes an optional float like [`float_ser`].
///
/// # Errors
///
/// Only those of the serializer.
pub(crate) fn opt_float_ser<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(f) => float_ser(f, s),
        None => s.serialize_none(),
    }
}

/// Writes a list of floats like [`float_ser`].
///
/// # Errors
///
/// Only those of the serializer.
pub(crate) fn float_vec_ser<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    /// One element, written with [`float_ser`].
    struct F(f64);
    impl Serialize for F {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            float_ser(&self.0, s)
        }
    }
    s.collect_seq(v.iter().map(|f| F(*f)))
}

/// Visitor for a list of lenient floats.
struct FloatVecVisitor;

impl<'de> Visitor<'de> for FloatVecVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of numbers")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        /// One element, read with [`float`].
        struct F(f64);
        impl<'de> serde::Deserialize<'de> for F {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<F, D::Error> {
                float(d).map(F)
            }
        }
        let mut out = Vec::new();
        while let Some(F(f)) = seq.next_element()? {
            out.push(f);
        }
        Ok(out)
    }
}

/// Reads a list of lenient floats.
///
/// # Errors
///
/// When the value is not a list, or an element is not a float in an accepted spelling.
pub(crate) fn float_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    d.deserialize_seq(FloatVecVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Ints {
        #[serde(deserialize_with = "int")]
        u: u32,
        #[serde(deserialize_with = "int")]
        i: i64,
        #[serde(default, deserialize_with = "opt_int")]
        o: Option<u64>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    struct Floats {
        #[serde(deserialize_with = "float", serialize_with = "float_ser")]
        f: f64,
        #[serde(
            default,
            deserialize_with = "opt_float",
            serialize_with = "opt_float_ser"
        )]
        o: Option<f64>,
        #[serde(
            default,
            deserialize_with = "float_vec",
            serialize_with = "float_vec_ser"
        )]
        v: Vec<f64>,
    }

    #[test]
    fn ints_table() {
        let ok: &[(&str, Ints)] = &[
            (
                r#"{"u":1,"i":-1}"#,
                Ints {
                    u: 1,
                    i: -1,
                    o: None,
                },
            ),
            (
                r#"{"u":1.0,"i":-2.0,"o":null}"#,
                Ints {
                    u: 1,
                    i: -2,
                    o: None,
                },
            ),
            (
                r#"{"u":"7","i":" -3 ","o":"1e3"}"#,
                Ints {
                    u: 7,
                    i: -3,
                    o: Some(1000),
                },
            ),
            (
                r#"{"u":4294967295,"i":1e15,"o":18446744073709551615}"#,
                Ints {
                    u: u32::MAX,
                    i: 1_000_000_000_000_000,
                    o: Some(u64::MAX),
                },
            ),
        ];
        for (text, want) in ok {
            let v: Ints = serde_json::from_str(text).unwrap();
            assert_eq!(&v, want, "{text}");
        }
        let bad = [
            r#"{"u":-1,"i":0}"#,
            r#"{"u":4294967296,"i":0}"#,
            r#"{"u":1.5,"i":0}"#,
            r#"{"u":"x","i":0}"#,
            r#"{"u":true,"i":0}"#,
            r#"{"u":"nan","i":0}"#,
            r#"{"u":1,"i":1e300}"#,
            r#"{"u":1,"i":0,"o":-1}"#,
        ];
        for text in bad {
            assert!(serde_json::from_str::<Ints>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn floats_table() {
        let cases: &[(&str, f64, Option<f64>)] = &[
            (r#"{"f":1}"#, 1.0, None),
            (r#"{"f":-2,"o":0.5}"#, -2.0, Some(0.5)),
            (r#"{"f":"nan","o":null}"#, f64::NAN, None),
            (r#"{"f":"-nan","o":"inf"}"#, f64::NAN, Some(f64::INFINITY)),
            (
                r#"{"f":"-Infinity","o":"1.25"}"#,
                f64::NEG_INFINITY,
                Some(1.25),
            ),
            (r#"{"f":null}"#, f64::NAN, None),
        ];
        for (text, f, o) in cases {
            let v: Floats = serde_json::from_str(text).unwrap();
            assert!(v.f == *f || (v.f.is_nan() && f.is_nan()), "{text}");
            assert_eq!(v.o, *o, "{text}");
        }
        for text in [
            r#"{"f":"x"}"#,
            r#"{"f":true}"#,
            r#"{"f":[]}"#,
            r#"{"f":1,"v":[1,"y"]}"#,
        ] {
            assert!(serde_json::from_str::<Floats>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn non_finite_round_trip() {
        let v = Floats {
            f: f64::NAN,
            o: Some(f64::NEG_INFINITY),
            v: vec![1.5, f64::INFINITY, f64::NAN],
        };
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(text, r#"{"f":"nan","o":"-inf","v":[1.5,"inf","nan"]}"#);
        let back: Floats = serde_json::from_str(&text).unwrap();
        assert!(back.f.is_nan());
        assert_eq!(back.o, Some(f64::NEG_INFINITY));
        assert_eq!(back.v[..2], [1.5, f64::INFINITY]);
        assert!(back.v[2].is_nan());
    }
}
