//! Parity with the real mgr prometheus module, on the six live captures (16.2.15, 18.2.7 and
//! 20.2.4, each healthy and degraded).
//!
//! For each capture, a [`ClusterCollector`] collects from the capture's dumps
//! (`testdata/ceph/<capture>/`, as a [`DumpDir`]) with the default options, its text
//! exposition is written as `ceph-exporter` writes it, and compared with two references (see
//! `testdata/exporter/README.md`):
//!
//! * the module's own `/metrics` captured from the live cluster (Reef: the one with perf
//!   counters): every family with the same TYPE and HELP, every series with the same labels,
//!   and equal values except where the module read a moving value at another instant than the
//!   dumps (perf counters, rates, space and I/O usage, latencies, timings);
//! * `mgr_harness.py` (the real module run over exactly these dump files: each release's own
//!   module, 16.2.15's, 18.2.7's and 20.2.4's): the same series, with equal values.
//!
//! Each test prints its coverage: families matched / families in the module's output.

use std::collections::{BTreeMap, BTreeSet};

use expfmt::{FloatStyle, Format};
use exporter::{ClusterCollector, CollectOptions, DumpDir};

use crate::expo::{Exposition, Family, key};
use crate::testdata;

/// Families the module fills from the per-image RBD perf query it registers with the OSDs
/// (`rbd_stats_pools`); no dump holds them.
const RBD: [&str; 8] = [
    "ceph_rbd_write_ops",
    "ceph_rbd_read_ops",
    "ceph_rbd_write_bytes",
    "ceph_rbd_read_bytes",
    "ceph_rbd_write_latency_sum",
    "ceph_rbd_write_latency_count",
    "ceph_rbd_read_latency_sum",
    "ceph_rbd_read_latency_count",
];

/// Cluster families whose values keep moving under the capture's client load: the module
/// read them at another instant than the `ceph ... -f json` dumps.
const MOVING: [&str; 16] = [
    "ceph_osd_apply_latency_ms",
    "ceph_osd_commit_latency_ms",
    "ceph_cluster_total_used_bytes",
    "ceph_cluster_total_used_raw_bytes",
    "ceph_cluster_by_class_total_used_bytes",
    "ceph_cluster_by_class_total_used_raw_bytes",
    "ceph_pool_max_avail",
    "ceph_pool_avail_raw",
    "ceph_pool_stored",
    "ceph_pool_stored_raw",
    "ceph_pool_rd",
    "ceph_pool_rd_bytes",
    "ceph_pool_wr",
    "ceph_pool_wr_bytes",
    "ceph_pool_bytes_used",
    "ceph_pool_percent_used",
];

/// Rates (per-second values and recovery progress).
const RATES: [&str; 5] = [
    "ceph_pool_recovering_objects_per_sec",
    "ceph_pool_recovering_bytes_per_sec",
    "ceph_pool_recovering_keys_per_sec",
    "ceph_pool_num_objects_recovered",
    "ceph_pool_num_bytes_recovered",
];

const DURATIONS: [&str; 2] = [
    "ceph_prometheus_collect_duration_seconds_sum",
    "ceph_prometheus_collect_duration_seconds_count",
];

/// What one comparison found.
#[derive(Debug, Default)]
struct Report {
    families_matched: usize,
    families_total: usize,
    series_matched: usize,
    values_compared: usize,
}

/// Collects capture `name` and returns its text exposition and the capture's daemons that
/// have perf files.
fn ours(name: &str) -> (Exposition, BTreeSet<String>) {
    let dir = testdata().join("ceph").join(name);
    let source = DumpDir::open(&dir).unwrap();
    let collection = ClusterCollector::new(CollectOptions::new()).collect(&source);
    assert!(
        collection.errors().is_empty(),
        "{name}: {:?}",
        collection.errors()
    );
    let mut out = Vec::new();
    collection
        .encode(&mut out, Format::Text, FloatStyle::Go)
        .unwrap();
    let daemons = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            Some(
                n.strip_prefix("perf_dump.")?
                    .strip_suffix(".json")?
                    .to_owned(),
            )
        })
        .collect();
    (Exposition::parse(&String::from_utf8(out).unwrap()), daemons)
}

