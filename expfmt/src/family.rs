//! The metric-family model shared by the encoder and the parser.

use std::borrow::Cow;

use crate::{MetricType, Timestamp, Value};

/// A label: a name and a value. Both borrow when they can.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Label<'a> {
    /// The label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    pub name: Cow<'a, str>,
    /// The label value, unescaped (any UTF-8).
    pub value: Cow<'a, str>,
}

impl<'a> Label<'a> {
    /// A label from a name and a value.
    pub fn new(name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Label {
            name: name.into(),
            value: value.into(),
        }
    }

    /// Copies borrowed strings so the label outlives its input.
    pub fn into_owned(self) -> Label<'static> {
        Label {
            name: Cow::Owned(self.name.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

/// An OpenMetrics exemplar: a reference to data outside the metric set (typically a trace),
/// written after a counter's `_total` sample or a histogram bucket:
/// `# {trace_id="abc"} 0.67 1520879607.789`.
///
/// Its label names and values together are at most 128 characters long (UTF-8 characters, as
/// OpenMetrics counts them); the encoder refuses a longer one with
/// [`Error::InvalidExemplar`](crate::Error::InvalidExemplar), the parser with a parse error.
/// The text format 0.0.4 has no exemplars: its encoder does not write them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exemplar<'a> {
    /// The exemplar's labels (the set may be empty).
    pub labels: Vec<Label<'a>>,
    /// The exemplar's value.
    pub value: f64,
    /// When the exemplar was observed, if known.
    pub timestamp: Option<Timestamp>,
}

impl<'a> Exemplar<'a> {
    /// An exemplar with `labels` and `value`, without a timestamp.
    pub fn new(labels: Vec<Label<'a>>, value: f64) -> Self {
        Exemplar {
            labels,
            value,
            timestamp: None,
        }
    }

    /// The length OpenMetrics limits to 128: the characters of every label name and value.
    pub fn label_chars(&self) -> usize {
        self.labels
            .iter()
            .map(|l| l.name.chars().count() + l.value.chars().count())
            .sum()
    }

    /// Copies borrowed strings so the exemplar outlives its input.
    pub fn into_owned(self) -> Exemplar<'static> {
        Exemplar {
            labels: self.labels.into_iter().map(Label::into_owned).collect(),
            value: self.value,
            timestamp: self.timestamp,
        }
    }
}

/// One cumulative histogram bucket: the number of observations `<= upper_bound`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bucket {
    /// The inclusive upper bound (`le` label). The last bucket of a histogram is `+Inf`.
    pub upper_bound: f64,
    /// The cumulative count of observations at or below `upper_bound`.
    pub cumulative_count: u64,
}

/// A histogram's value (also a gauge histogram's): cumulative buckets, the sum and the count
/// of observations.
///
/// OpenMetrics makes the sum and the count optional, together: a histogram has both or
/// neither (`_sum`/`_count`, `_gsum`/`_gcount` for a gauge histogram). The text format 0.0.4
/// requires them; its parser reports a histogram without them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Buckets in increasing `upper_bound` order. The encoder appends a `+Inf` bucket equal to
    /// `count` when the last bucket is not `+Inf`; the parser always returns it.
    pub buckets: Vec<Bucket>,
    /// The sum of observations (`_sum`, `_gsum`), if given.
    pub sum: Option<f64>,
    /// The number of observations (`_count`, `_gcount`), if given. It equals the `+Inf`
    /// bucket.
    pub count: Option<u64>,
}

/// One summary quantile.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quantile {
    /// The quantile, in `[0, 1]` (`quantile` label).
    pub quantile: f64,
    /// The observed value at that quantile.
    pub value: f64,
}

/// A summary's value: quantiles, the sum and the count of observations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Quantiles in increasing order.
    pub quantiles: Vec<Quantile>,
    /// The sum of observations (`_sum`), if given (OpenMetrics makes it optional).
    pub sum: Option<f64>,
    /// The number of observations (`_count`), if given (OpenMetrics makes it optional).
    pub count: Option<u64>,
}

