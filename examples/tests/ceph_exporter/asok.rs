//! `--asok-dir`: the per-host mode against stand-in daemons serving the Reef capture's
//! admin-socket replies from Unix sockets in a temporary directory.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;

use super::{TempDir, run, stderr, stdout, testdata};

/// Serves the capture's `counter`/`perf` replies of `daemon` on `path`, Pacific's error for
/// anything else, or `raw` bytes whatever the command.
fn daemon(path: &Path, daemon: &'static str, raw: Option<&'static [u8]>) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut cmd = Vec::new();
            let mut byte = [0u8];
            while conn.read(&mut byte).unwrap_or(0) == 1 && byte[0] != 0 {
                cmd.push(byte[0]);
            }
            let json: serde_json::Value = serde_json::from_slice(&cmd).unwrap();
            let prefix = json["prefix"].as_str().unwrap().replace(' ', "_");
            let payload = match raw {
                Some(raw) => raw.to_vec(),
                None => std::fs::read(
                    testdata()
                        .join("perfcounter/reef-healthy")
                        .join(format!("{prefix}.{daemon}.json")),
                )
                .unwrap_or_else(|_| b"ERROR: (22) Invalid argument\nunknown command\n".to_vec()),
            };
            let mut reply = u32::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
            reply.extend_from_slice(&payload);
            let _ = conn.write_all(&reply);
        }
    });
}

#[test]
fn asok_dir_in_both_flavours() {
    let dir = TempDir::new("asok");
    daemon(&dir.path().join("ceph-osd.0.asok"), "osd.0", None);
    daemon(&dir.path().join("ceph-mds.a.asok"), "mds.a", None);
    // A daemon that stopped and left its socket file: missing, not a failure.
    drop(UnixListener::bind(dir.path().join("ceph-osd.1.asok")).unwrap());
    let d = dir.path().to_str().unwrap();

    let out = run(&["--asok-dir", d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts{ceph_daemon=\"osd.0\",id=\"0\"} 0",
        "ceph_daemon_socket_up{ceph_daemon=\"osd.1\"} 0",
        "ceph_daemon_socket_up{ceph_daemon=\"mds.a\"} 1",
        "ceph_asok_scrape_success{ceph_daemon=\"osd.0\"} 1",
        "# TYPE ceph_osd_op_r_latency_sum gauge",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}`");
    }
    assert!(!text.contains("ceph_asok_scrape_success{ceph_daemon=\"osd.1\"}"));

    let out = run(&[
        "--asok-dir",
        d,
        "--asok-flavor",
        "mgr",
        "--float-style",
        "mgr",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l == "# TYPE ceph_osd_op_r_latency_sum counter")
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ceph_osd_op_r{ceph_daemon=\"osd.0\"} "))
    );
    assert!(!text.contains("AsyncMessenger"));
}

#[test]
fn asok_dir_failures_name_the_socket_and_exit_1() {
    let dir = TempDir::new("asok-bad");
    daemon(&dir.path().join("ceph-osd.0.asok"), "osd.0", None);
    let bad = dir.path().join("ceph-osd.2.asok");
    daemon(&bad, "osd.2", Some(b"\x00garbage"));
    let out = run(&["--asok-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains("\\u{0}garbage"), "{err}");
    let text = stdout(&out);
    assert!(text.contains("ceph_asok_scrape_success{ceph_daemon=\"osd.2\"} 0"));
    assert!(text.contains(
        "ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts{ceph_daemon=\"osd.0\""
    ));

    let out = run(&["--asok-dir", "/nonexistent/asok"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/asok"));
    let out = run(&["--asok-flavor", "mgr"]);
    assert_eq!(out.status.code(), Some(2), "--asok-flavor needs --asok-dir");
}
