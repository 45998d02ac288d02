//! `TimeSerie`: sorted points with unique timestamps, merged as Gnocchi does.

use crate::error::Error;
use crate::group::{GroupBy, Grouped};

/// One measure: a timestamp in ns since 1970-01-01T00:00Z and a value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// Nanoseconds since the Unix epoch (UTC).
    pub timestamp: i64,
    /// The value; NaN and ±Inf are allowed and flow through.
    pub value: f64,
}

impl Point {
    /// A point from its timestamp (ns) and value.
    #[must_use]
    pub const fn new(timestamp: i64, value: f64) -> Self {
        Point { timestamp, value }
    }
}

/// A series of points sorted by timestamp, with unique timestamps.
///
/// Timestamps and values are kept in two columns. Equality compares values by
/// their bits, so two series with NaN at the same place are equal.
#[derive(Debug, Clone, Default)]
pub struct TimeSerie {
    timestamps: Vec<i64>,
    values: Vec<f64>,
}

impl PartialEq for TimeSerie {
    fn eq(&self, other: &Self) -> bool {
        self.timestamps == other.timestamps
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl TimeSerie {
    /// An empty series.
    #[must_use]
    pub const fn new() -> Self {
        TimeSerie {
            timestamps: Vec::new(),
            values: Vec::new(),
        }
    }

    /// A series built from points in any order: the first occurrence of each
    /// timestamp wins (Gnocchi's `set_values` on an empty series).
    #[must_use]
    pub fn from_points(points: &[Point]) -> Self {
        let mut serie = TimeSerie::new();
        serie.set_values(points);
        serie
    }

    /// A series from two columns that are already sorted with strictly
    /// increasing timestamps.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if the columns differ in length,
    /// [`Error::Unsorted`] if a timestamp is not after its predecessor.
    pub fn from_sorted(timestamps: Vec<i64>, values: Vec<f64>) -> Result<Self, Error> {
        if timestamps.len() != values.len() {
            return Err(Error::LengthMismatch {
                timestamps: timestamps.len(),
                values: values.len(),
            });
        }
        if let Some(index) = timestamps.windows(2).position(|w| w[0] >= w[1]) {
            return Err(Error::Unsorted { index: index + 1 });
        }
        Ok(TimeSerie { timestamps, values })
    }

    /// Builds from columns the caller guarantees sorted, unique and of equal
    /// length (checked in debug builds only).
    pub(crate) fn from_sorted_unchecked(timestamps: Vec<i64>, values: Vec<f64>) -> Self {
        debug_assert_eq!(timestamps.len(), values.len());
        debug_assert!(timestamps.windows(2).all(|w| w[0] < w[1]));
        TimeSerie { timestamps, values }
    }

    /// Number of points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the series holds no point.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// The timestamps column, ascending.
    #[must_use]
    pub fn timestamps(&self) -> &[i64] {
        &self.timestamps
    }

    /// The values column, in timestamp order.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The oldest timestamp, if any.
    #[must_use]
    pub fn first(&self) -> Option<i64> {
        self.timestamps.first().copied()
    }

    /// The newest timestamp, if any.
    #[must_use]
    pub fn last(&self) -> Option<i64> {
        self.timestamps.last().copied()
    }

    /// The points in timestamp order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Point> + '_ {
        self.timestamps
            .iter()
            .zip(&self.values)
            .map(|(&t, &v)| Point::new(t, v))
    }

    /// Takes the two columns out.
    #[must_use]
    pub fn into_parts(self) -> (Vec<i64>, Vec<f64>) {
        (self.timestamps, self.values)
    }

    /// Merges a batch in any order into the series, as Gnocchi's
    /// `TimeSerie.set_values`: a batch value replaces a stored value at the
    /// same timestamp, and inside the batch the **first** occurrence of a
    /// timestamp wins.
    pub fn set_values(&mut self, batch: &[Point]) {
        if batch.is_empty() {
            return;
        }
        let strictly_sorted = batch.windows(2).all(|w| w[0].timestamp < w[1].timestamp);
        if strictly_sorted {
            self.merge_sorted(batch.len(), |i| batch[i].timestamp, |i| batch[i].value);
            return;
        }
        let mut sorted = batch.to_vec();
        // Stable: among equal timestamps the first occurrence stays first.
        sorted.sort_by_key(|p| p.timestamp);
        sorted.dedup_by_key(|p| p.timestamp);
        self.merge_sorted(sorted.len(), |i| sorted[i].timestamp, |i| sorted[i].value);
    }

    /// Merges another series into this one; `other` wins on equal timestamps
    /// (Gnocchi's `TimeSerie.merge`).
    pub fn merge(&mut self, other: &TimeSerie) {
        self.merge_sorted(other.len(), |i| other.timestamps[i], |i| other.values[i]);
    }

    /// Merges `n` new points, sorted and unique, given by accessors; the new
    /// points win on equal timestamps. Only the tail of `self` from the first
    /// new timestamp on is rewritten.
    fn merge_sorted(&mut self, n: usize, ts: impl Fn(usize) -> i64, val: impl Fn(usize) -> f64) {
        if n == 0 {
            return;
        }
        let first_new = ts(0);
        let split = self.timestamps.partition_point(|&t| t < first_new);
        if split == self.timestamps.len() {
            self.timestamps.reserve(n);
            self.values.reserve(n);
            for i in 0..n {
                self.timestamps.push(ts(i));
                self.values.push(val(i));
            }
            return;
        }
        let old_ts = self.timestamps.split_off(split);
        let old_vals = self.values.split_off(split);
        self.timestamps.reserve(old_ts.len() + n);
        self.values.reserve(old_ts.len() + n);
        let (mut i, mut j) = (0, 0);
        while i < old_ts.len() && j < n {
            let (a, b) = (old_ts[i], ts(j));
            if a < b {
                self.timestamps.push(a);
                self.values.push(old_vals[i]);
                i += 1;
            } else {
                self.timestamps.push(b);
                self.values.push(val(j));
                if a == b {
                    i += 1;
                }
                j += 1;
            }
        }
        self.timestamps.extend_from_slice(&old_ts[i..]);
        self.values.extend_from_slice(&old_vals[i..]);
        for k in j..n {
            self.timestamps.push(ts(k));
            self.values.push(val(k));
        }
    }

    /// Drops every point with timestamp `< oldest`.
    pub fn remove_before(&mut self, oldest: i64) {
        let idx = self.timestamps.partition_point(|&t| t < oldest);
        self.drain_front(idx);
    }

    /// Drops every point with timestamp `<= oldest`.
    pub fn remove_up_to(&mut self, oldest: i64) {
        let idx = self.timestamps.partition_point(|&t| t <= oldest);
        self.drain_front(idx);
    }

    fn drain_front(&mut self, idx: usize) {
        if idx > 0 {
            self.timestamps.drain(..idx);
            self.values.drain(..idx);
        }
    }

    /// The points with `from <= timestamp < to` (either bound optional).
    #[must_use]
    pub fn slice(&self, from: Option<i64>, to: Option<i64>) -> TimeSerie {
        let lo = from.map_or(0, |f| self.timestamps.partition_point(|&t| t < f));
        let hi = to.map_or(self.len(), |t0| {
            self.timestamps.partition_point(|&t| t < t0)
        });
        let hi = hi.max(lo);
        TimeSerie {
            timestamps: self.timestamps[lo..hi].to_vec(),
            values: self.values[lo..hi].to_vec(),
        }
    }

    /// Appends series that follow each other: the caller guarantees that
    /// every timestamp of `other` is after `self`'s last one (Gnocchi's
    /// `from_timeseries` concatenation).
    ///
    /// # Errors
    ///
    /// [`Error::Unsorted`] if `other` starts at or before `self`'s last
    /// timestamp; `self` is then unchanged.
    pub fn append(&mut self, other: &TimeSerie) -> Result<(), Error> {
        if let (Some(last), Some(first)) = (self.last(), other.first())
            && first <= last
        {
            return Err(Error::Unsorted { index: self.len() });
        }
        self.timestamps.extend_from_slice(&other.timestamps);
        self.values.extend_from_slice(&other.values);
        Ok(())
    }

    /// Groups the points with timestamp `>= start` (all if `None`) into
    /// buckets (Gnocchi's `group_serie`).
    ///
    /// # Errors
    ///
    /// [`Error::BeforeEpoch`] if the series is non-empty and its first
    /// timestamp is before 1970-01-01.
    pub fn group_serie(&self, by: GroupBy, start: Option<i64>) -> Result<Grouped<'_>, Error> {
        if let Some(first) = self.first()
            && first < 0
        {
            return Err(Error::BeforeEpoch { timestamp: first });
        }
        Ok(Grouped::new(&self.timestamps, &self.values, by, start))
    }
}

