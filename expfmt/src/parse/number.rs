//! Numbers: sample values, `le`/`quantile` label values, counts and timestamps.
//!
//! One grammar serves both formats. It is the OpenMetrics `number` rule, which is also what
//! Go's `strconv.ParseFloat` accepts once Prometheus' parser has ruled out hex floats and
//! underscores:
//!
//! ```text
//! number     = realnumber / [sign] ("inf" / "infinity") / "nan"    ; case-insensitive
//! realnumber = [sign] 1*DIGIT ["." *DIGIT] [("e" / "E") [sign] 1*DIGIT]
//!            / [sign] *DIGIT "." 1*DIGIT [("e" / "E") [sign] 1*DIGIT]
//! ```
//!
//! A finite value too large for `f64` is rejected (Go reports a range error), a value too
//! small becomes zero or a subnormal.

use crate::{Timestamp, Value};

/// 2^53: the largest count accepted when written as a float.
const MAX_EXACT_COUNT: f64 = 9_007_199_254_740_992.0;

/// The shape of a number token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `-?[0-9]+` (no `+` sign, no point, no exponent).
    Integer { negative: bool },
    /// Any other finite decimal form.
    Real,
    /// `inf`, `infinity` (signed or not) or unsigned `nan`, in any case.
    Special,
}

