//! Invariants: the bound, merge idempotence, serialization round trips.

use proptest::prelude::*;
use timeserie::{BoundTimeSerie, GroupBy, Point, TimeSerie, round_timestamp};

const S: i64 = 1_000_000_000;
const BASE: i64 = 1_700_000_000 * S;

fn batch() -> impl Strategy<Value = Vec<Point>> {
    proptest::collection::vec((0i64..600 * S, -1e6f64..1e6), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(t, x)| Point::new(BASE + t, x))
            .collect()
    })
}

fn sorted(mut b: Vec<Point>) -> Vec<Point> {
    b.sort_by_key(|p| p.timestamp);
    b
}

proptest! {
    #[test]
    fn bound_never_holds_points_older_than_its_bound(
        batches in proptest::collection::vec(batch(), 1..8),
        block in prop_oneof![Just(S), Just(5 * S), Just(60 * S)],
        back_window in 0u64..3,
    ) {
        let mut bound = BoundTimeSerie::new(Some(block), back_window).unwrap();
        for b in batches {
            bound.set_values(&sorted(b));
            if let (Some(fbt), Some(first)) = (bound.first_block_timestamp(), bound.serie().first()) {
                prop_assert!(first >= fbt, "first {} < bound {}", first, fbt);
                let last = bound.serie().last().unwrap();
                prop_assert_eq!(fbt, round_timestamp(last, block) - back_window as i64 * block);
            }
        }
    }

    #[test]
    fn merge_is_idempotent(a in batch(), b in batch()) {
        let mut once = TimeSerie::from_points(&a);
        once.set_values(&b);
        let mut twice = once.clone();
        twice.set_values(&b);
        prop_assert_eq!(&once, &twice);
        let copy = once.clone();
        once.merge(&copy);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn set_values_gives_sorted_unique_and_batch_wins(a in batch(), b in batch()) {
        let mut s = TimeSerie::from_points(&a);
        s.set_values(&b);
        prop_assert!(s.timestamps().windows(2).all(|w| w[0] < w[1]));
        for p in &b {
            let first = b.iter().find(|q| q.timestamp == p.timestamp).unwrap();
            let i = s.timestamps().binary_search(&p.timestamp).unwrap();
            prop_assert_eq!(s.values()[i].to_bits(), first.value.to_bits());
        }
    }

    #[test]
    fn serialize_round_trips(b in batch(), negative in any::<bool>()) {
        let shift = if negative { -BASE - 10 * S } else { 0 };
        let pts: Vec<Point> = b.iter().map(|p| Point::new(p.timestamp + shift, p.value)).collect();
        let bound = BoundTimeSerie::with_serie(TimeSerie::from_points(&pts), Some(S), 1).unwrap();
        let mut out = Vec::new();
        bound.serialize(&mut out).unwrap();
        prop_assert_eq!(BoundTimeSerie::unserialize(&out, Some(S), 1).unwrap(), bound);
    }

    #[test]
    fn buckets_cover_the_series_in_order(b in batch(), g in prop_oneof![Just(S), Just(7 * S), Just(60 * S), Just(1_000_000)]) {
        let s = TimeSerie::from_points(&b);
        let grouped = s.group_serie(GroupBy::Duration(g), None).unwrap();
        let mut next = 0;
        for (key, range) in grouped.buckets() {
            prop_assert_eq!(range.start, next);
            for &t in &s.timestamps()[range.clone()] {
                prop_assert_eq!(round_timestamp(t, g), key);
            }
            next = range.end;
        }
        prop_assert_eq!(next, s.len());
    }
}
