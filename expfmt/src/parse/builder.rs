//! Building one family from its samples: grouping samples into metrics by label set,
//! duplicate series, and the consistency rules of histograms, summaries and OpenMetrics
//! counters.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

use super::cursor::{Fault, Pos};
use super::labels::same_labels;
use super::number;
use crate::{
    Bucket, Exemplar, Histogram, Label, Metric, MetricFamily, MetricType, MetricValue,
    ParseErrorKind, Quantile, Summary, Timestamp, Value,
};

/// End of a collision chain.
const NONE: usize = usize::MAX;

/// What a sample is to its family, from its name's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SampleKind {
    /// The value of a counter (0.0.4), gauge or untyped metric: the family name itself.
    Value,
    /// A summary quantile: the family name with a `quantile` label.
    Quantile,
    /// `_bucket`.
    Bucket,
    /// `_sum`.
    Sum,
    /// `_count`.
    Count,
    /// `_total` (OpenMetrics counters).
    Total,
    /// `_created` (OpenMetrics counters, histograms, summaries).
    Created,
}

impl SampleKind {
    /// The kind of sample `sample` is in family `family` of type `t`, if it belongs to it.
    pub(super) fn of(
        family: &str,
        t: MetricType,
        openmetrics: bool,
        sample: &str,
    ) -> Option<SampleKind> {
        SampleKind::of_suffix(t, openmetrics, sample.strip_prefix(family)?)
    }

    /// The kind of a sample whose name is the family name followed by `suffix`.
    #[inline]
    pub(super) fn of_suffix(t: MetricType, openmetrics: bool, suffix: &str) -> Option<SampleKind> {
        use MetricType::*;
        Some(match (t, suffix) {
            (Gauge | Untyped, "") => SampleKind::Value,
            (StateSet, "") if openmetrics => SampleKind::Value,
            (Info, "_info") if openmetrics => SampleKind::Value,
            (Counter, "") if !openmetrics => SampleKind::Value,
            (Counter, "_total") if openmetrics => SampleKind::Total,
            (Counter | Histogram | Summary, "_created") if openmetrics => SampleKind::Created,
            (Summary, "") => SampleKind::Quantile,
            (Histogram, "_bucket") => SampleKind::Bucket,
            (Histogram | Summary, "_sum") => SampleKind::Sum,
            (Histogram | Summary, "_count") => SampleKind::Count,
            (GaugeHistogram, "_bucket") if openmetrics => SampleKind::Bucket,
            (GaugeHistogram, "_gsum") if openmetrics => SampleKind::Sum,
            (GaugeHistogram, "_gcount") if openmetrics => SampleKind::Count,
            _ => return None,
        })
    }
}

/// One parsed sample line, ready to be added to its family.
#[derive(Debug)]
pub(super) struct Sample<'a> {
    pub(super) name: &'a str,
    pub(super) kind: SampleKind,
    pub(super) labels: Vec<Label<'a>>,
    /// The order-insensitive hash of `labels`.
    pub(super) hash: u64,
    /// The `le` or `quantile` value.
    pub(super) special: Option<f64>,
    pub(super) value: Value,
    /// The value as written, for messages.
    pub(super) value_text: &'a str,
    pub(super) timestamp: Option<Timestamp>,
    /// Where the sample name, the value and the timestamp (or the end of the sample) are.
    pub(super) at: Pos,
    pub(super) value_at: Pos,
    pub(super) timestamp_at: Pos,
    /// The timestamp as written (empty when there is none), for messages.
    pub(super) timestamp_text: &'a str,
    /// The exemplar after it (OpenMetrics `_total` and `_bucket` samples).
    pub(super) exemplar: Option<Exemplar<'a>>,
}

/// A hasher for keys that already are good hashes.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Label-set hash → index of the newest metric with that hash.
pub(super) type Index = HashMap<u64, usize, BuildHasherDefault<KeyHasher>>;

/// Buffers a finished family hands to the next one, so their capacity is reused.
#[derive(Debug, Default)]
pub(super) struct Spare {
    index: Index,
    chain: Vec<usize>,
    parts: Vec<Parts>,
}

