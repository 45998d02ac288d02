//! `ceph osd tree`, `osd df`, `osd perf`, `osd metadata`, `osd crush dump`, `osd pool stats`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::addr::{AddrError, EntityAddr};
use crate::num;
use crate::owned::into_owned;
use crate::parse::model;
use crate::pg::OsdPerfStat;

/// One node of `ceph osd tree` / `ceph osd df tree`: a CRUSH bucket (negative id) or an OSD.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdTreeNode<'a> {
    /// Node id: OSDs are `>= 0`, buckets negative.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Name (`osd.0`, `node0`, `default`).
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Bucket type name (`osd`, `host`, `rack`, `root`, ...).
    #[serde(rename = "type", borrow)]
    pub type_name: Cow<'a, str>,
    /// Bucket type id.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_id: Option<i64>,
    /// Device class of an OSD (Luminous and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_class: Option<Cow<'a, str>>,
    /// Children ids of a bucket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<i64>,
    /// CRUSH weight of an OSD (TiB by convention).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub crush_weight: Option<f64>,
    /// Depth in the tree.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub depth: Option<u64>,
    /// Whether the OSD exists (0/1, `osd tree`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub exists: Option<u8>,
    /// `up`/`down`/`destroyed` of an OSD.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Cow<'a, str>>,
    /// Reweight, 0..1 (-1 for buckets in `osd df tree`).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub reweight: Option<f64>,
    /// Primary affinity, 0..1.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary_affinity: Option<f64>,
    /// KiB of capacity (`osd df`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb: Option<u64>,
    /// KiB used (`osd df`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used: Option<u64>,
    /// KiB used by object data (`osd df`, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used_data: Option<u64>,
    /// KiB used by omap (`osd df`, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used_omap: Option<u64>,
    /// KiB used by metadata (`osd df`, Nautilus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_used_meta: Option<u64>,
    /// KiB available (`osd df`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_avail: Option<u64>,
    /// Percent used (`osd df`; `-nan` for an OSD with no capacity on older releases).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub utilization: Option<f64>,
    /// Utilization relative to the average (`osd df`; may be `-nan`).
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub var: Option<f64>,
    /// PGs on the OSD (`osd df`).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pgs: Option<u64>,
}

impl OsdTreeNode<'_> {
    /// Whether the node is an OSD (id `>= 0`).
    pub fn is_osd(&self) -> bool {
        self.id >= 0
    }
}

into_owned!(OsdTreeNode<'a> {
    id, name, type_name, type_id, device_class, children, crush_weight, depth, exists, status,
    reweight, primary_affinity, kb, kb_used, kb_used_data, kb_used_omap, kb_used_meta, kb_avail,
    utilization, var, pgs,
});

/// `ceph osd tree -f json`: the CRUSH hierarchy with OSD state.
///
/// `nodes` lists buckets and OSDs in tree order; `stray` lists OSDs outside the hierarchy.
/// `device_class` appears in Luminous, `pool_weights` (ignored) in Mimic.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdTree<'a> {
    /// Buckets and OSDs.
    #[serde(borrow, default)]
    pub nodes: Vec<OsdTreeNode<'a>>,
    /// OSDs not in the CRUSH hierarchy.
    #[serde(borrow, default)]
    pub stray: Vec<OsdTreeNode<'a>>,
}

into_owned!(OsdTree<'a> { nodes, stray });
model!(OsdTree<'a>, OsdTree);

/// The totals of `ceph osd df` (`summary`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdDfSummary {
    /// KiB of capacity.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_kb: Option<u64>,
    /// KiB used.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_kb_used: Option<u64>,
    /// KiB available.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_kb_avail: Option<u64>,
    /// Average utilization, percent.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub average_utilization: Option<f64>,
    /// Lowest `var`.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_var: Option<f64>,
    /// Highest `var`.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_var: Option<f64>,
    /// Standard deviation of utilization.
    #[serde(
        default,
        deserialize_with = "num::opt_float",
        serialize_with = "num::opt_float_ser",
        skip_serializing_if = "Option::is_none"
    )]
    pub dev: Option<f64>,
}

into_owned!(OsdDfSummary);

/// `ceph osd df -f json` and `ceph osd df tree -f json`: per-OSD usage.
///
/// `osd df tree` adds bucket nodes (negative ids, `children`) and `stray`. Older releases print
/// bare `-nan` for `utilization`/`var` of an OSD with no capacity; `parse` handles it (the
/// values read as NaN).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdDf<'a> {
    /// OSDs (and buckets for `osd df tree`).
    #[serde(borrow, default)]
    pub nodes: Vec<OsdTreeNode<'a>>,
    /// OSDs outside the hierarchy (`osd df tree`).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub stray: Vec<OsdTreeNode<'a>>,
    /// Totals.
    #[serde(default)]
    pub summary: OsdDfSummary,
}

