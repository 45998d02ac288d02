//! `get_metadata_and_osd_status`, `get_osd_stats` and `get_osd_blocklisted_entries`: OSD
//! flags, metadata, up/in/weight, disk occupation, pool metadata, rgw and rbd-mirror metadata,
//! commit/apply latencies and the blocklist count.

use std::borrow::Cow;

use crate::Release;
use crate::daemons::{DaemonIndex, int, owned};
use crate::pools::PgSummary;
use crate::spec::{OSD_FLAGS, OSD_STATUS, StaticFamilies};
use ceph_types::{OsdCrushDump, OsdDump};

/// The part of `get_metadata_and_osd_status` that needs only the OSD map: flags, pool
/// metadata and (from Tentacle) the full ratios.
pub(crate) fn osd_map(out: &mut StaticFamilies, map: &OsdDump<'_>, release: Release) {
    if crate::layout::has_tentacle_families(release) {
        if let Some(r) = map.nearfull_ratio {
            out.push("ceph_osd_nearfull_ratio", [], r);
        }
        if let Some(r) = map.full_ratio {
            out.push("ceph_osd_full_ratio", [], r);
        }
    }
    for flag in OSD_FLAGS {
        let set = map.flags.as_ref().is_some_and(|f| f.contains(flag));
        let name = format!("ceph_osd_flag_{}", flag.replace('-', "_"));
        out.push(&name, [], set);
    }
    for pool in &map.pools {
        // The module's `pool['type']` codes: 1 replicated, 3 erasure.
        let (kind, description) = match pool.type_code {
            1 => ("replicated", format!("replica:{}", pool.size)),
            3 => (
                "erasure",
                map.erasure_code_profiles
                    .get(pool.erasure_code_profile.as_deref().unwrap_or(""))
                    .map_or_else(
                        || "ec:unknown".to_owned(),
                        |p| {
                            let get = |k: &str| p.get(k).map_or("", AsRef::as_ref);
                            format!("ec:{}+{}", get("k"), get("m"))
                        },
                    ),
            ),
            _ => ("unknown", "unknown".to_owned()),
        };
        let mut labels = vec![
            int(pool.pool),
            owned(&pool.pool_name),
            Cow::Borrowed(kind),
            Cow::Owned(description),
            owned(pool.compression_mode().unwrap_or("none")),
        ];
        if crate::layout::has_tentacle_families(release) {
            let apps: Vec<&str> = pool
                .applications()
                .map(|a| match a {
                    "rbd" => "Block",
                    "cephfs" => "Filesystem",
                    "rgw" => "Object",
                    other => other,
                })
                .collect();
            labels.push(Cow::Owned(apps.join(", ")));
        }
        out.push("ceph_pool_metadata", labels, 1u64);
    }
}

