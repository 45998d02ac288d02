//! One cluster-level collection (every cluster input parsed, the module's static families built,
//! the PG map read and aggregated) of a synthetic 1,000-OSD / 33,000-PG cluster, from memory.
//!
//! The inputs scale the live Reef 18.2.7 capture in `testdata/ceph/18.2.7-healthy/`: its first
//! OSD, metadata entry, CRUSH device, OSD stat and PG are the templates, copied with new ids,
//! hosts, addresses, up/acting sets and states (a fixed-seed generator, so every run reads the
//! same bytes); every other document is the capture's. Compact JSON, as `ceph ... -f json`
//! prints it. Perf counters are off (they are per daemon and measured in `perfcounter`'s and
//! the `asok` benches).
//!
//! Run: `cargo bench -p exporter --bench collect`. Groups:
//!
//! - `collect_1000_osds/collect`: [`ClusterCollector::collect`] on a [`MemoryDumps`], one
//!   thread and every available thread;
//! - `collect_1000_osds/collect_encode_text`: the same plus the text encoding in the module's
//!   float style, as `/metrics` answers it;
//! - `collect_1000_osds/encode_text/{oneshot,repeat}`: the encoding alone, by
//!   [`Collection::encode_with`](exporter::Collection::encode_with) and by a
//!   [`RepeatEncoder`] reusing its prepared exposition (an unchanged cluster); the ratio is
//!   printed first.
//!
//! Compare two versions with criterion's baselines: `-- --save-baseline before` on the old
//! tree, `-- --baseline before` on the new one. On a shared machine wall time moves with the
//! load; before criterion's report the bench prints the CPU time of one single-threaded
//! collection (this thread's on-CPU time from `/proc/thread-self/schedstat`, Linux only, the
//! mean of 20 runs), which does not.
//!
//! Measured (shared 2-core machine, load 3-6): the PG map moving from the exporter's private
//! reader to `ceph_types::PgDumpReader` and the steps reading the `ceph-types` models directly
//! did not change the cost. Thread CPU per single-threaded collection, four runs each:
//! 103.1 / 101.4 / 106.3 / 104.7 ms before (486feef1), 101.7 / 103.6 / 104.4 / 104.5 ms after
//! (757e685c), 103.9 / 103.6 / 102.9 / 104.6 ms on the branch head; about 80 MB of the
//! 86 MB input is `pg dump`, read at about 800 MB/s. Wall times (criterion medians,
//! `collect/threads=1`) moved with the load between 102 and 209 ms for the same binary.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_main};
use expfmt::{FloatStyle, Format};
use exporter::{ClusterCollector, CollectOptions, Encoding, MemoryDumps, RepeatEncoder};
use serde_json::{Value, json};

/// OSDs in the synthetic cluster.
const OSDS: usize = 1_000;
/// PGs in the synthetic cluster (about 100 PG replicas per OSD at size 3).
const PGS: usize = 33_000;
/// OSDs per host.
const PER_HOST: usize = 12;
/// The capture the inputs are scaled from.
const CAPTURE: &str = "18.2.7-healthy";

/// A small deterministic generator (64-bit LCG), so inputs are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/ceph")
        .join(CAPTURE)
}