/// What a metric assembled from several samples has seen so far.
#[derive(Debug, Clone, Copy)]
struct Parts {
    /// Where the metric's first sample is.
    at: Pos,
    sum: bool,
    count: bool,
    total: bool,
}

/// What a finished family leaves in the parser's registry of family names.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen {
    pub(super) metric_type: MetricType,
    pub(super) help: bool,
    /// A `# TYPE` line or a sample was seen (either fixes the type).
    pub(super) typed: bool,
    pub(super) unit: bool,
}

/// A family being read.
#[derive(Debug)]
pub(super) struct FamilyBuilder<'a> {
    pub(super) name: &'a str,
    family: MetricFamily<'a>,
    openmetrics: bool,
    type_line: bool,
    help_line: bool,
    unit_line: bool,
    index: Index,
    /// Per metric: the previous metric with the same label-set hash.
    chain: Vec<usize>,
    /// Per metric, for histograms, summaries and OpenMetrics counters.
    parts: Vec<Parts>,
    /// The metric the last sample went to (OpenMetrics forbids going back).
    last: usize,
    /// Where the `# UNIT` line is.
    unit_at: Pos,
}

impl<'a> FamilyBuilder<'a> {
    pub(super) fn new(name: &'a str, openmetrics: bool, metrics_hint: usize, spare: Spare) -> Self {
        let Spare {
            mut index,
            mut chain,
            mut parts,
        } = spare;
        index.clear();
        chain.clear();
        parts.clear();
        let mut family = MetricFamily::new(super::cursor::name_value(name), MetricType::Untyped);
        family.metrics.reserve(metrics_hint);
        FamilyBuilder {
            name,
            family,
            openmetrics,
            type_line: false,
            help_line: false,
            unit_line: false,
            index,
            chain,
            parts,
            last: NONE,
            unit_at: Pos::default(),
        }
    }

    pub(super) fn metric_type(&self) -> MetricType {
        self.family.metric_type
    }

    pub(super) fn has_samples(&self) -> bool {
        !self.family.metrics.is_empty()
    }

    /// The registry entry for this family.
    pub(super) fn seen(&self) -> Seen {
        Seen {
            metric_type: self.family.metric_type,
            help: self.help_line,
            typed: self.type_line || self.has_samples(),
            unit: self.unit_line,
        }
    }

    /// Applies a `# HELP` line. `None` is an OpenMetrics empty HELP, which counts as absent.
    pub(super) fn set_help(&mut self, help: Option<Cow<'a, str>>, at: Pos) -> Result<(), Fault> {
        if self.help_line {
            return Err(at.error(ParseErrorKind::SecondHelp {
                name: self.name.into(),
            }));
        }
        if help.is_none() {
            return Ok(());
        }
        self.metadata_before_samples("HELP", at)?;
        self.help_line = true;
        self.family.help = help;
        Ok(())
    }

    /// Applies a `# TYPE` line.
    pub(super) fn set_type(&mut self, t: MetricType, at: Pos) -> Result<(), Fault> {
        if self.type_line || self.has_samples() {
            return Err(at.error(ParseErrorKind::SecondType {
                name: self.name.into(),
            }));
        }
        self.type_line = true;
        self.family.metric_type = t;
        Ok(())
    }

    /// Applies an OpenMetrics `# UNIT` line. `None` is an empty UNIT, which counts as absent.
    pub(super) fn set_unit(&mut self, unit: Option<&'a str>, at: Pos) -> Result<(), Fault> {
        if self.unit_line {
            return Err(at.error(ParseErrorKind::SecondUnit {
                name: self.name.into(),
            }));
        }
        let Some(unit) = unit else {
            return Ok(());
        };
        self.metadata_before_samples("UNIT", at)?;
        let fits = self
            .name
            .strip_suffix(unit)
            .is_some_and(|rest| rest.ends_with('_'));
        if !fits {
            return Err(at.error(ParseErrorKind::UnitMismatch {
                name: self.name.into(),
                unit: unit.into(),
            }));
        }
        self.unit_line = true;
        self.unit_at = at;
        self.family.unit = Some(Cow::Borrowed(unit));
        Ok(())
    }

