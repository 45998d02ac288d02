//! Point values as text, the way the suite's tools print them.

/// Appends `v` to `out` as a JSON/CSV number: the shortest round-trip digits (`0.5`, `1e-7`,
/// `3.0`), and `NaN`, `Infinity`, `-Infinity` for the non-finite values (the spellings Python's
/// `json` module, and so Gnocchi's API, writes and reads).
///
/// ```
/// let mut s = String::new();
/// for v in [0.5, 3.0, f64::NAN, f64::NEG_INFINITY] {
///     carbonara::write_value(&mut s, v);
///     s.push(' ');
/// }
/// assert_eq!(s, "0.5 3.0 NaN -Infinity ");
/// ```
pub fn write_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        out.push_str(ryu::Buffer::new().format_finite(v));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn values() {
        let cases = [
            (0.0, "0.0"),
            (-1.5, "-1.5"),
            (1e21, "1e21"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            super::write_value(&mut s, v);
            assert_eq!(s, want, "{v}");
        }
    }
}
