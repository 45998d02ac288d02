//! `AggregatedTimeSerie`: the output of one aggregation, with truncation,
//! fetch, resample, merge and splitting into storage chunks.

use timeserie::{GroupBy, Grouped, TimeSerie, round_timestamp};

use crate::aggregate::aggregate;
use crate::error::Error;
use crate::method::Aggregation;
use crate::split::{self, POINTS_PER_SPLIT, SplitKey};

/// A series of aggregates for one [`Aggregation`] (method, granularity,
/// timespan).
#[derive(Debug, Clone, PartialEq)]
pub struct AggregatedTimeSerie {
    aggregation: Aggregation,
    serie: TimeSerie,
}

impl AggregatedTimeSerie {
    /// An empty series for `aggregation`.
    #[must_use]
    pub fn new(aggregation: Aggregation) -> Self {
        AggregatedTimeSerie {
            aggregation,
            serie: TimeSerie::new(),
        }
    }

    /// Wraps already aggregated points.
    #[must_use]
    pub fn from_serie(aggregation: Aggregation, serie: TimeSerie) -> Self {
        AggregatedTimeSerie { aggregation, serie }
    }

    /// Aggregates a grouping with `aggregation.method` (Gnocchi's
    /// `from_grouped_serie`). The grouping's own width is used; the
    /// aggregation's granularity only labels the result.
    ///
    /// # Errors
    ///
    /// [`Error::CalendarRate`] for a `rate:` method on a calendar grouping.
    pub fn from_grouped(grouped: &Grouped<'_>, aggregation: Aggregation) -> Result<Self, Error> {
        Ok(AggregatedTimeSerie {
            aggregation,
            serie: aggregate(grouped, aggregation.method)?,
        })
    }

    /// Groups `serie` from `start` by the aggregation's granularity and
    /// aggregates it.
    ///
    /// # Errors
    ///
    /// [`Error::Timeserie`] (before-epoch series).
    pub fn aggregate(
        serie: &TimeSerie,
        aggregation: Aggregation,
        start: Option<i64>,
    ) -> Result<Self, Error> {
        let grouped = serie.group_serie(GroupBy::Duration(aggregation.granularity), start)?;
        Self::from_grouped(&grouped, aggregation)
    }

    /// What this series aggregates.
    #[must_use]
    pub fn aggregation(&self) -> Aggregation {
        self.aggregation
    }

    /// The aggregated points.
    #[must_use]
    pub fn serie(&self) -> &TimeSerie {
        &self.serie
    }

    /// Takes the points out.
    #[must_use]
    pub fn into_serie(self) -> TimeSerie {
        self.serie
    }

