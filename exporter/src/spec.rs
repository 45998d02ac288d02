//! The mgr module's static families: names, types, HELP texts, label names and order, per
//! release, and which collection step fills each.
//!
//! Every text here is the module's own (`_setup_static_metrics` of ceph-mgr 16.2.15 and
//! 20.2.4, checked against the 16.2.15, 18.2.7 and 20.2.4 captures in `testdata/ceph`).

use std::borrow::Cow;
use std::collections::HashMap;

use expfmt::{MetricFamily, MetricType};

use crate::Release;

/// The module's collection step that fills a family; a step whose inputs are missing or
/// malformed leaves its families out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Step {
    Health,
    PoolStats,
    Df,
    Blocklist,
    Fs,
    OsdStats,
    Quorum,
    Mgr,
    OsdMap,
    OsdMetadata,
    Services,
    PgStatus,
    Repaired,
    NumObjects,
    DaemonHealth,
    /// `ceph_rbd_image_metadata` (Tentacle): the images of every pool with the `rbd`
    /// application.
    RbdImages,
    /// `get_smb_metadata` (Tentacle): needs the smb mgr module and an orchestrator.
    Smb,
    /// `get_hardware_metrics` (Tentacle): needs cephadm's node-proxy.
    Hardware,
    /// `set_cephadm_daemon_status_metrics` (Tentacle): needs the cephadm orchestrator.
    Cephadm,
    Durations,
}

/// `OSD_FLAGS`.
pub(crate) const OSD_FLAGS: [&str; 9] = [
    "noup",
    "nodown",
    "noout",
    "noin",
    "nobackfill",
    "norebalance",
    "norecover",
    "noscrub",
    "nodeep-scrub",
];

/// `OSD_STATUS`.
pub(crate) const OSD_STATUS: [&str; 3] = ["weight", "up", "in"];

/// `OSD_STATS`.
pub(crate) const OSD_STATS: [&str; 2] = ["apply_latency_ms", "commit_latency_ms"];

/// `OSD_POOL_STATS` (the module lists `num_bytes_recovered` twice; once is enough).
pub(crate) const OSD_POOL_STATS: [&str; 5] = [
    "recovering_objects_per_sec",
    "recovering_bytes_per_sec",
    "recovering_keys_per_sec",
    "num_objects_recovered",
    "num_bytes_recovered",
];

/// `PG_STATES` of `mgr_module.py`.
pub(crate) const PG_STATES: [&str; 34] = [
    "active",
    "clean",
    "down",
    "recovery_unfound",
    "backfill_unfound",
    "scrubbing",
    "degraded",
    "inconsistent",
    "peering",
    "repair",
    "recovering",
    "forced_recovery",
    "backfill_wait",
    "incomplete",
    "stale",
    "remapped",
    "deep",
    "backfilling",
    "forced_backfill",
    "backfill_toofull",
    "recovery_wait",
    "recovery_toofull",
    "undersized",
    "activating",
    "peered",
    "snaptrim",
    "snaptrim_wait",
    "snaptrim_error",
    "creating",
    "unknown",
    "premerge",
    "failed_repair",
    "laggy",
    "wait",
];

/// `DF_CLUSTER`.
pub(crate) const DF_CLUSTER: [&str; 3] =
    ["total_bytes", "total_used_bytes", "total_used_raw_bytes"];

/// `DF_POOL`.
pub(crate) const DF_POOL: [&str; 16] = [
    "max_avail",
    "avail_raw",
    "stored",
    "stored_raw",
    "objects",
    "dirty",
    "quota_bytes",
    "quota_objects",
    "rd",
    "rd_bytes",
    "wr",
    "wr_bytes",
    "compress_bytes_used",
    "compress_under_bytes",
    "bytes_used",
    "percent_used",
];

/// `NUM_OBJECTS`.
pub(crate) const NUM_OBJECTS: [&str; 3] = ["degraded", "misplaced", "unfound"];

