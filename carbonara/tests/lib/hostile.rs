//! Issue 12 in carbonara: memory bounded by input (peak allocation of every
//! decoder on adversarial input, measured per thread by allocation-counter's
//! counting global allocator) and no silent loss (typed errors where data
//! used to be wrapped or truncated away).

use carbonara::{
    ArchivePolicy, ArchivePolicyBuilder, Error, Metric, ObjectFormat, PolicyError, SplitKey,
    parse_timespan, read_object, serialize_uncompressed, unserialize,
};
use timeserie::{BoundTimeSerie, Point, TimeSerie};

#[path = "../../../timeserie/tests/lib/lz4gen.rs"]
mod lz4gen;

const S: i64 = 1_000_000_000;
const KB: u64 = 1 << 10;

/// Runs `f` and returns its result with the most bytes it held at once.
fn peak<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info.bytes_max)
}

#[test]
fn regression_compressed_split_bombs_allocate_nothing() {
    let key = SplitKey::new(0, S);
    // A valid 627 KB LZ4 block decoding to 160 MB, and 4 MB claiming 255x.
    let mut bomb = b"c".to_vec();
    bomb.extend(lz4gen::bound_bomb(10_000_000));
    let mut claim = vec![0u8; 4 << 20];
    claim[0] = b'c';
    claim[1..5].copy_from_slice(&(((4u32 << 20) - 5) * 255).to_le_bytes());
    for (name, data) in [("bomb", bomb), ("255x claim", claim)] {
        let (r, bytes) = peak(|| unserialize(&data, key));
        assert!(
            matches!(r, Err(Error::SplitTooLarge { max: 36_000, .. })),
            "{name}: {r:?}"
        );
        assert!(bytes < 4 * KB, "{name}: {bytes} bytes");
        let (r, bytes) = peak(|| read_object(&data, Some(key), 1 << 20));
        assert!(
            matches!(r, Err(Error::SplitTooLarge { .. })),
            "{name}: {r:?}"
        );
        assert!(bytes < 4 * KB, "{name}: {bytes} bytes");
    }
}

#[test]
fn full_compressed_split_decodes_within_a_fixed_factor() {
    // 3,600 points one slot apart: the largest split.
    let key = SplitKey::new(0, S);
    let serie = TimeSerie::from_points(
        &(0..3600)
            .map(|i| Point::new(i * S, i as f64))
            .collect::<Vec<_>>(),
    );
    let mut object = Vec::new();
    carbonara::serialize_compressed(&serie, key, &mut object).unwrap();
    let (r, bytes) = peak(|| unserialize(&object, key));
    assert_eq!(r.unwrap(), serie);
    // 10 bytes of payload, 16 of series per point.
    assert!(bytes >= 16 * 3600, "{bytes} bytes counted");
    assert!(bytes <= 26 * 3600 + 4 * KB, "{bytes} bytes");
}

#[test]
fn uncompressed_split_decodes_within_twice_its_size() {
    // 4 MB of flagged records: 16 bytes of series per 9-byte record.
    let data: Vec<u8> = (0..466_033u32)
        .flat_map(|i| {
            let mut r = [1u8; 9];
            r[1..].copy_from_slice(&f64::from(i).to_le_bytes());
            r
        })
        .collect();
    let key = SplitKey::new(0, S);
    let (r, bytes) = peak(|| unserialize(&data, key).map(|s| s.len()));
    assert_eq!(r.unwrap(), 466_033);
    assert!(bytes >= data.len() as u64, "{bytes} bytes counted");
    assert!(
        bytes <= 2 * data.len() as u64,
        "{bytes} bytes for {}",
        data.len()
    );
}

#[test]
fn regression_serialize_uncompressed_never_allocates_by_time_span() {
    // Two points 0.1 s apart at 1 ns granularity took 880 MB; wider spans
    // aborted.
    let cases = [
        (SplitKey::new(0, 1), vec![0, S / 10], 0, 100_000_000),
        (SplitKey::new(0, 1), vec![0, i64::MAX], 0, i64::MAX),
        (SplitKey::new(10 * S, S), vec![0, S], -10, -9),
        (SplitKey::new(0, S), vec![3600 * S], 3600, 3600),
    ];
    for (key, ts, first, last) in cases {
        let serie =
            TimeSerie::from_points(&ts.iter().map(|&t| Point::new(t, 1.0)).collect::<Vec<_>>());
        let mut out = Vec::new();
        let (r, bytes) = peak(|| serialize_uncompressed(&serie, key, &mut out));
        assert!(
            matches!(r, Err(Error::SplitSpan { first_slot, last_slot })
                if first_slot == first && last_slot == last),
            "{ts:?}: {r:?}"
        );
        assert!(out.is_empty());
        assert!(bytes < KB, "{ts:?}: {bytes} bytes");
    }
    // The last slot of a split is fine.
    let serie = TimeSerie::from_points(&[Point::new(0, 1.0), Point::new(3599 * S, 2.0)]);
    let mut out = Vec::new();
    assert_eq!(
        serialize_uncompressed(&serie, SplitKey::new(0, S), &mut out).unwrap(),
        0
    );
    assert_eq!(out.len(), 3600 * 9);
}

