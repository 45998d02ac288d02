//! `ceph mgr dump`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::addr::AddrVec;
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Map, num};

/// An available mgr module: Nautilus and later print an object with `can_run`; Luminous and
/// Mimic print only the name, which reads with `can_run: None`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MgrModule<'a> {
    /// Module name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Whether the module can run (ceph-mgr's `ceph_mgr_module_can_run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_run: Option<bool>,
    /// Why it cannot run.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_string: Option<Cow<'a, str>>,
}

into_owned!(MgrModule<'a> { name, can_run, error_string });

/// Reads a module list whose elements are names or objects.
fn modules<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<MgrModule<'a>>, D::Error> {
    /// One element.
    struct Elem<'a>(MgrModule<'a>);

    struct V;

    impl<'de> Visitor<'de> for V {
        type Value = Elem<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a module name or object")
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Elem<'de>, E> {
            Ok(Elem(MgrModule {
                name: Cow::Borrowed(v),
                ..MgrModule::default()
            }))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Elem<'de>, E> {
            Ok(Elem(MgrModule {
                name: Cow::Owned(v.to_owned()),
                ..MgrModule::default()
            }))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Elem<'de>, A::Error> {
            MgrModule::deserialize(de::value::MapAccessDeserializer::new(map)).map(Elem)
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Elem<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(V)
        }
    }

    let v: Vec<Elem<'a>> = Vec::deserialize(d)?;
    Ok(v.into_iter().map(|e| e.0).collect())
}

/// A standby mgr (`standbys[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MgrStandby<'a> {
    /// Global id.
    #[serde(deserialize_with = "num::int")]
    pub gid: u64,
    /// Name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Modules this standby could run.
    #[serde(
        borrow,
        default,
        deserialize_with = "modules",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub available_modules: Vec<MgrModule<'a>>,
}

into_owned!(MgrStandby<'a> { gid, name, available_modules });

/// `ceph mgr dump -f json` (ceph-mgr's `get('mgr_map')`); also the `mgrmap` of `ceph status`,
/// which Nautilus printed in full and Octopus and later summarise (`available`,
/// `num_standbys`, `modules`, `services`).
///
/// `available_modules` holds names in Luminous/Mimic and objects with `can_run` from Nautilus;
/// `always_on_modules` (per release) appears in Nautilus; `active_addrs` in Nautilus.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MgrDump<'a> {
    /// Mgr map epoch.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub epoch: Option<u64>,
    /// Global id of the active mgr.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_gid: Option<u64>,
    /// Name of the active mgr.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_name: Option<Cow<'a, str>>,
    /// Addresses of the active mgr (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub active_addrs: Option<AddrVec<'a>>,
    /// Address of the active mgr.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_addr: Option<Cow<'a, str>>,
    /// When the active mgr last changed.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_change: Option<Cow<'a, str>>,
    /// Whether the active mgr is available.
    #[serde(default)]
    pub available: bool,
    /// Standby mgrs.
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub standbys: Vec<MgrStandby<'a>>,
    /// Number of standbys (`status` summary only).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_standbys: Option<u64>,
    /// Enabled modules.
    #[serde(borrow, default, deserialize_with = "crate::cow::vec")]
    pub modules: Vec<Cow<'a, str>>,
    /// Modules the active mgr can run.
    #[serde(
        borrow,
        default,
        deserialize_with = "modules",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub available_modules: Vec<MgrModule<'a>>,
    /// Always-on modules per release name (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Map::is_empty")]
    pub always_on_modules: Map<'a, Vec<Cow<'a, str>>>,
    /// Service endpoints by module (`prometheus` → `http://host:9283/`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::map",
        skip_serializing_if = "Map::is_empty"
    )]
    pub services: Map<'a, Cow<'a, str>>,
}

impl MgrDump<'_> {
    /// ceph-mgr's `ceph_mgr_module_status` of `name` for release `release`: 2 always on, 1
    /// enabled, 0 disabled.
    pub fn module_status(&self, name: &str, release: &str) -> u8 {
        let always = self
            .always_on_modules
            .get(release)
            .is_some_and(|m| m.iter().any(|n| n == name));
        if always {
            2
        } else if self.modules.iter().any(|n| n == name) {
            1
        } else {
            0
        }
    }
}

into_owned!(MgrDump<'a> {
    epoch, active_gid, active_name, active_addrs, active_addr, active_change, available,
    standbys, num_standbys, modules, available_modules, always_on_modules, services,
});
model!(MgrDump<'a>, MgrDump);