const FS_METADATA: &[&str] = &["data_pools", "fs_id", "metadata_pool", "name"];
const MDS_METADATA: &[&str] = &[
    "ceph_daemon",
    "fs_id",
    "hostname",
    "public_addr",
    "rank",
    "ceph_version",
];
const MON_METADATA: &[&str] = &[
    "ceph_daemon",
    "hostname",
    "public_addr",
    "rank",
    "ceph_version",
];
const MGR_METADATA: &[&str] = &["ceph_daemon", "hostname", "ceph_version"];
const OSD_METADATA: &[&str] = &[
    "back_iface",
    "ceph_daemon",
    "cluster_addr",
    "device_class",
    "front_iface",
    "hostname",
    "objectstore",
    "public_addr",
    "ceph_version",
];
const DISK_OCCUPATION: &[&str] = &[
    "ceph_daemon",
    "device",
    "db_device",
    "wal_device",
    "instance",
    "devices",
    "device_ids",
];
const DISK_OCCUPATION_HUMAN: &[&str] = &["ceph_daemon", "device", "instance"];
const POOL_METADATA: &[&str] = &["pool_id", "name", "type", "description", "compression_mode"];
const POOL_METADATA_APP: &[&str] = &[
    "pool_id",
    "name",
    "type",
    "description",
    "compression_mode",
    "application",
];
const RGW_METADATA: &[&str] = &["ceph_daemon", "hostname", "ceph_version", "instance_id"];
const RBD_MIRROR_METADATA: &[&str] = &[
    "ceph_daemon",
    "id",
    "instance_id",
    "hostname",
    "ceph_version",
];
const RBD_IMAGE_METADATA: &[&str] = &["pool_id", "image_name"];
const HEALTH_DETAIL: &[&str] = &["name", "severity"];
const SMB_METADATA: &[&str] = &[
    "smb_version",
    "volume",
    "subvolume_group",
    "subvolume",
    "netbiosname",
    "share",
];
const CEPHADM_DAEMON_STATUS: &[&str] = &["service_type", "daemon_name", "hostname", "service_name"];
const HW_STORAGE: &[&str] = &[
    "hostname",
    "device",
    "model",
    "protocol",
    "firmware_version",
    "slot",
    "serial_number",
];
const HW_CPU: &[&str] = &["hostname", "cpu", "manufacturer", "model", "total_threads"];
const HW_MEMORY: &[&str] = &["hostname", "dimm", "type"];
const HW_HEALTH: &[&str] = &["hostname", "component", "category"];
const HW_FAN: &[&str] = &["hostname", "fan_name"];
const HW_TEMPERATURE: &[&str] = &["hostname", "sensor_name"];
const HW_FIRMWARE: &[&str] = &["hostname", "component", "version"];
const CEPH_DAEMON: &[&str] = &["ceph_daemon"];
const POOL_ID: &[&str] = &["pool_id"];
const POOLID: &[&str] = &["poolid"];
const NAME: &[&str] = &["name"];
const METHOD: &[&str] = &["method"];
const DEVICE_CLASS: &[&str] = &["device_class"];
const NONE: &[&str] = &[];

/// One static family of the module.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    /// The full name, `ceph_` included.
    pub(crate) name: Cow<'static, str>,
    pub(crate) metric_type: MetricType,
    pub(crate) help: Cow<'static, str>,
    /// Label names, in the module's order.
    pub(crate) labels: &'static [&'static str],
    pub(crate) step: Step,
}

fn spec(
    name: impl Into<Cow<'static, str>>,
    metric_type: MetricType,
    help: impl Into<Cow<'static, str>>,
    labels: &'static [&'static str],
    step: Step,
) -> Spec {
    Spec {
        name: name.into(),
        metric_type,
        help: help.into(),
        labels,
        step,
    }
}

/// The module's `promethize` for the static names that need it (`nodeep-scrub`).
fn static_name(path: &str) -> String {
    format!("ceph_{}", path.replace('-', "_"))
}

