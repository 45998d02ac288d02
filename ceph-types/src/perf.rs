//! Admin-socket perf counters: `perf dump`, `perf schema`, `counter dump`, `counter schema`.
//!
//! These are the raw shapes only; what the `type` bits mean and how counters become Prometheus
//! families is the `perfcounter` crate's business.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use crate::number::NumberVisitor;
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Map, Number, num};

/// One counter value in a `perf dump` or `counter dump`.
///
/// Ceph prints a U64 counter or gauge as an unsigned integer, a TIME value as seconds with nine
/// decimals (`16.347327895`), and a long-running average as
/// `{"avgcount": N, "sum": S}` (U64) or `{"avgcount": N, "sum": S, "avgtime": T}` (TIME).
/// Shapes a future release might add (an object without `avgcount`/`sum`, a list, a boolean,
/// `null`) are read as [`PerfValue::Other`] rather than failing the whole dump.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PerfValue {
    /// A non-negative integer (U64 counters and gauges).
    Uint(u64),
    /// A negative integer (not written by current releases; kept, not rejected).
    Int(i64),
    /// A real number (TIME values, in seconds), or a non-finite token.
    Real(f64),
    /// A long-running average (`avgcount`, `sum`, and for TIME values `avgtime`).
    Avg(PerfAvg),
    /// A value of a shape this crate does not model; its content is skipped.
    Other,
}

impl PerfValue {
    /// The plain value as `f64`, `None` for averages and other shapes.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            PerfValue::Uint(u) => Some(u as f64),
            PerfValue::Int(i) => Some(i as f64),
            PerfValue::Real(f) => Some(f),
            PerfValue::Avg(_) | PerfValue::Other => None,
        }
    }

    /// The long-running average, if this is one.
    pub fn as_avg(&self) -> Option<&PerfAvg> {
        match self {
            PerfValue::Avg(a) => Some(a),
            _ => None,
        }
    }
}

impl From<Number> for PerfValue {
    fn from(n: Number) -> Self {
        match n {
            Number::Uint(u) => PerfValue::Uint(u),
            Number::Int(i) => PerfValue::Int(i),
            Number::Float(f) => PerfValue::Real(f),
        }
    }
}

/// A long-running average counter: how many samples, their sum, and (TIME counters) the mean.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PerfAvg {
    /// Number of samples.
    pub avgcount: u64,
    /// Sum of the samples: an integer for U64 averages, seconds for TIME averages.
    pub sum: Number,
    /// `sum / avgcount` in seconds as Ceph printed it (TIME averages only; `0` when no sample).
    pub avgtime: Option<f64>,
}

impl PerfAvg {
    /// A long-running average from its parts.
    pub fn new(avgcount: u64, sum: Number, avgtime: Option<f64>) -> Self {
        PerfAvg {
            avgcount,
            sum,
            avgtime,
        }
    }
}

/// Visitor for [`PerfValue`].
struct PerfValueVisitor;