/// The part of `get_metadata_and_osd_status` that joins the OSD map with CRUSH and the OSD
/// metadata: `ceph_osd_metadata`, `ceph_osd_{weight,up,in}` and `ceph_disk_occupation`
/// (`_human`). OSDs without addresses, missing from CRUSH or without metadata are skipped, as
/// the module skips them.
pub(crate) fn osd_metadata(
    out: &mut StaticFamilies,
    map: &OsdDump<'_>,
    crush: &OsdCrushDump<'_>,
    index: &DaemonIndex<'_>,
) {
    // device id -> class, first entry wins (the module's linear search).
    let mut classes: std::collections::HashMap<i64, &str> =
        std::collections::HashMap::with_capacity(crush.devices.len());
    for d in &crush.devices {
        classes
            .entry(d.id)
            .or_insert(d.class.as_deref().unwrap_or(""));
    }
    let mut human: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut human_index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for osd in &map.osds {
        let p_addr = before_last_colon(osd.public_addr.as_deref().unwrap_or(""));
        let c_addr = before_last_colon(osd.cluster_addr.as_deref().unwrap_or(""));
        if p_addr == "-" || c_addr == "-" {
            continue;
        }
        let Some(class) = classes.get(&osd.osd) else {
            continue;
        };
        let id = osd.osd.to_string();
        let Some(md) = index.metadata("osd", &id) else {
            continue;
        };
        let (host, version) = index.host_version("osd", &id);
        let daemon = format!("osd.{id}");
        let field = |k: &str| md.get(k).unwrap_or("");
        let objectstore = field("osd_objectstore");
        out.push(
            "ceph_osd_metadata",
            [
                owned(field("back_iface")),
                Cow::Owned(daemon.clone()),
                owned(c_addr),
                owned(class),
                owned(field("front_iface")),
                owned(host),
                owned(objectstore),
                owned(p_addr),
                owned(version),
            ],
            1u64,
        );
        for state in OSD_STATUS {
            let name = format!("ceph_osd_{state}");
            let labels = [Cow::Owned(daemon.clone())];
            match state {
                "weight" => out.push(&name, labels, osd.weight),
                "up" => out.push(&name, labels, osd.up),
                _ => out.push(&name, labels, osd.in_),
            }
        }
        let (dev, wal, db) = match objectstore {
            "filestore" => (
                md.get("backend_filestore_dev_node"),
                field("osd_journal"),
                "",
            ),
            "bluestore" => (
                md.get("bluestore_bdev_dev_node"),
                field("bluefs_wal_dev_node"),
                field("bluefs_db_dev_node"),
            ),
            _ => (None, "", ""),
        };
        let dev = dev.filter(|d| !d.is_empty() && *d != "unknown");
        let nonempty = |k: &str| md.get(k).filter(|v| !v.is_empty()).unwrap_or("N/A");
        if let (Some(dev), Some(hostname)) = (dev, md.get("hostname").filter(|h| !h.is_empty())) {
            out.push(
                "ceph_disk_occupation",
                [
                    Cow::Owned(daemon.clone()),
                    owned(dev),
                    owned(db),
                    owned(wal),
                    owned(hostname),
                    owned(nonempty("devices")),
                    owned(nonempty("device_ids")),
                ],
                1u64,
            );
            // group_by(['device', 'instance'], join ceph_daemon with ", ")
            let key = (dev.to_owned(), hostname.to_owned());
            match human_index.get(&key) {
                Some(&i) => human[i].2.push(daemon),
                None => {
                    human_index.insert(key, human.len());
                    human.push((dev.to_owned(), hostname.to_owned(), vec![daemon]));
                }
            }
        }
    }
    for (dev, host, daemons) in human {
        out.push(
            "ceph_disk_occupation_human",
            [
                Cow::Owned(daemons.join(", ")),
                Cow::Owned(dev),
                Cow::Owned(host),
            ],
            1u64,
        );
    }
}

/// The end of `get_metadata_and_osd_status`: rgw and rbd-mirror daemons of the service map.
pub(crate) fn services(out: &mut StaticFamilies, index: &DaemonIndex<'_>) {
    for d in index.iter() {
        match d.kind {
            "rgw" => {
                let name = d.metadata.get("id").unwrap_or("");
                out.push(
                    "ceph_rgw_metadata",
                    [
                        Cow::Owned(format!("rgw.{name}")),
                        owned(d.hostname),
                        owned(d.version),
                        owned(&d.id),
                    ],
                    1u64,
                );
            }
            "rbd-mirror" => {
                let md = |k: &str| owned(d.metadata.get(k).unwrap_or(""));
                out.push(
                    "ceph_rbd_mirror_metadata",
                    [
                        Cow::Owned(d.name()),
                        md("id"),
                        md("instance_id"),
                        owned(d.hostname),
                        md("ceph_version"),
                    ],
                    1u64,
                );
            }
            _ => {}
        }
    }
}

/// `get_osd_stats`: commit and apply latency per OSD, in `osd_stats` order.
pub(crate) fn osd_stats(out: &mut StaticFamilies, pg: &PgSummary) {
    for &(osd, apply, commit) in &pg.osd_latency {
        let daemon: Cow<'static, str> = Cow::Owned(format!("osd.{osd}"));
        out.push("ceph_osd_apply_latency_ms", [daemon.clone()], apply);
        out.push("ceph_osd_commit_latency_ms", [daemon], commit);
    }
}