impl FromIterator<Point> for TimeSerie {
    fn from_iter<I: IntoIterator<Item = Point>>(iter: I) -> Self {
        let points: Vec<Point> = iter.into_iter().collect();
        TimeSerie::from_points(&points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(i64, f64)]) -> Vec<Point> {
        v.iter().map(|&(t, x)| Point::new(t, x)).collect()
    }

    #[test]
    fn set_values_table() {
        // (batches, expected after all)
        type Case = (Vec<Vec<(i64, f64)>>, Vec<(i64, f64)>);
        let cases: Vec<Case> = vec![
            (
                vec![vec![(3, 1.0), (1, 2.0), (3, 9.0), (2, 0.5)]],
                vec![(1, 2.0), (2, 0.5), (3, 1.0)],
            ),
            (
                vec![vec![(1, 1.0), (2, 2.0)], vec![(2, 5.0), (3, 3.0)]],
                vec![(1, 1.0), (2, 5.0), (3, 3.0)],
            ),
            (
                vec![vec![(5, 1.0), (6, 2.0)], vec![(1, 7.0), (6, 8.0), (9, 9.0)]],
                vec![(1, 7.0), (5, 1.0), (6, 8.0), (9, 9.0)],
            ),
            (vec![vec![], vec![(1, 1.0)]], vec![(1, 1.0)]),
        ];
        for (batches, want) in cases {
            let mut s = TimeSerie::new();
            for b in &batches {
                s.set_values(&pts(b));
            }
            assert_eq!(s, TimeSerie::from_points(&pts(&want)), "{batches:?}");
        }
    }

