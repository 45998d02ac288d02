//! `scrape` against real targets: our `ceph-exporter --listen` on its embedded capture and a
//! real Prometheus server's own `/metrics` (Debian's `prometheus`), plus a target nobody
//! listens on and a discovery file that stops parsing, then changes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ingest::FileStore;

const S: i64 = 1_000_000_000;

/// Children stopped (by PID) when the test ends, even on failure.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let status = body.split(' ').nth(1)?.parse().ok()?;
    let text = body.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, text))
}

fn wait_until(what: &str, deadline: Duration, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what}: not within {deadline:?}");
}

fn last_value(dir: &Path, series: &str) -> Option<f64> {
    let store = FileStore::open(dir).ok()?;
    let metric = store.load_metric(series).ok()?;
    let last = metric.aggregates("last".parse().ok()?, S).ok()?;
    last.serie().values().last().copied()
}

#[test]
fn scrapes_ceph_exporter_and_prometheus() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scrape-real");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let storage = dir.join("storage");
    let mut children = Children(Vec::new());

    children.0.push(
        Command::new(env!("CARGO_BIN_EXE_ceph-exporter"))
            .args(["--listen", "127.0.0.1:19542"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ceph-exporter"),
    );
    std::fs::write(
        dir.join("prometheus.yml"),
        "global:\n  scrape_interval: 1m\nscrape_configs: []\n",
    )
    .expect("prometheus config");
    children.0.push(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg("--web.listen-address=127.0.0.1:19543")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Debian's `prometheus` must be installed (apt-get install prometheus)"),
    );
    wait_until(
        "ceph-exporter serves /metrics",
        Duration::from_secs(30),
        || http_get("127.0.0.1:19542", "/metrics").is_some_and(|(s, _)| s == 200),
    );
    wait_until("prometheus is ready", Duration::from_secs(60), || {
        http_get("127.0.0.1:19543", "/-/ready").is_some_and(|(s, _)| s == 200)
    });

    std::fs::write(
        dir.join("policy.json"),
        r#"{"name": "scrape", "aggregation_methods": ["last"], "definition": [{"granularity": 1, "points": 600}]}"#,
    )
    .expect("policy");
    let sd = dir.join("targets.json");
    std::fs::write(
        &sd,
        r#"[{"targets": ["127.0.0.1:19543", "127.0.0.1:19549"], "labels": {"team": "a"}}]"#,
    )
    .expect("sd");
    std::fs::write(
        dir.join("scrape.json"),
        r#"{"policy": "policy.json", "global": {"scrape_interval": "2s", "scrape_timeout": "1s"},
            "scrape_configs": [
              {"job_name": "ceph", "static_configs": [{"targets": ["127.0.0.1:19542"], "labels": {"cluster": "lab"}}]},
              {"job_name": "prom", "scrape_interval": "1s", "scrape_timeout": "500ms",
               "file_sd_configs": [{"files": ["targets.json"]}]}]}"#,
    )
    .expect("scrape config");
    let mut scrape = Command::new(env!("CARGO_BIN_EXE_scrape"))
        .arg("--config")
        .arg(dir.join("scrape.json"))
        .arg("--storage")
        .arg(&storage)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scrape");
    let stderr = scrape.stderr.take().expect("stderr");
    children.0.push(scrape);
    let (tx, log) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });

    let ceph_up = r#"up{cluster="lab",instance="127.0.0.1:19542",job="ceph"}"#;
    let prom_up = r#"up{instance="127.0.0.1:19543",job="prom",team="a"}"#;
    let dead_up = r#"up{instance="127.0.0.1:19549",job="prom",team="a"}"#;
    wait_until(
        "up of all three targets stored",
        Duration::from_secs(240),
        || {
            [ceph_up, prom_up, dead_up]
                .iter()
                .all(|s| last_value(&storage, s).is_some())
        },
    );
    assert_eq!(last_value(&storage, ceph_up), Some(1.0));
    assert_eq!(last_value(&storage, prom_up), Some(1.0));
    assert_eq!(last_value(&storage, dead_up), Some(0.0));
    let duration = last_value(
        &storage,
        r#"scrape_duration_seconds{cluster="lab",instance="127.0.0.1:19542",job="ceph"}"#,
    )
    .expect("scrape_duration_seconds");
    assert!(duration > 0.0 && duration < 1.0, "{duration}");

    // Values stored are the values served: ceph_health_status of the capture.
    let (_, text) = http_get("127.0.0.1:19542", "/metrics").expect("exporter text");
    let health: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("ceph_health_status "))
        .expect("ceph_health_status served")
        .trim()
        .parse()
        .expect("number");
    let stored = last_value(
        &storage,
        r#"ceph_health_status{cluster="lab",instance="127.0.0.1:19542",job="ceph"}"#,
    );
    assert_eq!(stored, Some(health));
    let store = FileStore::open(&storage).expect("storage");
    let prom_series = store
        .metric_names()
        .filter(|n| n.starts_with("prometheus_") && n.contains(r#"job="prom""#))
        .count();
    assert!(prom_series > 50, "only {prom_series} prometheus_* series");

    // A discovery file that does not parse keeps the targets; a changed one replaces them.
    std::fs::write(&sd, "[{\"targets\": ").expect("sd");
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(30);
    while !seen
        .iter()
        .any(|l: &String| l.contains("kept its previous targets"))
    {
        let left = end.saturating_duration_since(Instant::now());
        match log.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("bad discovery file not reported:\n{}", seen.join("\n")),
        }
    }
    std::fs::write(
        &sd,
        r#"[{"targets": ["127.0.0.1:19543"], "labels": {"team": "b"}}]"#,
    )
    .expect("sd");
    let prom_b = r#"up{instance="127.0.0.1:19543",job="prom",team="b"}"#;
    wait_until(
        "targets of the changed discovery file scraped",
        Duration::from_secs(60),
        || last_value(&storage, prom_b) == Some(1.0),
    );
}
