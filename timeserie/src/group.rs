//! Grouping a sorted series into buckets by granularity or calendar unit.

use std::cell::OnceCell;
use std::ops::Range;

use crate::round::{CalendarUnit, round_timestamp};

/// How points are put into buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// Epoch-aligned buckets of this many ns, keyed by [`round_timestamp`].
    Duration(i64),
    /// Calendar periods (UTC).
    Calendar(CalendarUnit),
}

impl GroupBy {
    /// The bucket key of a timestamp.
    #[inline]
    #[must_use]
    pub fn key(self, ts: i64) -> i64 {
        match self {
            GroupBy::Duration(g) => round_timestamp(ts, g),
            GroupBy::Calendar(unit) => unit.key(ts),
        }
    }
}

/// A series cut into buckets: for each distinct key (ascending) the run of
/// points whose timestamps have that key. Empty buckets do not exist.
///
/// Built by [`TimeSerie::group_serie`](crate::TimeSerie::group_serie) or
/// [`Grouped::new`]. It borrows the points; `derive_source` keeps what rate
/// computations need: the points from one granularity before `start` on.
#[derive(Debug, Clone)]
pub struct Grouped<'a> {
    by: GroupBy,
    start: Option<i64>,
    timestamps: &'a [i64],
    values: &'a [f64],
    derive_timestamps: &'a [i64],
    derive_values: &'a [f64],
    keys: Vec<i64>,
    ends: Vec<usize>,
    sums: OnceCell<Vec<f64>>,
}

impl<'a> Grouped<'a> {
    /// Groups sorted, unique columns; points before `start` are left out
    /// (`start` need not be aligned). No epoch check is made here.
    ///
    /// The columns must have equal lengths; extra values are ignored.
    #[must_use]
    pub fn new(timestamps: &'a [i64], values: &'a [f64], by: GroupBy, start: Option<i64>) -> Self {
        let n = timestamps.len().min(values.len());
        let (timestamps, values) = (&timestamps[..n], &values[..n]);
        let (lo, derive_lo) = match start {
            None => (0, 0),
            Some(s) => {
                let lo = timestamps.partition_point(|&t| t < s);
                let derive_lo = match by {
                    GroupBy::Duration(g) => {
                        let ds = s.saturating_sub(g);
                        timestamps.partition_point(|&t| t < ds)
                    }
                    GroupBy::Calendar(_) => lo,
                };
                (lo, derive_lo)
            }
        };
        let ts = &timestamps[lo..];
        let (keys, ends) = bucket(ts, by);
        Grouped {
            by,
            start,
            timestamps: ts,
            values: &values[lo..],
            derive_timestamps: &timestamps[derive_lo..],
            derive_values: &values[derive_lo..],
            keys,
            ends,
            sums: OnceCell::new(),
        }
    }

    /// How the buckets were made.
    #[must_use]
    pub fn by(&self) -> GroupBy {
        self.by
    }

    /// The `start` the grouping was made with.
    #[must_use]
    pub fn start(&self) -> Option<i64> {
        self.start
    }

    /// Number of buckets.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no bucket.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Bucket keys, ascending.
    #[must_use]
    pub fn keys(&self) -> &[i64] {
        &self.keys
    }

    /// End offset (exclusive) of each bucket in [`Grouped::values`].
    #[must_use]
    pub fn ends(&self) -> &[usize] {
        &self.ends
    }

    /// The grouped timestamps (those `>= start`).
    #[must_use]
    pub fn timestamps(&self) -> &'a [i64] {
        self.timestamps
    }

    /// The grouped values (those of points `>= start`).
    #[must_use]
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// The points from `start - granularity` on (all points without a
    /// start), from which Gnocchi builds `rate:` differences. `None` for a
    /// calendar grouping, which cannot be derived.
    #[must_use]
    pub fn derive_source(&self) -> Option<(&'a [i64], &'a [f64])> {
        match self.by {
            GroupBy::Duration(_) => Some((self.derive_timestamps, self.derive_values)),
            GroupBy::Calendar(_) => None,
        }
    }

    /// The sum of each bucket, computed once and shared by every method
    /// that needs it: 0.0 plus each value in series order (numpy's
    /// `bincount` with weights, bit for bit; no reassociation).
    #[must_use]
    pub fn bucket_sums(&self) -> &[f64] {
        self.sums.get_or_init(|| {
            let mut start = 0;
            self.ends
                .iter()
                .map(|&end| {
                    let mut s = 0.0;
                    for &v in &self.values[start..end] {
                        s += v;
                    }
                    start = end;
                    s
                })
                .collect()
        })
    }

    /// The buckets as (key, index range into [`Grouped::values`]).
    pub fn buckets(&self) -> impl ExactSizeIterator<Item = (i64, Range<usize>)> + '_ {
        self.keys.iter().enumerate().map(|(i, &k)| {
            let lo = if i == 0 { 0 } else { self.ends[i - 1] };
            (k, lo..self.ends[i])
        })
    }
}

