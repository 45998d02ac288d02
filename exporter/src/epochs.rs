//! Which cluster documents change only with a map epoch, and when [`crate::Live`] may reuse
//! them instead of asking again.
//!
//! The monitors keep the cluster's state in versioned maps: a change to the OSD map (an OSD up
//! or down, a pool, a CRUSH rule) makes a new OSD map epoch, and so on for the monitor map
//! (with the election epoch for the quorum), the file-system map, the manager map and the
//! service map. A document built only from those maps is the same for as long as their epochs
//! are; `ceph status` reports the epochs in about a kilobyte, so one `status` per collection
//! tells which of the larger documents must be asked again.
//!
//! The rule, per document (see [`follows`]):
//!
//! | document | reused while unchanged |
//! |---|---|
//! | `osd dump`, `osd crush dump`, `osd metadata` | OSD map epoch |
//! | `quorum_status`, `mon metadata` | monitor map epoch and election epoch |
//! | `fs dump`, `mds metadata` | file-system map epoch |
//! | `service dump` | service map epoch |
//! | `mgr metadata` | manager map epoch (from `mgr dump`, asked every time) |
//! | `versions` | all of the above but the service map |
//!
//! Metadata follows its map because a daemon reports it when it boots, and its boot is a map
//! change: an OSD's `MOSDBoot` is recorded with the OSD map that marks it up, a monitor's with
//! the election it joins, an MDS's and a manager's with the beacon that adds it to its map.
//! `versions` is counted from that metadata.
//!
//! Three more guards. A document is reused only if it was asked *after* the `status` that gave
//! its key was answered (so it is at least as new as that epoch: a map that changes in between
//! makes the key differ at the next collection, and the document is asked again). A document
//! without a key (an epoch missing from `status`, as in releases that omit it, or a failed
//! `status`) is always asked. And a reused document older than a maximum age is asked
//! again anyway ([`crate::Live::reuse_maps`]), which bounds what a rule this module misses can
//! cost. Time-varying fields inside a reused document (`quorum_age`) are as of its fetch; the
//! collector reads none of them.

use std::time::{Duration, Instant};

use ceph_types::{Command, MgrDump, Status};

/// A versioned cluster map a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Map {
    /// The OSD map.
    Osd,
    /// The monitor map.
    Mon,
    /// The monitors' election epoch (the quorum).
    Election,
    /// The file-system map.
    Fs,
    /// The service map.
    Service,
    /// The manager map.
    Mgr,
}

/// The maps `command`'s document follows; empty when it changes without a map epoch (health,
/// usage, the PG map) and is asked at every collection.
pub(crate) fn follows(command: Command) -> &'static [Map] {
    match command {
        Command::OsdDump | Command::OsdCrushDump | Command::OsdMetadata => &[Map::Osd],
        Command::MonStatus | Command::QuorumStatus | Command::MonMetadata => {
            &[Map::Mon, Map::Election]
        }
        Command::FsDump | Command::MdsMetadata => &[Map::Fs],
        Command::ServiceDump => &[Map::Service],
        Command::MgrMetadata => &[Map::Mgr],
        Command::Versions => &[Map::Osd, Map::Mon, Map::Election, Map::Fs, Map::Mgr],
        _ => &[],
    }
}

/// The map epochs of one collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Epochs {
    osd: Option<u64>,
    mon: Option<u64>,
    election: Option<u64>,
    fs: Option<u64>,
    service: Option<u64>,
    mgr: Option<u64>,
}

impl Epochs {
    /// The epochs in `status`'s answer ([`ceph_types::Status`]), and the manager map's from
    /// `mgr_dump` ([`ceph_types::MgrDump`]) where `status` has none (Pacific's `status` does
    /// not report it). A document that does not parse gives no epochs.
    pub(crate) fn read(status: Option<&[u8]>, mgr_dump: Option<&[u8]>) -> Epochs {
        fn text(b: Option<&[u8]>) -> Option<&str> {
            b.and_then(|b| std::str::from_utf8(b).ok())
        }
        let mut epochs = Epochs::default();
        if let Some(s) = text(status).and_then(|t| Status::parse(t).ok()) {
            epochs = Epochs {
                osd: s.osdmap.as_ref().and_then(|m| m.counts().epoch),
                mon: s.monmap.as_ref().map(|m| m.epoch),
                election: s.election_epoch,
                fs: s.fsmap.as_ref().and_then(|m| m.epoch),
                service: s.servicemap.as_ref().map(|m| m.epoch),
                mgr: s.mgrmap.as_ref().and_then(|m| m.epoch),
            };
        }
        if epochs.mgr.is_none() {
            epochs.mgr = text(mgr_dump)
                .and_then(|t| MgrDump::parse(t).ok())
                .and_then(|m| m.epoch);
        }
        epochs
    }

    fn get(&self, map: Map) -> Option<u64> {
        match map {
            Map::Osd => self.osd,
            Map::Mon => self.mon,
            Map::Election => self.election,
            Map::Fs => self.fs,
            Map::Service => self.service,
            Map::Mgr => self.mgr,
        }
    }

    /// The key `command`'s document is reused under: the epochs of the maps it follows, or
    /// `None` (always asked) when it follows none or one of their epochs is unknown.
    pub(crate) fn key(&self, command: Command) -> Option<Key> {
        let maps = follows(command);
        if maps.is_empty() {
            return None;
        }
        let mut key = Key::default();
        for (slot, &map) in key.0.iter_mut().zip(maps) {
            *slot = Some(self.get(map)?);
        }
        Some(key)
    }
}

