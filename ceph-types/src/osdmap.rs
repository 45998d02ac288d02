//! `ceph osd dump`: the OSD map.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::addr::{self, AddrError, AddrVec, EntityAddr};
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Flags, Map, num};

/// Reads `0`/`1` or `false`/`true` as a boolean (`up`, `in` of an OSD).
mod boolish {
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    struct V;

    impl Visitor<'_> for V {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("0, 1 or a boolean")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(V)
    }

    pub(crate) fn serialize<S: serde::Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(u8::from(*v))
    }
}

pub(crate) use boolish::{deserialize as boolish_de, serialize as boolish_ser};

/// One OSD in `ceph osd dump` (`osds[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdInfo<'a> {
    /// The OSD id (`osd.<id>`).
    #[serde(deserialize_with = "num::int")]
    pub osd: i64,
    /// The OSD's uuid.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub uuid: Option<Cow<'a, str>>,
    /// Whether the OSD is up (printed as 0/1).
    #[serde(deserialize_with = "boolish_de", serialize_with = "boolish_ser")]
    pub up: bool,
    /// Whether the OSD is in (printed as 0/1).
    #[serde(
        rename = "in",
        deserialize_with = "boolish_de",
        serialize_with = "boolish_ser"
    )]
    pub in_: bool,
    /// Reweight, 0..1.
    #[serde(deserialize_with = "num::float", serialize_with = "num::float_ser")]
    pub weight: f64,
    /// Primary affinity, 0..1 (Firefly and later).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary_affinity: Option<f64>,
    /// Epoch the OSD last came up (0 if never, or absent).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub up_from: Option<u64>,
    /// Epoch up to which the OSD is known to be up (0 if absent).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub up_thru: Option<u64>,
    /// Epoch the OSD last went down (0 if never, or absent).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub down_at: Option<u64>,
    /// Epoch the OSD was marked lost (0 if never, or absent).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub lost_at: Option<u64>,
    /// Public addresses (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub public_addrs: Option<AddrVec<'a>>,
    /// Cluster addresses (Nautilus and later).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub cluster_addrs: Option<AddrVec<'a>>,
    /// Public (client-facing) address, `IP:PORT/NONCE` (`-` when never up).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_addr: Option<Cow<'a, str>>,
    /// Cluster (replication) address.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_addr: Option<Cow<'a, str>>,
    /// Heartbeat address on the cluster network.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub heartbeat_back_addr: Option<Cow<'a, str>>,
    /// Heartbeat address on the public network.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub heartbeat_front_addr: Option<Cow<'a, str>>,
    /// State names: `exists`, `up`, `destroyed`, `new`, ...
    #[serde(borrow, default, deserialize_with = "crate::cow::vec")]
    pub state: Vec<Cow<'a, str>>,
}

impl OsdInfo<'_> {
    /// The public address, parsed; `None` when absent.
    pub fn public_entity_addr(&self) -> Option<Result<EntityAddr, AddrError>> {
        addr::parse_opt(self.public_addr.as_ref())
    }

    /// The cluster address, parsed; `None` when absent.
    pub fn cluster_entity_addr(&self) -> Option<Result<EntityAddr, AddrError>> {
        addr::parse_opt(self.cluster_addr.as_ref())
    }

    /// Whether `state` lists `name`.
    pub fn has_state(&self, name: &str) -> bool {
        self.state.iter().any(|s| s == name)
    }
}

into_owned!(OsdInfo<'a> {
    osd, uuid, up, in_, weight, primary_affinity, up_from, up_thru, down_at, lost_at,
    public_addrs, cluster_addrs, public_addr, cluster_addr, heartbeat_back_addr,
    heartbeat_front_addr, state,
});

/// A pool's data protection scheme (`type` in `osd dump`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolType {
    /// `1`: replicated.
    Replicated,
    /// `3`: erasure coded.
    Erasure,
    /// Any other code.
    Other(u8),
}

impl PoolType {
    /// The type of a raw code.
    pub const fn from_code(code: u8) -> PoolType {
        match code {
            1 => PoolType::Replicated,
            3 => PoolType::Erasure,
            c => PoolType::Other(c),
        }
    }