    #[test]
    fn from_sorted_errors() {
        assert!(matches!(
            TimeSerie::from_sorted(vec![1, 2], vec![1.0]),
            Err(Error::LengthMismatch {
                timestamps: 2,
                values: 1
            })
        ));
        assert!(matches!(
            TimeSerie::from_sorted(vec![1, 3, 3], vec![1.0; 3]),
            Err(Error::Unsorted { index: 2 })
        ));
    }

    #[test]
    fn slice_and_remove() {
        let s = TimeSerie::from_points(&pts(&[(1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0)]));
        let cases = [
            (None, None, vec![1, 2, 3, 4]),
            (Some(2), None, vec![2, 3, 4]),
            (None, Some(3), vec![1, 2]),
            (Some(3), Some(3), vec![]),
            (Some(4), Some(2), vec![]),
        ];
        for (from, to, want) in cases {
            assert_eq!(s.slice(from, to).timestamps(), &want[..], "{from:?} {to:?}");
        }
        let mut r = s.clone();
        r.remove_before(3);
        assert_eq!(r.timestamps(), &[3, 4]);
        r.remove_up_to(3);
        assert_eq!(r.timestamps(), &[4]);
    }

    #[test]
    fn group_before_epoch_is_an_error() {
        let s = TimeSerie::from_points(&pts(&[(-1, 1.0)]));
        assert!(matches!(
            s.group_serie(GroupBy::Duration(10), None),
            Err(Error::BeforeEpoch { timestamp: -1 })
        ));
    }
}
