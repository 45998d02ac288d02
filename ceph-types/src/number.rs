//! A JSON number that keeps its integer or float nature.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// A number as Ceph printed it: an unsigned or signed integer kept exact, or a float.
///
/// Perf-counter values are 64-bit unsigned integers that `f64` cannot hold exactly past 2^53;
/// this type keeps them exact while still accepting the float values of time counters.
/// Non-finite floats (quoted by the [pre-pass](crate::quote_non_finite), or `null`) read as
/// [`Number::Float`] and are written back as `"nan"`, `"inf"`, `"-inf"`.
///
/// ```
/// use ceph_types::Number;
///
/// let n: Number = serde_json::from_str("18446744073709551615")?;
/// assert_eq!(n, Number::Uint(u64::MAX));
/// assert_eq!(serde_json::from_str::<Number>("0.25")?.as_f64(), 0.25);
/// assert!(serde_json::from_str::<Number>("\"-nan\"")?.as_f64().is_nan());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A non-negative integer.
    Uint(u64),
    /// A negative integer.
    Int(i64),
    /// A number written with a fraction or exponent, or a non-finite token.
    Float(f64),
}

impl Number {
    /// The value as `f64` (integers past 2^53 are rounded).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Uint(u) => u as f64,
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The value as `u64` when it is a non-negative integer (a float with no fraction counts).
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Number::Uint(u) => Some(u),
            Number::Int(_) => None,
            Number::Float(f) => (f.is_finite()
                && f.fract() == 0.0
                && (0.0..18_446_744_073_709_551_616.0).contains(&f))
            .then_some(f as u64),
        }
    }
}

impl Default for Number {
    fn default() -> Self {
        Number::Uint(0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Uint(u) => write!(f, "{u}"),
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Number::Uint(v)
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::Float(v)
    }
}

/// Visitor for [`Number`].
pub(crate) struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number::Uint(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(if v >= 0 {
            Number::Uint(v.unsigned_abs())
        } else {
            Number::Int(v)
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Ok(Number::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
        let t = v.trim();
        if let Ok(u) = t.parse::<u64>() {
            return Ok(Number::Uint(u));
        }
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Number::Int(i));
        }
        t.parse::<f64>()
            .map(Number::Float)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Number, E> {
        Ok(Number::Float(f64::NAN))
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Uint(u) => s.serialize_u64(*u),
            Number::Int(i) => s.serialize_i64(*i),
            Number::Float(f) => crate::num::float_ser(f, s),
        }
    }
}

crate::owned::into_owned!(Number);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_table() {
        let cases: &[(&str, Number, &str)] = &[
            ("0", Number::Uint(0), "0"),
            ("-5", Number::Int(-5), "-5"),
            ("1.5", Number::Float(1.5), "1.5"),
            ("0.000000000", Number::Float(0.0), "0.0"),
            ("\"12\"", Number::Uint(12), "12"),
            ("\"-12\"", Number::Int(-12), "-12"),
            ("\"inf\"", Number::Float(f64::INFINITY), "\"inf\""),
            ("1e3", Number::Float(1000.0), "1000.0"),
        ];
        for (text, want, written) in cases {
            let n: Number = serde_json::from_str(text).unwrap();
            assert_eq!(n, *want, "{text}");
            assert_eq!(serde_json::to_string(&n).unwrap(), *written, "{text}");
        }
        let nan: Number = serde_json::from_str("null").unwrap();
        assert!(nan.as_f64().is_nan());
        assert_eq!(serde_json::to_string(&nan).unwrap(), "\"nan\"");
        for bad in ["\"x\"", "true", "[]", "{}"] {
            assert!(serde_json::from_str::<Number>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(Number::Float(3.0).as_u64(), Some(3));
        assert_eq!(Number::Float(3.5).as_u64(), None);
        assert_eq!(Number::Float(-1.0).as_u64(), None);
        assert_eq!(Number::Float(1e20).as_u64(), None);
        assert_eq!(Number::Int(-1).as_u64(), None);
        assert_eq!(Number::Int(-1).as_f64(), -1.0);
        assert_eq!(Number::from(7u64).to_string(), "7");
        assert_eq!(Number::from(0.5).to_string(), "0.5");
        assert_eq!(Number::default(), Number::Uint(0));
    }
}