fn is_perf(name: &str, module: &Exposition) -> bool {
    // The module's perf-counter families come after its static ones (the last of which is
    // `ceph_healthcheck_slow_ops`, or from 20.2.4 on `ceph_hardware_firmware_info`) and carry
    // `ceph_daemon` (or `instance_id`) only.
    let static_end = ["ceph_hardware_firmware_info", "ceph_healthcheck_slow_ops"]
        .iter()
        .find_map(|last| module.order.iter().position(|n| n == last))
        .unwrap();
    let pos = module.order.iter().position(|n| n == name).unwrap();
    pos > static_end && !RBD.contains(&name) && !DURATIONS.contains(&name)
}

fn daemon_of(labels: &[(String, String)]) -> Option<&str> {
    labels
        .iter()
        .find(|(k, _)| k == "ceph_daemon")
        .map(|(_, v)| v.as_str())
}

/// Compares our exposition with the module's live output.
fn against_module(name: &str, module_file: &str) -> Report {
    let module = Exposition::parse(
        &std::fs::read_to_string(testdata().join("ceph").join(name).join(module_file)).unwrap(),
    );
    let (ours, perf_daemons) = ours(name);
    let mut r = Report {
        families_total: module.families.len(),
        ..Report::default()
    };
    for (fname, m) in &module.families {
        if RBD.contains(&fname.as_str()) {
            // DIFFERENCE: RBD image stats need the mgr's OSD perf query; no dump has them.
            assert!(!ours.families.contains_key(fname), "{name}: {fname}");
            continue;
        }
        let o = ours
            .families
            .get(fname)
            .unwrap_or_else(|| panic!("{name}: family {fname} missing"));
        assert_eq!(o.metric_type, m.metric_type, "{name}: TYPE of {fname}");
        assert_eq!(o.help, m.help, "{name}: HELP of {fname}");
        // DIFFERENCE: we never write a family twice (Pacific repeats
        // ceph_pool_objects_repaired's HELP/TYPE for every pool).
        assert_eq!(o.blocks, 1, "{name}: blocks of {fname}");
        let perf = is_perf(fname, &module);
        let expected: BTreeMap<_, _> = m
            .series
            .iter()
            .filter(|(labels, _)| {
                // A daemon whose perf files are absent (an OSD that was down) has no perf
                // series, as in the module's view of the same files; the live module still
                // held the daemon's last report.
                !(perf && daemon_of(labels).is_some_and(|d| !perf_daemons.contains(d)))
            })
            .filter(|(labels, _)| {
                // DIFFERENCE: we collect no RBD stats, so there is no get_rbd_stats timing.
                !(DURATIONS.contains(&fname.as_str())
                    && labels.iter().any(|(_, v)| v == "get_rbd_stats"))
            })
            .filter(|(labels, _)| {
                // DIFFERENCE: the live module remembered PG_AVAILABILITY from an earlier
                // collection (health history); one set of dumps has no history.
                !(fname == "ceph_health_detail"
                    && labels.iter().any(|(_, v)| v == "PG_AVAILABILITY"))
            })
            .map(|(l, v)| (key(l), *v))
            .collect();
        let got: BTreeMap<_, _> = o.series.iter().map(|(l, v)| (key(l), *v)).collect();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}: series of {fname}"
        );
        let label_order = |f: &Family| {
            f.series
                .first()
                .map(|(l, _)| l.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>())
        };
        if !expected.is_empty() {
            assert_eq!(
                label_order(o),
                label_order(m),
                "{name}: label order of {fname}"
            );
        }
        r.series_matched += got.len();
        let moving = perf
            || MOVING.contains(&fname.as_str())
            || RATES.contains(&fname.as_str())
            || DURATIONS.contains(&fname.as_str());
        if !moving {
            for (k, v) in &expected {
                assert_eq!(got[k].to_bits(), v.to_bits(), "{name}: {fname}{k:?}");
                r.values_compared += 1;
            }
        }
        r.families_matched += 1;
    }
    for fname in ours.families.keys() {
        if fname.starts_with("ceph_exporter_input_") {
            // DIFFERENCE: our own per-input health series (success and duration per input).
            continue;
        }
        assert!(
            module.families.contains_key(fname),
            "{name}: extra family {fname}"
        );
    }
    r
}