into_owned!(OsdDf<'a> { nodes, stray, summary });
model!(OsdDf<'a>, OsdDf);

/// One OSD's latencies in `ceph osd perf`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdPerfInfo {
    /// OSD id.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Latencies.
    #[serde(default)]
    pub perf_stats: OsdPerfStat,
}

into_owned!(OsdPerfInfo);

/// The `osdstats` wrapper of `ceph osd perf` (Luminous and later).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdPerfInfos {
    /// Per-OSD latencies.
    #[serde(default)]
    pub osd_perf_infos: Vec<OsdPerfInfo>,
}

into_owned!(OsdPerfInfos);

/// `ceph osd perf -f json`: commit/apply latency per OSD.
///
/// Luminous and later wrap the list as `{"osdstats": {"osd_perf_infos": [..]}}` (Reef adds
/// `pg_ready`); Jewel printed `{"osd_perf_infos": [..]}`. [`OsdPerf::infos`] reads either.
/// Nautilus adds the `*_ns` fields.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OsdPerf {
    /// Whether the mgr has stats yet (Pacific and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_ready: Option<bool>,
    /// The Luminous-and-later wrapper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osdstats: Option<OsdPerfInfos>,
    /// The Jewel form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osd_perf_infos: Option<Vec<OsdPerfInfo>>,
}

impl OsdPerf {
    /// The per-OSD latencies, whichever form the release printed.
    pub fn infos(&self) -> &[OsdPerfInfo] {
        match (&self.osdstats, &self.osd_perf_infos) {
            (Some(s), _) => &s.osd_perf_infos,
            (None, Some(v)) => v,
            (None, None) => &[],
        }
    }
}

into_owned!(OsdPerf);
model!(OsdPerf, OsdPerf);

/// One OSD's metadata from `ceph osd metadata`.
///
/// Ceph prints every value but `id` as a string; the fields exporters read are kept (ceph-mgr's
/// `ceph_osd_metadata` and `ceph_disk_occupation` labels, digitalocean's `ceph_osd_*` labels),
/// others (`arch`, `cpu`, `distro*`, `mem_*`, Rook's `container_*`/`pod_*`, ...) are ignored like
/// any unknown field. Numbers or booleans a future release might print are kept in their JSON
/// spelling. Release notes: `ceph_release`, `ceph_version_when_created`, `created_at` appear in
/// Octopus, `bluestore_min_alloc_size` in Pacific; FileStore OSDs have
/// `backend_filestore_dev_node` and `osd_journal` instead of the `bluestore_*`/`bluefs_*` keys.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OsdMetadataEntry<'a> {
    /// The OSD id.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Host name.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub hostname: Option<Cow<'a, str>>,
    /// Version string (`ceph version 18.2.7 (...) reef (stable)`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub ceph_version: Option<Cow<'a, str>>,
    /// Release name (`reef`; Octopus and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub ceph_release: Option<Cow<'a, str>>,
    /// Version that created the OSD (Octopus and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub ceph_version_when_created: Option<Cow<'a, str>>,
    /// Creation time (Octopus and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<Cow<'a, str>>,
    /// Object store (`bluestore`, `filestore`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub osd_objectstore: Option<Cow<'a, str>>,
    /// Device class detected at creation (`hdd`, `ssd`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_device_class: Option<Cow<'a, str>>,
    /// `1` for a rotational data device, `0` otherwise.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub rotational: Option<Cow<'a, str>>,
    /// Public address (`v2:IP:PORT/NONCE` list or `IP:PORT/NONCE`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub front_addr: Option<Cow<'a, str>>,
    /// Cluster address.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub back_addr: Option<Cow<'a, str>>,
    /// Network interface of the public address.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub front_iface: Option<Cow<'a, str>>,
    /// Network interface of the cluster address.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub back_iface: Option<Cow<'a, str>>,
    /// Block devices used, comma-separated (`sda,sdb`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub devices: Option<Cow<'a, str>>,
    /// Device ids, `dev=VENDOR_MODEL_SERIAL` comma-separated.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_ids: Option<Cow<'a, str>>,
    /// BlueStore data device node (`/dev/sdb`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluestore_bdev_dev_node: Option<Cow<'a, str>>,
    /// BlueStore data device size in bytes.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluestore_bdev_size: Option<Cow<'a, str>>,
    /// BlueStore allocation unit in bytes (Pacific and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluestore_min_alloc_size: Option<Cow<'a, str>>,
    /// `1` when BlueFS has its own DB device.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluefs_dedicated_db: Option<Cow<'a, str>>,
    /// `1` when BlueFS has its own WAL device.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluefs_dedicated_wal: Option<Cow<'a, str>>,
    /// BlueFS DB device node.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluefs_db_dev_node: Option<Cow<'a, str>>,
    /// BlueFS WAL device node.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub bluefs_wal_dev_node: Option<Cow<'a, str>>,
    /// FileStore data device node.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub backend_filestore_dev_node: Option<Cow<'a, str>>,
    /// FileStore journal path.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub osd_journal: Option<Cow<'a, str>>,
    /// Kernel version.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub kernel_version: Option<Cow<'a, str>>,
}

