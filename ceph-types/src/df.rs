//! `ceph df` and `ceph df detail`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::owned::into_owned;
use crate::parse::model;
use crate::{Map, Number, num};

/// Cluster-wide raw capacity (`stats`, and each entry of `stats_by_class`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DfStats {
    /// Raw capacity in bytes.
    #[serde(deserialize_with = "num::int")]
    pub total_bytes: u64,
    /// Raw bytes available.
    #[serde(deserialize_with = "num::int")]
    pub total_avail_bytes: u64,
    /// Raw bytes used.
    #[serde(deserialize_with = "num::int")]
    pub total_used_bytes: u64,
    /// Raw bytes used including internal overhead (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_used_raw_bytes: Option<u64>,
    /// `total_used_raw_bytes / total_bytes` (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_used_raw_ratio: Option<f64>,
    /// Number of OSDs (cluster `stats` only, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_osds: Option<u64>,
    /// OSDs reporting per-pool stats (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_per_pool_osds: Option<u64>,
    /// OSDs reporting per-pool omap stats (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_per_pool_omap_osds: Option<u64>,
}

into_owned!(DfStats);

/// One pool's usage in `ceph df`. Fields marked *detail* are printed by `ceph df detail` only.
///
/// Release differences: `stored`, `stored_raw` and the `*_bytes_used` split appear in Nautilus;
/// `stored_data`/`stored_omap`, `data_bytes_used`/`omap_bytes_used` in Octopus; `avail_raw` in
/// Quincy-era code. Luminous prints `kb_used`, `bytes_used`, `max_avail`, `objects` (and
/// `raw_bytes_used` in detail).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DfPoolStats {
    /// Bytes stored by users, before replication (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub stored: Option<u64>,
    /// Object data part of `stored` (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub stored_data: Option<u64>,
    /// Omap part of `stored` (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub stored_omap: Option<u64>,
    /// Number of objects.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub objects: Option<u64>,
    /// Raw KiB used, replication included.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used: Option<u64>,
    /// Raw bytes used, replication included.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bytes_used: Option<u64>,
    /// Object data part of `bytes_used` (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub data_bytes_used: Option<u64>,
    /// Omap part of `bytes_used` (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub omap_bytes_used: Option<u64>,
    /// Fraction of the pool's capacity used, 0..1 (a percentage before Nautilus).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub percent_used: Option<f64>,
    /// Bytes users can still store, given replication and the fullest OSD.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_avail: Option<u64>,
    /// Object quota, 0 for none (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quota_objects: Option<u64>,
    /// Byte quota, 0 for none (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quota_bytes: Option<u64>,
    /// Dirty objects of a cache tier (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub dirty: Option<u64>,
    /// Read operations since creation (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub rd: Option<u64>,
    /// Bytes read since creation (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub rd_bytes: Option<u64>,
    /// Write operations since creation (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub wr: Option<u64>,
    /// Bytes written since creation (*detail*).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub wr_bytes: Option<u64>,
    /// Raw bytes used by compressed data (*detail*, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub compress_bytes_used: Option<u64>,
    /// Bytes before compression of the compressed data (*detail*, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub compress_under_bytes: Option<u64>,
    /// `stored` times the replication factor (*detail*, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub stored_raw: Option<u64>,
    /// Raw bytes available to the pool (*detail*, Quincy-era and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub avail_raw: Option<u64>,
    /// Raw bytes used, replication included (*detail*, Luminous/Mimic; later `bytes_used`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_bytes_used: Option<u64>,
}

into_owned!(DfPoolStats);

/// One pool in `ceph df`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DfPool<'a> {
    /// Pool name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Pool id.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Usage.
    #[serde(default)]
    pub stats: DfPoolStats,
}

