//! The mapping's output: families merged by name, and what was skipped.

use std::collections::{HashMap, HashSet};
use std::fmt;

use expfmt::{FamilySet, Label, Metric, MetricFamily, MetricType};

use crate::PerfCounterType;

/// Families mapped from any number of daemons, merged by name (so a name is never written
/// twice), plus the counters that were skipped and why.
///
/// ```
/// use perfcounter::{Dump, Families, Mapper, Schema};
///
/// let schema = Schema::parse(r#"{"osd": {"op_r": {"type": 10,
///     "description": "Client read operations", "priority": 8}}}"#)?;
/// let mapper = Mapper::default();
/// let prepared = mapper.prepare(&schema);
/// let mut out = Families::new();
/// for (daemon, json) in [("osd.0", r#"{"osd": {"op_r": 7}}"#), ("osd.1", r#"{"osd": {}}"#)] {
///     let dump = Dump::parse(json)?;
///     prepared.map(daemon, &dump, &mut out);
/// }
/// assert_eq!(out.skipped().len(), 1); // osd.1 has no op_r value
/// let set = out.into_set();
/// assert_eq!(set.len(), 1);
/// assert_eq!(set.families()[0].metrics.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Families<'a> {
    pub(crate) set: Store<'a>,
    /// The mgr's `data-sync-from-zone` copies, appended after everything else.
    pub(crate) copies: Store<'a>,
    pub(crate) skipped: Vec<Skipped<'a>>,
    pub(crate) daemons: HashSet<(&'static str, String)>,
}

impl<'a> Families<'a> {
    /// An empty collection.
    pub fn new() -> Self {
        Families::default()
    }

    /// The families mapped so far, in first-seen order (without the mgr's pending
    /// `data-sync-from-zone` copies).
    pub fn families(&self) -> &[MetricFamily<'a>] {
        &self.set.families
    }

    /// The counters skipped so far, in the order met.
    pub fn skipped(&self) -> &[Skipped<'a>] {
        &self.skipped
    }

    /// The families, the mgr's `data-sync-from-zone` copies last (where the module puts them).
    pub fn into_set(self) -> FamilySet<'a> {
        self.into_parts().0
    }

    /// The families and every skipped counter.
    pub fn into_parts(mut self) -> (FamilySet<'a>, Vec<Skipped<'a>>) {
        for copy in std::mem::take(&mut self.copies.families) {
            if let Err(reason) = self.set.adopt(copy) {
                self.skipped.push(Skipped {
                    daemon: "",
                    logger: "",
                    counter: "",
                    reason,
                });
            }
        }
        let mut set = FamilySet::new();
        for family in self.set.families {
            // Cannot fail: the names are distinct.
            let _ = set.insert(family);
        }
        (set, self.skipped)
    }

    /// Registers a daemon's label; `false` when the same label was mapped before.
    pub(crate) fn claim_daemon(&mut self, name: &'static str, value: &str) -> bool {
        self.daemons.insert((name, value.to_owned()))
    }
}

/// Families by name, with a cache from each prepared schema's family numbers to positions, so
/// that mapping the second and later daemons of a schema hashes no name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store<'a> {
    pub(crate) families: Vec<MetricFamily<'a>>,
    index: HashMap<String, usize>,
    /// The names counters write in OpenMetrics besides their own (a counter `x` also writes
    /// `x_total` and `x_created`) → position, so that no two families write the same name.
    extra: HashMap<String, usize>,
    /// A buffer for building names to look up.
    scratch: String,
    /// Prepared schema id → (its family number → position + 1, or 0 when not known yet).
    slots: HashMap<u64, Vec<u32>>,
}

impl<'a> Store<'a> {
    /// The slot cache of prepared schema `id` with `len` families, taken out of the store
    /// while a dump is mapped (give it back with [`Store::put_slots`]).
    pub(crate) fn take_slots(&mut self, id: u64, len: usize) -> Vec<u32> {
        self.slots.remove(&id).unwrap_or_else(|| vec![0; len])
    }

    pub(crate) fn put_slots(&mut self, id: u64, slots: Vec<u32>) {
        self.slots.insert(id, slots);
    }

