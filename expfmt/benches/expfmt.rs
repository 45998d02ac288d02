//! Encoding benchmark: `expfmt` against the `prometheus` crate's `TextEncoder` and
//! `prometheus-client`, on the same workload (200 families × 1,000 series, one label
//! `ceph_daemon="osd.N"`, half gauges with fractional values, half counters with integers).
//!
//! Run with `cargo bench -p expfmt --bench expfmt`; it prints ns/sample for each encoder and
//! the ratios after criterion's own report.

use std::hint::black_box;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_main};
use expfmt::{Desc, Encoder, Format, MetricType, PreparedEncoder, SeriesId};

const FAMILIES: usize = 200;
const SERIES: usize = 1_000;
const SAMPLES: u64 = (FAMILIES * SERIES) as u64;

/// The workload as plain data, shared by every encoder.
struct Workload {
    names: Vec<String>,
    helps: Vec<String>,
    daemons: Vec<String>,
}

impl Workload {
    fn new() -> Self {
        Workload {
            names: (0..FAMILIES)
                .map(|f| format!("ceph_bench_metric_{f}"))
                .collect(),
            helps: (0..FAMILIES)
                .map(|f| format!("Benchmark metric number {f}"))
                .collect(),
            daemons: (0..SERIES).map(|s| format!("osd.{s}")).collect(),
        }
    }

    fn is_gauge(f: usize) -> bool {
        f.is_multiple_of(2)
    }

    fn gauge_value(f: usize, s: usize) -> f64 {
        (f * SERIES + s) as f64 * 0.731 + 0.125
    }

    fn counter_value(f: usize, s: usize) -> u64 {
        ((f * SERIES + s) as u64) * 7_919 + 13
    }
}

fn encode_expfmt(w: &Workload, format: Format, buf: &mut Vec<u8>) {
    buf.clear();
    let mut enc = Encoder::new(buf, format);
    for f in 0..FAMILIES {
        let t = if Workload::is_gauge(f) {
            MetricType::Gauge
        } else {
            MetricType::Counter
        };
        let desc = Desc::new(&w.names[f], t)
            .help(&w.helps[f])
            .label_names(&["ceph_daemon"]);
        let mut fam = enc.family(&desc).expect("valid family");
        for (s, d) in w.daemons.iter().enumerate() {
            if Workload::is_gauge(f) {
                fam.sample(&[d], Workload::gauge_value(f, s))
                    .expect("valid sample");
            } else {
                fam.sample(&[d], Workload::counter_value(f, s))
                    .expect("valid sample");
            }
        }
    }
    enc.finish();
}

/// The workload's families and series added once to a [`PreparedEncoder`].
fn prepare_expfmt(w: &Workload, format: Format) -> (PreparedEncoder, Vec<SeriesId>) {
    let mut prep = PreparedEncoder::new(format);
    let mut ids = Vec::with_capacity(FAMILIES * SERIES);
    for f in 0..FAMILIES {
        let t = if Workload::is_gauge(f) {
            MetricType::Gauge
        } else {
            MetricType::Counter
        };
        let desc = Desc::new(&w.names[f], t)
            .help(&w.helps[f])
            .label_names(&["ceph_daemon"]);
        let fam = prep.family(&desc).expect("valid family");
        for d in &w.daemons {
            ids.push(prep.series(fam, &[d]).expect("valid series"));
        }
    }
    (prep, ids)
}

/// One scrape of the prepared exposition: every value set, then the whole text written.
/// The values are the workload's, the same at every scrape (an unchanged cluster), so the
/// encoder keeps each value's rendering.
fn encode_prepared(prep: &mut PreparedEncoder, ids: &[SeriesId], buf: &mut Vec<u8>) {
    encode_prepared_at(prep, ids, buf, 0);
}

/// As [`encode_prepared`], with every value moved by `scrape` (gauges by `scrape × 0.5`,
/// counters by `scrape`): when `scrape` changes at each call, every value is new and rendered
/// again, the worst case for the prepared encoder.
fn encode_prepared_at(
    prep: &mut PreparedEncoder,
    ids: &[SeriesId],
    buf: &mut Vec<u8>,
    scrape: u64,
) {
    for (f, fam) in ids.chunks_exact(SERIES).enumerate() {
        for (s, &id) in fam.iter().enumerate() {
            if Workload::is_gauge(f) {
                prep.set(id, Workload::gauge_value(f, s) + scrape as f64 * 0.5)
                    .expect("valid value");
            } else {
                prep.set(id, Workload::counter_value(f, s) + scrape)
                    .expect("valid value");
            }
        }
    }
    buf.clear();
    prep.encode(buf);
}

