//! Perf-counter type flags and the schema's `metric_type` / `value_type` strings.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};
use std::str::FromStr;

use expfmt::MetricType;

use crate::Error;

/// The type bits of a perf counter (`perfcounter_type_d` in Ceph's `perf_counters.h`), as
/// written in the `type` field of `perf schema` / `counter schema`.
///
/// The low two bits say what the value is ([`TIME`](Self::TIME) or [`U64`](Self::U64)), the
/// others how it behaves ([`LONGRUNAVG`](Self::LONGRUNAVG), [`COUNTER`](Self::COUNTER),
/// [`HISTOGRAM`](Self::HISTOGRAM)). Values seen in real schemas: `1` (time gauge), `2`
/// (integer gauge), `5` and `6` (long-running averages), `10` (integer counter), `26`
/// (histogram, only in `perf histogram schema`).
///
/// ```
/// use perfcounter::PerfCounterType;
///
/// let t = PerfCounterType::try_from(5u32)?;
/// assert_eq!(t, PerfCounterType::TIME | PerfCounterType::LONGRUNAVG);
/// assert_eq!(t.to_string(), "TIME|LONGRUNAVG");
/// assert_eq!(t.value_type().as_str(), "real-integer-pair");
/// assert!(PerfCounterType::try_from(0x40u32).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PerfCounterType(u8);

/// Names of the flag bits, lowest first.
const FLAG_NAMES: [(PerfCounterType, &str); 5] = [
    (PerfCounterType::TIME, "TIME"),
    (PerfCounterType::U64, "U64"),
    (PerfCounterType::LONGRUNAVG, "LONGRUNAVG"),
    (PerfCounterType::COUNTER, "COUNTER"),
    (PerfCounterType::HISTOGRAM, "HISTOGRAM"),
];

