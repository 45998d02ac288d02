//! The exporter flavour on Reef's labeled counters (`counter schema`/`counter dump`).
//!
//! There is no real ceph-exporter output to compare with (Debian does not ship the daemon), so
//! the checks are against the mgr flavour, itself checked against the real module: on the
//! unlabeled loggers both flavours must name the same families with the same series, and differ
//! exactly where the C++ rules differ (`_sum` typed by the schema's `metric_type`).

use std::collections::{BTreeMap, BTreeSet};

use expfmt::{FamilySet, MetricType, Value};
use perfcounter::{Dump, Families, Flavor, Mapper, Schema};

use super::common::{encode_both, label_pairs, read, scalar};

fn leak(dir: &str, file: &str) -> &'static str {
    read(dir, file).leak()
}

/// Maps one daemon's `kind` documents of the Reef capture with `flavor`.
fn map_one(
    daemon: &'static str,
    socket: &'static str,
    kind: &str,
    flavor: Flavor,
) -> FamilySet<'static> {
    let schema = Schema::parse(leak(
        "reef-healthy",
        &format!("{kind}_schema.{daemon}.json"),
    ))
    .unwrap();
    let schema: &'static Schema<'static> = Box::leak(Box::new(schema));
    let dump = Dump::parse(leak("reef-healthy", &format!("{kind}_dump.{daemon}.json"))).unwrap();
    let mut out = Families::new();
    Mapper::new(flavor).map(socket, schema, &dump, &mut out);
    let (set, skipped) = out.into_parts();
    assert!(
        skipped.iter().all(|s| s.reason.is_expected()),
        "{skipped:?}"
    );
    set
}

type Series = BTreeMap<String, (MetricType, BTreeSet<Vec<(String, String)>>)>;

fn series(set: &FamilySet<'_>) -> Series {
    set.families()
        .iter()
        .map(|f| {
            let labels = f.metrics.iter().map(|m| label_pairs(&m.labels)).collect();
            (f.name.to_string(), (f.metric_type, labels))
        })
        .collect()
}

#[test]
fn labeled_counters_of_an_osd_and_an_mds() {
    for (daemon, socket) in [("osd.0", "ceph-osd.0.asok"), ("mds.a", "ceph-mds.a.asok")] {
        let exporter = map_one(daemon, socket, "counter", Flavor::Exporter);
        let mgr = map_one(daemon, daemon, "perf", Flavor::Mgr);
        let (e, m) = (series(&exporter), series(&mgr));

        // Every family of the mgr flavour is there, with the same series; only `_sum` of
        // long-running averages changes type (the schema says gauge; the mgr says counter).
        let mut sums = 0;
        for (name, (mt, labels)) in &m {
            let (et, elabels) = e.get(name).unwrap_or_else(|| panic!("{daemon}: no {name}"));
            assert_eq!(elabels, labels, "{daemon}: {name}");
            if name.ends_with("_sum") && *et != *mt {
                assert_eq!(
                    (*mt, *et),
                    (MetricType::Counter, MetricType::Gauge),
                    "{name}"
                );
                sums += 1;
            } else {
                assert_eq!(et, mt, "{daemon}: {name}");
            }
        }
        assert!(sums > 10, "{daemon}: {sums} gauge sums");

        // The rest come from labeled instances and carry their labels, sorted, with the
        // daemon label from the socket name.
        let worker = &e["ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts"];
        let ids: Vec<_> = worker.1.iter().cloned().collect();
        assert_eq!(
            ids,
            (0..3)
                .map(|i| vec![
                    ("ceph_daemon".to_owned(), daemon.to_owned()),
                    ("id".to_owned(), i.to_string())
                ])
                .collect::<Vec<_>>()
        );
        for f in exporter.families() {
            for metric in &f.metrics {
                let names: Vec<&str> = metric.labels.iter().map(|l| l.name.as_ref()).collect();
                let mut sorted = names.clone();
                sorted.sort_unstable();
                assert_eq!(names, sorted, "{}", f.name);
            }
        }
        let extra: Vec<&String> = e.keys().filter(|n| !m.contains_key(*n)).collect();
        eprintln!(
            "exporter {daemon}: {} families ({} from labeled loggers), {} series",
            e.len(),
            extra.len(),
            exporter
                .families()
                .iter()
                .map(|f| f.metrics.len())
                .sum::<usize>()
        );
        if daemon == "mds.a" {
            let hits = &e["ceph_mds_client_metrics_cephfs_cap_hits"];
            assert_eq!(hits.0, MetricType::Gauge);
            let clients: BTreeSet<_> = hits
                .1
                .iter()
                .map(|l| {
                    l.iter()
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            assert_eq!(
                clients,
                BTreeSet::from(["ceph_daemon,client,rank".to_owned()])
            );
            assert!(e.contains_key("ceph_mds_client_metrics_num_clients"));
        }
        encode_both(&exporter);
    }
}

#[test]
fn values_are_the_dumps() {
    let set = map_one("osd.0", "ceph-osd.0.asok", "counter", Flavor::Exporter);
    let dump: &'static str = leak("reef-healthy", "counter_dump.osd.0.json");
    let get = |name: &str| {
        let f = set.get(name).unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(f.metrics.len(), 1, "{name}");
        (
            f.metric_type,
            f.help.as_deref().unwrap_or(""),
            scalar(&f.metrics[0].value),
        )
    };
    // The raw text of osd.op_r and osd.op_r_latency in the dump's `osd` logger.
    let dump = &dump[dump.find("\n    \"osd\": [").unwrap()..];
    let op_r = field(dump, "\"op_r\": ");
    assert_eq!(
        get("ceph_osd_op_r"),
        (
            MetricType::Counter,
            "Client read operations",
            Value::U64(op_r.parse().unwrap())
        )
    );
    let at = dump.find("\"op_r_latency\": {").unwrap();
    let avgcount: u64 = field(&dump[at..], "\"avgcount\": ").parse().unwrap();
    let sum: f64 = field(&dump[at..], "\"sum\": ").parse().unwrap();
    let (t, help, v) = get("ceph_osd_op_r_latency_sum");
    assert_eq!((t, v), (MetricType::Gauge, Value::F64(sum)));
    assert!(help.ends_with(" Total"), "{help}");
    let (t, help, v) = get("ceph_osd_op_r_latency_count");
    assert_eq!((t, v), (MetricType::Counter, Value::U64(avgcount)));
    assert!(help.ends_with(" Count"), "{help}");
}

/// The number after `key` in `text`.
fn field<'t>(text: &'t str, key: &str) -> &'t str {
    let start = text.find(key).unwrap() + key.len();
    let rest = &text[start..];
    &rest[..rest.find([',', '\n', '}']).unwrap()]
}

#[test]
fn mgr_flavour_reads_counter_dumps_like_perf_dumps() {
    // The mgr never sees labeled instances; from `counter dump` it maps the same families.
    for daemon in ["osd.0", "mds.a"] {
        let from_counter = series(&map_one(daemon, daemon, "counter", Flavor::Mgr));
        let from_perf = series(&map_one(daemon, daemon, "perf", Flavor::Mgr));
        assert_eq!(from_counter, from_perf, "{daemon}");
    }
}