impl OsdMetadataEntry<'_> {
    /// The value of the key Ceph names `key` (`hostname`, `osd_objectstore`,
    /// `bluestore_bdev_dev_node`, ...), as the other daemons' metadata is read
    /// ([`DaemonMetadata::get`](crate::DaemonMetadata::get)); `None` for keys this model does
    /// not keep and keys the OSD did not report. (`id` is a number: read [`Self::id`].)
    ///
    /// ```
    /// use ceph_types::OsdMetadata;
    ///
    /// let md = OsdMetadata::parse(r#"[{"id": 0, "hostname": "node0", "osd_objectstore": "bluestore"}]"#)?;
    /// assert_eq!(md.osds[0].get("hostname"), Some("node0"));
    /// assert_eq!(md.osds[0].get("osd_journal"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        let v = match key {
            "hostname" => &self.hostname,
            "ceph_version" => &self.ceph_version,
            "ceph_release" => &self.ceph_release,
            "ceph_version_when_created" => &self.ceph_version_when_created,
            "created_at" => &self.created_at,
            "osd_objectstore" => &self.osd_objectstore,
            "default_device_class" => &self.default_device_class,
            "rotational" => &self.rotational,
            "front_addr" => &self.front_addr,
            "back_addr" => &self.back_addr,
            "front_iface" => &self.front_iface,
            "back_iface" => &self.back_iface,
            "devices" => &self.devices,
            "device_ids" => &self.device_ids,
            "bluestore_bdev_dev_node" => &self.bluestore_bdev_dev_node,
            "bluestore_bdev_size" => &self.bluestore_bdev_size,
            "bluestore_min_alloc_size" => &self.bluestore_min_alloc_size,
            "bluefs_dedicated_db" => &self.bluefs_dedicated_db,
            "bluefs_dedicated_wal" => &self.bluefs_dedicated_wal,
            "bluefs_db_dev_node" => &self.bluefs_db_dev_node,
            "bluefs_wal_dev_node" => &self.bluefs_wal_dev_node,
            "backend_filestore_dev_node" => &self.backend_filestore_dev_node,
            "osd_journal" => &self.osd_journal,
            "kernel_version" => &self.kernel_version,
            _ => return None,
        };
        v.as_deref()
    }

    /// `bluestore_bdev_size` in bytes, when present and numeric.
    pub fn bdev_size(&self) -> Option<u64> {
        self.bluestore_bdev_size.as_deref()?.parse().ok()
    }

    /// `rotational` as a boolean, when present.
    pub fn is_rotational(&self) -> Option<bool> {
        match self.rotational.as_deref()? {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }

    /// The public address, parsed (the first one of a `[v2:..,v1:..]` list).
    pub fn front_entity_addr(&self) -> Option<Result<EntityAddr, AddrError>> {
        self.front_addr
            .as_deref()
            .map(|a| EntityAddr::parse_vec(a).map(|v| v.into_iter().next().unwrap_or_default()))
    }
}

into_owned!(OsdMetadataEntry<'a> { id, hostname, ceph_version, ceph_release, ceph_version_when_created, created_at, osd_objectstore, default_device_class, rotational, front_addr, back_addr, front_iface, back_iface, devices, device_ids, bluestore_bdev_dev_node, bluestore_bdev_size, bluestore_min_alloc_size, bluefs_dedicated_db, bluefs_dedicated_wal, bluefs_db_dev_node, bluefs_wal_dev_node, backend_filestore_dev_node, osd_journal, kernel_version });

/// `ceph osd metadata -f json`: a list with one entry per OSD; `ceph osd metadata <id>` prints
/// one entry as an object, which reads as a one-element list.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct OsdMetadata<'a> {
    /// One entry per OSD.
    pub osds: Vec<OsdMetadataEntry<'a>>,
}

