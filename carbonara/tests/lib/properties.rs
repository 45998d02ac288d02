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
            let offset = part.serialize_uncompressed(key, &mut raw);
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