fn build_prometheus(w: &Workload) -> Vec<prometheus::proto::MetricFamily> {
    use prometheus::proto;
    (0..FAMILIES)
        .map(|f| {
            let mut mf = proto::MetricFamily::default();
            mf.set_name(w.names[f].clone());
            mf.set_help(w.helps[f].clone());
            let gauge = Workload::is_gauge(f);
            mf.set_field_type(if gauge {
                proto::MetricType::GAUGE
            } else {
                proto::MetricType::COUNTER
            });
            let metrics = w
                .daemons
                .iter()
                .enumerate()
                .map(|(s, d)| {
                    let mut lp = proto::LabelPair::default();
                    lp.set_name("ceph_daemon".to_owned());
                    lp.set_value(d.clone());
                    let mut m = proto::Metric::default();
                    m.set_label(vec![lp]);
                    if gauge {
                        let mut g = proto::Gauge::default();
                        g.set_value(Workload::gauge_value(f, s));
                        m.set_gauge(g);
                    } else {
                        let mut c = proto::Counter::default();
                        c.set_value(Workload::counter_value(f, s) as f64);
                        m.set_counter(c);
                    }
                    m
                })
                .collect();
            mf.set_metric(metrics);
            mf
        })
        .collect()
}

fn build_prometheus_client(w: &Workload) -> prometheus_client::registry::Registry {
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::gauge::Gauge;
    type Labels = Vec<(String, String)>;
    let mut registry = prometheus_client::registry::Registry::default();
    for f in 0..FAMILIES {
        if Workload::is_gauge(f) {
            let fam = Family::<Labels, Gauge<f64, AtomicU64>>::default();
            for (s, d) in w.daemons.iter().enumerate() {
                fam.get_or_create(&vec![("ceph_daemon".to_owned(), d.clone())])
                    .set(Workload::gauge_value(f, s));
            }
            registry.register(w.names[f].clone(), w.helps[f].clone(), fam);
        } else {
            let fam = Family::<Labels, Counter<u64>>::default();
            for (s, d) in w.daemons.iter().enumerate() {
                fam.get_or_create(&vec![("ceph_daemon".to_owned(), d.clone())])
                    .inc_by(Workload::counter_value(f, s));
            }
            registry.register(w.names[f].clone(), w.helps[f].clone(), fam);
        }
    }
    registry
}

/// The calling thread's CPU time so far, if the platform tells (Linux schedstat).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// ns/sample of each encoder, run round-robin so that all of them see the same machine load:
/// the best wall-clock run (the least disturbed), and the thread's CPU time over all runs (it
/// stays meaningful on a machine shared with other jobs, but the kernel updates it only at
/// ticks and switches, so only a total over many runs is exact enough; wall time where
/// unknown).
/// Runs of each encoder in the ratio tables.
const RUNS: u32 = 25;

fn ns_per_sample(encoders: &mut [&mut dyn FnMut()]) -> (Vec<f64>, Vec<f64>) {
    let mut best = vec![f64::INFINITY; encoders.len()];
    let mut cpu_total = vec![Duration::ZERO; encoders.len()];
    for f in encoders.iter_mut() {
        f();
    }
    for _ in 0..RUNS {
        for (i, f) in encoders.iter_mut().enumerate() {
            let cpu = thread_cpu_time();
            let t = Instant::now();
            f();
            let wall = t.elapsed();
            let cpu = match (cpu, thread_cpu_time()) {
                (Some(a), Some(b)) => b.saturating_sub(a),
                _ => wall,
            };
            best[i] = best[i].min(wall.as_nanos() as f64 / SAMPLES as f64);
            cpu_total[i] += cpu;
        }
    }
    let cpu = cpu_total
        .iter()
        .map(|t| t.as_nanos() as f64 / (RUNS as f64 * SAMPLES as f64))
        .collect();
    (best, cpu)
}

