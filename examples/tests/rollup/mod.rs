//! `rollup` against Gnocchi's own pipeline results (testdata/carbonara/pipeline.json).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn vectors() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/carbonara/pipeline.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("pipeline.json")).expect("json")
}

fn value(v: &Value) -> f64 {
    match v.as_str() {
        Some("NaN") => f64::NAN,
        Some("Infinity") => f64::INFINITY,
        Some("-Infinity") => f64::NEG_INFINITY,
        _ => v.as_f64().expect("number"),
    }
}

fn rfc3339(ns: i64) -> String {
    let mut s = String::new();
    timeserie::write_timestamp(&mut s, ns).expect("format");
    s
}

/// The case's batches as CSV, one blank line between batches.
fn csv(case: &Value) -> String {
    let mut out = String::from("# generated from pipeline.json\n");
    for batch in case["batches"].as_array().expect("batches") {
        for p in batch.as_array().expect("batch") {
            out.push_str(&format!(
                "{},{}\n",
                rfc3339(p[0].as_i64().expect("ts")),
                value(&p[1])
            ));
        }
        out.push('\n');
    }
    out
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rollup"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rollup");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("rollup output")
}

/// Compares rollup's JSON output with the case's expected aggregates, bit
/// for bit.
fn check_json(out: &Output, case: &Value) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).expect("rollup json");
    let expected = case["expected_aggregates"].as_array().expect("aggregates");
    assert_eq!(got.as_array().expect("array").len(), expected.len());
    for want in expected {
        let g = want["granularity"].as_i64().expect("granularity");
        let entry = got
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| {
                e["method"] == want["method"]
                    && (e["granularity"].as_f64().expect("g") * 1e9) as i64 == g
            })
            .unwrap_or_else(|| panic!("no output for {} @ {g}", want["method"]));
        let pts = entry["points"].as_array().expect("points");
        let want_pts = want["points"].as_array().expect("points");
        assert_eq!(pts.len(), want_pts.len(), "{} @ {g}", want["method"]);
        for (p, w) in pts.iter().zip(want_pts) {
            assert_eq!(
                p[0].as_str(),
                Some(rfc3339(w[0].as_i64().expect("ts")).as_str())
            );
            let (a, b) = (value(&p[1]), value(&w[1]));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{} @ {g}: {a} vs {b}",
                want["method"]
            );
        }
    }
}

#[test]
fn builtin_low_policy_matches_gnocchi() {
    let v = vectors();
    let case = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "low_policy")
        .expect("low_policy");
    // The case holds one point Gnocchi drops as too old: counted, reported
    // with its line, exit status 1 unless accepted; the output is the same.
    let strict = run(&["--policy", "low", "--format", "json"], &csv(case));
    assert_eq!(strict.status.code(), Some(1));
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(
        err.contains(
            "rollup: 1 points dropped as older than the raw buffer keeps, the first at line 424"
        ),
        "{err}"
    );
    let accepted = run(
        &["--policy", "low", "--format", "json", "--accept-too-old"],
        &csv(case),
    );
    assert_eq!(strict.stdout, accepted.stdout);
    assert!(String::from_utf8_lossy(&accepted.stderr).contains("1 points dropped"));
    check_json(&accepted, case);
}

#[test]
fn regression_batch_boundary_drop_is_reported() {
    // The same file gave another max with `--batch 1` and exit 0: the late
    // point falls behind the first batch's buffer only when batches split.
    let input = "172800,5\n0,9\n";
    let whole = run(&["--policy", "low"], input);
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let split = run(&["--policy", "low", "--batch", "1"], input);
    assert_eq!(split.status.code(), Some(1));
    assert_ne!(whole.stdout, split.stdout);
    let err = String::from_utf8_lossy(&split.stderr);
    assert!(
        err.contains("1 points dropped") && err.contains("at line 2"),
        "{err}"
    );
}