/// The static families of `release`'s module, in its `_setup_static_metrics` order, followed
/// by the collect-duration pair that the module adds after its first collection.
pub(crate) fn static_specs(release: Release) -> Vec<Spec> {
    use MetricType::{Counter, Gauge, Untyped};
    let tentacle = crate::layout::has_tentacle_families(release);
    let reef = crate::layout::has_reef_families(release);
    let mut v = vec![
        spec(
            "ceph_health_status",
            Untyped,
            "Cluster health status",
            NONE,
            Step::Health,
        ),
        spec(
            "ceph_mon_quorum_status",
            Gauge,
            "Monitors in quorum",
            CEPH_DAEMON,
            Step::Quorum,
        ),
        spec(
            "ceph_fs_metadata",
            Untyped,
            "FS Metadata",
            FS_METADATA,
            Step::Fs,
        ),
        spec(
            "ceph_mds_metadata",
            Untyped,
            "MDS Metadata",
            MDS_METADATA,
            Step::Fs,
        ),
        spec(
            "ceph_mon_metadata",
            Untyped,
            "MON Metadata",
            MON_METADATA,
            Step::Quorum,
        ),
        spec(
            "ceph_mgr_metadata",
            Gauge,
            "MGR metadata",
            MGR_METADATA,
            Step::Mgr,
        ),
        spec(
            "ceph_mgr_status",
            Gauge,
            "MGR status (0=standby, 1=active)",
            CEPH_DAEMON,
            Step::Mgr,
        ),
        spec(
            "ceph_mgr_module_status",
            Gauge,
            "MGR module status (0=disabled, 1=enabled, 2=auto-enabled)",
            NAME,
            Step::Mgr,
        ),
        spec(
            "ceph_mgr_module_can_run",
            Gauge,
            "MGR module runnable state i.e. can it run (0=no, 1=yes)",
            NAME,
            Step::Mgr,
        ),
        spec(
            "ceph_osd_metadata",
            Untyped,
            "OSD Metadata",
            OSD_METADATA,
            Step::OsdMetadata,
        ),
    ];
    if tentacle {
        v.push(spec(
            "ceph_osd_nearfull_ratio",
            Gauge,
            "OSD cluster-wide nearfull ratio",
            NONE,
            Step::OsdMap,
        ));
        v.push(spec(
            "ceph_osd_full_ratio",
            Gauge,
            "OSD cluster-wide full ratio",
            NONE,
            Step::OsdMap,
        ));
    }
    v.extend([
        spec(
            "ceph_disk_occupation",
            Untyped,
            "Associate Ceph daemon with disk used",
            DISK_OCCUPATION,
            Step::OsdMetadata,
        ),
        // The module replaces this family by `disk_occupation.group_by(...)`, which keeps
        // `disk_occupation`'s HELP text.
        spec(
            "ceph_disk_occupation_human",
            Untyped,
            "Associate Ceph daemon with disk used",
            DISK_OCCUPATION_HUMAN,
            Step::OsdMetadata,
        ),
        spec(
            "ceph_pool_metadata",
            Untyped,
            "POOL Metadata",
            if tentacle {
                POOL_METADATA_APP
            } else {
                POOL_METADATA
            },
            Step::OsdMap,
        ),
        spec(
            "ceph_rgw_metadata",
            Untyped,
            "RGW Metadata",
            RGW_METADATA,
            Step::Services,
        ),
        spec(
            "ceph_rbd_mirror_metadata",
            Untyped,
            "RBD Mirror Metadata",
            RBD_MIRROR_METADATA,
            Step::Services,
        ),
    ]);
    if tentacle {
        v.push(spec(
            "ceph_rbd_image_metadata",
            Untyped,
            "RBD Image Metadata",
            RBD_IMAGE_METADATA,
            Step::RbdImages,
        ));
    }
    v.extend([
        spec(
            "ceph_pg_total",
            Gauge,
            "PG Total Count per Pool",
            POOL_ID,
            Step::PgStatus,
        ),
        spec(
            "ceph_health_detail",
            Gauge,
            "healthcheck status by type (0=inactive, 1=active)",
            HEALTH_DETAIL,
            Step::Health,
        ),
        spec(
            "ceph_pool_objects_repaired",
            Counter,
            "Number of objects repaired in a pool",
            if crate::layout::repaired_label(release) == "poolid" {
                POOLID
            } else {
                POOL_ID
            },
            Step::Repaired,
        ),
        spec(
            "ceph_daemon_health_metrics",
            Gauge,
            "Health metrics for Ceph daemons",
            &["type", "ceph_daemon"],
            Step::DaemonHealth,
        ),
    ]);
    if tentacle {
        v.push(spec(
            "ceph_smb_metadata",
            Untyped,
            "SMB Metadata",
            SMB_METADATA,
            Step::Smb,
        ));
        v.push(spec(
            "ceph_cephadm_daemon_status",
            Gauge,
            "Status of cephadm daemons (0=stopped, 1=running, 2=errored)",
            CEPHADM_DAEMON_STATUS,
            Step::Cephadm,
        ));
    }
    for flag in OSD_FLAGS {
        v.push(spec(
            static_name(&format!("osd_flag_{flag}")),
            Untyped,
            format!("OSD Flag {flag}"),
            NONE,
            Step::OsdMap,
        ));
    }
    for state in OSD_STATUS {
        v.push(spec(
            format!("ceph_osd_{state}"),
            Untyped,
            format!("OSD status {state}"),
            CEPH_DAEMON,
            Step::OsdMetadata,
        ));
    }
    for stat in OSD_STATS {
        v.push(spec(
            format!("ceph_osd_{stat}"),
            Gauge,
            format!("OSD stat {stat}"),
            CEPH_DAEMON,
            Step::OsdStats,
        ));
    }
    for stat in OSD_POOL_STATS {
        v.push(spec(
            format!("ceph_pool_{stat}"),
            Gauge,
            format!("OSD pool stats: {stat}"),
            POOL_ID,
            Step::PoolStats,
        ));
    }
    for state in PG_STATES {
        v.push(spec(
            format!("ceph_pg_{state}"),
            Gauge,
            format!("PG {state} per pool"),
            POOL_ID,
            Step::PgStatus,
        ));
    }
    for stat in DF_CLUSTER {
        v.push(spec(
            format!("ceph_cluster_{stat}"),
            Gauge,
            format!("DF {stat}"),
            NONE,
            Step::Df,
        ));
        if reef {
            v.push(spec(
                format!("ceph_cluster_by_class_{stat}"),
                Gauge,
                format!("DF {stat}"),
                DEVICE_CLASS,
                Step::Df,
            ));
        }
    }
    for stat in DF_POOL {
        let t = if matches!(stat, "rd" | "rd_bytes" | "wr" | "wr_bytes") {
            Counter
        } else {
            Gauge
        };
        v.push(spec(
            format!("ceph_pool_{stat}"),
            t,
            format!("DF pool {stat}"),
            POOL_ID,
            Step::Df,
        ));
    }
    if reef {
        v.push(spec(
            "ceph_cluster_osd_blocklist_count",
            Gauge,
            "OSD Blocklist Count osd_blocklist_count",
            NONE,
            Step::Blocklist,
        ));
    }
    for what in NUM_OBJECTS {
        v.push(spec(
            format!("ceph_num_objects_{what}"),
            Gauge,
            format!("Number of {what} objects"),
            NONE,
            Step::NumObjects,
        ));
    }
    v.push(spec(
        "ceph_healthcheck_slow_ops",
        Gauge,
        "OSD or Monitor requests taking a long time to process",
        NONE,
        Step::Health,
    ));
    if tentacle {
        // `get_hardware_metrics`: node-proxy's report, through the cephadm orchestrator.
        let hardware: [(&'static str, &'static str, &'static [&'static str]); 7] = [
            (
                "ceph_hardware_storage_capacity_bytes",
                "Storage device capacity in bytes",
                HW_STORAGE,
            ),
            ("ceph_hardware_cpu_cores", "Total CPU cores", HW_CPU),
            (
                "ceph_hardware_memory_capacity_bytes",
                "Memory capacity in bytes",
                HW_MEMORY,
            ),
            (
                "ceph_hardware_health",
                "Hardware component health status (0=OK, 1=Warning, 2=Error)",
                HW_HEALTH,
            ),
            ("ceph_hardware_fan_rpm", "Hardware fan speed in RPM", HW_FAN),
            (
                "ceph_hardware_temperature_celsius",
                "Hardware temperature sensor reading in Celsius",
                HW_TEMPERATURE,
            ),
            (
                "ceph_hardware_firmware_info",
                "Firmware version information (value is always 1, version in label)",
                HW_FIRMWARE,
            ),
        ];
        for (name, help, labels) in hardware {
            v.push(spec(name, Gauge, help, labels, Step::Hardware));
        }
    }
    v
}

