//! Schema + dump → families throughput on a real OSD's documents (Pacific `perf schema`/`perf
//! dump` of osd.0: 173 KB + 33 KB, 153 exported samples), in MB/s of input JSON and samples/s.
//!
//! `cargo bench -p perfcounter`. Besides the full path (parse both documents, prepare the
//! schema, map), the benches show its parts: parsing alone (`ceph-types`, the floor), the
//! per-daemon cost when the schema is prepared once and shared by every OSD, encoding to text,
//! and the exporter flavour on Reef's labeled `counter schema`/`counter dump`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use expfmt::{Encoder, FamilySet, Format};
use perfcounter::{Dump, Families, Flavor, Mapper, Schema};

fn read(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/perfcounter")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses, prepares and maps; returns the number of samples.
fn full(mapper: Mapper, schema: &str, dump: &str, daemon: &str) -> usize {
    let schema = Schema::parse(schema).unwrap();
    let dump = Dump::parse(dump).unwrap();
    let mut out = Families::new();
    mapper.map(daemon, &schema, &dump, &mut out);
    samples(&out.into_set())
}

fn samples(set: &FamilySet<'_>) -> usize {
    set.families().iter().map(|f| f.metrics.len()).sum()
}

fn bench(c: &mut Criterion) {
    let schema = read("pacific-healthy/perf_schema.osd.0.json");
    let dump = read("pacific-healthy/perf_dump.osd.0.json");
    let mgr = Mapper::new(Flavor::Mgr);
    let n = full(mgr, &schema, &dump, "osd.0");
    let both = (schema.len() + dump.len()) as u64;
    println!(
        "input: osd.0 perf schema {} B + perf dump {} B, {n} samples",
        schema.len(),
        dump.len()
    );

    let mut g = c.benchmark_group("mgr_osd_schema_and_dump");
    g.throughput(Throughput::Bytes(both));
    g.bench_function("parse_prepare_map", |b| {
        b.iter(|| full(mgr, black_box(&schema), black_box(&dump), "osd.0"));
    });
    g.bench_function("parse_only_ceph_types", |b| {
        b.iter(|| {
            let s = Schema::parse(black_box(&schema)).unwrap();
            let d = Dump::parse(black_box(&dump)).unwrap();
            s.counter_count() + d.counter_count()
        });
    });
    let mut buf = Vec::with_capacity(64 * 1024);
    g.bench_function("parse_prepare_map_encode_text", |b| {
        b.iter(|| {
            let s = Schema::parse(black_box(&schema)).unwrap();
            let d = Dump::parse(black_box(&dump)).unwrap();
            let mut out = Families::new();
            mgr.map("osd.0", &s, &d, &mut out);
            let set = out.into_set();
            buf.clear();
            let mut enc = Encoder::new(&mut buf, Format::Text);
            enc.encode_families(set.families()).unwrap();
            enc.finish();
            buf.len()
        });
    });
    g.finish();

    // One schema shared by every OSD: the per-daemon cost.
    let parsed = Schema::parse(&schema).unwrap();
    let prepared = mgr.prepare(&parsed);
    let mut g = c.benchmark_group("mgr_osd_dump_prepared_schema");
    g.throughput(Throughput::Bytes(dump.len() as u64));
    g.bench_function("parse_map", |b| {
        b.iter(|| {
            let d = Dump::parse(black_box(&dump)).unwrap();
            let mut out = Families::new();
            prepared.map("osd.0", &d, &mut out);
            samples(&out.into_set())
        });
    });
    g.bench_function("parse_only_ceph_types", |b| {
        b.iter(|| Dump::parse(black_box(&dump)).unwrap().counter_count());
    });
    g.finish();

    let mut g = c.benchmark_group("mgr_osd_samples");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("parse_prepare_map", |b| {
        b.iter(|| full(mgr, black_box(&schema), black_box(&dump), "osd.0"));
    });
    g.bench_function("prepared_parse_map", |b| {
        b.iter(|| {
            let d = Dump::parse(black_box(&dump)).unwrap();
            let mut out = Families::new();
            prepared.map("osd.0", &d, &mut out);
            samples(&out.into_set())
        });
    });
    g.finish();

    // A cluster: 100 OSDs sharing the schema, mapped into one set (families are created by
    // the first daemon; the others only add samples). Dumps are parsed outside the loop.
    let names: Vec<String> = (0..100).map(|i| format!("osd.{i}")).collect();
    let dumps: Vec<Dump<'_>> = names.iter().map(|_| Dump::parse(&dump).unwrap()).collect();
    let mut g = c.benchmark_group("mgr_100_osds_prepared_schema");
    g.throughput(Throughput::Elements((n * names.len()) as u64));
    g.bench_function("map_only", |b| {
        b.iter(|| {
            let mut out = Families::new();
            for (name, d) in names.iter().zip(&dumps) {
                prepared.map(name, d, &mut out);
            }
            samples(&out.into_set())
        });
    });
    g.finish();
    let mut g = c.benchmark_group("mgr_100_osds_prepared_schema_bytes");
    g.throughput(Throughput::Bytes((dump.len() * names.len()) as u64));
    g.bench_function("parse_map", |b| {
        b.iter(|| {
            let mut out = Families::new();
            let parsed: Vec<Dump<'_>> = dumps
                .iter()
                .map(|_| Dump::parse(black_box(&dump)).unwrap())
                .collect();
            for (name, d) in names.iter().zip(&parsed) {
                prepared.map(name, d, &mut out);
            }
            samples(&out.into_set())
        });
    });
    g.finish();

    let cschema = read("reef-healthy/counter_schema.osd.0.json");
    let cdump = read("reef-healthy/counter_dump.osd.0.json");
    let exporter = Mapper::new(Flavor::Exporter);
    let m = full(exporter, &cschema, &cdump, "ceph-osd.0.asok");
    println!(
        "input: osd.0 counter schema {} B + counter dump {} B, {m} samples (exporter flavour)",
        cschema.len(),
        cdump.len()
    );
    let mut g = c.benchmark_group("exporter_osd_counter_schema_and_dump");
    g.throughput(Throughput::Bytes((cschema.len() + cdump.len()) as u64));
    g.bench_function("parse_prepare_map", |b| {
        b.iter(|| {
            full(
                exporter,
                black_box(&cschema),
                black_box(&cdump),
                "ceph-osd.0.asok",
            )
        });
    });
    g.finish();
}

/// The benchmark group (written out: `criterion_group!` makes an undocumented function).
fn benches() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
