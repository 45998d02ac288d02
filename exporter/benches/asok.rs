//! Per-host admin-socket collection against a simulator: N stand-in daemons (N = 12, 100,
//! 1,000), each a Unix socket served by its own thread in this process, answering like a Reef
//! daemon (the captured `counter schema`/`counter dump` of osd.0, every 25th socket mds.a's,
//! without the captures' indentation, as a daemon answers the collector's `"format": "json"`)
//! after a per-request latency of 1-5 ms (by socket: 1, 2, 3, 4, 5 ms, mean 3 ms), one
//! request at a time as a daemon's admin-socket thread does.
//!
//! `cargo bench -p exporter --bench asok`. For each N it prints one collection's wall time and
//! the peak resident memory it added (the process's `VmHWM` after resetting it through
//! `/proc/self/clear_refs`, minus the resident size before), then criterion measures the
//! collection time. Side by side: the collector at its default concurrency (32 daemons at a
//! time) and one daemon at a time (as the C++ `ceph-exporter` asks them), with the ratio
//! printed; one at a time is left out at N = 1,000 (it takes about N × 2 × 3 ms).
//!
//! Target (issue 11): 1,000 sockets in at most 1 s on 2 cores with at most 100 MB RSS.
//!
//! Measured 2026-12-04 on the project's 2-core machine shared with other sessions (load
//! average 11-13): N = 12 / 100 / 1,000 in 17 / 69 / 657 ms (criterion medians), 1,000
//! sockets adding 82.7 MB of peak RSS and 0.73 CPU-seconds (simulator threads included);
//! one daemon at a time took 4.7x (N = 12) and 10.4x (N = 100) as long.

use std::hint::black_box;
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use exporter::{AsokCollector, AsokOptions};

fn read(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/perfcounter/reef-healthy")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `json` without the whitespace between tokens: what a daemon sends for `"format": "json"`,
/// which the collector asks for (the captures are `json-pretty`).
fn compact(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    out
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
    v.extend_from_slice(payload);
    v
}

/// A daemon's framed replies.
struct Replies {
    schema: Vec<u8>,
    dump: Vec<u8>,
}

/// Serves `replies` on `path` after `latency`, one connection at a time, for ever (the
/// threads end with the process).
fn simulate(path: &Path, replies: Arc<Replies>, latency: Duration) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(move || {
            let mut cmd = Vec::with_capacity(128);
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                cmd.clear();
                let mut byte = [0u8];
                while conn.read(&mut byte).unwrap_or(0) == 1 && byte[0] != 0 {
                    cmd.push(byte[0]);
                }
                std::thread::sleep(latency);
                let text = String::from_utf8_lossy(&cmd);
                let reply = if text.contains("\"counter schema\"") {
                    &replies.schema
                } else if text.contains("\"counter dump\"") {
                    &replies.dump
                } else {
                    continue;
                };
                let _ = conn.write_all(reply);
            }
        })
        .unwrap();
}

/// A directory with `n` simulated daemons.
fn host(root: &Path, n: usize, osd: &Arc<Replies>, mds: &Arc<Replies>) -> PathBuf {
    let dir = root.join(format!("n{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        let (name, replies) = if i % 25 == 24 {
            (format!("ceph-mds.{i}.asok"), mds)
        } else {
            (format!("ceph-osd.{i}.asok"), osd)
        };
        let latency = Duration::from_millis(1 + (i % 5) as u64);
        simulate(&dir.join(name), Arc::clone(replies), latency);
    }
    dir
}

/// A field of `/proc/self/status`, in kB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time of the whole process (collector and simulator threads), from `/proc/self/stat`
/// (clock ticks, 100 per second on Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which ends with the last `)`.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// One collection with a new collector: wall time, CPU seconds of the process, peak RSS added
/// (MB, when the peak can be reset), samples, failed daemons.
fn measure(options: &AsokOptions) -> (Duration, f64, Option<f64>, usize, usize) {
    let mut collector = AsokCollector::new(options.clone());
    // Resets VmHWM to the current RSS (Linux 4.0+).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmRSS:");
    let (t0, cpu0) = (Instant::now(), cpu_seconds());
    let collection = collector.collect();
    let (took, cpu) = (t0.elapsed(), cpu_seconds() - cpu0);
    let peak = status_kb("VmHWM:");
    let samples = collection.families().iter().map(|f| f.metrics.len()).sum();
    let failed = collection.failures().count();
    #[expect(clippy::cast_precision_loss, reason = "kB of a test process")]
    let delta = reset.then(|| peak.saturating_sub(before) as f64 / 1024.0);
    drop(black_box(collection));
    (took, cpu, delta, samples, failed)
}

fn bench(c: &mut Criterion) {
    let osd = Arc::new(Replies {
        schema: framed(&compact(&read("counter_schema.osd.0.json"))),
        dump: framed(&compact(&read("counter_dump.osd.0.json"))),
    });
    let mds = Arc::new(Replies {
        schema: framed(&compact(&read("counter_schema.mds.a.json"))),
        dump: framed(&compact(&read("counter_dump.mds.a.json"))),
    });
    let root = std::env::temp_dir().join(format!("asok-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let sizes = [12usize, 100, 1000];
    let dirs: Vec<PathBuf> = sizes.iter().map(|&n| host(&root, n, &osd, &mds)).collect();

    println!(
        "replies: osd schema {} B, dump {} B; mds schema {} B, dump {} B",
        osd.schema.len(),
        osd.dump.len(),
        mds.schema.len(),
        mds.dump.len()
    );
    println!(
        "N sockets | concurrency | collection | CPU (all threads) | peak RSS added | samples | failed"
    );
    for (&n, dir) in sizes.iter().zip(&dirs) {
        let parallel = AsokOptions::new(dir).deadline(Duration::from_secs(60));
        let (t, cpu, rss, samples, failed) = measure(&parallel);
        let rss = rss.map_or("n/a".to_owned(), |m| format!("{m:.1} MB"));
        println!(
            "{n:>9} | {:>11} | {:>7.1} ms | {:>15.2} s | {rss:>14} | {samples:>7} | {failed}",
            parallel.max_concurrency(),
            t.as_secs_f64() * 1e3,
            cpu
        );
        if n <= 100 {
            let serial = parallel.clone().concurrency(1);
            let (ts, cpu, rss, samples, failed) = measure(&serial);
            let rss = rss.map_or("n/a".to_owned(), |m| format!("{m:.1} MB"));
            println!(
                "{n:>9} | {:>11} | {:>7.1} ms | {:>15.2} s | {rss:>14} | {samples:>7} | {failed}   \
                 (one at a time: {:.1}x the time)",
                1,
                ts.as_secs_f64() * 1e3,
                cpu,
                ts.as_secs_f64() / t.as_secs_f64()
            );
        }
    }

    let mut g = c.benchmark_group("asok_collect");
    g.sample_size(10);
    for (&n, dir) in sizes.iter().zip(&dirs) {
        g.throughput(Throughput::Elements(n as u64));
        let options = AsokOptions::new(dir).deadline(Duration::from_secs(60));
        let mut collector = AsokCollector::new(options.clone());
        g.bench_with_input(BenchmarkId::new("concurrent_32", n), &n, |b, _| {
            b.iter(|| collector.collect().families().len());
        });
        if n <= 100 {
            let mut collector = AsokCollector::new(options.concurrency(1));
            g.bench_with_input(BenchmarkId::new("one_at_a_time", n), &n, |b, _| {
                b.iter(|| collector.collect().families().len());
            });
        }
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&root);
}

/// The benchmark group (written out: `criterion_group!` makes an undocumented function).
fn benches() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