into_owned!(DfPool<'a> { name, id, stats });

/// `ceph df -f json` and `ceph df detail -f json` (ceph-mgr's `get('df')` ≈ `df detail`).
///
/// `stats_by_class` (per device class) appears in Nautilus; see [`DfPoolStats`] for the pool
/// fields by release. Parse `df detail` with `Df::parse_as(Command::DfDetail, ..)` so that
/// errors name it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Df<'a> {
    /// Cluster totals.
    pub stats: DfStats,
    /// Totals per device class (`hdd`, `ssd`, ...), Nautilus and later.
    #[serde(borrow, default, skip_serializing_if = "Map::is_empty")]
    pub stats_by_class: Map<'a, DfStats>,
    /// Per-pool usage.
    #[serde(borrow, default)]
    pub pools: Vec<DfPool<'a>>,
}

into_owned!(Df<'a> { stats, stats_by_class, pools });
model!(Df<'a>, Df);
impl DfStats {
    /// The value of the field Ceph names `key` (`total_bytes`, `total_used_raw_bytes`, ...),
    /// `None` when the field is unknown or this release does not write it: for code that
    /// reads fields by their Ceph names, as ceph-mgr's modules do.
    ///
    /// ```
    /// use ceph_types::{Df, Number};
    ///
    /// let df = Df::parse(r#"{"stats": {"total_bytes": 10, "total_avail_bytes": 4,
    ///     "total_used_bytes": 6}, "pools": []}"#)?;
    /// assert_eq!(df.stats.get("total_used_bytes"), Some(Number::Uint(6)));
    /// assert_eq!(df.stats.get("total_used_raw_bytes"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<Number> {
        let uint = |v: u64| Some(Number::Uint(v));
        match key {
            "total_bytes" => uint(self.total_bytes),
            "total_avail_bytes" => uint(self.total_avail_bytes),
            "total_used_bytes" => uint(self.total_used_bytes),
            "total_used_raw_bytes" => self.total_used_raw_bytes.map(Number::Uint),
            "total_used_raw_ratio" => self.total_used_raw_ratio.map(Number::Float),
            "num_osds" => self.num_osds.map(Number::Uint),
            "num_per_pool_osds" => self.num_per_pool_osds.map(Number::Uint),
            "num_per_pool_omap_osds" => self.num_per_pool_omap_osds.map(Number::Uint),
            _ => None,
        }
    }
}

impl DfPoolStats {
    /// The value of the field Ceph names `key` (`max_avail`, `stored`, `percent_used`, ...),
    /// `None` when the field is unknown or absent from this release's output.
    ///
    /// ```
    /// use ceph_types::{Df, Number};
    ///
    /// let df = Df::parse(r#"{"stats": {"total_bytes": 10, "total_avail_bytes": 4,
    ///     "total_used_bytes": 6}, "pools": [{"name": "rbd", "id": 1,
    ///     "stats": {"stored": 5, "percent_used": 0.25}}]}"#)?;
    /// let pool = &df.pools[0].stats;
    /// assert_eq!(pool.get("percent_used"), Some(Number::Float(0.25)));
    /// assert_eq!(pool.get("max_avail"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<Number> {
        let v = match key {
            "percent_used" => return self.percent_used.map(Number::Float),
            "stored" => self.stored,
            "stored_data" => self.stored_data,
            "stored_omap" => self.stored_omap,
            "objects" => self.objects,
            "kb_used" => self.kb_used,
            "bytes_used" => self.bytes_used,
            "data_bytes_used" => self.data_bytes_used,
            "omap_bytes_used" => self.omap_bytes_used,
            "max_avail" => self.max_avail,
            "quota_objects" => self.quota_objects,
            "quota_bytes" => self.quota_bytes,
            "dirty" => self.dirty,
            "rd" => self.rd,
            "rd_bytes" => self.rd_bytes,
            "wr" => self.wr,
            "wr_bytes" => self.wr_bytes,
            "compress_bytes_used" => self.compress_bytes_used,
            "compress_under_bytes" => self.compress_under_bytes,
            "stored_raw" => self.stored_raw,
            "avail_raw" => self.avail_raw,
            "raw_bytes_used" => self.raw_bytes_used,
            _ => None,
        };
        v.map(Number::Uint)
    }
}