    fn metadata_before_samples(&self, keyword: &'static str, at: Pos) -> Result<(), Fault> {
        if self.openmetrics && self.has_samples() {
            return Err(at.error(ParseErrorKind::MetadataAfterSamples {
                name: self.name.into(),
                keyword,
            }));
        }
        Ok(())
    }

    /// Adds a sample that is a whole metric (the value of a gauge, an untyped metric or a
    /// 0.0.4 counter): its label set must be new.
    #[inline]
    #[expect(
        clippy::too_many_arguments,
        reason = "the hot path of every scalar sample: its parts, not a struct built per line"
    )]
    pub(super) fn add_value(
        &mut self,
        name: &'a str,
        labels: Vec<Label<'a>>,
        hash: u64,
        value: Value,
        timestamp: Option<Timestamp>,
        at: Pos,
        value_at: Pos,
        value_text: &'a str,
    ) -> Result<(), Fault> {
        match self.family.metric_type {
            MetricType::StateSet => {
                if !matches!(value.as_f64(), 0.0 | 1.0) {
                    return Err(value_at.error(ParseErrorKind::BadValue {
                        expected: "0 or 1 (a state)",
                        found: value_text.into(),
                    }));
                }
                if !labels.iter().any(|l| l.name == self.family.name) {
                    return Err(at.error(ParseErrorKind::MissingLabel {
                        name: name.into(),
                        label: "<family name>",
                    }));
                }
            }
            MetricType::Info if value.as_f64() != 1.0 => {
                return Err(value_at.error(ParseErrorKind::BadValue {
                    expected: "1 (an info value)",
                    found: value_text.into(),
                }));
            }
            _ => {}
        }
        let index = self.family.metrics.len();
        match self.index.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(index);
                self.chain.push(NONE);
            }
            Entry::Occupied(mut slot) => {
                let head = *slot.get();
                if let Some(i) = find(&self.family.metrics, &self.chain, head, &labels) {
                    // OpenMetrics: more points of one metric, timestamps increasing.
                    let later = self.openmetrics
                        && matches!(
                            (self.family.metrics[i].timestamp, timestamp),
                            (Some(a), Some(b)) if b > a
                        );
                    if !later {
                        return Err(at.error(ParseErrorKind::DuplicateSeries { name: name.into() }));
                    }
                }
                slot.insert(index);
                self.chain.push(head);
            }
        }
        self.family.metrics.push(Metric {
            labels,
            value: MetricValue::Scalar(value),
            timestamp,
            created: None,
            exemplars: Vec::new(),
        });
        Ok(())
    }

    /// Adds a sample that is one part of a metric (a bucket, a sum, a total, ...).
    pub(super) fn add_part(&mut self, mut s: Sample<'a>) -> Result<(), Fault> {
        let mut found = self
            .index
            .get(&s.hash)
            .and_then(|&head| find(&self.family.metrics, &self.chain, head, &s.labels));
        if let Some(i) = found
            && self.openmetrics
            && matches!(
                (self.family.metrics[i].timestamp, s.timestamp),
                (Some(a), Some(b)) if b > a
            )
        {
            // OpenMetrics: the next point of the same metric (its timestamps increase; each
            // point's samples share one), right after the previous one. The finished point
            // is checked with the others.
            if i != self.last {
                return Err(s.at.error(ParseErrorKind::InterleavedMetric {
                    name: self.name.into(),
                }));
            }
            found = None;
        }
        if let Some(i) = found
            && self.openmetrics
            && matches!(
                (self.family.metrics[i].timestamp, s.timestamp),
                (Some(a), Some(b)) if b < a
            )
        {
            return Err(s.timestamp_at.error(ParseErrorKind::BadTimestamp {
                expected: "a timestamp after the metric's previous point",
                found: s.timestamp_text.into(),
            }));
        }
        let i = match found {
            Some(i) => i,
            None => self.new_part_metric(&mut s),
        };
        let metric = &mut self.family.metrics[i];
        let parts = &mut self.parts[i];
        let duplicate = || {
            s.at.error(ParseErrorKind::DuplicateSeries {
                name: s.name.into(),
            })
        };
        let filled = match (&metric.value, s.kind) {
            (_, SampleKind::Sum) => parts.sum,
            (_, SampleKind::Count) => parts.count,
            (_, SampleKind::Total | SampleKind::Value) => parts.total,
            (_, SampleKind::Created) => metric.created.is_some(),
            (MetricValue::Histogram(h), SampleKind::Bucket) => h
                .buckets
                .last()
                .is_some_and(|b| Some(b.upper_bound) == s.special),
            (MetricValue::Summary(q), SampleKind::Quantile) => q
                .quantiles
                .last()
                .is_some_and(|q| Some(q.quantile) == s.special),
            _ => false,
        };
        if filled {
            return Err(duplicate());
        }
        if self.openmetrics && found.is_some() && i != self.last {
            return Err(s.at.error(ParseErrorKind::InterleavedMetric {
                name: self.name.into(),
            }));
        }
        self.last = i;
        if found.is_some() && metric.timestamp != s.timestamp {
            return Err(s.timestamp_at.error(ParseErrorKind::BadTimestamp {
                expected: "the timestamp of the metric's other samples",
                found: if s.timestamp_text.is_empty() {
                    "none".into()
                } else {
                    s.timestamp_text.into()
                },
            }));
        }
        let bad_count = || {
            s.value_at.error(ParseErrorKind::BadValue {
                expected: "non-negative integer",
                found: s.value_text.into(),
            })
        };
        match (&mut metric.value, s.kind) {
            (MetricValue::Scalar(v), SampleKind::Total | SampleKind::Value) => {
                let f = s.value.as_f64();
                if f.is_nan() || f < 0.0 {
                    return Err(s.value_at.error(ParseErrorKind::BadValue {
                        expected: "non-negative counter total",
                        found: s.value_text.into(),
                    }));
                }
                *v = s.value;
                parts.total = true;
                if let Some(ex) = s.exemplar.take() {
                    metric.exemplars = vec![Some(ex)];
                }
            }
            (_, SampleKind::Created) => metric.created = Some(s.value.as_f64()),
            (MetricValue::Histogram(h), SampleKind::Bucket) => {
                let upper_bound = s.special.unwrap_or(f64::NAN);
                let cumulative_count = number::count(s.value).ok_or_else(bad_count)?;
                if self.openmetrics
                    && h.buckets
                        .last()
                        .is_some_and(|b| b.upper_bound > upper_bound)
                {
                    return Err(s.at.error(ParseErrorKind::InvalidDistribution {
                        name: self.name.into(),
                        metric_type: self.family.metric_type,
                        reason: "buckets are not in increasing `le` order",
                    }));
                }
                if let Some(ex) = s.exemplar.take() {
                    metric.exemplars.resize(h.buckets.len(), None);
                    metric.exemplars.push(Some(ex));
                }
                h.buckets.push(Bucket {
                    upper_bound,
                    cumulative_count,
                });
            }
            (MetricValue::Histogram(h), SampleKind::Sum) => {
                h.sum = Some(s.value.as_f64());
                parts.sum = true;
            }
            (MetricValue::Histogram(h), SampleKind::Count) => {
                h.count = Some(number::count(s.value).ok_or_else(bad_count)?);
                parts.count = true;
            }
            (MetricValue::Summary(q), SampleKind::Quantile) => q.quantiles.push(Quantile {
                quantile: s.special.unwrap_or(f64::NAN),
                value: s.value.as_f64(),
            }),
            (MetricValue::Summary(q), SampleKind::Sum) => {
                q.sum = Some(s.value.as_f64());
                parts.sum = true;
            }
            (MetricValue::Summary(q), SampleKind::Count) => {
                q.count = Some(number::count(s.value).ok_or_else(bad_count)?);
                parts.count = true;
            }
            // `SampleKind::of` only gives kinds that fit the family's type, and the type
            // cannot change once there are samples.
            _ => {
                return Err(s.at.error(ParseErrorKind::SampleNameMismatch {
                    sample: s.name.into(),
                    family: self.name.into(),
                    metric_type: self.family.metric_type,
                }));
            }
        }
        Ok(())
    }

    /// Starts a metric assembled from parts.
    fn new_part_metric(&mut self, s: &mut Sample<'a>) -> usize {
        let i = self.family.metrics.len();
        let head = self.index.insert(s.hash, i).unwrap_or(NONE);
        self.chain.push(head);
        self.parts.push(Parts {
            at: s.at,
            sum: false,
            count: false,
            total: false,
        });
        let value = match self.family.metric_type {
            MetricType::Histogram | MetricType::GaugeHistogram => {
                MetricValue::Histogram(Histogram::default())
            }
            MetricType::Summary => MetricValue::Summary(Summary::default()),
            _ => MetricValue::Scalar(Value::U64(0)),
        };
        self.family.metrics.push(Metric {
            labels: std::mem::take(&mut s.labels),
            value,
            timestamp: s.timestamp,
            created: None,
            exemplars: Vec::new(),
        });
        i
    }

    /// Checks the metrics assembled from parts and returns the family.
    pub(super) fn finish(mut self) -> Result<(MetricFamily<'a>, Seen, Spare), Fault> {
        let seen = self.seen();
        let name = self.name;
        let t = self.family.metric_type;
        if let (Some(unit), MetricType::StateSet | MetricType::Info) = (&self.family.unit, t) {
            // The UNIT line may come before the TYPE line; the rule is checked here.
            return Err(self.unit_at.error(ParseErrorKind::UnitMismatch {
                name: name.into(),
                unit: unit.as_ref().into(),
            }));
        }
        for (metric, parts) in self.family.metrics.iter_mut().zip(&self.parts) {
            check(name, t, self.openmetrics, metric, parts)?;
        }
        let spare = Spare {
            index: self.index,
            chain: self.chain,
            parts: self.parts,
        };
        Ok((self.family, seen, spare))
    }
}

