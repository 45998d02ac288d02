//! CPU per scrape of a 10 MB exposition: parse and name the series, then also roll every
//! series up in memory (carbonara's pipeline, one point per series per scrape, as the
//! `scrape` daemon does before writing objects). The exposition is generated here: 100,000
//! Ceph-style labelled counter lines, about 10 MB.
use std::collections::{BTreeMap, HashMap};

use carbonara::{ArchivePolicy, Metric};
use criterion::{Criterion, Throughput};
use expfmt::Format;

fn exposition() -> Vec<u8> {
    let mut out =
        String::from("# HELP ceph_osd_op_r Client read operations\n# TYPE ceph_osd_op_r counter\n");
    let mut i = 0u64;
    while out.len() < 10 << 20 {
        out.push_str(&format!(
            "ceph_osd_op_r{{ceph_daemon=\"osd.{}\",pool=\"rbd-pool-{}\",host=\"storage-node-{:04}\"}} {}\n",
            i % 5000,
            i / 5000,
            i % 97,
            i * 7919 % 1_000_003
        ));
        i += 1;
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let body = exposition();
    let target = BTreeMap::from([
        ("job".to_owned(), "ceph".to_owned()),
        ("instance".to_owned(), "mgr-a:9283".to_owned()),
    ]);
    let mut g = c.benchmark_group("scrape_10mb");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("parse_and_name", |b| {
        b.iter(|| ingest::exposition_series(&body, Format::Text, &target, 0).map(|s| s.len()));
    });
    let policy = ArchivePolicy::builtin("low").expect("built-in");
    let mut metrics: HashMap<String, Metric> = HashMap::new();
    let mut t: i64 = 1_700_000_000_000_000_000;
    g.bench_function("parse_name_and_roll_up", |b| {
        b.iter(|| {
            t += 15_000_000_000;
            let series = ingest::exposition_series(&body, Format::Text, &target, t)?;
            for (name, point) in &series {
                let m = metrics
                    .entry(name.clone())
                    .or_insert_with(|| Metric::new(policy.clone()));
                m.add_measures(std::slice::from_ref(point))?;
            }
            Ok::<usize, Box<dyn std::error::Error>>(series.len())
        });
    });
    g.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