/// Compares our values with the harness's (the release's own module over the same dump files):
/// every series of the harness must be ours, with the same value, and no more. Returns how
/// many.
fn against_harness(name: &str) -> usize {
    let harness = Exposition::parse(
        &std::fs::read_to_string(
            testdata()
                .join("exporter")
                .join(name)
                .join("mgr_harness_metrics.txt"),
        )
        .unwrap(),
    );
    let (ours, _) = ours(name);
    let mut compared = 0;
    for (fname, h) in &harness.families {
        // Timings: the harness's and ours.
        if DURATIONS.contains(&fname.as_str()) {
            continue;
        }
        let o = ours
            .families
            .get(fname)
            .unwrap_or_else(|| panic!("{name}: harness family {fname} missing"));
        // The harness runs this release's own module: no series more, none fewer.
        assert_eq!(
            o.series.len(),
            h.series.len(),
            "{name}: series of {fname} (harness)"
        );
        for (labels, v) in &h.series {
            let want: Vec<(&str, &str)> = labels
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let got = o
                .get(&want)
                .unwrap_or_else(|| panic!("{name}: harness series {fname}{want:?} missing"));
            assert_eq!(got.to_bits(), v.to_bits(), "{name}: {fname}{labels:?}");
            compared += 1;
        }
    }
    compared
}

fn check(name: &str, module_file: &str) {
    let r = against_module(name, module_file);
    let h = against_harness(name);
    println!(
        "{name}: families matched {}/{} (the rest: RBD image stats), series matched {}, \
         values equal to the live module {}, values equal to the harness {h}",
        r.families_matched, r.families_total, r.series_matched, r.values_compared
    );
    assert_eq!(r.families_total - r.families_matched, RBD.len(), "{name}");
    assert!(h > 900, "{name}: {h}");
}

#[test]
fn pacific_healthy() {
    check("16.2.15-healthy", "mgr_prometheus_metrics.txt");
}

#[test]
fn pacific_degraded() {
    check("16.2.15-degraded", "mgr_prometheus_metrics.txt");
}

#[test]
fn reef_healthy() {
    check("18.2.7-healthy", "mgr_prometheus_metrics_with_perf.txt");
}

#[test]
fn reef_degraded() {
    check("18.2.7-degraded", "mgr_prometheus_metrics_with_perf.txt");
}

#[test]
fn tentacle_healthy() {
    check("20.2.4-healthy", "mgr_prometheus_metrics_with_perf.txt");
}

#[test]
fn tentacle_degraded() {
    check("20.2.4-degraded", "mgr_prometheus_metrics_with_perf.txt");
}