#[test]
fn rest_policy_file_matches_gnocchi() {
    let v = vectors();
    let case = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "custom_plus_minus_policy")
        .expect("custom_plus_minus_policy");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let policy = dir.join("rollup-custom-pm.json");
    std::fs::write(
        &policy,
        r#"{"aggregation_methods": ["-std", "+median", "+last"], "back_window": 0,
            "definition": [{"granularity": 5, "points": 60}, {"granularity": "5m", "timespan": "1 day"}]}"#,
    )
    .expect("write policy");
    let input = dir.join("rollup-custom-pm.csv");
    std::fs::write(&input, csv(case)).expect("write csv");
    let out = run(
        &[
            "--policy",
            policy.to_str().expect("utf-8"),
            "--format",
            "json",
            input.to_str().expect("utf-8"),
        ],
        "",
    );
    check_json(&out, case);
}

#[test]
fn csv_output_table() {
    let input = "1970-01-01T00:05:00Z,1\n300.5,3\n1970-01-01T00:11:00Z,NaN\n";
    let out = run(&["--policy", "low"], input);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "granularity,method,timestamp,value");
    for want in [
        "300.0,mean,1970-01-01T00:05:00.000000000Z,2.0",
        "300.0,mean,1970-01-01T00:10:00.000000000Z,NaN",
        "300.0,count,1970-01-01T00:05:00.000000000Z,2.0",
        "300.0,std,1970-01-01T00:05:00.000000000Z,1.4142135623730951",
    ] {
        assert!(lines.contains(&want), "missing `{want}` in\n{text}");
    }
}

#[test]
fn errors_table() {
    // (args, stdin, exit code, stderr fragment)
    let cases: [(&[&str], &str, i32, &str); 11] = [
        (&["--policy", "low"], "1,1\nnot a line\n", 1, "line 2"),
        (
            &["--policy", "low"],
            "1,1\n2,\u{1b}[2J\n",
            1,
            "line 2, column 3: cannot parse value `\\u{1b}[2J`",
        ),
        (
            &["--policy", "low"],
            "5,1\n-1,1\n",
            1,
            "batch of lines 1 to 2: time series error: timestamp",
        ),
        (
            &["--policy", "low"],
            "1,1\n\n#\n2,\u{ff}\n",
            1,
            "line 4, column 3: cannot parse value `ÿ`",
        ),
        (
            &["--policy", "low"],
            "1,1\nyesterday,3\n",
            1,
            "line 2, column 1",
        ),
        (&["--policy", "low"], "1,abc\n", 1, "line 1, column 3"),
        (
            &["--policy", "no-such-policy"],
            "",
            1,
            "neither built in nor a readable file",
        ),
        (
            &["--format", "xml", "--policy", "low"],
            "",
            2,
            "invalid value 'xml'",
        ),
        (
            &["--batch", "0", "--policy", "low"],
            "",
            2,
            "invalid value '0'",
        ),
        (
            &["--batch", "99999999999", "--policy", "low"],
            "",
            2,
            "invalid value",
        ),
        (&[], "", 2, "--policy <NAME|FILE>"),
    ];
    for (args, stdin, code, fragment) in cases {
        let out = run(args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
}

#[test]
fn objects_are_written_in_file_driver_layout() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rollup-objects");
    let _ = std::fs::remove_dir_all(&dir);
    let input = "1451520000,1\n1451520060,3\n";
    let out = run(
        &["--policy", "low", "--objects", dir.to_str().expect("utf-8")],
        input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 2015-12-31T00:00Z is itself a split key of 300 s x 3600 points.
    let split = dir.join("agg_mean/1451520000.0_300.0_v3");
    assert!(dir.join("none_v3").is_file());
    let dump = Command::new(env!("CARGO_BIN_EXE_carbonara-dump"))
        .arg(&split)
        .args(["--granularity", "300", "--key", "1451520000.0"])
        .output()
        .expect("run carbonara-dump");
    let text = String::from_utf8(dump.stdout).expect("utf-8");
    assert_eq!(
        text,
        "# compressed split, 1 points\n2015-12-31T00:00:00.000000000Z,2.0\n"
    );
    let methods = std::fs::read_dir(&dir).expect("dir").count();
    assert_eq!(methods, 7, "none_v3 and six agg_ directories");
}
