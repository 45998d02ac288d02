//! `ceph service dump` and `ceph versions`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::cow::{CowStr, KeySeed};
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Map, num};

/// One daemon registered in the service map (rgw, rbd-mirror, iscsi, ...).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceDaemon<'a> {
    /// Epoch the daemon registered.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_epoch: Option<u64>,
    /// When it registered.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_stamp: Option<Cow<'a, str>>,
    /// Global id.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub gid: Option<u64>,
    /// Address.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub addr: Option<Cow<'a, str>>,
    /// Metadata (`hostname`, `ceph_version`, `zone_name`, ...), values as text.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::map",
        skip_serializing_if = "Map::is_empty"
    )]
    pub metadata: Map<'a, Cow<'a, str>>,
    /// Task status (Octopus and later), values as text.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::map",
        skip_serializing_if = "Map::is_empty"
    )]
    pub task_status: Map<'a, Cow<'a, str>>,
}

into_owned!(ServiceDaemon<'a> { start_epoch, start_stamp, gid, addr, metadata, task_status });

/// One service of the service map: its daemons by name, and the `summary` text Ceph puts in
/// the same object (`"daemons": {"summary": "", "rgw.a": {..}}`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Service<'a> {
    /// The `summary` entry, when printed.
    pub summary: Option<Cow<'a, str>>,
    /// The daemons by name.
    pub daemons: Map<'a, ServiceDaemon<'a>>,
}

into_owned!(Service<'a> { summary, daemons });

/// Visitor for the `daemons` object of a [`Service`].
struct DaemonsVisitor;

impl<'de> Visitor<'de> for DaemonsVisitor {
    type Value = Service<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of daemons")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut svc = Service::default();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if k == "summary" {
                svc.summary = map.next_value::<Option<CowStr<'de>>>()?.map(|s| s.0);
            } else {
                let d = map.next_value()?;
                svc.daemons.push(k, d);
            }
        }
        Ok(svc)
    }
}

/// The `daemons` object, borrowed.
struct Daemons<'a>(Service<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Daemons<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(DaemonsVisitor).map(Daemons)
    }
}

/// Visitor for a [`Service`]: `{"daemons": {..}, ...}`.
struct ServiceVisitor;

impl<'de> Visitor<'de> for ServiceVisitor {
    type Value = Service<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a service object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut svc = Service::default();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if k == "daemons" {
                svc = map.next_value::<Daemons<'de>>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(svc)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Service<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ServiceVisitor)
    }
}

impl Serialize for Service<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The `daemons` object.
        struct D<'s, 'a>(&'s Service<'a>);
        impl Serialize for D<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let n = self.0.daemons.len() + usize::from(self.0.summary.is_some());
                let mut m = s.serialize_map(Some(n))?;
                if let Some(sum) = &self.0.summary {
                    m.serialize_entry("summary", sum)?;
                }
                for (k, v) in self.0.daemons.iter() {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("daemons", &D(self))?;
        m.end()
    }
}

/// `ceph service dump -f json`: the service map (also the `servicemap` of `ceph status`).
///
/// Present from Luminous. Daemons other than mon/mgr/osd/mds register here (rgw, rbd-mirror,
/// cephfs-mirror, iscsi, ...).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceDump<'a> {
    /// Service map epoch.
    #[serde(deserialize_with = "num::int")]
    pub epoch: u64,
    /// Time of this epoch.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified: Option<Cow<'a, str>>,
    /// Services by name (`rgw`, `rbd-mirror`, ...).
    #[serde(borrow, default)]
    pub services: Map<'a, Service<'a>>,
}

into_owned!(ServiceDump<'a> { epoch, modified, services });
model!(ServiceDump<'a>, ServiceDump);

/// `ceph versions -f json`: how many daemons of each type run each version string.
///
/// Keys are daemon types (`mon`, `mgr`, `osd`, `mds`, `rgw`, ..., and `overall`); values map a
/// version string (`ceph version 18.2.7 (...) reef (stable)`) to a count. Present from Luminous.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Versions<'a> {
    /// Counts by daemon type, then by version string.
    #[serde(borrow)]
    pub by_type: Map<'a, Map<'a, u64>>,
}

impl Versions<'_> {
    /// The `overall` counts.
    pub fn overall(&self) -> Option<&Map<'_, u64>> {
        self.by_type.get("overall")
    }

    /// The newest release among the version strings of daemon type `kind` (`mgr`, `osd`, ...,
    /// or `overall`), by version number.
    ///
    /// ```
    /// use ceph_types::{Release, Versions};
    ///
    /// let v = Versions::parse(r#"{"mgr": {"ceph version 17.2.7 (x) quincy (stable)": 1},
    ///     "overall": {"ceph version 17.2.7 (x) quincy (stable)": 1,
    ///                 "ceph version 18.2.7 (x) reef (stable)": 3}}"#)?;
    /// assert_eq!(v.newest_release("mgr"), Some(Release::Quincy));
    /// assert_eq!(v.newest_release("overall"), Some(Release::Reef));
    /// assert_eq!(v.newest_release("rgw"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn newest_release(&self, kind: &str) -> Option<crate::Release> {
        self.by_type
            .get(kind)?
            .keys()
            .filter_map(crate::Release::from_version)
            .max()
    }

    /// The distinct release names (`reef`, ...) found in the `overall` version strings.
    pub fn releases(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .overall()
            .into_iter()
            .flat_map(Map::keys)
            .filter_map(release_of)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The release name of a `ceph version X.Y.Z (hash) <name> (stable)` string.
fn release_of(version: &str) -> Option<&str> {
    let mut words = version.split_whitespace().rev();
    // The last word is the stability in parentheses: `(stable)`, `(dev)`, `(rc)`.
    if !words.next()?.starts_with('(') {
        return None;
    }
    words.next()
}

into_owned!(Versions<'a> { by_type });
model!(Versions<'a>, Versions);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_summary_and_daemons() {
        let text = r#"{"epoch":3,"modified":"x","services":{"rgw":{"daemons":{"summary":"",
            "gw.a":{"start_epoch":2,"gid":5,"addr":"1.2.3.4:0/1","metadata":{"hostname":"h","num":"4"}}}}}}"#;
        let d = ServiceDump::parse(text).unwrap();
        let rgw = d.services.get("rgw").unwrap();
        assert_eq!(rgw.summary.as_deref(), Some(""));
        let gw = rgw.daemons.get("gw.a").unwrap();
        assert_eq!(
            (gw.gid, gw.metadata.get("hostname").map(AsRef::as_ref)),
            (Some(5), Some("h"))
        );
        let back = serde_json::to_string(&d).unwrap();
        assert_eq!(ServiceDump::parse(&back).unwrap(), d);
    }

    #[test]
    fn versions_releases() {
        let v = Versions::parse(r#"{"osd":{"ceph version 17.2.8 (abc) quincy (stable)":2},
            "overall":{"ceph version 17.2.8 (abc) quincy (stable)":2,"ceph version 19.2.1 (d) squid (stable)":1}}"#).unwrap();
        assert_eq!(v.releases(), ["quincy", "squid"]);
        assert_eq!(v.overall().map(|m| m.values().sum::<u64>()), Some(3));
        assert_eq!(release_of("garbage"), None);
    }
}
