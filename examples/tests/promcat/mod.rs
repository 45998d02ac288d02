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
