//! Spot checks on real captures: the walker proves every fixture parses; these prove that the
//! values land in the right fields, release by release.

use std::path::Path;

use ceph_types::{
    AddrKind, Command, CounterDump, FsDump, Health, HealthStatus, MgrDump, Model, MonDump,
    MonStatus, OsdDf, OsdDump, OsdMetadata, OsdPerf, PerfDump, PerfValue, PgDump, PgState,
    PoolType, QuorumStatus, Status,
};

/// The text of `testdata/ceph/<rel>`.
fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/ceph")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn health_levels_by_release() {
    let cases: &[(&str, Command, HealthStatus, &[&str])] = &[
        (
            "16.2.15-healthy/health.json",
            Command::Health,
            HealthStatus::Ok,
            &[],
        ),
        (
            "16.2.15-degraded/health_detail.json",
            Command::HealthDetail,
            HealthStatus::Warn,
            &["OSDMAP_FLAGS", "OSD_DOWN", "OSD_HOST_DOWN", "PG_DEGRADED"],
        ),
        (
            "18.2.7-degraded/health.json",
            Command::Health,
            HealthStatus::Warn,
            &["OSDMAP_FLAGS", "OSD_DOWN", "OSD_HOST_DOWN", "PG_DEGRADED"],
        ),
        (
            "20.2.4-degraded/health_detail.json",
            Command::HealthDetail,
            HealthStatus::Warn,
            &["OSDMAP_FLAGS", "OSD_DOWN", "OSD_HOST_DOWN", "PG_DEGRADED"],
        ),
        (
            "20.2.4-healthy/health.json",
            Command::Health,
            HealthStatus::Ok,
            &[],
        ),
        (
            "public/octopus/health__zabbix-agent2.json",
            Command::Health,
            HealthStatus::Ok,
            &[],
        ),
    ];
    for (file, command, status, codes) in cases {
        let text = fixture(file);
        let h = Health::parse_as(*command, &text).unwrap();
        assert_eq!(h.effective_status(), Some(*status), "{file}");
        assert_eq!(h.checks.keys().collect::<Vec<_>>(), *codes, "{file}");
    }
    let text = fixture("18.2.7-degraded/health_detail.json");
    let h = Health::parse_as(Command::HealthDetail, &text).unwrap();
    let down = h.checks.get("OSD_DOWN").unwrap();
    assert_eq!(
        (down.summary.count, down.leading_count()),
        (Some(1), Some(1))
    );
    assert_eq!(
        down.detail[0].message,
        "osd.2 (root=default,host=node2) is down"
    );
    assert_eq!(h.checks.get("PG_DEGRADED").unwrap().summary.count, Some(76));
}

#[test]
fn status_shapes_across_releases() {
    // (file, level, OSDs, OSDs up, mgr modules known, PG states)
    let cases: &[(&str, Option<HealthStatus>, u64, u64)] = &[
        (
            "public/jewel/status__charm-ceph-mon-crit.json",
            Some(HealthStatus::Unknown),
            0,
            0,
        ),
        (
            "public/luminous/status__charm-ceph-mon-crit.json",
            Some(HealthStatus::Warn),
            33,
            32,
        ),
        (
            "18.2.7-degraded/status.json",
            Some(HealthStatus::Warn),
            3,
            2,
        ),
        ("16.2.15-healthy/status.json", Some(HealthStatus::Ok), 3, 3),
    ];
    for (file, level, osds, up) in cases {
        let text = fixture(file);
        let s = Status::parse(&text).unwrap();
        assert_eq!(s.health.effective_status(), *level, "{file}");
        if *osds > 0 {
            let counts = s.osdmap.as_ref().unwrap().counts();
            assert_eq!(
                (counts.num_osds, counts.num_up_osds),
                (Some(*osds), Some(*up)),
                "{file}"
            );
        }
    }
    let text = fixture("public/jewel/status__charm-ceph-mon-crit.json");
    let s = Status::parse(&text).unwrap();
    assert_eq!(s.health.summary.len(), 8);
    assert_eq!(s.health.overall_status, Some(HealthStatus::Unknown)); // HEALTH_CRITICAL
    let text = fixture("public/luminous/status__charm-ceph-mon-crit.json");
    let s = Status::parse(&text).unwrap();
    let mgr = s.mgrmap.unwrap();
    // Luminous lists available modules by name only.
    assert_eq!(mgr.available_modules[0].name, "balancer");
    assert_eq!(mgr.available_modules[0].can_run, None);
    let rgw = s.servicemap.unwrap();
    let rgw = rgw.services.get("rgw").unwrap();
    assert_eq!(rgw.summary.as_deref(), Some(""));
    assert_eq!(rgw.daemons.keys().collect::<Vec<_>>(), ["radosgw.gateway"]);
    let text = fixture("18.2.7-degraded/status.json");
    let pgmap = Status::parse(&text).unwrap().pgmap.unwrap();
    let degraded = &pgmap.pgs_by_state[0];
    assert!(degraded.name.contains(PgState::Degraded) && degraded.num == 76);
}

