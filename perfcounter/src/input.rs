//! The two shapes of perf-counter documents, read through `ceph-types`.
//!
//! `perf schema`/`perf dump` map each logger to its counters; `counter schema`/`counter dump`
//! (Reef and later) map each logger to a list of labeled instances. The mapping walks both the
//! same way: loggers, each with instances, each with labels and counters; a `perf` logger is one
//! instance without labels.

use std::borrow::Cow;

use ceph_types::{
    CounterDump, CounterSchema, Labeled, Map, PerfCounterSchema, PerfDump, PerfSchema, PerfValue,
};

use crate::Error;
use crate::error::Document;

/// A daemon's counter schema, in either shape.
///
/// ```
/// use perfcounter::Schema;
///
/// let perf = Schema::parse(r#"{"osd": {"op_r": {"type": 10, "priority": 8}}}"#)?;
/// assert!(!perf.is_labeled());
/// let labeled = Schema::parse(r#"{"osd": [{"labels": {}, "counters":
///     {"op_r": {"type": 10, "priority": 8}}}]}"#)?;
/// assert!(labeled.is_labeled());
/// assert_eq!((perf.counter_count(), labeled.counter_count()), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Schema<'s> {
    /// `perf schema`: unlabeled counters.
    Perf(PerfSchema<'s>),
    /// `counter schema`: labeled instances (Reef and later).
    Counter(CounterSchema<'s>),
}

/// A daemon's counter values, in either shape.
///
/// ```
/// use perfcounter::Dump;
///
/// let dump = Dump::parse(r#"{"osd": {"op_r": 7}}"#)?;
/// assert!(!dump.is_labeled());
/// assert_eq!(dump.counter_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Dump<'d> {
    /// `perf dump`: unlabeled counters.
    Perf(PerfDump<'d>),
    /// `counter dump`: labeled instances (Reef and later).
    Counter(CounterDump<'d>),
}

impl<'s> Schema<'s> {
    /// Parses `perf schema` or `counter schema` output, telling them apart by the first
    /// logger's value (an object or an array).
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] with the `ceph-types` error (position and JSON path) when `text` is
    /// not a schema document.
    pub fn parse(text: &'s str) -> Result<Self, Error> {
        parse_either(
            text,
            Document::Schema,
            |t| PerfSchema::parse(t).map(Schema::Perf),
            |t| CounterSchema::parse(t).map(Schema::Counter),
        )
    }

    /// Whether this is the labeled (`counter schema`) shape.
    pub fn is_labeled(&self) -> bool {
        matches!(self, Schema::Counter(_))
    }

    /// The number of counters over every logger and instance.
    pub fn counter_count(&self) -> usize {
        count(self.loggers())
    }

    pub(crate) fn loggers<'r>(
        &'r self,
    ) -> impl Iterator<Item = (&'r str, Instances<'r, 's, PerfCounterSchema<'s>>)> {
        let (perf, counter) = match self {
            Schema::Perf(p) => (Some(&p.groups), None),
            Schema::Counter(c) => (None, Some(&c.groups)),
        };
        loggers(perf, counter)
    }
}

impl<'d> Dump<'d> {
    /// Parses `perf dump` or `counter dump` output, telling them apart by the first logger's
    /// value (an object or an array).
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] with the `ceph-types` error when `text` is not a dump document. A
    /// counter value of an unexpected shape is not an error: the mapping skips that counter.
    pub fn parse(text: &'d str) -> Result<Self, Error> {
        parse_either(
            text,
            Document::Dump,
            |t| PerfDump::parse(t).map(Dump::Perf),
            |t| CounterDump::parse(t).map(Dump::Counter),
        )
    }

    /// Whether this is the labeled (`counter dump`) shape.
    pub fn is_labeled(&self) -> bool {
        matches!(self, Dump::Counter(_))
    }

    /// The number of counters over every logger and instance.
    pub fn counter_count(&self) -> usize {
        count(self.loggers())
    }

    pub(crate) fn loggers<'r>(
        &'r self,
    ) -> impl Iterator<Item = (&'r str, Instances<'r, 'd, PerfValue>)> {
        let (perf, counter) = match self {
            Dump::Perf(p) => (Some(&p.groups), None),
            Dump::Counter(c) => (None, Some(&c.groups)),
        };
        loggers(perf, counter)
    }
}

impl<'s> From<PerfSchema<'s>> for Schema<'s> {
    fn from(s: PerfSchema<'s>) -> Self {
        Schema::Perf(s)
    }
}

impl<'s> From<CounterSchema<'s>> for Schema<'s> {
    fn from(s: CounterSchema<'s>) -> Self {
        Schema::Counter(s)
    }
}

impl<'d> From<PerfDump<'d>> for Dump<'d> {
    fn from(d: PerfDump<'d>) -> Self {
        Dump::Perf(d)
    }
}

impl<'d> From<CounterDump<'d>> for Dump<'d> {
    fn from(d: CounterDump<'d>) -> Self {
        Dump::Counter(d)
    }
}