    /// The name ceph-mgr exports (`replicated`, `erasure`, `unknown`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PoolType::Replicated => "replicated",
            PoolType::Erasure => "erasure",
            PoolType::Other(_) => "unknown",
        }
    }
}

impl From<u8> for PoolType {
    fn from(code: u8) -> Self {
        PoolType::from_code(code)
    }
}

/// One pool in `ceph osd dump` (`pools[]`).
///
/// `crush_rule` was `crush_ruleset` before Luminous; `application_metadata` appears in
/// Luminous, `pg_autoscale_mode` in Nautilus, `create_time` in Nautilus. `last_change` is a
/// quoted number in every release.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Pool<'a> {
    /// Pool id.
    #[serde(deserialize_with = "num::int")]
    pub pool: i64,
    /// Pool name.
    #[serde(borrow)]
    pub pool_name: Cow<'a, str>,
    /// Creation time (Nautilus and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<Cow<'a, str>>,
    /// Raw pool flag bits.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub flags: Option<u64>,
    /// Pool flags by name (`hashpspool,selfmanaged_snaps`).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub flags_names: Option<Flags<'a>>,
    /// Raw type code; see [`Pool::pool_type`].
    #[serde(rename = "type", deserialize_with = "num::int")]
    pub type_code: u8,
    /// Replicas (or k+m for erasure pools).
    #[serde(deserialize_with = "num::int")]
    pub size: u32,
    /// Minimum replicas for I/O.
    #[serde(deserialize_with = "num::int")]
    pub min_size: u32,
    /// CRUSH rule id (`crush_ruleset` before Luminous).
    #[serde(
        alias = "crush_ruleset",
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub crush_rule: Option<i64>,
    /// Number of PGs.
    #[serde(deserialize_with = "num::int")]
    pub pg_num: u32,
    /// Number of PGs for placement (`pgp_num`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pg_placement_num: Option<u32>,
    /// Target `pg_num` while it changes (Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pg_num_target: Option<u32>,
    /// PG autoscaler mode, `on`/`warn`/`off` (Nautilus and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub pg_autoscale_mode: Option<Cow<'a, str>>,
    /// Epoch of the last change (a quoted number in the dump).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_change: Option<u64>,
    /// Byte quota, 0 for none.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quota_max_bytes: Option<u64>,
    /// Object quota, 0 for none.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub quota_max_objects: Option<u64>,
    /// Erasure-code profile name (empty for replicated pools).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub erasure_code_profile: Option<Cow<'a, str>>,
    /// Stripe width in bytes (erasure pools).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub stripe_width: Option<u64>,
    /// Whether reads go to all shards (erasure pools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast_read: Option<bool>,
    /// Pool options (`compression_mode`, `pg_num_min`, ...), values as text.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::map",
        skip_serializing_if = "Map::is_empty"
    )]
    pub options: Map<'a, Cow<'a, str>>,
    /// Enabled applications (`rbd`, `cephfs`, `rgw`) and their key/value metadata (Luminous
    /// and later).
    #[serde(borrow, default, skip_serializing_if = "Map::is_empty")]
    pub application_metadata: Map<'a, Map<'a, Cow<'a, str>>>,
}

impl Pool<'_> {
    /// The pool's protection scheme.
    pub fn pool_type(&self) -> PoolType {
        PoolType::from_code(self.type_code)
    }

    /// `options.compression_mode`, if set.
    pub fn compression_mode(&self) -> Option<&str> {
        self.options.get("compression_mode").map(AsRef::as_ref)
    }

    /// The names of the enabled applications.
    pub fn applications(&self) -> impl Iterator<Item = &str> {
        self.application_metadata.keys()
    }
}

into_owned!(Pool<'a> {
    pool, pool_name, create_time, flags, flags_names, type_code, size, min_size, crush_rule,
    pg_num, pg_placement_num, pg_num_target, pg_autoscale_mode, last_change, quota_max_bytes,
    quota_max_objects, erasure_code_profile, stripe_width, fast_read, options,
    application_metadata,
});

/// An upmap exception: PG `pgid` uses OSD `to` instead of `from`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct UpmapPair {
    /// The OSD CRUSH chose.
    #[serde(deserialize_with = "num::int")]
    pub from: i64,
    /// The OSD used instead.
    #[serde(deserialize_with = "num::int")]
    pub to: i64,
}