/// `ceph_rbd_image_metadata` of the 20.2.4 module on a cluster with a snapshot
/// (`testdata/ceph/20.2.4-rbd/`), from each of the three `rbd` outputs that list the pool.
#[test]
fn tentacle_rbd_image_metadata() {
    let dir = testdata().join("ceph").join("20.2.4-rbd");
    let module = Exposition::parse(
        &std::fs::read_to_string(dir.join("mgr_prometheus_metrics.txt")).unwrap(),
    );
    let want = &module.families["ceph_rbd_image_metadata"];
    assert_eq!(want.series.len(), 2);
    let osd_dump = std::fs::read(dir.join("osd_dump.json")).unwrap();
    for list in [
        "rbd_ls.mini-rbd.json",
        "rbd_ls.mini-rbd.long.json",
        "rbd_ls.mini-rbd.du.json",
    ] {
        let images = std::fs::read(dir.join(list)).unwrap();
        let plain = std::fs::read(dir.join("rbd_ls.plain.json")).unwrap();
        let source = exporter::MemoryDumps::new([
            ("osd_dump.json", osd_dump.as_slice()),
            ("rbd_ls.mini-rbd.json", images.as_slice()),
            ("rbd_ls.plain.json", plain.as_slice()),
        ]);
        let options = CollectOptions::new().release(Some(exporter::Release::Tentacle));
        let collection = ClusterCollector::new(options).collect(&source);
        let mut out = Vec::new();
        collection
            .encode(&mut out, Format::Text, FloatStyle::Go)
            .unwrap();
        let ours = Exposition::parse(&String::from_utf8(out).unwrap());
        let got = &ours.families["ceph_rbd_image_metadata"];
        assert_eq!(got.series, want.series, "{list}");
        assert_eq!(
            (&got.help, &got.metric_type),
            (&want.help, &want.metric_type)
        );
    }
}

/// The lines of a text exposition that both sides must write alike: without the collect
/// durations (timings), the RBD image I/O families' HELP/TYPE (the module's OSD perf query),
/// blank lines (the module's body starts with one), and with each run of `ceph_health_detail`
/// samples sorted (the module adds new checks in the order of a Python `set`).
fn comparable_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for line in text.lines() {
        let name = line
            .strip_prefix("# HELP ")
            .or_else(|| line.strip_prefix("# TYPE "))
            .unwrap_or(line);
        if line.is_empty()
            || name.starts_with("ceph_prometheus_collect_duration_seconds")
            || RBD.iter().any(|f| name.split([' ', '{']).next() == Some(f))
        {
            continue;
        }
        if line.starts_with("ceph_health_detail{") {
            run.push(line.to_owned());
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(line.to_owned());
    }
    run.sort();
    out.append(&mut run);
    out
}

/// `ceph-exporter --float-style mgr` writes what the release's module writes for the same
/// dumps, byte for byte: families in the same order, HELP, TYPE, labels and values (Python
/// float layout), except the timings and the RBD image I/O families. Prints the lines
/// compared per capture.
fn text_is_the_modules_byte_for_byte(names: [&str; 2]) {
    for name in names {
        let harness = std::fs::read_to_string(
            testdata()
                .join("exporter")
                .join(name)
                .join("mgr_harness_metrics.txt"),
        )
        .unwrap();
        let source = DumpDir::open(testdata().join("ceph").join(name)).unwrap();
        let options = CollectOptions::new().input_health(false);
        let collection = ClusterCollector::new(options).collect(&source);
        let mut out = Vec::new();
        collection
            .encode(&mut out, Format::Text, FloatStyle::Python)
            .unwrap();
        let ours = comparable_lines(&String::from_utf8(out).unwrap());
        let module = comparable_lines(&harness);
        let first_difference = ours.iter().zip(&module).position(|(a, b)| a != b);
        assert_eq!(
            first_difference.map(|i| (&ours[i], &module[i])),
            None,
            "{name}: first differing line"
        );
        assert_eq!(ours.len(), module.len(), "{name}");
        println!("{name}: {} lines equal to the module's", ours.len());
    }
}

/// On 18.2.7, the text is the 18.2.7 module's (`mgr_harness.py` in a Debian trixie chroot).
#[test]
fn reef_text_is_the_modules_byte_for_byte() {
    text_is_the_modules_byte_for_byte(["18.2.7-healthy", "18.2.7-degraded"]);
}

/// On 20.2.4, the text is the 20.2.4 module's (`mgr_harness.py` in a Debian sid chroot).
#[test]
fn tentacle_text_is_the_modules_byte_for_byte() {
    text_is_the_modules_byte_for_byte(["20.2.4-healthy", "20.2.4-degraded"]);
}
