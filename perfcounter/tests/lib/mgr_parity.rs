//! The mgr flavour against the real module's output for the same capture.
//!
//! Two references per capture: the live `/metrics` body saved during the capture (the module
//! read the daemons' counters a few seconds before or after the admin-socket dumps, so values
//! that moved in between differ), and `mgr_harness.txt`, the real module's `collect()` run over
//! exactly these dump files (so every value must be equal). See `testdata/perfcounter/README.md`.

use std::collections::BTreeSet;

use expfmt::FamilySet;

use super::common::{
    Exposition, label_pairs, map_capture, mgr, parse_module_text, read, same_value, scalar,
};

/// What a comparison found, for the report line.
#[derive(Debug, Default)]
struct Parity {
    families: usize,
    series: usize,
    equal_values: usize,
    differing: Vec<String>,
}

/// Compares every mapped family with `reference`: same type, HELP and label sets; counts equal
/// values and lists the others.
fn compare(set: &FamilySet<'_>, reference: &Exposition) -> Parity {
    let mut p = Parity::default();
    for f in set.families() {
        let r = reference
            .families
            .get(f.name.as_ref())
            .unwrap_or_else(|| panic!("`{}` is not in the module's output", f.name));
        assert_eq!(r.metric_type, f.metric_type.as_str(), "type of {}", f.name);
        assert_eq!(
            Some(r.help.as_str()),
            f.help.as_deref(),
            "HELP of {}",
            f.name
        );
        assert_eq!(
            r.blocks, 1,
            "{} has {} blocks in the module's output",
            f.name, r.blocks
        );
        let ours: BTreeSet<_> = f.metrics.iter().map(|m| label_pairs(&m.labels)).collect();
        let theirs: BTreeSet<_> = r.series.keys().cloned().collect();
        assert_eq!(ours, theirs, "series of {}", f.name);
        assert_eq!(
            ours.len(),
            f.metrics.len(),
            "duplicate series in {}",
            f.name
        );
        p.families += 1;
        for m in &f.metrics {
            p.series += 1;
            let labels = label_pairs(&m.labels);
            let text = &r.series[&labels];
            let v = scalar(&m.value);
            if same_value(text, v) {
                p.equal_values += 1;
            } else {
                p.differing
                    .push(format!("{}{:?}: module {text}, ours {v:?}", f.name, labels));
            }
        }
    }
    p
}

/// The families of `reference` that the mapping must not produce (the module's cluster-level
/// families) are exactly the ones it did not produce.
fn assert_rest_is(set: &FamilySet<'_>, reference: &Exposition, rest: &BTreeSet<String>) {
    let ours: BTreeSet<String> = set.families().iter().map(|f| f.name.to_string()).collect();
    let all: BTreeSet<String> = reference.families.keys().cloned().collect();
    let missing: Vec<_> = all
        .difference(&ours)
        .filter(|n| !rest.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "perf families not produced: {missing:?}"
    );
    let overlap: Vec<_> = ours.intersection(rest).collect();
    assert!(overlap.is_empty(), "cluster families produced: {overlap:?}");
}

/// Our families come in the module's order (daemons by type and id, counters by path).
fn assert_same_order(set: &FamilySet<'_>, reference: &Exposition) {
    let ours: Vec<&str> = set.families().iter().map(|f| f.name.as_ref()).collect();
    let names: BTreeSet<&str> = ours.iter().copied().collect();
    let theirs: Vec<&str> = reference
        .order
        .iter()
        .map(String::as_str)
        .filter(|n| names.contains(n))
        .collect();
    assert_eq!(ours, theirs);
}

fn text(dir: &str, file: &str) -> Exposition {
    parse_module_text(&read(dir, file))
}

/// The `ceph_rbd_*` image families come from the module's OSD perf query on `rbd_stats_pools`
/// (set to `mini-rbd` on the capture cluster), not from daemon perf counters; the harness
/// runs without that option.
const RBD_IMAGE_FAMILIES: [&str; 8] = [
    "ceph_rbd_write_ops",
    "ceph_rbd_read_ops",
    "ceph_rbd_write_bytes",
    "ceph_rbd_read_bytes",
    "ceph_rbd_write_latency_sum",
    "ceph_rbd_write_latency_count",
    "ceph_rbd_read_latency_sum",
    "ceph_rbd_read_latency_count",
];

