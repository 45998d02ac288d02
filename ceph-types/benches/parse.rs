//! Parse throughput and peak memory of the big cluster dumps: `osd dump`, `osd metadata` and
//! `pg dump` of a synthetic 5,000-OSD / 200,000-PG cluster, typed models against
//! `serde_json::Value` on the same bytes.
//!
//! The inputs are generated here by scaling the live Reef 18.2.7 capture in
//! `testdata/ceph/18.2.7-healthy/`: its first OSD / metadata entry / PG is the template, copied
//! with new ids, addresses, up/acting sets and states. Compact JSON, as `ceph ... -f json`
//! prints it.
//!
//! The `pg_dump` group also runs the streaming [`PgDumpReader`] on the same bytes (what a
//! monitoring tool reads: each PG's id and state, the acting primary of `creating` PGs).
//!
//! The `pg_dump` group also runs the streaming `PgDumpReader` on the same bytes (what a
//! monitoring tool reads: each PG's id and state, the acting primary of `creating` PGs).
//!
//! Run: `cargo bench -p ceph-types --bench parse`. After criterion's report it prints, for each
//! dump, MB/s of both parsers and their ratio (best of 3 timed runs), and peak memory: each
//! parse is repeated in a fresh child process (this binary, re-run with
//! `CEPH_TYPES_BENCH_MEMORY=<parser>:<file>`) that reads the file, notes its resident set size,
//! parses, and reads the peak (`VmHWM` in `/proc/self/status`, Linux only).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ceph_types::{OsdDump, OsdMetadata, PgDump, PgDumpReader, PgDumpVisitor, StreamedPg};
use criterion::{Criterion, Throughput};
use serde_json::{Value, json};

/// OSDs in the synthetic cluster.
const OSDS: usize = 5_000;
/// PGs in the synthetic cluster.
const PGS: usize = 200_000;

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

/// Reads a capture file of the Reef fixture set.
fn capture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/ceph/18.2.7-healthy")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
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

/// `ceph osd dump` with `OSDS` OSDs.
fn osd_dump() -> String {
    let mut d = capture("osd_dump.json");
    let osd0 = d["osds"][0].clone();
    let xinfo0 = d["osd_xinfo"][0].clone();
    let mut osds = Vec::with_capacity(OSDS);
    let mut xinfo = Vec::with_capacity(OSDS);
    for i in 0..OSDS {
        let mut o = osd0.clone();
        o["osd"] = json!(i);
        o["uuid"] = json!(format!("7daf5e64-6395-4030-97bc-{i:012x}"));
        readdress(&mut o, &ip(i / 12 + 1));
        osds.push(o);
        let mut x = xinfo0.clone();
        x["osd"] = json!(i);
        xinfo.push(x);
    }
    d["osds"] = Value::Array(osds);
    d["osd_xinfo"] = Value::Array(xinfo);
    d["max_osd"] = json!(OSDS);
    serde_json::to_string(&d).unwrap()
}

/// `ceph osd metadata` with `OSDS` entries.
fn osd_metadata() -> String {
    let m = capture("osd_metadata.json");
    let entry0 = m[0].clone();
    let mut out = Vec::with_capacity(OSDS);
    for i in 0..OSDS {
        let mut e = entry0.clone();
        e["id"] = json!(i);
        e["hostname"] = json!(format!("ceph-node-{:04}", i / 12));
        readdress(&mut e, &ip(i / 12 + 1));
        out.push(e);
    }
    serde_json::to_string(&Value::Array(out)).unwrap()
}

/// `ceph pg dump` with `PGS` PGs over `OSDS` OSDs.
fn pg_dump() -> String {
    let mut d = capture("pg_dump.json");
    let templates: Vec<Value> = d["pg_map"]["pg_stats"].as_array().unwrap().clone();
    let osd_stat0 = d["pg_map"]["osd_stats"][0].clone();
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
    let pools = 5;
    let mut pgs = Vec::with_capacity(PGS);
    for i in 0..PGS {
        let mut p = templates[i % templates.len()].clone();
        let pool = i % pools + 1;
        p["pgid"] = json!(format!("{pool}.{:x}", i / pools));
        p["state"] = json!(states[rng.below(states.len())]);
        let mut set = Vec::with_capacity(3);
        while set.len() < 3 {
            let o = rng.below(OSDS);
            if !set.contains(&o) {
                set.push(o);
            }
        }
        p["up"] = json!(set);
        p["acting"] = json!(set);
        p["up_primary"] = json!(set[0]);
        p["acting_primary"] = json!(set[0]);
        pgs.push(p);
    }
    let mut osd_stats = Vec::with_capacity(OSDS);
    for i in 0..OSDS {
        let mut s = osd_stat0.clone();
        s["osd"] = json!(i);
        s["num_pgs"] = json!(PGS * 3 / OSDS);
        osd_stats.push(s);
    }
    d["pg_map"]["pg_stats"] = Value::Array(pgs);
    d["pg_map"]["osd_stats"] = Value::Array(osd_stats);
    serde_json::to_string(&d).unwrap()
}

/// What a monitoring tool keeps of a streamed `pg dump`: PGs per state string and the
/// acting primaries of `creating` PGs.
#[derive(Default)]
struct Tally {
    pgs: u64,
    creating: u64,
}

impl PgDumpVisitor for Tally {
    fn pg(&mut self, pg: StreamedPg<'_>) {
        self.pgs += 1;
        self.creating += u64::from(pg.acting_primary.is_some());
    }
    fn wants_acting_primary(&mut self, state: &str) -> bool {
        state.split('+').any(|s| s == "creating")
    }
}

