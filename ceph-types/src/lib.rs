//! Typed, zero-copy [serde] models of the JSON that Ceph's commands print, Luminous to Tentacle.
//!
//! Every Ceph monitoring tool reads the same dumps (`ceph health`, `ceph df`, `ceph osd dump`,
//! the admin socket's `perf dump`, ...). This crate gives each one a documented type that
//! borrows its strings from the input, tolerates the fields that come and go between releases,
//! and reports faults with the command, the JSON path and the line/column. It is the base of the
//! suite: `perfcounter` reads the perf-counter shapes from here, and the exporter binaries read
//! the cluster maps.
//!
//! ```
//! use ceph_types::{PerfDump, PerfValue};
//!
//! let text = r#"{"osd": {"op_r": 1234, "op_r_latency": {"avgcount": 4, "sum": 0.5, "avgtime": 0.125}}}"#;
//! let dump = PerfDump::parse(text)?;
//! assert_eq!(dump.get("osd", "op_r"), Some(&PerfValue::Uint(1234)));
//! let lat = dump.get("osd", "op_r_latency").and_then(PerfValue::as_avg).unwrap();
//! assert_eq!((lat.avgcount, lat.sum.as_f64()), (4, 0.5));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! * One model per command, each with `parse(&str)`; the [`Model`] trait lets generic code
//!   parse any of them, and [`Command`] names them (and maps fixture file names to them).
//! * [`Error`] says which command's output failed, where (line, column) and, for values that do
//!   not fit, at which JSON path.
//! * [`Document`] parses the output of any [`Command`] with its model (the one map from
//!   commands to model types), for code that handles whichever command it is given.
//! * [`PgDumpReader`] reads a `pg dump` of any size in one streaming pass, handing each PG's
//!   id, state and acting primary, the pool and OSD statistics and the totals to a
//!   [`PgDumpVisitor`], without holding the document ([`PgDump::visit`] hands a parsed dump
//!   to the same visitor).
//! * [`IntoOwned`] turns a borrowed model into a `'static` one to keep.
//! * [`Map`] is the ordered object used where Ceph keys objects by data (counter groups, check
//!   codes); [`Number`] keeps integers exact where they may exceed 2^53.
//!
//! # Models
//!
//! | command | model | releases seen in the tests |
//! | --- | --- | --- |
//! | `ceph daemon <name> perf dump` / `perf schema` | [`PerfDump`], [`PerfSchema`] | pre-Luminous, 16.2, 18.2, 20.2 |
//! | `ceph daemon <name> counter dump` / `counter schema` | [`CounterDump`], [`CounterSchema`] | 18.2, 20.2 |
//! | `ceph health [detail]` | [`Health`] (also inside `status`) | Jewel to Reef, 20.2 |
//! | `ceph status` | [`Status`] | Jewel, Luminous, Nautilus, Octopus, Quincy, 16.2, 18.2, 20.2 |
//! | `ceph df [detail]` | [`Df`] | Octopus, 16.2, 18.2, 20.2 |
//! | `ceph osd dump` | [`OsdDump`] | 16.2, 18.2, 20.2 |
//! | `ceph osd tree` | [`OsdTree`] | 16.2, 18.2, 20.2 |
//! | `ceph osd df [tree]` | [`OsdDf`] | 16.2, 18.2, 20.2, an older one with `-nan` |
//! | `ceph osd perf` | [`OsdPerf`] | 16.2, 18.2, 20.2, a sample of unknown release (Luminous+ shape) |
//! | `ceph osd metadata [id]` | [`OsdMetadata`] | 16.2, 18.2, 20.2 (list), 18.2.4 (one OSD) |
//! | `ceph osd crush dump` | [`OsdCrushDump`] | Luminous, 16.2, 18.2, 20.2 |
//! | `ceph osd pool stats` | [`OsdPoolStats`] | 16.2, 18.2, 20.2, a sample of unknown release (2018) |
//! | `ceph pg dump` | [`PgDump`] | 16.2, 18.2, 20.2 |
//! | `ceph pg stat` | [`PgStat`] | 16.2, 18.2, 20.2 |
//! | `ceph mon dump` | [`MonDump`] | 16.2, 18.2, 20.2 |
//! | `ceph quorum_status` | [`QuorumStatus`] | 16.2, Reef dev, 18.2, 20.2 |
//! | `mon_status` (admin socket, `tell`) | [`MonStatus`] | 16.2, 18.2, 20.2 |
//! | `ceph mgr dump` | [`MgrDump`] (also inside `status`) | Luminous, Nautilus, 16.2, 18.2, 20.2 |
//! | `ceph fs dump` | [`FsDump`] | Nautilus, Quincy, 16.2, 18.2, 20.2 |
//! | `ceph service dump` | [`ServiceDump`] (also inside `status`) | Luminous, 16.2, 18.2, 20.2 |
//! | `ceph versions` | [`Versions`] | Luminous, Quincy, 16.2, 18.2, 20.2 |
//! | `rbd ls --pool <pool>` (`-l`, or `rbd du`) | [`RbdImages`] | 20.2 (`rbd du`) |
//!
//! Each model's docs name the fields that differ by release. 20.2 is a live Tentacle capture
//! (20.2.4); Squid has no capture and parses by design: unknown fields are ignored, fields a
//! release may lack are optional, and shapes that changed (a monitor's [`CrushLocation`]) are
//! read in every form seen.
//!
//! # Tolerance
//!
//! Unknown fields are ignored; fields that some releases lack are `Option`; numeric fields
//! accept integers, integral floats and numeric strings (see the lenient rules in `num`);
//! Ceph's bare `nan`/`-nan`/`inf` tokens are quoted by a pre-pass ([`quote_non_finite`]) that
//! `parse` runs by itself when strict parsing fails. No input makes a parser panic.
//!
//! # Reading perf counters
//!
//! ```
//! use ceph_types::{CounterSchema, PerfSchema};
//!
//! let schema = PerfSchema::parse(r#"{"osd": {"op": {"type": 10, "metric_type": "counter",
//!     "value_type": "integer", "description": "Client operations", "nick": "ops",
//!     "priority": 10, "units": "none"}}}"#)?;
//! assert_eq!(schema.get("osd", "op").map(|c| c.type_bits), Some(10));
//!
//! let labeled = CounterSchema::parse(r#"{"AsyncMessenger::Worker": [{"labels": {"id": "0"},
//!     "counters": {"msgr_connection_idle_timeouts": {"type": 10}}}]}"#)?;
//! let worker = &labeled.groups.get("AsyncMessenger::Worker").unwrap()[0];
//! assert_eq!(worker.labels.get("id").map(|v| v.as_ref()), Some("0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! None: the crate always depends on `serde`, `serde_json`, `serde_path_to_error` (the JSON
//! path of a fault, only on the error path) and `thiserror`.
#![doc(test(attr(deny(warnings))))]

