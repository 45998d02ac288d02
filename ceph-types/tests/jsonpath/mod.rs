//! JSON paths into a fixture, shared by the strict and memory tests that rewrite documents.

use serde_json::Value;

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// The shape of `path`: its keys, with list indices dropped (`.pools[].stats`), so that one
/// path per shape can be kept.
pub(crate) fn shape(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(_) => "[]".into(),
        })
        .collect()
}

/// The value at `path`.
pub(crate) fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}
