//! `perf2prom` on real Pacific and Reef admin-socket documents.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn data(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/perfcounter")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

fn perf2prom(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perf2prom"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Sample lines (`name{labels} value`) of an exposition without escapes, by series.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

/// `# HELP`/`# TYPE` lines by family.
fn metadata(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| l.starts_with("# HELP ") || l.starts_with("# TYPE "))
        .map(|l| {
            (
                l[..6].to_owned() + " " + l[7..].split(' ').next().unwrap(),
                l.to_owned(),
            )
        })
        .collect()
}

#[test]
fn osd_0_equals_the_real_module_over_the_same_dump() {
    let schema = data("pacific-healthy/perf_schema.osd.0.json");
    let dump = data("pacific-healthy/perf_dump.osd.0.json");
    let out = perf2prom(
        &[
            "--schema",
            &schema,
            "--dump",
            &dump,
            "--daemon",
            "osd.0",
            "--float-style",
            "mgr",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    let ours = String::from_utf8(out.stdout).unwrap();

    // The module's output over the same dumps, restricted to osd.0's perf series.
    let module = std::fs::read_to_string(data("pacific-healthy/mgr_harness.txt")).unwrap();
    let theirs_all = samples(&module);
    let ours_samples = samples(&ours);
    let theirs: BTreeMap<_, _> = theirs_all
        .iter()
        .filter(|(s, _)| is_osd0_perf(s))
        .map(|(s, v)| (s.clone(), *v))
        .collect();
    assert_eq!(ours_samples.len(), 153);
    assert_eq!(ours_samples, theirs);
    let theirs_meta = metadata(&module);
    for (key, line) in metadata(&ours) {
        assert_eq!(theirs_meta.get(&key), Some(&line));
    }
    // The module writes every value as a float; ours keeps integers exact.
    assert!(ours.contains("ceph_bluefs_alloc_unit_db{ceph_daemon=\"osd.0\"} 65536\n"));
    assert!(module.contains("ceph_bluefs_alloc_unit_db{ceph_daemon=\"osd.0\"} 65536.0\n"));
    assert!(ours.contains("ceph_osd_op_w_latency_sum{ceph_daemon=\"osd.0\"} 392.94712597\n"));
}

/// Whether a module series is an osd.0 perf-counter series: labelled only by osd.0, in a
/// family that is not one of the module's cluster families.
fn is_osd0_perf(series: &str) -> bool {
    const CLUSTER: [&str; 6] = [
        "ceph_osd_weight",
        "ceph_osd_up",
        "ceph_osd_in",
        "ceph_osd_apply_latency_ms",
        "ceph_osd_commit_latency_ms",
        "ceph_daemon_health_metrics",
    ];
    series.ends_with("{ceph_daemon=\"osd.0\"}")
        && !CLUSTER
            .iter()
            .any(|c| series.starts_with(&format!("{c}{{")))
}

#[test]
fn reads_stdin() {
    let schema = data("pacific-healthy/perf_schema.mon.a.json");
    let dump = data("pacific-healthy/perf_dump.mon.a.json");
    let files = perf2prom(
        &["--schema", &schema, "--dump", &dump, "--daemon", "mon.a"],
        None,
    );
    let text = std::fs::read(&dump).unwrap();
    let piped = perf2prom(
        &["--schema", &schema, "--dump", "-", "--daemon", "mon.a"],
        Some(&text),
    );
    assert!(files.status.success() && piped.status.success());
    assert_eq!(files.stdout, piped.stdout);
    let out = String::from_utf8(piped.stdout).unwrap();
    assert!(out.contains("# TYPE ceph_prioritycache:kv_pri0_bytes gauge\n"));
}

#[test]
fn exporter_flavour_openmetrics() {
    let schema = data("reef-healthy/counter_schema.osd.0.json");
    let dump = data("reef-healthy/counter_dump.osd.0.json");
    let out = perf2prom(
        &[
            "--schema",
            &schema,
            "--dump",
            &dump,
            "--daemon",
            "ceph-osd.0.asok",
            "--flavor",
            "exporter",
            "--format",
            "openmetrics",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("# EOF\n"));
    for id in 0..3 {
        assert!(text.contains(&format!(
            "ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts_total{{ceph_daemon=\"osd.0\",id=\"{id}\"}} "
        )));
    }
    // Long-running average sums are typed by the schema's metric_type (gauge) here.
    assert!(text.contains("# TYPE ceph_osd_op_r_latency_sum gauge\n"));
    assert!(text.contains("# TYPE ceph_osd_op_r_latency_count counter\n"));
    // Sorted by name, as ceph-exporter's default.
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 247);
}

#[test]
fn priority_filter() {
    let schema = data("pacific-healthy/perf_schema.osd.0.json");
    let dump = data("pacific-healthy/perf_dump.osd.0.json");
    let count = |prio: &str| {
        let out = perf2prom(
            &[
                "--schema", &schema, "--dump", &dump, "--daemon", "osd.0", "--prio", prio,
            ],
            None,
        );
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .matches("# TYPE ")
            .count()
    };
    let (critical, useful, all) = (count("critical"), count("5"), count("0"));
    assert!(
        critical < useful && useful < all,
        "{critical} {useful} {all}"
    );
    assert_eq!(useful, 153);
}

/// Arguments, stdin, exit status, a piece of stderr.
type Case<'a> = (&'a [&'a str], Option<&'a [u8]>, i32, &'a str);

#[test]
fn errors_and_usage() {
    let schema = data("pacific-healthy/perf_schema.osd.0.json");
    let cases: [Case<'_>; 6] = [
        (
            &["--schema", &schema, "--daemon", "osd.0"],
            None,
            2,
            "the following required arguments were not provided:\n  --dump <D.json>",
        ),
        (
            &["--schema", "-", "--dump", "-", "--daemon", "x"],
            None,
            2,
            "only one of",
        ),
        (
            &["--flavor", "grafana"],
            None,
            2,
            "unknown flavour `grafana`",
        ),
        (&["--bogus"], None, 2, "unexpected argument '--bogus'"),
        (
            &[
                "--schema",
                &schema,
                "--dump",
                "/nonexistent/d.json",
                "--daemon",
                "osd.0",
            ],
            None,
            1,
            "cannot read `/nonexistent/d.json`",
        ),
        (
            &["--schema", &schema, "--dump", "-", "--daemon", "osd.0"],
            Some(b"{\"osd\": {\"op_r\": [1"),
            1,
            "`<stdin>`: cannot read the dump: `perf dump` output ends early at line 1",
        ),
    ];
    for (args, stdin, code, message) in cases {
        let out = perf2prom(args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    // Counters the schema announces but the dump lacks: the rest is printed, status 1.
    let out = perf2prom(
        &["--schema", &schema, "--dump", "-", "--daemon", "osd.0"],
        Some(b"{\"osd\": {\"op_r\": 5}}"),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("# TYPE ").count(), 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("osd.0: `osd.op_w`: no value in the dump")
    );
}
