//! The metricd roll-up pipeline of one metric, with an in-memory model of
//! Gnocchi's whole-object storage drivers (file, S3, Swift, Redis).

use std::collections::BTreeMap;

use timeserie::{BoundTimeSerie, GroupBy, Point, round_timestamp};

use crate::aggregated::AggregatedTimeSerie;
use crate::error::Error;
use crate::method::{Aggregation, AggregationMethod};
use crate::policy::ArchivePolicy;
use crate::split::SplitKey;

/// One split object written by a processing run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitWrite {
    /// The aggregation the split belongs to.
    pub aggregation: Aggregation,
    /// Its key.
    pub key: SplitKey,
    /// The whole object, compressed (`c` + LZ4) as whole-object drivers
    /// write it.
    pub data: Vec<u8>,
}

/// What one [`Metric::add_measures`] call stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessReport {
    /// Split objects deleted (older than the retention).
    pub deleted: Vec<(Aggregation, SplitKey)>,
    /// Split objects written, in aggregation then key order.
    pub written: Vec<SplitWrite>,
    /// The raw buffer as stored (`none_v3`).
    pub raw: Vec<u8>,
    /// Points of the batch dropped as too old: older than the raw buffer's
    /// first block timestamp before the batch (Gnocchi drops them silently).
    pub too_old: usize,
    /// Index in the batch (as given) of the first point dropped as too old.
    pub first_too_old: Option<usize>,
}

/// A metric under an archive policy: its raw buffer and its stored split
/// objects, updated batch after batch exactly as Gnocchi 4.7.1's
/// `add_measures_to_metrics` does with a whole-object driver.
///
/// ```
/// use carbonara::{ArchivePolicy, Metric};
/// use timeserie::Point;
///
/// const S: i64 = 1_000_000_000;
/// let mut metric = Metric::new(ArchivePolicy::builtin("low").ok_or("no policy")?);
/// let t0 = 1_600_000_000 * S;
/// metric.add_measures(&[Point::new(t0 + 10 * S, 2.0), Point::new(t0, 4.0)])?;
/// let mean = metric.aggregates("mean".parse()?, 300 * S)?;
/// assert_eq!(mean.serie().values(), &[3.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Metric {
    policy: ArchivePolicy,
    aggregations: Vec<Aggregation>,
    block_size: i64,
    back_window: u64,
    raw: Option<BoundTimeSerie>,
    splits: BTreeMap<Aggregation, BTreeMap<i64, Vec<u8>>>,
}

impl Metric {
    /// A metric with no data yet.
    #[must_use]
    pub fn new(policy: ArchivePolicy) -> Self {
        let back_window = policy
            .back_window()
            .saturating_add(u64::from(policy.has_rate()));
        Metric {
            aggregations: policy.aggregations(),
            block_size: policy.max_block_size(),
            back_window,
            policy,
            raw: None,
            splits: BTreeMap::new(),
        }
    }

