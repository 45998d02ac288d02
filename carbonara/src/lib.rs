//! Gnocchi 4.7.1's carbonara roll-up engine, bit-exact: aggregation methods
//! (mean, sum, min, max, count, first, last, std, median, `Npct`,
//! `rate:<method>`) with Gnocchi's NaN and float behaviour, aggregated series
//! with truncation, fetch, resample and merge, the split storage formats
//! Gnocchi reads and writes, archive policies and rules, and the metricd
//! pipeline as a library call. It builds on the `timeserie` crate (points,
//! bounded raw buffer, grouping).
//!
//! ```
//! use carbonara::{ArchivePolicy, Metric};
//! use timeserie::Point;
//!
//! const S: i64 = 1_000_000_000;
//! let policy = ArchivePolicy::builtin("medium").ok_or("no such policy")?;
//! let mut metric = Metric::new(policy);
//! let t0 = 1_599_999_960 * S; // 2020-09-13T12:26:00Z
//! // Unsorted, with a duplicate: the smallest value of a batch wins.
//! let report = metric.add_measures(&[
//!     Point::new(t0 + 90 * S, 3.0),
//!     Point::new(t0, 1.0),
//!     Point::new(t0 + 30 * S, 2.0),
//!     Point::new(t0 + 90 * S, 5.0),
//! ])?;
//! assert_eq!(report.written.len(), 12); // 6 methods x 2 granularities
//! let mean = metric.aggregates("mean".parse()?, 60 * S)?;
//! let points: Vec<(i64, f64)> = mean.serie().iter().map(|p| (p.timestamp, p.value)).collect();
//! assert_eq!(points, [(t0, 1.5), (t0 + 60 * S, 3.0)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! * [`AggregationMethod`] / [`Method`]: the method vocabulary (216 names).
//! * [`AggregatedTimeSerie`]: one aggregation's points; [`aggregate`] applies
//!   a method to a [`timeserie::Grouped`].
//! * [`SplitKey`], [`serialize_compressed`], [`serialize_uncompressed`],
//!   [`unserialize`]: storage chunks of 3,600 points and their formats.
//! * [`ArchivePolicy`] / [`ArchivePolicyBuilder`] / [`ArchivePolicyRule`]:
//!   policies with Gnocchi's arithmetic, built-ins and rules.
//! * [`Metric`]: the roll-up pipeline of one metric.
//! * [`MeasureReader`]: raw measures as `timestamp,value` lines.
//!
//! # Aggregating a series directly
//!
//! ```
//! use carbonara::{Aggregation, AggregatedTimeSerie};
//! use timeserie::{Point, TimeSerie};
//!
//! const S: i64 = 1_000_000_000;
//! let serie = TimeSerie::from_points(&[Point::new(0, 1.0), Point::new(S, 2.0), Point::new(60 * S, 7.0)]);
//! let p95 = Aggregation::new("95pct".parse()?, 60 * S, None);
//! let out = AggregatedTimeSerie::aggregate(&serie, p95, None)?;
//! assert_eq!(out.serie().values(), &[1.95, 7.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! None.
#![doc(test(attr(deny(warnings))))]

mod aggregate;
mod aggregated;
mod error;
mod measures;
mod method;
mod pipeline;
mod policy;
mod split;
mod text;

pub use aggregate::aggregate;
pub use aggregated::AggregatedTimeSerie;
pub use error::{Error, PolicyError};
pub use measures::{
    Excerpt, MAX_MEASURE_LINE, MeasureError, MeasureLine, MeasureReader, parse_measure_line,
};
pub use method::{Aggregation, AggregationMethod, Method, Percent};
pub use pipeline::{Metric, ProcessReport, SplitWrite};
pub use policy::{
    ArchivePolicy, ArchivePolicyBuilder, ArchivePolicyItem, ArchivePolicyRule,
    DEFAULT_AGGREGATION_METHODS, match_archive_policy_rule, parse_timespan,
    resolve_aggregation_methods, seconds_to_ns,
};
pub use split::{
    ObjectFormat, POINTS_PER_SPLIT, SplitKey, UNCOMPRESSED_RECORD_LEN, read_object,
    serialize_compressed, serialize_uncompressed, unserialize,
};
pub use text::write_value;