/// The metric with `labels` in the chain starting at `head`.
fn find(
    metrics: &[Metric<'_>],
    chain: &[usize],
    head: usize,
    labels: &[Label<'_>],
) -> Option<usize> {
    let mut i = head;
    while i != NONE {
        if same_labels(&metrics[i].labels, labels) {
            return Some(i);
        }
        i = chain[i];
    }
    None
}

/// Checks a finished metric assembled from parts; sorts buckets and quantiles.
fn check(
    name: &str,
    metric_type: MetricType,
    openmetrics: bool,
    metric: &mut Metric<'_>,
    parts: &Parts,
) -> Result<(), Fault> {
    let missing = |sample| {
        parts.at.error(ParseErrorKind::MissingSample {
            name: name.into(),
            sample,
        })
    };
    let invalid = |reason| {
        parts.at.error(ParseErrorKind::InvalidDistribution {
            name: name.into(),
            metric_type,
            reason,
        })
    };
    let gauge = metric_type == MetricType::GaugeHistogram;
    match &mut metric.value {
        MetricValue::Scalar(_) => {
            if !parts.total {
                return Err(missing("_total"));
            }
        }
        MetricValue::Histogram(h) => {
            if !h
                .buckets
                .is_sorted_by(|a, b| a.upper_bound <= b.upper_bound)
            {
                h.buckets
                    .sort_unstable_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
            }
            if h.buckets
                .windows(2)
                .any(|w| w[0].upper_bound == w[1].upper_bound)
            {
                return Err(parts.at.error(ParseErrorKind::DuplicateSeries {
                    name: format!("{name}_bucket").into(),
                }));
            }
            if h.buckets
                .windows(2)
                .any(|w| w[0].cumulative_count > w[1].cumulative_count)
            {
                return Err(invalid("bucket counts decrease"));
            }
            let Some(inf) = h.buckets.last().filter(|b| b.upper_bound == f64::INFINITY) else {
                return Err(parts
                    .at
                    .error(ParseErrorKind::MissingInfBucket { name: name.into() }));
            };
            let (sum, count) = if gauge {
                ("_gsum", "_gcount")
            } else {
                ("_sum", "_count")
            };
            // OpenMetrics: a sum if and only if a count. Text 0.0.4 does not say; Prometheus'
            // parser takes either alone.
            if openmetrics && parts.sum != parts.count {
                return Err(missing(if parts.sum { count } else { sum }));
            }
            if let Some(c) = h.count
                && inf.cumulative_count != c
            {
                return Err(invalid("the `+Inf` bucket differs from the count"));
            }
            if openmetrics && let Some(s) = h.sum {
                let negative_bucket = h.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
                if !gauge && (negative_bucket || s.is_nan() || s < 0.0) {
                    return Err(invalid(
                        "a histogram with a negative bucket or sum has no `_sum`",
                    ));
                }
                if gauge && s.is_nan() {
                    return Err(invalid("`_gsum` is NaN"));
                }
            }
        }
        MetricValue::Summary(s) => {
            if !s.quantiles.is_sorted_by(|a, b| a.quantile <= b.quantile) {
                s.quantiles
                    .sort_unstable_by(|a, b| a.quantile.total_cmp(&b.quantile));
            }
            if s.quantiles
                .windows(2)
                .any(|w| w[0].quantile == w[1].quantile)
            {
                return Err(parts
                    .at
                    .error(ParseErrorKind::DuplicateSeries { name: name.into() }));
            }
            if openmetrics && s.sum.is_some_and(|v| v.is_nan() || v < 0.0) {
                return Err(invalid("`_sum` is negative or NaN"));
            }
            if openmetrics && s.quantiles.iter().any(|q| q.value < 0.0) {
                return Err(invalid("a quantile value is negative"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_faults, families, name};
    use crate::{Bucket, Format, MetricType, MetricValue, ParseErrorKind as K, Quantile};

    const H: &str = "# TYPE h histogram\n";
    const S: &str = "# TYPE s summary\n";

    fn histogram(body: &str, format: Format) -> Vec<crate::Histogram> {
        let eof = if format == Format::OpenMetrics {
            "# EOF\n"
        } else {
            ""
        };
        let input = format!("{H}{body}{eof}");
        families(&input, format)[0]
            .metrics
            .iter()
            .map(|m| match &m.value {
                MetricValue::Histogram(h) => h.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn bucket(upper_bound: f64, cumulative_count: u64) -> Bucket {
        Bucket {
            upper_bound,
            cumulative_count,
        }
    }

    #[test]
    fn histograms() {
        for format in [Format::Text, Format::OpenMetrics] {
            let h = histogram(
                "h_bucket{a=\"1\",le=\"0.5\"} 1\nh_bucket{le=\"1e1\",a=\"1\"} 2.0\n\
                 h_bucket{a=\"1\",le=\"+Inf\"} 3e0\nh_sum{a=\"1\"} 4.5\nh_count{a=\"1\"} 3\n\
                 h_bucket{a=\"2\",le=\"+Inf\"} 0\nh_count{a=\"2\"} 0\nh_sum{a=\"2\"} 0\n",
                format,
            );
            assert_eq!(h.len(), 2, "{format}");
            assert_eq!(
                h[0].buckets,
                [bucket(0.5, 1), bucket(10.0, 2), bucket(f64::INFINITY, 3)]
            );
            assert_eq!((h[0].sum, h[0].count), (Some(4.5), Some(3)));
            assert_eq!(h[1].buckets, [bucket(f64::INFINITY, 0)]);
        }
        // 0.0.4 takes buckets in any order and metrics interleaved, as Go does.
        let h = histogram(
            "h_bucket{a=\"1\",le=\"+Inf\"} 3\nh_bucket{a=\"2\",le=\"+Inf\"} 1\n\
             h_bucket{a=\"1\",le=\"1\"} 2\nh_sum{a=\"2\"} 1\nh_count{a=\"2\"} 1\n\
             h_sum{a=\"1\"} 1\nh_count{a=\"1\"} 3\n",
            Format::Text,
        );
        assert_eq!(h[0].buckets, [bucket(1.0, 2), bucket(f64::INFINITY, 3)]);
        let f = families(
            "# TYPE h histogram\nh_bucket{le=\"+Inf\",x=\"y\"} 1 5\nh_sum{x=\"y\"} 1 5\nh_count{x=\"y\"} 1 5\n",
            Format::Text,
        );
        assert_eq!(f[0].metrics[0].labels.len(), 1);
        assert_eq!(
            f[0].metrics[0].timestamp,
            Some(crate::Timestamp::from_millis(5))
        );
    }

    #[test]
    fn summaries() {
        for format in [Format::Text, Format::OpenMetrics] {
            let eof = if format == Format::OpenMetrics {
                "# EOF\n"
            } else {
                ""
            };
            let input = format!(
                "{S}s{{quantile=\"0.9\"}} 2\ns{{quantile=\"0.5\"}} NaN\ns_sum 7.5\ns_count 4\n{eof}"
            );
            let f = families(&input, format);
            assert_eq!(f[0].metric_type, MetricType::Summary);
            let MetricValue::Summary(s) = &f[0].metrics[0].value else {
                panic!("not a summary");
            };
            assert_eq!(s.quantiles.len(), 2);
            assert_eq!(s.quantiles[0].quantile, 0.5);
            assert!(s.quantiles[0].value.is_nan());
            assert_eq!(
                s.quantiles[1],
                Quantile {
                    quantile: 0.9,
                    value: 2.0
                }
            );
            assert_eq!((s.sum, s.count), (Some(7.5), Some(4)));
        }
    }

    #[test]
    fn rejected_in_both_formats() {
        for format in [Format::Text, Format::OpenMetrics] {
            let eof = if format == Format::OpenMetrics {
                "# EOF\n"
            } else {
                ""
            };
            let cases: Vec<(String, usize, usize, K)> = [
                (
                    "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
                    2,
                    1,
                    K::MissingInfBucket { name: name("h") },
                ),
                (
                    "h_sum 1\nh_count 1\n",
                    2,
                    1,
                    K::MissingInfBucket { name: name("h") },
                ),
                (
                    "h_bucket 1\n",
                    2,
                    1,
                    K::MissingLabel {
                        name: name("h_bucket"),
                        label: "le",
                    },
                ),
                (
                    "h_bucket{le=\"x\"} 1\n",
                    2,
                    14,
                    K::BadLabelNumber {
                        label: "le",
                        found: name("x"),
                    },
                ),
                (
                    "h_bucket{le=\"NaN\"} 1\n",
                    2,
                    14,
                    K::InvalidDistribution {
                        name: name("h_bucket"),
                        metric_type: MetricType::Histogram,
                        reason: "bucket bound is NaN",
                    },
                ),
                (
                    "h_bucket{le=\"1\",le=\"2\"} 1\n",
                    2,
                    17,
                    K::DuplicateLabelName { name: name("le") },
                ),
                (
                    "h_sum{le=\"1\"} 1\n",
                    2,
                    7,
                    K::ReservedLabelName { name: name("le") },
                ),
                (
                    "h 1\n",
                    2,
                    1,
                    K::SampleNameMismatch {
                        sample: name("h"),
                        family: name("h"),
                        metric_type: MetricType::Histogram,
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1.5\n",
                    2,
                    21,
                    K::BadValue {
                        expected: "non-negative integer",
                        found: name("1.5"),
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} -1\n",
                    2,
                    21,
                    K::BadValue {
                        expected: "non-negative integer",
                        found: name("-1"),
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1e20\n",
                    2,
                    21,
                    K::BadValue {
                        expected: "non-negative integer",
                        found: name("1e20"),
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1\nh_count NaN\n",
                    3,
                    9,
                    K::BadValue {
                        expected: "non-negative integer",
                        found: name("NaN"),
                    },
                ),
                (
                    "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
                    2,
                    1,
                    K::InvalidDistribution {
                        name: name("h"),
                        metric_type: MetricType::Histogram,
                        reason: "bucket counts decrease",
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n",
                    2,
                    1,
                    K::InvalidDistribution {
                        name: name("h"),
                        metric_type: MetricType::Histogram,
                        reason: "the `+Inf` bucket differs from the count",
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"+Inf\"} 1\n",
                    3,
                    1,
                    K::DuplicateSeries {
                        name: name("h_bucket"),
                    },
                ),
                (
                    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_sum 1\n",
                    4,
                    1,
                    K::DuplicateSeries {
                        name: name("h_sum"),
                    },
                ),
                (
                    // (A later timestamp would start the next point in OpenMetrics.)
                    "h_bucket{le=\"+Inf\"} 1 1000\nh_sum 1 1000\nh_count 1\n",
                    4,
                    10,
                    K::BadTimestamp {
                        expected: "the timestamp of the metric's other samples",
                        found: name("none"),
                    },
                ),
            ]
            .into_iter()
            .map(|(body, line, column, kind)| (format!("{H}{body}{eof}"), line, column, kind))
            .collect();
            let mut summaries: Vec<(String, usize, usize, K)> = [
                ("s 1\n", 2, 1, K::MissingLabel { name: name("s"), label: "quantile" }),
                ("s{quantile=\"1.5\"} 1\n", 2, 13, K::InvalidDistribution { name: name("s"), metric_type: MetricType::Summary, reason: "quantile outside [0, 1]" }),
                ("s{quantile=\"-0.1\"} 1\n", 2, 13, K::InvalidDistribution { name: name("s"), metric_type: MetricType::Summary, reason: "quantile outside [0, 1]" }),
                ("s_count{quantile=\"0.5\"} 1\n", 2, 9, K::ReservedLabelName { name: name("quantile") }),
                ("s{quantile=\"0.5\"} 1\ns{quantile=\"0.5\"} 1\n", 3, 1, K::DuplicateSeries { name: name("s") }),
                ("s{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 1\ns{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\n", 2, 1, K::DuplicateSeries { name: name("s") }),
                ("s_count 1.5\n", 2, 9, K::BadValue { expected: "non-negative integer", found: name("1.5") }),
            ]
            .into_iter()
            .map(|(body, line, column, kind)| (format!("{S}{body}{eof}"), line, column, kind))
            .collect();
            let mut all = cases;
            all.append(&mut summaries);
            let borrowed: Vec<_> = all
                .iter()
                .map(|(input, line, column, kind)| (input.as_str(), *line, *column, kind.clone()))
                .collect();
            check_faults(format, &borrowed);
        }
    }

    #[test]
    fn openmetrics_histogram_order() {
        let cases = [
            (
                "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n# EOF\n",
                3,
                1,
                K::InvalidDistribution {
                    name: name("h"),
                    metric_type: MetricType::Histogram,
                    reason: "buckets are not in increasing `le` order",
                },
            ),
            (
                "# TYPE h histogram\nh_bucket{a=\"1\",le=\"+Inf\"} 1\nh_bucket{a=\"2\",le=\"+Inf\"} 1\nh_count{a=\"1\"} 1\n# EOF\n",
                4,
                1,
                K::InterleavedMetric { name: name("h") },
            ),
            // OpenMetrics: a sum if and only if a count (text takes either alone).
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n# EOF\n",
                2,
                1,
                K::MissingSample {
                    name: name("h"),
                    sample: "_count",
                },
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n# EOF\n",
                2,
                1,
                K::MissingSample {
                    name: name("h"),
                    sample: "_sum",
                },
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\nh_created 1\nh_created 2\n# EOF\n",
                6,
                1,
                K::DuplicateSeries {
                    name: name("h_created"),
                },
            ),
        ];
        check_faults(Format::OpenMetrics, &cases);
    }
}
