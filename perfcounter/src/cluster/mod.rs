//! The mgr prometheus module's cluster-level families, built from Ceph's JSON dumps, and the
//! cached HTTP endpoint that serves them.

mod adapt;
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
mod serve;
mod source;
mod spec;

pub use collect::{ClusterCollector, CollectOptions, Collection};
pub use error::CollectError;
pub use health::HealthHistory;
pub use release::{Release, UnknownRelease};
pub use serve::{Exposition, ServeOptions, StaleStrategy, UnknownStaleStrategy, serve};
pub use source::{CephCli, DumpDir, FetchError, Input, MAX_DOCUMENT_BYTES, MemoryDumps, Source};
