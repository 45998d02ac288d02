//! Property tests of the carbonara layer.

use carbonara::{AggregatedTimeSerie, Aggregation, Method, SplitKey};
use proptest::prelude::*;
use timeserie::{Point, TimeSerie};

const S: i64 = 1_000_000_000;

fn aggregated() -> impl Strategy<Value = AggregatedTimeSerie> {
    proptest::collection::btree_map(0i64..3600, any::<f64>(), 0..200).prop_map(|m| {
        let key = 1_700_000_000 * S / (3600 * 60 * S) * (3600 * 60 * S);
        let pts: Vec<Point> = m
            .into_iter()
            .map(|(slot, v)| Point::new(key + slot * 60 * S, v))
            .collect();
        AggregatedTimeSerie::from_serie(
            Aggregation::new(Method::Mean.into(), 60 * S, None),
            TimeSerie::from_points(&pts),
        )
    })
}

proptest! {
    #[test]
    fn split_formats_round_trip(a in aggregated()) {
        for (key, part) in a.split() {
            let mut c = Vec::new();
            part.serialize_compressed(key, &mut c).unwrap();
            prop_assert_eq!(carbonara::unserialize(&c, key).unwrap(), part.serie().clone());
            let mut raw = Vec::new();
            let offset = part.serialize_uncompressed(key, &mut raw).unwrap();
            let mut object = vec![0u8; offset];
            object.extend_from_slice(&raw);
            prop_assert_eq!(carbonara::unserialize(&object, key).unwrap(), part.serie().clone());
        }
    }

    #[test]
    fn merge_is_idempotent(a in aggregated(), b in aggregated()) {
        let mut once = a.clone();
        once.merge(&b);
        let mut twice = once.clone();
        twice.merge(&b);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = carbonara::unserialize(&data, SplitKey::new(0, S));
        let mut c = vec![b'c'];
        c.extend_from_slice(&data);
        let _ = carbonara::unserialize(&c, SplitKey::new(0, S));
    }
}

/// Reference model of one bucket, written from the spec (stable sort, NaN
/// last, sequential sums), to check the optimised paths bit for bit.
fn model(values: &[f64], offset: usize, method: &str) -> Option<f64> {
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(b).unwrap(),
    });
    let sum = values.iter().fold(0.0, |s, v| s + v);
    Some(match method {
        "min" => {
            // first smallest non-NaN in series order
            let mut m = f64::NAN;
            for &v in values {
                if m.is_nan() || v < m {
                    m = v;
                }
            }
            m
        }
        "max" => {
            if values.iter().any(|v| v.is_nan()) {
                f64::NAN
            } else {
                let mut m = f64::NEG_INFINITY;
                for &v in values {
                    if v >= m {
                        m = v;
                    }
                }
                m
            }
        }
        "mean" => sum / n as f64,
        "std" => {
            if n < 2 {
                return None;
            }
            let m = sum / n as f64;
            (values.iter().fold(0.0, |s, v| s + (v - m) * (v - m)) / (n - 1) as f64).sqrt()
        }
        "median" => {
            let lo = n - 1 - n / 2;
            let hi = lo + usize::from(n.is_multiple_of(2));
            (sorted[lo] + sorted[hi]) / 2.0
        }
        pct => {
            let q: f64 = pct.trim_end_matches("pct").parse().unwrap();
            let real = offset as f64 + (n - 1) as f64 * (q / 100.0);
            let (f, c) = (real.floor(), real.ceil());
            let (a, b) = (sorted[f as usize - offset], sorted[c as usize - offset]);
            if f == c {
                a
            } else {
                a * (c - real) + b * (real - f)
            }
        }
    })
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        (-5i32..5).prop_map(f64::from),
        -1e3f64..1e3,
    ]
}

proptest! {
    #[test]
    fn optimised_methods_match_the_model(
        lead in proptest::collection::vec(value(), 0..30),
        bucket in proptest::collection::vec(value(), 1..40),
        method in prop_oneof![Just("min"), Just("max"), Just("mean"), Just("std"), Just("median"), Just("1pct"), Just("37pct"), Just("95pct")],
    ) {
        // `lead` fills the bucket before, so percentiles see an offset.
        let mut pts: Vec<Point> = lead.iter().enumerate().map(|(i, &v)| Point::new(i as i64, v)).collect();
        pts.extend(bucket.iter().enumerate().map(|(i, &v)| Point::new(100 + i as i64, v)));
        let serie = TimeSerie::from_points(&pts);
        let agg = Aggregation::new(method.parse().unwrap(), 100, None);
        let out = AggregatedTimeSerie::aggregate(&serie, agg, None).unwrap();
        let got = out.serie().iter().find(|p| p.timestamp == 100).map(|p| p.value);
        let want = model(&bucket, lead.len(), method);
        match (got, want) {
            (Some(g), Some(w)) => prop_assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "{} vs {}", g, w),
            (g, w) => prop_assert_eq!(g.is_some(), w.is_some()),
        }
    }
}
