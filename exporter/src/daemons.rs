//! The daemon index (the mgr's `list_servers()`), and the steps that read it with one map:
//! monitors (`get_quorum_status`), managers (`get_mgr_status`) and file systems (`get_fs`).

use std::borrow::Cow;

use ceph_types::{FsDump, MdsInfo, MgrDump, MonDump, MonStatus, OsdMetadataEntry, QuorumStatus};
use ceph_types::{Map, ServiceDump};

use crate::Release;
use crate::spec::StaticFamilies;

/// A daemon's metadata, as the `ceph-types` model of its source holds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Metadata<'m> {
    /// `mon metadata`, `mgr metadata`, `mds metadata`.
    Named(&'m ceph_types::DaemonMetadata<'m>),
    /// `osd metadata`.
    Osd(&'m OsdMetadataEntry<'m>),
    /// A service map daemon's `metadata`.
    Service(&'m Map<'m, Cow<'m, str>>),
}

impl<'m> Metadata<'m> {
    /// The value of `key` (`hostname`, `ceph_version`, ...), if present.
    pub(crate) fn get(self, key: &str) -> Option<&'m str> {
        match self {
            Metadata::Named(m) => m.get(key),
            Metadata::Osd(m) => m.get(key),
            Metadata::Service(m) => m.get(key).map(AsRef::as_ref),
        }
    }
}

/// One daemon the mgr knows from metadata: its type, id, host and metadata.
#[derive(Debug, Clone)]
pub(crate) struct Daemon<'m> {
    pub(crate) kind: &'m str,
    pub(crate) id: Cow<'m, str>,
    pub(crate) hostname: &'m str,
    pub(crate) metadata: Metadata<'m>,
    /// The `ceph_version` `list_servers()` reports for it: the daemon's own, or else the last
    /// one seen before it on the same host (the mgr's `dump_server` carries it over).
    pub(crate) version: &'m str,
}

impl Daemon<'_> {
    /// `type.id`, as the module names daemons (`osd.0`).
    pub(crate) fn name(&self) -> String {
        format!("{}.{}", self.kind, self.id)
    }
}

/// Every daemon of the metadata dumps and the service map, in `list_servers()` order: hosts
/// sorted by name, and on each host daemons sorted by (type, id) as strings.
#[derive(Debug, Clone, Default)]
pub(crate) struct DaemonIndex<'m> {
    daemons: Vec<Daemon<'m>>,
}

