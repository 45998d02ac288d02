//! Time series of `(i64 ns timestamp, f64 value)` points with Gnocchi 4.7.1's
//! semantics: merging with its duplicate rules, rounding to a granularity
//! exactly as Gnocchi does (float artifact included), the bounded raw buffer
//! of a metric (`BoundTimeSerie`) with its `none_v3` serialization, and
//! grouping into buckets. The `carbonara` crate builds the aggregation
//! methods, archive policies and split storage on top of it.
//!
//! ```
//! use timeserie::{BoundTimeSerie, GroupBy, Point};
//!
//! const S: i64 = 1_000_000_000;
//! let t0 = 1_700_000_000 * S;
//! // A buffer of one-minute blocks that keeps only the newest block.
//! let mut buffer = BoundTimeSerie::new(Some(60 * S), 0)?;
//! let batch = [Point::new(t0 + 5 * S, 1.0), Point::new(t0 + 70 * S, 2.0), Point::new(t0 + 75 * S, 4.0)];
//! // The callback sees the merged buffer before old blocks are dropped.
//! let buckets = buffer.set_values_with(&batch, |b| {
//!     b.serie().group_serie(GroupBy::Duration(60 * S), None).map(|g| g.len())
//! })?;
//! assert_eq!(buckets, 2);
//! assert_eq!(buffer.len(), 2); // t0 + 5 s is in an older block
//!
//! let mut stored = Vec::new();
//! buffer.serialize(&mut stored)?;
//! let back = BoundTimeSerie::unserialize(&stored, Some(60 * S), 0)?;
//! assert_eq!(back, buffer);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! * [`TimeSerie`]: sorted points with unique timestamps; [`TimeSerie::set_values`]
//!   merges a batch (a new batch beats stored values, the first occurrence
//!   inside a batch wins).
//! * [`BoundTimeSerie`]: the raw buffer bounded by block size and back window,
//!   with the before-truncate callback and the too-old rule.
//! * [`Grouped`]: buckets by [`GroupBy::Duration`] (epoch-aligned, keyed by
//!   [`round_timestamp`]) or [`GroupBy::Calendar`].
//! * [`compress_block`] / [`decompress_block`]: LZ4 blocks with python-lz4's
//!   size prefix; decoding never allocates what a corrupt header claims.
//! * [`parse_timestamp`] / [`write_timestamp`]: timestamps as Gnocchi's API
//!   takes them (RFC 3339 or epoch seconds) and as RFC 3339 text.
//!
//! # Rounding like Gnocchi
//!
//! ```
//! // 2023-11-14T22:13:59.999999999 is put in the 22:14 bucket, as numpy does.
//! assert_eq!(
//!     timeserie::round_timestamp(1_700_000_039_999_999_999, 60_000_000_000),
//!     1_700_000_040_000_000_000
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! None. LZ4 blocks come from the pure-Rust `lz4_flex`: Gnocchi reads them,
//! and they read Gnocchi's; the compressed bytes may differ from python-lz4's
//! while the payloads are identical.
#![doc(test(attr(deny(warnings))))]

mod bound;
mod error;
mod group;
mod lz4;
mod round;
mod series;
mod time;

pub use bound::{BoundTimeSerie, DEFAULT_MAX_POINTS};
pub use error::Error;
pub use group::{GroupBy, Grouped};
pub use lz4::{
    DEFAULT_MAX_PAYLOAD, MAX_LZ4_RATIO, compress_block, decompress_block, decompress_block_into,
    decompress_block_limited, decompress_block_with,
};
pub use round::{CalendarUnit, ParseCalendarUnitError, round_timestamp};
pub use series::{Point, TimeSerie};
pub use time::{parse_timestamp, write_timestamp};
