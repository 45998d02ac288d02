//! `ceph mon metadata`, `ceph mgr metadata`, `ceph mds metadata`: one object of string keys per
//! daemon.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::Map;
use crate::cow::KeySeed;
use crate::parse::model;

/// One daemon's entry of `mon metadata`, `mgr metadata` or `mds metadata`: its `name` and
/// every other key in document order (`hostname`, `ceph_version`, `addrs`, `distro`, ...).
///
/// Ceph keeps daemon metadata as a map of strings; the keys differ by daemon type and release,
/// so they are kept as a [`Map`] rather than as fields. A number or boolean value is kept in
/// its JSON spelling; a `null`, list or object value (which Ceph does not write: its metadata
/// is a map of strings) is skipped rather than failing the whole list. Strings borrow from the
/// input unless they hold escapes.
///
/// ```
/// use ceph_types::MonMetadata;
///
/// let text = r#"[{"name": "a", "hostname": "node\"1", "ceph_version": "ceph version 18.2.7 (x) reef (stable)"}]"#;
/// let m = MonMetadata::parse(text)?;
/// assert_eq!(m.daemons[0].name, "a");
/// assert_eq!(m.daemons[0].hostname(), Some("node\"1"));
/// assert_eq!(m.get("a").and_then(|d| d.release()), Some(ceph_types::Release::Reef));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DaemonMetadata<'a> {
    /// The daemon's name without its type (`a` for `mon.a`).
    pub name: Cow<'a, str>,
    /// Every other key, in document order.
    pub fields: Map<'a, Cow<'a, str>>,
}

impl<'a> DaemonMetadata<'a> {
    /// An entry with no keys but its name.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        DaemonMetadata {
            name: name.into(),
            fields: Map::new(),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(AsRef::as_ref)
    }

    /// `hostname`.
    pub fn hostname(&self) -> Option<&str> {
        self.get("hostname")
    }

    /// `ceph_version` (`ceph version 18.2.7 (...) reef (stable)`).
    pub fn ceph_version(&self) -> Option<&str> {
        self.get("ceph_version")
    }

    /// The release of `ceph_version`, when it names a known one.
    pub fn release(&self) -> Option<crate::Release> {
        self.ceph_version().and_then(crate::Release::from_version)
    }
}

crate::owned::into_owned!(DaemonMetadata<'a> { name, fields });

impl<'de: 'a, 'a> Deserialize<'de> for DaemonMetadata<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = DaemonMetadata<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a daemon metadata object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut name = None;
                let mut fields = Map::new();
                while let Some(k) = map.next_key_seed(KeySeed)? {
                    let Value(v) = map.next_value()?;
                    let Some(v) = v else { continue };
                    if k == "name" && name.is_none() {
                        name = Some(v);
                    } else {
                        fields.push(k, v);
                    }
                }
                let name = name.ok_or_else(|| de::Error::missing_field("name"))?;
                Ok(DaemonMetadata { name, fields })
            }
        }
        d.deserialize_map(EntryVisitor)
    }
}

/// A metadata value: a scalar as a string, or `None` for anything else (skipped).
struct Value<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Value<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a metadata value")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Borrowed(v))))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Owned(v.to_owned()))))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Owned(v))))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Owned(v.to_string()))))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Owned(v.to_string()))))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Owned(v.to_string()))))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value<'de>, E> {
                Ok(Value(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Value<'de>, E> {
                Ok(Value(None))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Value(None))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Value(None))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

impl Serialize for DaemonMetadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.fields.len() + 1))?;
        m.serialize_entry("name", &self.name)?;
        for (k, v) in self.fields.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Reads a list of entries, or one entry as a one-element list (`ceph mon metadata a`).
fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DaemonMetadata<'de>>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<DaemonMetadata<'de>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of daemon metadata objects or one object")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(e) = seq.next_element()? {
                out.push(e);
            }
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let e = DaemonMetadata::deserialize(de::value::MapAccessDeserializer::new(map))?;
            Ok(vec![e])
        }
    }
    d.deserialize_any(ListVisitor)
}