impl<'m> DaemonIndex<'m> {
    /// Builds the index from per-type metadata lists (`("mon", &mons)`, ...), the OSDs'
    /// metadata and the service map's daemons (rgw, rbd-mirror, ...).
    pub(crate) fn new(
        typed: &[(&'m str, &'m [ceph_types::DaemonMetadata<'m>])],
        osds: &'m [OsdMetadataEntry<'m>],
        services: Option<&'m ServiceDump<'m>>,
    ) -> Self {
        let mut all: Vec<(&'m str, Cow<'m, str>, Metadata<'m>)> = Vec::new();
        for (kind, list) in typed {
            for md in *list {
                all.push((kind, Cow::Borrowed(&md.name), Metadata::Named(md)));
            }
        }
        for md in osds {
            all.push(("osd", Cow::Owned(md.id.to_string()), Metadata::Osd(md)));
        }
        for (service, svc) in services.iter().flat_map(|s| s.services.iter()) {
            for (key, d) in svc.daemons.iter() {
                all.push((service, Cow::Borrowed(key), Metadata::Service(&d.metadata)));
            }
        }
        // DaemonKey order, then a stable regroup by host (the mgr's std::map order).
        all.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        all.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let mut daemons: Vec<Daemon<'m>> = all
            .into_iter()
            .map(|(kind, id, md)| Daemon {
                kind,
                id,
                hostname: md.get("hostname").unwrap_or(""),
                metadata: md,
                version: "",
            })
            .collect();
        daemons.sort_by(|a, b| a.hostname.cmp(b.hostname));
        let mut host = None;
        let mut carried = "";
        for d in &mut daemons {
            if host != Some(d.hostname) {
                host = Some(d.hostname);
                carried = "";
            }
            if let Some(v) = d.metadata.get("ceph_version") {
                carried = v;
            }
            d.version = carried;
        }
        DaemonIndex { daemons }
    }

    /// The daemons, in `list_servers()` order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Daemon<'m>> {
        self.daemons.iter()
    }

    /// `get_service_list()[(id, type)]`: host and version, `("", "")` when unknown.
    pub(crate) fn host_version(&self, kind: &str, id: &str) -> (&'m str, &'m str) {
        self.daemons
            .iter()
            .rev()
            .find(|d| d.kind == kind && d.id == id)
            .map_or(("", ""), |d| (d.hostname, d.version))
    }

    /// The metadata of one daemon (`get_metadata(type, id)`).
    pub(crate) fn metadata(&self, kind: &str, id: &str) -> Option<Metadata<'m>> {
        self.daemons
            .iter()
            .find(|d| d.kind == kind && d.id == id)
            .map(|d| d.metadata)
    }
}

/// Metadata of daemon `name` with string keys `fields`, for tests.
#[cfg(test)]
pub(crate) fn md(
    name: &str,
    fields: &[(&'static str, &'static str)],
) -> ceph_types::DaemonMetadata<'static> {
    let mut m = ceph_types::DaemonMetadata::new(name.to_owned());
    for (k, v) in fields {
        m.fields.push(*k, Cow::Borrowed(*v));
    }
    m
}

/// A monitor's `mon_status` or the cluster's `quorum_status`: either gives the monmap and
/// the quorum.
#[derive(Debug)]
pub(crate) enum MonDoc<'a> {
    Status(MonStatus<'a>),
    Quorum(QuorumStatus<'a>),
}

impl<'a> MonDoc<'a> {
    /// Parses either shape (`mon_status` first).
    pub(crate) fn parse(text: &'a str) -> Result<Self, ceph_types::Error> {
        match MonStatus::parse(text) {
            Ok(s) => Ok(MonDoc::Status(s)),
            Err(first) => QuorumStatus::parse(text)
                .map(MonDoc::Quorum)
                .map_err(|_| first),
        }
    }

    /// The ranks in quorum and the monmap.
    fn parts(&self) -> (&[i64], &MonDump<'a>) {
        match self {
            MonDoc::Status(s) => (&s.quorum, &s.monmap),
            MonDoc::Quorum(q) => (&q.quorum, &q.monmap),
        }
    }
}

pub(crate) fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_owned())
}

pub(crate) fn int(v: i64) -> Cow<'static, str> {
    Cow::Owned(v.to_string())
}

/// `get_quorum_status`: `ceph_mon_metadata` and `ceph_mon_quorum_status`.
pub(crate) fn quorum(out: &mut StaticFamilies, mon: &MonDoc<'_>, index: &DaemonIndex<'_>) {
    let (quorum, monmap) = mon.parts();
    for m in &monmap.mons {
        let (host, version) = index.host_version("mon", &m.name);
        let daemon = format!("mon.{}", m.name);
        let public_addr = m.public_addr.as_deref().unwrap_or("");
        let addr = public_addr.rsplit_once(':').map_or(public_addr, |(a, _)| a);
        out.push(
            "ceph_mon_metadata",
            [
                Cow::Owned(daemon.clone()),
                owned(host),
                owned(addr),
                int(m.rank),
                owned(version),
            ],
            1u64,
        );
        let in_quorum = quorum.contains(&m.rank);
        out.push("ceph_mon_quorum_status", [Cow::Owned(daemon)], in_quorum);
    }
}

