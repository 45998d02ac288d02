//! The three workloads of Gnocchi's `carbonara_bench.py`, side by side with
//! Gnocchi's figures: (a) aggregation of 1,000,000 measures into 60 s / 1 h /
//! 1 day per method, (b) bound-buffer ingestion in batches of 1,000 with the
//! roll-up callback, (c) split (un)serialization of 86,400 points.
//!
//! Inputs are generated here with the same shapes as the Python bench
//! (1 s spacing from 2015-01-01, normal(100, 15) values, an integer counter).
//! Gnocchi's figures are read from `testdata/carbonara/gnocchi-bench.jsonl`
//! (the Python bench's output on this machine; override with
//! `GNOCCHI_BENCH_JSON`) and printed with the ratio after criterion's runs.

use std::hint::black_box;
use std::time::Instant;

use carbonara::{AggregatedTimeSerie, Aggregation, AggregationMethod, SplitKey};
use criterion::{BenchmarkId, Criterion, Throughput};
use timeserie::{BoundTimeSerie, GroupBy, Point, TimeSerie, round_timestamp};

const S: i64 = 1_000_000_000;
const START: i64 = 1_420_070_400 * S; // 2015-01-01T00:00:00Z
const N: usize = 1_000_000;
const BATCH: usize = 1_000;
const SPLIT_POINTS: usize = 86_400;
const GRANS: [i64; 3] = [60 * S, 3600 * S, 86_400 * S];
const METHODS: [&str; 8] = ["mean", "min", "max", "sum", "count", "last", "std", "95pct"];

/// A small deterministic generator (splitmix64) with Box-Muller normals.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        mean + sd * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn points(n: usize, seed: u64) -> Vec<Point> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| Point::new(START + i as i64 * S, rng.normal(100.0, 15.0)))
        .collect()
}

fn methods() -> Vec<AggregationMethod> {
    METHODS.iter().map(|m| m.parse().expect("method")).collect()
}

fn aggregate_all(serie: &TimeSerie, method: AggregationMethod) -> usize {
    let mut n = 0;
    for g in GRANS {
        let grouped = serie
            .group_serie(GroupBy::Duration(g), None)
            .expect("after epoch");
        n += AggregatedTimeSerie::from_grouped(&grouped, Aggregation::new(method, g, None))
            .expect("aggregate")
            .len();
    }
    n
}

fn ingest(batches: &[Vec<Point>], methods: &[AggregationMethod], serde: bool) -> usize {
    let mut bound = BoundTimeSerie::new(Some(86_400 * S), 0).expect("block size");
    let mut raw = Vec::new();
    let mut computed = 0;
    for b in batches {
        if serde && !raw.is_empty() {
            bound = BoundTimeSerie::unserialize(&raw, Some(86_400 * S), 0).expect("own buffer");
        }
        let first_ts = b[0].timestamp;
        computed += bound.set_values_with(b, |buf| {
            let mut n = 0;
            for g in GRANS {
                let start =
                    round_timestamp(buf.serie().first().unwrap_or(first_ts).max(first_ts), g);
                let grouped = buf
                    .serie()
                    .group_serie(GroupBy::Duration(g), Some(start))
                    .expect("after epoch");
                for &m in methods {
                    n += AggregatedTimeSerie::from_grouped(&grouped, Aggregation::new(m, g, None))
                        .expect("aggregate")
                        .len();
                }
            }
            n
        });
        if serde {
            raw.clear();
            bound.serialize(&mut raw).expect("serialize");
        }
    }
    computed
}

struct SplitCase {
    name: &'static str,
    serie: TimeSerie,
}

fn split_cases() -> Vec<SplitCase> {
    let mut rng = Rng(3);
    let ts: Vec<i64> = (0..SPLIT_POINTS).map(|i| START + i as i64 * S).collect();
    let normal: Vec<f64> = (0..SPLIT_POINTS).map(|_| rng.normal(100.0, 15.0)).collect();
    let mut acc = 0.0;
    let counter: Vec<f64> = (0..SPLIT_POINTS)
        .map(|_| {
            acc += (rng.next_u64() % 10) as f64;
            acc
        })
        .collect();
    vec![
        SplitCase {
            name: "random_normal",
            serie: TimeSerie::from_sorted(ts.clone(), normal).expect("sorted"),
        },
        SplitCase {
            name: "counter_int",
            serie: TimeSerie::from_sorted(ts, counter).expect("sorted"),
        },
    ]
}

fn serialize(serie: &TimeSerie, key: SplitKey, compressed: bool, out: &mut Vec<u8>) {
    out.clear();
    if compressed {
        carbonara::serialize_compressed(serie, key, out).expect("serialize");
    } else {
        let offset = carbonara::serialize_uncompressed(serie, key, out).expect("serialize");
        black_box(offset);
    }
}

/// The object a reader gets: uncompressed records sit at their offset.
fn stored_object(serie: &TimeSerie, key: SplitKey, compressed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if compressed {
        carbonara::serialize_compressed(serie, key, &mut out).expect("serialize");
        out
    } else {
        let offset = carbonara::serialize_uncompressed(serie, key, &mut out).expect("serialize");
        let mut object = vec![0u8; offset];
        object.extend_from_slice(&out);
        object
    }
}

