//! Live collection against a running cluster, side by side with the mgr prometheus module's
//! own collection time.
//!
//! `CEPH_CONF=/path/ceph.conf cargo bench -p exporter --features rados --bench live`; without
//! `CEPH_CONF`, or when the cluster does not answer, it prints why and measures nothing.
//! Optional: `CEPH_ASOK_DIR` (the daemons' admin sockets on this host, for perf counters
//! without `ceph tell` children), `CEPH_MGR_PROMETHEUS` (`host:port` of the module, default
//! `127.0.0.1:9283`).
//!
//! It prints, per collection (commands, mapping and text encoding): wall time and CPU time
//! (this process and its `ceph` children) in daemon mode (connection, perf schemas and the
//! map documents of unchanged epochs kept), the same without reusing map documents, and
//! one-shot (a new connection each time); where a daemon-mode collection's time goes (the
//! concurrent rounds of commands, the collector, the encoder); the module's own average
//! `ceph_prometheus_collect_duration_seconds` (sum over its methods / collections), and the
//! ratios; then criterion measures the daemon-mode collection.
//!
//! Targets (issue 11): at most 50 ms per collection in daemon mode, 250 ms one-shot.

use std::hint::black_box;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_main};
use expfmt::{FloatStyle, Format};
use exporter::{AsokTell, CephCli, ClusterCollector, CollectOptions, Commander, Live};

/// The deadline of each command.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A `Live` for `conf`: librados for the cluster commands when built with it, admin sockets in
/// `asok` for perf counters when given, the `ceph` client for the rest.
fn live(conf: &PathBuf, asok: Option<&PathBuf>) -> Live {
    let cli: Arc<dyn Commander> = Arc::new(CephCli::new().conf(conf).timeout(TIMEOUT));
    #[cfg(feature = "rados")]
    let cluster: Arc<dyn Commander> = Arc::new(exporter::Rados::new(conf).timeout(TIMEOUT));
    #[cfg(not(feature = "rados"))]
    let cluster: Arc<dyn Commander> = cli.clone();
    let tell: Arc<dyn Commander> = match asok {
        Some(dir) => Arc::new(AsokTell::new(dir, cli).timeout(TIMEOUT)),
        None => cli,
    };
    Live::new(cluster).tell_through(tell).timeout(TIMEOUT)
}

/// One collection: commands, mapping, text encoding; the body's length.
fn collect(live: &mut Live, collector: &mut ClusterCollector, out: &mut Vec<u8>) -> usize {
    let snapshot = live.snapshot();
    let collection = collector.collect(&snapshot);
    out.clear();
    collection
        .encode(out, Format::Text, FloatStyle::Python)
        .unwrap_or_else(|e| panic!("encoding: {e}"));
    out.len()
}

/// CPU time of this process and its waited-for children, from `/proc/self/stat`.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 12th, then stime,
    // cutime, cstime; in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(4)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The module's average collection time: the sum of `ceph_prometheus_collect_duration_seconds`
