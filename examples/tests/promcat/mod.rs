//! `promcat` on real and broken input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn promcat(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_promcat"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promcat runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn testdata(rel: &str) -> String {
    format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn sample_reencodes_to_valid_text_and_openmetrics() {
    let text = promcat(&["--sample"], b"");
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let families = expfmt::parse(&text.stdout, expfmt::Format::Text).unwrap();
    assert_eq!(families.len(), 11);
    assert_eq!(families[0].name, "ceph_health_status");
    // The mgr writes `0.0`; the Go layout writes `0`, the value is the same.
    assert!(String::from_utf8_lossy(&text.stdout).contains("\nceph_health_status 0\n"));

    let om = promcat(&["--sample", "--to", "openmetrics", "--sort"], b"");
    assert!(om.status.success());
    let om_text = String::from_utf8(om.stdout).unwrap();
    assert!(om_text.ends_with("# EOF\n"));
    let families = expfmt::parse(om_text.as_bytes(), expfmt::Format::OpenMetrics).unwrap();
    let names: Vec<_> = families.iter().map(|f| f.name.to_string()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn mgr_float_style_reproduces_the_module_bytes() {
    // The sample is the mgr's own output; re-encoded with the mgr float style and the same
    // family order it comes back byte for byte.
    let out = promcat(
        &["--float-style", "mgr", &testdata("expfmt/sample.prom")],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = std::fs::read_to_string(testdata("expfmt/sample.prom")).unwrap();
    // DIFFERENCE: the mgr starts its body with a blank line; we do not.
    let original = original.strip_prefix('\n').unwrap();
    let ours = String::from_utf8(out.stdout).unwrap();
    assert!(
        ours == original,
        "re-encoded sample differs from the mgr's bytes"
    );
}

#[test]
fn check_reports_line_and_column() {
    // (input, expected stderr start)
    let cases: &[(&[u8], &str)] = &[
        (b"# TYPE a gauge\n# TYPE a gauge\na 1\n", "2:"),
        (b"a{b=\"c\"} x\n", "1:"),
        (b"a{b=\"\\q\"} 1\n", "1:"),
    ];
    for (input, want) in cases {
        let out = promcat(&["--check", "--from", "text"], input);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(input)
        );
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with(want), "{err}");
        assert!(out.stdout.is_empty());
    }
    let ok = promcat(&["--check"], b"# TYPE a gauge\na 1\n");
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn the_pacific_mgr_output_is_rejected_for_its_duplicate_family() {
    let path = testdata("expfmt/ceph/ceph-16.2.15-mgr_prometheus_metrics.txt");
    let out = promcat(&["--check", &path], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("second HELP line for metric name `ceph_pool_objects_repaired`"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--bogus"][..],
        &["--to"],
        &["--to", "xml"],
        &["a", "b"],
        &["--sample", "f"],
    ] {
        let out = promcat(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains("--help"), "{args:?}: {err}");
    }
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = promcat(&["/nonexistent/metrics.txt"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/metrics.txt"));
}

/// Issue 14: `promcat --check --from openmetrics` accepts the valid example of every metric
/// type (the OpenMetrics specification's own examples) and rejects each invalid one with the
/// rule it breaks, at its line and column.
#[test]
fn check_openmetrics_examples_of_every_type() {
    let dir = testdata("expfmt/openmetrics");
    let mut valid = 0;
    for entry in std::fs::read_dir(format!("{dir}/valid")).unwrap() {
        let path = entry.unwrap().path();
        let out = promcat(
            &["--check", "--from", "openmetrics", path.to_str().unwrap()],
            b"",
        );
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        valid += 1;
    }
    assert_eq!(valid, 9, "one valid file per type and a whole exposition");
    let expected: &[(&str, &str)] = &[
        (
            "counter-clash-created",
            "3:8: metric family `foo_created` clashes with the sample names of family `foo`",
        ),
        (
            "counter-negative",
            "2:11: expected non-negative counter total as value, got `-1`",
        ),
        (
            "counter-no-total",
            "2:1: a metric of `foo` has no `_total` sample",
        ),
        (
            "gauge-exemplar",
            "2:7: expected end of line (exemplars belong to `_total` and `_bucket` samples), found `#`",
        ),
        (
            "gauge-interleaved",
            "5:1: metric family `foo` is interleaved with another family",
        ),
        (
            "gauge-second-type",
            "2:8: second TYPE line for metric name `foo`, or TYPE reported after samples",
        ),
        (
            "gaugehistogram-decreasing",
            "2:1: invalid gaugehistogram `foo`: bucket counts decrease",
        ),
        (
            "gaugehistogram-gsum-without-gcount",
            "2:1: a metric of `foo` has no `_gcount` sample",
        ),
        (
            "histogram-count-differs",
            "2:1: invalid histogram `foo`: the `+Inf` bucket differs from the count",
        ),
        (
            "histogram-exemplar-too-long",
            "2:27: expected exemplar labels of at most 128 characters, found 133 characters",
        ),
        (
            "histogram-negative-bucket-with-sum",
            "2:1: invalid histogram `foo`: a histogram with a negative bucket or sum has no `_sum`",
        ),
        (
            "histogram-no-inf",
            "2:1: histogram `foo` has no `+Inf` bucket",
        ),
        (
            "histogram-sum-without-count",
            "2:1: a metric of `foo` has no `_count` sample",
        ),
        (
            "histogram-unsorted",
            "3:1: invalid histogram `foo`: buckets are not in increasing `le` order",
        ),
        (
            "info-no-suffix",
            "2:1: sample name `foo` does not fit info family `foo`",
        ),
        (
            "info-unit",
            "2:8: unit `bytes` does not fit metric family `foo_bytes`",
        ),
        (
            "info-value-0",
            "2:20: expected 1 (an info value) as value, got `0`",
        ),
        (
            "stateset-no-state-label",
            "2:1: sample of `foo` lacks its `<family name>` label",
        ),
        (
            "stateset-unit",
            "2:8: unit `bytes` does not fit metric family `foo_bytes`",
        ),
        (
            "stateset-value-2",
            "2:14: expected 0 or 1 (a state) as value, got `2`",
        ),
        (
            "summary-negative-quantile-value",
            "2:1: invalid summary `foo`: a quantile value is negative",
        ),
        (
            "summary-negative-sum",
            "2:1: invalid summary `foo`: `_sum` is negative or NaN",
        ),
        (
            "summary-quantile-range",
            "2:15: invalid summary `foo`: quantile outside [0, 1]",
        ),
        (
            "unknown-blank-line",
            "2:1: expected metric name, found end of line",
        ),
        ("unknown-no-eof", "3:1: missing `# EOF`"),
        (
            "unknown-suffix-clash",
            "3:8: metric family `foo_bucket` clashes with the sample names of family `foo`",
        ),
        (
            "unknown-timestamp-not-a-number",
            "2:7: expected seconds as a decimal number as timestamp, got `abc`",
        ),
    ];
    let mut files: Vec<String> = std::fs::read_dir(format!("{dir}/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let names: Vec<String> = expected.iter().map(|(n, _)| format!("{n}.om")).collect();
    assert_eq!(files, names, "every invalid file has its expected message");
    for (name, message) in expected {
        let path = format!("{dir}/invalid/{name}.om");
        let out = promcat(&["--check", "--from", "openmetrics", &path], b"");
        assert_eq!(out.status.code(), Some(1), "{name} accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{name}: {stderr}");
    }
}