impl<'de> Visitor<'de> for PerfValueVisitor {
    type Value = PerfValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a perf counter value")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PerfValue, E> {
        Ok(PerfValue::Uint(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PerfValue, E> {
        NumberVisitor.visit_i64(v).map(PerfValue::from)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<PerfValue, E> {
        Ok(PerfValue::Real(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<PerfValue, E> {
        // A quoted number or non-finite token; any other string is a shape we do not model.
        Ok(NumberVisitor
            .visit_str::<E>(v)
            .map_or(PerfValue::Other, PerfValue::from))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<PerfValue, E> {
        Ok(PerfValue::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<PerfValue, E> {
        Ok(PerfValue::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PerfValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(PerfValue::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PerfValue, A::Error> {
        let (mut count, mut sum, mut avgtime) = (None, None, None);
        while let Some(key) = map.next_key::<AvgKey>()? {
            match key {
                AvgKey::Count => count = Some(map.next_value::<AvgCount>()?.0),
                AvgKey::Sum => sum = Some(map.next_value::<Number>()?),
                AvgKey::Time => avgtime = Some(map.next_value::<AvgTime>()?.0),
                AvgKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match (count, sum) {
            (Some(avgcount), Some(sum)) => PerfValue::Avg(PerfAvg {
                avgcount,
                sum,
                avgtime,
            }),
            _ => PerfValue::Other,
        })
    }
}

/// The keys of an average object.
enum AvgKey {
    Count,
    Sum,
    Time,
    Other,
}

impl<'de> Deserialize<'de> for AvgKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let k = crate::cow::CowStr::deserialize(d)?;
        Ok(match k.0.as_ref() {
            "avgcount" => AvgKey::Count,
            "sum" => AvgKey::Sum,
            "avgtime" => AvgKey::Time,
            _ => AvgKey::Other,
        })
    }
}

/// `avgcount`, read leniently.
struct AvgCount(u64);

impl<'de> Deserialize<'de> for AvgCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        num::int(d).map(AvgCount)
    }
}

/// `avgtime`, read leniently.
struct AvgTime(f64);

impl<'de> Deserialize<'de> for AvgTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        num::float(d).map(AvgTime)
    }
}

impl<'de> Deserialize<'de> for PerfValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PerfValueVisitor)
    }
}

impl Serialize for PerfValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PerfValue::Uint(u) => s.serialize_u64(*u),
            PerfValue::Int(i) => s.serialize_i64(*i),
            PerfValue::Real(f) => num::float_ser(f, s),
            PerfValue::Avg(a) => {
                let mut m = s.serialize_map(Some(2 + usize::from(a.avgtime.is_some())))?;
                m.serialize_entry("avgcount", &a.avgcount)?;
                m.serialize_entry("sum", &a.sum)?;
                if let Some(t) = a.avgtime {
                    m.serialize_entry("avgtime", &Number::Float(t))?;
                }
                m.end()
            }
            PerfValue::Other => s.serialize_unit(),
        }
    }
}

into_owned!(PerfValue, PerfAvg);

/// `ceph daemon <name> perf dump`: every unlabeled perf-counter group of one daemon.
///
/// Shape: `{ "<group>": { "<counter>": <value>, ... }, ... }`, e.g.
/// `{"osd": {"op_r": 1234, "op_r_latency": {"avgcount": 3, "sum": 0.1, "avgtime": 0.03}}}`.
/// Values are described in [`PerfValue`]. The same shape comes from every release since
/// Jewel; Reef and later hide labeled counter instances from it (they are in
/// [`CounterDump`]). The mgr's `ceph tell mgr perf dump` has the same shape too.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PerfDump<'a> {
    /// The groups (`osd`, `bluestore`, `AsyncMessenger::Worker-0`, ...) in dump order.
    #[serde(borrow)]
    pub groups: Map<'a, Map<'a, PerfValue>>,
}

impl PerfDump<'_> {
    /// The value of `counter` in `group`.
    pub fn get(&self, group: &str, counter: &str) -> Option<&PerfValue> {
        self.groups.get(group)?.get(counter)
    }
}

