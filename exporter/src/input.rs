//! What the collection steps read from the dumps: only the fields the module uses, borrowed
//! from the parsed documents. The adapters from the `ceph-types` models are in `adapt`.

/// `mon_status` / `quorum_status`: the monmap and the quorum.
#[derive(Debug, Clone, Default)]
pub(crate) struct MonStatus<'a> {
    pub(crate) quorum: Vec<i64>,
    pub(crate) mons: Vec<Mon<'a>>,
}

/// One monitor of the monmap.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mon<'a> {
    pub(crate) rank: i64,
    pub(crate) name: &'a str,
    pub(crate) public_addr: &'a str,
}

/// `mgr dump`.
#[derive(Debug, Clone, Default)]
pub(crate) struct MgrMap<'a> {
    pub(crate) active_name: &'a str,
    pub(crate) standbys: Vec<&'a str>,
    /// `available_modules`: name and `can_run`.
    pub(crate) available_modules: Vec<(&'a str, bool)>,
    /// `always_on_modules`: release name and module names.
    pub(crate) always_on_modules: Vec<(&'a str, Vec<&'a str>)>,
    /// `modules` (the enabled ones).
    pub(crate) modules: Vec<&'a str>,
}

/// `fs dump`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FsMap<'a> {
    pub(crate) standbys: Vec<Mds<'a>>,
    pub(crate) filesystems: Vec<Filesystem<'a>>,
}

/// One file system of the fs map.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filesystem<'a> {
    pub(crate) id: i64,
    pub(crate) name: &'a str,
    pub(crate) data_pools: Vec<i64>,
    pub(crate) metadata_pool: i64,
    /// `mdsmap.info`, in document order.
    pub(crate) mds: Vec<Mds<'a>>,
}

/// One MDS of the fs map (`info` or `standbys`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Mds<'a> {
    pub(crate) name: &'a str,
    pub(crate) addr: &'a str,
    pub(crate) rank: i64,
}

/// A daemon's metadata (`osd metadata`, `mon metadata`, ...): its id or name and its
/// string-valued keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct DaemonMetadata<'a> {
    /// The daemon id (`0` for `osd.0`, `a` for `mon.a`).
    pub(crate) id: String,
    /// String-valued keys, in document order (`hostname`, `ceph_version`, ...).
    pub(crate) fields: Vec<(&'a str, &'a str)>,
}

impl<'a> DaemonMetadata<'a> {
    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// `service dump`: daemons of services other than mon/mgr/osd/mds (rgw, rbd-mirror, ...).
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceDaemon<'a> {
    /// The service type (`rgw`, `rbd-mirror`).
    pub(crate) service: &'a str,
    /// The daemon key in the service map (a gid for Reef+ rgw).
    pub(crate) key: &'a str,
    pub(crate) metadata: DaemonMetadata<'a>,
}
