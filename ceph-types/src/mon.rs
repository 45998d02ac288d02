//! `ceph mon dump`, `ceph quorum_status`, `mon_status`.

use std::borrow::Cow;

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

use crate::addr::{self, AddrError, AddrVec, EntityAddr};
use crate::num;
use crate::owned::into_owned;
use crate::parse::model;

/// One monitor in the mon map (`mons[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonInfo<'a> {
    /// Rank (position in the map).
    #[serde(deserialize_with = "num::int")]
    pub rank: i64,
    /// Monitor name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Public addresses (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub public_addrs: Option<AddrVec<'a>>,
    /// Legacy (v1) address, `IP:PORT/NONCE`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub addr: Option<Cow<'a, str>>,
    /// Public address (Luminous and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_addr: Option<Cow<'a, str>>,
    /// Election priority (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<i64>,
    /// Connection weight (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<i64>,
    /// CRUSH location (Pacific and later; set by `ceph mon set_location`, used by stretch
    /// mode). Pacific and Reef write it as text, Tentacle as a list; see [`CrushLocation`].
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub crush_location: Option<CrushLocation<'a>>,
}

impl MonInfo<'_> {
    /// `public_addr` (or `addr` before Luminous), parsed.
    pub fn entity_addr(&self) -> Option<Result<EntityAddr, AddrError>> {
        addr::parse_opt(self.public_addr.as_ref().or(self.addr.as_ref()))
    }

    /// The host part of the public address, as ceph-mgr's `ceph_mon_metadata{public_addr}`
    /// shows it (the text before the last `:`).
    pub fn public_host(&self) -> Option<&str> {
        let a = self.public_addr.as_deref().or(self.addr.as_deref())?;
        Some(a.rsplit_once(':').map_or(a, |(h, _)| h))
    }
}

into_owned!(MonInfo<'a> { rank, name, public_addrs, addr, public_addr, priority, weight, crush_location });

/// A monitor's CRUSH location: `(bucket type, bucket name)` pairs such as `("host", "node0")`.
///
/// Releases write it in two shapes, both read into the same pairs:
///
/// * Pacific and Reef: text, as Ceph prints a `std::map`: `"{}"` when unset,
///   `"{host=node0,root=default}"` when set;
/// * Tentacle: a list, `[]` when unset, `[{"key": "host", "val": "node0"}, ...]` when set.
///
/// It is written back in the list form.
///
/// ```
/// use ceph_types::MonDump;
///
/// let pacific = MonDump::parse(r#"{"epoch": 1, "mons": [{"rank": 0, "name": "a",
///     "crush_location": "{host=node0,root=default}"}]}"#)?;
/// let tentacle = MonDump::parse(r#"{"epoch": 1, "mons": [{"rank": 0, "name": "a",
///     "crush_location": [{"key": "host", "val": "node0"}, {"key": "root", "val": "default"}]}]}"#)?;
/// let loc = pacific.mons[0].crush_location.as_ref().unwrap();
/// assert_eq!(loc.get("host"), Some("node0"));
/// assert_eq!(Some(loc), tentacle.mons[0].crush_location.as_ref());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CrushLocation<'a> {
    /// The pairs in the order Ceph wrote them (sorted by bucket type: Ceph keeps a map).
    pub pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl CrushLocation<'_> {
    /// The bucket name for bucket type `key` (the first, if several).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// Whether no location is set.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl crate::IntoOwned for CrushLocation<'_> {
    type Owned = CrushLocation<'static>;

    fn into_owned(self) -> CrushLocation<'static> {
        CrushLocation {
            pairs: self
                .pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        crate::IntoOwned::into_owned(k),
                        crate::IntoOwned::into_owned(v),
                    )
                })
                .collect(),
        }
    }
}

/// Splits the text form `{k=v,k=v}` into pairs; `None` when it is not of that form.
fn crush_location_text(text: &str) -> Option<Vec<(&str, &str)>> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=')?;
            let (k, v) = (k.trim(), v.trim());
            (!k.is_empty()).then_some((k, v))
        })
        .collect()
}

/// One entry of the list form.
#[derive(Deserialize)]
struct CrushLocationEntry<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    val: Cow<'a, str>,
}

/// Visitor for [`CrushLocation`]: the text or the list form.
struct CrushLocationVisitor;