/// over its methods divided by the number of collections.
fn module_average(addr: &str) -> Result<(Duration, u64), String> {
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET /metrics HTTP/1.0\r\nHost: {addr}\r\nAccept: text/plain\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut body = String::new();
    s.take(64 << 20)
        .read_to_string(&mut body)
        .map_err(|e| e.to_string())?;
    let (mut sum, mut count) = (0.0, 0.0_f64);
    for line in body.lines() {
        let value = |l: &str| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
        if line.starts_with("ceph_prometheus_collect_duration_seconds_sum{") {
            sum += value(line).unwrap_or(0.0);
        } else if line.starts_with("ceph_prometheus_collect_duration_seconds_count{") {
            count = count.max(value(line).unwrap_or(0.0));
        }
    }
    if count == 0.0 {
        return Err(format!(
            "no ceph_prometheus_collect_duration_seconds at {addr}"
        ));
    }
    Ok((Duration::from_secs_f64(sum / count), count as u64))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench() {
    let Some(conf) = std::env::var_os("CEPH_CONF").map(PathBuf::from) else {
        eprintln!("live: skipped: CEPH_CONF is not set (the ceph.conf of a running cluster)");
        return;
    };
    let asok = std::env::var_os("CEPH_ASOK_DIR").map(PathBuf::from);
    let mgr = std::env::var("CEPH_MGR_PROMETHEUS").unwrap_or_else(|_| "127.0.0.1:9283".into());
    let client = if cfg!(feature = "rados") {
        "librados"
    } else {
        "ceph CLI"
    };
    let tell = if asok.is_some() {
        "admin sockets"
    } else {
        "ceph tell"
    };
    let mut daemon = live(&conf, asok.as_ref());
    let first = daemon.snapshot();
    if !first.reachable() {
        let why = first
            .first_error()
            .map(|(r, e)| format!("{r}: {e}"))
            .unwrap_or_default();
        eprintln!("live: skipped: the cluster does not answer ({why})");
        return;
    }
    let mut collector = ClusterCollector::new(CollectOptions::default());
    let mut out = Vec::new();
    let bytes = collect(&mut daemon, &mut collector, &mut out);
    println!(
        "live: {} (cluster commands: {client}, perf counters: {tell}), {bytes} bytes of text",
        conf.display()
    );

    // Daemon mode: connection and perf schemas kept.
    let runs = 20;
    let (t0, c0) = (Instant::now(), cpu());
    for _ in 0..runs {
        black_box(collect(&mut daemon, &mut collector, &mut out));
    }
    let wall = t0.elapsed() / runs;
    let cpu_d = (cpu() - c0) / runs;
    // The same without reusing the map documents: every cluster command at every collection.
    let mut every = live(&conf, asok.as_ref()).reuse_maps(None);
    let mut every_collector = ClusterCollector::new(CollectOptions::default());
    collect(&mut every, &mut every_collector, &mut out);
    let (t0, c0) = (Instant::now(), cpu());
    for _ in 0..runs {
        black_box(collect(&mut every, &mut every_collector, &mut out));
    }
    let wall_every = t0.elapsed() / runs;
    let cpu_every = (cpu() - c0) / runs;
    // One-shot: a new connection and collector each time.
    let shots = 5;
    let (t0, c0) = (Instant::now(), cpu());
    for _ in 0..shots {
        let mut l = live(&conf, asok.as_ref());
        let mut c = ClusterCollector::new(CollectOptions::default());
        black_box(collect(&mut l, &mut c, &mut out));
    }
    let wall_1 = t0.elapsed() / shots;
    let cpu_1 = (cpu() - c0) / shots;
    // Where a daemon-mode collection's time goes.
    let [mut cluster_t, mut snap_t, mut collect_t, mut encode_t] = [Duration::ZERO; 4];
    for _ in 0..runs {
        let t = Instant::now();
        let snapshot = daemon.snapshot();
        let took = t.elapsed();
        let t = Instant::now();
        let collection = collector.collect(&snapshot);
        let took_collect = t.elapsed();
        let t = Instant::now();
        out.clear();
        collection
            .encode(&mut out, Format::Text, FloatStyle::Python)
            .unwrap_or_else(|e| panic!("encoding: {e}"));
        encode_t += t.elapsed();
        cluster_t += snapshot.durations().0;
        snap_t += took;
        collect_t += took_collect;
    }
    let perf_t = snap_t.saturating_sub(cluster_t);
    println!(
        "live: ours, daemon mode: {:.1} ms wall, {:.1} ms CPU per collection ({runs} runs; \
         target 50 ms)",
        ms(wall),
        ms(cpu_d)
    );
    println!(
        "live: ours, daemon mode, no map reuse: {:.1} ms wall, {:.1} ms CPU per collection \
         ({runs} runs)",
        ms(wall_every),
        ms(cpu_every)
    );
    println!(
        "live: ours, one-shot:    {:.1} ms wall, {:.1} ms CPU per collection ({shots} runs; \
         target 250 ms)",
        ms(wall_1),
        ms(cpu_1)
    );
    println!(
        "live: daemon mode by part: first rounds (cluster commands, perf counters of the daemons \
         known up) {:.1} ms, the rest of the perf counters {:.1} ms, \
         collect {:.1} ms, encode {:.1} ms (wall, mean of {runs})",
        ms(cluster_t / runs),
        ms(perf_t / runs),
        ms(collect_t / runs),
        ms(encode_t / runs)
    );
    match module_average(&mgr) {
        Ok((avg, n)) => println!(
            "live: module collect():  {:.1} ms (ceph_prometheus_collect_duration_seconds, \
             {n} collections); ours/module wall: daemon {:.1}x, one-shot {:.1}x",
            ms(avg),
            wall.as_secs_f64() / avg.as_secs_f64(),
            wall_1.as_secs_f64() / avg.as_secs_f64()
        ),
        Err(e) => println!("live: module collect(): unknown ({e})"),
    }

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    c.bench_function("live/daemon_mode_collection", |b| {
        b.iter(|| black_box(collect(&mut daemon, &mut collector, &mut out)));
    });
    c.final_summary();
}

criterion_main!(bench);