#[test]
fn osd_dump_degraded_reef() {
    let text = fixture("18.2.7-degraded/osd_dump.json");
    let d = OsdDump::parse(&text).unwrap();
    let flags = d.flags.as_ref().unwrap();
    assert!(flags.contains("noout") && flags.contains("sortbitwise") && !flags.contains("nodown"));
    let state: Vec<_> = d.osds.iter().map(|o| (o.osd, o.up, o.in_)).collect();
    assert_eq!(state, [(0, true, true), (1, true, true), (2, false, true)]);
    let osd2 = d.osd(2).unwrap();
    let addr = osd2.public_entity_addr().unwrap().unwrap();
    assert_eq!((addr.port, addr.nonce), (40029, 2720044764));
    let v2 = &osd2.public_addrs.as_ref().unwrap().addrvec[0];
    assert_eq!(
        (v2.kind, v2.addr.as_ref()),
        (AddrKind::V2, "127.0.0.1:40028")
    );
    let rbd = d.pool(4).unwrap();
    assert_eq!(
        (rbd.pool_name.as_ref(), rbd.pool_type(), rbd.size),
        ("mini-rbd", PoolType::Replicated, 3)
    );
    assert_eq!(rbd.applications().collect::<Vec<_>>(), ["rbd"]);
    assert_eq!(rbd.last_change, Some(24));
    assert_eq!(d.require_osd_release.as_deref(), Some("reef"));
    assert!(d.full_ratio.is_some_and(|r| (r - 0.95).abs() < 1e-6));
}

#[test]
fn pg_dump_states_and_sets() {
    let text = fixture("18.2.7-degraded/pg_dump.json");
    let d = PgDump::parse(&text).unwrap();
    assert_eq!(d.pg_ready, Some(true));
    let pgs = &d.pg_map.pg_stats;
    assert_eq!(pgs.len(), 97);
    let degraded = pgs
        .iter()
        .filter(|p| p.state.contains(PgState::Degraded))
        .count();
    let undersized = pgs
        .iter()
        .filter(|p| p.state.contains(PgState::Undersized))
        .count();
    assert_eq!((degraded, undersized), (76, 97));
    assert!(pgs.iter().all(|p| p.state.unknown().next().is_none()));
    let first = &pgs[0];
    assert_eq!((first.pgid.as_ref(), first.pool_id()), ("5.1e", Some(5)));
    assert_eq!(
        (first.up.as_slice(), first.acting_primary),
        ([0, 1].as_slice(), Some(0))
    );
    assert_eq!(first.stat_sum.num_objects_degraded, 8);
    assert_eq!(d.pg_map.pool_stats.len(), 5);
    assert_eq!(d.pg_map.osd_stats[0].perf_stat.commit_latency_ms, 6.0);
}

#[test]
fn nan_and_shapes_of_older_releases() {
    // Bare `-nan` (digitalocean/ceph_exporter's osd df mock): parsed, read as NaN.
    let text = fixture("public/unknown/osd_df__do-ceph_exporter-nan.json");
    let df = OsdDf::parse(&text).unwrap();
    let osd4 = df.nodes.iter().find(|n| n.id == 4).unwrap();
    assert!(osd4.utilization.unwrap().is_nan() && osd4.var.unwrap().is_nan());
    assert_eq!(df.nodes[0].utilization, Some(0.365658));
    // osd perf in the `osdstats` wrapper.
    let text = fixture("public/unknown/osd_perf__do-ceph_exporter.json");
    let p = OsdPerf::parse(&text).unwrap();
    assert_eq!(p.infos().len(), 5);
    assert_eq!(p.infos()[1].perf_stats.apply_latency_ms, 64.0);
    // `ceph osd metadata 0`: one object, not a list.
    let text = fixture("public/reef/osd_metadata__rook-cheatsheet.json");
    let m = OsdMetadata::parse(&text).unwrap();
    assert_eq!(m.osds.len(), 1);
    assert_eq!(m.osds[0].ceph_release.as_deref(), Some("reef"));
    // Quorum status with the real `disallowed_leaders: ` key typo.
    let text = fixture("public/reef/quorum_status__cephadm-test_services.json");
    let q = QuorumStatus::parse(&text).unwrap();
    assert_eq!(q.monmap.mons.len(), 3);
    assert!(q.in_quorum(0));
}