    /// Adds `metric` to the family `target`, creating it when new.
    pub(crate) fn push(
        &mut self,
        slots: &mut [u32],
        target: &Target<'_, 'a>,
        metric: Metric<'a>,
        seen: &mut HashSet<(usize, u64)>,
    ) -> Result<(), SkipReason> {
        let cached = slots[target.number];
        let pos = if cached != 0 {
            cached as usize - 1
        } else if let Some(&pos) = self.index.get(target.name) {
            let existing = self.families[pos].metric_type;
            if existing != target.metric_type {
                return Err(SkipReason::ConflictingType {
                    family: target.name.into(),
                    existing,
                    new: target.metric_type,
                });
            }
            slots[target.number] = slot(pos);
            pos
        } else {
            let mut f = MetricFamily::new(target.name.to_owned(), target.metric_type);
            f.help = Some(target.help.clone());
            let pos = self.create(f)?;
            slots[target.number] = slot(pos);
            pos
        };
        let family = &mut self.families[pos];
        if target.shared {
            let key = (target.number, hash_labels(&metric.labels));
            if !seen.insert(key) && family.metrics.iter().any(|m| m.labels == metric.labels) {
                return Err(SkipReason::DuplicateSeries {
                    family: target.name.into(),
                });
            }
        }
        family.metrics.push(metric);
        Ok(())
    }
}

impl<'a> Store<'a> {
    /// Adds a new family (its name is not in the store); refuses one that would write a name
    /// another family writes in OpenMetrics.
    fn create(&mut self, family: MetricFamily<'a>) -> Result<usize, SkipReason> {
        let name = family.name.as_ref();
        let counter = family.metric_type == MetricType::Counter;
        let base = if counter {
            name.strip_suffix("_total").unwrap_or(name)
        } else {
            name
        };
        let suffixes: &[&str] = if counter {
            &["", "_total", "_created"]
        } else {
            &[""]
        };
        let mut buf = std::mem::take(&mut self.scratch);
        let mut clash = None;
        for suffix in suffixes {
            buf.clear();
            buf.push_str(base);
            buf.push_str(suffix);
            let other = self
                .index
                .get(buf.as_str())
                .or(self.extra.get(buf.as_str()));
            if let Some(&other) = other {
                clash = Some(other);
                break;
            }
        }
        if let Some(other) = clash {
            self.scratch = buf;
            return Err(SkipReason::NameClash {
                family: name.into(),
                other: self.families[other].name.as_ref().into(),
            });
        }
        let pos = self.families.len();
        for suffix in suffixes {
            buf.clear();
            buf.push_str(base);
            buf.push_str(suffix);
            if buf != name {
                self.extra.insert(buf.clone(), pos);
            }
        }
        self.scratch = buf;
        self.index.insert(name.to_owned(), pos);
        self.families.push(family);
        Ok(pos)
    }

    /// Makes room for `n` more families.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.families.reserve(n);
        self.index.reserve(n);
    }

    /// Merges a whole family: into the family of the same name (same type required), or as a
    /// new one.
    fn adopt(&mut self, family: MetricFamily<'a>) -> Result<(), SkipReason> {
        match self.index.get(family.name.as_ref()) {
            Some(&pos) => {
                let existing = &mut self.families[pos];
                if existing.metric_type != family.metric_type {
                    return Err(SkipReason::ConflictingType {
                        family: family.name.as_ref().into(),
                        existing: existing.metric_type,
                        new: family.metric_type,
                    });
                }
                existing.metrics.extend(family.metrics);
                Ok(())
            }
            None => self.create(family).map(drop),
        }
    }
}

/// A position as a non-zero slot (positions are far below `u32::MAX`: one per family name).
fn slot(pos: usize) -> u32 {
    u32::try_from(pos + 1).unwrap_or(0)
}

/// Where a sample goes.
pub(crate) struct Target<'t, 'a> {
    /// The family's number in its prepared schema.
    pub(crate) number: usize,
    pub(crate) name: &'t str,
    pub(crate) help: &'t std::borrow::Cow<'a, str>,
    pub(crate) metric_type: MetricType,
    /// Whether other samples of the same daemon may land in this family (so a duplicate
    /// label set is possible and must be checked).
    pub(crate) shared: bool,
}

fn hash_labels(labels: &[Label<'_>]) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: equal label sets must hash equal within one map call.
    let mut h = std::hash::DefaultHasher::new();
    labels.hash(&mut h);
    h.finish()
}

/// A counter the mapping did not export, and why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Skipped<'a> {
    /// The daemon name as given to the mapping (empty for a merge conflict).
    pub daemon: &'a str,
    /// The logger (empty when the whole daemon was skipped).
    pub logger: &'a str,
    /// The counter (empty when the whole daemon was skipped).
    pub counter: &'a str,
    /// Why.
    pub reason: SkipReason,
}