/// The value of one metric (one label set) of a family.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricValue {
    /// A counter, gauge, untyped, stateset or info value (the family's type says which).
    Scalar(Value),
    /// A histogram or a gauge histogram.
    Histogram(Histogram),
    /// A summary.
    Summary(Summary),
}

impl Default for MetricValue {
    fn default() -> Self {
        MetricValue::Scalar(Value::default())
    }
}

/// One metric of a family: a label set and its value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metric<'a> {
    /// The labels, in exposition order, without the histogram `le` or summary `quantile` label.
    pub labels: Vec<Label<'a>>,
    /// The value.
    pub value: MetricValue,
    /// An optional timestamp.
    pub timestamp: Option<Timestamp>,
    /// OpenMetrics `_created`, seconds since the epoch (counters, histograms and summaries).
    /// The text format 0.0.4 has no place for it and does not write it.
    pub created: Option<f64>,
    /// OpenMetrics exemplars, by sample: for a counter, at most one, the `_total` sample's;
    /// for a histogram or gauge histogram, entry `i` belongs to bucket `i` (entries past the
    /// last exemplar may be left out). Empty when there are none; other types have none. The
    /// text format 0.0.4 does not write them.
    pub exemplars: Vec<Option<Exemplar<'a>>>,
}

impl<'a> Metric<'a> {
    /// A metric with `labels` and a scalar `value`.
    pub fn scalar(labels: Vec<Label<'a>>, value: impl Into<Value>) -> Self {
        Metric {
            labels,
            value: MetricValue::Scalar(value.into()),
            timestamp: None,
            created: None,
            exemplars: Vec::new(),
        }
    }

    /// Copies borrowed strings so the metric outlives its input.
    pub fn into_owned(self) -> Metric<'static> {
        Metric {
            labels: self.labels.into_iter().map(Label::into_owned).collect(),
            value: self.value,
            timestamp: self.timestamp,
            created: self.created,
            exemplars: self
                .exemplars
                .into_iter()
                .map(|e| e.map(Exemplar::into_owned))
                .collect(),
        }
    }
}

/// A metric family: one name, type, help and unit, and all its metrics.
///
/// The name is the family name: for histograms and summaries the samples add `_bucket`, `_sum`
/// and `_count`; for OpenMetrics counters the sample adds `_total` (a counter family name given
/// with `_total` is written without it on the metadata lines, as Go's `expfmt` does).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricFamily<'a> {
    /// The family name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    pub name: Cow<'a, str>,
    /// The help text, unescaped. `None` writes no `# HELP` line.
    pub help: Option<Cow<'a, str>>,
    /// The unit (OpenMetrics `# UNIT`; the family name must end with `_<unit>`). The text
    /// format 0.0.4 does not write it.
    pub unit: Option<Cow<'a, str>>,
    /// The family's type.
    pub metric_type: MetricType,
    /// The metrics, one per label set, in exposition order.
    pub metrics: Vec<Metric<'a>>,
}

impl<'a> MetricFamily<'a> {
    /// An empty family.
    pub fn new(name: impl Into<Cow<'a, str>>, metric_type: MetricType) -> Self {
        MetricFamily {
            name: name.into(),
            help: None,
            unit: None,
            metric_type,
            metrics: Vec::new(),
        }
    }

    /// Sets the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<Cow<'a, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the unit.
    #[must_use]
    pub fn with_unit(mut self, unit: impl Into<Cow<'a, str>>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Copies borrowed strings so the family outlives its input.
    pub fn into_owned(self) -> MetricFamily<'static> {
        MetricFamily {
            name: Cow::Owned(self.name.into_owned()),
            help: self.help.map(|h| Cow::Owned(h.into_owned())),
            unit: self.unit.map(|u| Cow::Owned(u.into_owned())),
            metric_type: self.metric_type,
            metrics: self.metrics.into_iter().map(Metric::into_owned).collect(),
        }
    }
}
