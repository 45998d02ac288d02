//! Shared helpers: fixture paths, mapping a capture's daemons, and a reader for the mgr
//! module's exposition (which never escapes, so a plain split is exact for it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use expfmt::{FamilySet, MetricValue, Value};
use perfcounter::{Dump, Families, Flavor, Mapper, Schema, Skipped};

/// `testdata/perfcounter/<sub>`.
pub(crate) fn testdata(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/perfcounter")
        .join(sub)
}

pub(crate) fn read(dir: &str, file: &str) -> String {
    let path = testdata(dir).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The daemon types whose perf counters the mgr module exports (`get_all_perf_counters`).
const SERVICES: [&str; 6] = ["mds", "mon", "osd", "rbd-mirror", "rgw", "tcmu-runner"];

/// The daemons with a `perf_dump.<daemon>.json` in `dir` that the module exports, in the
/// module's order (`list_servers()` on one host: by type, then id, as strings), each with
/// its schema file: its own `perf_schema.<daemon>.json`, or when absent that of the first
/// daemon of the same type that has one (the committed captures keep one OSD schema, the
/// three being byte-identical).
pub(crate) fn daemons(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let daemon = name.strip_prefix("perf_dump.")?.strip_suffix(".json")?;
            let (t, id) = daemon.split_once('.')?;
            SERVICES.contains(&t).then(|| (t.to_owned(), id.to_owned()))
        })
        .collect();
    found.sort();
    found
        .iter()
        .map(|(t, id)| {
            let own = dir.join(format!("perf_schema.{t}.{id}.json"));
            let schema = if own.exists() {
                own
            } else {
                found
                    .iter()
                    .filter(|(t2, _)| t2 == t)
                    .map(|(_, id2)| dir.join(format!("perf_schema.{t}.{id2}.json")))
                    .find(|p| p.exists())
                    .unwrap_or_else(|| panic!("no perf schema for {t}.{id}"))
            };
            (format!("{t}.{id}"), schema)
        })
        .collect()
}

/// Maps every daemon of a capture directory (see [`daemons`]) with `mapper`, each distinct
/// schema file prepared once. The documents are leaked: the models borrow them.
pub(crate) fn map_dir(dir: &Path, mapper: Mapper) -> (FamilySet<'static>, Vec<Skipped<'static>>) {
    let list = daemons(dir);
    let mut schemas: BTreeMap<PathBuf, &'static Schema<'static>> = BTreeMap::new();
    for (_, path) in &list {
        schemas.entry(path.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(path).unwrap().leak();
            Box::leak(Box::new(Schema::parse(text).unwrap()))
        });
    }
    let prepared: BTreeMap<_, _> = schemas
        .iter()
        .map(|(k, s)| (k.clone(), mapper.prepare(s)))
        .collect();
    let mut out = Families::new();
    for (daemon, schema) in list {
        let daemon: &'static str = daemon.leak();
        let json = std::fs::read_to_string(dir.join(format!("perf_dump.{daemon}.json"))).unwrap();
        let dump = Dump::parse(&json).unwrap();
        prepared[&schema].map(daemon, &dump, &mut out);
    }
    out.into_parts()
}

/// [`map_dir`] on `testdata/perfcounter/<dir>`.
pub(crate) fn map_capture(
    dir: &str,
    mapper: Mapper,
) -> (FamilySet<'static>, Vec<Skipped<'static>>) {
    map_dir(&testdata(dir), mapper)
}

pub(crate) fn mgr() -> Mapper {
    Mapper::new(Flavor::Mgr)
}

/// One family of a module exposition.
#[derive(Debug, Default)]
pub(crate) struct TextFamily {
    pub(crate) metric_type: String,
    pub(crate) help: String,
    /// Number of `# TYPE` lines (the Pacific module repeats some).
    pub(crate) blocks: usize,
    /// Label pairs (sorted) to the value text.
    pub(crate) series: BTreeMap<Vec<(String, String)>, String>,
}

/// A module exposition: families by name, and names in first-seen order.
pub(crate) struct Exposition {
    pub(crate) families: BTreeMap<String, TextFamily>,
    pub(crate) order: Vec<String>,
}

pub(crate) fn parse_module_text(text: &str) -> Exposition {
    let mut families: BTreeMap<String, TextFamily> = BTreeMap::new();
    let mut order = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            families.entry(name.to_owned()).or_default().help = help.to_owned();
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, t) = rest.split_once(' ').unwrap();
            let f = families.entry(name.to_owned()).or_default();
            f.metric_type = t.to_owned();
            f.blocks += 1;
            if f.blocks == 1 {
                order.push(name.to_owned());
            }
        } else {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, parse_labels(l.strip_suffix('}').unwrap())),
                None => (series, Vec::new()),
            };
            families
                .get_mut(name)
                .unwrap_or_else(|| panic!("sample before TYPE: {line}"))
                .series
                .insert(labels, value.to_owned());
        }
    }
    Exposition { families, order }
}

fn parse_labels(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (k, after) = rest.split_once("=\"").unwrap();
        let (v, after) = after.split_once('"').unwrap();
        out.push((k.to_owned(), v.to_owned()));
        rest = after.strip_prefix(',').unwrap_or(after);
    }
    out.sort();
    out
}

/// A mapped metric's labels, sorted, as owned pairs.
pub(crate) fn label_pairs(labels: &[expfmt::Label<'_>]) -> Vec<(String, String)> {
    let mut v: Vec<_> = labels
        .iter()
        .map(|l| (l.name.to_string(), l.value.to_string()))
        .collect();
    v.sort();
    v
}

pub(crate) fn scalar(v: &MetricValue) -> Value {
    match v {
        MetricValue::Scalar(v) => *v,
        other => panic!("not a scalar: {other:?}"),
    }
}

/// Whether a module value text (`1.0`, `437.501162148`, `+Inf`) is the same number as ours.
pub(crate) fn same_value(text: &str, ours: Value) -> bool {
    let theirs: f64 = match text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        t => t.parse().unwrap(),
    };
    let ours = ours.as_f64();
    theirs.to_bits() == ours.to_bits() || (theirs.is_nan() && ours.is_nan())
}

/// Encodes `set` in both formats; panics on an encoder error (invalid or duplicate names).
pub(crate) fn encode_both(set: &FamilySet<'_>) -> (String, String) {
    let mut text = Vec::new();
    let mut enc = expfmt::Encoder::new(&mut text, expfmt::Format::Text);
    enc.encode_families(set.families()).unwrap();
    enc.finish();
    let mut om = Vec::new();
    let mut enc = expfmt::Encoder::new(&mut om, expfmt::Format::OpenMetrics);
    enc.encode_families(set.families()).unwrap();
    enc.finish();
    (
        String::from_utf8(text).unwrap(),
        String::from_utf8(om).unwrap(),
    )
}
