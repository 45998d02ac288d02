//! No positional decoding (issue 12): a JSON array where a Ceph dump has an object is an error
//! carrying the JSON path, for every model.
//!
//! Three layers: the case of the issue (`stats: [1,2,3]` in `df`), a table of array documents
//! for every model, and a mutation test over every fixture under `testdata/ceph/` that replaces
//! objects by the array of their values, one at a time, and requires each to be rejected at
//! its path or ignored (an unknown field), never read into the model.

use std::collections::BTreeSet;

use ceph_types::{
    Command, CounterDump, CounterSchema, Df, Error, FsDump, Health, MdsMetadata, MgrDump,
    MgrMetadata, Model, MonDump, MonMetadata, MonStatus, OsdCrushDump, OsdDf, OsdDump, OsdMetadata,
    OsdPerf, OsdPoolStats, OsdTree, PerfDump, PerfSchema, PgDump, PgStat, QuorumStatus, RbdImages,
    ServiceDump, Status, Versions,
};
use serde_json::Value;

use crate::jsonpath::{Step, at, shape};
use crate::walker::{command_of, dispatch, fixture_root, json_files};

/// Parses `$text` as `$t` and writes it back as JSON.
macro_rules! parse_written {
    ($t:ident, $command:expr, $text:expr) => {
        $t::parse_as($command, $text).map(|m| serde_json::to_string(&m).unwrap())
    };
}

/// The model of `command` read from `text`, written back as JSON.
fn parse_written(command: Command, text: &str) -> Result<String, Error> {
    dispatch!(command, other => panic!("no model for `{other}`"), parse_written!(command, text))
}

/// `true`, for [`dispatch`] on a command that has a model.
macro_rules! yes {
    ($t:ident,) => {
        true
    };
}

/// Every command that has a model.
fn modelled() -> impl Iterator<Item = Command> {
    Command::ALL
        .iter()
        .copied()
        .filter(|&c| dispatch!(c, _other => false, yes!()))
}

#[test]
fn df_pool_stats_as_array_is_an_error() {
    let text = r#"{"stats": {"total_bytes": 1, "total_avail_bytes": 1, "total_used_bytes": 0},
        "pools": [{"name": "rbd", "id": 1, "stats": [1, 2, 3]}]}"#;
    let err = Df::parse(text).unwrap_err();
    assert!(matches!(err, Error::Data { .. }), "{err}");
    assert_eq!(err.path(), Some("pools[0].stats"));
    // serde_json's column for a value it rejects on sight is the column before it
    assert_eq!(err.position(), Some((2, 52)));
    // The same document with an object is read.
    let ok = text.replace("[1, 2, 3]", r#"{"stored": 1}"#);
    assert_eq!(Df::parse(&ok).unwrap().pools[0].stats.stored, Some(1));
}

#[test]
fn every_model_rejects_an_array_document() {
    // `[]` is a valid document only for models whose root is a list (or a map that accepts
    // the list form); everything else must say where it expected an object.
    let list_roots = [
        Command::OsdMetadata,
        Command::OsdPoolStats,
        Command::MonMetadata,
        Command::MgrMetadata,
        Command::MdsMetadata,
        Command::RbdLs,
    ];
    let mut checked = 0;
    for command in modelled() {
        for text in ["[1, 2, 3]", "[[1, 2, 3]]", r#"[{"a": 1}, 2]"#] {
            let err = parse_written(command, text).expect_err(&format!("{command}: {text}"));
            assert!(
                matches!(err, Error::Data { .. }),
                "{command}: {text}: {err}"
            );
            assert!(err.path().is_some(), "{command}: {text}");
        }
        match parse_written(command, "[]") {
            Ok(_) => assert!(list_roots.contains(&command), "`{command}` read `[]`"),
            Err(e) => assert!(matches!(e, Error::Data { .. }), "{command}: {e}"),
        }
        checked += 1;
    }
    println!("strict: {checked} models reject array documents");
    assert!(checked >= 23, "{checked}");
}

/// `steps` in the form the parser's errors use: `pools[0].stats`, `.` for the root.
fn display(steps: &[Step]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    if s.is_empty() { ".".into() } else { s }
}

/// Paths of the objects in `v`, one per shape (the path with list indices dropped), in
/// document order.
fn objects(v: &Value, path: &mut Vec<Step>, seen: &mut BTreeSet<String>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            if seen.insert(shape(path)) {
                out.push(path.clone());
            }
            for (k, child) in m {
                path.push(Step::Key(k.clone()));
                objects(child, path, seen, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Step::Index(i));
                objects(child, path, seen, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// How many objects are turned into arrays in one file: 32 (evenly spread over the file's
/// object shapes), fewer in large files (at most about `BYTES_PER_FILE` parsed per file, at
/// least 4), so the test stays fast on the largest dumps. Files of the same command in other
/// captures start at other offsets, so together they cover more shapes.
const PER_FILE: usize = 32;
const BYTES_PER_FILE: usize = 256 << 10;

#[test]
fn no_fixture_object_decodes_from_an_array() {
    let root = fixture_root();
    let mut files = 0;
    let mut mutations = 0;
    let (mut rejected, mut ignored, mut other) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in json_files(&root) {
        let Some(command) = command_of(&path) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        // Files that are not strict JSON (bare `nan`) are covered by the walker.
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        // The reference is the document as re-written by `serde_json::Value` (which sorts
        // keys), so that only the mutation differs.
        let Ok(original) = parse_written(command, &serde_json::to_string(&doc).unwrap()) else {
            continue; // the walker reports it
        };
        files += 1;
        let mut all = Vec::new();
        objects(&doc, &mut Vec::new(), &mut BTreeSet::new(), &mut all);
        let count = (BYTES_PER_FILE / text.len().max(1)).clamp(4, PER_FILE);
        let step = all.len().div_ceil(count).max(1);
        for node in all.iter().skip(files % step).step_by(step) {
            let mut mutated = doc.clone();
            let target = at(&mut mutated, node);
            let values: Vec<Value> = match std::mem::take(target) {
                Value::Object(m) => m.into_iter().map(|(_, v)| v).collect(),
                _ => unreachable!(),
            };
            *target = Value::Array(values);
            let mutated = serde_json::to_string(&mutated).unwrap();
            mutations += 1;
            let want = display(node);
            match parse_written(command, &mutated) {
                Err(e @ Error::Data { .. }) => {
                    let got = e.path().unwrap_or_default();
                    if want == "." || got == want || got.starts_with(&format!("{want}[")) {
                        rejected += 1;
                    } else {
                        failures.push(format!(
                            "{}: `{want}`: error at `{got}`: {e}",
                            path.display()
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}: `{want}`: {e}", path.display())),
                // An ignored field: the model reads the same as before.
                Ok(written) if written == original => ignored += 1,
                // A perf-counter value of an unknown shape is kept as `PerfValue::Other`
                // (written as `null`), by design: one odd counter does not fail the dump.
                Ok(written)
                    if matches!(command, Command::PerfDump | Command::CounterDump)
                        && at(&mut serde_json::from_str(&written).unwrap(), node).is_null() =>
                {
                    other += 1;
                }
                Ok(_) => failures.push(format!(
                    "{}: `{want}` as an array was read into the model",
                    path.display()
                )),
            }
        }
    }
    println!(
        "strict: {mutations} objects turned into arrays in {files} files: {rejected} rejected at their path, {ignored} in ignored fields, {other} perf values read as `Other`"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(files > 0 && rejected > 0);
}
