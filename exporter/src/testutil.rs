//! What the unit tests of several modules share: a capture's files and a family's samples.

use expfmt::{MetricFamily, MetricValue};

/// The JSON files of capture `name` in `testdata/ceph/`, with `replace` applied (name, text;
/// `None` removes the file).
pub(crate) fn capture(name: &str, replace: &[(&str, Option<&str>)]) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/ceph")
        .join(name);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            (n, std::fs::read(&p).unwrap())
        })
        .filter(|(n, _)| n.ends_with(".json"))
        .collect();
    for (n, text) in replace {
        files.retain(|(f, _)| f != n);
        if let Some(t) = text {
            files.push(((*n).to_owned(), t.as_bytes().to_vec()));
        }
    }
    files
}

/// The label values and value of each metric of `family` (NaN for a non-scalar value).
pub(crate) fn samples(family: &MetricFamily<'_>) -> Vec<(Vec<String>, f64)> {
    family
        .metrics
        .iter()
        .map(|m| {
            let v = match m.value {
                MetricValue::Scalar(v) => v.as_f64(),
                _ => f64::NAN,
            };
            (m.labels.iter().map(|l| l.value.to_string()).collect(), v)
        })
        .collect()
}
