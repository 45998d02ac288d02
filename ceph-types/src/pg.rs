//! `ceph pg dump` and `ceph pg stat`.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};

use crate::owned::into_owned;
use crate::parse::model;
use crate::{PgStateSet, num};

/// Object and I/O counters of a PG, a pool or the whole cluster (`stat_sum`).
///
/// Every field defaults to 0 when absent: Ceph prints all of them in every release it has them,
/// and a counter a release does not have has counted nothing. Added over time:
/// `num_large_omap_objects` (Luminous), `num_objects_manifest`, `num_omap_bytes`,
/// `num_omap_keys`, `num_objects_repaired` (Nautilus).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StatSum {
    /// Bytes stored.
    #[serde(deserialize_with = "num::int")]
    pub num_bytes: u64,
    /// Objects.
    #[serde(deserialize_with = "num::int")]
    pub num_objects: u64,
    /// Snapshot clones.
    #[serde(deserialize_with = "num::int")]
    pub num_object_clones: u64,
    /// Object copies (objects times replicas).
    #[serde(deserialize_with = "num::int")]
    pub num_object_copies: u64,
    /// Objects missing on the primary.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_missing_on_primary: u64,
    /// Objects missing anywhere.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_missing: u64,
    /// Degraded object copies.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_degraded: u64,
    /// Misplaced object copies.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_misplaced: u64,
    /// Unfound objects.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_unfound: u64,
    /// Dirty objects (cache tiers).
    #[serde(deserialize_with = "num::int")]
    pub num_objects_dirty: u64,
    /// Read operations.
    #[serde(deserialize_with = "num::int")]
    pub num_read: u64,
    /// KiB read.
    #[serde(deserialize_with = "num::int")]
    pub num_read_kb: u64,
    /// Write operations.
    #[serde(deserialize_with = "num::int")]
    pub num_write: u64,
    /// KiB written.
    #[serde(deserialize_with = "num::int")]
    pub num_write_kb: u64,
    /// Scrub errors.
    #[serde(deserialize_with = "num::int")]
    pub num_scrub_errors: u64,
    /// Shallow-scrub errors.
    #[serde(deserialize_with = "num::int")]
    pub num_shallow_scrub_errors: u64,
    /// Deep-scrub errors.
    #[serde(deserialize_with = "num::int")]
    pub num_deep_scrub_errors: u64,
    /// Objects recovered.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_recovered: u64,
    /// Bytes recovered.
    #[serde(deserialize_with = "num::int")]
    pub num_bytes_recovered: u64,
    /// Omap keys recovered.
    #[serde(deserialize_with = "num::int")]
    pub num_keys_recovered: u64,
    /// Objects with omap data.
    #[serde(deserialize_with = "num::int")]
    pub num_objects_omap: u64,
    /// Objects with large omap (Luminous and later).
    #[serde(deserialize_with = "num::int")]
    pub num_large_omap_objects: u64,
    /// Manifest objects (Nautilus and later).
    #[serde(deserialize_with = "num::int")]
    pub num_objects_manifest: u64,
    /// Omap bytes (Nautilus and later).
    #[serde(deserialize_with = "num::int")]
    pub num_omap_bytes: u64,
    /// Omap keys (Nautilus and later).
    #[serde(deserialize_with = "num::int")]
    pub num_omap_keys: u64,
    /// Objects repaired by scrub (Nautilus and later).
    #[serde(deserialize_with = "num::int")]
    pub num_objects_repaired: u64,
}

into_owned!(StatSum);

/// Reads a list of OSD ids, or `null` as an empty list.
fn osd_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i32>, D::Error> {
    Option::<Vec<i32>>::deserialize(d).map(Option::unwrap_or_default)
}

/// One PG in `ceph pg dump` (`pg_stats[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PgStats<'a> {
    /// The PG id, `pool.hex` (`5.1e`).
    #[serde(borrow)]
    pub pgid: Cow<'a, str>,
    /// Last log version, `epoch'version`.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<Cow<'a, str>>,
    /// Sequence number of the last report.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub reported_seq: Option<u64>,
    /// Epoch of the last report.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub reported_epoch: Option<u64>,
    /// The state string, parsed.
    #[serde(borrow)]
    pub state: PgStateSet<'a>,
    /// When the state last changed.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_change: Option<Cow<'a, str>>,
    /// When the PG was last active.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_active: Option<Cow<'a, str>>,
    /// When the PG was last clean.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_clean: Option<Cow<'a, str>>,
    /// When the PG was last scrubbed.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_scrub_stamp: Option<Cow<'a, str>>,
    /// When the PG was last deep-scrubbed.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_deep_scrub_stamp: Option<Cow<'a, str>>,
    /// PG log entries.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub log_size: Option<u64>,
    /// PG log entries on disk.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ondisk_log_size: Option<u64>,
    /// Snapshots waiting to be trimmed (Luminous and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub snaptrimq_len: Option<u64>,
    /// Object and I/O counters.
    #[serde(default)]
    pub stat_sum: StatSum,
    /// The up set (OSD ids CRUSH maps the PG to).
    #[serde(default, deserialize_with = "osd_list")]
    pub up: Vec<i32>,
    /// The acting set (OSD ids serving the PG).
    #[serde(default, deserialize_with = "osd_list")]
    pub acting: Vec<i32>,
    /// OSDs that block peering.
    #[serde(
        default,
        deserialize_with = "osd_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub blocked_by: Vec<i32>,
    /// Primary of the up set (-1 for none).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub up_primary: Option<i32>,
    /// Primary of the acting set (-1 for none).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub acting_primary: Option<i32>,
}