/// `get_mgr_status`: manager metadata and status, module status and can-run.
pub(crate) fn mgr(
    out: &mut StaticFamilies,
    map: &MgrDump<'_>,
    index: &DaemonIndex<'_>,
    release: Release,
) {
    let active = map.active_name.as_deref().unwrap_or("");
    let all = map
        .standbys
        .iter()
        .map(|s| s.name.as_ref())
        .chain(std::iter::once(active));
    for name in all {
        let (host, version) = index.host_version("mgr", name);
        let daemon = format!("mgr.{name}");
        out.push(
            "ceph_mgr_metadata",
            [Cow::Owned(daemon.clone()), owned(host), owned(version)],
            1u64,
        );
        out.push("ceph_mgr_status", [Cow::Owned(daemon)], name == active);
    }
    // The module keys modules by name (a dict): a repeated name keeps its first position and
    // its last `can_run`.
    let mut modules: Vec<(&str, bool)> = Vec::with_capacity(map.available_modules.len());
    for m in &map.available_modules {
        let can_run = m.can_run.unwrap_or(false);
        match modules.iter_mut().find(|(n, _)| *n == m.name) {
            Some(slot) => slot.1 = can_run,
            None => modules.push((&m.name, can_run)),
        }
    }
    for (name, can_run) in modules {
        let state = u64::from(map.module_status(name, release.as_str()));
        out.push("ceph_mgr_module_status", [owned(name)], state);
        out.push("ceph_mgr_module_can_run", [owned(name)], can_run);
    }
}