/// `get_osd_blocklisted_entries`: the number of entries `osd blocklist ls` lists.
pub(crate) fn blocklist(out: &mut StaticFamilies, map: &OsdDump<'_>) {
    out.push(
        "ceph_cluster_osd_blocklist_count",
        [],
        u64::try_from(map.blocklist.len()).unwrap_or(u64::MAX),
    );
}

/// The address without its port and nonce, as the module's `rsplit(':', 1)[0]`.
fn before_last_colon(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(a, _)| a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::static_specs;

    /// An OSD map: flags, four OSDs (osd.2 without addresses), three pools (one erasure pool
    /// with a profile that is not there), seven blocklist entries, the full ratios.
    const MAP: &str = r#"{"epoch": 1, "flags": "noout,sortbitwise,nodeep-scrub",
        "full_ratio": 0.95, "nearfull_ratio": 0.85,
        "osds": [
            {"osd": 0, "up": 1, "in": 1, "weight": 1.0,
             "public_addr": "10.0.0.1:6800/123", "cluster_addr": "10.1.0.1:6801/123"},
            {"osd": 1, "up": 0, "in": 1, "weight": 0.5,
             "public_addr": "10.0.0.2:6800/1", "cluster_addr": "10.1.0.2:6801/1"},
            {"osd": 2, "up": 0, "in": 0, "weight": 0.0, "public_addr": "-", "cluster_addr": "-"},
            {"osd": 3, "up": 0, "in": 0, "weight": 0.0,
             "public_addr": "10.0.0.3:6800/1", "cluster_addr": "10.1.0.3:6801/1"}],
        "pools": [
            {"pool": 1, "pool_name": "rbd", "type": 1, "size": 3, "min_size": 2, "pg_num": 32,
             "application_metadata": {"rbd": {}}},
            {"pool": 2, "pool_name": "ec", "type": 3, "size": 6, "min_size": 5, "pg_num": 32,
             "erasure_code_profile": "p",
             "options": {"compression_mode": "aggressive"},
             "application_metadata": {"rgw": {}, "custom": {}}},
            {"pool": 3, "pool_name": "ec2", "type": 3, "size": 3, "min_size": 2,
             "pg_num": 8, "erasure_code_profile": "missing"}],
        "blocklist": {"a:0/1": "t", "a:0/2": "t", "a:0/3": "t", "a:0/4": "t", "a:0/5": "t",
            "a:0/6": "t", "a:0/7": "t"},
        "erasure_code_profiles": {"p": {"k": "4", "m": "2", "plugin": "jerasure"}}}"#;

    fn map() -> OsdDump<'static> {
        OsdDump::parse(MAP).unwrap()
    }

    #[test]
    fn flags_and_pools_per_release() {
        let cases = [
            (
                Release::Reef,
                vec![
                    vec!["1", "rbd", "replicated", "replica:3", "none"],
                    vec!["2", "ec", "erasure", "ec:4+2", "aggressive"],
                    vec!["3", "ec2", "erasure", "ec:unknown", "none"],
                ],
            ),
            (
                Release::Tentacle,
                vec![
                    vec!["1", "rbd", "replicated", "replica:3", "none", "Block"],
                    vec![
                        "2",
                        "ec",
                        "erasure",
                        "ec:4+2",
                        "aggressive",
                        "Object, custom",
                    ],
                    vec!["3", "ec2", "erasure", "ec:unknown", "none", ""],
                ],
            ),
        ];
        for (release, want) in cases {
            let mut out = StaticFamilies::new(static_specs(release));
            osd_map(&mut out, &map(), release);
            let fams: Vec<_> = out.into_families(&[]).collect();
            let flag = |n: &str| {
                let f = fams.iter().find(|f| f.name == n).unwrap();
                match f.metrics[0].value {
                    expfmt::MetricValue::Scalar(v) => v.as_f64(),
                    _ => f64::NAN,
                }
            };
            assert_eq!(flag("ceph_osd_flag_noout"), 1.0);
            assert_eq!(flag("ceph_osd_flag_nodeep_scrub"), 1.0);
            assert_eq!(flag("ceph_osd_flag_noscrub"), 0.0);
            let pools: Vec<Vec<String>> = fams
                .iter()
                .find(|f| f.name == "ceph_pool_metadata")
                .unwrap()
                .metrics
                .iter()
                .map(|m| m.labels.iter().map(|l| l.value.to_string()).collect())
                .collect();
            assert_eq!(pools, want, "{release}");
            let ratio = fams.iter().find(|f| f.name == "ceph_osd_full_ratio");
            assert_eq!(ratio.is_some(), release == Release::Tentacle);
        }
    }

    #[test]
    fn metadata_joins_and_skips() {
        let osds = ceph_types::OsdMetadata::parse(
            r#"[{"id": 0, "hostname": "h1", "ceph_version": "V", "osd_objectstore": "bluestore",
                 "bluestore_bdev_dev_node": "/dev/sda", "devices": "sda"},
                {"id": 1, "hostname": "h1", "osd_objectstore": "bluestore",
                 "bluestore_bdev_dev_node": "/dev/sda", "bluefs_db_dev_node": "/dev/nvme0n1"}]"#,
        )
        .unwrap();
        let index = DaemonIndex::new(&[], &osds.osds, None);
        // osd.3 is missing from CRUSH, osd.2 has no address.
        let crush = OsdCrushDump::parse(
            r#"{"devices": [{"id": 0, "name": "osd.0", "class": "hdd"},
                {"id": 1, "name": "osd.1"}, {"id": 2, "name": "osd.2", "class": "ssd"}],
                "types": [], "buckets": [], "rules": [], "tunables": {}}"#,
        )
        .unwrap();
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        osd_metadata(&mut out, &map(), &crush, &index);
        let fams: Vec<_> = out.into_families(&[]).collect();
        let labels = |n: &str| -> Vec<Vec<String>> {
            fams.iter()
                .find(|f| f.name == n)
                .unwrap()
                .metrics
                .iter()
                .map(|m| m.labels.iter().map(|l| l.value.to_string()).collect())
                .collect()
        };
        assert_eq!(
            labels("ceph_osd_metadata"),
            [
                vec![
                    "",
                    "osd.0",
                    "10.1.0.1",
                    "hdd",
                    "",
                    "h1",
                    "bluestore",
                    "10.0.0.1",
                    "V"
                ],
                vec![
                    "",
                    "osd.1",
                    "10.1.0.2",
                    "",
                    "",
                    "h1",
                    "bluestore",
                    "10.0.0.2",
                    "V"
                ],
            ]
        );
        assert_eq!(
            labels("ceph_disk_occupation"),
            [
                vec!["osd.0", "/dev/sda", "", "", "h1", "sda", "N/A"],
                vec!["osd.1", "/dev/sda", "/dev/nvme0n1", "", "h1", "N/A", "N/A"],
            ]
        );
        assert_eq!(
            labels("ceph_disk_occupation_human"),
            [vec!["osd.0, osd.1", "/dev/sda", "h1"]]
        );
        assert_eq!(labels("ceph_osd_weight").len(), 2);
    }

    #[test]
    fn blocklist_and_latency() {
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        blocklist(&mut out, &map());
        let pg = PgSummary {
            osd_latency: vec![(2, 6u64.into(), 7u64.into())],
            ..PgSummary::default()
        };
        osd_stats(&mut out, &pg);
        let fams: Vec<_> = out.into_families(&[]).collect();
        let bl = fams
            .iter()
            .find(|f| f.name == "ceph_cluster_osd_blocklist_count")
            .unwrap();
        assert_eq!(
            bl.metrics[0].value,
            expfmt::MetricValue::Scalar(7u64.into())
        );
        let lat = fams
            .iter()
            .find(|f| f.name == "ceph_osd_commit_latency_ms")
            .unwrap();
        assert_eq!(lat.metrics[0].labels[0].value, "osd.2");
        assert_eq!(
            lat.metrics[0].value,
            expfmt::MetricValue::Scalar(7u64.into())
        );
    }
}
