//! The naming and labelling rules of both flavours that depend on the daemon or the path.

/// The mgr module's daemon label: `instance_id` (without `rgw.`) for `rgw.*` daemons,
/// `ceph_daemon` otherwise. Also returns the daemon name as the module keeps testing it (the
/// `rgw.` prefix removed).
pub(crate) fn mgr_daemon_label(daemon: &str) -> (&'static str, &str) {
    match daemon.strip_prefix("rgw.") {
        Some(rest) => ("instance_id", rest),
        None => ("ceph_daemon", daemon),
    }
}

/// The parts of an rbd-mirror per-image counter path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RbdMirrorImage<'a> {
    /// The pool (`pool` label).
    pub(crate) pool: &'a str,
    /// The namespace (`namespace` label), empty when the path has none.
    pub(crate) namespace: &'a str,
    /// The image (`image` label).
    pub(crate) image: &'a str,
    /// `replay`, `replay_bytes` or `replay_latency`.
    pub(crate) counter: &'a str,
}

/// The mgr module's rbd-mirror rule: a path matching
/// `^rbd_mirror_image_([^/]+)/(?:(?:([^/]+)/)?)(.*)\.(replay(?:_bytes|_latency)?)$` (Python
/// `re.match`) becomes `rbd_mirror_image_<counter>` with `pool`, `namespace`, `image` labels.
pub(crate) fn rbd_mirror_image(path: &str) -> Option<RbdMirrorImage<'_>> {
    let rest = path.strip_prefix("rbd_mirror_image_")?;
    let slash = rest.find('/')?;
    if slash == 0 {
        return None;
    }
    let pool = &rest[..slash];
    let after = &rest[slash + 1..];
    // The counter is after the last `.`; `(.*)` cannot span a newline; Python's `$` also
    // matches before one trailing newline.
    let body = after.strip_suffix('\n').unwrap_or(after);
    let dot = body.rfind('.')?;
    let counter = &body[dot + 1..];
    if !matches!(counter, "replay" | "replay_bytes" | "replay_latency") {
        return None;
    }
    let before = &body[..dot];
    // The optional namespace is tried first: a non-empty `[^/]+` up to the first `/`.
    if let Some(ns_end) = before.find('/').filter(|&i| i > 0) {
        let image = &before[ns_end + 1..];
        if !image.contains('\n') {
            return Some(RbdMirrorImage {
                pool,
                namespace: &before[..ns_end],
                image,
                counter,
            });
        }
    }
    if before.contains('\n') {
        return None;
    }
    Some(RbdMirrorImage {
        pool,
        namespace: "",
        image: before,
        counter,
    })
}

/// The mgr module's `add_fixed_name_metrics` rule: for a metric key matching
/// `^data-sync-from-(.*)\.`, the copy's key (`re.sub('from-([^.]*)', 'from-zone', key)`) and
/// the `source_zone` label value (the greedy group: up to the last `.` before any newline).
pub(crate) fn mgr_data_sync(key: &str) -> Option<(String, &str)> {
    let rest = key.strip_prefix("data-sync-from-")?;
    let line = rest.find('\n').map_or(rest, |i| &rest[..i]);
    let zone = &line[..line.rfind('.')?];
    let mut out = String::with_capacity(key.len() + 4);
    let mut tail = key;
    while let Some(i) = tail.find("from-") {
        out.push_str(&tail[..i]);
        out.push_str("from-zone");
        let after = &tail[i + 5..];
        tail = after.find('.').map_or("", |j| &after[j..]);
    }
    out.push_str(tail);
    Some((out, zone))
}

/// ceph-exporter's daemon labels from a socket name (`ceph-osd.0.asok`, `osd.0`, ...): the
/// `.asok` extension, then the `ceph-` and `client.` prefixes are removed; a name containing
/// `radosgw` gets `instance_id` = the text after its last `.`; a name containing `rgw` gets
/// `instance_id` = its 4th `.`-separated field (`None` when it has fewer: the exporter skips
/// such a daemon); any other name gets `ceph_daemon` = the name.
pub(crate) fn exporter_daemon_label(socket: &str) -> Option<(&'static str, &str)> {
    let name = socket.strip_suffix(".asok").unwrap_or(socket);
    let name = name.strip_prefix("ceph-").unwrap_or(name);
    let name = name.strip_prefix("client.").unwrap_or(name);
    if name.contains("radosgw") {
        let last = name.rfind('.').map_or(name, |i| &name[i + 1..]);
        return Some(("instance_id", last));
    }
    if name.contains("rgw") {
        // std::getline fields: a trailing `.` does not start an empty last field.
        let fields = name.strip_suffix('.').unwrap_or(name);
        return fields.split('.').nth(3).map(|id| ("instance_id", id));
    }
    Some(("ceph_daemon", name))
}