into_owned!(UpmapPair);

/// `pg_upmap_items[]` (Luminous and later).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PgUpmapItems<'a> {
    /// The PG, `pool.hex`.
    #[serde(borrow)]
    pub pgid: Cow<'a, str>,
    /// The replacements.
    #[serde(default)]
    pub mappings: Vec<UpmapPair>,
}

into_owned!(PgUpmapItems<'a> { pgid, mappings });

/// `ceph osd dump -f json` (ceph-mgr's `get('osd_map')`).
///
/// Release differences: `blocklist` was `blacklist` before Pacific (both accepted);
/// `flags_set`/`flags_num` and `crush_version` appear in Luminous-to-Nautilus releases;
/// `require_osd_release`, `pg_upmap_items` in Luminous; `allow_crimson` in Reef.
///
/// ```
/// use ceph_types::OsdDump;
///
/// let d = OsdDump::parse(r#"{"epoch": 35, "fsid": "f", "flags": "noout,sortbitwise",
///     "osds": [{"osd": 0, "up": 1, "in": 1, "weight": 1, "public_addr": "127.0.0.1:6800/42"}],
///     "pools": []}"#)?;
/// assert!(d.flags.as_ref().is_some_and(|f| f.contains("noout")));
/// assert_eq!(d.osds[0].public_entity_addr().transpose()?.map(|a| a.nonce), Some(42));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdDump<'a> {
    /// OSD map epoch.
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
    /// Creation time of the map.
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
    /// Cluster flags (`noout,sortbitwise,...`).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Flags<'a>>,
    /// CRUSH map version.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub crush_version: Option<u64>,
    /// Ratio at which OSDs are full.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub full_ratio: Option<f64>,
    /// Ratio at which backfill stops.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub backfillfull_ratio: Option<f64>,
    /// Ratio at which OSDs are near full.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub nearfull_ratio: Option<f64>,
    /// Highest pool id ever used.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pool_max: Option<i64>,
    /// Size of the OSD id space.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_osd: Option<u64>,
    /// Minimum client release required (`luminous`, ...).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub require_min_compat_client: Option<Cow<'a, str>>,
    /// Oldest release among connected clients' features.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_compat_client: Option<Cow<'a, str>>,
    /// Minimum OSD release required (Luminous and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub require_osd_release: Option<Cow<'a, str>>,
    /// Whether crimson OSDs are allowed (Reef and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_crimson: Option<bool>,
    /// The pools.
    #[serde(borrow, default)]
    pub pools: Vec<Pool<'a>>,
    /// The OSDs.
    #[serde(borrow, default)]
    pub osds: Vec<OsdInfo<'a>>,
    /// Upmap exceptions (Luminous and later).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub pg_upmap_items: Vec<PgUpmapItems<'a>>,
    /// Blocklisted client addresses and their expiry (`blacklist` before Pacific).
    #[serde(
        borrow,
        alias = "blacklist",
        default,
        deserialize_with = "crate::cow::map",
        skip_serializing_if = "Map::is_empty"
    )]
    pub blocklist: Map<'a, Cow<'a, str>>,
    /// Erasure-code profiles by name, values as text (`k`, `m`, `plugin`, ...).
    #[serde(borrow, default, skip_serializing_if = "Map::is_empty")]
    pub erasure_code_profiles: Map<'a, Map<'a, Cow<'a, str>>>,
}

impl OsdDump<'_> {
    /// The OSD with id `id`.
    pub fn osd(&self, id: i64) -> Option<&OsdInfo<'_>> {
        self.osds.iter().find(|o| o.osd == id)
    }

    /// The pool with id `id`.
    pub fn pool(&self, id: i64) -> Option<&Pool<'_>> {
        self.pools.iter().find(|p| p.pool == id)
    }
}

into_owned!(OsdDump<'a> {
    epoch, fsid, created, modified, flags, crush_version, full_ratio, backfillfull_ratio,
    nearfull_ratio, pool_max, max_osd, require_min_compat_client, min_compat_client,
    require_osd_release, allow_crimson, pools, osds, pg_upmap_items, blocklist,
    erasure_code_profiles,
});
model!(OsdDump<'a>, OsdDump);
