//! Property: encode → parse gives back every family exactly, in every format and float style.

use expfmt::{
    Bucket, FloatStyle, Format, Histogram, Metric, MetricFamily, MetricValue, Value,
    is_valid_label_name, is_valid_metric_name, sanitize_label_name, sanitize_metric_name,
};
use proptest::prelude::*;

use crate::golden::{VARIANTS, encode};
use crate::strategies::arb_families;

/// What the parser must return for `f` written in `format` with `style`.
fn expected(f: &MetricFamily<'static>, format: Format) -> MetricFamily<'static> {
    let mut f = f.clone();
    if f.help.as_deref() == Some("") && format == Format::OpenMetrics {
        // OpenMetrics: an empty HELP is the same as none.
        f.help = None;
    }
    if format == Format::Text {
        // Text 0.0.4 has no UNIT line and no `_created` samples.
        f.unit = None;
        for m in &mut f.metrics {
            m.created = None;
            m.exemplars.clear();
        }
    }
    for m in &mut f.metrics {
        if let MetricValue::Histogram(h) = &mut m.value
            && h.buckets
                .last()
                .is_none_or(|b| b.upper_bound != f64::INFINITY)
        {
            h.buckets.push(Bucket {
                upper_bound: f64::INFINITY,
                cumulative_count: h.count.unwrap_or_default(),
            });
        }
    }
    f
}

fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Values are equal bit for bit; under the Go layout an integral float is written without
/// `.0` and reads back as an integer of the same value, and a non-negative `I64` reads back as
/// the same `U64`: those are the only allowed changes.
fn same_value(want: Value, got: Value, style: FloatStyle) -> bool {
    match (want, got) {
        (Value::F64(a), Value::F64(b)) => same_f64(a, b),
        (Value::F64(a), Value::U64(_) | Value::I64(_)) if style == FloatStyle::Go => {
            same_f64(a, got.as_f64()) && a.fract() == 0.0
        }
        // The text carries an integer, not its Rust type: `I64(5)` reads back as `U64(5)`.
        (Value::I64(a), Value::U64(b)) => u64::try_from(a) == Ok(b),
        (a, b) => a == b,
    }
}

fn same_opt_f64(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_f64(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

fn same_histogram(a: &Histogram, b: &Histogram) -> bool {
    a.count == b.count
        && same_opt_f64(a.sum, b.sum)
        && a.buckets.len() == b.buckets.len()
        && a.buckets.iter().zip(&b.buckets).all(|(x, y)| {
            same_f64(x.upper_bound, y.upper_bound) && x.cumulative_count == y.cumulative_count
        })
}

fn same_metric(want: &Metric<'_>, got: &Metric<'_>, style: FloatStyle) -> bool {
    // Exemplar values are written in the OpenMetrics float layout, whatever the style.
    let same_exemplars = want.exemplars.len() == got.exemplars.len()
        && want
            .exemplars
            .iter()
            .zip(&got.exemplars)
            .all(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => {
                    a.labels == b.labels && a.timestamp == b.timestamp && same_f64(a.value, b.value)
                }
                (a, b) => a.is_none() && b.is_none(),
            });
    same_exemplars
        && want.labels == got.labels
        && want.timestamp == got.timestamp
        && match (want.created, got.created) {
            (Some(a), Some(b)) => same_f64(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
        && match (&want.value, &got.value) {
            (MetricValue::Scalar(a), MetricValue::Scalar(b)) => same_value(*a, *b, style),
            (MetricValue::Histogram(a), MetricValue::Histogram(b)) => same_histogram(a, b),
            (MetricValue::Summary(a), MetricValue::Summary(b)) => {
                a.count == b.count
                    && same_opt_f64(a.sum, b.sum)
                    && a.quantiles.len() == b.quantiles.len()
                    && a.quantiles.iter().zip(&b.quantiles).all(|(x, y)| {
                        same_f64(x.quantile, y.quantile) && same_f64(x.value, y.value)
                    })
            }
            _ => false,
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn encode_then_parse_round_trips(families in arb_families()) {
        for (suffix, format, style) in VARIANTS {
            let text = encode(&families, format, style);
            let parsed = expfmt::parse(&text, format).map_err(|e| {
                TestCaseError::fail(format!("{suffix}: {e}\n{}", String::from_utf8_lossy(&text)))
            })?;
            // Families without metrics and without HELP/TYPE-relevant content still come back.
            prop_assert_eq!(parsed.len(), families.len(), "{}: {}", suffix, String::from_utf8_lossy(&text));
            for (want, got) in families.iter().zip(&parsed) {
                let want = expected(want, format);
                prop_assert_eq!(&want.name, &got.name);
                prop_assert_eq!(want.metric_type, got.metric_type);
                prop_assert_eq!(&want.help, &got.help, "{}", suffix);
                prop_assert_eq!(&want.unit, &got.unit, "{}", suffix);
                prop_assert_eq!(want.metrics.len(), got.metrics.len());
                for (a, b) in want.metrics.iter().zip(&got.metrics) {
                    prop_assert!(same_metric(a, b, style), "{}: {:?} != {:?}\n{}", suffix, a, b, String::from_utf8_lossy(&text));
                }
            }
        }
    }

    #[test]
    fn sanitized_names_always_parse(raw in any::<String>()) {
        let metric = sanitize_metric_name(&raw);
        let label = sanitize_label_name(&raw);
        prop_assert!(is_valid_metric_name(&metric));
        prop_assert!(is_valid_label_name(&label) && !label.starts_with("__"));
        let text = format!("# TYPE {metric} gauge\n{metric}{{{label}=\"v\"}} 1\n");
        let parsed = expfmt::parse(text.as_bytes(), Format::Text);
        prop_assert!(parsed.is_ok(), "{:?}: {}", parsed, text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// OpenMetrics: several points of each metric (timestamps increasing, each point's lines
    /// together) read back as the same metrics, in order.
    #[test]
    fn several_points_round_trip_in_openmetrics(families in arb_families()) {
        let families: Vec<MetricFamily<'static>> = families
            .into_iter()
            .map(|mut f| {
                f.metrics = f
                    .metrics
                    .iter()
                    .flat_map(|m| {
                        let t0 = m.timestamp.map_or(0, expfmt::Timestamp::as_millis);
                        (0..3).map(move |k| Metric {
                            timestamp: Some(expfmt::Timestamp::from_millis(t0 + 1_000 * k)),
                            ..m.clone()
                        })
                    })
                    .collect();
                f
            })
            .collect();
        let text = encode(&families, Format::OpenMetrics, FloatStyle::OpenMetrics);
        let parsed = expfmt::parse(&text, Format::OpenMetrics).map_err(|e| {
            TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&text)))
        })?;
        prop_assert_eq!(parsed.len(), families.len());
        for (want, got) in families.iter().zip(&parsed) {
            let want = expected(want, Format::OpenMetrics);
            prop_assert_eq!(want.metrics.len(), got.metrics.len());
            for (a, b) in want.metrics.iter().zip(&got.metrics) {
                prop_assert!(
                    same_metric(a, b, FloatStyle::OpenMetrics),
                    "{:?} != {:?}\n{}", a, b, String::from_utf8_lossy(&text)
                );
            }
        }
    }
}

/// The prepared encoder writes the same bytes as the one-shot encoder for the scalar families
/// it holds (counters with `_created` excepted: it does not write them).
fn prepared_matches_one_shot(
    families: &[MetricFamily<'static>],
    format: Format,
    style: FloatStyle,
) -> Result<(), TestCaseError> {
    let families: Vec<&MetricFamily<'static>> = families
        .iter()
        .filter(|f| f.metric_type.is_scalar() && f.metrics.iter().all(|m| m.created.is_none()))
        .collect();
    let mut b = expfmt::Encoder::builder();
    b.format(format).float_style(style);
    let mut prep = b.prepare();
    let mut one = Vec::new();
    let mut enc = b.build(&mut one);
    let mut later = Vec::new();
    for f in &families {
        let names: Vec<&str> = f
            .metrics
            .first()
            .map(|m| m.labels.iter().map(|l| l.name.as_ref()).collect())
            .unwrap_or_default();
        let mut desc = expfmt::Desc::new(&f.name, f.metric_type).label_names(&names);
        if let Some(h) = &f.help {
            desc = desc.help(h);
        }
        if let Some(u) = &f.unit {
            desc = desc.unit(u);
        }
        let id = prep
            .family(&desc)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut fam = enc
            .family(&desc)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for m in &f.metrics {
            let values: Vec<&str> = m.labels.iter().map(|l| l.value.as_ref()).collect();
            let MetricValue::Scalar(v) = m.value else {
                unreachable!("scalar families only");
            };
            let s = prep
                .series(id, &values)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            // An earlier scrape's value (of another variant, or another timestamp), which
            // the last value must replace: the prepared encoder renders a value only when it
            // changed.
            let earlier = match f.metric_type {
                expfmt::MetricType::Info => Value::F64(1.0),
                _ => Value::U64(0),
            };
            prep.set_at(s, earlier, expfmt::Timestamp::from_millis(7))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            later.push((s, v, m.timestamp));
            match m.timestamp {
                Some(ts) => fam
                    .sample_at(&values, v, ts)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?,
                None => fam
                    .sample(&values, v)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?,
            }
        }
    }
    let mut out = Vec::new();
    prep.encode(&mut out);
    for (s, v, ts) in later {
        match ts {
            Some(ts) => prep.set_at(s, v, ts),
            None => prep.set(s, v),
        }
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    enc.finish();
    out.clear();
    prep.encode(&mut out);
    prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&one));
    // A second scrape of the same values writes the same bytes.
    out.clear();
    prep.encode(&mut out);
    prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&one));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn prepared_encoder_writes_what_the_one_shot_encoder_writes(families in arb_families()) {
        for (_, format, style) in VARIANTS {
            prepared_matches_one_shot(&families, format, style)?;
        }
    }
}