/// ceph-exporter's `add_fixed_name_metrics` rule on a promethized name: the first
/// `data_sync_from_([^_]*)` gives the `source_zone` value and every match is replaced by
/// `data_sync_from_zone`.
pub(crate) fn exporter_data_sync(name: &str) -> Option<(String, &str)> {
    const PREFIX: &str = "data_sync_from_";
    let first = name.find(PREFIX)?;
    let after = &name[first + PREFIX.len()..];
    let zone = &after[..after.find('_').unwrap_or(after.len())];
    let mut out = String::with_capacity(name.len() + 4);
    let mut tail = name;
    while let Some(i) = tail.find(PREFIX) {
        out.push_str(&tail[..i]);
        out.push_str("data_sync_from_zone");
        let after = &tail[i + PREFIX.len()..];
        tail = &after[after.find('_').unwrap_or(after.len())..];
    }
    out.push_str(tail);
    Some((out, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mgr_daemon_labels() {
        let cases = [
            ("osd.12", ("ceph_daemon", "osd.12")),
            ("mon.a", ("ceph_daemon", "mon.a")),
            ("rgw.foo.bar", ("instance_id", "foo.bar")),
            ("rgw", ("ceph_daemon", "rgw")),
            ("rbd-mirror.4567", ("ceph_daemon", "rbd-mirror.4567")),
        ];
        for (daemon, want) in cases {
            assert_eq!(mgr_daemon_label(daemon), want, "{daemon}");
        }
    }

    #[test]
    fn rbd_mirror_paths() {
        let img = |pool, namespace, image, counter| {
            Some(RbdMirrorImage {
                pool,
                namespace,
                image,
                counter,
            })
        };
        let cases = [
            (
                "rbd_mirror_image_rbd/img0.replay",
                img("rbd", "", "img0", "replay"),
            ),
            (
                "rbd_mirror_image_rbd/ns1/img0.replay_bytes",
                img("rbd", "ns1", "img0", "replay_bytes"),
            ),
            (
                "rbd_mirror_image_rbd/ns/a/b.c.replay_latency",
                img("rbd", "ns", "a/b.c", "replay_latency"),
            ),
            (
                "rbd_mirror_image_rbd//img.replay",
                img("rbd", "", "/img", "replay"),
            ),
            ("rbd_mirror_image_rbd/.replay", img("rbd", "", "", "replay")),
            (
                "rbd_mirror_image_p/img.replay\n",
                img("p", "", "img", "replay"),
            ),
            (
                "rbd_mirror_image_p/ns\n/img.replay",
                img("p", "ns\n", "img", "replay"),
            ),
            ("rbd_mirror_image_p/i\nmg.replay", None),
            ("rbd_mirror_image_a/b/c\n/d.replay", None),
            ("rbd_mirror_image_/img.replay", None),
            ("rbd_mirror_image_rbd.replay", None),
            ("rbd_mirror_image_rbd/img.replay_other", None),
            ("rbd_mirror_image_rbd/img.replay.x", None),
            ("rbd_mirror.replay", None),
        ];
        for (path, want) in cases {
            assert_eq!(rbd_mirror_image(path), want, "{path:?}");
        }
    }

    #[test]
    fn mgr_data_sync_copies() {
        let cases = [
            (
                "data-sync-from-zone1.fetch_bytes_sum",
                Some(("data-sync-from-zone.fetch_bytes_sum", "zone1")),
            ),
            (
                "data-sync-from-us.east.poll_latency",
                Some(("data-sync-from-zone.east.poll_latency", "us.east")),
            ),
            (
                "data-sync-from-a.from-b",
                Some(("data-sync-from-zone.from-zone", "a")),
            ),
            ("data-sync-from-.x", Some(("data-sync-from-zone.x", ""))),
            ("data-sync-from-zone1", None),
            ("data-sync-from-a\n.b", None),
            (
                "data-sync-from-a.b\n.c",
                Some(("data-sync-from-zone.b\n.c", "a")),
            ),
            ("x.data-sync-from-a.b", None),
        ];
        for (key, want) in cases {
            let got = mgr_data_sync(key);
            assert_eq!(got.as_ref().map(|(k, z)| (k.as_str(), *z)), want, "{key:?}");
        }
    }

    #[test]
    fn exporter_daemon_labels() {
        let cases = [
            ("ceph-osd.0.asok", Some(("ceph_daemon", "osd.0"))),
            ("osd.0", Some(("ceph_daemon", "osd.0"))),
            ("ceph-mds.a", Some(("ceph_daemon", "mds.a"))),
            (
                "ceph-client.admin.1234.asok",
                Some(("ceph_daemon", "admin.1234")),
            ),
            (
                "ceph-client.rgw.foo.ceph-node-00.hrgsea.2.94739968030880.asok",
                Some(("instance_id", "hrgsea")),
            ),
            ("rgw.foo.bar", None),
            ("rgw.foo.bar.", None),
            ("rgw.a.b.c.", Some(("instance_id", "c"))),
            ("radosgw.8000.asok", Some(("instance_id", "8000"))),
            ("radosgw", Some(("instance_id", "radosgw"))),
        ];
        for (socket, want) in cases {
            assert_eq!(exporter_daemon_label(socket), want, "{socket}");
        }
    }

    #[test]
    fn exporter_data_sync_names() {
        let cases = [
            (
                "ceph_data_sync_from_zone1_fetch_bytes",
                Some(("ceph_data_sync_from_zone_fetch_bytes", "zone1")),
            ),
            (
                "ceph_data_sync_from_us_east_fetch_bytes",
                Some(("ceph_data_sync_from_zone_east_fetch_bytes", "us")),
            ),
            (
                "ceph_data_sync_from_z",
                Some(("ceph_data_sync_from_zone", "z")),
            ),
            (
                "ceph_data_sync_from_a_data_sync_from_b",
                Some(("ceph_data_sync_from_zone_data_sync_from_zone", "a")),
            ),
            ("ceph_osd_op_r", None),
        ];
        for (name, want) in cases {
            let got = exporter_data_sync(name);
            assert_eq!(
                got.as_ref().map(|(k, z)| (k.as_str(), *z)),
                want,
                "{name:?}"
            );
        }
    }
}