#[test]
fn regression_truncated_bound_buffer_is_an_error_not_a_split() {
    let serie = TimeSerie::from_points(
        &(0..40)
            .map(|i| Point::new(1_600_000_000 * S + i * S, i as f64))
            .collect::<Vec<_>>(),
    );
    let mut stored = Vec::new();
    BoundTimeSerie::with_serie(serie.clone(), None, 0)
        .unwrap()
        .serialize(&mut stored)
        .unwrap();
    assert_eq!(
        read_object(&stored, None, 1000).unwrap(),
        (ObjectFormat::Bound, serie)
    );
    let key = SplitKey::new(0, S);
    for cut in 1..stored.len() {
        let data = &stored[..stored.len() - cut];
        if data.len() < 4 {
            continue;
        }
        // Every cut is refused: never decoded as an uncompressed split.
        match read_object(data, Some(key), 1000) {
            Err(Error::Timeserie(_)) => {}
            other => panic!("cut by {cut}: {other:?}"),
        }
        assert_ne!(
            ObjectFormat::detect(data),
            Some(ObjectFormat::UncompressedSplit)
        );
    }
}

#[test]
fn read_object_errors_table() {
    type Case = (&'static str, Vec<u8>, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        ("split without key", b"c\0\0\0\0\0".to_vec(), |e| {
            matches!(
                e,
                Error::SplitKeyRequired {
                    format: ObjectFormat::CompressedSplit
                }
            )
        }),
        ("records without key", vec![1; 9], |e| {
            matches!(
                e,
                Error::SplitKeyRequired {
                    format: ObjectFormat::UncompressedSplit
                }
            )
        }),
        ("no format", vec![7, 1, 2], |e| {
            matches!(e, Error::NotAnObject { len: 3 })
        }),
    ];
    for (name, data, ok) in cases {
        let err = read_object(&data, None, 1000).unwrap_err();
        assert!(ok(&err), "{name}: {err:?}");
    }
}

#[test]
fn regression_policy_points_of_2_pow_63_is_an_error() {
    // `points as i64` wrapped negative and truncated all data away.
    for points in [1u64 << 63, u64::MAX] {
        let json = format!(r#"{{"definition": [{{"granularity": 60, "points": {points}}}]}}"#);
        let err = ArchivePolicy::from_rest_json(&json).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidPolicy { reason: PolicyError::TooManyPoints { index: 0, points: p } } if *p == points),
            "{err:?}"
        );
    }
    // The largest accepted: a timespan that saturates, keeping everything.
    let json = format!(
        r#"{{"definition": [{{"granularity": 60, "points": {}}}]}}"#,
        i64::MAX
    );
    let policy = ArchivePolicy::from_rest_json(&json).unwrap();
    assert_eq!(policy.definition()[0].timespan(), Some(i64::MAX));
    let mut metric = Metric::new(policy);
    let t0 = 1_600_000_000 * S;
    metric
        .add_measures(&[Point::new(t0, 1.0), Point::new(t0 + 3600 * S, 2.0)])
        .unwrap();
    let mean = metric.aggregates("mean".parse().unwrap(), 60 * S).unwrap();
    assert_eq!(mean.len(), 2);
}

#[test]
fn regression_back_window_of_2_pow_63_is_an_error() {
    let json = format!(
        r#"{{"back_window": {}, "definition": [{{"granularity": 60, "points": 5}}]}}"#,
        1u64 << 63
    );
    let err = ArchivePolicy::from_rest_json(&json).unwrap_err();
    assert!(
        matches!(err, Error::InvalidPolicy { reason: PolicyError::BackWindow { blocks } } if blocks == 1 << 63),
        "{err:?}"
    );
    let mut b = ArchivePolicyBuilder::new("x");
    b.back_window(u64::MAX).item_ns(Some(S), Some(5), None);
    assert!(b.build().is_err());
}