/// Classifies `b` against the number grammar; `None` when it does not match.
fn shape(b: &[u8]) -> Option<Shape> {
    let (sign, rest) = match b.first() {
        Some(b'+') => (Some(b'+'), &b[1..]),
        Some(b'-') => (Some(b'-'), &b[1..]),
        _ => (None, b),
    };
    if rest.first().is_some_and(u8::is_ascii_alphabetic) {
        let special = rest.eq_ignore_ascii_case(b"inf")
            || rest.eq_ignore_ascii_case(b"infinity")
            || (sign.is_none() && rest.eq_ignore_ascii_case(b"nan"));
        return special.then_some(Shape::Special);
    }
    let int_digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = int_digits;
    let mut frac_digits = 0;
    let mut point = false;
    if rest.get(i) == Some(&b'.') {
        point = true;
        i += 1;
        frac_digits = rest[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let mut exponent = false;
    if matches!(rest.get(i), Some(b'e' | b'E')) {
        exponent = true;
        i += 1;
        if matches!(rest.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = rest[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != rest.len() {
        return None;
    }
    Some(if point || exponent || sign == Some(b'+') {
        Shape::Real
    } else {
        Shape::Integer {
            negative: sign.is_some(),
        }
    })
}

/// Parses ASCII digits into a `u64`, `None` on overflow.
fn digits_u64(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |acc, &c| {
        acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// Parses a sample value.
///
/// An integer literal (`-?[0-9]+`) that fits gives [`Value::U64`] (non-negative) or
/// [`Value::I64`] (negative); `-0` gives `F64(-0.0)` so the sign survives. Everything else
/// that matches the grammar gives [`Value::F64`], correctly rounded.
pub(super) fn value(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        let negative = digits.len() != b.len();
        if let Some(magnitude) = digits_u64(digits) {
            if !negative {
                return Some(Value::U64(magnitude));
            }
            if magnitude == 0 {
                return Some(Value::F64(-0.0));
            }
            if let Some(v) = 0i64.checked_sub_unsigned(magnitude) {
                return Some(Value::I64(v));
            }
        }
    }
    float_value(s).map(Value::F64)
}

/// The fast path of [`value`] for a token starting `b`: an integer literal of at most 19
/// digits followed by a blank, a line feed or the end. Returns the token length and the value;
/// `None` sends the caller to the general path.
#[inline]
pub(super) fn fast_integer(b: &[u8]) -> Option<(usize, Value)> {
    let negative = b.first() == Some(&b'-');
    let start = usize::from(negative);
    let mut i = start;
    let mut acc: u64 = 0;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() || i - start == 19 {
            break;
        }
        acc = acc * 10 + u64::from(c - b'0');
        i += 1;
    }
    if i == start || !matches!(b.get(i), None | Some(b' ' | b'\t' | b'\n')) {
        return None;
    }
    let v = match (negative, acc) {
        (false, _) => Value::U64(acc),
        (true, 0) => Value::F64(-0.0),
        (true, _) => Value::I64(0i64.checked_sub_unsigned(acc)?),
    };
    Some((i, v))
}

/// Parses a float (an `le` or `quantile` label value, or a value that is not an integer
/// literal).
///
/// Rust's `f64` grammar is the grammar above, except that it also takes a signed `nan` and
/// turns a finite overflow into an infinity; both are rejected here.
pub(super) fn float_value(s: &str) -> Option<f64> {
    let v: f64 = s.parse().ok()?;
    if v.is_finite() {
        return Some(v);
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let literal = unsigned
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic);
    (literal && !(v.is_nan() && unsigned.len() != s.len())).then_some(v)
}

/// The value as a count: a non-negative integer, written as one or as an exactly integral
/// float not above 2^53.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the float is checked to be integral and in 0..=2^53"
)]
pub(super) fn count(v: Value) -> Option<u64> {
    match v {
        Value::U64(n) => Some(n),
        Value::I64(_) => None,
        Value::F64(f) => {
            ((0.0..=MAX_EXACT_COUNT).contains(&f) && f.fract() == 0.0).then_some(f as u64)
        }
    }
}

/// Parses a text-format timestamp: an `int64` number of milliseconds, optionally signed.
pub(super) fn text_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let digits = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse().ok().map(Timestamp::from_millis)
}

/// Parses an OpenMetrics timestamp (a `realnumber` of seconds) to the nanosecond.
///
/// The conversion is exact decimal arithmetic on the digits, no float step: digits past the
/// nanosecond round to the nearest, halves away from zero (`0.0000000005` is 1 ns). `None`
/// when the text is not a `realnumber` or its milliseconds do not fit `i64`.
pub(super) fn openmetrics_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if matches!(shape(b)?, Shape::Special) {
        return None;
    }
    let (negative, rest) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let mantissa_end = rest
        .iter()
        .position(|c| matches!(c, b'e' | b'E'))
        .unwrap_or(rest.len());
    let (mantissa, exponent) = rest.split_at(mantissa_end);
    let exponent = exponent_value(exponent.get(1..).unwrap_or_default());
    let int_len = mantissa
        .iter()
        .position(|&c| c == b'.')
        .unwrap_or(mantissa.len());
    // The decimal digits, and where the point sits among them: value = 0.d1d2... × 10^point.
    let digits = mantissa.iter().copied().filter(u8::is_ascii_digit);
    let leading_zeros = digits.clone().take_while(|&c| c == b'0').count();
    let len = isize::try_from(int_len).ok()?;
    let lz = isize::try_from(leading_zeros).ok()?;
    // Point position relative to the first significant digit, in nanoseconds.
    let point = len
        .saturating_sub(lz)
        .saturating_add(exponent)
        .saturating_add(9);
    let mut acc: u128 = 0;
    let mut index: isize = 0;
    let mut round_up = false;
    for d in digits.skip(leading_zeros) {
        if index < point {
            acc = acc.checked_mul(10)?.checked_add(u128::from(d - b'0'))?;
        } else {
            round_up = d >= b'5';
            break;
        }
        index += 1;
    }
    if acc != 0 || index > 0 {
        // Scale by the zeros between the last digit and the nanosecond position.
        let mut shift = point.saturating_sub(index);
        while shift > 0 {
            acc = acc.checked_mul(10)?;
            shift -= 1;
        }
    }
    if round_up {
        acc = acc.checked_add(1)?;
    }
    let ns = i128::try_from(acc).ok()?;
    let ns = if negative { -ns } else { ns };
    let ms = ns.div_euclid(1_000_000);
    if ms > i128::from(i64::MAX) || ms < i128::from(i64::MIN) {
        return None;
    }
    Some(Timestamp::from_nanos(ns))
}

/// The value of exponent digits (with optional sign), saturated far beyond any timestamp.
fn exponent_value(b: &[u8]) -> isize {
    const LIMIT: isize = 100_000;
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let magnitude = digits.iter().fold(0isize, |acc, &c| {
        (acc * 10 + isize::from(c - b'0')).min(LIMIT)
    });
    if negative { -magnitude } else { magnitude }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let cases: &[(&str, Option<Value>)] = &[
            ("0", Some(Value::U64(0))),
            ("42", Some(Value::U64(42))),
            ("007", Some(Value::U64(7))),
            ("18446744073709551615", Some(Value::U64(u64::MAX))),
            (
                "18446744073709551616",
                Some(Value::F64(18_446_744_073_709_551_616.0)),
            ),
            ("-1", Some(Value::I64(-1))),
            ("-9223372036854775808", Some(Value::I64(i64::MIN))),
            (
                "-9223372036854775809",
                Some(Value::F64(-9_223_372_036_854_775_809.0)),
            ),
            ("-0", Some(Value::F64(-0.0))),
            ("-000", Some(Value::F64(-0.0))),
            ("+5", Some(Value::F64(5.0))),
            ("1.0", Some(Value::F64(1.0))),
            ("1.", Some(Value::F64(1.0))),
            (".5", Some(Value::F64(0.5))),
            ("-.5", Some(Value::F64(-0.5))),
            ("1e3", Some(Value::F64(1000.0))),
            ("1E+3", Some(Value::F64(1000.0))),
            ("1.5e-7", Some(Value::F64(1.5e-7))),
            ("0.1", Some(Value::F64(0.1))),
            ("1e-400", Some(Value::F64(0.0))),
            ("+Inf", Some(Value::F64(f64::INFINITY))),
            ("-Inf", Some(Value::F64(f64::NEG_INFINITY))),
            ("Inf", Some(Value::F64(f64::INFINITY))),
            ("inf", Some(Value::F64(f64::INFINITY))),
            ("-infinity", Some(Value::F64(f64::NEG_INFINITY))),
            ("InFiNiTy", Some(Value::F64(f64::INFINITY))),
            ("", None),
            ("-", None),
            ("+", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3", None),
            ("0x10", None),
            ("0x1p4", None),
            ("1_000", None),
            ("+NaN", None),
            ("-nan", None),
            ("nana", None),
            ("infinit", None),
            ("1e400", None),
            ("-1e400", None),
            (" 1", None),
            ("1 ", None),
            ("1\r", None),
        ];
        for (text, want) in cases {
            let got = value(text);
            match (got, want) {
                (Some(g), Some(w)) => assert!(g.bit_eq(*w), "{text:?}: {g:?} != {w:?}"),
                (None, None) => {}
                _ => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }
        for nan in ["NaN", "nan", "NAN"] {
            assert!(
                matches!(value(nan), Some(Value::F64(v)) if v.is_nan()),
                "{nan}"
            );
        }
    }

    #[test]
    fn fast_integers_agree_with_the_general_path() {
        let cases = [
            "0 ",
            "42\n",
            "-1",
            "-0 ",
            "1234567890123456789 ",
            "9999999999999999999\n",
            "-9223372036854775808 ",
            "-9999999999999999999 ",
            "12345678901234567890 ",
            "1.5 ",
            "1e3 ",
            "- ",
            "",
            "12a ",
            "+1 ",
        ];
        for case in cases {
            let token = case.trim_end();
            match fast_integer(case.as_bytes()) {
                Some((len, v)) => {
                    assert_eq!(len, token.len(), "{case:?}");
                    assert!(value(token).is_some_and(|w| w.bit_eq(v)), "{case:?}");
                }
                None => assert!(
                    !token.bytes().all(|c| c.is_ascii_digit() || c == b'-')
                        || token.len() > 19
                        || value(token).is_none()
                        || token.starts_with("-9"),
                    "{case:?}"
                ),
            }
        }
    }

    #[test]
    fn rust_float_grammar_is_the_number_grammar() {
        let pieces = [
            "", "+", "-", "0", "7", "12", ".", "e", "E", "+", "-", "5", "inf", "nan", "x", "_", " ",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in ["", "1", "e1", ".5"] {
                        let text = format!("{a}{b}{c}{d}");
                        let by_shape = shape(text.as_bytes()).is_some();
                        let by_rust = float_value(&text).is_some();
                        assert_eq!(by_shape, by_rust, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn float_values_round_trip() {
        let cases = [
            0.1,
            1.0 / 3.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -2.2250738585072014e-308,
            123_456.789,
            1e21,
        ];
        for v in cases {
            for text in [format!("{v:e}"), format!("{v:?}")] {
                assert_eq!(
                    float_value(&text).map(f64::to_bits),
                    Some(v.to_bits()),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn counts() {
        let cases = [
            (Value::U64(3), Some(3)),
            (Value::I64(-3), None),
            (Value::F64(3.0), Some(3)),
            (Value::F64(-0.0), Some(0)),
            (Value::F64(3.5), None),
            (Value::F64(-1.0), None),
            (
                Value::F64(9_007_199_254_740_992.0),
                Some(9_007_199_254_740_992),
            ),
            (Value::F64(9_007_199_254_740_994.0), None),
            (Value::F64(f64::NAN), None),
            (Value::F64(f64::INFINITY), None),
        ];
        for (v, want) in cases {
            assert_eq!(count(v), want, "{v:?}");
        }
    }

    #[test]
    fn text_timestamps() {
        let cases = [
            ("0", Some(0)),
            ("1520879607789", Some(1_520_879_607_789)),
            ("-5", Some(-5)),
            ("+5", Some(5)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("1.5", None),
            ("1e3", None),
            ("", None),
            ("-", None),
            ("++5", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                text_timestamp(text).map(Timestamp::as_millis),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn openmetrics_timestamps() {
        const MS: i128 = 1_000_000;
        let cases: &[(&str, Option<i128>)] = &[
            ("0", Some(0)),
            ("1520879607.789", Some(1_520_879_607_789 * MS)),
            ("1520879607", Some(1_520_879_607_000 * MS)),
            ("1520879607.7", Some(1_520_879_607_700 * MS)),
            ("1520879607.7894", Some(1_520_879_607_789_400_000)),
            ("1520879607.123456789", Some(1_520_879_607_123_456_789)),
            ("1520879607.1234567895", Some(1_520_879_607_123_456_790)),
            ("-1520879607.1234567895", Some(-1_520_879_607_123_456_790)),
            ("0.0000000005", Some(1)),
            ("0.0000000004999", Some(0)),
            ("-0.0000000005", Some(-1)),
            ("-0.0005", Some(-500_000)),
            ("-0.001", Some(-MS)),
            ("-0", Some(0)),
            ("+1.5", Some(1500 * MS)),
            ("1.5e9", Some(1_500_000_000_000 * MS)),
            ("1.520879607789e9", Some(1_520_879_607_789 * MS)),
            ("15208796077.89e-1", Some(1_520_879_607_789 * MS)),
            ("0001.000", Some(1000 * MS)),
            ("000.0001", Some(100_000)),
            (".5", Some(500 * MS)),
            ("5.", Some(5000 * MS)),
            ("1e-100000000", Some(0)),
            ("0e100000000", Some(0)),
            ("9223372036854775.807", Some(i128::from(i64::MAX) * MS)),
            (
                "9223372036854775.8079",
                Some(i128::from(i64::MAX) * MS + 900_000),
            ),
            ("-9223372036854775.808", Some(i128::from(i64::MIN) * MS)),
            ("9223372036854775.808", None),
            ("-9223372036854775.8081", None),
            ("1e100000000", None),
            ("Inf", None),
            ("NaN", None),
            ("1,5", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                openmetrics_timestamp(text).map(Timestamp::as_nanos),
                *want,
                "{text}"
            );
        }
        // Milliseconds round down, as text 0.0.4 writes them.
        for (ns, ms) in [
            (-1, -1),
            (1, 0),
            (999_999, 0),
            (-1_000_000, -1),
            (-1_000_001, -2),
        ] {
            assert_eq!(Timestamp::from_nanos(ns).as_millis(), ms, "{ns}");
        }
    }
}