/// A capture file, parsed.
fn capture(name: &str) -> Value {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An IPv4 address for host `i`.
fn ip(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// Rewrites every `127.0.0.1` in the string values of `v` to `addr`.
fn readdress(v: &mut Value, addr: &str) {
    match v {
        Value::String(s) if s.contains("127.0.0.1") => *s = s.replace("127.0.0.1", addr),
        Value::Array(a) => a.iter_mut().for_each(|x| readdress(x, addr)),
        Value::Object(o) => o.values_mut().for_each(|x| readdress(x, addr)),
        _ => {}
    }
}

/// Repeats the first element of `v[key]` `n` times through `edit`.
fn scale(v: &mut Value, key: &str, n: usize, mut edit: impl FnMut(usize, &mut Value)) {
    let first = v[key][0].clone();
    let items = (0..n)
        .map(|i| {
            let mut x = first.clone();
            edit(i, &mut x);
            x
        })
        .collect();
    v[key] = Value::Array(items);
}

/// The synthetic cluster: file name and bytes, for a [`MemoryDumps`].
fn cluster() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for e in std::fs::read_dir(dir()).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        // Daemon files (perf counters, a monitor's own status) stay out: perf is off.
        let per_daemon = name.matches('.').count() > 1;
        if name.ends_with(".json") && !per_daemon {
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
    let mut put = |name: &str, v: &Value| {
        let bytes = serde_json::to_vec(v).unwrap();
        match files.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = bytes,
            None => files.push((name.to_owned(), bytes)),
        }
    };

    let mut d = capture("osd_dump.json");
    scale(&mut d, "osds", OSDS, |i, o| {
        o["osd"] = json!(i);
        o["uuid"] = json!(format!("7daf5e64-6395-4030-97bc-{i:012x}"));
        readdress(o, &ip(i / PER_HOST + 1));
    });
    scale(&mut d, "osd_xinfo", OSDS, |i, x| x["osd"] = json!(i));
    d["max_osd"] = json!(OSDS);
    let pools: Vec<i64> = d["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pool"].as_i64().unwrap())
        .collect();
    put("osd_dump.json", &d);

    let mut wrap = json!({ "m": capture("osd_metadata.json") });
    scale(&mut wrap, "m", OSDS, |i, e| {
        e["id"] = json!(i);
        e["hostname"] = json!(format!("ceph-node-{:04}", i / PER_HOST));
        readdress(e, &ip(i / PER_HOST + 1));
    });
    put("osd_metadata.json", &wrap["m"]);

    let mut c = capture("osd_crush_dump.json");
    scale(&mut c, "devices", OSDS, |i, dev| {
        dev["id"] = json!(i);
        dev["name"] = json!(format!("osd.{i}"));
        dev["class"] = json!(if i % 4 == 0 { "ssd" } else { "hdd" });
    });
    put("osd_crush_dump.json", &c);

    let mut p = capture("pg_dump.json");
    let states = [
        "active+clean",
        "active+clean",
        "active+clean",
        "active+clean",
        "active+clean+scrubbing+deep",
        "active+undersized+degraded",
        "active+remapped+backfill_wait",
        "active+clean+snaptrim_wait",
    ];
    let mut rng = Lcg(42);
    let map = &mut p["pg_map"];
    scale(map, "pg_stats", PGS, |i, pg| {
        let pool = pools[i % pools.len()];
        pg["pgid"] = json!(format!("{pool}.{:x}", i / pools.len()));
        pg["state"] = json!(states[rng.below(states.len())]);
        let mut set = Vec::with_capacity(3);
        while set.len() < 3 {
            let o = rng.below(OSDS);
            if !set.contains(&o) {
                set.push(o);
            }
        }
        pg["up"] = json!(set);
        pg["acting"] = json!(set);
        pg["up_primary"] = json!(set[0]);
        pg["acting_primary"] = json!(set[0]);
    });
    scale(map, "osd_stats", OSDS, |i, s| {
        s["osd"] = json!(i);
        s["num_pgs"] = json!(PGS * 3 / OSDS);
    });
    put("pg_dump.json", &p);
    files
}