/// Checks the mapping of the committed capture `dir` against the module over the same dumps
/// (everything equal, same order) and against the live output `live` whose non-perf families
/// are `rest`; returns (perf families, series, values equal to the live output).
fn check_capture(dir: &str, live: &Exposition, rest: &BTreeSet<String>) -> (usize, usize, usize) {
    let (set, skipped) = map_capture(dir, mgr());
    assert!(skipped.is_empty(), "{skipped:?}");

    // Against the module run over these very dumps: everything equal, in the same order.
    let harness = text(dir, "mgr_harness.txt");
    let exact = compare(&set, &harness);
    assert!(exact.differing.is_empty(), "{:#?}", exact.differing);
    assert_same_order(&set, &harness);

    // Against the live capture: same families, types, HELP and series; values equal except
    // where a counter moved between the module's read and the admin-socket dump.
    assert_rest_is(&set, live, rest);
    let p = compare(&set, live);
    eprintln!(
        "{dir}: {} perf families of {} in the module's output, {} series; values equal to the \
         live capture {}/{}, to the module over the same dumps {}/{}",
        p.families,
        live.families.len(),
        p.series,
        p.equal_values,
        p.series,
        exact.equal_values,
        exact.series
    );
    for d in p.differing.iter().take(3) {
        eprintln!("  moved: {d}");
    }
    assert_eq!((p.families, p.series), (exact.families, exact.series));
    (p.families, p.series, p.equal_values)
}

#[test]
fn pacific_healthy_matches_the_real_module() {
    let live = text("pacific-healthy", "mgr_prometheus_metrics.txt");
    let mut rest: BTreeSet<String> = read("pacific-healthy", "non_perf_families.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    rest.extend(RBD_IMAGE_FAMILIES.iter().map(|s| (*s).to_owned()));
    // The figures of this capture (see the README).
    assert_eq!(
        check_capture("pacific-healthy", &live, &rest),
        (430, 740, 550)
    );
}

#[test]
fn reef_healthy_matches_the_real_module_with_perf_counters() {
    // `exclude_perf_counters=false`; the default output (perf counters excluded) of the same
    // module lists exactly the families that are not perf counters.
    let live = text("reef-healthy", "mgr_prometheus_metrics_with_perf.txt");
    let default = text("reef-healthy", "mgr_prometheus_metrics.txt");
    let rest: BTreeSet<String> = default.families.keys().cloned().collect();
    let found = check_capture("reef-healthy", &live, &rest);
    assert_eq!(found.0, live.families.len() - default.families.len());
    assert_eq!(found, (528, 1024, 697));
}

#[test]
fn encodes_in_both_formats() {
    for dir in ["pacific-healthy", "reef-healthy"] {
        let (set, _) = map_capture(dir, mgr());
        let (text, om) = super::common::encode_both(&set);
        // One HELP and one TYPE per family, in both formats.
        assert_eq!(text.matches("# TYPE ").count(), set.len());
        assert_eq!(om.matches("# TYPE ").count(), set.len());
        assert!(text.contains("ceph_prioritycache:kv_pri0_bytes{ceph_daemon=\"mon.a\"} "));
        assert!(om.ends_with("# EOF\n"));
    }
}

/// The variable naming more capture folders to check (separated by `:`), each with
/// `perf_schema.*.json`, `perf_dump.*.json`, the real module's output over exactly those
/// files as `mgr_harness.txt`, and optionally its cluster-level family names as
/// `non_perf_families.txt` (see `.ci/conformance.d/perfcounter.sh`, which makes them).
const CAPTURES_VAR: &str = "PERFCOUNTER_MGR_CAPTURES";

#[test]
fn captures_named_by_the_environment() {
    let Ok(dirs) = std::env::var(CAPTURES_VAR) else {
        eprintln!("{CAPTURES_VAR} not set: 0 extra captures checked");
        return;
    };
    let (mut captures, mut families, mut series) = (0, 0, 0);
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let dir = std::path::Path::new(dir);
        let (set, skipped) = super::common::map_dir(dir, mgr());
        assert!(skipped.is_empty(), "{}: {skipped:?}", dir.display());
        let module = std::fs::read_to_string(dir.join("mgr_harness.txt")).unwrap();
        let module = parse_module_text(&module);
        let p = compare(&set, &module);
        assert!(
            p.differing.is_empty(),
            "{}: {:#?}",
            dir.display(),
            p.differing
        );
        let rest = dir.join("non_perf_families.txt");
        if rest.exists() {
            let rest = std::fs::read_to_string(rest).unwrap();
            assert_rest_is(&set, &module, &rest.lines().map(str::to_owned).collect());
        }
        eprintln!(
            "{}: {} perf families, {} series, every value equal to the module's",
            dir.display(),
            p.families,
            p.series
        );
        captures += 1;
        families += p.families;
        series += p.series;
    }
    eprintln!("{captures} captures checked: {families} families, {series} series");
    assert!(captures > 0, "{CAPTURES_VAR} names no folder");
}
