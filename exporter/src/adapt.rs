//! From the `ceph-types` models to what the collection steps read (`input`).

use crate::input::{DaemonMetadata, Filesystem, FsMap, Mds, MgrMap, Mon, MonStatus, ServiceDaemon};

/// A monitor's `mon_status` or the cluster's `quorum_status`.
#[derive(Debug)]
pub(crate) enum MonDoc<'a> {
    Status(ceph_types::MonStatus<'a>),
    Quorum(ceph_types::QuorumStatus<'a>),
}

impl<'a> MonDoc<'a> {
    /// Parses either shape (`mon_status` first).
    pub(crate) fn parse(text: &'a str) -> Result<Self, ceph_types::Error> {
        match ceph_types::MonStatus::parse(text) {
            Ok(s) => Ok(MonDoc::Status(s)),
            Err(first) => ceph_types::QuorumStatus::parse(text)
                .map(MonDoc::Quorum)
                .map_err(|_| first),
        }
    }

    pub(crate) fn view(&self) -> MonStatus<'_> {
        let (quorum, monmap) = match self {
            MonDoc::Status(s) => (&s.quorum, &s.monmap),
            MonDoc::Quorum(q) => (&q.quorum, &q.monmap),
        };
        MonStatus {
            quorum: quorum.clone(),
            mons: monmap
                .mons
                .iter()
                .map(|m| Mon {
                    rank: m.rank,
                    name: &m.name,
                    public_addr: m.public_addr.as_deref().unwrap_or(""),
                })
                .collect(),
        }
    }
}

pub(crate) fn mgr<'a>(m: &'a ceph_types::MgrDump<'a>) -> MgrMap<'a> {
    MgrMap {
        active_name: m.active_name.as_deref().unwrap_or(""),
        standbys: m.standbys.iter().map(|s| s.name.as_ref()).collect(),
        available_modules: m
            .available_modules
            .iter()
            .map(|a| (a.name.as_ref(), a.can_run.unwrap_or(false)))
            .collect(),
        always_on_modules: m
            .always_on_modules
            .iter()
            .map(|(r, mods)| (r, mods.iter().map(AsRef::as_ref).collect()))
            .collect(),
        modules: m.modules.iter().map(AsRef::as_ref).collect(),
    }
}

fn mds<'a>(m: &'a ceph_types::MdsInfo<'a>) -> Mds<'a> {
    Mds {
        name: &m.name,
        addr: m.addr.as_deref().unwrap_or(""),
        rank: m.rank,
    }
}

pub(crate) fn fs<'a>(f: &'a ceph_types::FsDump<'a>) -> FsMap<'a> {
    FsMap {
        standbys: f.standbys.iter().map(mds).collect(),
        filesystems: f
            .filesystems
            .iter()
            .map(|fs| Filesystem {
                id: fs.id,
                name: &fs.mdsmap.fs_name,
                data_pools: fs.mdsmap.data_pools.clone(),
                metadata_pool: fs.mdsmap.metadata_pool,
                mds: fs.mdsmap.info.values().map(mds).collect(),
            })
            .collect(),
    }
}

pub(crate) fn osd_metadata<'a>(m: &'a ceph_types::OsdMetadata<'a>) -> Vec<DaemonMetadata<'a>> {
    m.osds
        .iter()
        .map(|o| {
            let keys = [
                ("hostname", &o.hostname),
                ("ceph_version", &o.ceph_version),
                ("osd_objectstore", &o.osd_objectstore),
                ("front_iface", &o.front_iface),
                ("back_iface", &o.back_iface),
                ("devices", &o.devices),
                ("device_ids", &o.device_ids),
                ("bluestore_bdev_dev_node", &o.bluestore_bdev_dev_node),
                ("bluefs_db_dev_node", &o.bluefs_db_dev_node),
                ("bluefs_wal_dev_node", &o.bluefs_wal_dev_node),
                ("backend_filestore_dev_node", &o.backend_filestore_dev_node),
                ("osd_journal", &o.osd_journal),
            ];
            DaemonMetadata {
                id: o.id.to_string(),
                fields: keys
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_deref()?)))
                    .collect(),
            }
        })
        .collect()
}

pub(crate) fn services<'a>(s: &'a ceph_types::ServiceDump<'a>) -> Vec<ServiceDaemon<'a>> {
    let mut out = Vec::new();
    for (service, svc) in s.services.iter() {
        for (key, d) in svc.daemons.iter() {
            out.push(ServiceDaemon {
                service,
                key,
                metadata: DaemonMetadata {
                    id: key.to_owned(),
                    fields: d.metadata.iter().map(|(k, v)| (k, v.as_ref())).collect(),
                },
            });
        }
    }
    out
}

/// `ceph mon metadata` / `mgr metadata` / `mds metadata` entries, keyed by `name`.
pub(crate) fn named<'a>(list: &'a [ceph_types::DaemonMetadata<'_>]) -> Vec<DaemonMetadata<'a>> {
    list.iter()
        .map(|d| DaemonMetadata {
            id: d.name.to_string(),
            fields: d.fields.iter().map(|(k, v)| (k, v.as_ref())).collect(),
        })
        .collect()
}