    /// Number of points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.serie.len()
    }

    /// Whether there is no point.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serie.is_empty()
    }

    /// Truncates to the aggregation's timespan (no-op without one): keeps
    /// points strictly after `last - timespan` and returns that cut point.
    /// `None` when empty or without timespan.
    pub fn truncate(&mut self) -> Option<i64> {
        let timespan = self.aggregation.timespan?;
        self.truncate_by(timespan)
    }

    /// Keeps points strictly after `last - timespan`; returns the cut point
    /// (`None` when empty).
    pub fn truncate_by(&mut self, timespan: i64) -> Option<i64> {
        let last = self.serie.last()?;
        let oldest = last.saturating_sub(timespan);
        self.serie.remove_up_to(oldest);
        Some(oldest)
    }

    /// Keeps points strictly after `oldest`; returns it (`None` when empty).
    pub fn truncate_before(&mut self, oldest: i64) -> Option<i64> {
        self.serie.last()?;
        self.serie.remove_up_to(oldest);
        Some(oldest)
    }

    /// The points with `round(from) <= ts < to` (`from` rounded down to the
    /// granularity, `to` exclusive and not rounded).
    #[must_use]
    pub fn fetch(&self, from: Option<i64>, to: Option<i64>) -> Self {
        let from = from.map(|f| round_timestamp(f, self.aggregation.granularity));
        AggregatedTimeSerie {
            aggregation: self.aggregation,
            serie: self.serie.slice(from, to),
        }
    }

    /// Re-aggregates the points into buckets of `sampling` ns with the same
    /// method (a `rate:` method differentiates the aggregates again).
    ///
    /// # Errors
    ///
    /// [`Error::Timeserie`] for a series before the epoch.
    pub fn resample(&self, sampling: i64) -> Result<Self, Error> {
        let aggregation =
            Aggregation::new(self.aggregation.method, sampling, self.aggregation.timespan);
        Self::aggregate(&self.serie, aggregation, None)
    }

    /// Merges `other` into this series; `other` wins on equal timestamps.
    pub fn merge(&mut self, other: &AggregatedTimeSerie) {
        self.serie.merge(&other.serie);
    }

    /// Concatenates series that follow each other (Gnocchi's
    /// `from_timeseries`, used to glue splits back together). Overlapping
    /// inputs are merged instead, later ones winning.
    #[must_use]
    pub fn from_timeseries<'a>(
        aggregation: Aggregation,
        parts: impl IntoIterator<Item = &'a TimeSerie>,
    ) -> Self {
        let mut serie = TimeSerie::new();
        for part in parts {
            if serie.append(part).is_err() {
                serie.merge(part);
            }
        }
        AggregatedTimeSerie { aggregation, serie }
    }

    /// The split key of `ts`, or of the first point when `ts` is `None`
    /// (`None` if the series is empty).
    #[must_use]
    pub fn split_key(&self, ts: Option<i64>) -> Option<SplitKey> {
        let ts = ts.or_else(|| self.serie.first())?;
        Some(SplitKey::from_timestamp_and_sampling(
            ts,
            self.aggregation.granularity,
        ))
    }

    /// Cuts the series into storage chunks of 3,600 granularity steps, in
    /// order.
    #[must_use]
    pub fn split(&self) -> Vec<(SplitKey, AggregatedTimeSerie)> {
        let g = self.aggregation.granularity;
        let freq = g.saturating_mul(POINTS_PER_SPLIT);
        let grouped = Grouped::new(
            self.serie.timestamps(),
            self.serie.values(),
            GroupBy::Duration(freq),
            None,
        );
        let ts = self.serie.timestamps();
        let vs = self.serie.values();
        grouped
            .buckets()
            .map(|(key, range)| {
                let part = TimeSerie::from_sorted(ts[range.clone()].to_vec(), vs[range].to_vec())
                    .unwrap_or_default();
                (
                    SplitKey::new(key, g),
                    AggregatedTimeSerie::from_serie(self.aggregation, part),
                )
            })
            .collect()
    }

    /// Appends the compressed split object for `key` (see
    /// [`serialize_compressed`](crate::serialize_compressed)).
    ///
    /// # Errors
    ///
    /// Only for payloads too large for one LZ4 block.
    pub fn serialize_compressed(&self, key: SplitKey, out: &mut Vec<u8>) -> Result<(), Error> {
        split::serialize_compressed(&self.serie, key, out)
    }

    /// Appends the uncompressed records and returns their byte offset in the
    /// split object (see [`serialize_uncompressed`](crate::serialize_uncompressed)).
    ///
    /// # Errors
    ///
    /// [`Error::SplitSpan`] if the points fall outside the split.
    pub fn serialize_uncompressed(&self, key: SplitKey, out: &mut Vec<u8>) -> Result<usize, Error> {
        split::serialize_uncompressed(&self.serie, key, out)
    }

    /// Reads a split object of either format.
    ///
    /// # Errors
    ///
    /// As [`unserialize`](crate::unserialize).
    pub fn unserialize(
        data: &[u8],
        key: SplitKey,
        aggregation: Aggregation,
    ) -> Result<Self, Error> {
        Ok(AggregatedTimeSerie {
            aggregation,
            serie: split::unserialize(data, key)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::Method;
    use timeserie::Point;

    const S: i64 = 1_000_000_000;

    fn agg(timespan: Option<i64>) -> Aggregation {
        Aggregation::new(Method::Mean.into(), 60 * S, timespan)
    }

    fn serie(n: i64) -> TimeSerie {
        TimeSerie::from_points(
            &(0..n)
                .map(|i| Point::new(i * 60 * S, i as f64))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn truncate_table() {
        // (timespan, kept points, returned)
        let cases = [
            (Some(60 * S), 1, Some(180 * S)),
            (Some(150 * S), 3, Some(90 * S)),
            (Some(10_000 * S), 5, Some(-9_760 * S)),
            (None, 5, None),
        ];
        for (timespan, kept, ret) in cases {
            let mut a = AggregatedTimeSerie::from_serie(agg(timespan), serie(5));
            assert_eq!(a.truncate(), ret);
            assert_eq!(a.len(), kept);
        }
        assert_eq!(AggregatedTimeSerie::new(agg(Some(S))).truncate(), None);
    }

    #[test]
    fn fetch_table() {
        let a = AggregatedTimeSerie::from_serie(agg(None), serie(5));
        let cases = [
            (None, None, 5),
            (Some(61 * S), None, 4),
            (None, Some(120 * S), 2),
            (Some(120 * S), Some(120 * S), 0),
            (Some(119 * S), Some(121 * S), 2),
        ];
        for (from, to, n) in cases {
            assert_eq!(a.fetch(from, to).len(), n, "{from:?} {to:?}");
        }
    }

    #[test]
    fn split_into_chunks() {
        let a = AggregatedTimeSerie::from_serie(
            Aggregation::new(Method::Mean.into(), S, None),
            TimeSerie::from_points(&[
                Point::new(0, 1.0),
                Point::new(3599 * S, 2.0),
                Point::new(3600 * S, 3.0),
            ]),
        );
        let parts = a.split();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0.key(), 0);
        assert_eq!(parts[0].1.len(), 2);
        assert_eq!(parts[1].0.key(), 3600 * S);
        let glued = AggregatedTimeSerie::from_timeseries(
            a.aggregation(),
            parts.iter().map(|p| p.1.serie()),
        );
        assert_eq!(glued, a);
    }
}
