//! Small vocabulary types: metric types, formats, float layouts, values, timestamps.

use std::fmt;
use std::str::FromStr;

use crate::{Error, EscapingScheme};

/// The type of a metric family, as written on its `# TYPE` line.
///
/// The text format 0.0.4 calls the untyped kind `untyped`, OpenMetrics calls it `unknown`; both
/// map to [`MetricType::Untyped`].
///
/// OpenMetrics has three types the text format 0.0.4 does not. Written as text they become
/// what Prometheus' Python client (`prometheus_client.exposition.generate_latest`) makes of
/// them, so a text scrape of the same exposition gives the same series:
///
/// | type | OpenMetrics | text 0.0.4 |
/// |---|---|---|
/// | [`StateSet`](MetricType::StateSet) | `# TYPE x stateset`, samples `x{x="state"} 1` | `# TYPE x gauge`, the same samples |
/// | [`Info`](MetricType::Info) | `# TYPE x info`, samples `x_info{...} 1` | `# TYPE x_info gauge`, the same samples |
/// | [`GaugeHistogram`](MetricType::GaugeHistogram) | `# TYPE x gaugehistogram`, `x_bucket`, `x_gcount`, `x_gsum` | `# TYPE x histogram`, the same samples |
///
/// (Go's client has none of the three.) The text parser never returns them: text has no way to
/// say them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MetricType {
    /// A monotonically increasing value (`counter`).
    Counter,
    /// A value that can go up and down (`gauge`).
    Gauge,
    /// A value of unknown kind (`untyped` in 0.0.4, `unknown` in OpenMetrics).
    #[default]
    Untyped,
    /// Cumulative buckets with `_bucket{le}`, `_sum` and `_count` samples (`histogram`).
    Histogram,
    /// Quantiles with `_sum` and `_count` samples (`summary`).
    Summary,
    /// OpenMetrics `stateset`: one sample per state, labelled with the family name, value 1
    /// when the state is true and 0 when not.
    StateSet,
    /// OpenMetrics `info`: a `_info` sample with value 1 whose labels are the information.
    Info,
    /// OpenMetrics `gaugehistogram`: buckets that are gauges, with `_gcount` and `_gsum`.
    GaugeHistogram,
}

impl MetricType {
    /// The keyword written on an OpenMetrics `# TYPE` line, except `untyped` for
    /// [`MetricType::Untyped`] (see [`MetricType::as_openmetrics_str`]).
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Untyped => "untyped",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::StateSet => "stateset",
            MetricType::Info => "info",
            MetricType::GaugeHistogram => "gaugehistogram",
        }
    }

    /// The keyword written on an OpenMetrics `# TYPE` line (`unknown` instead of `untyped`).
    pub const fn as_openmetrics_str(self) -> &'static str {
        match self {
            MetricType::Untyped => "unknown",
            other => other.as_str(),
        }
    }

    /// The keyword written on a 0.0.4 `# TYPE` line: the OpenMetrics-only types map as the
    /// table above says.
    pub const fn as_text_str(self) -> &'static str {
        match self {
            MetricType::StateSet | MetricType::Info => "gauge",
            MetricType::GaugeHistogram => "histogram",
            other => other.as_str(),
        }
    }

    /// The keyword for `format`.
    pub const fn keyword(self, format: Format) -> &'static str {
        match format {
            Format::Text => self.as_text_str(),
            Format::OpenMetrics => self.as_openmetrics_str(),
        }
    }

    /// Whether a single sample carries the value (counter, gauge, untyped, stateset, info).
    pub const fn is_scalar(self) -> bool {
        matches!(
            self,
            MetricType::Counter
                | MetricType::Gauge
                | MetricType::Untyped
                | MetricType::StateSet
                | MetricType::Info
        )
    }

    /// Whether the value is a [`Histogram`](crate::Histogram) (histogram, gaugehistogram).
    pub const fn is_histogram(self) -> bool {
        matches!(self, MetricType::Histogram | MetricType::GaugeHistogram)
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MetricType {
    type Err = Error;

    /// Parses a `# TYPE` keyword of either format (`untyped` and `unknown` both give
    /// [`MetricType::Untyped`]), OpenMetrics' `stateset`, `info` and `gaugehistogram`
    /// included.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "untyped" | "unknown" => MetricType::Untyped,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "stateset" => MetricType::StateSet,
            "info" => MetricType::Info,
            "gaugehistogram" => MetricType::GaugeHistogram,
            _ => {
                return Err(Error::UnknownMetricType { keyword: s.into() });
            }
        })
    }
}

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Text,
    /// OpenMetrics text, version 1.0.0.
    OpenMetrics,
}

