//! The command line: the embedded capture, output options, usage errors, and partial output
//! when inputs are missing or malformed.

use super::expo::Exposition;
use super::{dump_dir, run, stderr, stdout};

#[test]
fn no_arguments_prints_the_embedded_reef_capture() {
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let e = Exposition::parse(&text);
    // Reef-only families, and perf counters by default.
    let cases = [
        ("ceph_cluster_osd_blocklist_count", &[][..], 14.0),
        ("ceph_health_status", &[][..], 0.0),
        ("ceph_osd_up", &[("ceph_daemon", "osd.2")][..], 1.0),
        (
            "ceph_cluster_by_class_total_bytes",
            &[("device_class", "hdd")][..],
            32212254720.0,
        ),
        ("ceph_pool_objects_repaired", &[("pool_id", "1")][..], 0.0),
    ];
    for (family, labels, value) in cases {
        let f = e.families.get(family).unwrap_or_else(|| panic!("{family}"));
        assert_eq!(f.get(labels), Some(value), "{family}");
    }
    assert!(e.families.contains_key("ceph_osd_op_r"));
    assert!(e.families.contains_key("ceph_mon_num_sessions"));
    // Go float layout by default: integers exact, no `.0`.
    assert!(text.contains("\nceph_health_status 0\n"), "{text:.300}");
}

#[test]
fn output_options() {
    let cases: [(&[&str], &str, bool); 4] = [
        (&["--format", "openmetrics"], "# EOF\n", true),
        (
            &["--float-style", "mgr"],
            "\nceph_health_status 0.0\n",
            true,
        ),
        (&["--no-perf"], "ceph_osd_op_r", false),
        (&[], "ceph_osd_op_r{ceph_daemon=\"osd.0\"}", true),
    ];
    for (args, needle, present) in cases {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out).contains(needle), present, "{args:?} {needle}");
    }
    let om = stdout(&run(&["--format", "openmetrics"]));
    assert!(om.ends_with("# EOF\n"));
    assert!(om.contains("# TYPE ceph_pool_rd counter\n"));
    assert!(om.contains("\nceph_pool_rd_total{pool_id=\"1\"} "));
}

