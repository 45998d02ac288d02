//! An insertion-ordered JSON object with borrowed keys.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::IntoOwned;
use crate::cow::KeySeed;

/// A JSON object kept as a list of `(key, value)` pairs in document order, keys borrowed from
/// the input.
///
/// Ceph's dumps are objects keyed by names that are data, not schema: perf-counter groups,
/// health check codes, daemon names. A `Vec` keeps the order Ceph printed them in, parses without
/// hashing, and keeps repeated keys instead of silently dropping one (Ceph's formatter does not
/// forbid them). Lookups by key are linear; collect into a `HashMap` for many lookups.
///
/// ```
/// use ceph_types::Map;
///
/// let m: Map<'_, u32> = serde_json::from_str(r#"{"b": 2, "a": 1}"#)?;
/// assert_eq!(m.get("a"), Some(&1));
/// assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Map<'a, V> {
    entries: Vec<(Cow<'a, str>, V)>,
}

impl<V> Default for Map<'_, V> {
    fn default() -> Self {
        Map {
            entries: Vec::new(),
        }
    }
}

impl<'a, V> Map<'a, V> {
    /// An empty map.
    pub fn new() -> Self {
        Map::default()
    }

    /// Number of entries, repeated keys counted each time.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of the first entry with key `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether some entry has key `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Appends an entry (a repeated key is kept as a second entry).
    pub fn push(&mut self, key: impl Into<Cow<'a, str>>, value: V) {
        self.entries.push((key.into(), value));
    }

    /// The entries in document order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The keys in document order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    /// The values in document order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + DoubleEndedIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The entries as a slice of pairs.
    pub fn as_slice(&self) -> &[(Cow<'a, str>, V)] {
        &self.entries
    }

    /// The entries as a vector of pairs.
    pub fn into_vec(self) -> Vec<(Cow<'a, str>, V)> {
        self.entries
    }
}

impl<'a, V> From<Vec<(Cow<'a, str>, V)>> for Map<'a, V> {
    fn from(entries: Vec<(Cow<'a, str>, V)>) -> Self {
        Map { entries }
    }
}

impl<'a, K: Into<Cow<'a, str>>, V> FromIterator<(K, V)> for Map<'a, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Map {
            entries: iter.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }
}

impl<'a, V> IntoIterator for Map<'a, V> {
    type Item = (Cow<'a, str>, V);
    type IntoIter = std::vec::IntoIter<(Cow<'a, str>, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<V: IntoOwned> IntoOwned for Map<'_, V> {
    type Owned = Map<'static, V::Owned>;

    fn into_owned(self) -> Self::Owned {
        Map {
            entries: self
                .entries
                .into_iter()
                .map(|(k, v)| (IntoOwned::into_owned(k), v.into_owned()))
                .collect(),
        }
    }
}

/// Visitor for [`Map`].
struct MapVisitor<'a, V>(PhantomData<(Cow<'a, str>, V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for MapVisitor<'a, V> {
    type Value = Map<'a, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // The size hint is not trusted for allocation: it comes from the input.
        let mut entries = Vec::new();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let v = map.next_value()?;
            entries.push((k, v));
        }
        Ok(Map { entries })
    }
}

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Map<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<V: Serialize> Serialize for Map<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_repeats() {
        let text = r#"{"z":1,"a":2,"z":3,"e\u0301":4}"#;
        let m: Map<'_, u8> = serde_json::from_str(text).unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m.get("z"), Some(&1));
        assert!(m.contains_key("e\u{301}"));
        assert!(!m.contains_key("q"));
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert!(matches!(m.as_slice()[0].0, Cow::Borrowed("z")));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            "{\"z\":1,\"a\":2,\"z\":3,\"e\u{301}\":4}"
        );
        let owned: Map<'static, u8> = m.clone().into_owned();
        assert_eq!(owned, m);
    }

    #[test]
    fn build_and_reject() {
        let mut m: Map<'_, bool> = [("a", true)].into_iter().collect();
        m.push(String::from("b"), false);
        assert_eq!(m.iter().collect::<Vec<_>>(), [("a", &true), ("b", &false)]);
        assert_eq!(m.clone().into_vec().len(), 2);
        assert_eq!(m.into_iter().count(), 2);
        assert!(Map::<'_, bool>::new().is_empty());
        for bad in ["[]", "1", r#"{"a":1}"#, r#"{"a":true"#] {
            assert!(serde_json::from_str::<Map<'_, bool>>(bad).is_err(), "{bad}");
        }
    }
}