/// Splits sorted timestamps into runs of equal keys.
///
/// Keys are monotone in the timestamp (every step of the rounding is), so the
/// end of a bucket is found by a galloping search for `key + g` on the raw
/// timestamps, then corrected by evaluating the key on both sides: the float
/// rounding moves boundaries by at most a few hundred ns.
fn bucket(ts: &[i64], by: GroupBy) -> (Vec<i64>, Vec<usize>) {
    let n = ts.len();
    let mut keys = Vec::new();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < n {
        let k = by.key(ts[i]);
        let mut j = i + 1;
        match by {
            GroupBy::Duration(g) => {
                let bound = k.saturating_add(g);
                j = gallop(ts, j, bound);
                while j > i + 1 && by.key(ts[j - 1]) != k {
                    j -= 1;
                }
                while j < n && by.key(ts[j]) == k {
                    j += 1;
                }
            }
            GroupBy::Calendar(_) => {
                while j < n && by.key(ts[j]) == k {
                    j += 1;
                }
            }
        }
        keys.push(k);
        ends.push(j);
        i = j;
    }
    (keys, ends)
}

/// First index `>= from` whose timestamp is `>= bound` (or `ts.len()`).
#[inline]
fn gallop(ts: &[i64], from: usize, bound: i64) -> usize {
    let n = ts.len();
    if from >= n || ts[from] >= bound {
        return from;
    }
    // ts[lo] < bound
    let mut lo = from;
    let mut step = 1;
    let mut hi = loop {
        let probe = lo + step;
        if probe >= n {
            break n;
        }
        if ts[probe] >= bound {
            break probe;
        }
        lo = probe;
        step *= 2;
    };
    // ts[lo] < bound <= ts[hi] (or hi == n)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ts[mid] < bound {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(ts: &[i64], by: GroupBy) -> (Vec<i64>, Vec<usize>) {
        let mut keys: Vec<i64> = Vec::new();
        let mut ends = Vec::new();
        for (i, &t) in ts.iter().enumerate() {
            let k = by.key(t);
            if keys.last() == Some(&k) {
                *ends.last_mut().unwrap() = i + 1;
            } else {
                keys.push(k);
                ends.push(i + 1);
            }
        }
        (keys, ends)
    }

    #[test]
    fn bucket_matches_naive_table() {
        let s = 1_000_000_000i64;
        let base = 1_700_000_000 * s;
        let cases: Vec<(Vec<i64>, GroupBy)> = vec![
            (
                (0..200).map(|i| base + i * s).collect(),
                GroupBy::Duration(60 * s),
            ),
            (
                (0..200).map(|i| base + i * s).collect(),
                GroupBy::Duration(s),
            ),
            (
                (0..200).map(|i| base + i * 7 * s + i % 3).collect(),
                GroupBy::Duration(5 * s),
            ),
            // points a few ns before boundaries (float artifact)
            (
                (0..100).map(|i| base + 60 * s * i - 1 + i % 2).collect(),
                GroupBy::Duration(60 * s),
            ),
            (
                (0..100).map(|i| i * 86_400 * s * 9).collect(),
                GroupBy::Calendar(CalendarUnit::Month),
            ),
            (vec![], GroupBy::Duration(s)),
        ];
        for (ts, by) in cases {
            assert_eq!(bucket(&ts, by), naive(&ts, by), "{by:?}");
        }
    }

    #[test]
    fn start_and_derive_source() {
        let ts = [0, 10, 20, 30, 40];
        let vs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let g = Grouped::new(&ts, &vs, GroupBy::Duration(10), Some(25));
        assert_eq!(g.timestamps(), &[30, 40]);
        assert_eq!(g.keys(), &[30, 40]);
        assert_eq!(g.derive_source().unwrap().0, &[20, 30, 40]);
        let cal = Grouped::new(&ts, &vs, GroupBy::Calendar(CalendarUnit::Year), None);
        assert!(cal.derive_source().is_none());
        assert_eq!(cal.buckets().collect::<Vec<_>>(), vec![(0, 0..5)]);
    }
}