impl PgStats<'_> {
    /// The pool id part of the PG id.
    pub fn pool_id(&self) -> Option<i64> {
        self.pgid.split_once('.')?.0.parse().ok()
    }
}

into_owned!(PgStats<'a> {
    pgid, version, reported_seq, reported_epoch, state, last_change, last_active, last_clean,
    last_scrub_stamp, last_deep_scrub_stamp, log_size, ondisk_log_size, snaptrimq_len,
    stat_sum, up, acting, blocked_by, up_primary, acting_primary,
});

/// Per-pool totals in `ceph pg dump` (`pool_stats[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PoolPgStats {
    /// Pool id.
    #[serde(deserialize_with = "num::int")]
    pub poolid: i64,
    /// Number of PGs.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_pg: Option<u64>,
    /// Object and I/O counters (ceph-mgr's `ceph_pool_objects_repaired` reads
    /// `num_objects_repaired`).
    #[serde(default)]
    pub stat_sum: StatSum,
    /// PG log entries.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub log_size: Option<u64>,
    /// PG log entries on disk.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ondisk_log_size: Option<u64>,
}

into_owned!(PoolPgStats);

/// Commit/apply latency of an OSD (`perf_stat` in `pg dump`, `perf_stats` in `osd perf`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdPerfStat {
    /// Commit latency in ms.
    #[serde(
        default,
        deserialize_with = "num::float",
        serialize_with = "num::float_ser"
    )]
    pub commit_latency_ms: f64,
    /// Apply latency in ms.
    #[serde(
        default,
        deserialize_with = "num::float",
        serialize_with = "num::float_ser"
    )]
    pub apply_latency_ms: f64,
    /// Commit latency in ns (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub commit_latency_ns: Option<u64>,
    /// Apply latency in ns (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub apply_latency_ns: Option<u64>,
}

into_owned!(OsdPerfStat);

/// Per-OSD usage and latency in `ceph pg dump` (`osd_stats[]`, and `osd_stats_sum`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdStatsEntry {
    /// OSD id (absent in `osd_stats_sum`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub osd: Option<i64>,
    /// Epoch the OSD came up.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub up_from: Option<u64>,
    /// PGs on the OSD.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_pgs: Option<u64>,
    /// KiB of capacity.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb: Option<u64>,
    /// KiB used.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used: Option<u64>,
    /// KiB available.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_avail: Option<u64>,
    /// Heartbeat peers.
    #[serde(
        default,
        deserialize_with = "osd_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub hb_peers: Vec<i32>,
    /// Snap trim queue length.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub snap_trim_queue_len: Option<u64>,
    /// Shards repaired (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_shards_repaired: Option<u64>,
    /// Latencies (ceph-mgr's `ceph_osd_apply_latency_ms`/`commit_latency_ms`).
    #[serde(default)]
    pub perf_stat: OsdPerfStat,
}

into_owned!(OsdStatsEntry);

/// The body of `ceph pg dump`: the PG map.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PgMap<'a> {
    /// PG map version.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<u64>,
    /// Time of this version.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub stamp: Option<Cow<'a, str>>,
    /// Last OSD map epoch seen.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_osdmap_epoch: Option<u64>,
    /// Last epoch PGs were scanned.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_pg_scan: Option<u64>,
    /// Cluster-wide totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_stats_sum: Option<PgStatsSum>,
    /// Cluster-wide OSD totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osd_stats_sum: Option<OsdStatsEntry>,
    /// Every PG.
    #[serde(borrow, default)]
    pub pg_stats: Vec<PgStats<'a>>,
    /// Per-pool totals.
    #[serde(default)]
    pub pool_stats: Vec<PoolPgStats>,
    /// Per-OSD usage.
    #[serde(default)]
    pub osd_stats: Vec<OsdStatsEntry>,
}

into_owned!(PgMap<'a> {
    version, stamp, last_osdmap_epoch, last_pg_scan, pg_stats_sum, osd_stats_sum, pg_stats,
    pool_stats, osd_stats,
});

/// `pg_stats_sum`: cluster-wide totals.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PgStatsSum {
    /// Object and I/O counters (ceph-mgr's `ceph_num_objects_degraded` etc. read these).
    #[serde(default)]
    pub stat_sum: StatSum,
    /// PG log entries.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub log_size: Option<u64>,
    /// PG log entries on disk.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ondisk_log_size: Option<u64>,
}

into_owned!(PgStatsSum);