/// This thread's on-CPU time (`/proc/thread-self/schedstat`, first field, nanoseconds).
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The mean on-CPU time of `runs` calls of `f` on this thread (measured over all of them:
/// the kernel may update the figure only at scheduler ticks).
fn mean_cpu(runs: u32, mut f: impl FnMut()) -> Option<Duration> {
    let start = thread_cpu()?;
    for _ in 0..runs {
        f();
    }
    Some(thread_cpu()?.saturating_sub(start) / runs)
}

fn bench(c: &mut Criterion) {
    let files = cluster();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let source = MemoryDumps::new(files.iter().map(|(n, b)| (n.clone(), b.as_slice())));
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    // Check once that the collection is whole: a bench of a collection that fails early
    // measures nothing.
    let mut collector = ClusterCollector::new(CollectOptions::new().perf(false));
    let collection = collector.collect(&source);
    assert!(
        collection.errors().is_empty(),
        "{:?}",
        collection
            .errors()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let mut body = Vec::new();
    collection
        .encode(&mut body, Format::Text, FloatStyle::Python)
        .unwrap();
    let osd_up = body
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"ceph_osd_up{"))
        .count();
    assert_eq!(osd_up, OSDS);
    println!(
        "collect_1000_osds: {} input files, {:.1} MB, exposition {:.1} MB, {} families",
        files.len(),
        bytes as f64 / 1e6,
        body.len() as f64 / 1e6,
        collection.families().len(),
    );

    // Single-threaded (no PG thread, perf off): all the work is on this thread.
    let mut single = ClusterCollector::new(CollectOptions::new().perf(false).threads(1));
    let cpu = mean_cpu(20, || {
        black_box(single.collect(&source).families().len());
    });
    let encode = mean_cpu(20, || {
        let collection = single.collect(&source);
        body.clear();
        collection
            .encode(&mut body, Format::Text, FloatStyle::Python)
            .unwrap();
        black_box(body.len());
    });
    if let (Some(cpu), Some(encode)) = (cpu, encode) {
        println!(
            "collect_1000_osds: thread CPU per collection (threads=1, mean of 20): {:.2} ms, with text encoding {:.2} ms",
            cpu.as_secs_f64() * 1e3,
            encode.as_secs_f64() * 1e3,
        );
    }

    let mut g = c.benchmark_group("collect_1000_osds");
    g.throughput(Throughput::Bytes(bytes as u64));
    for t in [1, threads] {
        let mut collector = ClusterCollector::new(CollectOptions::new().perf(false).threads(t));
        g.bench_function(format!("collect/threads={t}"), |b| {
            b.iter(|| black_box(collector.collect(&source).families().len()));
        });
        if t == threads && threads == 1 {
            break;
        }
    }
    let mut collector = ClusterCollector::new(CollectOptions::new().perf(false));
    g.bench_function(format!("collect_encode_text/threads={threads}"), |b| {
        b.iter(|| {
            let collection = collector.collect(&source);
            body.clear();
            collection
                .encode(&mut body, Format::Text, FloatStyle::Python)
                .unwrap();
            black_box(body.len())
        });
    });

    // Encoding alone, the one-shot encoder against the repeat encoder reusing its prepared
    // exposition (the collection of an unchanged cluster), side by side.
    let collection = collector.collect(&source);
    let encoding = Encoding::new(Format::Text, FloatStyle::Python);
    let mut repeat = RepeatEncoder::new(encoding);
    repeat.encode(&collection, &mut body).unwrap();
    let samples: usize = collection.families().iter().map(|f| f.metrics.len()).sum();
    let best = |f: &mut dyn FnMut()| {
        (0..30)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let oneshot = best(&mut || {
        body.clear();
        collection.encode_with(&mut body, encoding).unwrap();
    });
    let reused = best(&mut || repeat.encode(&collection, &mut body).unwrap());
    assert!(repeat.reused());
    println!(
        "encode_text ({samples} samples, best of 30): one-shot {:.1} ns/sample, repeat {:.1} \
         ns/sample, {:.2}x",
        oneshot.as_nanos() as f64 / samples as f64,
        reused.as_nanos() as f64 / samples as f64,
        oneshot.as_secs_f64() / reused.as_secs_f64()
    );
    g.bench_function("encode_text/oneshot", |b| {
        b.iter(|| {
            body.clear();
            collection.encode_with(&mut body, encoding).unwrap();
            black_box(body.len())
        });
    });
    g.bench_function("encode_text/repeat", |b| {
        b.iter(|| {
            repeat.encode(&collection, &mut body).unwrap();
            black_box(body.len())
        });
    });
    g.finish();
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
