//! The admin-socket client and the per-host collector against stand-in daemons: threads
//! serving Unix sockets in a temporary directory, with the captured dumps of
//! `testdata/perfcounter/` or with broken replies.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use expfmt::MetricFamily;
use exporter::{
    AdminSocket, AsokCollector, AsokErrorKind, AsokOptions, CounterApi, ReplyError, ScrapeStatus,
};
use perfcounter::{Dump, Families, Flavor, Mapper, Schema};

/// What a stand-in daemon answers.
#[derive(Clone)]
enum Reply {
    /// Each command's reply, as a real daemon frames it; unknown commands get Pacific's error.
    Files(BTreeMap<&'static str, Vec<u8>>),
    /// These raw bytes, whatever the command.
    Raw(Vec<u8>),
    /// A framed reply after a pause.
    Slow(Duration, Vec<u8>),
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
    v.extend_from_slice(payload);
    v
}

/// A temporary socket directory, removed on drop.
struct SocketDir(PathBuf);

impl SocketDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "asok-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        SocketDir(dir)
    }

    /// Serves `reply` on `name` from a thread.
    fn daemon(&self, name: &str, reply: Reply) -> PathBuf {
        let path = self.0.join(name);
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let reply = reply.clone();
                std::thread::spawn(move || {
                    let mut cmd = Vec::new();
                    let mut byte = [0u8];
                    while conn.read(&mut byte).unwrap_or(0) == 1 && byte[0] != 0 {
                        cmd.push(byte[0]);
                    }
                    let json: serde_json::Value = serde_json::from_slice(&cmd).unwrap();
                    let prefix = json["prefix"].as_str().unwrap().to_owned();
                    assert_eq!(json["format"], "json");
                    let bytes = match reply {
                        Reply::Files(files) => match files.get(prefix.as_str()) {
                            Some(b) => framed(b),
                            None => framed(
                                format!(
                                    "ERROR: (22) Invalid argument\nunknown command prefix {prefix}\n"
                                )
                                .as_bytes(),
                            ),
                        },
                        Reply::Raw(b) => b,
                        Reply::Slow(pause, b) => {
                            std::thread::sleep(pause);
                            framed(&b)
                        }
                    };
                    let _ = conn.write_all(&bytes);
                });
            }
        });
        path
    }

    /// A socket file nobody listens on (a daemon that died without removing it).
    fn dead(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        drop(UnixListener::bind(&path).unwrap());
        path
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn testdata(release: &str, file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/perfcounter")
        .join(release)
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A Reef daemon: `counter` and `perf` commands from the capture.
fn reef(daemon: &str) -> Reply {
    let mut files = BTreeMap::new();
    files.insert(
        "counter schema",
        testdata("reef-healthy", &format!("counter_schema.{daemon}.json")),
    );
    files.insert(
        "counter dump",
        testdata("reef-healthy", &format!("counter_dump.{daemon}.json")),
    );
    files.insert(
        "perf schema",
        testdata("reef-healthy", &format!("perf_schema.{daemon}.json")),
    );
    files.insert(
        "perf dump",
        testdata("reef-healthy", &format!("perf_dump.{daemon}.json")),
    );
    Reply::Files(files)
}

/// A Pacific daemon: `perf` commands only.
fn pacific(daemon: &str, schema_of: &str) -> Reply {
    let mut files = BTreeMap::new();
    files.insert(
        "perf schema",
        testdata("pacific-healthy", &format!("perf_schema.{schema_of}.json")),
    );
    files.insert(
        "perf dump",
        testdata("pacific-healthy", &format!("perf_dump.{daemon}.json")),
    );
    Reply::Files(files)
}

/// The families of the capture's files mapped directly, for comparison.
fn direct(
    release: &str,
    kind: &str,
    daemons: &[(&str, &str, &str)],
    flavor: Flavor,
) -> Vec<MetricFamily<'static>> {
    let docs: Vec<(String, String, String)> = daemons
        .iter()
        .map(|(label, schema_of, dump_of)| {
            let schema = String::from_utf8(testdata(
                release,
                &format!("{kind}_schema.{schema_of}.json"),
            ))
            .unwrap();
            let dump = String::from_utf8(testdata(release, &format!("{kind}_dump.{dump_of}.json")))
                .unwrap();
            ((*label).to_owned(), schema, dump)
        })
        .collect();
    let schemas: Vec<Schema<'_>> = docs
        .iter()
        .map(|(_, s, _)| Schema::parse(s).unwrap())
        .collect();
    let mut out = Families::new();
    for ((label, _, dump), schema) in docs.iter().zip(&schemas) {
        Mapper::new(flavor).map(label, schema, &Dump::parse(dump).unwrap(), &mut out);
    }
    out.into_set()
        .into_iter()
        .map(MetricFamily::into_owned)
        .collect()
}

type Series = BTreeMap<String, BTreeSet<String>>;

/// Family name → its series (labels and value), for comparing sets of families.
fn series(families: &[MetricFamily<'_>]) -> Series {
    families
        .iter()
        .map(|f| {
            let s = f
                .metrics
                .iter()
                .map(|m| {
                    let labels: Vec<String> = m
                        .labels
                        .iter()
                        .map(|l| format!("{}={}", l.name, l.value))
                        .collect();
                    format!("{} {:?} {:?}", labels.join(","), f.metric_type, m.value)
                })
                .collect();
            (f.name.to_string(), s)
        })
        .collect()
}

const HEALTH: [&str; 3] = [
    "ceph_daemon_socket_up",
    "ceph_asok_scrape_success",
    "ceph_asok_scrape_duration_seconds",
];

fn without_health(families: &[MetricFamily<'static>]) -> Vec<MetricFamily<'static>> {
    families
        .iter()
        .filter(|f| !HEALTH.contains(&f.name.as_ref()))
        .cloned()
        .collect()
}

fn health_value(families: &[MetricFamily<'_>], name: &str, daemon: &str) -> Option<f64> {
    families
        .iter()
        .find(|f| f.name == name)?
        .metrics
        .iter()
        .find(|m| m.labels.iter().any(|l| l.value == daemon))
        .map(|m| match &m.value {
            expfmt::MetricValue::Scalar(v) => v.as_f64(),
            other => panic!("{other:?}"),
        })
}

#[test]
fn captured_dumps_over_sockets_in_both_flavours() {
    let dir = SocketDir::new();
    dir.daemon("ceph-osd.0.asok", reef("osd.0"));
    dir.daemon("ceph-mds.a.asok", reef("mds.a"));
    // Skipped as ceph-exporter skips them, and not a socket at all.
    dir.daemon("ceph-mgr.x.asok", reef("osd.0"));
    std::fs::write(dir.0.join("notes.txt"), b"x").unwrap();

    // Exporter flavour: `counter` commands, labels from the socket names.
    let mut collector = AsokCollector::new(AsokOptions::new(&dir.0));
    let got = collector.collect();
    assert!(got.failures().next().is_none());
    let names: Vec<&str> = got
        .daemons()
        .iter()
        .map(exporter::DaemonScrape::daemon)
        .collect();
    assert_eq!(names, ["mds.a", "osd.0"]);
    assert!(
        got.daemons()
            .iter()
            .all(|d| d.api() == Some(CounterApi::Counter))
    );
    let want = direct(
        "reef-healthy",
        "counter",
        &[
            ("ceph-mds.a.asok", "mds.a", "mds.a"),
            ("ceph-osd.0.asok", "osd.0", "osd.0"),
        ],
        Flavor::Exporter,
    );
    let (g, w) = (series(&without_health(got.families())), series(&want));
    assert_eq!(g, w);
    assert!(g.contains_key("ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts"));
    eprintln!(
        "exporter flavour over sockets: {} families, {} series",
        g.len(),
        g.values().map(BTreeSet::len).sum::<usize>()
    );

    // Mgr flavour: `perf` commands, the module's names.
    let mut collector = AsokCollector::new(AsokOptions::new(&dir.0).flavor(Flavor::Mgr));
    let got = collector.collect();
    assert!(
        got.daemons()
            .iter()
            .all(|d| d.api() == Some(CounterApi::Perf))
    );
    let want = direct(
        "reef-healthy",
        "perf",
        &[("mds.a", "mds.a", "mds.a"), ("osd.0", "osd.0", "osd.0")],
        Flavor::Mgr,
    );
    assert_eq!(series(&without_health(got.families())), series(&want));
    for d in ["mds.a", "osd.0"] {
        assert_eq!(
            health_value(got.families(), "ceph_daemon_socket_up", d),
            Some(1.0)
        );
        assert_eq!(
            health_value(got.families(), "ceph_asok_scrape_success", d),
            Some(1.0)
        );
        assert!(
            health_value(got.families(), "ceph_asok_scrape_duration_seconds", d).unwrap() > 0.0
        );
    }
}

#[test]
fn pacific_daemons_fall_back_to_perf_commands() {
    let dir = SocketDir::new();
    for osd in ["osd.0", "osd.1", "osd.2"] {
        dir.daemon(&format!("ceph-{osd}.asok"), pacific(osd, "osd.0"));
    }
    dir.daemon("ceph-mon.a.asok", pacific("mon.a", "mon.a"));
    let mut collector = AsokCollector::new(AsokOptions::new(&dir.0));
    for _ in 0..2 {
        // The second collection asks `perf` right away (remembered).
        let got = collector.collect();
        assert!(
            got.failures().next().is_none(),
            "{:?}",
            got.failures().collect::<Vec<_>>()
        );
        assert!(
            got.daemons()
                .iter()
                .all(|d| d.api() == Some(CounterApi::Perf))
        );
        let want = direct(
            "pacific-healthy",
            "perf",
            &[
                ("ceph-mon.a.asok", "mon.a", "mon.a"),
                ("ceph-osd.0.asok", "osd.0", "osd.0"),
                ("ceph-osd.1.asok", "osd.0", "osd.1"),
                ("ceph-osd.2.asok", "osd.0", "osd.2"),
            ],
            Flavor::Exporter,
        );
        assert_eq!(series(&without_health(got.families())), series(&want));
    }
}

#[test]
fn a_refused_socket_is_a_missing_daemon_not_a_failure() {
    let dir = SocketDir::new();
    dir.daemon("ceph-osd.0.asok", reef("osd.0"));
    let dead = dir.dead("ceph-osd.1.asok");
    let got = AsokCollector::new(AsokOptions::new(&dir.0)).collect();
    assert_eq!(got.failures().count(), 0);
    let d = &got.daemons()[1];
    assert_eq!(d.socket(), dead);
    assert!(matches!(d.status(), ScrapeStatus::Missing(e) if e.is_missing()));
    let f = got.families();
    assert_eq!(health_value(f, "ceph_daemon_socket_up", "osd.1"), Some(0.0));
    assert_eq!(health_value(f, "ceph_asok_scrape_success", "osd.1"), None);
    assert_eq!(health_value(f, "ceph_daemon_socket_up", "osd.0"), Some(1.0));
    // A path that does not exist at all is missing too.
    let err = AdminSocket::new(dir.0.join("ceph-osd.9.asok"))
        .command("perf dump")
        .unwrap_err();
    assert!(err.is_missing(), "{err:?}");
}

/// Runs one command against a stand-in daemon answering `reply`.
fn one(reply: Reply, timeout: Duration) -> (exporter::AsokError, Duration) {
    let dir = SocketDir::new();
    let path = dir.daemon("ceph-osd.0.asok", reply);
    let t0 = Instant::now();
    let err = AdminSocket::new(&path)
        .timeout(timeout)
        .max_reply(1 << 20)
        .command("perf dump")
        .unwrap_err();
    let took = t0.elapsed();
    assert_eq!(err.path(), path);
    assert_eq!(err.command(), "perf dump");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    (err, took)
}

#[test]
fn huge_length_prefix() {
    let (err, _) = one(
        Reply::Raw(b"\xff\xff\xff\xff{\"osd\":".to_vec()),
        Duration::from_secs(5),
    );
    assert!(
        matches!(
            err.kind(),
            AsokErrorKind::Reply(ReplyError::TooLarge {
                claimed: 0xffff_ffff,
                limit: 1_048_576
            })
        ),
        "{err:?}"
    );
}

#[test]
fn short_reply() {
    let (err, _) = one(
        Reply::Raw(b"\0\0\x03\xe8{\"osd\": {}".to_vec()),
        Duration::from_secs(5),
    );
    assert!(
        matches!(
            err.kind(),
            AsokErrorKind::Reply(ReplyError::Truncated {
                expected: 1000,
                received: 10
            })
        ),
        "{err:?}"
    );
    let (err, _) = one(Reply::Raw(b"\0\0".to_vec()), Duration::from_secs(5));
    assert!(
        matches!(
            err.kind(),
            AsokErrorKind::Reply(ReplyError::NoLength { received: 2 })
        ),
        "{err:?}"
    );
}

#[test]
fn slow_server_past_the_deadline() {
    let (err, took) = one(
        Reply::Slow(Duration::from_secs(3), b"{}".to_vec()),
        Duration::from_millis(200),
    );
    assert!(err.is_timeout(), "{err:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn garbage_and_failures_leave_the_rest_exported() {
    let dir = SocketDir::new();
    dir.daemon("ceph-mds.a.asok", reef("mds.a"));
    dir.daemon("ceph-osd.0.asok", Reply::Raw(framed(b"\x00\x01garbage\n")));
    dir.daemon("ceph-osd.1.asok", Reply::Raw(b"\x7f\xff\xff\xff".to_vec()));
    let mut truncated = BTreeMap::new();
    truncated.insert(
        "counter schema",
        testdata("reef-healthy", "counter_schema.osd.0.json"),
    );
    truncated.insert("counter dump", b"{\"osd\": {\"op_r\": 1".to_vec());
    dir.daemon("ceph-osd.2.asok", Reply::Files(truncated));
    dir.daemon(
        "ceph-osd.3.asok",
        Reply::Slow(Duration::from_secs(3), b"{}".to_vec()),
    );
    dir.dead("ceph-osd.4.asok");
    let options = AsokOptions::new(&dir.0)
        .timeout(Duration::from_millis(300))
        .max_reply(1 << 20);
    let t0 = Instant::now();
    let got = AsokCollector::new(options).collect();
    assert!(t0.elapsed() < Duration::from_secs(2));
    let kinds: Vec<String> = got
        .daemons()
        .iter()
        .map(|d| match d.status() {
            ScrapeStatus::Ok => "ok".to_owned(),
            ScrapeStatus::Missing(_) => "missing".to_owned(),
            ScrapeStatus::Failed(e) => {
                assert_eq!(e.path(), d.socket());
                match e.kind() {
                    AsokErrorKind::Rejected { reply } => format!("rejected {reply}"),
                    AsokErrorKind::Reply(ReplyError::TooLarge { .. }) => "too large".into(),
                    AsokErrorKind::Parse(_) => format!("parse {}", e.command()),
                    AsokErrorKind::Timeout { .. } => "timeout".into(),
                    other => format!("{other:?}"),
                }
            }
            _ => "other".to_owned(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ok",
            "rejected \\u{0}\\u{1}garbage\\n",
            "too large",
            "parse counter dump",
            "timeout",
            "missing"
        ]
    );
    assert_eq!(got.failures().count(), 4);
    let f = got.families();
    assert_eq!(
        health_value(f, "ceph_asok_scrape_success", "mds.a"),
        Some(1.0)
    );
    for osd in ["osd.0", "osd.1", "osd.2", "osd.3"] {
        assert_eq!(
            health_value(f, "ceph_asok_scrape_success", osd),
            Some(0.0),
            "{osd}"
        );
        assert_eq!(
            health_value(f, "ceph_daemon_socket_up", osd),
            Some(1.0),
            "{osd}"
        );
    }
    assert_eq!(health_value(f, "ceph_daemon_socket_up", "osd.4"), Some(0.0));
    // The MDS's counters are all there.
    let want = direct(
        "reef-healthy",
        "counter",
        &[("ceph-mds.a.asok", "mds.a", "mds.a")],
        Flavor::Exporter,
    );
    assert_eq!(series(&without_health(f)), series(&want));
}

#[test]
fn a_collection_stops_at_its_deadline() {
    let dir = SocketDir::new();
    for i in 0..6 {
        dir.daemon(
            &format!("ceph-osd.{i}.asok"),
            Reply::Slow(Duration::from_secs(3), b"{}".to_vec()),
        );
    }
    let options = AsokOptions::new(&dir.0)
        .timeout(Duration::from_secs(2))
        .deadline(Duration::from_millis(300))
        .concurrency(2);
    let t0 = Instant::now();
    let got = AsokCollector::new(options).collect();
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(got.daemons().len(), 6);
    assert!(
        got.daemons()
            .iter()
            .all(|d| d.error().is_some_and(exporter::AsokError::is_timeout))
    );
}

#[test]
fn an_unlistable_directory_is_reported() {
    let got = AsokCollector::new(AsokOptions::new("/nonexistent/asok-dir")).collect();
    assert!(got.scan_error().is_some());
    assert!(got.families().is_empty());
}
