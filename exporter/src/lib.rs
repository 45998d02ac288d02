//! The ceph-mgr prometheus module, reproduced as a library: its cluster-level families built from
//! Ceph's JSON dumps, its perf-counter families, the collection run that gathers the dumps from a
//! [`Source`], and the cached HTTP endpoint that serves the result.
//!
//! ```
//! use exporter::{ClusterCollector, CollectOptions, DumpDir, Encoding};
//! use expfmt::{FloatStyle, Format};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/ceph/18.2.7-healthy");
//! let source = DumpDir::open(dir)?;
//! let collection = ClusterCollector::new(CollectOptions::default()).collect(&source);
//! assert!(collection.errors().is_empty());
//! let mut body = Vec::new();
//! collection.encode_with(&mut body, Encoding::new(Format::Text, FloatStyle::Python))?;
//! assert!(body.windows(21).any(|w| w == b"\nceph_health_status 0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it reproduces
//!
//! The families, labels, HELP, TYPE and values of the module's `/metrics` (checked against the
//! live module of Pacific 16.2.15, Reef 18.2.7 and Tentacle 20.2.4 and against the module run
//! over the same dump files: `tests/parity`), in the layout of the cluster's own release (see
//! [`ClusterCollector`]), with the perf counters the module exports when
//! `exclude_perf_counters` is off. Not reproduced: the RBD image I/O families
//! (`ceph_rbd_{read,write}_*`; they need the module's OSD perf query). 20.2.4's
//! `ceph_rbd_image_metadata` lists the images of every `rbd` pool from
//! `rbd ls --pool <pool> --format json` ([`ceph_types::Command::RbdLs`], a file
//! `rbd_ls.<pool>.json` in a dump directory). 20.2.4's families that the module fills from
//! cephadm (`ceph_cephadm_daemon_status`, `ceph_smb_metadata` behind the orchestrator, and the
//! seven `ceph_hardware_*` from node-proxy) are written with HELP and TYPE and no sample, as
//! the module writes them on a cluster without the cephadm orchestrator: no Ceph command
//! carries that data. Added: per-input health series ([`CollectOptions::input_health`]).
//!
//! # How a dump travels from bytes to exposition
//!
//! 1. A [`Source`] answers [`ceph_types::Request`]s (a [`ceph_types::Command`], addressed to
//!    the cluster or to one daemon): [`DumpDir`] and [`MemoryDumps`] by file name
//!    ([`ceph_types::Request::file_name`]), [`CephCli`] by running `ceph` (or `rbd` for a
//!    pool's image list; [`ceph_types::Request::cli_args`]).
//! 2. [`ceph_types`] parses each cluster document into its model (`OsdDump`, `Df`,
//!    `MonMetadata`, ...), borrowing from the bytes; the PG map is read in one streaming pass
//!    ([`ceph_types::PgDumpReader`]) and only its aggregate is kept.
//! 3. The collection steps turn the models into the module's static families; the release
//!    ([`Release`], detected from the daemons' metadata) picks the layout.
//! 4. [`perfcounter`] maps each daemon's perf schema and dump (mgr flavour, priority filter).
//! 5. The families form a [`Collection`]; [`Encoding`] decides format and float style once,
//!    and [`expfmt`] writes the bytes ([`Collection::encode_with`], or [`RepeatEncoder`],
//!    which renders names and label sets once while the cluster keeps its series).
//!
//! # Overview
//!
//! - [`ClusterCollector`] runs one collection from a [`Source`] ([`DumpDir`], [`MemoryDumps`],
//!   [`CephCli`]) and returns a [`Collection`] of families, with the inputs that failed as
//!   [`CollectError`]s.
//! - [`Encoding`] is what a printout or a `/metrics` request gets: text (as the module) or
//!   OpenMetrics, Go or the module's Python float layout. [`RepeatEncoder`] encodes successive
//!   collections of one cluster through an [`expfmt::PreparedEncoder`].
//! - [`MetricsCache`] keeps the last [`Exposition`] (bytes and a content type) and decides what
//!   `/metrics` answers, stale or not ([`StaleStrategy`]), without any runtime.
//! - [`serve`] (feature `server`) answers `/metrics` over HTTP from that cache, refreshed in
//!   the background, with [`ServeOptions`] and an optional [`WebConfig`] (TLS, basic auth).
//! - [`Live`] collects from a running cluster: every command of a collection concurrently, each
//!   with a deadline, through a [`Commander`] ([`CephCli`], or `Rados` with the `rados`
//!   feature), into a [`Snapshot`] the collector reads. Documents built only from the
//!   cluster's maps are reused while their map epochs are unchanged ([`Live::reuse_maps`]).
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

mod asok;
mod cache;
mod collect;
mod daemons;
mod encoding;
mod epochs;
mod error;
mod health;
mod host;
mod layout;
mod live;
mod osd;
mod perf;
mod pools;
#[cfg(feature = "rados")]
mod rados;
mod rbd;
mod repeat;
#[cfg(feature = "server")]
mod server;
mod source;
mod spec;
mod steps;
#[cfg(test)]
mod testutil;
mod workers;

pub use asok::{
    AdminSocket, AsokError, AsokErrorKind, DEFAULT_MAX_REPLY_BYTES, Excerpt, MAX_COMMAND_BYTES,
    ReplyError, read_reply,
};
pub use cache::{
    CacheAnswer, CachedExposition, Exposition, MetricsCache, StaleStrategy, UnknownStaleStrategy,
};
pub use ceph_types::{Release, UnknownRelease};
pub use collect::{ClusterCollector, CollectOptions, Collection};
pub use encoding::Encoding;
pub use error::CollectError;
pub use health::HealthHistory;
pub use host::{
    AsokCollection, AsokCollector, AsokOptions, CounterApi, DaemonScrape, ScrapeStatus,
};
pub use live::{AsokTell, Commander, ConnectError, Live, Snapshot};
#[cfg(feature = "rados")]
pub use rados::Rados;
pub use repeat::RepeatEncoder;
#[cfg(feature = "server")]
pub use server::{ServeOptions, WebConfig, WebConfigError, serve, serve_cache};
pub use source::{
    CephCli, DumpDir, FetchError, MAX_DOCUMENT_BYTES, MemoryDumps, Source, kill_children,
};