/// The collect-duration pair (`MetricCounter`s the module creates on its first collection,
/// after the perf-counter families).
pub(crate) fn duration_specs() -> [Spec; 2] {
    [
        spec(
            "ceph_prometheus_collect_duration_seconds_sum",
            MetricType::Counter,
            "The sum of seconds took to collect all metrics of this exporter",
            METHOD,
            Step::Durations,
        ),
        spec(
            "ceph_prometheus_collect_duration_seconds_count",
            MetricType::Counter,
            "The amount of metrics gathered for this exporter",
            METHOD,
            Step::Durations,
        ),
    ]
}

/// The static families of one collection, filled by the steps, in the module's order.
#[derive(Debug)]
pub(crate) struct StaticFamilies {
    specs: Vec<Spec>,
    families: Vec<MetricFamily<'static>>,
    index: HashMap<Cow<'static, str>, usize>,
    /// Families removed for this collection (`remove`).
    removed: Vec<bool>,
}

impl StaticFamilies {
    /// Empty families for `specs`.
    pub(crate) fn new(specs: Vec<Spec>) -> Self {
        let mut index = HashMap::with_capacity(specs.len());
        let families = specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                index.insert(s.name.clone(), i);
                MetricFamily::new(s.name.clone(), s.metric_type).with_help(s.help.clone())
            })
            .collect();
        let removed = vec![false; specs.len()];
        StaticFamilies {
            specs,
            families,
            index,
            removed,
        }
    }

    /// Leaves family `name` out of this collection.
    pub(crate) fn remove(&mut self, name: &str) {
        if let Some(&i) = self.index.get(name) {
            self.removed[i] = true;
        }
    }

    /// Adds a sample to family `name`, with one value per label name. A family this release
    /// does not have is ignored.
    pub(crate) fn push(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Cow<'static, str>>,
        value: impl Into<expfmt::Value>,
    ) {
        let Some(&i) = self.index.get(name) else {
            return;
        };
        let labels = self.specs[i]
            .labels
            .iter()
            .zip(values)
            .map(|(n, v)| expfmt::Label::new(*n, v))
            .collect();
        self.families[i]
            .metrics
            .push(expfmt::Metric::scalar(labels, value));
    }

    /// The families, in order, without those whose step is in `skipped`.
    pub(crate) fn into_families(
        self,
        skipped: &[Step],
    ) -> impl Iterator<Item = MetricFamily<'static>> {
        self.specs
            .into_iter()
            .zip(self.families)
            .zip(self.removed)
            .filter(move |((s, _), removed)| !removed && !skipped.contains(&s.step))
            .map(|((_, f), _)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_counts_per_release() {
        // (release, static families): 16.2.15's module has 95 static families; 18.2.7 adds
        // 3 by-class families and the blocklist count; 20.2.4 adds the two ratios, RBD image
        // and SMB metadata, cephadm daemon status and 7 hardware families.
        let cases = [
            (Release::Pacific, 95),
            (Release::Quincy, 95),
            (Release::Reef, 99),
            (Release::Squid, 99),
            (Release::Tentacle, 111),
        ];
        for (r, n) in cases {
            let specs = static_specs(r);
            assert_eq!(specs.len(), n, "{r}");
            let mut names: Vec<_> = specs.iter().map(|s| s.name.as_ref()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "{r}: duplicate name");
            assert!(names.iter().all(|n| expfmt::is_valid_metric_name(n)));
        }
    }

    #[test]
    fn release_deltas() {
        let find = |r, name: &str| {
            static_specs(r)
                .into_iter()
                .find(|s| s.name == name)
                .map(|s| s.labels)
        };
        let cases: [(Release, &str, Option<&[&str]>); 6] = [
            (Release::Pacific, "ceph_pool_objects_repaired", Some(POOLID)),
            (Release::Reef, "ceph_pool_objects_repaired", Some(POOL_ID)),
            (Release::Pacific, "ceph_cluster_by_class_total_bytes", None),
            (
                Release::Reef,
                "ceph_cluster_by_class_total_bytes",
                Some(DEVICE_CLASS),
            ),
            (Release::Reef, "ceph_pool_metadata", Some(POOL_METADATA)),
            (
                Release::Tentacle,
                "ceph_pool_metadata",
                Some(POOL_METADATA_APP),
            ),
        ];
        for (r, name, labels) in cases {
            assert_eq!(find(r, name), labels, "{r} {name}");
        }
        let pacific = static_specs(Release::Pacific);
        let flag = pacific
            .iter()
            .find(|s| s.help == "OSD Flag nodeep-scrub")
            .map(|s| s.name.as_ref());
        assert_eq!(flag, Some("ceph_osd_flag_nodeep_scrub"));
    }

    #[test]
    fn push_fills_labels_in_order_and_skips_steps() {
        let mut f = StaticFamilies::new(static_specs(Release::Reef));
        f.push(
            "ceph_pool_metadata",
            ["1", "rbd", "replicated", "replica:3", "none"].map(Cow::Borrowed),
            1u64,
        );
        f.push("ceph_no_such_family", [], 1u64);
        f.remove("ceph_osd_up");
        let all: Vec<_> = f.into_families(&[Step::Health]).collect();
        assert!(all.iter().all(|f| f.name != "ceph_osd_up"));
        assert!(all.iter().any(|f| f.name == "ceph_osd_in"));
        assert!(all.iter().all(|f| f.name != "ceph_health_status"));
        let pm = all.iter().find(|f| f.name == "ceph_pool_metadata").unwrap();
        let names: Vec<_> = pm.metrics[0]
            .labels
            .iter()
            .map(|l| l.name.as_ref())
            .collect();
        assert_eq!(names, POOL_METADATA);
        assert_eq!(pm.metrics[0].labels[4].value, "none");
    }
}