/// The epochs a reused document was asked under (at most five maps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Key([Option<u64>; 5]);

/// A document kept for reuse.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub(crate) key: Key,
    pub(crate) fetched: Instant,
    pub(crate) bytes: std::sync::Arc<Vec<u8>>,
}

impl Kept {
    /// Whether the document may stand for a new answer under `key` at `now`.
    pub(crate) fn reusable(&self, key: Option<Key>, now: Instant, max_age: Duration) -> bool {
        key == Some(self.key) && now.saturating_duration_since(self.fetched) < max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ceph status -f json` of the Pacific 16.2.15 minicluster, cut to what is read.
    const STATUS: &str = r#"{"fsid":"7ab9d8ff","health":{"status":"HEALTH_OK","checks":{}},
        "election_epoch":3,"quorum":[0],"quorum_names":["a"],"quorum_age":551,
        "monmap":{"epoch":1,"min_mon_release_name":"pacific","num_mons":1},
        "osdmap":{"epoch":31,"num_osds":3,"num_up_osds":3},
        "pgmap":{"num_pgs":97},"fsmap":{"epoch":6,"id":1,"up":1},
        "mgrmap":{"available":true,"num_standbys":0},
        "servicemap":{"epoch":2,"modified":"2026-12-04T17:17:03.315482+0000","services":{}}}"#;

    #[test]
    fn keys_follow_the_maps_each_document_is_built_from() {
        let e = Epochs::read(Some(STATUS.as_bytes()), Some(br#"{"epoch":12,"x":1}"#));
        let k = |c| e.key(c).map(|k| k.0);
        let cases = [
            (Command::OsdDump, Some([Some(31), None, None, None, None])),
            (
                Command::OsdCrushDump,
                Some([Some(31), None, None, None, None]),
            ),
            (
                Command::OsdMetadata,
                Some([Some(31), None, None, None, None]),
            ),
            (
                Command::MonStatus,
                Some([Some(1), Some(3), None, None, None]),
            ),
            (
                Command::MonMetadata,
                Some([Some(1), Some(3), None, None, None]),
            ),
            (Command::FsDump, Some([Some(6), None, None, None, None])),
            (
                Command::MdsMetadata,
                Some([Some(6), None, None, None, None]),
            ),
            (
                Command::ServiceDump,
                Some([Some(2), None, None, None, None]),
            ),
            (
                Command::MgrMetadata,
                Some([Some(12), None, None, None, None]),
            ),
            (
                Command::Versions,
                Some([Some(31), Some(1), Some(3), Some(6), Some(12)]),
            ),
            (Command::HealthDetail, None),
            (Command::MgrDump, None),
            (Command::DfDetail, None),
            (Command::PgDumpBrief, None),
            (Command::PgDumpSum, None),
            (Command::OsdPoolStats, None),
            (Command::Status, None),
        ];
        for (command, want) in cases {
            assert_eq!(k(command), want, "{command}");
        }
    }

    #[test]
    fn an_unknown_epoch_means_always_asked() {
        let cases: [(Option<&str>, Option<&str>); 4] = [
            // No status at all.
            (None, Some(r#"{"epoch":12}"#)),
            // A status that does not parse.
            (Some(r#"{"osdmap":"#), None),
            // A status without the OSD map.
            (Some(r#"{"election_epoch":3}"#), None),
            // An epoch that is not a number.
            (Some(r#"{"osdmap":{"epoch":"five"}}"#), None),
        ];
        for (n, (status, mgr)) in cases.into_iter().enumerate() {
            let e = Epochs::read(status.map(str::as_bytes), mgr.map(str::as_bytes));
            assert_eq!(e.key(Command::OsdDump), None, "case {n}");
            assert_eq!(e.key(Command::Versions), None, "case {n}");
        }
        // Octopus' nested layout (`osdmap.osdmap.epoch`): the model reads it there too.
        let e = Epochs::read(Some(br#"{"osdmap":{"osdmap":{"epoch":5}}}"#), None);
        assert_eq!(e.key(Command::OsdDump).map(|k| k.0[0]), Some(Some(5)));
        // The manager map's epoch alone still keys its metadata.
        let e = Epochs::read(None, Some(br#"{"epoch":12}"#));
        assert!(e.key(Command::MgrMetadata).is_some());
    }

    #[test]
    fn a_changed_epoch_or_an_old_document_is_asked_again() {
        let before = Epochs::read(Some(STATUS.as_bytes()), Some(br#"{"epoch":12}"#));
        let osd_down = STATUS.replace(r#""epoch":31"#, r#""epoch":32"#);
        let after = Epochs::read(Some(osd_down.as_bytes()), Some(br#"{"epoch":12}"#));
        let t0 = Instant::now();
        let max = Duration::from_secs(300);
        let kept = |c| Kept {
            key: before.key(c).unwrap(),
            fetched: t0,
            bytes: Default::default(),
        };
        // (document, reusable after the OSD map changed)
        let cases = [
            (Command::OsdDump, false),
            (Command::OsdMetadata, false),
            (Command::Versions, false),
            (Command::FsDump, true),
            (Command::MonMetadata, true),
            (Command::MgrMetadata, true),
        ];
        for (c, want) in cases {
            assert!(kept(c).reusable(before.key(c), t0, max), "{c}");
            assert_eq!(kept(c).reusable(after.key(c), t0, max), want, "{c}");
            assert!(!kept(c).reusable(before.key(c), t0 + max, max), "{c}");
            assert!(!kept(c).reusable(None, t0, max), "{c}");
        }
    }
}
