//! Byte-exact goldens: a fixed corpus of families, encoded in every format and float style,
//! compared with `testdata/expfmt/golden/`. Run with `EXPFMT_BLESS=1` to rewrite the files
//! after a deliberate change (then review the diff: `promtool` and `prometheus_client` check
//! them in `.ci/conformance.d/expfmt.sh`).

use std::path::PathBuf;

use expfmt::{
    Bucket, Encoder, FloatStyle, Format, Histogram, Label, Metric, MetricFamily, MetricType,
    MetricValue, Quantile, Summary, Timestamp, Value,
};

pub(crate) fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/expfmt/golden")
}

fn scalar(labels: &[(&'static str, &'static str)], value: Value) -> Metric<'static> {
    Metric {
        labels: labels.iter().map(|&(n, v)| Label::new(n, v)).collect(),
        value: MetricValue::Scalar(value),
        timestamp: None,
        created: None,
        exemplars: Vec::new(),
    }
}

/// The golden corpus: (case name, families).
pub(crate) fn corpus() -> Vec<(&'static str, Vec<MetricFamily<'static>>)> {
    let mut cases = Vec::new();

    // Ceph-shaped families, with the characters the mgr module fails to escape.
    let mut health = MetricFamily::new("ceph_health_status", MetricType::Untyped)
        .with_help("Cluster health status");
    health.metrics.push(scalar(&[], Value::U64(1)));
    let mut up = MetricFamily::new("ceph_osd_up", MetricType::Gauge).with_help("OSD status up");
    for (d, v) in [("osd.0", 1), ("osd.1", 1), ("osd.2", 0)] {
        up.metrics.push(Metric::scalar(
            vec![Label::new("ceph_daemon", d)],
            Value::U64(v),
        ));
    }
    let mut meta = MetricFamily::new("ceph_osd_metadata", MetricType::Untyped)
        .with_help("OSD Metadata: \"hostname\" and C:\\path\nsecond line");
    meta.metrics.push(scalar(
        &[
            ("ceph_daemon", "osd.0"),
            ("hostname", "node \"a\""),
            ("devices", "C:\\disk\\0"),
            ("note", "two\nlines"),
            ("unicode", "ünïcødé ✓"),
        ],
        Value::U64(1),
    ));
    let mut ops =
        MetricFamily::new("ceph_osd_op_r", MetricType::Counter).with_help("Client read operations");
    ops.metrics
        .push(scalar(&[("ceph_daemon", "osd.0")], Value::U64(123_456_789)));
    ops.metrics
        .push(scalar(&[("ceph_daemon", "osd.1")], Value::U64(0)));
    let mut lat = MetricFamily::new("ceph_osd_op_r_latency_sum", MetricType::Counter)
        .with_help("Latency of read operation (excluding queue time) Total");
    lat.metrics.push(scalar(
        &[("ceph_daemon", "osd.0")],
        Value::F64(12.345_678_901),
    ));
    let mut nohelp = MetricFamily::new("ceph_pool_objects_repaired", MetricType::Counter);
    for p in ["1", "2", "3"] {
        nohelp.metrics.push(Metric::scalar(
            vec![Label::new("pool_id", p)],
            Value::U64(0),
        ));
    }
    let mut colon =
        MetricFamily::new("ceph_prioritycache:meta_pri0_bytes", MetricType::Gauge).with_help("");
    colon
        .metrics
        .push(scalar(&[("ceph_daemon", "osd.0")], Value::F64(1_048_576.0)));
    cases.push(("ceph", vec![health, up, meta, ops, lat, nohelp, colon]));

    // Every float layout corner.
    let mut floats = MetricFamily::new("float_values", MetricType::Gauge).with_help("Floats");
    let values: [(&'static str, f64); 22] = [
        ("zero", 0.0),
        ("neg_zero", -0.0),
        ("one", 1.0),
        ("minus_one", -1.0),
        ("tenth", 0.1),
        ("half", 0.5),
        ("int", 123.0),
        ("e5", 100_000.0),
        ("e6", 1e6),
        ("e6_digits", 1_234_567.0),
        ("e15", 1e15),
        ("e16", 1e16),
        ("e21", 1e21),
        ("e_4", 0.0001),
        ("e_5", 1e-5),
        ("small", 1.5e-7),
        ("tiny", 5e-324),
        ("max", f64::MAX),
        ("sum", 0.1 + 0.2),
        ("inf", f64::INFINITY),
        ("neg_inf", f64::NEG_INFINITY),
        ("nan", f64::NAN),
    ];
    for (k, v) in values {
        floats
            .metrics
            .push(Metric::scalar(vec![Label::new("case", k)], v));
    }
    let mut ints = MetricFamily::new("integer_values", MetricType::Gauge).with_help("Integers");
    for (k, v) in [
        ("u64_max", Value::U64(u64::MAX)),
        ("i64_min", Value::I64(i64::MIN)),
        ("two_pow_53_plus_1", Value::U64((1 << 53) + 1)),
        ("zero", Value::U64(0)),
    ] {
        ints.metrics
            .push(Metric::scalar(vec![Label::new("case", k)], v));
    }
    cases.push(("floats", vec![floats, ints]));

    // Histograms and summaries, with and without the +Inf bucket given.
    let mut h = MetricFamily::new("ceph_op_latency_seconds", MetricType::Histogram)
        .with_help("Operation latency");
    h.metrics.push(Metric {
        labels: vec![Label::new("ceph_daemon", "osd.0")],
        value: MetricValue::Histogram(Histogram {
            buckets: vec![
                Bucket {
                    upper_bound: 0.001,
                    cumulative_count: 2,
                },
                Bucket {
                    upper_bound: 0.01,
                    cumulative_count: 10,
                },
                Bucket {
                    upper_bound: 1.0,
                    cumulative_count: 12,
                },
                Bucket {
                    upper_bound: 1e6,
                    cumulative_count: 13,
                },
            ],
            sum: Some(3.75),
            count: Some(14),
        }),
        timestamp: None,
        created: Some(1_700_000_000.0),
        exemplars: Vec::new(),
    });
    h.metrics.push(Metric {
        labels: vec![Label::new("ceph_daemon", "osd.1")],
        value: MetricValue::Histogram(Histogram {
            buckets: vec![
                Bucket {
                    upper_bound: 0.5,
                    cumulative_count: 0,
                },
                Bucket {
                    upper_bound: f64::INFINITY,
                    cumulative_count: 0,
                },
            ],
            sum: Some(0.0),
            count: Some(0),
        }),
        timestamp: None,
        created: None,
        exemplars: Vec::new(),
    });
    let mut s =
        MetricFamily::new("rpc_duration_seconds", MetricType::Summary).with_help("RPC duration");
    s.metrics.push(Metric {
        labels: vec![Label::new("service", "mon")],
        value: MetricValue::Summary(Summary {
            quantiles: vec![
                Quantile {
                    quantile: 0.01,
                    value: 3102.0,
                },
                Quantile {
                    quantile: 0.5,
                    value: 4773.0,
                },
                Quantile {
                    quantile: 0.99,
                    value: 76_656.0,
                },
            ],
            sum: Some(1.7560473e7),
            count: Some(2693),
        }),
        timestamp: None,
        created: Some(1_520_430_000.123),
        exemplars: Vec::new(),
    });
    cases.push(("distributions", vec![h, s]));

    // Timestamps, units, _created on counters.
    let mut bytes = MetricFamily::new("ceph_pool_stored_bytes", MetricType::Gauge)
        .with_help("Stored bytes")
        .with_unit("bytes");
    bytes.metrics.push(Metric {
        labels: vec![Label::new("pool_id", "1")],
        value: MetricValue::Scalar(Value::U64(4096)),
        timestamp: Some(Timestamp::from_millis(1_520_879_607_789)),
        created: None,
        exemplars: Vec::new(),
    });
    let mut reqs =
        MetricFamily::new("http_requests_total", MetricType::Counter).with_help("Requests served");
    reqs.metrics.push(Metric {
        labels: vec![Label::new("code", "200")],
        value: MetricValue::Scalar(Value::U64(1027)),
        timestamp: Some(Timestamp::from_millis(1_395_066_363_000)),
        created: Some(1_395_066_000.0),
        exemplars: Vec::new(),
    });
    cases.push(("timestamps_units", vec![bytes, reqs]));

    cases
}

/// Every (suffix, format, float style) a golden is written in.
pub(crate) const VARIANTS: [(&str, Format, FloatStyle); 3] = [
    ("txt", Format::Text, FloatStyle::Go),
    ("mgr.txt", Format::Text, FloatStyle::Python),
    ("om.txt", Format::OpenMetrics, FloatStyle::OpenMetrics),
];

pub(crate) fn encode(families: &[MetricFamily<'_>], format: Format, style: FloatStyle) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut enc = Encoder::builder()
        .format(format)
        .float_style(style)
        .build(&mut buf);
    enc.encode_families(families)
        .expect("golden corpus is valid");
    enc.finish();
    buf
}

#[test]
fn goldens_are_byte_exact() {
    let bless = std::env::var_os("EXPFMT_BLESS").is_some();
    let dir = golden_dir();
    let mut checked = 0;
    for (name, families) in corpus() {
        for (suffix, format, style) in VARIANTS {
            let got = encode(&families, format, style);
            let path = dir.join(format!("{name}.{suffix}"));
            if bless {
                std::fs::write(&path, &got).unwrap();
            }
            let want = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (run with EXPFMT_BLESS=1)", path.display()));
            assert!(
                got == want,
                "{} differs:\n--- got\n{}\n--- want\n{}",
                path.display(),
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
            checked += 1;
        }
    }
    // No stale golden: every file in the folder is produced by the corpus.
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.extension().is_some_and(|x| x == "txt")
        })
        .count();
    assert_eq!(
        files,
        checked,
        "stale or missing golden files in {}",
        dir.display()
    );
}