/// Defines one metadata list model.
macro_rules! metadata_list {
    ($(#[$doc:meta])* $name:ident, $variant:ident) => {
        $(#[$doc])*
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            /// One entry per daemon, in document order.
            pub daemons: Vec<DaemonMetadata<'a>>,
        }

        impl<'a> $name<'a> {
            /// The entry of the daemon named `name` (without its type: `a`, not `mon.a`).
            pub fn get(&self, name: &str) -> Option<&DaemonMetadata<'a>> {
                self.daemons.iter().find(|d| d.name == name)
            }
        }

        impl<'de: 'a, 'a> Deserialize<'de> for $name<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                entries(d).map(|daemons| $name { daemons })
            }
        }

        impl Serialize for $name<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.daemons.serialize(s)
            }
        }

        crate::owned::into_owned!($name<'a> { daemons });

        model!($name<'a>, $variant);
    };
}

metadata_list!(
    /// `ceph mon metadata -f json`: one [`DaemonMetadata`] per monitor.
    MonMetadata,
    MonMetadata
);
metadata_list!(
    /// `ceph mgr metadata -f json`: one [`DaemonMetadata`] per manager (active and standbys).
    MgrMetadata,
    MgrMetadata
);
metadata_list!(
    /// `ceph mds metadata -f json`: one [`DaemonMetadata`] per MDS.
    MdsMetadata,
    MdsMetadata
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IntoOwned;

    #[test]
    fn cases() {
        // Input, names, hostname of the first, whether that hostname borrows.
        let cases: [(&str, &[&str], Option<&str>, bool); 6] = [
            (
                r#"[{"name":"a","hostname":"h1"},{"name":"b"}]"#,
                &["a", "b"],
                Some("h1"),
                true,
            ),
            // Escaped strings are decoded, not rejected or skipped.
            (
                r#"[{"name":"a","hostname":"h\"1\u00e9"}]"#,
                &["a"],
                Some("h\"1é"),
                false,
            ),
            (
                r#"[{"hostname":"h","name":"x\\y"}]"#,
                &["x\\y"],
                Some("h"),
                true,
            ),
            // One object (`ceph mon metadata a`) reads as a one-element list.
            (
                r#"{"name":"a","hostname":"h","n":3,"b":true}"#,
                &["a"],
                Some("h"),
                true,
            ),
            ("[]", &[], None, true),
            // Values Ceph does not write (null, lists, objects) are skipped, not fatal.
            (
                r#"[{"name":"a","x":[1,{}],"y":{"z":1},"n":null,"hostname":"h"}]"#,
                &["a"],
                Some("h"),
                true,
            ),
        ];
        for (text, names, host, borrowed) in cases {
            let m = MonMetadata::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let got: Vec<&str> = m.daemons.iter().map(|d| d.name.as_ref()).collect();
            assert_eq!(got, names, "{text}");
            let first = m.daemons.first();
            assert_eq!(first.and_then(DaemonMetadata::hostname), host, "{text}");
            if let Some(d) = first {
                let b = matches!(d.fields.get("hostname"), Some(Cow::Borrowed(_)));
                assert_eq!(b, borrowed, "{text}");
                // Written back and read again, the model is the same.
                let json = serde_json::to_string(&m).unwrap();
                assert_eq!(MonMetadata::parse(&json).unwrap(), m);
                assert_eq!(m.clone().into_owned(), m);
            }
        }
        let m = MgrMetadata::parse(r#"[{"name":"x","n":3,"b":true}]"#).unwrap();
        assert_eq!(m.get("x").and_then(|d| d.get("n")), Some("3"));
        assert_eq!(m.get("x").and_then(|d| d.get("b")), Some("true"));
    }

    #[test]
    fn errors_name_the_command_and_path() {
        let cases = [
            r#"[{"hostname":"h"}]"#,
            r#"[{"name":null}]"#,
            r#"[{"name":"a","x":[1]"#,
            r#""a""#,
            "[1]",
        ];
        for text in cases {
            let e = MdsMetadata::parse(text).unwrap_err();
            assert_eq!(e.command(), crate::Command::MdsMetadata, "{text}");
        }
    }
}