/// Reads `text` with the streaming reader; the PGs seen.
fn stream(text: &str) -> u64 {
    let mut t = Tally::default();
    PgDumpReader::new(text.as_bytes()).visit(&mut t).unwrap();
    t.pgs + t.creating
}

/// Where the generated inputs are written (for the memory child processes).
fn input_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ceph-types-bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The peak and current resident set size in KiB (`VmHWM`, `VmRSS`), Linux only.
fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Child-process mode: parse one file with one parser and print
/// `<input bytes> <rss before parse KiB> <peak KiB>`.
fn memory_child(spec: &str) {
    let (parser, file) = spec.split_once(':').expect("parser:file");
    let text = std::fs::read_to_string(file).unwrap();
    // Reset the peak to the current RSS (Linux: writing 5 to clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (_, before) = rss_kib().unwrap_or((0, 0));
    let kind = Path::new(file).file_stem().unwrap().to_str().unwrap();
    match (parser, kind) {
        ("typed", "osd_dump") => drop(black_box(OsdDump::parse(&text).unwrap())),
        ("typed", "osd_metadata") => drop(black_box(OsdMetadata::parse(&text).unwrap())),
        ("typed", "pg_dump") => drop(black_box(PgDump::parse(&text).unwrap())),
        ("value", _) => drop(black_box(serde_json::from_str::<Value>(&text).unwrap())),
        _ => panic!("unknown spec {spec}"),
    }
    let (peak, _) = rss_kib().unwrap_or((0, 0));
    println!("{} {before} {peak}", text.len());
}

/// Runs the memory child for `parser` on `file`: (input bytes, parse's peak growth in bytes).
fn measure_memory(parser: &str, file: &Path) -> Option<(u64, u64)> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env(
            "CEPH_TYPES_BENCH_MEMORY",
            format!("{parser}:{}", file.display()),
        )
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?;
    let mut it = s.split_whitespace().map(|w| w.parse::<u64>().ok());
    let (len, before, peak) = (it.next()??, it.next()??, it.next()??);
    (peak > 0).then_some((len, peak.saturating_sub(before) * 1024))
}

/// Best-of-`n` wall time of `f`.
fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    if let Ok(spec) = std::env::var("CEPH_TYPES_BENCH_MEMORY") {
        memory_child(&spec);
        return;
    }
    let dir = input_dir();
    let inputs: Vec<(&str, String)> = vec![
        ("osd_dump", osd_dump()),
        ("osd_metadata", osd_metadata()),
        ("pg_dump", pg_dump()),
    ];
    for (name, text) in &inputs {
        std::fs::write(dir.join(format!("{name}.json")), text).unwrap();
    }

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    for (name, text) in &inputs {
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(text.len() as u64));
        match *name {
            "osd_dump" => g.bench_function("typed", |b| {
                b.iter(|| OsdDump::parse(black_box(text)).unwrap());
            }),
            "osd_metadata" => g.bench_function("typed", |b| {
                b.iter(|| OsdMetadata::parse(black_box(text)).unwrap());
            }),
            _ => g.bench_function("typed", |b| {
                b.iter(|| PgDump::parse(black_box(text)).unwrap());
            }),
        };
        g.bench_function("serde_json::Value", |b| {
            b.iter(|| serde_json::from_str::<Value>(black_box(text)).unwrap());
        });
        if *name == "pg_dump" {
            g.bench_function("PgDumpReader", |b| b.iter(|| stream(black_box(text))));
        }
        g.finish();
    }
    c.final_summary();

    // Side-by-side figures: best of 3, then peak memory in fresh processes.
    println!("\nceph-types parse, {OSDS} OSDs / {PGS} PGs (best of 3 runs):");
    println!(
        "{:<13} {:>9} {:>12} {:>12} {:>7}",
        "dump", "MB", "typed MB/s", "Value MB/s", "ratio"
    );
    for (name, text) in &inputs {
        let mb = text.len() as f64 / 1e6;
        let typed = best_of(3, || match *name {
            "osd_dump" => drop(black_box(OsdDump::parse(text).unwrap())),
            "osd_metadata" => drop(black_box(OsdMetadata::parse(text).unwrap())),
            _ => drop(black_box(PgDump::parse(text).unwrap())),
        });
        let value = best_of(3, || {
            drop(black_box(serde_json::from_str::<Value>(text).unwrap()));
        });
        let (t, v) = (mb / typed.as_secs_f64(), mb / value.as_secs_f64());
        println!("{name:<13} {mb:>9.1} {t:>12.1} {v:>12.1} {:>6.2}x", t / v);
        if *name == "pg_dump" {
            let streamed = best_of(3, || {
                black_box(stream(text));
            });
            let st = mb / streamed.as_secs_f64();
            println!(
                "  PgDumpReader (id, state, acting primary of creating PGs): {st:.1} MB/s, {:.2}x typed",
                st / t
            );
        }
    }
    println!("\npeak memory of one parse (growth of VmHWM over the RSS with the input loaded):");
    println!(
        "{:<13} {:>9} {:>14} {:>14}",
        "dump", "input MB", "typed", "Value"
    );
    for (name, _) in &inputs {
        let file = dir.join(format!("{name}.json"));
        match (
            measure_memory("typed", &file),
            measure_memory("value", &file),
        ) {
            (Some((len, t)), Some((_, v))) => {
                let pct = |b: u64| 100.0 * b as f64 / len as f64;
                println!(
                    "{name:<13} {:>9.1} {:>8.1} MB {:>3.0}% {:>8.1} MB {:>3.0}%",
                    len as f64 / 1e6,
                    t as f64 / 1e6,
                    pct(t),
                    v as f64 / 1e6,
                    pct(v)
                );
            }
            _ => println!("{name:<13} (peak RSS not available on this platform)"),
        }
    }
}