/// `ceph pg dump` as printed: Mimic and later wrap the map in `{"pg_ready": .., "pg_map":
/// {..}}`; Luminous prints the map's fields at the top level.
#[derive(Deserialize)]
struct RawPgDump<'a> {
    #[serde(default)]
    pg_ready: Option<bool>,
    #[serde(borrow, default)]
    pg_map: Option<PgMap<'a>>,
    #[serde(default, deserialize_with = "num::opt_int")]
    version: Option<u64>,
    #[serde(borrow, default, deserialize_with = "crate::cow::opt")]
    stamp: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "num::opt_int")]
    last_osdmap_epoch: Option<u64>,
    #[serde(default, deserialize_with = "num::opt_int")]
    last_pg_scan: Option<u64>,
    #[serde(default)]
    pg_stats_sum: Option<PgStatsSum>,
    #[serde(default)]
    osd_stats_sum: Option<OsdStatsEntry>,
    #[serde(borrow, default)]
    pg_stats: Vec<PgStats<'a>>,
    #[serde(default)]
    pool_stats: Vec<PoolPgStats>,
    #[serde(default)]
    osd_stats: Vec<OsdStatsEntry>,
}

/// `ceph pg dump -f json` (ceph-mgr's `get('pg_dump')`).
///
/// Mimic and later print `{"pg_ready": true, "pg_map": {...}}`; Luminous printed the PG map's
/// fields at the top level. Both read into [`PgDump::pg_map`]; writing always uses the
/// envelope. `pg dump` is slow and large on big clusters (about 2 KB per PG).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PgDump<'a> {
    /// Whether the mgr has PG stats yet (Mimic and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_ready: Option<bool>,
    /// The PG map.
    pub pg_map: PgMap<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for PgDump<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawPgDump::deserialize(d)?;
        let pg_map = match raw.pg_map {
            Some(m) => m,
            None => PgMap {
                version: raw.version,
                stamp: raw.stamp,
                last_osdmap_epoch: raw.last_osdmap_epoch,
                last_pg_scan: raw.last_pg_scan,
                pg_stats_sum: raw.pg_stats_sum,
                osd_stats_sum: raw.osd_stats_sum,
                pg_stats: raw.pg_stats,
                pool_stats: raw.pool_stats,
                osd_stats: raw.osd_stats,
            },
        };
        Ok(PgDump {
            pg_ready: raw.pg_ready,
            pg_map,
        })
    }
}

into_owned!(PgDump<'a> { pg_ready, pg_map });
model!(PgDump<'a>, PgDump);

/// One state string and how many PGs have it (`num_pg_by_state[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PgStateCount<'a> {
    /// The state string, parsed.
    #[serde(borrow, alias = "state_name")]
    pub name: PgStateSet<'a>,
    /// Number of PGs in that state.
    #[serde(alias = "count", deserialize_with = "num::int")]
    pub num: u64,
}

into_owned!(PgStateCount<'a> { name, num });

/// The summary of `ceph pg stat` (`pg_summary`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PgSummary<'a> {
    /// PG counts by state string.
    #[serde(borrow, default)]
    pub num_pg_by_state: Vec<PgStateCount<'a>>,
    /// Number of PGs.
    #[serde(deserialize_with = "num::int")]
    pub num_pgs: u64,
    /// Bytes stored.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_bytes: Option<u64>,
    /// Raw capacity.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_bytes: Option<u64>,
    /// Raw bytes available.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_avail_bytes: Option<u64>,
    /// Raw bytes used.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_used_bytes: Option<u64>,
    /// Raw bytes used with overhead (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_used_raw_bytes: Option<u64>,
    /// Client read rate (only while there is I/O).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_bytes_sec: Option<u64>,
    /// Client write rate (only while there is I/O).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub write_bytes_sec: Option<u64>,
    /// Client operations per second (only while there is I/O).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub io_sec: Option<u64>,
    /// Degraded object copies (only while degraded).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_objects: Option<u64>,
    /// All object copies (only while degraded).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_total: Option<u64>,
    /// `degraded_objects / degraded_total` (only while degraded).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_ratio: Option<f64>,
    /// Misplaced object copies (only while misplaced).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub misplaced_objects: Option<u64>,
    /// Unfound objects (only while some are).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub unfound_objects: Option<u64>,
}

into_owned!(PgSummary<'a> {
    num_pg_by_state, num_pgs, num_bytes, total_bytes, total_avail_bytes, total_used_bytes,
    total_used_raw_bytes, read_bytes_sec, write_bytes_sec, io_sec, degraded_objects,
    degraded_total, degraded_ratio, misplaced_objects, unfound_objects,
});

/// `ceph pg stat -f json`: PG counts by state and cluster I/O.
///
/// Nautilus and later print `{"pg_ready": .., "pg_summary": {..}}`; older releases print the
/// summary fields at the top level, which this model does not read (use `status`'s `pgmap`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PgStat<'a> {
    /// Whether the mgr has PG stats yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_ready: Option<bool>,
    /// The summary.
    #[serde(borrow)]
    pub pg_summary: PgSummary<'a>,
}

into_owned!(PgStat<'a> { pg_ready, pg_summary });
model!(PgStat<'a>, PgStat);
