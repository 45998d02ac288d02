//! Parser throughput on the workload: 200 families × 1,000 series with one label
//! `ceph_daemon="osd.N"`, half gauges with fractional values, half counters with integer
//! values (about 10 MB of text), in text 0.0.4 and OpenMetrics 1.0.
//!
//! The exposition is generated here by string building so the benchmark does not depend on
//! the encoder. Run with `cargo bench -p expfmt --bench parse`.

use std::fmt::Write;
use std::hint::black_box;

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

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(20);
    for format in [Format::Text, Format::OpenMetrics] {
        let input = workload(format);
        let families = expfmt::parse(input.as_bytes(), format).expect("the workload parses");
        assert_eq!(families.len(), FAMILIES);
        group.throughput(Throughput::Bytes(input.len() as u64));
        // The parsed families are dropped outside the timing: this measures parsing.
        group.bench_function(format.as_str(), |b| {
            b.iter_batched(
                || (),
                |()| expfmt::parse(black_box(input.as_bytes()), format),
                BatchSize::PerIteration,
            );
        });
        println!(
            "parse/{format}: {} bytes, {} samples",
            input.len(),
            FAMILIES * SERIES
        );
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    parse(&mut c);
    c.final_summary();
}
