//! Memory bounded by input (issue 12): peak allocation of every model on adversarial input,
//! measured per thread by allocation-counter's counting global allocator (linked into this
//! test binary only).
//!
//! The worst case for a JSON model is many of the smallest values it accepts: each becomes a
//! Rust value of fixed size, however few bytes it took. So for every list of objects in every
//! model's fixture, the test shrinks one element to the fewest keys the model still accepts,
//! repeats it until the document is about `TARGET` bytes, and measures the parse. Beside
//! those: long escaped strings (owned copies), the non-finite pre-pass (a rewritten copy),
//! maps of tiny entries, and deep nesting. Every case must stay under `FACTOR` times its
//! input length; the test prints the worst ratio.

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

/// Bytes of each amplified document.
const TARGET: usize = 128 << 10;

/// The bound: peak bytes held while parsing, per byte of input. The worst case is a list of
/// `osd metadata` entries reduced to `{"id":0}`: 9 bytes of input each for an
/// `OsdMetadataEntry` of 584 bytes (26 fields), and the list's growth holds the old and the
/// new buffer at once (up to 3 x the final length): 110 x. Everything else stays under 35 x.
const FACTOR: u64 = 128;

/// List shapes amplified per command (the smallest fixtures first).
const SHAPES_PER_COMMAND: usize = 12;

/// Runs `f` and returns its result with the most bytes it held at once.
fn peak<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info.bytes_max)
}

/// Parses `$text` as `$t` and drops the result: `Ok(())` or the error.
macro_rules! parse_only {
    ($t:ident, $command:expr, $text:expr) => {
        $t::parse_as($command, $text).map(drop)
    };
}

/// Parses `text` with the model of `command`, keeping nothing.
fn parse(command: Command, text: &str) -> Result<(), Error> {
    dispatch!(command, other => panic!("no model for `{other}`"), parse_only!(command, text))
}