impl<'de> Visitor<'de> for CrushLocationVisitor {
    type Value = CrushLocation<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CRUSH location as `{type=name,...}` or a list of {key, val} objects")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let pairs = crush_location_text(v)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))?;
        Ok(CrushLocation {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
                .collect(),
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let pairs = crush_location_text(v)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))?;
        Ok(CrushLocation {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.to_owned()), Cow::Owned(v.to_owned())))
                .collect(),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(e) = seq.next_element::<CrushLocationEntry<'de>>()? {
            pairs.push((e.key, e.val));
        }
        Ok(CrushLocation { pairs })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for CrushLocation<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CrushLocationVisitor)
    }
}

impl Serialize for CrushLocation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// One pair in the list form.
        #[derive(Serialize)]
        struct Entry<'b> {
            key: &'b str,
            val: &'b str,
        }
        let mut seq = s.serialize_seq(Some(self.pairs.len()))?;
        for (key, val) in &self.pairs {
            seq.serialize_element(&Entry { key, val })?;
        }
        seq.end()
    }
}

/// Feature names of a mon map or quorum (`features`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonFeatures<'a> {
    /// Persistent features (`kraken`, `luminous`, ...), mon map.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub persistent: Vec<Cow<'a, str>>,
    /// Optional features, mon map.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub optional: Vec<Cow<'a, str>>,
    /// Connection feature bits of the quorum, as a decimal string.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorum_con: Option<Cow<'a, str>>,
    /// Monitor features of the quorum.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub quorum_mon: Vec<Cow<'a, str>>,
    /// Required connection feature bits, as a decimal string (`mon_status`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub required_con: Option<Cow<'a, str>>,
    /// Required monitor features (`mon_status`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub required_mon: Vec<Cow<'a, str>>,
}

into_owned!(MonFeatures<'a> { persistent, optional, quorum_con, quorum_mon, required_con, required_mon });

/// `ceph mon dump -f json`: the monitor map; also the `monmap` of `quorum_status`,
/// `mon_status` and (full before Octopus, summarised after) `status`.
///
/// `min_mon_release` appears in Nautilus, `election_strategy` and `stretch_mode` in Pacific,
/// `quorum` in `mon dump` in Pacific; `status` since Octopus prints only `epoch`,
/// `min_mon_release_name` and `num_mons`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonDump<'a> {
    /// Mon map epoch.
    #[serde(deserialize_with = "num::int")]
    pub epoch: u64,
    /// Cluster fsid.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub fsid: Option<Cow<'a, str>>,
    /// Time of this epoch.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified: Option<Cow<'a, str>>,
    /// Creation time.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<Cow<'a, str>>,
    /// Oldest monitor release number (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_mon_release: Option<u32>,
    /// Oldest monitor release name.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_mon_release_name: Option<Cow<'a, str>>,
    /// Number of monitors (`status` summary only).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_mons: Option<u64>,
    /// Election strategy (Pacific and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub election_strategy: Option<u32>,
    /// Whether stretch mode is on (Pacific and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stretch_mode: Option<bool>,
    /// Features.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub features: Option<MonFeatures<'a>>,
    /// The monitors.
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub mons: Vec<MonInfo<'a>>,
    /// Ranks in quorum (`mon dump`, Pacific and later).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quorum: Vec<i64>,
}

into_owned!(MonDump<'a> {
    epoch, fsid, modified, created, min_mon_release, min_mon_release_name, num_mons,
    election_strategy, stretch_mode, features, mons, quorum,
});
model!(MonDump<'a>, MonDump);

/// `ceph quorum_status -f json`: the quorum and the mon map.
///
/// `quorum_age` appears in Nautilus, `features` in Luminous.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuorumStatus<'a> {
    /// Election epoch.
    #[serde(deserialize_with = "num::int")]
    pub election_epoch: u64,
    /// Ranks in quorum.
    #[serde(default)]
    pub quorum: Vec<i64>,
    /// Names in quorum.
    #[serde(borrow, default, deserialize_with = "crate::cow::vec")]
    pub quorum_names: Vec<Cow<'a, str>>,
    /// The leader's name.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorum_leader_name: Option<Cow<'a, str>>,
    /// Seconds since the quorum formed (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorum_age: Option<u64>,
    /// Quorum features.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub features: Option<MonFeatures<'a>>,
    /// The mon map.
    #[serde(borrow)]
    pub monmap: MonDump<'a>,
}

