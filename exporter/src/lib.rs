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
//! - [`MetricsCache`] keeps the last [`Exposition`] (bytes and a content type) and decides what
//!   `/metrics` answers, stale or not ([`StaleStrategy`]), without any runtime.
//! - [`serve`] (feature `server`) answers `/metrics` over HTTP from that cache, refreshed in
//!   the background, with [`ServeOptions`] and an optional [`WebConfig`] (TLS, basic auth).
//!
//! # Crate features
//!
//! - `server` (default): the HTTP server, on hyper and tokio, with gzip, TLS (rustls) and
//!   basic auth from an exporter-toolkit web config. Without it the crate pulls no runtime;
//!   mount [`MetricsCache::answer`] in a server of your own.
#![doc(test(attr(deny(warnings))))]

mod adapt;
mod cache;
mod collect;
mod daemons;
mod error;
mod health;
mod input;
mod osd;
mod perf;
mod pgscan;
mod pools;
mod release;
#[cfg(feature = "server")]
mod server;
mod source;
mod spec;

pub use cache::{
    CacheAnswer, Exposition, MetricsCache, Snapshot, StaleStrategy, UnknownStaleStrategy,
};
pub use collect::{ClusterCollector, CollectOptions, Collection};
pub use error::CollectError;
pub use health::HealthHistory;
pub use release::{Release, UnknownRelease};
#[cfg(feature = "server")]
pub use server::{ServeOptions, WebConfig, WebConfigError, serve, serve_cache};
pub use source::{CephCli, DumpDir, FetchError, Input, MAX_DOCUMENT_BYTES, MemoryDumps, Source};
