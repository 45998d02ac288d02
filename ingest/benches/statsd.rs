//! Statsd packet parsing and accumulation throughput.
use criterion::{Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let mut packet = Vec::new();
    for i in 0..20 {
        packet.extend_from_slice(format!("app.server{}.requests:{}|c|@0.5\n", i % 7, i).as_bytes());
        packet.extend_from_slice(format!("app.server{}.load:{}.25|g\n", i % 7, i).as_bytes());
    }
    let mut g = c.benchmark_group("statsd");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ingest_packet_40_lines", |b| {
        let mut stats = ingest::Stats::new();
        b.iter(|| stats.ingest(&packet, 1_700_000_000_000_000_000, |_| {}));
    });
    g.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
