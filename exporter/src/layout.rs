//! How the mgr module's cluster-level families change between Ceph releases.

use ceph_types::Release;

/// Whether `ceph_pool_objects_repaired` is labelled `pool_id` (Reef and later) rather than
/// Pacific's `poolid`.
pub(crate) fn repaired_label(release: Release) -> &'static str {
    if release >= Release::Reef {
        "pool_id"
    } else {
        "poolid"
    }
}

/// Whether the module emits `ceph_cluster_by_class_*` and `ceph_cluster_osd_blocklist_count`
/// (seen in 18.2.7, absent from 16.2.15).
pub(crate) fn has_reef_families(release: Release) -> bool {
    release >= Release::Reef
}

/// Whether the module emits the families that 20.2.4's module has and 18.2.7's does not
/// (`ceph_osd_nearfull_ratio`, `ceph_osd_full_ratio`, `ceph_rbd_image_metadata`,
/// `ceph_smb_metadata`, `ceph_cephadm_daemon_status`, the seven `ceph_hardware_*`, and
/// `application` on pool metadata), as the 20.2.4 captures show. No Squid capture exists to
/// place the boundary more exactly; the `ceph_health_detail` labels did not change.
pub(crate) fn has_tentacle_families(release: Release) -> bool {
    release >= Release::Tentacle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas() {
        assert_eq!(repaired_label(Release::Pacific), "poolid");
        assert_eq!(repaired_label(Release::Quincy), "poolid");
        assert_eq!(repaired_label(Release::Reef), "pool_id");
        assert!(!has_reef_families(Release::Pacific));
        assert!(has_reef_families(Release::Squid));
        assert!(!has_tentacle_families(Release::Squid));
        assert!(has_tentacle_families(Release::Tentacle));
    }
}
