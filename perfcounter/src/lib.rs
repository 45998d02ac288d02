//! Ceph perf counters to Prometheus families, the way ceph-mgr's prometheus module and the C++
//! `ceph-exporter` do it.
//!
//! A Ceph daemon describes its perf counters in `perf schema` (or, from Reef, the labeled
//! `counter schema`) and reports their values in `perf dump` (`counter dump`). This crate
//! parses both documents, decodes the counter vocabularies (type bits, priorities, units), and
//! maps them to [`expfmt`] families with one of two documented [`Flavor`]s: the mgr module's
//! names, types and labels, or ceph-exporter's. Names that collide land in one family, and
//! every name is valid, so the result always encodes as valid exposition. The `exporter` crate
//! builds the module's cluster-level families and the collection run on top of it.
//!
//! ```
//! use perfcounter::{Dump, Families, Mapper, Schema};
//!
//! let schema = Schema::parse(r#"{"osd": {
//!     "op_r": {"type": 10, "metric_type": "counter", "value_type": "integer",
//!              "description": "Client read operations", "nick": "rd", "priority": 8, "units": "none"},
//!     "op_r_latency": {"type": 5, "metric_type": "gauge", "value_type": "real-integer-pair",
//!              "description": "Latency of read operation (including queue time)", "nick": "",
//!              "priority": 5, "units": "none"}}}"#)?;
//! let dump = Dump::parse(r#"{"osd": {"op_r": 1234,
//!     "op_r_latency": {"avgcount": 1234, "sum": 2.468000000, "avgtime": 0.002000000}}}"#)?;
//!
//! let mut out = Families::new();
//! Mapper::default().map("osd.0", &schema, &dump, &mut out);
//! let set = out.into_set();
//! let names: Vec<&str> = set.families().iter().map(|f| f.name.as_ref()).collect();
//! assert_eq!(names, ["ceph_osd_op_r", "ceph_osd_op_r_latency_sum", "ceph_osd_op_r_latency_count"]);
//!
//! let mut text = Vec::new();
//! let mut enc = expfmt::Encoder::new(&mut text, expfmt::Format::Text);
//! enc.encode_families(set.families())?;
//! enc.finish();
//! assert!(String::from_utf8(text)?.contains(
//!     "# HELP ceph_osd_op_r_latency_sum Latency of read operation (including queue time) Total\n\
//!      ## TYPE ceph_osd_op_r_latency_sum counter\n\
//!      ceph_osd_op_r_latency_sum{ceph_daemon=\"osd.0\"} 2.468\n"
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Schema`] and [`Dump`] hold a daemon's documents, in the unlabeled `perf` or the
//!   labeled `counter` shape, as parsed by `ceph-types`.
//! - [`Mapper`] holds the options ([`Flavor`], priority limit); [`Mapper::prepare`] turns a
//!   schema into a [`PreparedSchema`] once, which then maps any number of dumps.
//! - [`Families`] collects the families of many daemons, merged by name, and the
//!   [`Skipped`] counters with their [`SkipReason`].
//! - [`PerfCounterType`], [`Priority`], [`Unit`], [`MetricKind`] and [`ValueType`] are the
//!   counter vocabularies; [`promethize`] and [`promethize_exporter`] the two naming rules.
//!
//! # Many daemons, one schema
//!
//! The OSDs of one release share one schema: prepare it once.
//!
//! ```
//! use perfcounter::{Dump, Families, Flavor, Mapper, Schema};
//!
//! let schema = Schema::parse(r#"{"osd": {"stat_bytes_used": {"type": 2,
//!     "description": "Used space", "priority": 5}}}"#)?;
//! let mapper = Mapper::new(Flavor::Mgr);
//! let prepared = mapper.prepare(&schema);
//! let dumps = [
//!     ("osd.0", Dump::parse(r#"{"osd": {"stat_bytes_used": 10}}"#)?),
//!     ("osd.1", Dump::parse(r#"{"osd": {"stat_bytes_used": 20}}"#)?),
//! ];
//! let mut out = Families::new();
//! for (daemon, dump) in &dumps {
//!     prepared.map(daemon, dump, &mut out);
//! }
//! let set = out.into_set();
//! assert_eq!(set.get("ceph_osd_stat_bytes_used").map(|f| f.metrics.len()), Some(2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Labeled counters (ceph-exporter)
//!
//! ```
//! use perfcounter::{Dump, Families, Flavor, Mapper, Schema};
//!
//! let schema = Schema::parse(r#"{"AsyncMessenger::Worker": [{"labels": {"id": "0"},
//!     "counters": {"msgr_connection_ready_timeouts": {"type": 10, "metric_type": "counter",
//!     "value_type": "integer", "description": "Number of not yet ready connections declared as dead",
//!     "nick": "", "priority": 5, "units": "none"}}}]}"#)?;
//! let dump = Dump::parse(r#"{"AsyncMessenger::Worker": [{"labels": {"id": "0"},
//!     "counters": {"msgr_connection_ready_timeouts": 3}}]}"#)?;
//! let mut out = Families::new();
//! Mapper::new(Flavor::Exporter).map("ceph-osd.0.asok", &schema, &dump, &mut out);
//! let set = out.into_set();
//! let family = &set.families()[0];
//! assert_eq!(family.name, "ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts");
//! let labels: Vec<(&str, &str)> =
//!     family.metrics[0].labels.iter().map(|l| (l.name.as_ref(), l.value.as_ref())).collect();
//! assert_eq!(labels, [("ceph_daemon", "osd.0"), ("id", "0")]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! None. The crate depends on `ceph-types`, `expfmt` and `thiserror`.
#![doc(test(attr(deny(warnings))))]

mod counter_type;
mod error;
mod families;
mod input;
mod mapper;
mod prepared;
mod priority;
mod promethize;
mod rules;

pub use counter_type::{MetricKind, PerfCounterType, ValueType};
pub use error::{Document, Error};
pub use families::{Families, SkipReason, Skipped};
pub use input::{Dump, Schema};
pub use mapper::{Flavor, Mapper, MapperBuilder};
pub use prepared::PreparedSchema;
pub use priority::{Priority, Unit};
pub use promethize::{promethize, promethize_exporter};
