//! `ceph mon dump`, `ceph quorum_status`, `mon_status`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

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
    /// CRUSH location as text (Pacific and later, stretch mode).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub crush_location: Option<Cow<'a, str>>,
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