fn bench(c: &mut Criterion) {
    let w = Workload::new();
    let mut buf = Vec::new();
    encode_expfmt(&w, Format::Text, &mut buf);
    let text_len = buf.len() as u64;
    let prom = build_prometheus(&w);
    let client = build_prometheus_client(&w);
    let encoder = prometheus::TextEncoder::new();
    let (mut prep, ids) = prepare_expfmt(&w, Format::Text);
    let (mut prep_om, ids_om) = prepare_expfmt(&w, Format::OpenMetrics);
    let mut check = Vec::new();
    encode_prepared(&mut prep, &ids, &mut check);
    assert_eq!(check, buf, "prepared and one-shot text differ");

    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(SAMPLES));
    g.measurement_time(Duration::from_secs(5));
    g.sample_size(20);
    g.bench_function("expfmt_text", |b| {
        b.iter(|| encode_expfmt(&w, Format::Text, black_box(&mut buf)));
    });
    g.bench_function("expfmt_openmetrics", |b| {
        b.iter(|| encode_expfmt(&w, Format::OpenMetrics, black_box(&mut buf)));
    });
    g.bench_function("expfmt_prepared_text", |b| {
        b.iter(|| encode_prepared(&mut prep, &ids, black_box(&mut buf)));
    });
    g.bench_function("expfmt_prepared_openmetrics", |b| {
        b.iter(|| encode_prepared(&mut prep_om, &ids_om, black_box(&mut buf)));
    });
    let (mut prep_new, ids_new) = prepare_expfmt(&w, Format::Text);
    let mut scrape = 0;
    g.bench_function("expfmt_prepared_text_new_values", |b| {
        b.iter(|| {
            scrape += 1;
            encode_prepared_at(&mut prep_new, &ids_new, black_box(&mut buf), scrape);
        });
    });
    let mut s = String::new();
    g.bench_function("prometheus_text_encoder", |b| {
        b.iter(|| {
            s.clear();
            encoder
                .encode_utf8(black_box(&prom), &mut s)
                .expect("encode");
        });
    });
    g.bench_function("prometheus_client", |b| {
        b.iter(|| {
            s.clear();
            prometheus_client::encoding::text::encode(&mut s, black_box(&client)).expect("encode");
        });
    });
    g.finish();

    let mut buf2 = Vec::new();
    let mut buf3 = Vec::new();
    let mut buf4 = Vec::new();
    let mut buf5 = Vec::new();
    let mut s2 = String::new();
    let best = ns_per_sample(&mut [
        &mut || encode_expfmt(&w, Format::Text, &mut buf),
        &mut || encode_expfmt(&w, Format::OpenMetrics, &mut buf2),
        &mut || {
            s.clear();
            encoder.encode_utf8(&prom, &mut s).expect("encode");
        },
        &mut || {
            s2.clear();
            prometheus_client::encoding::text::encode(&mut s2, &client).expect("encode");
        },
        &mut || encode_prepared(&mut prep, &ids, &mut buf3),
        &mut || encode_prepared(&mut prep_om, &ids_om, &mut buf4),
        &mut || {
            scrape += 1;
            encode_prepared_at(&mut prep_new, &ids_new, &mut buf5, scrape);
        },
    ]);
    for (clock, best) in [
        ("wall-clock, best of 25", &best.0),
        ("thread CPU time, mean of 25", &best.1),
    ] {
        print_table(clock, best, text_len);
    }
}

/// The ratio table for one clock.
fn print_table(clock: &str, best: &[f64], text_len: u64) {
    let (ours, ours_om, tikv, pc) = (best[0], best[1], best[2], best[3]);
    let (prep_text, prep_om, prep_new) = (best[4], best[5], best[6]);
    println!();
    println!(
        "workload: {FAMILIES} families x {SERIES} series = {SAMPLES} samples, {:.1} MB of text; \
         {clock}",
        text_len as f64 / 1e6
    );
    println!("{:<38}{:>12}{:>12}", "encoder", "ns/sample", "ratio");
    let rows = [
        ("expfmt (text 0.0.4)", ours),
        ("expfmt (OpenMetrics)", ours_om),
        ("expfmt prepared (text 0.0.4)", prep_text),
        ("expfmt prepared (OpenMetrics)", prep_om),
        ("expfmt prepared, new values (text)", prep_new),
        ("prometheus TextEncoder", tikv),
        ("prometheus-client (OpenMetrics)", pc),
    ];
    for (name, ns) in rows {
        println!("{name:<38}{ns:>12.1}{:>12}", format!("{:.1}x", ns / ours));
    }
    println!(
        "one-shot expfmt is {:.1}x faster than prometheus and {:.1}x faster than prometheus-client",
        tikv / ours,
        pc / ours_om
    );
    println!(
        "prepared expfmt is {:.1}x faster than prometheus and {:.1}x faster than prometheus-client",
        tikv / prep_text,
        pc / prep_om
    );
    println!(
        "prepared expfmt with every value new is {:.1}x faster than prometheus",
        tikv / prep_new
    );
}

/// Issue 12: one sample with 80,000 labels, re-encoded (the duplicate-label check must stay
/// linear; it took 4.9 s when it was quadratic).
fn bench_many_labels(c: &mut Criterion) {
    const LABELS: usize = 80_000;
    let names: Vec<String> = (0..LABELS).map(|i| format!("label_{i}")).collect();
    let labels = names
        .iter()
        .map(|n| expfmt::Label::new(n.as_str(), "value"))
        .collect();
    let family = expfmt::MetricFamily {
        metrics: vec![expfmt::Metric::scalar(labels, 1u64)],
        ..expfmt::MetricFamily::new("many_labels", MetricType::Gauge)
    };
    let mut buf = Vec::new();
    let mut g = c.benchmark_group("labels");
    g.throughput(Throughput::Elements(LABELS as u64));
    g.sample_size(10);
    g.bench_function("labels_80000", |b| {
        b.iter(|| {
            buf.clear();
            Encoder::new(black_box(&mut buf), Format::Text)
                .encode_family(&family)
                .expect("valid family");
        });
    });
    g.finish();
}

/// The benchmark group (written out: `criterion_group!` makes an undocumented function).
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    bench_many_labels(&mut c);
}

criterion_main!(benches);
