//! proptest strategies for sets of valid families, shared by the round-trip properties and the
//! conformance corpus.

use expfmt::{
    Bucket, Exemplar, Histogram, Label, Metric, MetricFamily, MetricType, MetricValue, Quantile,
    Summary, Timestamp, Value,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Label values and help texts: the characters that need escaping, Unicode, and plain text.
pub(crate) fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9._-]{0,12}",
        "[ -~]{0,16}",
        "(\\\\|\"|\n|a|é|✓| ){0,10}",
        any::<String>().prop_map(|s| s.chars().filter(|c| *c != '\r').take(12).collect()),
    ]
}

pub(crate) fn arb_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(1e6),
        Just(1e16),
        Just(1e-5),
        -1e9..1e9f64,
        (0u64..1_000_000).prop_map(|n| n as f64 / 1000.0),
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("not NaN", |v| !v.is_nan()),
    ]
}

fn arb_non_negative() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(f64::INFINITY),
        0.0..1e12f64,
        (0u64..1000).prop_map(|n| n as f64)
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_f64().prop_map(Value::F64),
        any::<u64>().prop_map(Value::U64),
        any::<i64>().prop_map(Value::I64),
    ]
}

fn arb_counter_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_non_negative().prop_map(Value::F64),
        any::<u64>().prop_map(Value::U64),
    ]
}

fn arb_histogram() -> impl Strategy<Value = Histogram> {
    (
        vec((0.0..1e6f64, 0u64..100), 0..5),
        0u64..100,
        arb_non_negative(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(raw, extra, sum, explicit_inf, totals)| {
            let mut bounds: Vec<f64> = raw.iter().map(|(b, _)| *b).collect();
            bounds.sort_by(f64::total_cmp);
            bounds.dedup();
            let mut total = 0;
            let mut buckets: Vec<Bucket> = bounds
                .iter()
                .zip(&raw)
                .map(|(&upper_bound, (_, n))| {
                    total += n;
                    Bucket {
                        upper_bound,
                        cumulative_count: total,
                    }
                })
                .collect();
            let count = total + extra;
            if explicit_inf {
                buckets.push(Bucket {
                    upper_bound: f64::INFINITY,
                    cumulative_count: count,
                });
            }
            // OpenMetrics: a sum and a count, or neither (then the `+Inf` bucket is written).
            let totals = totals || !explicit_inf;
            Histogram {
                buckets,
                sum: totals.then_some(sum),
                count: totals.then_some(count),
            }
        })
}

fn arb_summary() -> impl Strategy<Value = Summary> {
    (
        // OpenMetrics forbids negative quantile values.
        vec(
            (
                0.0..=1.0f64,
                prop_oneof![arb_non_negative(), Just(f64::NAN)],
            ),
            0..4,
        ),
        proptest::option::of(arb_non_negative()),
        proptest::option::of(0u64..1000),
    )
        .prop_map(|(mut qs, sum, count)| {
            qs.sort_by(|a, b| a.0.total_cmp(&b.0));
            qs.dedup_by(|a, b| a.0 == b.0);
            // A summary with no quantile, sum or count writes no line: nothing to read back.
            let count = if qs.is_empty() && sum.is_none() {
                Some(count.unwrap_or(0))
            } else {
                count
            };
            Summary {
                quantiles: qs
                    .into_iter()
                    .map(|(quantile, value)| Quantile { quantile, value })
                    .collect(),
                sum,
                count,
            }
        })
}

/// An exemplar within OpenMetrics' limit (at most 2 labels of at most 7 + 16 characters).
fn arb_exemplar() -> impl Strategy<Value = Exemplar<'static>> {
    (
        vec(("[a-z][a-z0-9_]{0,6}", arb_text()), 0..3),
        arb_f64(),
        proptest::option::of(-4_000_000_000_000_000_000i128..4_000_000_000_000_000_000),
    )
        .prop_map(|(mut labels, value, ns)| {
            labels.sort_by(|a, b| a.0.cmp(&b.0));
            labels.dedup_by(|a, b| a.0 == b.0);
            Exemplar {
                labels: labels.into_iter().map(|(n, v)| Label::new(n, v)).collect(),
                value,
                timestamp: ns.map(Timestamp::from_nanos),
            }
        })
}

