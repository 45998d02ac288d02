//! Float layouts over shortest round-trip digits.
//!
//! `zmij` (the Żmij algorithm, same digits as `ryu`) gives the shortest digits that parse back to the same `f64`; this module reads the
//! digits and the decimal exponent out of its output and lays them out the way Go's `strconv`
//! `%g`, OpenMetrics' canonical form or Python's `repr` would.

use crate::FloatStyle;
use crate::sink::Out;

/// Shortest decimal digits of a finite, non-zero `f64`: `value = 0.d1d2d3... × 10^(exp + 1)`,
/// that is `exp` is the power of ten of the first digit (`1234.5` → digits `12345`, exp `3`).
struct Decimal {
    digits: [u8; 17],
    len: usize,
    exp: i32,
}

fn decimal(v: f64, digits_buf: &mut zmij::Buffer) -> Decimal {
    // Layouts: `123.45`, `0.00123`, `1e+30`, `1.23e-7` (sign already stripped).
    let s = digits_buf.format_finite(v.abs()).as_bytes();
    let (mantissa, sci_exp) = match s.iter().position(|&b| b == b'e') {
        Some(e) => {
            let mut exp = 0i32;
            let mut neg = false;
            for &b in &s[e + 1..] {
                if b == b'-' {
                    neg = true;
                } else if b != b'+' {
                    exp = exp * 10 + i32::from(b - b'0');
                }
            }
            (&s[..e], Some(if neg { -exp } else { exp }))
        }
        None => (s, None),
    };
    let mut d = Decimal {
        digits: [0; 17],
        len: 0,
        exp: 0,
    };
    // Position of the decimal point relative to the first significant digit.
    let mut seen_nonzero = false;
    let mut int_digits: i32 = 0; // digits before '.', counting from the first significant one
    let mut leading_frac_zeros: i32 = 0;
    let mut in_frac = false;
    for &b in mantissa {
        if b == b'.' {
            in_frac = true;
            continue;
        }
        if !seen_nonzero {
            if b == b'0' {
                if in_frac {
                    leading_frac_zeros += 1;
                }
                continue;
            }
            seen_nonzero = true;
        }
        if !in_frac {
            int_digits += 1;
        }
        if d.len < d.digits.len() {
            d.digits[d.len] = b;
            d.len += 1;
        }
    }
    while d.len > 1 && d.digits[d.len - 1] == b'0' {
        d.len -= 1;
    }
    d.exp = if int_digits > 0 {
        int_digits - 1
    } else {
        -(leading_frac_zeros + 1)
    };
    if let Some(e) = sci_exp {
        // Mantissa is `d.ddd`, so its own exponent is 0.
        d.exp = e;
    }
    d
}

/// Appends `v` in `style` to `out`.
pub(crate) fn write_f64<O: Out>(out: &mut O, v: f64, style: FloatStyle) {
    if v.is_nan() {
        out.put(b"NaN");
        return;
    }
    if v.is_infinite() {
        out.put(if v > 0.0 { b"+Inf" } else { b"-Inf" });
        return;
    }
    let dot_zero = !matches!(style, FloatStyle::Go);
    if v == 0.0 {
        // DIFFERENCE from Go: `-0` keeps its sign so the value round-trips.
        if v.is_sign_negative() {
            out.put_byte(b'-');
        }
        out.put(if dot_zero { b"0.0" } else { b"0" });
        return;
    }
    if write_short_decimal(out, v, style).is_none() {
        write_general(out, v, style);
    }
}