/// Parses `text` with `perf` or, when its first logger holds an array, with `counter`.
fn parse_either<'t, T>(
    text: &'t str,
    document: Document,
    perf: impl FnOnce(&'t str) -> Result<T, ceph_types::Error>,
    counter: impl FnOnce(&'t str) -> Result<T, ceph_types::Error>,
) -> Result<T, Error> {
    let parsed = if first_value_is_array(text) {
        counter(text)
    } else {
        perf(text)
    };
    parsed.map_err(|source| Error::Parse { document, source })
}

/// The number of counters over every logger and instance.
fn count<'r, 's: 'r, T: 'r>(
    loggers: impl Iterator<Item = (&'r str, Instances<'r, 's, T>)>,
) -> usize {
    loggers
        .flat_map(|(_, instances)| instances)
        .map(|(_, counters)| counters.len())
        .sum()
}

/// One instance: its labels and counters.
pub(crate) type Instance<'r, 's, T> = (&'r [(Cow<'s, str>, Cow<'s, str>)], &'r [(Cow<'s, str>, T)]);

/// The instances of one logger.
pub(crate) enum Instances<'r, 's, T> {
    /// A `perf` logger: one instance without labels.
    One(Option<&'r Map<'s, T>>),
    /// A `counter` logger.
    Many(std::slice::Iter<'r, Labeled<'s, T>>),
}

impl<'r, 's, T> Iterator for Instances<'r, 's, T> {
    type Item = Instance<'r, 's, T>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Instances::One(one) => one.take().map(|c| (&[][..], c.as_slice())),
            Instances::Many(it) => it
                .next()
                .map(|l| (l.labels.as_slice(), l.counters.as_slice())),
        }
    }
}

fn loggers<'r, 's, T>(
    perf: Option<&'r Map<'s, Map<'s, T>>>,
    counter: Option<&'r Map<'s, Vec<Labeled<'s, T>>>>,
) -> impl Iterator<Item = (&'r str, Instances<'r, 's, T>)> {
    let perf = perf
        .into_iter()
        .flat_map(Map::as_slice)
        .map(|(name, c)| (name.as_ref(), Instances::One(Some(c))));
    let counter = counter
        .into_iter()
        .flat_map(Map::as_slice)
        .map(|(name, l)| (name.as_ref(), Instances::Many(l.iter())));
    perf.chain(counter)
}

/// Whether the first member of the top-level object has an array value (`counter` shape).
/// Anything unexpected answers `false`, and the `perf` parser then reports the fault.
fn first_value_is_array(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return false;
    }
    i += 1;
    skip_ws(&mut i);
    if b.get(i) != Some(&b'"') {
        return false;
    }
    i += 1;
    while i < b.len() && b[i] != b'"' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    i += 1;
    skip_ws(&mut i);
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    skip_ws(&mut i);
    b.get(i) == Some(&b'[')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_detection() {
        let cases = [
            (r#"{"osd": {}}"#, false),
            (r#" { "osd" : [ ] }"#, true),
            ("{\n    \"AsyncMessenger::Worker\": [\n", true),
            (r#"{"a\"b": [1]}"#, true),
            (r#"{"a\\": [1]}"#, true),
            (r#"{}"#, false),
            (r#"[]"#, false),
            (r#"{"#, false),
            (r#"{"x""#, false),
            (r#"{"x\"#, false),
            ("", false),
        ];
        for (text, labeled) in cases {
            assert_eq!(first_value_is_array(text), labeled, "{text:?}");
        }
    }

    #[test]
    fn walks_both_shapes() {
        let perf = Dump::parse(r#"{"a": {"x": 1, "y": 2}, "b": {}}"#).unwrap();
        let walked: Vec<(&str, Vec<usize>)> = perf
            .loggers()
            .map(|(n, i)| (n, i.map(|(l, c)| l.len() * 100 + c.len()).collect()))
            .collect();
        assert_eq!(walked, [("a", vec![2]), ("b", vec![0])]);
        let labeled = Dump::parse(
            r#"{"w": [{"labels": {"id": "0"}, "counters": {"t": 1}},
                      {"labels": {"id": "1", "k": ""}, "counters": {}}]}"#,
        )
        .unwrap();
        let walked: Vec<(&str, Vec<usize>)> = labeled
            .loggers()
            .map(|(n, i)| (n, i.map(|(l, c)| l.len() * 100 + c.len()).collect()))
            .collect();
        assert_eq!(walked, [("w", vec![101, 200])]);
        assert_eq!(labeled.counter_count(), 1);
    }

    #[test]
    fn parse_errors_name_the_document() {
        for (text, doc) in [
            ("{\"osd\": 3}", Document::Schema),
            ("[1]", Document::Schema),
        ] {
            match Schema::parse(text) {
                Err(Error::Parse { document, .. }) => assert_eq!(document, doc),
                other => panic!("{other:?}"),
            }
        }
        match Dump::parse("{\"osd\": [{\"labels\": {}}]}") {
            Err(Error::Parse { document, source }) => {
                assert_eq!(document, Document::Dump);
                assert!(source.position().is_some());
            }
            other => panic!("{other:?}"),
        }
    }
}