impl OsdMetadata<'_> {
    /// The entry of OSD `id`.
    pub fn get(&self, id: i64) -> Option<&OsdMetadataEntry<'_>> {
        self.osds.iter().find(|o| o.id == id)
    }
}

/// Visitor for [`OsdMetadata`]: a list of entries or a single entry.
struct MetadataVisitor;

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = OsdMetadata<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of OSD metadata objects or one object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut osds = Vec::new();
        while let Some(e) = seq.next_element()? {
            osds.push(e);
        }
        Ok(OsdMetadata { osds })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let e = OsdMetadataEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(OsdMetadata { osds: vec![e] })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OsdMetadata<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MetadataVisitor)
    }
}

impl crate::IntoOwned for OsdMetadata<'_> {
    type Owned = OsdMetadata<'static>;

    fn into_owned(self) -> OsdMetadata<'static> {
        OsdMetadata {
            osds: self.osds.into_owned(),
        }
    }
}

model!(OsdMetadata<'a>, OsdMetadata);

/// A CRUSH device (`devices[]` of `osd crush dump`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrushDevice<'a> {
    /// OSD id.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// `osd.<id>`.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Device class (`hdd`, `ssd`, `nvme`; Luminous and later).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub class: Option<Cow<'a, str>>,
}

into_owned!(CrushDevice<'a> { id, name, class });

/// A CRUSH bucket type (`types[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrushType<'a> {
    /// Type id.
    #[serde(deserialize_with = "num::int")]
    pub type_id: i64,
    /// Type name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

into_owned!(CrushType<'a> { type_id, name });

/// An item of a CRUSH bucket.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrushItem {
    /// Child id.
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Weight in 16.16 fixed point.
    #[serde(deserialize_with = "num::int")]
    pub weight: u64,
    /// Position.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pos: Option<u64>,
}

into_owned!(CrushItem);

/// A CRUSH bucket (`buckets[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrushBucket<'a> {
    /// Bucket id (negative).
    #[serde(deserialize_with = "num::int")]
    pub id: i64,
    /// Bucket name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Type id.
    #[serde(deserialize_with = "num::int")]
    pub type_id: i64,
    /// Type name.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_name: Option<Cow<'a, str>>,
    /// Weight in 16.16 fixed point.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<u64>,
    /// Algorithm (`straw2`, ...).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub alg: Option<Cow<'a, str>>,
    /// Hash (`rjenkins1`).
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash: Option<Cow<'a, str>>,
    /// Children.
    #[serde(default)]
    pub items: Vec<CrushItem>,
}

into_owned!(CrushBucket<'a> { id, name, type_id, type_name, weight, alg, hash, items });

/// A CRUSH rule (`rules[]`); steps are not modelled.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrushRule<'a> {
    /// Rule id.
    #[serde(deserialize_with = "num::int")]
    pub rule_id: i64,
    /// Rule name.
    #[serde(borrow)]
    pub rule_name: Cow<'a, str>,
    /// Ruleset (removed in Quincy).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ruleset: Option<i64>,
    /// Rule type (1 replicated, 3 erasure).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_code: Option<u8>,
}

into_owned!(CrushRule<'a> { rule_id, rule_name, ruleset, type_code });

/// `ceph osd crush dump -f json` (ceph-mgr's `get('osd_map_crush')`): devices with their
/// class, bucket types, buckets and rules. Tunables and `choose_args` are not modelled.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OsdCrushDump<'a> {
    /// Devices (OSDs).
    #[serde(borrow, default)]
    pub devices: Vec<CrushDevice<'a>>,
    /// Bucket types.
    #[serde(borrow, default)]
    pub types: Vec<CrushType<'a>>,
    /// Buckets.
    #[serde(borrow, default)]
    pub buckets: Vec<CrushBucket<'a>>,
    /// Rules.
    #[serde(borrow, default)]
    pub rules: Vec<CrushRule<'a>>,
}

impl OsdCrushDump<'_> {
    /// The device class of OSD `id`.
    pub fn device_class(&self, id: i64) -> Option<&str> {
        self.devices.iter().find(|d| d.id == id)?.class.as_deref()
    }
}

