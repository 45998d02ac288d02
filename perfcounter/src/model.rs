//! Borrowed models of `perf schema`/`perf dump` and `counter schema`/`counter dump`.
//!
//! Both pairs share one model: a document is a list of loggers (in document order), each with a
//! list of instances, each with its labels and counters. `perf schema`/`perf dump` loggers are
//! JSON objects and become one instance without labels; `counter schema`/`counter dump` loggers
//! are arrays of `{"labels": {..}, "counters": {..}}` and keep one instance per element.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use expfmt::Value;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::Document;
use crate::{Error, PerfCounterType, Priority};

/// A parsed `perf schema` or `counter schema` document.
///
/// ```
/// use perfcounter::PerfSchema;
///
/// let schema = PerfSchema::from_json(br#"{"osd": {"op_r": {"type": 10, "metric_type": "counter",
///     "value_type": "integer", "description": "Client read operations", "nick": "rd",
///     "priority": 8, "units": "none"}}}"#)?;
/// let logger = &schema.loggers[0];
/// assert_eq!(logger.name, "osd");
/// let (name, counter) = &logger.instances[0].counters[0];
/// assert_eq!(name, "op_r");
/// assert_eq!(counter.counter_type()?.bits(), 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PerfSchema<'a> {
    /// The loggers, in document order.
    pub loggers: Vec<Logger<'a, CounterSchema<'a>>>,
}

/// A parsed `perf dump` or `counter dump` document.
///
/// ```
/// use expfmt::Value;
/// use perfcounter::{CounterValue, PerfDump};
///
/// let dump = PerfDump::from_json(br#"{"osd": {"op_r": 42, "op_r_latency":
///     {"avgcount": 2, "sum": 0.003000000, "avgtime": 0.001500000}}}"#)?;
/// let counters = &dump.loggers[0].instances[0].counters;
/// assert_eq!(counters[0].1, CounterValue::Scalar(Value::U64(42)));
/// assert_eq!(
///     counters[1].1,
///     CounterValue::Average { count: Value::U64(2), sum: Value::F64(0.003) }
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PerfDump<'a> {
    /// The loggers, in document order.
    pub loggers: Vec<Logger<'a, CounterValue>>,
}

/// One logger (a `PerfCounters` collection such as `osd`, `bluestore` or
/// `AsyncMessenger::Worker`) with its instances.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Logger<'a, T> {
    /// The logger name.
    pub name: Cow<'a, str>,
    /// Whether the document listed instances (`counter dump`/`counter schema` shape).
    pub labeled: bool,
    /// The instances: exactly one, without labels, for `perf dump`/`perf schema`.
    pub instances: Vec<Instance<'a, T>>,
}

/// One instance of a logger: its labels and counters.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Instance<'a, T> {
    /// The label names and values, in document order (empty for unlabeled instances).
    pub labels: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The counters by name, in document order.
    pub counters: Vec<(Cow<'a, str>, T)>,
}

/// One counter of a schema.
///
/// Every field is optional so that one odd entry does not reject the whole document; the
/// mapping skips an entry it cannot use and says why.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct CounterSchema<'a> {
    /// The raw type bits (`type`).
    #[serde(rename = "type", default)]
    pub type_bits: Option<u64>,
    /// `gauge` or `counter`.
    #[serde(borrow, default)]
    pub metric_type: Option<Cow<'a, str>>,
    /// `real`, `integer`, `real-integer-pair`, ...
    #[serde(borrow, default)]
    pub value_type: Option<Cow<'a, str>>,
    /// The description (the family's HELP).
    #[serde(borrow, default)]
    pub description: Cow<'a, str>,
    /// A short name (up to 4 characters; usually empty).
    #[serde(borrow, default)]
    pub nick: Cow<'a, str>,
    /// The adjusted priority.
    #[serde(default)]
    pub priority: Option<i64>,
    /// `bytes` or `none`.
    #[serde(borrow, default)]
    pub units: Option<Cow<'a, str>>,
}

