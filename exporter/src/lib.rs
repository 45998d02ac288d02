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
//! - [`Live`] collects from a running cluster: every command of a collection concurrently, each
//!   with a deadline, through a [`Commander`] ([`CephCli`], or `Rados` with the `rados`
//!   feature), into a [`Snapshot`] the collector reads.
//!
//! # Crate features
//!
//! - `server` (default): the HTTP server, on hyper and tokio, with gzip, TLS (rustls) and
//!   basic auth from an exporter-toolkit web config. Without it the crate pulls no runtime;
//!   mount [`MetricsCache::answer`] in a server of your own.
//! - `rados` (off by default): `Rados`, cluster commands over one librados connection. Links
//!   the system's `librados` (Debian: `librados-dev`).
//! - [`AsokCollector`] is the per-host mode of Ceph's C++ `ceph-exporter`: the perf counters
//!   of every daemon with an admin socket in a directory, queried concurrently with
//!   deadlines through [`AdminSocket`], in either [`perfcounter::Flavor`].
//!
//! # Per-host collection from admin sockets
//!
//! ```no_run
//! use std::time::Duration;
//! use exporter::{AsokCollector, AsokOptions};
//! use perfcounter::Flavor;
//!
//! let options = AsokOptions::new("/var/run/ceph")
//!     .flavor(Flavor::Exporter)
//!     .timeout(Duration::from_secs(2));
//! let collection = AsokCollector::new(options).collect();
//! for daemon in collection.daemons() {
//!     if let Some(e) = daemon.error() {
//!         eprintln!("{}: {e}", daemon.daemon());
//!     }
//! }
//! let mut text = Vec::new();
//! collection.encode(&mut text, expfmt::Format::Text, expfmt::FloatStyle::Go)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![doc(test(attr(deny(warnings))))]

mod adapt;
mod asok;
mod cache;
mod collect;
mod daemons;
mod error;
mod health;
mod host;
mod input;
mod layout;
mod live;
mod osd;
mod perf;
mod pgscan;
mod pools;
#[cfg(feature = "rados")]
mod rados;
#[cfg(feature = "server")]
mod server;
mod source;
mod spec;

pub use asok::{
    AdminSocket, AsokError, AsokErrorKind, DEFAULT_MAX_REPLY_BYTES, Excerpt, MAX_COMMAND_BYTES,
    ReplyError, read_reply,
};
pub use cache::{
    CacheAnswer, CachedExposition, Exposition, MetricsCache, StaleStrategy, UnknownStaleStrategy,
};
pub use ceph_types::{Release, UnknownRelease};
pub use collect::{ClusterCollector, CollectOptions, Collection};
pub use error::CollectError;
pub use health::HealthHistory;
pub use host::{
    AsokCollection, AsokCollector, AsokOptions, CounterApi, DaemonScrape, ScrapeStatus,
};
pub use live::{AsokTell, Commander, ConnectError, Live, Snapshot};
#[cfg(feature = "rados")]
pub use rados::Rados;
#[cfg(feature = "server")]
pub use server::{ServeOptions, WebConfig, WebConfigError, serve, serve_cache};
pub use source::{
    CephCli, DumpDir, FetchError, MAX_DOCUMENT_BYTES, MemoryDumps, Source, kill_children,
};