into_owned!(OsdCrushDump<'a> { devices, types, buckets, rules });
model!(OsdCrushDump<'a>, OsdCrushDump);

impl PoolIoRate {
    /// The rate Ceph names `key` (`recovering_bytes_per_sec`, `num_objects_recovered`, ...),
    /// `None` when the key is unknown or absent (Ceph leaves out rates with no activity).
    ///
    /// ```
    /// use ceph_types::OsdPoolStats;
    ///
    /// let stats = OsdPoolStats::parse(r#"[{"pool_name": "rbd", "pool_id": 1, "recovery": {},
    ///     "recovery_rate": {"recovering_bytes_per_sec": 4096}, "client_io_rate": {}}]"#)?;
    /// let rate = &stats.pools[0].recovery_rate;
    /// assert_eq!(rate.get("recovering_bytes_per_sec"), Some(4096));
    /// assert_eq!(rate.get("num_objects_recovered"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<u64> {
        match key {
            "recovering_objects_per_sec" => self.recovering_objects_per_sec,
            "recovering_bytes_per_sec" => self.recovering_bytes_per_sec,
            "recovering_keys_per_sec" => self.recovering_keys_per_sec,
            "num_objects_recovered" => self.num_objects_recovered,
            "num_bytes_recovered" => self.num_bytes_recovered,
            "num_keys_recovered" => self.num_keys_recovered,
            "read_bytes_sec" => self.read_bytes_sec,
            "write_bytes_sec" => self.write_bytes_sec,
            "read_op_per_sec" => self.read_op_per_sec,
            "write_op_per_sec" => self.write_op_per_sec,
            _ => None,
        }
    }
}

/// Recovery and client I/O rates of a pool (`recovery_rate`, `client_io_rate`); absent keys
/// mean no activity (ceph-mgr reads them as 0).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PoolIoRate {
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
    /// Omap keys recovered per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovering_keys_per_sec: Option<u64>,
    /// Objects recovered in the interval.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_objects_recovered: Option<u64>,
    /// Bytes recovered in the interval.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_bytes_recovered: Option<u64>,
    /// Keys recovered in the interval.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_keys_recovered: Option<u64>,
    /// Client bytes read per second.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_bytes_sec: Option<u64>,
    /// Client bytes written per second.
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
}

into_owned!(PoolIoRate);

/// Degraded/misplaced object counts of a pool (`recovery`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolRecovery {
    /// Degraded object copies.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub degraded_objects: Option<u64>,
    /// All object copies.
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
    /// All object copies.
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
}

into_owned!(PoolRecovery);

/// One pool in `ceph osd pool stats`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolStats<'a> {
    /// Pool name.
    #[serde(borrow)]
    pub pool_name: Cow<'a, str>,
    /// Pool id.
    #[serde(deserialize_with = "num::int")]
    pub pool_id: i64,
    /// Degraded/misplaced counts.
    #[serde(default)]
    pub recovery: PoolRecovery,
    /// Recovery rates (ceph-mgr's `ceph_pool_recovering_*`).
    #[serde(default)]
    pub recovery_rate: PoolIoRate,
    /// Client I/O rates.
    #[serde(default)]
    pub client_io_rate: PoolIoRate,
}

into_owned!(PoolStats<'a> { pool_name, pool_id, recovery, recovery_rate, client_io_rate });

/// `ceph osd pool stats -f json` (ceph-mgr's `get('osd_pool_stats')`, which wraps the same
/// list as `{"pool_stats": [..]}`; both forms are read).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct OsdPoolStats<'a> {
    /// One entry per pool.
    pub pools: Vec<PoolStats<'a>>,
}

/// The mgr's wrapped form of [`OsdPoolStats`].
#[derive(Deserialize)]
struct WrappedPoolStats<'a> {
    #[serde(borrow)]
    pool_stats: Vec<PoolStats<'a>>,
}

/// Visitor for [`OsdPoolStats`]: a list, or an object with `pool_stats`.
struct PoolStatsVisitor;

impl<'de> Visitor<'de> for PoolStatsVisitor {
    type Value = OsdPoolStats<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of pool stats or an object with `pool_stats`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut pools = Vec::new();
        while let Some(p) = seq.next_element()? {
            pools.push(p);
        }
        Ok(OsdPoolStats { pools })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let w = WrappedPoolStats::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(OsdPoolStats {
            pools: w.pool_stats,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OsdPoolStats<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PoolStatsVisitor)
    }
}

impl crate::IntoOwned for OsdPoolStats<'_> {
    type Owned = OsdPoolStats<'static>;

    fn into_owned(self) -> OsdPoolStats<'static> {
        OsdPoolStats {
            pools: self.pools.into_owned(),
        }
    }
}

model!(OsdPoolStats<'a>, OsdPoolStats);