#[test]
fn usage_errors_exit_2() {
    // (arguments, a piece of stderr)
    let cases: [(&[&str], &str); 11] = [
        (&["--bogus"], "unexpected argument '--bogus'"),
        (
            &["--dump-dir"],
            "a value is required for '--dump-dir <DIR>'",
        ),
        (&["--format", "xml"], "invalid value 'xml' for '--format"),
        (
            &["--float-style", "c"],
            "invalid value 'c' for '--float-style",
        ),
        (
            &["--interval", "0"],
            "`0` is outside 0.001 to 86400 seconds",
        ),
        // Past what `Duration::from_secs_f64` takes: a usage error, not a panic.
        (&["--interval", "1e20"], "`1e20` is outside"),
        (&["--interval", "NaN"], "`NaN` is outside"),
        (&["--interval", "soon"], "`soon` is not a number of seconds"),
        (&["--stale-cache", "maybe"], "invalid value 'maybe'"),
        (&["--conf", "/etc/ceph/ceph.conf"], "--ceph"),
        (&["--ceph", "--dump-dir", "x"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn help_and_version_exit_0() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    // Every flag with its default and its environment variable.
    for needle in [
        "--dump-dir <DIR>",
        "--ceph",
        "--conf <PATH>",
        "--listen <ADDR>",
        "[env: CEPH_EXPORTER_LISTEN=]",
        "--interval <SECS>",
        "[env: CEPH_EXPORTER_INTERVAL=]",
        "[default: 15]",
        "--stale-cache <STRATEGY>",
        "[default: fail]",
        "--format <FORMAT>",
        "[default: text]",
        "--float-style <STYLE>",
        "[default: go]",
        "--no-perf",
        "--log-level <LEVEL>",
        "[default: info]",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
    let version = run(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        stdout(&version),
        format!("ceph-exporter {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn environment_sets_daemon_flags() {
    // `CEPH_EXPORTER_FORMAT` as `--format`; a bad value is a usage error naming the flag.
    let om = super::exe()
        .env("CEPH_EXPORTER_FORMAT", "openmetrics")
        .output()
        .unwrap();
    assert!(om.status.success(), "{}", stderr(&om));
    assert!(stdout(&om).ends_with("# EOF\n"));
    let bad = super::exe()
        .env("CEPH_EXPORTER_INTERVAL", "-1")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--interval"));
}

#[test]
fn missing_and_malformed_inputs_skip_only_their_families() {
    let dir = dump_dir("18.2.7-healthy");
    std::fs::remove_file(dir.path().join("df_detail.json")).unwrap();
    std::fs::remove_file(dir.path().join("df.json")).unwrap();
    std::fs::write(dir.path().join("osd_pool_stats.json"), b"[{\"pool_id\": ").unwrap();
    std::fs::write(dir.path().join("perf_dump.mon.a.json"), b"{\"mon\": 3").unwrap();
    let out = run(&["--dump-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for needle in [
        "df_detail.json",
        "osd_pool_stats.json",
        "perf_dump.mon.a.json",
        "line 1",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
    let e = Exposition::parse(&stdout(&out));
    for gone in [
        "ceph_cluster_total_bytes",
        "ceph_pool_max_avail",
        "ceph_pool_recovering_bytes_per_sec",
        "ceph_mon_num_sessions",
    ] {
        assert!(!e.families.contains_key(gone), "{gone}");
    }
    for kept in [
        "ceph_health_status",
        "ceph_pg_total",
        "ceph_osd_op_r",
        "ceph_osd_metadata",
    ] {
        assert!(e.families.contains_key(kept), "{kept}");
    }
}

#[test]
fn unreadable_directory_is_an_error() {
    let out = run(&["--dump-dir", "/nonexistent/ceph-dumps"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/ceph-dumps"));
    assert!(out.stdout.is_empty());
}

/// A stand-in `ceph` client that serves a capture's files by command line and logs every
/// command it is given.
const FAKE_CEPH: &str = r#"#!/bin/sh
if [ "$1" = "--conf" ]; then echo "$2" > "$FAKE_CEPH_DIR/conf.log"; shift 2; fi
if [ "$1" = "--connect-timeout" ]; then echo "$2" > "$FAKE_CEPH_DIR/timeout.log"; shift 2; fi
echo "$*" >> "$FAKE_CEPH_DIR/commands.log"
case "$1" in
    tell) f="$FAKE_CEPH_DIR/perf_$4.$2.json" ;;
    *) f="$FAKE_CEPH_DIR/$(echo "${*% -f json}" | tr ' ' '_').json" ;;
esac
if [ -f "$f" ]; then exec cat "$f"; fi
echo "Error ENOENT: $*" >&2
exit 2
"#;

/// `pg dump pgs_brief pools osds` and `pg dump sum`, as the mgr prints them, from a capture's
/// full `pg dump`.
fn split_pg_dump(dir: &std::path::Path) {
    use serde_json::{Value, json};
    let full: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pg_dump.json")).unwrap()).unwrap();
    let map = &full["pg_map"];
    let brief: Vec<Value> = map["pg_stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            json!({"pgid": p["pgid"], "state": p["state"], "up": p["up"], "acting": p["acting"],
                "up_primary": p["up_primary"], "acting_primary": p["acting_primary"]})
        })
        .collect();
    let brief = json!({"pg_ready": true, "pool_stats": map["pool_stats"],
        "osd_stats": map["osd_stats"], "pg_stats": brief});
    let sum = json!({"pg_ready": true, "pg_map": {"version": map["version"],
        "pg_stats_sum": map["pg_stats_sum"], "osd_stats_sum": map["osd_stats_sum"]}});
    std::fs::write(
        dir.join("pg_dump_pgs_brief_pools_osds.json"),
        brief.to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("pg_dump_sum.json"), sum.to_string()).unwrap();
}

#[test]
fn ceph_mode_runs_the_ceph_client() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dump_dir("16.2.15-degraded");
    let from_dir = run(&["--dump-dir", dir.path().to_str().unwrap()]);
    split_pg_dump(dir.path());
    std::fs::remove_file(dir.path().join("pg_dump.json")).unwrap();
    let bin = super::TempDir::new("fake-ceph");
    let ceph = bin.path().join("ceph");
    std::fs::write(&ceph, FAKE_CEPH).unwrap();
    std::fs::set_permissions(&ceph, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = super::exe()
        .args([
            "--ceph",
            "--conf",
            "/etc/ceph/test.conf",
            "--timeout",
            "7",
            "--cli",
        ])
        .env("PATH", path)
        .env("FAKE_CEPH_DIR", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let conf = std::fs::read_to_string(dir.path().join("conf.log")).unwrap();
    assert_eq!(conf.trim(), "/etc/ceph/test.conf");
    let timeout = std::fs::read_to_string(dir.path().join("timeout.log")).unwrap();
    assert_eq!(timeout.trim(), "7");
    let commands = std::fs::read_to_string(dir.path().join("commands.log")).unwrap();
    for c in [
        "health detail -f json",
        "quorum_status -f json",
        "pg dump pgs_brief pools osds -f json",
        "pg dump sum -f json",
        "tell osd.0 perf schema -f json",
        "tell osd.1 perf dump -f json",
    ] {
        assert!(commands.lines().any(|l| l == c), "{c} not in\n{commands}");
    }
    // osd.2 is down in this capture: not asked (it has no earlier answer to keep either).
    assert!(!commands.lines().any(|l| l.starts_with("tell osd.2")));
    assert!(!commands.lines().any(|l| l == "pg dump -f json"));
    // The same metrics as from the dump directory, but for the timings and the per-input
    // health series (whose inputs are the CLI's: the two smaller PG dumps).
    let strip = |text: String| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("collect_duration") && !l.contains("ceph_exporter_input_"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(strip(stdout(&out)), strip(stdout(&from_dir)));
}