impl CounterSchema<'_> {
    /// The type: from `type` when present, else from `metric_type` and `value_type`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTypeBits`] for a `type` with unknown bits;
    /// [`Error::UnknownMetricKind`] or [`Error::UnknownValueType`] for unknown strings, and
    /// [`Error::UnknownValueType`] (with an empty name) when all three fields are missing.
    pub fn counter_type(&self) -> Result<PerfCounterType, Error> {
        if let Some(bits) = self.type_bits {
            return PerfCounterType::try_from(bits);
        }
        match (&self.metric_type, &self.value_type) {
            (Some(m), Some(v)) => PerfCounterType::from_schema_strings(m, v),
            (_, None) => Err(Error::UnknownValueType { name: "".into() }),
            (None, Some(_)) => Err(Error::UnknownMetricKind { name: "".into() }),
        }
    }

    /// The priority, `None` when the field is missing.
    ///
    /// # Errors
    ///
    /// [`Error::PriorityOutOfRange`] outside `0..=255`.
    pub fn priority(&self) -> Result<Option<Priority>, Error> {
        self.priority.map(Priority::try_from).transpose()
    }
}

/// One counter's value in a dump.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CounterValue {
    /// A plain value: an integer, or a float (times are `secs.nnnnnnnnn` seconds).
    Scalar(Value),
    /// A long-running average: `avgcount` and `sum` (`avgtime` is not kept).
    Average {
        /// `avgcount`.
        count: Value,
        /// `sum` (seconds for times).
        sum: Value,
    },
    /// Anything else (a string, `null`, an array, an object without `avgcount` and `sum`).
    Unsupported(ValueShape),
}

/// The JSON shape of a value the mapping cannot use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueShape {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object without both `avgcount` and `sum` numbers.
    Object,
}

impl ValueShape {
    /// A short English name (`null`, `a boolean`, `a string`, `an array`, `an object`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ValueShape::Null => "null",
            ValueShape::Bool => "a boolean",
            ValueShape::String => "a string",
            ValueShape::Array => "an array",
            ValueShape::Object => "an object without avgcount and sum",
        }
    }
}

impl fmt::Display for ValueShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> PerfSchema<'a> {
    /// Parses a `perf schema` or `counter schema` document, borrowing strings from `json`.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when `json` is not JSON or not an object of loggers.
    pub fn from_json(json: &'a [u8]) -> Result<Self, Error> {
        let loggers = parse_document(json, Document::Schema)?;
        Ok(PerfSchema { loggers })
    }

    /// The number of counters over every logger and instance.
    pub fn counter_count(&self) -> usize {
        count(&self.loggers)
    }
}

impl<'a> PerfDump<'a> {
    /// Parses a `perf dump` or `counter dump` document, borrowing strings from `json`.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when `json` is not JSON or not an object of loggers. A counter value of
    /// an unexpected shape is kept as [`CounterValue::Unsupported`], not an error.
    pub fn from_json(json: &'a [u8]) -> Result<Self, Error> {
        let loggers = parse_document(json, Document::Dump)?;
        Ok(PerfDump { loggers })
    }

    /// The number of counters over every logger and instance.
    pub fn counter_count(&self) -> usize {
        count(&self.loggers)
    }
}

fn count<T>(loggers: &[Logger<'_, T>]) -> usize {
    loggers
        .iter()
        .flat_map(|l| &l.instances)
        .map(|i| i.counters.len())
        .sum()
}

fn parse_document<'a, T: Deserialize<'a>>(
    json: &'a [u8],
    document: Document,
) -> Result<Vec<Logger<'a, T>>, Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let loggers = de
        .deserialize_map(DocVisitor(PhantomData))
        .and_then(|l| de.end().map(|()| l))
        .map_err(|e| Error::json(document, e))?;
    Ok(loggers)
}

/// A string that borrows from the input when it has no escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for CowStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = CowStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<CowStr<'a>, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CowStr<'a>, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<CowStr<'a>, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// The top level: an object of loggers.
struct DocVisitor<'a, T>(PhantomData<(&'a (), T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for DocVisitor<'a, T> {
    type Value = Vec<Logger<'a, T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of perf-counter loggers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut loggers = Vec::new();
        while let Some(CowStr(name)) = map.next_key()? {
            let (labeled, instances) = map.next_value_seed(LoggerSeed(PhantomData))?;
            loggers.push(Logger {
                name,
                labeled,
                instances,
            });
        }
        Ok(loggers)
    }
}

