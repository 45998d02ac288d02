//! The crate's one error type.

use std::fmt;

use crate::MetricType;

/// At most this many characters of a name or input excerpt are shown in an error message.
const EXCERPT_CHARS: usize = 48;

/// A string shown in an error message: control characters escaped (`\n`, `\u{7}`), cut to
/// [`EXCERPT_CHARS`] characters with `…` and the full length after it.
struct Excerpt<'a>(&'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(EXCERPT_CHARS) {
            if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        if chars.next().is_some() {
            write!(f, "… ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Everything that can go wrong while building, encoding or parsing an exposition.
///
/// Names and values that caused the error are carried in the variant; parse errors carry the
/// 1-based line and column of the fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error("invalid metric name `{name}`", name = Excerpt(.name))]
    InvalidMetricName {
        /// The offending name.
        name: Box<str>,
    },
    /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`.
    #[error("invalid label name `{name}`", name = Excerpt(.name))]
    InvalidLabelName {
        /// The offending name.
        name: Box<str>,
    },
    /// A label name is reserved: it starts with `__`, or it is `le` on a histogram or
    /// `quantile` on a summary.
    #[error("reserved label name `{name}`", name = Excerpt(.name))]
    ReservedLabelName {
        /// The offending name.
        name: Box<str>,
    },
    /// The same label name appears twice in one label set.
    #[error("duplicate label name `{name}`", name = Excerpt(.name))]
    DuplicateLabelName {
        /// The repeated name.
        name: Box<str>,
    },
    /// A family name, or a sample name it produces (`_sum`, `_count`, `_bucket`, `_total`,
    /// `_created`), was already used by a family encoded earlier.
    #[error("metric family `{name}` would be written twice", name = Excerpt(.name))]
    DuplicateFamily {
        /// The name used twice.
        name: Box<str>,
    },
    /// Two families with the same name but different types were merged.
    #[error("metric family `{name}` is both {existing} and {new}", name = Excerpt(.name))]
    ConflictingType {
        /// The family name.
        name: Box<str>,
        /// The type seen first.
        existing: MetricType,
        /// The type seen second.
        new: MetricType,
    },
    /// A value does not fit the family's type (a histogram value in a gauge family, ...).
    #[error("value does not fit {metric_type} family `{family}`", family = Excerpt(.family))]
    WrongValueKind {
        /// The family name.
        family: Box<str>,
        /// The family's type.
        metric_type: MetricType,
    },
    /// A sample gave a different number of label values than the family has label names.
    #[error("family `{family}` has {expected} label names but a sample gave {found} values", family = Excerpt(.family))]
    LabelCount {
        /// The family name.
        family: Box<str>,
        /// The number of label names of the family.
        expected: usize,
        /// The number of label values given.
        found: usize,
    },
    /// A unit is not a valid name suffix, or the family name does not end with `_<unit>`.
    #[error("unit `{unit}` does not fit metric family `{family}`", family = Excerpt(.family), unit = Excerpt(.unit))]
    InvalidUnit {
        /// The family name.
        family: Box<str>,
        /// The unit.
        unit: Box<str>,
    },
    /// Histogram buckets or summary quantiles are not in increasing order, a bucket count
    /// decreases, or a quantile is outside `[0, 1]`.
    #[error("invalid {metric_type} value in family `{family}`: {reason}", family = Excerpt(.family))]
    InvalidDistribution {
        /// The family name.
        family: Box<str>,
        /// Histogram or summary.
        metric_type: MetricType,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value OpenMetrics forbids: a negative or NaN counter, a negative quantile value.
    #[error("invalid value `{value}` in {metric_type} family `{family}`: {reason}", family = Excerpt(.family), value = Excerpt(.value))]
    InvalidValue {
        /// The family name.
        family: Box<str>,
        /// The family's type.
        metric_type: MetricType,
        /// The value, as Rust's `Debug` prints it.
        value: Box<str>,
        /// What is wrong.
        reason: &'static str,
    },
    /// An exemplar OpenMetrics does not allow: on a sample other than a counter's `_total` or
    /// a histogram's (or gauge histogram's) `_bucket`, for a bucket the histogram does not
    /// have, or with label names and values longer than 128 characters together.
    #[error("invalid exemplar in family `{family}`: {reason}", family = Excerpt(.family))]
    InvalidExemplar {
        /// The family name.
        family: Box<str>,
        /// What is wrong.
        reason: &'static str,
    },
    /// A `# TYPE` keyword is not one this crate knows.
    #[error("unknown metric type `{keyword}`", keyword = Excerpt(.keyword))]
    UnknownMetricType {
        /// The keyword.
        keyword: Box<str>,
    },
    /// A format name is neither `text` nor `openmetrics`.
    #[error("unknown format `{name}`", name = Excerpt(.name))]
    UnknownFormat {
        /// The name.
        name: Box<str>,
    },
    /// A float style name is not `go`, `openmetrics` or `mgr`.
    #[error("unknown float style `{name}`", name = Excerpt(.name))]
    UnknownFloatStyle {
        /// The name.
        name: Box<str>,
    },
    /// An `escaping=` value is not `allow-utf-8`, `underscores`, `dots` or `values`.
    #[error("unknown escaping scheme `{name}`", name = Excerpt(.name))]
    UnknownEscapingScheme {
        /// The value.
        name: Box<str>,
    },
    /// The input is not a valid exposition.
    #[error("{line}:{column}: {kind}")]
    Parse {
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column (in bytes) of the fault.
        column: usize,
        /// What is wrong.
        kind: ParseErrorKind,
    },
}

/// What a parser found wrong, named the way Prometheus' own parser names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A second `# HELP` line for one family.
    #[error("second HELP line for metric name `{name}`", name = Excerpt(.name))]
    SecondHelp {
        /// The family name.
        name: Box<str>,
    },
    /// A second `# TYPE` line for one family, or a `# TYPE` after its samples.
    #[error("second TYPE line for metric name `{name}`, or TYPE reported after samples", name = Excerpt(.name))]
    SecondType {
        /// The family name.
        name: Box<str>,
    },
    /// A second `# UNIT` line for one family (OpenMetrics).
    #[error("second UNIT line for metric name `{name}`", name = Excerpt(.name))]
    SecondUnit {
        /// The family name.
        name: Box<str>,
    },
    /// Metadata for a family appears after another family started (OpenMetrics), or the
    /// samples of one family are not contiguous.
    #[error("metric family `{name}` is interleaved with another family", name = Excerpt(.name))]
    Interleaved {
        /// The family name.
        name: Box<str>,
    },
    /// A backslash is followed by something other than `\`, `"` or `n` (or `"` in a 0.0.4 HELP).
    #[error("invalid escape sequence `\\{found}`", found = Excerpt(&.found.to_string()))]
    InvalidEscape {
        /// The character after the backslash.
        found: char,
    },
    /// A label value contains a raw line feed.
    #[error("label value contains unescaped new-line")]
    UnescapedNewline,
    /// The same label name appears twice in one sample.
    #[error("duplicate label name `{name}`", name = Excerpt(.name))]
    DuplicateLabelName {
        /// The repeated name.
        name: Box<str>,
    },
    /// The same name and label set appears twice.
    #[error("duplicate series for metric name `{name}`", name = Excerpt(.name))]
    DuplicateSeries {
        /// The sample name.
        name: Box<str>,
    },
    /// A sample value is not a float (or not an integer where one is required).
    #[error("expected {expected} as value, got `{found}`", found = Excerpt(.found))]
    BadValue {
        /// What was expected: `float`, or `non-negative integer` for counts.
        expected: &'static str,
        /// The text found.
        found: Box<str>,
    },
    /// A timestamp is not an integer (0.0.4) or a float (OpenMetrics).
    #[error("expected {expected} as timestamp, got `{found}`", found = Excerpt(.found))]
    BadTimestamp {
        /// What was expected.
        expected: &'static str,
        /// The text found.
        found: Box<str>,
    },
    /// A metric name is empty or has a character outside `[a-zA-Z0-9_:]`.
    #[error("invalid metric name `{name}`", name = Excerpt(.name))]
    InvalidMetricName {
        /// The name (possibly truncated at the bad character).
        name: Box<str>,
    },
    /// A label name is empty or has a character outside `[a-zA-Z0-9_]`.
    #[error("invalid label name `{name}`", name = Excerpt(.name))]
    InvalidLabelName {
        /// The name.
        name: Box<str>,
    },
    /// A `# TYPE` keyword is not known.
    #[error("unknown metric type `{keyword}`", keyword = Excerpt(.keyword))]
    UnknownType {
        /// The keyword.
        keyword: Box<str>,
    },
    /// The OpenMetrics input does not end with `# EOF`.
    #[error("missing `# EOF`")]
    MissingEof,
    /// Something follows `# EOF`.
    #[error("content after `# EOF`")]
    ContentAfterEof,
    /// A histogram has no `le="+Inf"` bucket.
    #[error("histogram `{name}` has no `+Inf` bucket", name = Excerpt(.name))]
    MissingInfBucket {
        /// The family name.
        name: Box<str>,
    },
    /// A histogram bucket has no `le` label, or a summary quantile no `quantile` label.
    #[error("sample of `{name}` lacks its `{label}` label", name = Excerpt(.name))]
    MissingLabel {
        /// The sample name.
        name: Box<str>,
        /// `le` or `quantile`.
        label: &'static str,
    },
    /// A histogram or summary is inconsistent: decreasing buckets, `+Inf` bucket different from
    /// `_count`, buckets out of order.
    #[error("invalid {metric_type} `{name}`: {reason}", name = Excerpt(.name))]
    InvalidDistribution {
        /// The family name.
        name: Box<str>,
        /// Histogram or summary.
        metric_type: MetricType,
        /// What is wrong.
        reason: &'static str,
    },
    /// A sample's name does not belong to the family declared by the last `# TYPE`: a
    /// histogram or summary sample with a suffix its type does not have, an OpenMetrics
    /// counter sample without `_total` or `_created`, ...
    #[error("sample name `{sample}` does not fit {metric_type} family `{family}`", sample = Excerpt(.sample), family = Excerpt(.family))]
    SampleNameMismatch {
        /// The sample name.
        sample: Box<str>,
        /// The family name.
        family: Box<str>,
        /// The family type.
        metric_type: MetricType,
    },
    /// The OpenMetrics family name does not end with `_<unit>`.
    #[error("unit `{unit}` does not fit metric family `{name}`", name = Excerpt(.name), unit = Excerpt(.unit))]
    UnitMismatch {
        /// The family name.
        name: Box<str>,
        /// The unit.
        unit: Box<str>,
    },
    /// A syntax error: the parser expected one thing and found another.
    #[error("expected {expected}, found {found}", found = Excerpt(.found))]
    Unexpected {
        /// What the grammar allows here.
        expected: &'static str,
        /// A short description of what was there (`end of line`, `` `x` ``).
        found: Box<str>,
    },
    /// The input is not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A label name that is reserved where it appears: `__name__` anywhere, `le` on a
    /// histogram sample other than `_bucket`, `quantile` on a summary's `_sum`, `_count` or
    /// `_created`.
    #[error("label name `{name}` is reserved here", name = Excerpt(.name))]
    ReservedLabelName {
        /// The label name.
        name: Box<str>,
    },
    /// The `le` or `quantile` label value is not a float.
    #[error("expected float as value for `{label}` label, got `{found}`", found = Excerpt(.found))]
    BadLabelNumber {
        /// `le` or `quantile`.
        label: &'static str,
        /// The label value found.
        found: Box<str>,
    },
    /// A metric of a histogram, summary or OpenMetrics counter lacks a sample the data model
    /// needs (`_sum`, `_count`, `_total`).
    #[error("a metric of `{name}` has no `{sample}` sample", name = Excerpt(.name), sample = Excerpt(.sample))]
    MissingSample {
        /// The family name.
        name: Box<str>,
        /// The missing sample suffix.
        sample: &'static str,
    },
    /// A family's name and the sample names of another family could clash (a gauge
    /// `foo_created` and a counter `foo`, whose `_created` sample has that name).
    #[error("metric family `{name}` clashes with the sample names of family `{other}`", name = Excerpt(.name), other = Excerpt(.other))]
    NameClash {
        /// The family declared second.
        name: Box<str>,
        /// The family declared first.
        other: Box<str>,
    },
    /// An OpenMetrics `# HELP` or `# UNIT` line comes after the family's samples.
    #[error("`# {keyword}` line for metric family `{name}` after its samples", name = Excerpt(.name), keyword = Excerpt(.keyword))]
    MetadataAfterSamples {
        /// The family name.
        name: Box<str>,
        /// `HELP` or `UNIT`.
        keyword: &'static str,
    },
    /// The samples of one metric (one label set) of an OpenMetrics family are not
    /// contiguous.
    #[error("samples of one metric of family `{name}` are interleaved with another metric", name = Excerpt(.name))]
    InterleavedMetric {
        /// The family name.
        name: Box<str>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_control_characters_and_cut_long_input() {
        let cases: &[(ParseErrorKind, &str)] = &[
            (
                ParseErrorKind::InvalidLabelName {
                    name: "ser\u{2}\0n\r\n".into(),
                },
                "invalid label name `ser\\u{2}\\0n\\r\\n`",
            ),
            (
                ParseErrorKind::BadValue {
                    expected: "float",
                    found: "9".repeat(1_000_000).into(),
                },
                "expected float as value, got `999999999999999999999999999999999999999999999999… (1000000 bytes)`",
            ),
            (
                ParseErrorKind::UnknownType {
                    keyword: "gaugé\u{1b}[31m".into(),
                },
                "unknown metric type `gaugé\\u{1b}[31m`",
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(kind.to_string(), *want);
        }
        assert_eq!(
            ParseErrorKind::InvalidEscape { found: '\t' }.to_string(),
            "invalid escape sequence `\\\\t`"
        );
        let e = Error::InvalidMetricName {
            name: "a\tb".into(),
        };
        assert_eq!(e.to_string(), "invalid metric name `a\\tb`");
    }
}