impl PerfCounterType {
    /// No bit set (`PERFCOUNTER_NONE`).
    pub const NONE: PerfCounterType = PerfCounterType(0);
    /// The value is a time: nanoseconds inside Ceph, `secs.nnnnnnnnn` seconds in JSON dumps.
    pub const TIME: PerfCounterType = PerfCounterType(0x1);
    /// The value is an unsigned 64-bit integer.
    pub const U64: PerfCounterType = PerfCounterType(0x2);
    /// A long-running average: a sum and a count (`{"avgcount", "sum"}` in dumps).
    pub const LONGRUNAVG: PerfCounterType = PerfCounterType(0x4);
    /// A monotonically increasing counter.
    pub const COUNTER: PerfCounterType = PerfCounterType(0x8);
    /// A 2-D histogram (only in `perf histogram dump`).
    pub const HISTOGRAM: PerfCounterType = PerfCounterType(0x10);
    /// All known bits.
    pub const ALL: PerfCounterType = PerfCounterType(0x1f);
    /// `PERFCOUNTER_TYPE_MASK` (`~3`): the bits that say how the value behaves.
    pub const TYPE_MASK: PerfCounterType = PerfCounterType(0x1f & !3);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0 as u32
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: PerfCounterType) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set in `self`.
    pub const fn intersects(self, other: PerfCounterType) -> bool {
        self.0 & other.0 != 0
    }

    /// The behaviour bits only (`type & PERFCOUNTER_TYPE_MASK`).
    pub const fn type_only(self) -> PerfCounterType {
        PerfCounterType(self.0 & Self::TYPE_MASK.0)
    }

    /// Whether the value is a time ([`TIME`](Self::TIME) set).
    pub const fn is_time(self) -> bool {
        self.intersects(Self::TIME)
    }

    /// Whether the value is a long-running average ([`LONGRUNAVG`](Self::LONGRUNAVG) set).
    pub const fn is_long_running_avg(self) -> bool {
        self.intersects(Self::LONGRUNAVG)
    }

    /// Whether the value is a histogram ([`HISTOGRAM`](Self::HISTOGRAM) set).
    pub const fn is_histogram(self) -> bool {
        self.intersects(Self::HISTOGRAM)
    }

    /// The schema's `metric_type`: counter when [`COUNTER`](Self::COUNTER) is set, else gauge.
    pub const fn metric_kind(self) -> MetricKind {
        if self.intersects(Self::COUNTER) {
            MetricKind::Counter
        } else {
            MetricKind::Gauge
        }
    }

    /// The schema's `value_type`, as Ceph derives it from the bits.
    pub const fn value_type(self) -> ValueType {
        let time = self.is_time();
        if self.is_long_running_avg() {
            if time {
                ValueType::RealIntegerPair
            } else {
                ValueType::IntegerIntegerPair
            }
        } else if self.is_histogram() {
            if time {
                ValueType::Real2dHistogram
            } else {
                ValueType::Integer2dHistogram
            }
        } else if time {
            ValueType::Real
        } else {
            ValueType::Integer
        }
    }

    /// The bits for a schema entry that has only the `metric_type` and `value_type` strings.
    ///
    /// `value_type` gives the value bit ([`TIME`](Self::TIME) for `real*`, else
    /// [`U64`](Self::U64)) and [`LONGRUNAVG`](Self::LONGRUNAVG) or
    /// [`HISTOGRAM`](Self::HISTOGRAM); `metric_type` `counter` adds
    /// [`COUNTER`](Self::COUNTER). For every type Ceph writes, this inverts
    /// [`metric_kind`](Self::metric_kind) and [`value_type`](Self::value_type).
    ///
    /// ```
    /// use perfcounter::{MetricKind, PerfCounterType, ValueType};
    ///
    /// let t = PerfCounterType::from_kinds(MetricKind::Counter, ValueType::Integer);
    /// assert_eq!(t.bits(), 10);
    /// let t = PerfCounterType::from_schema_strings("gauge", "real-integer-pair")?;
    /// assert_eq!(t.bits(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn from_kinds(metric: MetricKind, value: ValueType) -> PerfCounterType {
        let mut bits = match value {
            ValueType::Real => Self::TIME.0,
            ValueType::Integer => Self::U64.0,
            ValueType::RealIntegerPair => Self::TIME.0 | Self::LONGRUNAVG.0,
            ValueType::IntegerIntegerPair => Self::U64.0 | Self::LONGRUNAVG.0,
            ValueType::Real2dHistogram => Self::TIME.0 | Self::HISTOGRAM.0,
            ValueType::Integer2dHistogram => Self::U64.0 | Self::HISTOGRAM.0,
        };
        if let MetricKind::Counter = metric {
            bits |= Self::COUNTER.0;
        }
        PerfCounterType(bits)
    }

    /// [`from_kinds`](Self::from_kinds) on the two schema strings.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownMetricKind`] or [`Error::UnknownValueType`] for strings Ceph does not
    /// write.
    pub fn from_schema_strings(metric_type: &str, value_type: &str) -> Result<Self, Error> {
        Ok(Self::from_kinds(metric_type.parse()?, value_type.parse()?))
    }

    /// The family type the mgr prometheus module gives a counter of this type
    /// (`MgrModule._stattype_to_str`): on the behaviour bits alone, none is a gauge,
    /// [`LONGRUNAVG`](Self::LONGRUNAVG) alone and [`COUNTER`](Self::COUNTER) alone are counters,
    /// [`HISTOGRAM`](Self::HISTOGRAM) alone is a histogram, and any combination is `None` (the
    /// module skips it; real histograms are `HISTOGRAM|COUNTER|U64`, so they are skipped too).
    ///
    /// ```
    /// use expfmt::MetricType;
    /// use perfcounter::PerfCounterType;
    ///
    /// let t = |bits: u32| PerfCounterType::try_from(bits).map(|t| t.mgr_metric_type());
    /// assert_eq!(t(1)?, Some(MetricType::Gauge));
    /// assert_eq!(t(5)?, Some(MetricType::Counter));
    /// assert_eq!(t(10)?, Some(MetricType::Counter));
    /// assert_eq!(t(12)?, None);
    /// assert_eq!(t(26)?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn mgr_metric_type(self) -> Option<MetricType> {
        match self.type_only().0 {
            0 => Some(MetricType::Gauge),
            0x4 | 0x8 => Some(MetricType::Counter),
            0x10 => Some(MetricType::Histogram),
            _ => None,
        }
    }
}