/// Paths of the non-empty lists of objects in `v`, one per shape (indices dropped).
fn lists(v: &Value, path: &mut Vec<Step>, seen: &mut BTreeSet<String>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(Step::Key(k.clone()));
                lists(child, path, seen, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            if a.first().is_some_and(Value::is_object) && seen.insert(shape(path)) {
                out.push(path.clone());
            }
            for (i, child) in a.iter().enumerate() {
                path.push(Step::Index(i));
                lists(child, path, seen, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// `doc` with the list at `path` holding `n` copies of `elem`, as compact JSON.
fn with_list(doc: &Value, path: &[Step], elem: &Value, n: usize) -> String {
    let mut d = doc.clone();
    *at(&mut d, path) = Value::Array(vec![elem.clone(); n]);
    serde_json::to_string(&d).unwrap()
}

/// The first element of the list at `path`, with every key removed that the model accepts
/// without (greedily, one key at a time).
fn minimal_element(command: Command, doc: &Value, path: &[Step]) -> Value {
    let mut elem = at(&mut doc.clone(), path)[0].clone();
    let keys: Vec<String> = elem.as_object().unwrap().keys().cloned().collect();
    for k in keys {
        let mut trial = elem.clone();
        trial.as_object_mut().unwrap().remove(&k);
        if parse(command, &with_list(doc, path, &trial, 1)).is_ok() {
            elem = trial;
        }
    }
    elem
}

/// One measured case.
struct Case {
    what: String,
    len: usize,
    peak: u64,
}

impl Case {
    fn ratio(&self) -> f64 {
        self.peak as f64 / self.len as f64
    }
}

/// Measures parsing `text` as `command`'s model.
fn measure(what: String, command: Command, text: &str) -> Case {
    let (_, peak) = peak(|| parse(command, text));
    Case {
        what,
        len: text.len(),
        peak,
    }
}

/// Many copies of the smallest accepted element of every list of objects, one fixture per
/// command (the first in file order).
fn amplified_lists() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut done = BTreeSet::new();
    let mut per_command = std::collections::BTreeMap::<Command, usize>::new();
    let mut files = json_files(&fixture_root());
    files.sort_by_key(|p| std::fs::metadata(p).map_or(0, |m| m.len()));
    for path in files {
        let Some(command) = command_of(&path) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let mut shapes = Vec::new();
        lists(&doc, &mut Vec::new(), &mut BTreeSet::new(), &mut shapes);
        for list in shapes {
            // one case per command and list shape
            let key = format!("{command}:{list:?}").replace(|c: char| c.is_ascii_digit(), "");
            let count = per_command.entry(command).or_default();
            if *count == SHAPES_PER_COMMAND
                || !done.insert(key)
                || parse(
                    command,
                    &with_list(&doc, &list, &at(&mut doc.clone(), &list)[0].clone(), 1),
                )
                .is_err()
            {
                continue;
            }
            *count += 1;
            let elem = minimal_element(command, &doc, &list);
            let one = serde_json::to_string(&elem).unwrap().len() + 1;
            let base = with_list(&doc, &list, &elem, 0).len();
            let n = TARGET.saturating_sub(base) / one;
            let text = with_list(&doc, &list, &elem, n.max(1));
            let name = path
                .strip_prefix(fixture_root())
                .unwrap()
                .display()
                .to_string();
            cases.push(measure(
                format!("{name}: {n} x {elem} at {list:?}"),
                command,
                &text,
            ));
        }
    }
    cases
}

/// Hand-made worst cases that are not lists of objects.
fn crafted() -> Vec<Case> {
    let n = TARGET / 8;
    let mut cases = Vec::new();
    let mut push =
        |what: &str, command, text: String| cases.push(measure(what.into(), command, &text));
    // Map entries of a few bytes each (duplicate keys are kept, in order).
    let counters = "\"a\":0,".repeat(n);
    push(
        "perf dump: tiny counters",
        Command::PerfDump,
        format!("{{\"g\":{{{counters}\"z\":0}}}}"),
    );
    let groups = "\"g\":{},".repeat(n);
    push(
        "perf dump: empty groups",
        Command::PerfDump,
        format!("{{{groups}\"z\":{{}}}}"),
    );
    let avgs = "\"a\":{\"avgcount\":0,\"sum\":0},".repeat(n / 4);
    push(
        "perf dump: averages",
        Command::PerfDump,
        format!("{{\"g\":{{{avgs}\"z\":0}}}}"),
    );
    // Bare non-finite tokens: the pre-pass rewrites the text, then the parse.
    let nans = "\"a\":-nan,".repeat(n);
    push(
        "perf dump: -nan values",
        Command::PerfDump,
        format!("{{\"g\":{{{nans}\"z\":0}}}}"),
    );
    let meta = "\"k\":\"\",".repeat(n);
    push(
        "osd metadata: tiny keys",
        Command::OsdMetadata,
        format!("[{{{meta}\"id\":0}}]"),
    );
    // Escaped strings become owned copies.
    let escaped = "\\u0041".repeat(TARGET / 6);
    push(
        "health: escaped message",
        Command::Health,
        format!(
            r#"{{"status":"HEALTH_OK","checks":{{"X":{{"severity":"HEALTH_WARN","summary":{{"message":"{escaped}"}}}}}}}}"#
        ),
    );
    // Deep nesting is refused at serde_json's recursion limit.
    let deep = "[".repeat(TARGET);
    push("status: deep nesting", Command::Status, deep);
    let deep = "{\"a\":".repeat(TARGET / 5);
    push("perf dump: deep objects", Command::PerfDump, deep);
    // Numbers and strings of great length.
    let digits = "9".repeat(TARGET);
    push(
        "pg stat: long number",
        Command::PgStat,
        format!("{{\"num_pgs\":{digits}}}"),
    );
    cases
}

#[test]
fn peak_allocation_is_bounded_by_input_length() {
    let mut cases = amplified_lists();
    let lists = cases.len();
    cases.extend(crafted());
    cases.sort_by(|a, b| b.ratio().total_cmp(&a.ratio()));
    for c in cases.iter().take(5) {
        println!(
            "memory: {:.1} x: {} bytes held for {} bytes of input: {}",
            c.ratio(),
            c.peak,
            c.len,
            c.what.chars().take(160).collect::<String>()
        );
    }
    println!(
        "memory: {} cases ({lists} amplified lists), worst {:.1} x input length (bound {FACTOR})",
        cases.len(),
        cases[0].ratio()
    );
    println!(
        "memory: size of OsdMetadataEntry {} bytes, PgStats {} bytes",
        std::mem::size_of::<ceph_types::OsdMetadataEntry<'_>>(),
        std::mem::size_of::<ceph_types::PgStats<'_>>()
    );
    assert!(lists >= 40, "{lists}");
    let over: Vec<_> = cases
        .iter()
        .filter(|c| c.peak > FACTOR * c.len as u64)
        .map(|c| format!("{:.1} x: {}", c.ratio(), c.what))
        .collect();
    assert!(
        over.is_empty(),
        "over {FACTOR} x input:\n{}",
        over.join("\n")
    );
}