/// Any finite, non-zero `v`, through the shortest digits.
fn write_general<O: Out>(out: &mut O, v: f64, style: FloatStyle) {
    let dot_zero = !matches!(style, FloatStyle::Go);
    let mut buf = zmij::Buffer::new();
    // Fast path: inside these ranges the digit writer's own decimal layout (`123.45`, `0.00123`, `12.0`)
    // is already the target's. The range tests on the value itself are exact: a value below
    // 1e6 cannot have shortest digits that read as 1e6 or more, as they must parse back to it.
    let a = v.abs();
    match style {
        FloatStyle::Python if (1e-4..1e16).contains(&a) => {
            out.put(buf.format_finite(v).as_bytes());
            return;
        }
        FloatStyle::Go | FloatStyle::OpenMetrics if (1e-4..1e6).contains(&a) => {
            let s = buf.format_finite(v).as_bytes();
            match s.strip_suffix(b".0") {
                Some(int) if style == FloatStyle::Go => out.put(int),
                _ => out.put(s),
            }
            return;
        }
        _ => {}
    }
    let d = decimal(v, &mut buf);
    if v < 0.0 {
        out.put_byte(b'-');
    }
    let digits = &d.digits[..d.len];
    let exp_max = match style {
        FloatStyle::Go | FloatStyle::OpenMetrics => 6,
        FloatStyle::Python => 16,
    };
    if d.exp < -4 || d.exp >= exp_max {
        out.put_byte(digits[0]);
        if digits.len() > 1 {
            out.put_byte(b'.');
            out.put(&digits[1..]);
        }
        out.put_byte(b'e');
        out.put_byte(if d.exp < 0 { b'-' } else { b'+' });
        let e = d.exp.unsigned_abs();
        if e < 10 {
            out.put_byte(b'0');
        }
        let mut ib = itoa::Buffer::new();
        out.put(ib.format(e).as_bytes());
    } else if d.exp < 0 {
        out.put(b"0.");
        for _ in 0..(-d.exp - 1) {
            out.put_byte(b'0');
        }
        out.put(digits);
    } else {
        let int_len = usize::try_from(d.exp).unwrap_or(0) + 1;
        if digits.len() > int_len {
            out.put(&digits[..int_len]);
            out.put_byte(b'.');
            out.put(&digits[int_len..]);
        } else {
            out.put(digits);
            for _ in digits.len()..int_len {
                out.put_byte(b'0');
            }
            if dot_zero {
                out.put(b".0");
            }
        }
    }
}