impl BitOr for PerfCounterType {
    type Output = PerfCounterType;

    fn bitor(self, rhs: PerfCounterType) -> PerfCounterType {
        PerfCounterType(self.0 | rhs.0)
    }
}

impl BitOrAssign for PerfCounterType {
    fn bitor_assign(&mut self, rhs: PerfCounterType) {
        self.0 |= rhs.0;
    }
}

impl TryFrom<u64> for PerfCounterType {
    type Error = Error;

    /// The raw `type` field.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTypeBits`] when a bit above `0x10` is set.
    fn try_from(bits: u64) -> Result<Self, Error> {
        match u8::try_from(bits) {
            Ok(b) if b & !Self::ALL.0 == 0 => Ok(PerfCounterType(b)),
            _ => Err(Error::UnknownTypeBits { bits }),
        }
    }
}

impl TryFrom<u32> for PerfCounterType {
    type Error = Error;

    /// The raw `type` field.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTypeBits`] when a bit above `0x10` is set.
    fn try_from(bits: u32) -> Result<Self, Error> {
        PerfCounterType::try_from(u64::from(bits))
    }
}

impl From<PerfCounterType> for u32 {
    fn from(t: PerfCounterType) -> u32 {
        t.bits()
    }
}

impl fmt::Display for PerfCounterType {
    /// The set flags joined by `|` (`TIME|LONGRUNAVG`), or `NONE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("NONE");
        }
        let mut first = true;
        for (flag, name) in FLAG_NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

impl FromStr for PerfCounterType {
    type Err = Error;

    /// Parses what [`Display`](fmt::Display) writes: flag names joined by `|`, or `NONE`.
    fn from_str(s: &str) -> Result<Self, Error> {
        if s == "NONE" {
            return Ok(PerfCounterType::NONE);
        }
        let mut t = PerfCounterType::NONE;
        for part in s.split('|') {
            let flag = FLAG_NAMES
                .iter()
                .find(|(_, name)| *name == part)
                .map(|(flag, _)| *flag)
                .ok_or_else(|| Error::UnknownTypeName { name: part.into() })?;
            t |= flag;
        }
        Ok(t)
    }
}

/// A schema's `metric_type`: whether the value only grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// `gauge`: any value (long-running averages are gauges too).
    Gauge,
    /// `counter`: a monotonically increasing value.
    Counter,
}

impl MetricKind {
    /// `gauge` or `counter`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricKind::Gauge => "gauge",
            MetricKind::Counter => "counter",
        }
    }

    /// The Prometheus family type of the same name.
    pub const fn metric_type(self) -> MetricType {
        match self {
            MetricKind::Gauge => MetricType::Gauge,
            MetricKind::Counter => MetricType::Counter,
        }
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MetricKind {
    type Err = Error;

    /// Parses `gauge` or `counter`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "gauge" => Ok(MetricKind::Gauge),
            "counter" => Ok(MetricKind::Counter),
            _ => Err(Error::UnknownMetricKind { name: s.into() }),
        }
    }
}

/// A schema's `value_type`: the shape of the value in a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `real`: a time in seconds (`secs.nnnnnnnnn`).
    Real,
    /// `integer`: an unsigned integer.
    Integer,
    /// `real-integer-pair`: a time long-running average, `{"avgcount", "sum", "avgtime"}`.
    RealIntegerPair,
    /// `integer-integer-pair`: an integer long-running average, `{"avgcount", "sum"}`.
    IntegerIntegerPair,
    /// `real-2d-histogram`.
    Real2dHistogram,
    /// `integer-2d-histogram`.
    Integer2dHistogram,
}