#[test]
fn daemons_and_counters() {
    let text = fixture("18.2.7-healthy/osd_metadata.json");
    let m = OsdMetadata::parse(&text).unwrap();
    let osd0 = m.get(0).unwrap();
    assert_eq!(
        (osd0.hostname.as_deref(), osd0.osd_objectstore.as_deref()),
        (Some("vm"), Some("bluestore"))
    );
    assert!(osd0.front_entity_addr().unwrap().is_ok());
    let text = fixture("18.2.7-healthy/perf_dump.osd.0.json");
    let p = PerfDump::parse(&text).unwrap();
    assert_eq!(p.get("osd", "op_r"), Some(&PerfValue::Uint(35024)));
    let lat = p
        .get("osd", "op_r_latency")
        .and_then(PerfValue::as_avg)
        .unwrap();
    assert_eq!(
        (lat.avgcount, lat.sum.as_f64(), lat.avgtime),
        (35024, 21.870395749, Some(0.00062444))
    );
    let text = fixture("18.2.7-healthy/counter_dump.osd.0.json");
    let c = CounterDump::parse(&text).unwrap();
    let w = c.groups.get("AsyncMessenger::Worker").unwrap();
    assert_eq!(w[0].labels.get("id").map(AsRef::as_ref), Some("0"));
    let text = fixture("18.2.7-degraded/fs_dump.json");
    let f = FsDump::parse(&text).unwrap();
    let fs = &f.filesystems[0].mdsmap;
    assert_eq!(
        (
            fs.fs_name.as_ref(),
            fs.metadata_pool,
            fs.data_pools.as_slice()
        ),
        ("cephfs", 1, [3].as_slice())
    );
    assert_eq!(
        fs.info.get("gid_4141").map(|i| i.state.as_ref()),
        Some("up:active")
    );
    assert_eq!(f.standbys.len(), 1);
    let text = fixture("18.2.7-healthy/mgr_dump.json");
    let mgr = MgrDump::parse(&text).unwrap();
    assert!(
        mgr.available_modules
            .iter()
            .any(|m| m.name == "prometheus" && m.can_run == Some(true))
    );
    assert_eq!(mgr.module_status("prometheus", "reef"), 1);
    assert_eq!(
        mgr.services.get("prometheus").map(AsRef::as_ref),
        Some("http://127.0.0.1:9283/")
    );
}

#[test]
fn errors_name_command_path_and_position() {
    // A real dump with one value broken: `"up": 1` of the second OSD becomes a string.
    let text = fixture("18.2.7-healthy/osd_dump.json");
    let broken = text.replacen("\"osd\":1,", "\"osd\":\"one\",", 1);
    let err = OsdDump::parse(&broken).unwrap_err();
    assert_eq!(err.command(), Command::OsdDump);
    assert_eq!(err.path(), Some("osds[1].osd"));
    assert!(err.position().is_some_and(|(line, _)| line >= 1));
    // Truncated in the middle.
    let err = OsdDump::parse(&text[..text.len() / 2]).unwrap_err();
    assert!(matches!(err, ceph_types::Error::Eof { .. }), "{err}");
}

#[test]
fn mon_crush_location_by_release() {
    // Pacific and Reef write text, Tentacle a list; unset on the plain captures.
    let unset = [
        "16.2.15-healthy/mon_dump.json",
        "18.2.7-healthy/mon_dump.json",
        "20.2.4-healthy/mon_dump.json",
    ];
    for file in unset {
        let text = fixture(file);
        let dump = MonDump::parse(&text).unwrap();
        let loc = dump.mons[0].crush_location.as_ref().unwrap();
        assert!(loc.is_empty(), "{file}");
    }
    // Tentacle after `ceph mon set_location a root=default host=node0`: the same pairs in
    // every command that carries the mon map.
    let want = [("host", "node0"), ("root", "default")];
    let texts = [
        "mon_dump",
        "quorum_status",
        "mon_status.mon.a",
        "mon_status.tell-mon.a",
    ]
    .map(|f| fixture(&format!("20.2.4-crush-location/{f}.json")));
    let maps = [
        MonDump::parse(&texts[0]).unwrap(),
        QuorumStatus::parse(&texts[1]).unwrap().monmap,
        MonStatus::parse(&texts[2]).unwrap().monmap,
        MonStatus::parse(&texts[3]).unwrap().monmap,
    ];
    for map in &maps {
        let loc = map.mons[0].crush_location.as_ref().unwrap();
        let got: Vec<_> = loc
            .pairs
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(loc.get("host"), Some("node0"));
        assert_eq!(map.min_mon_release_name.as_deref(), Some("tentacle"));
    }
}