impl QuorumStatus<'_> {
    /// Whether the monitor of rank `rank` is in quorum (ceph-mgr's `ceph_mon_quorum_status`).
    pub fn in_quorum(&self, rank: i64) -> bool {
        self.quorum.contains(&rank)
    }
}

into_owned!(QuorumStatus<'a> {
    election_epoch, quorum, quorum_names, quorum_leader_name, quorum_age, features, monmap,
});
model!(QuorumStatus<'a>, QuorumStatus);

/// `mon_status` of one monitor: `ceph daemon mon.<id> mon_status`, `ceph tell mon.<id>
/// mon_status`, or (before Pacific) `ceph mon_status`; ceph-mgr's `get('mon_status')` wraps it
/// in a `{"json": "..."}` envelope (see [`unwrap_envelope`](crate::unwrap_envelope)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonStatus<'a> {
    /// This monitor's name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// This monitor's rank.
    #[serde(deserialize_with = "num::int")]
    pub rank: i64,
    /// `leader`, `peon`, `probing`, `electing`, `synchronizing`.
    #[serde(borrow)]
    pub state: Cow<'a, str>,
    /// Election epoch.
    #[serde(deserialize_with = "num::int")]
    pub election_epoch: u64,
    /// Ranks in quorum.
    #[serde(default)]
    pub quorum: Vec<i64>,
    /// Seconds since the quorum formed (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorum_age: Option<u64>,
    /// Monitor uptime in ms (Reef and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub uptime: Option<u64>,
    /// Features.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub features: Option<MonFeatures<'a>>,
    /// Ranks outside the quorum.
    #[serde(default)]
    pub outside_quorum: Vec<i64>,
    /// The mon map.
    #[serde(borrow)]
    pub monmap: MonDump<'a>,
}

into_owned!(MonStatus<'a> {
    name, rank, state, election_epoch, quorum, quorum_age, uptime, features, outside_quorum,
    monmap,
});
model!(MonStatus<'a>, MonStatus);

#[cfg(test)]
mod tests {
    use super::*;

    /// `mon dump` with one monitor whose `crush_location` is `loc` (JSON text).
    fn dump_with(loc: &str) -> String {
        format!(r#"{{"epoch": 1, "mons": [{{"rank": 0, "name": "a", "crush_location": {loc}}}]}}"#)
    }

    #[test]
    fn crush_location_in_every_release_shape() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            // Pacific, Reef: text
            (r#""{}""#, &[]),
            (
                r#""{host=node0,root=default}""#,
                &[("host", "node0"), ("root", "default")],
            ),
            (r#""{ datacenter=dc1 }""#, &[("datacenter", "dc1")]),
            // escaped text is read too (owned)
            (r#""{host=node\u0030}""#, &[("host", "node0")]),
            // Tentacle: list
            ("[]", &[]),
            (
                r#"[{"key": "host", "val": "node0"}, {"key": "root", "val": "default"}]"#,
                &[("host", "node0"), ("root", "default")],
            ),
        ];
        for (loc, want) in cases {
            let text = dump_with(loc);
            let dump = MonDump::parse(&text).unwrap_or_else(|e| panic!("{loc}: {e}"));
            let got = dump.mons[0].crush_location.as_ref().unwrap();
            let got: Vec<_> = got
                .pairs
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect();
            assert_eq!(got, *want, "{loc}");
            // written back in the list form, which reads the same
            let written = serde_json::to_string(&dump).unwrap();
            assert_eq!(MonDump::parse(&written).unwrap(), dump, "{loc}");
        }
        let absent = MonDump::parse(r#"{"epoch": 1, "mons": [{"rank": 0, "name": "a"}]}"#);
        assert_eq!(absent.unwrap().mons[0].crush_location, None);
    }

    #[test]
    fn crush_location_of_another_shape_is_an_error_at_its_path() {
        for loc in [
            r#""host=node0""#,
            r#""{host}""#,
            r#""{=node0}""#,
            r#"[["host", "node0"]]"#,
            r#"[{"key": "host"}]"#,
            r#"{"host": "node0"}"#,
            "3",
        ] {
            let err = MonDump::parse(&dump_with(loc)).unwrap_err();
            assert!(
                err.path()
                    .is_some_and(|p| p.starts_with("mons[0].crush_location")),
                "{loc}: {err}"
            );
        }
    }
}
