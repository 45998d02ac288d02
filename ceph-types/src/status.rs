//! `ceph status`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::owned::into_owned;
use crate::parse::model;
use crate::pg::PgStateCount;
use crate::{Health, MgrDump, MonDump, ServiceDump, num};

/// The OSD map summary of `ceph status` (`osdmap`).
///
/// Before Octopus the counts sat one level deeper (`"osdmap": {"osdmap": {..}}`); that inner
/// object lands in [`StatusOsdMap::osdmap`] and [`StatusOsdMap::counts`] picks the right one.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusOsdMap {
    /// OSD map epoch.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub epoch: Option<u64>,
    /// OSDs.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_osds: Option<u64>,
    /// OSDs up.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_up_osds: Option<u64>,
    /// OSDs in.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_in_osds: Option<u64>,
    /// PGs remapped.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_remapped_pgs: Option<u64>,
    /// Unix time since which the up set is unchanged (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub osd_up_since: Option<u64>,
    /// Unix time since which the in set is unchanged (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub osd_in_since: Option<u64>,
    /// The pre-Octopus nested form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osdmap: Option<Box<StatusOsdMap>>,
}

impl StatusOsdMap {
    /// The object holding the counts: the nested one before Octopus, else `self`.
    pub fn counts(&self) -> &StatusOsdMap {
        self.osdmap.as_deref().unwrap_or(self)
    }
}

into_owned!(StatusOsdMap);

/// The PG map summary of `ceph status` (`pgmap`); rate and recovery fields appear only while
/// non-zero.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusPgMap<'a> {
    /// PG counts by state string (`state_name`/`count` in the dump).
    #[serde(borrow, default)]
    pub pgs_by_state: Vec<PgStateCount<'a>>,
    /// PGs.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_pgs: Option<u64>,
    /// Pools.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_pools: Option<u64>,
    /// Objects.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_objects: Option<u64>,
    /// Bytes stored.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub data_bytes: Option<u64>,
    /// Raw bytes used.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bytes_used: Option<u64>,
    /// Raw bytes available.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bytes_avail: Option<u64>,
    /// Raw capacity.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bytes_total: Option<u64>,
    /// Client read rate.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_bytes_sec: Option<u64>,
    /// Client write rate.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub write_bytes_sec: Option<u64>,
    /// Client reads per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_op_per_sec: Option<u64>,
    /// Client writes per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub write_op_per_sec: Option<u64>,
    /// Degraded object copies.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_objects: Option<u64>,
    /// All object copies (degraded denominator).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_total: Option<u64>,
    /// `degraded_objects / degraded_total`.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_ratio: Option<f64>,
    /// Misplaced object copies.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub misplaced_objects: Option<u64>,
    /// All object copies (misplaced denominator).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub misplaced_total: Option<u64>,
    /// `misplaced_objects / misplaced_total`.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub misplaced_ratio: Option<f64>,
    /// Objects recovered per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovering_objects_per_sec: Option<u64>,
    /// Bytes recovered per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovering_bytes_per_sec: Option<u64>,
}

into_owned!(StatusPgMap<'a> {
    pgs_by_state, num_pgs, num_pools, num_objects, data_bytes, bytes_used, bytes_avail,
    bytes_total, read_bytes_sec, write_bytes_sec, read_op_per_sec, write_op_per_sec,
    degraded_objects, degraded_total, degraded_ratio, misplaced_objects, misplaced_total,
    misplaced_ratio, recovering_objects_per_sec, recovering_bytes_per_sec,
});

/// An MDS rank in the `fsmap` summary of `ceph status` (`by_rank[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusMdsRank<'a> {
    /// File system id (Luminous and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub filesystem_id: Option<i64>,
    /// Rank.
    #[serde(deserialize_with = "num::int")]
    pub rank: i64,
    /// MDS name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// State (`up:active`, ...).
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// Global id.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub gid: Option<u64>,
}

into_owned!(StatusMdsRank<'a> { filesystem_id, rank, name, status, gid });

/// The FS map summary of `ceph status` (`fsmap`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusFsMap<'a> {
    /// FSMap epoch.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub epoch: Option<u64>,
    /// Ranks and their daemons.
    #[serde(borrow, default)]
    pub by_rank: Vec<StatusMdsRank<'a>>,
    /// Standby daemons (the `up:standby` key).
    #[serde(
        rename = "up:standby",
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub up_standby: Option<u64>,
}

into_owned!(StatusFsMap<'a> { epoch, by_rank, up_standby });

/// `ceph status -f json` (`ceph -s`): health plus summaries of every map.
///
/// This is the most release-dependent dump: Jewel's `health` is the legacy form (see
/// [`Health`]); `mgrmap` appears in Luminous and is the full [`MgrDump`] until Nautilus, a
/// summary after; `monmap` is the full [`MonDump`] until Nautilus and `{epoch,
/// min_mon_release_name, num_mons}` after; `osdmap` is nested until Nautilus (see
/// [`StatusOsdMap`]); `servicemap` appears in Luminous, `quorum_age` in Nautilus,
/// `progress_events` (ignored) in Nautilus.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Status<'a> {
    /// Cluster fsid.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub fsid: Option<Cow<'a, str>>,
    /// Health.
    #[serde(borrow, default)]
    pub health: Health<'a>,
    /// Election epoch.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub election_epoch: Option<u64>,
    /// Ranks in quorum.
    #[serde(default)]
    pub quorum: Vec<i64>,
    /// Names in quorum.
    #[serde(borrow, default, deserialize_with = "crate::cow::vec")]
    pub quorum_names: Vec<Cow<'a, str>>,
    /// Seconds since the quorum formed (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorum_age: Option<u64>,
    /// Mon map (full or summary).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub monmap: Option<MonDump<'a>>,
    /// OSD map summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osdmap: Option<StatusOsdMap>,
    /// PG map summary.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub pgmap: Option<StatusPgMap<'a>>,
    /// FS map summary.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub fsmap: Option<StatusFsMap<'a>>,
    /// Mgr map (full or summary; Luminous and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub mgrmap: Option<MgrDump<'a>>,
    /// Service map (Luminous and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub servicemap: Option<ServiceDump<'a>>,
}

into_owned!(Status<'a> {
    fsid, health, election_epoch, quorum, quorum_names, quorum_age, monmap, osdmap, pgmap, fsmap,
    mgrmap, servicemap,
});
model!(Status<'a>, Status);
