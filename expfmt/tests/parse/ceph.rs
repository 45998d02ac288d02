//! ceph-mgr's real `/metrics` output (`testdata/expfmt/ceph/`): the parser agrees with
//! promtool, and what it returns is exactly what the text says.

use expfmt::{Error, Format, MetricType, MetricValue, ParseErrorKind, Parser, Value};

use super::testdata;

/// A sample line as a naive reader sees it: the text before the last space, and the value.
struct Line<'a> {
    series: &'a str,
    name: &'a str,
    value: &'a str,
}

/// The `# TYPE` declarations and sample lines of a mgr exposition, read naively (the mgr
/// writes one sample per line, no timestamps, no escapes).
fn naive(text: &str) -> (Vec<(&str, MetricType)>, Vec<Line<'_>>) {
    let mut types = Vec::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, t) = rest.split_once(' ').unwrap();
            types.push((name, t.parse().unwrap()));
        } else if !line.is_empty() && !line.starts_with('#') {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let name = series.split('{').next().unwrap();
            samples.push(Line {
                series,
                name,
                value,
            });
        }
    }
    (types, samples)
}

/// The line and metric name of promtool's parse error in a `.promtool.txt` file.
fn promtool_error(report: &str) -> (usize, &str) {
    let rest = report
        .split_once("text format parsing error in line ")
        .expect("promtool reported a parse error")
        .1;
    let (line, rest) = rest.split_once(": ").unwrap();
    let name = rest.split('"').nth(1).unwrap();
    (line.parse().unwrap(), name)
}

#[test]
fn pacific_repeats_help_per_pool_and_is_rejected_where_promtool_rejects_it() {
    let input = testdata("ceph/ceph-16.2.15-mgr_prometheus_metrics.txt");
    let report = testdata("ceph/ceph-16.2.15-mgr_prometheus_metrics.promtool.txt");
    let (line, name) = promtool_error(std::str::from_utf8(&report).unwrap());
    assert_eq!((line, name), (584, "ceph_pool_objects_repaired"));

    let err = expfmt::parse(&input, Format::Text).unwrap_err();
    assert_eq!(
        err,
        Error::Parse {
            line,
            column: "# HELP ".len() + 1,
            kind: ParseErrorKind::SecondHelp { name: name.into() },
        }
    );
    assert_eq!(
        err.to_string(),
        "584:8: second HELP line for metric name `ceph_pool_objects_repaired`"
    );

    // Streaming: every family finished before line 584 comes out, then the error. The
    // family being read at line 584 is not finished, so it is not yielded.
    let text = std::str::from_utf8(&input).unwrap();
    let before: String = text
        .lines()
        .take(line - 1)
        .map(|l| format!("{l}\n"))
        .collect();
    let (declared, _) = naive(&before);
    let mut parser = Parser::new(&input, Format::Text);
    let families: Vec<_> = parser.by_ref().map_while(Result::ok).collect();
    let names: Vec<_> = families.iter().map(|f| f.name.as_ref()).collect();
    let expected: Vec<_> = declared[..declared.len() - 1]
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"ceph_pool_objects_repaired"));
    assert!(parser.next().is_none());
}

/// Parses a Reef capture and checks every family and sample against the naive reading.
fn reef(file: &str, families_expected: usize, samples_expected: usize) {
    let input = testdata(file);
    let text = std::str::from_utf8(&input).unwrap();
    let (declared, samples) = naive(text);
    assert_eq!(
        (declared.len(), samples.len()),
        (families_expected, samples_expected)
    );

    let families = expfmt::parse(&input, Format::Text).unwrap();
    let got: Vec<_> = families
        .iter()
        .map(|f| (f.name.as_ref(), f.metric_type))
        .collect();
    assert_eq!(got, declared);

    let mut lines = samples.iter();
    for family in &families {
        assert!(
            family.help.as_deref().is_some_and(|h| !h.is_empty()),
            "{}",
            family.name
        );
        assert_eq!(family.unit, None);
        for metric in &family.metrics {
            let line = lines.next().unwrap();
            assert_eq!(line.name, family.name);
            // The labels, written back the way the mgr writes them, give the line again.
            let labels: Vec<_> = metric
                .labels
                .iter()
                .map(|l| format!("{}=\"{}\"", l.name, l.value))
                .collect();
            let series = if labels.is_empty() {
                family.name.to_string()
            } else {
                format!("{}{{{}}}", family.name, labels.join(","))
            };
            assert_eq!(series, line.series);
            // The mgr writes every value with Python's `repr(float)`: always a float here,
            // bit for bit what Rust reads from the same text.
            let want: f64 = line.value.parse().unwrap();
            match metric.value {
                MetricValue::Scalar(Value::F64(v)) => {
                    assert_eq!(v.to_bits(), want.to_bits(), "{}", line.series);
                }
                ref other => panic!("{}: {other:?}", line.series),
            }
            assert_eq!((metric.timestamp, metric.created), (None, None));
        }
    }
    assert!(lines.next().is_none());
}

#[test]
fn reef_parses_like_promtool_and_exactly_as_written() {
    let report = testdata("ceph/ceph-18.2.7-mgr_prometheus_metrics.promtool.txt");
    assert!(
        String::from_utf8(report)
            .unwrap()
            .contains("exit status: 3")
    );
    reef("ceph/ceph-18.2.7-mgr_prometheus_metrics.txt", 109, 443);

    let input = testdata("ceph/ceph-18.2.7-mgr_prometheus_metrics.txt");
    let families = expfmt::parse(&input, Format::Text).unwrap();
    let family = |name: &str| families.iter().find(|f| f.name == name).unwrap();
    // Declared without samples on a healthy cluster: kept, with its metadata.
    let detail = family("ceph_health_detail");
    assert_eq!(
        (detail.metric_type, detail.metrics.len()),
        (MetricType::Gauge, 0)
    );
    // Reef fixed the per-pool duplicate blocks: one family, one metric per pool.
    let repaired = family("ceph_pool_objects_repaired");
    assert_eq!(repaired.metric_type, MetricType::Counter);
    assert_eq!(repaired.metrics.len(), 5);
    assert!(
        repaired
            .metrics
            .iter()
            .all(|m| m.labels[0].name == "pool_id")
    );
    // A counter family whose name ends in `_sum` stays a counter of its own.
    let sum = family("ceph_prometheus_collect_duration_seconds_sum");
    assert_eq!(sum.metric_type, MetricType::Counter);
    assert!(sum.metrics.iter().all(|m| m.labels[0].name == "method"));
    // Label values with spaces and parentheses are read whole.
    let mds = family("ceph_mds_metadata");
    assert!(mds.metrics.iter().all(|m| {
        m.labels.iter().any(|l| {
            l.name == "ceph_version"
                && l.value
                    == "ceph version 18.2.7 (6b0e988052ec84cf2d4a54ff9bbbc5e720b621ad) reef (stable)"
        })
    }));
}

#[test]
fn reef_with_perf_counters_parses_like_promtool() {
    let report = testdata("ceph/ceph-18.2.7-mgr_prometheus_metrics_with_perf.promtool.txt");
    assert!(
        String::from_utf8(report)
            .unwrap()
            .contains("exit status: 3")
    );
    reef(
        "ceph/ceph-18.2.7-mgr_prometheus_metrics_with_perf.txt",
        637,
        1467,
    );
}