mod addr;
mod command;
mod cow;
mod df;
mod document;
mod error;
mod flags;
mod fs;
mod health;
mod map;
mod metadata;
mod mgr;
mod mon;
mod nonfinite;
mod num;
mod number;
mod osd;
mod osdmap;
mod owned;
mod parse;
mod perf;
mod pg;
mod pgstate;
mod pgstream;
mod rbd;
mod release;
mod service;
mod status;
mod strict;

pub use addr::{AddrError, AddrKind, AddrVec, AddrVecEntry, EntityAddr};
pub use command::{Command, Request, Target, UnknownCommand};
pub use df::{Df, DfPool, DfPoolStats, DfStats};
pub use document::Document;
pub use error::Error;
pub use flags::Flags;
pub use fs::{Filesystem, FsDump, MdsInfo, MdsMap};
pub use health::{
    CheckDetail, CheckSummary, Health, HealthCheck, HealthMute, HealthStatus, LegacyHealthSummary,
    UnknownHealthStatus, unwrap_envelope,
};
pub use map::Map;
pub use metadata::{DaemonMetadata, MdsMetadata, MgrMetadata, MonMetadata};
pub use mgr::{MgrDump, MgrModule, MgrStandby};
pub use mon::{CrushLocation, MonDump, MonFeatures, MonInfo, MonStatus, QuorumStatus};
pub use nonfinite::quote_non_finite;
pub use number::Number;
pub use osd::{
    CrushBucket, CrushDevice, CrushItem, CrushRule, CrushType, OsdCrushDump, OsdDf, OsdDfSummary,
    OsdMetadata, OsdMetadataEntry, OsdPerf, OsdPerfInfo, OsdPerfInfos, OsdPoolStats, OsdTree,
    OsdTreeNode, PoolIoRate, PoolRecovery, PoolStats,
};
pub use osdmap::{OsdDump, OsdInfo, PgUpmapItems, Pool, PoolType, UpmapPair};
pub use owned::IntoOwned;
pub use parse::Model;
pub use perf::{
    CounterDump, CounterSchema, Labeled, PerfAvg, PerfCounterSchema, PerfDump, PerfSchema,
    PerfValue,
};
pub use pg::{
    OsdPerfStat, OsdStatsEntry, PgDump, PgMap, PgStat, PgStateCount, PgStats, PgStatsSum,
    PgSummary, PoolPgStats, StatSum,
};
pub use pgstate::{PgState, PgStateSet, UnknownPgState};
pub use pgstream::{
    PgDumpReader, PgDumpVisitor, StreamedOsdStats, StreamedPg, StreamedPoolStats, StreamedStatsSum,
};
pub use rbd::{RbdImage, RbdImages};
pub use release::{Release, UnknownRelease};
pub use service::{Service, ServiceDaemon, ServiceDump, Versions};
pub use status::{Status, StatusFsMap, StatusMdsRank, StatusOsdMap, StatusPgMap};
pub use strict::StrictDeserializer;
