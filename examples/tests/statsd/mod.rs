//! `statsd`: packets in, aggregates out through `carbonara-dump --storage`; a storage it cannot
//! write; and a kill in the middle of a flush.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use ingest::FileStore;

const S: i64 = 1_000_000_000;

struct Daemon {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Daemon {
    fn start(port: u16, storage: &Path, policy: &str, flush: &str, level: &str) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_statsd"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--storage")
            .arg(storage)
            .args([
                "--policy",
                policy,
                "--flush-delay",
                flush,
                "--log-level",
                level,
            ])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn statsd");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut d = Daemon {
            child,
            lines,
            log: Vec::new(),
        };
        d.wait_for("statsd listening", Duration::from_secs(20));
        d
    }

    /// Waits (with a deadline) for a log line containing `needle`.
    fn wait_for(&mut self, needle: &str, deadline: Duration) -> String {
        let end = Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no `{needle}` in statsd's log within {deadline:?}:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    fn kill(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let rest: Vec<String> = self.lines.try_iter().collect();
        self.log.extend(rest);
        std::mem::take(&mut self.log)
    }
}

/// A failing test still stops its daemon.
impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn send_all(port: u16, packets: &[Vec<u8>]) {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("udp");
    for p in packets {
        sock.send_to(p, ("127.0.0.1", port)).expect("send");
        // Loopback drops datagrams when the receive buffer is full.
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn packets_are_rolled_up_and_dumped() {
    let dir = temp_dir("statsd-e2e");
    let mut d = Daemon::start(19520, &dir, "high", "0.2", "info");
    send_all(
        19520,
        &[
            b"api.hits:1|c|@0.5\napi.hits:2|c\nload:0.25|g\nbad\x01line\nx:y|g\nnever:1|g".to_vec(),
            b"lat:12|ms".to_vec(),
        ],
    );
    d.wait_for("flushed metrics=3", Duration::from_secs(20));
    let log = d.kill().join("\n");
    assert!(log.contains("`bad\\x01line`"), "{log}");
    assert!(log.contains("value is not a number"), "{log}");

    let dump = Command::new(env!("CARGO_BIN_EXE_carbonara-dump"))
        .arg("--storage")
        .arg(&dir)
        .args([
            "--metric",
            "api.hits|c",
            "--method",
            "sum",
            "--granularity",
            "60",
        ])
        .output()
        .expect("run carbonara-dump");
    let out = String::from_utf8_lossy(&dump.stdout);
    assert_eq!(
        dump.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].ends_with(":00.000000000Z,4.0"), "{out}");

    let dump = Command::new(env!("CARGO_BIN_EXE_carbonara-dump"))
        .arg("--storage")
        .arg(&dir)
        .args(["--metric", "never|g"])
        .output()
        .expect("run carbonara-dump");
    assert_eq!(dump.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dump.stderr).contains("no metric `never|g`"));
}

#[test]
fn unwritable_storage_exits_2() {
    let file = temp_dir("statsd-not-a-dir");
    std::fs::write(&file, b"a file").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_statsd"))
        .arg("--storage")
        .arg(file.join("storage"))
        .args(["--listen", "127.0.0.1:19521"])
        .output()
        .expect("run statsd");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not writable"), "{err}");
}

/// Sum of the 1 s `count` aggregates of a metric: how many flushes it holds.
fn flushes_stored(store: &FileStore, name: &str) -> f64 {
    let metric = store.load_metric(name).expect("metric loads");
    let counts = metric
        .aggregates("count".parse().expect("method"), S)
        .expect("count at 1 s");
    let last = metric
        .aggregates("last".parse().expect("method"), 60 * S)
        .expect("last at 60 s");
    assert!(!last.serie().is_empty(), "{name}: 60 s aggregates lost");
    counts.serie().values().iter().sum()
}

#[test]
fn kill_mid_flush_loses_at_most_the_current_interval() {
    const N: usize = 300;
    let policy = temp_dir("statsd-kill-policy.json");
    std::fs::write(
        &policy,
        r#"{"name": "kill", "aggregation_methods": ["count", "last", "mean", "max"],
            "definition": [{"granularity": 1, "points": 3600}, {"granularity": 60, "points": 60}]}"#,
    )
    .expect("policy");
    let packets = |value: u32| -> Vec<Vec<u8>> {
        (0..N)
            .collect::<Vec<_>>()
            .chunks(50)
            .map(|c| {
                c.iter()
                    .map(|i| format!("m{i}:{value}|g\n"))
                    .collect::<String>()
                    .into_bytes()
            })
            .collect()
    };
    let policy = policy.to_string_lossy().into_owned();
    let mut partial_seen = false;
    for attempt in 0..4 {
        let dir = temp_dir(&format!("statsd-kill-{attempt}"));
        let mut d = Daemon::start(19522, &dir, &policy, "0.5", "debug");
        send_all(19522, &packets(1));
        let first = Instant::now();
        d.wait_for(&format!("flushed metrics={N}"), Duration::from_secs(120));
        let flush_time = first.elapsed();
        std::thread::sleep(Duration::from_millis(1100));
        send_all(19522, &packets(2));
        d.wait_for("flush started", Duration::from_secs(20));
        // Somewhere inside the second flush (it rewrites every metric).
        std::thread::sleep(flush_time.mul_f64(0.1 + 0.15 * f64::from(attempt)) / 2);
        let log = d.kill();
        let completed = log.iter().filter(|l| l.contains("flushed metrics")).count();

        let store = FileStore::open(&dir).expect("storage opens after the kill");
        assert_eq!(
            store.metric_names().count(),
            N,
            "every metric of the first flush is indexed"
        );
        let mut second = 0;
        for i in 0..N {
            let n = flushes_stored(&store, &format!("m{i}|g"));
            assert!(n == 1.0 || n == 2.0, "m{i}|g holds {n} flushes");
            second += usize::from(n == 2.0);
        }
        // Restarted on the same storage, the daemon goes on from what is stored.
        let mut d = Daemon::start(19522, &dir, &policy, "0.2", "info");
        send_all(19522, &[b"m0:3|g".to_vec()]);
        d.wait_for("flushed metrics=1", Duration::from_secs(20));
        d.kill();
        let store = FileStore::open(&dir).expect("storage reopens");
        let after = flushes_stored(&store, "m0|g");
        assert!(
            after >= 2.0,
            "m0|g lost stored data after the restart: {after}"
        );
        let _ = std::fs::remove_dir_all(&dir);
        if completed == 1 && second > 0 && second < N {
            partial_seen = true;
            eprintln!(
                "attempt {attempt}: killed after {second} of {N} metrics of the second flush"
            );
            break;
        }
        eprintln!("attempt {attempt}: kill landed outside the flush ({second} of {N}), again");
    }
    assert!(partial_seen, "never killed the daemon inside a flush");
}