/// Exemplars for `value` of type `t`: on a counter's total, on histogram buckets; none
/// after the last one (as the parser returns them).
fn fit_exemplars(
    t: MetricType,
    value: &MetricValue,
    mut exemplars: Vec<Option<Exemplar<'static>>>,
) -> Vec<Option<Exemplar<'static>>> {
    let slots = match (t, value) {
        (MetricType::Counter, _) => 1,
        (_, MetricValue::Histogram(h)) => h.buckets.len(),
        _ => 0,
    };
    exemplars.truncate(slots);
    while exemplars.last().is_some_and(Option::is_none) {
        exemplars.pop();
    }
    exemplars
}

fn arb_type() -> impl Strategy<Value = MetricType> {
    prop_oneof![
        Just(MetricType::Counter),
        Just(MetricType::Gauge),
        Just(MetricType::Untyped),
        Just(MetricType::Histogram),
        Just(MetricType::Summary),
    ]
}

/// One family with index `i` (names are `f<i>_<tail>`, so distinct indexes never clash, not
/// even through `_sum`/`_count`/`_bucket`/`_total`/`_created`).
fn arb_family(i: usize) -> impl Strategy<Value = MetricFamily<'static>> {
    (
        arb_type(),
        "[a-z][a-z0-9]{0,7}",
        // The text format cannot carry leading or trailing blanks in HELP.
        proptest::option::of(arb_text().prop_map(|h| h.trim_matches([' ', '\t']).to_owned())),
        proptest::option::of("[a-z]{1,6}"),
        vec("[a-z][a-z0-9_]{0,6}", 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(move |(t, tail, help, unit, mut label_names, ts, created)| {
            label_names.sort();
            label_names.dedup();
            label_names.retain(|n| n != "le" && n != "quantile");
            let name = match &unit {
                Some(u) => format!("f{i}_{tail}_{u}"),
                None => format!("f{i}_{tail}"),
            };
            let n_labels = label_names.len();
            let metric = (
                vec(arb_text(), n_labels),
                match t {
                    MetricType::Histogram => {
                        arb_histogram().prop_map(MetricValue::Histogram).boxed()
                    }
                    MetricType::Summary => arb_summary().prop_map(MetricValue::Summary).boxed(),
                    MetricType::Counter => {
                        arb_counter_value().prop_map(MetricValue::Scalar).boxed()
                    }
                    _ => arb_value().prop_map(MetricValue::Scalar).boxed(),
                },
                0i64..4_000_000_000_000,
                0.0..2e9f64,
                vec(proptest::option::of(arb_exemplar()), 0..4),
            );
            vec(metric, 0..4).prop_map(move |metrics| {
                let mut seen = std::collections::HashSet::new();
                let mut family = MetricFamily::new(name.clone(), t);
                family.help = help.clone().map(Into::into);
                family.unit = unit.clone().map(Into::into);
                for (values, value, ms, c, exemplars) in metrics {
                    // One metric per label set.
                    if !seen.insert(values.clone()) {
                        continue;
                    }
                    let exemplars = fit_exemplars(t, &value, exemplars);
                    family.metrics.push(Metric {
                        labels: label_names
                            .iter()
                            .zip(values)
                            .map(|(n, v)| Label::new(n.clone(), v))
                            .collect(),
                        value,
                        timestamp: ts.then_some(Timestamp::from_millis(ms)),
                        created: (created && t != MetricType::Gauge && t != MetricType::Untyped)
                            .then_some(c),
                        exemplars,
                    });
                }
                family
            })
        })
}

/// A set of 1 to 6 families with distinct, non-clashing names.
pub(crate) fn arb_families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    (1usize..=6).prop_flat_map(|n| (0..n).map(arb_family).collect::<Vec<_>>())
}