impl fmt::Display for Skipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.daemon.is_empty(), self.counter.is_empty()) {
            (true, _) => write!(f, "{}", self.reason),
            (false, true) => write!(f, "{}: {}", self.daemon, self.reason),
            (false, false) => write!(
                f,
                "{}: `{}.{}`: {}",
                self.daemon, self.logger, self.counter, self.reason
            ),
        }
    }
}

/// Why a counter (or a daemon) was not exported.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The mgr module gives these type bits no family type (`_stattype_to_str` is empty):
    /// combined behaviour bits such as `LONGRUNAVG|COUNTER`.
    UnsupportedType {
        /// The type.
        counter_type: PerfCounterType,
    },
    /// A histogram: neither exporter writes them.
    Histogram,
    /// The schema's `type` has unknown bits.
    UnknownTypeBits {
        /// The raw value.
        bits: u64,
    },
    /// The schema has neither a usable `type` nor `metric_type` and `value_type`.
    UnknownType,
    /// The schema's `metric_type` is neither `gauge` nor `counter` (exporter flavour).
    UnknownMetricKind {
        /// The string.
        name: Box<str>,
    },
    /// The schema entry has no `priority`.
    MissingPriority,
    /// The schema's `priority` is outside `0..=255`.
    PriorityOutOfRange {
        /// The value.
        value: i64,
    },
    /// The schema lists the counter but the dump has no value for it.
    MissingValue,
    /// The dump's value does not have the shape the schema announces.
    ValueShape {
        /// What the schema announces.
        expected: &'static str,
        /// What the dump has.
        found: &'static str,
    },
    /// A family of the same name but another type was mapped first.
    ConflictingType {
        /// The family name.
        family: Box<str>,
        /// The type it has.
        existing: MetricType,
        /// The type this counter wanted.
        new: MetricType,
    },
    /// Another counter of the same daemon already gave this family the same label set (two
    /// paths that differ only in characters the name rules replace).
    DuplicateSeries {
        /// The family name.
        family: Box<str>,
    },
    /// The family would write a name another family writes in OpenMetrics (a counter `x`
    /// writes `x_total` and `x_created`), so the two could not be encoded together.
    NameClash {
        /// The family that was not created.
        family: Box<str>,
        /// The family that has the name.
        other: Box<str>,
    },
    /// ceph-exporter derives no daemon label from this name (an `rgw` socket name with fewer
    /// than four `.`-separated fields); the whole daemon is skipped.
    NoDaemonLabel,
    /// A daemon with the same daemon label was already mapped into these families; the whole
    /// daemon is skipped.
    DuplicateDaemon,
}

impl SkipReason {
    /// Whether the real exporter skips the counter the same way, as a matter of course (types
    /// it does not export). Other reasons point at odd input or a name collision.
    pub const fn is_expected(&self) -> bool {
        matches!(
            self,
            SkipReason::UnsupportedType { .. } | SkipReason::Histogram
        )
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::UnsupportedType { counter_type } => {
                write!(f, "type `{counter_type}` has no family type")
            }
            SkipReason::Histogram => f.write_str("histograms are not exported"),
            SkipReason::UnknownTypeBits { bits } => {
                write!(f, "unknown type bits `{bits:#x}`")
            }
            SkipReason::UnknownType => {
                f.write_str("no usable `type`, `metric_type` or `value_type`")
            }
            SkipReason::UnknownMetricKind { name } => {
                write!(f, "unknown metric_type `{name}`")
            }
            SkipReason::MissingPriority => f.write_str("no `priority`"),
            SkipReason::PriorityOutOfRange { value } => {
                write!(f, "priority `{value}` is out of range")
            }
            SkipReason::MissingValue => f.write_str("no value in the dump"),
            SkipReason::ValueShape { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            SkipReason::ConflictingType {
                family,
                existing,
                new,
            } => write!(f, "family `{family}` is {existing}, not {new}"),
            SkipReason::DuplicateSeries { family } => {
                write!(f, "family `{family}` already has this label set")
            }
            SkipReason::NameClash { family, other } => write!(
                f,
                "family `{family}` would write an OpenMetrics name of family `{other}`"
            ),
            SkipReason::NoDaemonLabel => f.write_str("no daemon label can be derived"),
            SkipReason::DuplicateDaemon => f.write_str("a daemon with this label was mapped"),
        }
    }
}