impl Format {
    /// The exact `Content-Type` header value to send with a body in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The `Content-Type` header value with the `escaping` parameter Prometheus 3's Go
    /// libraries add (`text/plain; version=0.0.4; charset=utf-8; escaping=underscores`).
    pub const fn content_type_escaped(self, escaping: EscapingScheme) -> &'static str {
        use EscapingScheme::*;
        match (self, escaping) {
            (Format::Text, AllowUtf8) => {
                "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"
            }
            (Format::Text, Underscores) => {
                "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
            }
            (Format::Text, Dots) => "text/plain; version=0.0.4; charset=utf-8; escaping=dots",
            (Format::Text, Values) => "text/plain; version=0.0.4; charset=utf-8; escaping=values",
            (Format::OpenMetrics, AllowUtf8) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
            }
            (Format::OpenMetrics, Underscores) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
            }
            (Format::OpenMetrics, Dots) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots"
            }
            (Format::OpenMetrics, Values) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values"
            }
        }
    }

    /// A short name: `text` or `openmetrics`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::OpenMetrics => "openmetrics",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses `text` or `openmetrics`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "text" => Ok(Format::Text),
            "openmetrics" => Ok(Format::OpenMetrics),
            _ => Err(Error::UnknownFormat { name: s.into() }),
        }
    }
}

/// How floating-point values are laid out. All three use the same shortest round-trip digits.
///
/// | value | `Go` | `OpenMetrics` | `Python` |
/// |---|---|---|---|
/// | 1 | `1` | `1.0` | `1.0` |
/// | 0.5 | `0.5` | `0.5` | `0.5` |
/// | 1e6 | `1e+06` | `1e+06` | `1000000.0` |
/// | 1234567 | `1.234567e+06` | `1.234567e+06` | `1234567.0` |
/// | 1e16 | `1e+16` | `1e+16` | `1e+16` |
/// | 1e-5 | `1e-05` | `1e-05` | `1e-05` |
/// | ∞, -∞, NaN | `+Inf`, `-Inf`, `NaN` | same | same |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FloatStyle {
    /// Go's `expfmt` (`strconv` `%g` with shortest digits): exponent form when the decimal
    /// exponent is below -4 or at least 6.
    #[default]
    Go,
    /// OpenMetrics canonical: as [`FloatStyle::Go`], plus `.0` on values written without a
    /// `.` or an exponent.
    OpenMetrics,
    /// ceph-mgr's prometheus module (Python `repr(float)`): always a `.0` or a fraction,
    /// exponent form when the decimal exponent is below -4 or at least 16.
    Python,
}

impl FloatStyle {
    /// A short name: `go`, `openmetrics` or `mgr`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FloatStyle::Go => "go",
            FloatStyle::OpenMetrics => "openmetrics",
            FloatStyle::Python => "mgr",
        }
    }
}

impl fmt::Display for FloatStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FloatStyle {
    type Err = Error;

    /// Parses `go`, `openmetrics`, or `mgr` (also `python`).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "go" => Ok(FloatStyle::Go),
            "openmetrics" => Ok(FloatStyle::OpenMetrics),
            "mgr" | "python" => Ok(FloatStyle::Python),
            _ => Err(Error::UnknownFloatStyle { name: s.into() }),
        }
    }
}

/// A sample value: a float, or an integer written exactly (never through `f64`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A floating-point value, written with the encoder's [`FloatStyle`].
    F64(f64),
    /// An unsigned integer, written with its exact digits.
    U64(u64),
    /// A signed integer, written with its exact digits.
    I64(i64),
}

impl Value {
    /// The value as an `f64` (integers beyond 2^53 round).
    #[expect(
        clippy::cast_precision_loss,
        reason = "documented: integers beyond 2^53 round"
    )]
    pub fn as_f64(self) -> f64 {
        match self {
            Value::F64(v) => v,
            Value::U64(v) => v as f64,
            Value::I64(v) => v as f64,
        }
    }

    /// Whether two values are identical: same variant and, for floats, the same bits (so
    /// `NaN` equals the same `NaN` and `0.0` differs from `-0.0`).
    pub fn bit_eq(self, other: Value) -> bool {
        match (self, other) {
            (Value::F64(a), Value::F64(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

impl Default for Value {
    fn default() -> Self {
        Value::F64(0.0)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::U64(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::U64(u64::from(v))
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I64(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::U64(u64::from(v))
    }
}

/// A sample timestamp since the Unix epoch, to the nanosecond.
///
/// OpenMetrics writes timestamps as seconds with a fraction (`1520879607.789`, or nine
/// decimals for nanoseconds); it is written from the integer so no precision is lost, and
/// parsed exactly from the digits. The text format 0.0.4 writes an integer number of
/// milliseconds: a timestamp with a finer part is written rounded down to the millisecond.
///
/// ```
/// use expfmt::Timestamp;
///
/// let t = Timestamp::from_nanos(1_520_879_607_789_123_456);
/// assert_eq!(t.as_millis(), 1_520_879_607_789);
/// assert_eq!(Timestamp::from_millis(-1).as_nanos(), -1_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(i128);

/// Nanoseconds in a millisecond.
const NANOS_PER_MILLI: i128 = 1_000_000;

impl Timestamp {
    /// A timestamp from milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms as i128 * NANOS_PER_MILLI)
    }

    /// A timestamp from nanoseconds since the epoch.
    pub const fn from_nanos(ns: i128) -> Self {
        Timestamp(ns)
    }

    /// Milliseconds since the epoch, rounded down (toward negative infinity); saturated at the
    /// `i64` range.
    pub const fn as_millis(self) -> i64 {
        let ms = self.0.div_euclid(NANOS_PER_MILLI);
        if ms > i64::MAX as i128 {
            i64::MAX
        } else if ms < i64::MIN as i128 {
            i64::MIN
        } else {
            ms as i64
        }
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i128 {
        self.0
    }
}