fn bench(c: &mut Criterion) {
    let serie = TimeSerie::from_points(&points(N, 1));
    let mut g = c.benchmark_group("a_aggregate_1M_3_granularities");
    g.throughput(Throughput::Elements(N as u64)).sample_size(20);
    for m in methods() {
        g.bench_function(BenchmarkId::from_parameter(m.as_str()), |b| {
            b.iter(|| aggregate_all(black_box(&serie), m));
        });
    }
    g.finish();

    let batches: Vec<Vec<Point>> = points(N, 2).chunks(BATCH).map(<[Point]>::to_vec).collect();
    let ms = methods();
    let mut g = c.benchmark_group("b_bound_ingest_1M_batches_1000");
    g.throughput(Throughput::Elements(N as u64)).sample_size(10);
    g.bench_function("set_values_rollup", |b| {
        b.iter(|| ingest(black_box(&batches), &ms, false));
    });
    g.bench_function("set_values_rollup_with_serde", |b| {
        b.iter(|| ingest(black_box(&batches), &ms, true));
    });
    g.finish();

    let mut g = c.benchmark_group("c_split_86400_points");
    g.throughput(Throughput::Bytes((SPLIT_POINTS * 16) as u64));
    let mut out = Vec::new();
    for case in split_cases() {
        let key = SplitKey::from_timestamp_and_sampling(START, S);
        for compressed in [true, false] {
            let format = if compressed {
                "compressed"
            } else {
                "uncompressed"
            };
            let object = stored_object(&case.serie, key, compressed);
            g.bench_function(format!("serialize/{}/{format}", case.name), |b| {
                b.iter(|| serialize(black_box(&case.serie), key, compressed, &mut out));
            });
            g.bench_function(format!("unserialize/{}/{format}", case.name), |b| {
                b.iter(|| carbonara::unserialize(black_box(&object), key).expect("own object"));
            });
        }
    }
    g.finish();
}

/// Gnocchi's figures: bench name (and method / data+format) → measure.
fn gnocchi_figures() -> Vec<serde_json::Value> {
    let path = std::env::var("GNOCCHI_BENCH_JSON").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/carbonara/gnocchi-bench.jsonl"
        )
        .to_owned()
    });
    std::fs::read_to_string(&path)
        .map(|t| {
            t.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// Prints our medians next to Gnocchi's with the ratio.
fn side_by_side() {
    let gnocchi = gnocchi_figures();
    let find = |pred: &dyn Fn(&serde_json::Value) -> bool, field: &str| -> Option<f64> {
        gnocchi
            .iter()
            .find(|v| pred(v))
            .and_then(|v| v[field].as_f64())
    };
    let row = |what: &str, unit: &str, ours: f64, theirs: Option<f64>| match theirs {
        Some(t) => println!(
            "| {what} | {ours:.3e} {unit} | {t:.3e} {unit} | {:.1}x |",
            ours / t
        ),
        None => println!("| {what} | {ours:.3e} {unit} | (no figure) | |"),
    };
    println!(
        "\n| workload | carbonara (Rust) | Gnocchi 4.7.1 | ratio |\n| --- | --- | --- | --- |"
    );
    let serie = TimeSerie::from_points(&points(N, 1));
    for m in methods() {
        let secs = median_secs(5, || {
            black_box(aggregate_all(&serie, m));
        });
        let theirs = find(
            &|v| v["bench"] == "aggregate" && v["method"] == m.as_str(),
            "measures_per_s",
        );
        row(
            &format!("(a) aggregate {m}"),
            "measures/s",
            N as f64 / secs,
            theirs,
        );
    }
    let batches: Vec<Vec<Point>> = points(N, 2).chunks(BATCH).map(<[Point]>::to_vec).collect();
    let ms = methods();
    for (serde, name) in [(false, "bound_ingest"), (true, "bound_ingest_with_serde")] {
        let secs = median_secs(3, || {
            black_box(ingest(&batches, &ms, serde));
        });
        row(
            &format!("(b) {name}"),
            "measures/s",
            N as f64 / secs,
            find(&|v| v["bench"] == name, "measures_per_s"),
        );
    }
    let mb = (SPLIT_POINTS * 16) as f64 / f64::from(1 << 20);
    let key = SplitKey::from_timestamp_and_sampling(START, S);
    let mut out = Vec::new();
    for case in split_cases() {
        for compressed in [true, false] {
            let format = if compressed {
                "compressed"
            } else {
                "uncompressed"
            };
            let object = stored_object(&case.serie, key, compressed);
            let is = |v: &serde_json::Value| {
                v["bench"] == "serialize" && v["data"] == case.name && v["format"] == format
            };
            let ser = median_secs(51, || serialize(&case.serie, key, compressed, &mut out));
            let unser = median_secs(51, || {
                black_box(carbonara::unserialize(&object, key).expect("own object"));
            });
            row(
                &format!("(c) serialize {} {format}", case.name),
                "MB/s",
                mb / ser,
                find(&is, "serialize_MBps"),
            );
            row(
                &format!("(c) unserialize {} {format}", case.name),
                "MB/s",
                mb / unser,
                find(&is, "unserialize_MBps"),
            );
            let theirs_bpp = find(&is, "bytes_per_point")
                .map_or_else(String::new, |b| format!(" (Gnocchi {b:.3})"));
            println!(
                "| (c) bytes/point {} {format} | {:.3}{theirs_bpp} | | |",
                case.name,
                object.len() as f64 / SPLIT_POINTS as f64
            );
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    if std::env::args().all(|a| a != "--list") {
        side_by_side();
    }
}