#[test]
fn regression_parse_timespan_multibyte_after_a_number() {
    // Found by the carbonara_policy fuzz target: slicing the unit at a byte
    // that is not a char boundary panicked.
    for text in ["6\u{40b}", "1 d\u{e9}", "2\u{1f600}s", "3m\u{e9}"] {
        assert_eq!(parse_timespan(text), None, "{text}");
    }
    assert_eq!(parse_timespan("6 days"), Some(6 * 86_400 * S));
}

#[test]
fn regression_too_old_points_are_counted() {
    // Gnocchi drops points older than the raw buffer keeps without a word;
    // the report counts them and names the first.
    let mut metric = Metric::new(ArchivePolicy::builtin("low").unwrap());
    let t0 = 1_600_000_000 * S;
    let day = 86_400 * S;
    let r = metric
        .add_measures(&[Point::new(t0, 1.0), Point::new(t0 + 2 * day, 2.0)])
        .unwrap();
    assert_eq!((r.too_old, r.first_too_old), (0, None));
    let r = metric
        .add_measures(&[
            Point::new(t0 + 2 * day + S, 3.0),
            Point::new(t0, 4.0),
            Point::new(t0 + S, 5.0),
        ])
        .unwrap();
    assert_eq!((r.too_old, r.first_too_old), (2, Some(1)));
}

/// A split of up to 3,600 points of granularity `g`, with its key.
fn split() -> impl proptest::strategy::Strategy<Value = (SplitKey, TimeSerie)> {
    use proptest::prelude::*;
    (
        prop_oneof![Just(1i64), Just(S), Just(60 * S)],
        proptest::collection::btree_map(0i64..3600, any::<f64>(), 0..300),
    )
        .prop_map(|(g, slots)| {
            let key = SplitKey::new(1_451_520_000 * S / (3600 * g) * (3600 * g), g);
            let points: Vec<Point> = slots
                .into_iter()
                .map(|(slot, v)| Point::new(key.key() + slot * g, v))
                .collect();
            (key, TimeSerie::from_points(&points))
        })
}

/// Damages `data`: bytes set, then cut or extended.
fn damage(mut data: Vec<u8>, sets: &[(usize, u8)], cut: Option<usize>, extra: &[u8]) -> Vec<u8> {
    if !data.is_empty() {
        let n = data.len();
        for &(i, v) in sets {
            data[i % n] = v;
        }
    }
    if let Some(c) = cut {
        data.truncate(c % (data.len() + 1));
    }
    data.extend_from_slice(extra);
    data
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_splits_error_or_decode_within_bounds(
        (key, serie) in split(),
        compressed in proptest::prelude::any::<bool>(),
        sets in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..4),
        cut in proptest::option::of(proptest::prelude::any::<usize>()),
        extra in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
    ) {
        let mut object = Vec::new();
        if compressed {
            carbonara::serialize_compressed(&serie, key, &mut object).unwrap();
        } else {
            let offset = serialize_uncompressed(&serie, key, &mut object).unwrap();
            object.splice(0..0, std::iter::repeat_n(0, offset));
        }
        // Unmutated, both formats give the series back.
        proptest::prop_assert_eq!(&unserialize(&object, key).unwrap(), &serie);
        let data = damage(object, &sets, cut, &extra);
        let (r, bytes) = peak(|| unserialize(&data, key));
        if let Ok(s) = &r {
            proptest::prop_assert!(s.timestamps().windows(2).all(|w| w[0] < w[1]));
            if data.first() == Some(&b'c') {
                proptest::prop_assert!(s.len() <= 3600);
            } else {
                proptest::prop_assert!(s.len() <= data.len() / 9);
            }
        }
        // Compressed: 36,000 bytes of payload at most, then 16 per point;
        // uncompressed: 16 bytes per 9-byte record.
        let limit = if data.first() == Some(&b'c') { 36_000 + 16 * 3600 } else { 2 * data.len() as u64 };
        proptest::prop_assert!(bytes <= limit + 4 * KB, "{} bytes from {}", bytes, data.len());
        let (r, bytes) = peak(|| read_object(&data, Some(key), 1 << 20));
        let _ = r;
        proptest::prop_assert!(bytes <= 255 * 2 * data.len() as u64 + limit + 4 * KB);
    }
}
