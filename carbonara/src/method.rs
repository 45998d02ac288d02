//! Aggregation method names and the `Aggregation` key.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

macro_rules! pct_names {
    ($prefix:literal; $($n:literal)*) => {
        [$(concat!($prefix, $n, "pct")),*]
    };
}

static PCT_NAMES: [&str; 99] = pct_names!(""; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99);
static RATE_PCT_NAMES: [&str; 99] = pct_names!("rate:"; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99);

/// A per-bucket aggregation (without the `rate:` prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Method {
    /// Sequential sum divided by the count.
    Mean,
    /// Sequential sum from 0.0 in series order.
    Sum,
    /// Smallest non-NaN value (NaN only if all are NaN).
    Min,
    /// Largest value, NaN if any value is NaN.
    Max,
    /// Number of points (NaN included), as a float.
    Count,
    /// First value in series order.
    First,
    /// Last value in series order.
    Last,
    /// Sample standard deviation (ddof 1); single-point buckets give no point.
    Std,
    /// Median, `(a + b) / 2.0` of the middle values sorted with NaN last.
    Median,
    /// Percentile 1..=99 (`Npct`), with Gnocchi's absolute-position
    /// interpolation.
    Percentile(Percent),
}

/// A percentile rank, 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(u8);

impl Percent {
    /// The rank if it is within 1..=99.
    #[must_use]
    pub const fn new(n: u8) -> Option<Self> {
        if n >= 1 && n <= 99 {
            Some(Percent(n))
        } else {
            None
        }
    }

    /// The rank, 1..=99.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Method {
    /// The nine methods that are not percentiles, in Gnocchi's order.
    pub const BASIC: [Method; 9] = [
        Method::Mean,
        Method::Sum,
        Method::Last,
        Method::Max,
        Method::Min,
        Method::Std,
        Method::Median,
        Method::First,
        Method::Count,
    ];

    /// Gnocchi's name of the method.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Mean => "mean",
            Method::Sum => "sum",
            Method::Min => "min",
            Method::Max => "max",
            Method::Count => "count",
            Method::First => "first",
            Method::Last => "last",
            Method::Std => "std",
            Method::Median => "median",
            Method::Percentile(p) => PCT_NAMES[usize::from(p.0) - 1],
        }
    }

    fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "mean" => Method::Mean,
            "sum" => Method::Sum,
            "min" => Method::Min,
            "max" => Method::Max,
            "count" => Method::Count,
            "first" => Method::First,
            "last" => Method::Last,
            "std" => Method::Std,
            "median" => Method::Median,
            _ => {
                let digits = s.strip_suffix("pct")?;
                if digits.is_empty() || digits.len() > 2 || digits.starts_with('0') {
                    return None;
                }
                let n: u8 = digits.parse().ok()?;
                Method::Percentile(Percent::new(n)?)
            }
        })
    }
}

/// An aggregation method as named in archive policies: a [`Method`],
/// optionally applied to the differences series (`rate:`).
///
/// `FromStr` accepts the 216 names Gnocchi's archive policies allow
/// (`mean` … `count`, `1pct` … `99pct`, each also with `rate:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggregationMethod {
    method: Method,
    rate: bool,
}

impl AggregationMethod {
    /// `method` on the values.
    #[must_use]
    pub const fn new(method: Method) -> Self {
        AggregationMethod {
            method,
            rate: false,
        }
    }

    /// `rate:method`: `method` on the differences of consecutive values.
    #[must_use]
    pub const fn rate(method: Method) -> Self {
        AggregationMethod { method, rate: true }
    }

    /// The per-bucket method.
    #[must_use]
    pub const fn method(self) -> Method {
        self.method
    }

    /// Whether this is a `rate:` method.
    #[must_use]
    pub const fn is_rate(self) -> bool {
        self.rate
    }

    /// Gnocchi's name, e.g. `rate:95pct`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        if !self.rate {
            return self.method.as_str();
        }
        match self.method {
            Method::Mean => "rate:mean",
            Method::Sum => "rate:sum",
            Method::Min => "rate:min",
            Method::Max => "rate:max",
            Method::Count => "rate:count",
            Method::First => "rate:first",
            Method::Last => "rate:last",
            Method::Std => "rate:std",
            Method::Median => "rate:median",
            Method::Percentile(p) => RATE_PCT_NAMES[usize::from(p.0) - 1],
        }
    }

    /// Every name valid in an archive policy (216), unordered.
    pub fn all() -> impl Iterator<Item = AggregationMethod> {
        let bases = Method::BASIC
            .into_iter()
            .chain((1..=99u8).filter_map(|n| Percent::new(n).map(Method::Percentile)));
        bases.flat_map(|m| [AggregationMethod::new(m), AggregationMethod::rate(m)])
    }
}

impl From<Method> for AggregationMethod {
    fn from(method: Method) -> Self {
        AggregationMethod::new(method)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AggregationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Method::parse(s).ok_or_else(|| Error::UnknownMethod { name: s.to_owned() })
    }
}

impl FromStr for AggregationMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let (rate, base) = match s.strip_prefix("rate:") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let method =
            Method::parse(base).ok_or_else(|| Error::UnknownMethod { name: s.to_owned() })?;
        Ok(AggregationMethod { method, rate })
    }
}

/// What one aggregated series is: method, granularity and retention
/// (Gnocchi's `Aggregation` named tuple). Durations in ns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Aggregation {
    /// The aggregation method.
    pub method: AggregationMethod,
    /// Bucket width in ns.
    pub granularity: i64,
    /// Retention in ns (`None`: keep everything).
    pub timespan: Option<i64>,
}

impl Aggregation {
    /// An aggregation from its parts.
    #[must_use]
    pub const fn new(method: AggregationMethod, granularity: i64, timespan: Option<i64>) -> Self {
        Aggregation {
            method,
            granularity,
            timespan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [
            ("mean", "mean", false),
            ("rate:last", "last", true),
            ("1pct", "1pct", false),
            ("99pct", "99pct", false),
            ("rate:95pct", "95pct", true),
        ];
        for (name, base, rate) in ok {
            let m: AggregationMethod = name.parse().unwrap();
            assert_eq!(m.as_str(), name);
            assert_eq!(m.method().as_str(), base);
            assert_eq!(m.is_rate(), rate);
        }
        for bad in [
            "100pct",
            "0pct",
            "05pct",
            "avg",
            "rate:avg",
            "95pctx",
            "pct",
            "rate:",
            "rate:rate:mean",
            "",
        ] {
            assert!(bad.parse::<AggregationMethod>().is_err(), "{bad}");
        }
    }

    #[test]
    fn all_has_216_distinct_names() {
        let names: std::collections::BTreeSet<&str> = AggregationMethod::all()
            .map(AggregationMethod::as_str)
            .collect();
        assert_eq!(names.len(), 216);
        for n in names {
            assert_eq!(n.parse::<AggregationMethod>().unwrap().as_str(), n);
        }
    }
}