into_owned!(PerfDump<'a> { groups });
model!(PerfDump<'a>, PerfDump);

/// The schema of one counter in a `perf schema` or `counter schema`.
///
/// Field presence by release: `type`, `description` and `nick` come from Jewel on (older ones
/// only `type`); `metric_type`, `value_type`, `priority` and `units` from Luminous/Mimic on.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
pub struct PerfCounterSchema<'a> {
    /// The raw `perfcounter_type_d` bit field (TIME 1, U64 2, LONGRUNAVG 4, COUNTER 8,
    /// HISTOGRAM 0x10); decoded by the `perfcounter` crate.
    #[serde(rename = "type", deserialize_with = "num::int")]
    pub type_bits: u32,
    /// `counter` or `gauge`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub metric_type: Option<Cow<'a, str>>,
    /// `integer`, `real`, `integer-integer-pair`, `real-integer-pair`, `integer-2d-histogram`
    /// or `real-2d-histogram`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_type: Option<Cow<'a, str>>,
    /// Human-readable description.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Cow<'a, str>>,
    /// Short name for `ceph daemonperf` (at most 4 characters, often empty).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub nick: Option<Cow<'a, str>>,
    /// Priority (0 debug-only to 10 critical); the mgr and ceph-exporter keep `>= 5`.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<i32>,
    /// `none` or `bytes`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub units: Option<Cow<'a, str>>,
}

into_owned!(PerfCounterSchema<'a> { type_bits, metric_type, value_type, description, nick, priority, units });

/// `ceph daemon <name> perf schema`: the schema of every unlabeled counter of one daemon.
///
/// Shape: `{ "<group>": { "<counter>": {"type": 10, "metric_type": "counter", ...} } }`; see
/// [`PerfCounterSchema`] for the fields and their history.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PerfSchema<'a> {
    /// The groups in dump order.
    #[serde(borrow)]
    pub groups: Map<'a, Map<'a, PerfCounterSchema<'a>>>,
}

impl PerfSchema<'_> {
    /// The schema of `counter` in `group`.
    pub fn get(&self, group: &str, counter: &str) -> Option<&PerfCounterSchema<'_>> {
        self.groups.get(group)?.get(counter)
    }
}

into_owned!(PerfSchema<'a> { groups });
model!(PerfSchema<'a>, PerfSchema);

/// One labeled instance in a `counter dump` / `counter schema` group: its labels and counters.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub struct Labeled<'a, T> {
    /// Label names and values (`{"id": "0"}`); empty for unlabeled collections. Ceph drops
    /// labels with an empty name but keeps empty values.
    #[serde(borrow, default, deserialize_with = "crate::cow::map")]
    pub labels: Map<'a, Cow<'a, str>>,
    /// The counters of this instance.
    #[serde(borrow)]
    pub counters: Map<'a, T>,
}

impl<T: crate::IntoOwned> crate::IntoOwned for Labeled<'_, T> {
    type Owned = Labeled<'static, T::Owned>;

    fn into_owned(self) -> Self::Owned {
        Labeled {
            labels: self.labels.into_owned(),
            counters: self.counters.into_owned(),
        }
    }
}

/// `ceph daemon <name> counter dump` (Reef 18.x and later): every perf-counter group, labeled
/// or not, of one daemon.
///
/// Shape: `{ "<group>": [ {"labels": {...}, "counters": {"<counter>": <value>}} ], ... }`.
/// Unlabeled groups appear with `"labels": {}`; histograms are not included. Releases before
/// Reef do not have the command.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CounterDump<'a> {
    /// The groups in dump order, each a list of labeled instances.
    #[serde(borrow)]
    pub groups: Map<'a, Vec<Labeled<'a, PerfValue>>>,
}