/// A logger body: an object of counters, or an array of labeled instances.
struct LoggerSeed<'a, T>(PhantomData<(&'a (), T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> DeserializeSeed<'de> for LoggerSeed<'a, T> {
    type Value = (bool, Vec<Instance<'a, T>>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for LoggerSeed<'a, T> {
    type Value = (bool, Vec<Instance<'a, T>>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of counters or an array of labeled instances")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let counters = CountersVisitor(PhantomData).visit_map(map)?;
        Ok((
            false,
            vec![Instance {
                labels: Vec::new(),
                counters,
            }],
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut instances = Vec::new();
        while let Some(inst) = seq.next_element_seed(InstanceSeed(PhantomData))? {
            instances.push(inst);
        }
        Ok((true, instances))
    }
}

/// `{"labels": {..}, "counters": {..}}`.
struct InstanceSeed<'a, T>(PhantomData<(&'a (), T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> DeserializeSeed<'de> for InstanceSeed<'a, T> {
    type Value = Instance<'a, T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for InstanceSeed<'a, T> {
    type Value = Instance<'a, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `labels` and `counters`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut labels = None;
        let mut counters = None;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "labels" => labels = Some(map.next_value_seed(LabelsSeed)?),
                "counters" => {
                    counters = Some(map.next_value_seed(CountersSeed(PhantomData))?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Instance {
            labels: labels.unwrap_or_default(),
            counters: counters.ok_or_else(|| de::Error::missing_field("counters"))?,
        })
    }
}

/// An object of string labels.
struct LabelsSeed;

impl<'de> DeserializeSeed<'de> for LabelsSeed {
    type Value = Vec<(Cow<'de, str>, Cow<'de, str>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LabelsSeed {
    type Value = Vec<(Cow<'de, str>, Cow<'de, str>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string labels")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut labels = Vec::new();
        while let Some((CowStr(k), CowStr(v))) = map.next_entry()? {
            labels.push((k, v));
        }
        Ok(labels)
    }
}

/// An object of counters.
struct CountersSeed<'a, T>(PhantomData<(&'a (), T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> DeserializeSeed<'de> for CountersSeed<'a, T> {
    type Value = Vec<(Cow<'a, str>, T)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(CountersVisitor(PhantomData))
    }
}

struct CountersVisitor<'a, T>(PhantomData<(&'a (), T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for CountersVisitor<'a, T> {
    type Value = Vec<(Cow<'a, str>, T)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of counters")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut counters = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
        while let Some((CowStr(name), value)) = map.next_entry::<CowStr<'a>, T>()? {
            counters.push((name, value));
        }
        Ok(counters)
    }
}

impl<'de> Deserialize<'de> for CounterValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CounterValueVisitor)
    }
}

struct CounterValueVisitor;

impl<'de> Visitor<'de> for CounterValueVisitor {
    type Value = CounterValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or an object with avgcount and sum")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CounterValue, E> {
        Ok(CounterValue::Scalar(Value::U64(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CounterValue, E> {
        Ok(CounterValue::Scalar(number_i64(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CounterValue, E> {
        Ok(CounterValue::Scalar(Value::F64(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<CounterValue, E> {
        Ok(CounterValue::Unsupported(ValueShape::Null))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<CounterValue, E> {
        Ok(CounterValue::Unsupported(ValueShape::Bool))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<CounterValue, E> {
        Ok(CounterValue::Unsupported(ValueShape::String))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CounterValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(CounterValue::Unsupported(ValueShape::Array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CounterValue, A::Error> {
        let mut count = None;
        let mut sum = None;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "avgcount" => count = map.next_value::<Number>()?.0,
                "sum" => sum = map.next_value::<Number>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match (count, sum) {
            (Some(count), Some(sum)) => CounterValue::Average { count, sum },
            _ => CounterValue::Unsupported(ValueShape::Object),
        })
    }
}

/// A JSON number, or `None` for any other value (skipped).
struct Number(Option<Value>);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(Some(Value::U64(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(Some(number_i64(v))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(Some(Value::F64(v))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Number, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Number(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Number, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Number(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// serde_json gives non-negative integers as `u64`; keep that form for them.
fn number_i64(v: i64) -> Value {
    u64::try_from(v).map_or(Value::I64(v), Value::U64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perf_and_counter_shapes() {
        let perf = br#"{"osd": {"a": 1, "b": -2, "c": 0.5, "d": {"avgcount": 3, "sum": 4},
            "e": "x", "f": null, "g": [1], "h": {"axes": []}, "i": true,
            "j": {"avgcount": 1, "sum": "1"}}, "empty": {}}"#;
        let dump = PerfDump::from_json(perf).unwrap();
        assert_eq!(dump.loggers.len(), 2);
        assert!(!dump.loggers[0].labeled);
        let c = &dump.loggers[0].instances[0].counters;
        let want = [
            ("a", CounterValue::Scalar(Value::U64(1))),
            ("b", CounterValue::Scalar(Value::I64(-2))),
            ("c", CounterValue::Scalar(Value::F64(0.5))),
            (
                "d",
                CounterValue::Average {
                    count: Value::U64(3),
                    sum: Value::U64(4),
                },
            ),
            ("e", CounterValue::Unsupported(ValueShape::String)),
            ("f", CounterValue::Unsupported(ValueShape::Null)),
            ("g", CounterValue::Unsupported(ValueShape::Array)),
            ("h", CounterValue::Unsupported(ValueShape::Object)),
            ("i", CounterValue::Unsupported(ValueShape::Bool)),
            ("j", CounterValue::Unsupported(ValueShape::Object)),
        ];
        assert_eq!(c.len(), want.len());
        for ((name, value), (wname, wvalue)) in c.iter().zip(want) {
            assert_eq!(name, wname);
            assert_eq!(*value, wvalue, "{wname}");
        }
        assert_eq!(dump.counter_count(), 10);

        let labeled = br#"{"AsyncMessenger::Worker": [
            {"labels": {"id": "0"}, "counters": {"t": 0}},
            {"labels": {"id": "1\u0031"}, "counters": {"t": 5}, "extra": [1, {}]}],
            "osd": [{"labels": {}, "counters": {"op_r": 7}}]}"#;
        let dump = PerfDump::from_json(labeled).unwrap();
        assert!(dump.loggers[0].labeled);
        assert_eq!(dump.loggers[0].instances.len(), 2);
        assert_eq!(dump.loggers[0].instances[1].labels[0].1, "11");
        assert!(matches!(
            dump.loggers[0].instances[1].labels[0].1,
            Cow::Owned(_)
        ));
        assert!(matches!(dump.loggers[0].name, Cow::Borrowed(_)));
        assert!(dump.loggers[1].instances[0].labels.is_empty());
    }

    #[test]
    fn document_errors_have_positions() {
        let cases: [(&[u8], usize, usize); 6] = [
            (b"", 1, 0),
            (b"[]", 1, 0),
            (b"{\"osd\": 3}", 1, 9),
            (b"{\"osd\": [{\"labels\": {}}]}", 1, 23),
            (b"{\"osd\": {\"a\": 1}} x", 1, 19),
            (b"{\n\"osd\": {\"a\": 1,}}", 2, 16),
        ];
        for (json, line, column) in cases {
            match PerfDump::from_json(json) {
                Err(Error::Json {
                    document: Document::Dump,
                    line: l,
                    column: c,
                    ..
                }) => assert_eq!(
                    (l, c),
                    (line, column),
                    "{:?}",
                    String::from_utf8_lossy(json)
                ),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            PerfSchema::from_json(b"{\"osd\": {\"a\": {\"type\": -1}}}"),
            Err(Error::Json {
                document: Document::Schema,
                ..
            })
        ));
    }

    #[test]
    fn schema_entry_types() {
        let json = br#"{"x": {
            "typed": {"type": 5, "metric_type": "counter"},
            "strings": {"metric_type": "counter", "value_type": "integer"},
            "bad_bits": {"type": 64},
            "none": {"description": "d"},
            "half": {"value_type": "real"},
            "prio": {"type": 2, "priority": 300}}}"#;
        let schema = PerfSchema::from_json(json).unwrap();
        let c = &schema.loggers[0].instances[0].counters;
        assert_eq!(c[0].1.counter_type().unwrap().bits(), 5);
        assert_eq!(c[1].1.counter_type().unwrap().bits(), 10);
        assert!(matches!(
            c[2].1.counter_type(),
            Err(Error::UnknownTypeBits { bits: 64 })
        ));
        assert!(matches!(
            c[3].1.counter_type(),
            Err(Error::UnknownValueType { .. })
        ));
        assert!(matches!(
            c[4].1.counter_type(),
            Err(Error::UnknownMetricKind { .. })
        ));
        assert_eq!(c[0].1.priority().unwrap(), None);
        assert!(c[5].1.priority().is_err());
        assert_eq!(schema.counter_count(), 6);
    }
}