/// `get_fs`: `ceph_mds_metadata` (standbys first, with `fs_id` `-1`) and `ceph_fs_metadata`.
pub(crate) fn fs(out: &mut StaticFamilies, map: &FsDump<'_>, index: &DaemonIndex<'_>) {
    let mds = |out: &mut StaticFamilies, fs_id: Cow<'static, str>, m: &MdsInfo<'_>| {
        let (host, version) = index.host_version("mds", &m.name);
        out.push(
            "ceph_mds_metadata",
            [
                Cow::Owned(format!("mds.{}", m.name)),
                fs_id,
                owned(host),
                owned(m.addr.as_deref().unwrap_or("")),
                int(m.rank),
                owned(version),
            ],
            1u64,
        );
    };
    for s in &map.standbys {
        mds(out, Cow::Borrowed("-1"), s);
    }
    for f in &map.filesystems {
        let mut pools = String::new();
        for (i, p) in f.mdsmap.data_pools.iter().enumerate() {
            if i > 0 {
                pools.push(',');
            }
            pools.push_str(&p.to_string());
        }
        out.push(
            "ceph_fs_metadata",
            [
                Cow::Owned(pools),
                int(f.id),
                int(f.mdsmap.metadata_pool),
                owned(&f.mdsmap.fs_name),
            ],
            1u64,
        );
        for m in f.mdsmap.info.values() {
            mds(out, int(f.id), m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::static_specs;

    fn samples(out: StaticFamilies, name: &str) -> Vec<(Vec<String>, f64)> {
        let fam = out
            .into_families(&[])
            .find(|f| f.name == name)
            .expect("family");
        crate::testutil::samples(&fam)
    }

    #[test]
    fn index_orders_by_host_then_type_and_id_and_carries_versions() {
        let osds = [
            md("10", &[("hostname", "b"), ("ceph_version", "v2")]),
            md("2", &[("hostname", "b")]),
            md("1", &[("hostname", "a"), ("ceph_version", "v1")]),
        ];
        let mons = [md("x", &[("hostname", "b"), ("ceph_version", "v3")])];
        let index = DaemonIndex::new(&[("osd", &osds), ("mon", &mons)], &[], None);
        let order: Vec<_> = index.iter().map(|d| (d.name(), d.version)).collect();
        // host a: osd.1; host b: mon.x, osd.10, osd.2 (string order), versions carried over.
        assert_eq!(
            order,
            [
                ("osd.1".to_owned(), "v1"),
                ("mon.x".to_owned(), "v3"),
                ("osd.10".to_owned(), "v2"),
                ("osd.2".to_owned(), "v2"),
            ]
        );
        assert_eq!(index.host_version("osd", "2"), ("b", "v2"));
        assert_eq!(index.host_version("osd", "3"), ("", ""));
    }

    #[test]
    fn quorum_and_metadata() {
        let mons = [md("a", &[("hostname", "vm"), ("ceph_version", "V")])];
        let index = DaemonIndex::new(&[("mon", &mons)], &[], None);
        // `quorum_status` (a `mon_status` would also do).
        let status = MonDoc::parse(
            r#"{"election_epoch": 3, "quorum": [0], "quorum_names": ["a"],
                "monmap": {"epoch": 1, "mons": [
                    {"rank": 0, "name": "a", "public_addr": "127.0.0.1:40001/0"},
                    {"rank": 1, "name": "b", "public_addr": "[::1]:6789/0"}]}}"#,
        )
        .unwrap();
        assert!(matches!(status, MonDoc::Quorum(_)));
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        quorum(&mut out, &status, &index);
        let meta = samples(out, "ceph_mon_metadata");
        assert_eq!(meta[0].0, ["mon.a", "vm", "127.0.0.1", "0", "V"]);
        // rsplit on the last ':' keeps IPv6 brackets, as the module does.
        assert_eq!(meta[1].0, ["mon.b", "", "[::1]", "1", ""]);
    }

    #[test]
    fn mgr_module_states() {
        let map = MgrDump::parse(
            r#"{"active_name": "x", "available": true,
                "standbys": [{"gid": 2, "name": "y", "available_modules": []}],
                "available_modules": [{"name": "balancer", "can_run": true},
                    {"name": "iostat", "can_run": true}, {"name": "influx", "can_run": false}],
                "always_on_modules": {"pacific": ["balancer"], "reef": []},
                "modules": ["iostat"]}"#,
        )
        .unwrap();
        let index = DaemonIndex::default();
        let mut out = StaticFamilies::new(static_specs(Release::Pacific));
        mgr(&mut out, &map, &index, Release::Pacific);
        let all: Vec<_> = out.into_families(&[]).collect();
        let get = |name: &str| {
            all.iter()
                .find(|f| f.name == name)
                .unwrap()
                .metrics
                .iter()
                .map(|m| match m.value {
                    expfmt::MetricValue::Scalar(v) => v.as_f64(),
                    _ => f64::NAN,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(get("ceph_mgr_status"), [0.0, 1.0]);
        assert_eq!(get("ceph_mgr_module_status"), [2.0, 1.0, 0.0]);
        assert_eq!(get("ceph_mgr_module_can_run"), [1.0, 1.0, 0.0]);
    }

    #[test]
    fn fs_standbys_first() {
        let map = FsDump::parse(
            r#"{"epoch": 5,
                "standbys": [{"gid": 2, "name": "b", "rank": -1, "state": "up:standby",
                    "addr": "1.2.3.4:6800/1"}],
                "filesystems": [{"id": 1, "mdsmap": {"fs_name": "cephfs", "data_pools": [3, 7],
                    "metadata_pool": 2, "info": {"gid_1": {"gid": 1, "name": "a", "rank": 0,
                    "state": "up:active", "addr": "1.2.3.4:6801/2"}}}}]}"#,
        )
        .unwrap();
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        fs(&mut out, &map, &DaemonIndex::default());
        let all: Vec<_> = out.into_families(&[]).collect();
        let fsm = all.iter().find(|f| f.name == "ceph_fs_metadata").unwrap();
        let vals: Vec<_> = fsm.metrics[0]
            .labels
            .iter()
            .map(|l| l.value.as_ref())
            .collect();
        assert_eq!(vals, ["3,7", "1", "2", "cephfs"]);
        let mds = all.iter().find(|f| f.name == "ceph_mds_metadata").unwrap();
        assert_eq!(mds.metrics[0].labels[1].value, "-1");
        assert_eq!(mds.metrics[1].labels[0].value, "mds.a");
        assert_eq!(mds.metrics[1].labels[4].value, "0");
    }
}
