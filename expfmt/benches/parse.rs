//! Parser throughput on the workload: 200 families × 1,000 series with one label
//! `ceph_daemon="osd.N"`, half gauges with fractional values, half counters with integer
//! values (about 10 MB of text), in text 0.0.4 and OpenMetrics 1.0.
//!
//! The exposition is generated here by string building so the benchmark does not depend on
//! the encoder. Run with `cargo bench -p expfmt --bench parse`.
//!
//! Each format is measured twice: in wall-clock time, and in the benchmark thread's CPU time
//! (Linux `/proc/thread-self/schedstat`, kernel time for page faults included), which stays
//! meaningful on a machine shared with other jobs. The parsed families are dropped outside
//! the timing.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, Throughput};
use expfmt::Format;

const FAMILIES: usize = 200;
const SERIES: usize = 1_000;

/// The workload in `format`.
fn workload(format: Format) -> String {
    let om = format == Format::OpenMetrics;
    let mut out = String::with_capacity(12 << 20);
    for f in 0..FAMILIES {
        let gauge = f % 2 == 0;
        let name = if gauge {
            format!("ceph_bench_gauge_{f:03}_bytes")
        } else {
            format!("ceph_bench_counter_{f:03}_ops")
        };
        let kind = if gauge { "gauge" } else { "counter" };
        writeln!(out, "# HELP {name} Benchmark family number {f}").unwrap();
        writeln!(out, "# TYPE {name} {kind}").unwrap();
        let sample = if om && !gauge {
            format!("{name}_total")
        } else {
            name.clone()
        };
        for s in 0..SERIES {
            if gauge {
                // Fractional values with shortest round-trip digits.
                let v = (f * SERIES + s) as f64 * 1.618_033_988_7 + 0.25;
                writeln!(out, "{sample}{{ceph_daemon=\"osd.{s}\"}} {v}").unwrap();
            } else {
                let v = (f as u64 * 7_919 + s as u64) * 104_729;
                writeln!(out, "{sample}{{ceph_daemon=\"osd.{s}\"}} {v}").unwrap();
            }
        }
    }
    if om {
        out.push_str("# EOF\n");
    }
    out
}

/// The calling thread's CPU time so far, if the platform tells.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Criterion measurement: the thread's CPU time, or wall-clock time where it is unknown.
struct CpuTime {
    wall: WallTime,
}

impl Measurement for CpuTime {
    type Intermediate = (Option<Duration>, Instant);
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_time(), Instant::now())
    }

    fn end(&self, (cpu, wall): Self::Intermediate) -> Duration {
        match (cpu, thread_cpu_time()) {
            (Some(start), Some(end)) => end.saturating_sub(start),
            _ => wall.elapsed(),
        }
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

fn parse<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let mut group = c.benchmark_group(group);
    group.sample_size(20);
    for format in [Format::Text, Format::OpenMetrics] {
        let input = workload(format);
        let families = expfmt::parse(input.as_bytes(), format).expect("the workload parses");
        assert_eq!(families.len(), FAMILIES);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(format.as_str(), |b| {
            b.iter_batched(
                || (),
                |()| expfmt::parse(black_box(input.as_bytes()), format),
                BatchSize::PerIteration,
            );
        });
        println!(
            "{format}: {} bytes, {} samples",
            input.len(),
            FAMILIES * SERIES
        );
    }
    group.finish();
}

fn main() {
    let mut wall = Criterion::default().configure_from_args();
    parse(&mut wall, "parse");
    let mut cpu = Criterion::default()
        .with_measurement(CpuTime { wall: WallTime })
        .configure_from_args();
    parse(&mut cpu, "parse-cpu-time");
    wall.final_summary();
}
