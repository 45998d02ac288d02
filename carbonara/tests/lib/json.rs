//! Reading the golden vectors: points, values, hex, errors.

use serde_json::Value;
use timeserie::{Point, TimeSerie};

/// A value: a JSON number or `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub(crate) fn value(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a value: {other}")),
    }
}

pub(crate) fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

pub(crate) fn opt_int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

pub(crate) fn points(v: &Value) -> Vec<Point> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a point list: {v}"))
        .iter()
        .map(|p| Point::new(int(&p[0]), value(&p[1])))
        .collect()
}

pub(crate) fn serie(v: &Value) -> TimeSerie {
    let pts = points(v);
    let (ts, vs): (Vec<i64>, Vec<f64>) = pts.iter().map(|p| (p.timestamp, p.value)).unzip();
    TimeSerie::from_sorted(ts, vs).expect("vector points are sorted and unique")
}

pub(crate) fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("not hex: {v}"));
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bit equality, sign of zero included; NaN equals NaN (the vectors do not
/// keep NaN payloads).
pub(crate) fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Compares points by timestamp and value bits; describes the first
/// difference.
pub(crate) fn compare(got: &TimeSerie, want: &[Point]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} points, expected {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g.timestamp != w.timestamp || !same_value(g.value, w.value) {
            return Err(format!(
                "point {i}: got ({}, {:?} {:#018x}), expected ({}, {:?} {:#018x})",
                g.timestamp,
                g.value,
                g.value.to_bits(),
                w.timestamp,
                w.value,
                w.value.to_bits()
            ));
        }
    }
    Ok(())
}
