//! `ceph fs dump`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::addr::AddrVec;
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Map, num};

/// One MDS daemon (`mdsmap.info` values and `standbys[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MdsInfo<'a> {
    /// Global id.
    #[serde(deserialize_with = "num::int")]
    pub gid: u64,
    /// Daemon name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Rank held (-1 for standbys).
    #[serde(deserialize_with = "num::int")]
    pub rank: i64,
    /// Incarnation.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub incarnation: Option<u64>,
    /// State (`up:active`, `up:standby`, `up:standby-replay`, `up:replay`, ...).
    #[serde(borrow)]
    pub state: Cow<'a, str>,
    /// State sequence number.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_seq: Option<u64>,
    /// Address, `IP:PORT/NONCE`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub addr: Option<Cow<'a, str>>,
    /// Addresses (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub addrs: Option<AddrVec<'a>>,
    /// File system a standby wants to join (Pacific and later; -1 for any).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub join_fscid: Option<i64>,
    /// Feature bits.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub features: Option<u64>,
    /// FSMap epoch of a standby's entry (`standbys[]` only).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub epoch: Option<u64>,
}

into_owned!(MdsInfo<'a> {
    gid, name, rank, incarnation, state, state_seq, addr, addrs, join_fscid, features, epoch,
});

/// The MDS map of one file system (`filesystems[].mdsmap`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MdsMap<'a> {
    /// MDS map epoch.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub epoch: Option<u64>,
    /// File system name.
    #[serde(borrow)]
    pub fs_name: Cow<'a, str>,
    /// Flag bits.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub flags: Option<u64>,
    /// Creation time.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<Cow<'a, str>>,
    /// Time of this epoch.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified: Option<Cow<'a, str>>,
    /// Maximum active ranks.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_mds: Option<u64>,
    /// Ranks in the map.
    #[serde(rename = "in", default)]
    pub in_: Vec<i64>,
    /// Up ranks: `mds_<rank>` → gid.
    #[serde(borrow, default)]
    pub up: Map<'a, u64>,
    /// Failed ranks.
    #[serde(default)]
    pub failed: Vec<i64>,
    /// Damaged ranks.
    #[serde(default)]
    pub damaged: Vec<i64>,
    /// Stopped ranks.
    #[serde(default)]
    pub stopped: Vec<i64>,
    /// The daemons holding ranks, keyed `gid_<gid>`.
    #[serde(borrow, default)]
    pub info: Map<'a, MdsInfo<'a>>,
    /// Data pool ids.
    #[serde(default)]
    pub data_pools: Vec<i64>,
    /// Metadata pool id.
    #[serde(deserialize_with = "num::int")]
    pub metadata_pool: i64,
    /// Whether the file system is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Standbys wanted (Luminous and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub standby_count_wanted: Option<u64>,
}

into_owned!(MdsMap<'a> {
    epoch, fs_name, flags, created, modified, max_mds, in_, up, failed, damaged, stopped, info,
    data_pools, metadata_pool, enabled, standby_count_wanted,
});

/// One file system (`filesystems[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Filesystem<'a> {
    /// File system id (fscid).
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Its MDS map.
    #[serde(borrow)]
    pub mdsmap: MdsMap<'a>,
}

into_owned!(Filesystem<'a> { id, mdsmap });

/// `ceph fs dump -f json` (ceph-mgr's `get('fs_map')`): file systems, their MDS daemons, and
/// standbys.
///
/// `addrs` appears in Nautilus, `join_fscid` in Pacific, `flags_state` (ignored) in Quincy.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FsDump<'a> {
    /// FSMap epoch.
    #[serde(deserialize_with = "num::int")]
    pub epoch: u64,
    /// Default file system id (-1 for none).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_fscid: Option<i64>,
    /// Standby MDS daemons.
    #[serde(borrow, default)]
    pub standbys: Vec<MdsInfo<'a>>,
    /// File systems.
    #[serde(borrow, default)]
    pub filesystems: Vec<Filesystem<'a>>,
}

into_owned!(FsDump<'a> { epoch, default_fscid, standbys, filesystems });
model!(FsDump<'a>, FsDump);