    /// A metric rebuilt from what a storage driver holds: the raw buffer
    /// (`none_v3`, if any) and the split objects of its aggregations, as a
    /// daemon reloads a metric after a restart. Splits of aggregations the
    /// policy does not have are ignored; split objects are kept as they are
    /// (a corrupt one reads as empty, as in Gnocchi).
    ///
    /// ```
    /// use carbonara::{ArchivePolicy, Metric};
    /// use timeserie::Point;
    ///
    /// const S: i64 = 1_000_000_000;
    /// let policy = ArchivePolicy::builtin("low").ok_or("no policy")?;
    /// let mut metric = Metric::new(policy.clone());
    /// let report = metric.add_measures(&[Point::new(1_600_000_000 * S, 2.0)])?;
    /// let splits = report.written.into_iter().map(|w| (w.aggregation, w.key, w.data));
    /// let again = Metric::restore(policy, Some(&report.raw), splits)?;
    /// let mean = again.aggregates("mean".parse()?, 300 * S)?;
    /// assert_eq!(mean.serie().values(), &[2.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Timeserie`] if `raw` does not decode.
    pub fn restore(
        policy: ArchivePolicy,
        raw: Option<&[u8]>,
        splits: impl IntoIterator<Item = (Aggregation, SplitKey, Vec<u8>)>,
    ) -> Result<Self, Error> {
        let mut metric = Metric::new(policy);
        if let Some(data) = raw {
            metric.raw = Some(BoundTimeSerie::unserialize(
                data,
                Some(metric.block_size),
                metric.back_window,
            )?);
        }
        for (agg, key, data) in splits {
            if metric.aggregations.contains(&agg) {
                metric
                    .splits
                    .entry(agg)
                    .or_default()
                    .insert(key.key(), data);
            }
        }
        Ok(metric)
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &ArchivePolicy {
        &self.policy
    }

    /// The raw buffer (`None` before the first batch).
    #[must_use]
    pub fn bound(&self) -> Option<&BoundTimeSerie> {
        self.raw.as_ref()
    }

    /// Block size of the raw buffer (the largest granularity), in ns.
    #[must_use]
    pub fn block_size(&self) -> i64 {
        self.block_size
    }

    /// Back window of the raw buffer: the policy's, plus one with any
    /// `rate:` method.
    #[must_use]
    pub fn back_window(&self) -> u64 {
        self.back_window
    }

    /// The stored split keys of an aggregation, ascending.
    #[must_use]
    pub fn split_keys(&self, aggregation: &Aggregation) -> Vec<SplitKey> {
        self.splits.get(aggregation).map_or_else(Vec::new, |m| {
            m.keys()
                .map(|&k| SplitKey::new(k, aggregation.granularity))
                .collect()
        })
    }

    /// The stored object of one split, if any.
    #[must_use]
    pub fn split_object(&self, aggregation: &Aggregation, key: SplitKey) -> Option<&[u8]> {
        self.splits
            .get(aggregation)?
            .get(&key.key())
            .map(Vec::as_slice)
    }

    /// The objects Gnocchi's file driver would hold for this metric, as
    /// (path relative to the metric's directory, bytes): the raw buffer
    /// `none_v3` and every split `agg_<method>/<key>_<granularity>_v3`
    /// (key and granularity in seconds as Python prints floats, e.g.
    /// `agg_mean/1451520000.0_60.0_v3`).
    ///
    /// # Errors
    ///
    /// Only if the raw buffer is too large for one LZ4 block.
    pub fn file_objects(&self) -> Result<Vec<(String, Vec<u8>)>, Error> {
        use std::fmt::Write;
        let mut out = Vec::new();
        if let Some(bound) = &self.raw {
            let mut raw = Vec::new();
            bound.serialize(&mut raw)?;
            out.push(("none_v3".to_owned(), raw));
        }
        for (agg, splits) in &self.splits {
            for (&key, data) in splits {
                let mut path = format!(
                    "agg_{}/{}_",
                    agg.method,
                    SplitKey::new(key, agg.granularity)
                );
                // Writing to a String cannot fail.
                let _ = crate::split::write_python_float(&mut path, agg.granularity as f64 / 1e9);
                let _ = write!(path, "_v3");
                out.push((path, data.clone()));
            }
        }
        Ok(out)
    }

    /// Processes one batch of raw measures (any order, duplicates allowed):
    /// sorts it by timestamp then value (so duplicates inside the batch keep
    /// the smallest value, NaN last), feeds the raw buffer, recomputes the
    /// aggregates touched by the batch in the before-truncate callback, and
    /// stores, merges and deletes split objects. Too-old points are dropped
    /// as Gnocchi drops them, and counted in the report
    /// ([`ProcessReport::too_old`]). An empty batch does nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Timeserie`] when the buffer reaches before the epoch.
    pub fn add_measures(&mut self, batch: &[Point]) -> Result<ProcessReport, Error> {
        if batch.is_empty() {
            return Ok(ProcessReport::default());
        }
        let mut measures = batch.to_vec();
        measures.sort_by(|a, b| {
            a.timestamp
                .cmp(&b.timestamp)
                .then_with(|| value_order(a.value, b.value))
        });
        let (mut bound, current_fbt) = match self.raw.take() {
            Some(b) => {
                let fbt = b.first_block_timestamp();
                (b, fbt)
            }
            None => (
                BoundTimeSerie::new(Some(self.block_size), self.back_window)?,
                None,
            ),
        };
        let (too_old, first_too_old) = match current_fbt {
            Some(fbt) => (
                batch.iter().filter(|p| p.timestamp < fbt).count(),
                batch.iter().position(|p| p.timestamp < fbt),
            ),
            None => (0, None),
        };
        let first_measure = measures[0].timestamp;
        let aggregations = &self.aggregations;
        let computed = bound.set_values_with(&measures, |b| -> Result<_, Error> {
            let first = b.serie().first().unwrap_or(first_measure);
            let tstamp = first.max(first_measure);
            let new_fbt = b.first_block_timestamp();
            let mut out = Vec::with_capacity(aggregations.len());
            let mut current: Option<(i64, timeserie::Grouped<'_>)> = None;
            for agg in aggregations {
                let g = agg.granularity;
                if current.as_ref().is_none_or(|c| c.0 != g) {
                    let start = round_timestamp(tstamp, g);
                    current = Some((g, b.serie().group_serie(GroupBy::Duration(g), Some(start))?));
                }
                if let Some((_, grouped)) = &current {
                    out.push(AggregatedTimeSerie::from_grouped(grouped, *agg)?);
                }
            }
            Ok((new_fbt, out))
        });
        let (new_fbt, series) = match computed {
            Ok(v) => v,
            Err(e) => {
                self.raw = Some(bound);
                return Err(e);
            }
        };
        let (deleted, to_store) = self.split_operations(series, current_fbt, new_fbt);
        let mut report = ProcessReport {
            too_old,
            first_too_old,
            ..ProcessReport::default()
        };
        for (agg, key) in deleted {
            if let Some(m) = self.splits.get_mut(&agg) {
                m.remove(&key.key());
            }
            report.deleted.push((agg, key));
        }
        for (agg, key, split) in to_store {
            let stored = self.splits.entry(agg).or_default();
            let mut merged = match stored.get(&key.key()) {
                Some(data) => AggregatedTimeSerie::unserialize(data, key, agg)
                    .unwrap_or_else(|_| AggregatedTimeSerie::new(agg)),
                None => AggregatedTimeSerie::new(agg),
            };
            merged.merge(&split);
            if merged.is_empty() {
                continue;
            }
            let mut data = Vec::new();
            merged.serialize_compressed(key, &mut data)?;
            stored.insert(key.key(), data.clone());
            report.written.push(SplitWrite {
                aggregation: agg,
                key,
                data,
            });
        }
        bound.serialize(&mut report.raw)?;
        self.raw = Some(bound);
        Ok(report)
    }

    /// Gnocchi's `_compute_split_operations` for a whole-object driver.
    #[expect(clippy::type_complexity, reason = "private plumbing")]
    fn split_operations(
        &self,
        mut series: Vec<AggregatedTimeSerie>,
        previous_fbt: Option<i64>,
        fbt: Option<i64>,
    ) -> (
        Vec<(Aggregation, SplitKey)>,
        Vec<(Aggregation, SplitKey, AggregatedTimeSerie)>,
    ) {
        // Gnocchi keys this by granularity: the last aggregation of a
        // granularity sets the cut point for all of them.
        let mut oldest_point: BTreeMap<i64, Option<i64>> = BTreeMap::new();
        let mut needs_listing = Vec::with_capacity(series.len());
        for ts in &mut series {
            let agg = ts.aggregation();
            if ts.is_empty() {
                needs_listing.push(false);
                continue;
            }
            let cut = match agg.timespan {
                Some(t) if t != 0 => ts.truncate_by(t),
                _ => None,
            };
            let mut list = false;
            if let (Some(prev), Some(now)) = (previous_fbt, fbt)
                && prev != 0
                && agg.timespan.is_some_and(|t| t != 0)
            {
                let g = agg.granularity;
                list = SplitKey::from_timestamp_and_sampling(prev, g)
                    != SplitKey::from_timestamp_and_sampling(now, g);
            }
            needs_listing.push(list);
            oldest_point.insert(agg.granularity, cut);
        }
        let mut deleted = Vec::new();
        let mut to_store = Vec::new();
        for (ts, list) in series.iter().zip(needs_listing) {
            if ts.is_empty() {
                continue;
            }
            let agg = ts.aggregation();
            let cut = oldest_point.get(&agg.granularity).copied().flatten();
            let Some(keep) = ts.split_key(cut) else {
                continue;
            };
            if list && agg.timespan.is_some_and(|t| t != 0) {
                for key in self.split_keys(&agg) {
                    if key.key() >= keep.key() {
                        break;
                    }
                    deleted.push((agg, key));
                }
            }
            for (key, split) in ts.split() {
                if key.key() >= keep.key() {
                    to_store.push((agg, key, split));
                }
            }
        }
        (deleted, to_store)
    }

    /// Reads an aggregation back as Gnocchi's `get_aggregated_measures`
    /// with no bounds: glues the stored splits, truncates to the timespan.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchAggregation`] if the policy lacks the method or
    /// granularity.
    pub fn aggregates(
        &self,
        method: AggregationMethod,
        granularity: i64,
    ) -> Result<AggregatedTimeSerie, Error> {
        self.read(method, granularity, None, None, None)
    }

    /// Reads an aggregation back between `from` (rounded down) and `to`
    /// (exclusive), optionally resampled, as `get_aggregated_measures`.
    /// Corrupt split objects read as empty, as in Gnocchi.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchAggregation`] if the policy lacks the method or
    /// granularity; [`Error::Timeserie`] if resampling fails.
    pub fn read(
        &self,
        method: AggregationMethod,
        granularity: i64,
        from: Option<i64>,
        to: Option<i64>,
        resample: Option<i64>,
    ) -> Result<AggregatedTimeSerie, Error> {
        let agg = self
            .policy
            .aggregation(method, granularity)
            .ok_or_else(|| Error::NoSuchAggregation {
                method: method.as_str().to_owned(),
                granularity,
            })?;
        let start = from.map(|f| SplitKey::from_timestamp_and_sampling(f, granularity).key());
        let stop = to.map(|t| SplitKey::from_timestamp_and_sampling(t, granularity).key());
        let parts: Vec<AggregatedTimeSerie> = self
            .splits
            .get(&agg)
            .into_iter()
            .flatten()
            .filter(|(k, _)| start.is_none_or(|s| **k >= s) && stop.is_none_or(|s| **k <= s))
            .map(|(&k, data)| {
                AggregatedTimeSerie::unserialize(data, SplitKey::new(k, granularity), agg)
                    .unwrap_or_else(|_| AggregatedTimeSerie::new(agg))
            })
            .collect();
        let mut ts =
            AggregatedTimeSerie::from_timeseries(agg, parts.iter().map(AggregatedTimeSerie::serie));
        ts.truncate();
        if let Some(sampling) = resample {
            ts = ts.resample(sampling)?;
        }
        Ok(ts.fetch(from, to))
    }
}

/// Value order of the storage layer's sort: ascending, NaN after every
/// number, -0.0 equal to 0.0 (the stable sort keeps their input order).
fn value_order(a: f64, b: f64) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}