into_owned!(CounterDump<'a> { groups });
model!(CounterDump<'a>, CounterDump);

/// `ceph daemon <name> counter schema` (Reef 18.x and later): the schema of every labeled
/// instance, in the same layout as [`CounterDump`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CounterSchema<'a> {
    /// The groups in dump order, each a list of labeled instances.
    #[serde(borrow)]
    pub groups: Map<'a, Vec<Labeled<'a, PerfCounterSchema<'a>>>>,
}

into_owned!(CounterSchema<'a> { groups });
model!(CounterSchema<'a>, CounterSchema);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perf_values_table() {
        let text = r#"{"g": {
            "u": 5, "i": -3, "r": 0.000000570, "q": "7", "n": "-nan",
            "a": {"avgcount": 2, "sum": 0.5, "avgtime": 0.25},
            "b": {"avgcount": 2, "sum": 40},
            "h": {"buckets": [1, 2]}, "l": [1], "t": true, "z": null, "s": "word",
            "x": {"avgcount": 1, "sum": 2, "extra": {"deep": [1]}}
        }}"#;
        let d = PerfDump::parse(text).unwrap();
        let want: &[(&str, PerfValue)] = &[
            ("u", PerfValue::Uint(5)),
            ("i", PerfValue::Int(-3)),
            ("r", PerfValue::Real(0.000000570)),
            ("q", PerfValue::Uint(7)),
            (
                "a",
                PerfValue::Avg(PerfAvg::new(2, Number::Float(0.5), Some(0.25))),
            ),
            ("b", PerfValue::Avg(PerfAvg::new(2, Number::Uint(40), None))),
            ("h", PerfValue::Other),
            ("l", PerfValue::Other),
            ("t", PerfValue::Other),
            ("z", PerfValue::Other),
            ("s", PerfValue::Other),
            ("x", PerfValue::Avg(PerfAvg::new(1, Number::Uint(2), None))),
        ];
        for (name, v) in want {
            assert_eq!(d.get("g", name), Some(v), "{name}");
        }
        assert!(
            d.get("g", "n")
                .and_then(PerfValue::as_f64)
                .unwrap()
                .is_nan()
        );
        assert_eq!(d.get("g", "u").and_then(PerfValue::as_f64), Some(5.0));
        assert_eq!(
            d.get("g", "a")
                .and_then(PerfValue::as_avg)
                .map(|a| a.avgcount),
            Some(2)
        );
        assert_eq!(d.get("nope", "u"), None);
    }

    #[test]
    fn bare_nan_in_perf_dump() {
        // A bare `-nan` is not JSON; the fallback quotes it and the dump owns its strings.
        let text = "{\"g\": {\"a\": -nan, \"b\": 1}}";
        let d = PerfDump::parse(text).unwrap();
        assert!(
            d.get("g", "a")
                .and_then(PerfValue::as_f64)
                .unwrap()
                .is_nan()
        );
        assert_eq!(d.get("g", "b"), Some(&PerfValue::Uint(1)));
        // After the quoting, a real error is still reported at the caller's position.
        let err = PerfDump::parse("{\"g\": {\"a\": -nan, \"b\": x}}").unwrap_err();
        assert_eq!(err.position(), Some((1, 24)));
    }

    #[test]
    fn schema_fields() {
        let text = r#"{"osd": {
            "op": {"type": 10, "metric_type": "counter", "value_type": "integer",
                   "description": "Client operations", "nick": "ops", "priority": 10,
                   "units": "none", "future": 1},
            "old": {"type": 2}
        }}"#;
        let s = PerfSchema::parse(text).unwrap();
        let op = s.get("osd", "op").unwrap();
        assert_eq!(op.type_bits, 10);
        assert_eq!(op.metric_type.as_deref(), Some("counter"));
        assert_eq!(op.priority, Some(10));
        assert_eq!(op.nick.as_deref(), Some("ops"));
        let old = s.get("osd", "old").unwrap();
        assert_eq!(
            (old.type_bits, old.priority, old.description.as_ref()),
            (2, None, None)
        );
        let err = PerfSchema::parse(r#"{"osd": {"op": {"type": "x"}}}"#).unwrap_err();
        assert_eq!(err.path(), Some("osd.op.type"));
        assert_eq!(err.command(), crate::Command::PerfSchema);
    }

    #[test]
    fn labeled_counters() {
        let text = r#"{"AsyncMessenger::Worker": [
            {"labels": {"id": "0"}, "counters": {"msgr_connection_ready_timeouts": 0}},
            {"labels": {"id": "1", "empty": ""}, "counters": {"lat": {"avgcount": 0, "sum": 0.000000000, "avgtime": 0.000000000}}}
        ], "osd": [{"labels": {}, "counters": {"op": 3}}]}"#;
        let d = CounterDump::parse(text).unwrap();
        let w = d.groups.get("AsyncMessenger::Worker").unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].labels.get("empty"), Some(&Cow::Borrowed("")));
        assert_eq!(
            d.groups.get("osd").unwrap()[0].counters.get("op"),
            Some(&PerfValue::Uint(3))
        );
        let back = serde_json::to_string(&d).unwrap();
        assert_eq!(CounterDump::parse(&back).unwrap(), d);
        let err = CounterDump::parse(r#"{"osd": {"labels": {}}}"#).unwrap_err();
        assert_eq!(err.path(), Some("osd"));
    }
}
