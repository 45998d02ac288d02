//! The ceph-mgr prometheus module, reproduced as a library: its cluster-level families built from
//! Ceph's JSON dumps, its perf-counter families, the collection run that gathers the dumps from a
//! [`Source`], and the cached HTTP endpoint that serves the result.
//!
//! It composes the other crates of the suite: [`ceph_types`] parses every dump, [`perfcounter`]
//! maps each daemon's perf counters, and [`expfmt`] encodes the families.
//!
//! ```
//! use exporter::{ClusterCollector, CollectOptions, DumpDir};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/ceph/18.2.7-healthy");
//! let source = DumpDir::open(dir)?;
//! let collection = ClusterCollector::new(CollectOptions::default()).collect(&source);
//! assert!(collection.families().iter().any(|f| f.name == "ceph_health_status"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`ClusterCollector`] runs one collection from a [`Source`] ([`DumpDir`], [`MemoryDumps`],
//!   [`CephCli`]) and returns a [`Collection`] of families.
//! - [`serve`] answers `/metrics` from an [`Exposition`] cache refreshed in the background,
//!   with [`ServeOptions`] (interval, [`StaleStrategy`], limits).
#![doc(test(attr(deny(warnings))))]

mod adapt;
mod collect;
mod daemons;
mod encoding;
mod error;
mod health;
mod input;
mod layout;
mod osd;
mod perf;
mod pgscan;
mod pools;
mod serve;
mod source;
mod spec;

pub use ceph_types::{Release, UnknownRelease};
pub use collect::{ClusterCollector, CollectOptions, Collection};
pub use encoding::Encoding;
pub use error::CollectError;
pub use health::HealthHistory;
pub use serve::{Exposition, ServeOptions, StaleStrategy, UnknownStaleStrategy, serve};
pub use source::{CephCli, DumpDir, FetchError, MAX_DOCUMENT_BYTES, MemoryDumps, Source};