/// Values with at most six decimals (`0.125`, `73100.856`, `42.0`), the common case for
/// metrics, written without the shortest-digits search.
///
/// `n = round(|v| × 10⁶)`; when `n / 10⁶` (both exact in `f64`, so the division is correctly
/// rounded) gives back `|v|`, the decimal `n / 10⁶` parses to `v`. Below 2³² an `f64`'s ulp is
/// under 10⁻⁶, so no other number with six decimals or fewer parses to `v`, and `n / 10⁶`
/// without its trailing zeros is the shortest round-trip form. Only used where the target
/// layout is positional (not exponent form).
#[inline]
fn write_short_decimal<O: Out>(out: &mut O, v: f64, style: FloatStyle) -> Option<()> {
    const SCALE: f64 = 1e6;
    let a = v.abs();
    let upper = match style {
        FloatStyle::Go | FloatStyle::OpenMetrics => 1e6,
        FloatStyle::Python => 4_294_967_296.0,
    };
    if !(1e-4..upper).contains(&a) {
        return None;
    }
    let t = a * SCALE;
    // Signed conversions: one instruction each on x86-64, unlike `u64`'s.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "t is positive and below 2^53 by the range check"
    )]
    let mut n = t as i64;
    #[expect(clippy::cast_precision_loss, reason = "n is below 2^53")]
    if t - n as f64 >= 0.5 {
        n += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "n is below 2^53")]
    if n as f64 / SCALE != a {
        return None;
    }
    let n = n.unsigned_abs();
    let int = n / 1_000_000;
    let frac = n % 1_000_000;
    if v < 0.0 {
        out.put_byte(b'-');
    }
    out.put_u64(int);
    if frac == 0 {
        if style != FloatStyle::Go {
            out.put(b".0");
        }
        return Some(());
    }
    out.put_byte(b'.');
    out.put_fraction6(frac);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: f64, style: FloatStyle) -> String {
        let mut out = Vec::new();
        write_f64(&mut out, v, style);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn layouts() {
        // value, Go, OpenMetrics, Python repr
        let cases: &[(f64, &str, &str, &str)] = &[
            (0.0, "0", "0.0", "0.0"),
            (-0.0, "-0", "-0.0", "-0.0"),
            (1.0, "1", "1.0", "1.0"),
            (-1.0, "-1", "-1.0", "-1.0"),
            (0.1, "0.1", "0.1", "0.1"),
            (0.5, "0.5", "0.5", "0.5"),
            (123.0, "123", "123.0", "123.0"),
            (100000.0, "100000", "100000.0", "100000.0"),
            (1e6, "1e+06", "1e+06", "1000000.0"),
            (1234567.0, "1.234567e+06", "1.234567e+06", "1234567.0"),
            (17560473.0, "1.7560473e+07", "1.7560473e+07", "17560473.0"),
            (1e15, "1e+15", "1e+15", "1000000000000000.0"),
            (1e16, "1e+16", "1e+16", "1e+16"),
            (1.5e16, "1.5e+16", "1.5e+16", "1.5e+16"),
            (1e21, "1e+21", "1e+21", "1e+21"),
            (1e100, "1e+100", "1e+100", "1e+100"),
            (0.0001, "0.0001", "0.0001", "0.0001"),
            (0.00012345, "0.00012345", "0.00012345", "0.00012345"),
            (1e-5, "1e-05", "1e-05", "1e-05"),
            (1.5e-7, "1.5e-07", "1.5e-07", "1.5e-07"),
            (1e-10, "1e-10", "1e-10", "1e-10"),
            (5e-324, "5e-324", "5e-324", "5e-324"),
            (
                f64::MAX,
                "1.7976931348623157e+308",
                "1.7976931348623157e+308",
                "1.7976931348623157e+308",
            ),
            (123456.789, "123456.789", "123456.789", "123456.789"),
            (-2.5, "-2.5", "-2.5", "-2.5"),
            (
                0.1 + 0.2,
                "0.30000000000000004",
                "0.30000000000000004",
                "0.30000000000000004",
            ),
            (
                9007199254740993.0,
                "9.007199254740992e+15",
                "9.007199254740992e+15",
                "9007199254740992.0",
            ),
            (f64::INFINITY, "+Inf", "+Inf", "+Inf"),
            (f64::NEG_INFINITY, "-Inf", "-Inf", "-Inf"),
            (f64::NAN, "NaN", "NaN", "NaN"),
        ];
        for &(v, go, om, py) in cases {
            assert_eq!(fmt(v, FloatStyle::Go), go, "go {v:e}");
            assert_eq!(fmt(v, FloatStyle::OpenMetrics), om, "om {v:e}");
            assert_eq!(fmt(v, FloatStyle::Python), py, "python {v:e}");
        }
    }

    /// The short-decimal path must agree with the general path wherever it applies.
    #[test]
    fn short_decimal_matches_general_path() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let scale = [1.0, 10.0, 1e3, 1e6, 1e8][(i % 5) as usize];
            let v = (x % 10_000_000_000) as f64 / scale * if i % 2 == 0 { 1.0 } else { -1.0 };
            for style in [FloatStyle::Go, FloatStyle::OpenMetrics, FloatStyle::Python] {
                let mut fast = Vec::new();
                if write_short_decimal(&mut fast, v, style).is_some() {
                    let mut slow = Vec::new();
                    write_general(&mut slow, v, style);
                    assert_eq!(fast, slow, "{v:e} {style:?}");
                }
            }
        }
    }

    #[test]
    fn shortest_digits_round_trip() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            for style in [FloatStyle::Go, FloatStyle::OpenMetrics, FloatStyle::Python] {
                let s = fmt(v, style);
                let back: f64 = s
                    .replace("+Inf", "inf")
                    .replace("-Inf", "-inf")
                    .parse()
                    .unwrap();
                if v.is_nan() {
                    assert!(back.is_nan());
                } else {
                    assert_eq!(back.to_bits(), v.to_bits(), "{s}");
                }
            }
        }
    }
}