impl ValueType {
    /// The string Ceph writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            ValueType::Real => "real",
            ValueType::Integer => "integer",
            ValueType::RealIntegerPair => "real-integer-pair",
            ValueType::IntegerIntegerPair => "integer-integer-pair",
            ValueType::Real2dHistogram => "real-2d-histogram",
            ValueType::Integer2dHistogram => "integer-2d-histogram",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ValueType {
    type Err = Error;

    /// Parses the strings Ceph writes.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "real" => ValueType::Real,
            "integer" => ValueType::Integer,
            "real-integer-pair" => ValueType::RealIntegerPair,
            "integer-integer-pair" => ValueType::IntegerIntegerPair,
            "real-2d-histogram" => ValueType::Real2dHistogram,
            "integer-2d-histogram" => ValueType::Integer2dHistogram,
            _ => return Err(Error::UnknownValueType { name: s.into() }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_bits_table() {
        // (raw type, display, metric_type, value_type, mgr family type)
        let cases: [(u32, &str, &str, &str, Option<MetricType>); 12] = [
            (0, "NONE", "gauge", "integer", Some(MetricType::Gauge)),
            (1, "TIME", "gauge", "real", Some(MetricType::Gauge)),
            (2, "U64", "gauge", "integer", Some(MetricType::Gauge)),
            (
                5,
                "TIME|LONGRUNAVG",
                "gauge",
                "real-integer-pair",
                Some(MetricType::Counter),
            ),
            (
                6,
                "U64|LONGRUNAVG",
                "gauge",
                "integer-integer-pair",
                Some(MetricType::Counter),
            ),
            (
                9,
                "TIME|COUNTER",
                "counter",
                "real",
                Some(MetricType::Counter),
            ),
            (
                10,
                "U64|COUNTER",
                "counter",
                "integer",
                Some(MetricType::Counter),
            ),
            (
                13,
                "TIME|LONGRUNAVG|COUNTER",
                "counter",
                "real-integer-pair",
                None,
            ),
            (
                14,
                "U64|LONGRUNAVG|COUNTER",
                "counter",
                "integer-integer-pair",
                None,
            ),
            (
                17,
                "TIME|HISTOGRAM",
                "gauge",
                "real-2d-histogram",
                Some(MetricType::Histogram),
            ),
            (
                18,
                "U64|HISTOGRAM",
                "gauge",
                "integer-2d-histogram",
                Some(MetricType::Histogram),
            ),
            (
                26,
                "U64|COUNTER|HISTOGRAM",
                "counter",
                "integer-2d-histogram",
                None,
            ),
        ];
        for (bits, shown, metric, value, mgr) in cases {
            let t = PerfCounterType::try_from(bits).unwrap();
            assert_eq!(t.bits(), bits);
            assert_eq!(t.to_string(), shown, "{bits}");
            assert_eq!(shown.parse::<PerfCounterType>().unwrap(), t);
            assert_eq!(t.metric_kind().as_str(), metric, "{bits}");
            assert_eq!(t.value_type().as_str(), value, "{bits}");
            assert_eq!(t.mgr_metric_type(), mgr, "{bits}");
            // The strings give the bits back, except the value bit of a NONE type.
            let back = PerfCounterType::from_schema_strings(metric, value).unwrap();
            if bits & 3 != 0 {
                assert_eq!(back, t, "{bits}");
            } else {
                assert_eq!(back, t | PerfCounterType::U64, "{bits}");
            }
        }
    }

    #[test]
    fn rejects_unknown_bits_and_names() {
        for bits in [0x20u64, 0x3f, 0x100, u64::MAX] {
            assert!(matches!(
                PerfCounterType::try_from(bits),
                Err(Error::UnknownTypeBits { bits: b }) if b == bits
            ));
        }
        for s in ["", "time", "TIME|", "TIME|SETABLE"] {
            assert!(s.parse::<PerfCounterType>().is_err(), "{s:?}");
        }
        assert!(matches!(
            PerfCounterType::from_schema_strings("histogram", "integer"),
            Err(Error::UnknownMetricKind { .. })
        ));
        assert!(matches!(
            PerfCounterType::from_schema_strings("gauge", "float"),
            Err(Error::UnknownValueType { .. })
        ));
    }

    #[test]
    fn type_mask_is_not_two() {
        // Luminous-era code masked with ~2 and mis-typed pure TIME gauges; ~3 is right.
        assert_eq!(PerfCounterType::TIME.type_only(), PerfCounterType::NONE);
        assert_eq!(
            PerfCounterType::try_from(5u32).unwrap().type_only(),
            PerfCounterType::LONGRUNAVG
        );
    }
}
