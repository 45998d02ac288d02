//! Rollup ingestion for the suite: a statsd daemon that behaves as
//! Gnocchi 4.7.1's `gnocchi-statsd` and Prometheus-style scrapes, both
//! rolled up by `carbonara`'s metricd pipeline into Gnocchi's file storage
//! layout (which Gnocchi itself reads). Scrapes are parsed by `expfmt`.
//!
//! ```
//! use ingest::{FileStore, Policies, Stats};
//!
//! let dir = std::env::temp_dir().join(format!("ingest-lib-doc-{}", std::process::id()));
//! let mut store = FileStore::open(&dir)?;
//! let policies = Policies::load("medium")?;
//! let mut stats = Stats::new();
//! let now = 1_700_000_000_000_000_000;
//! stats.ingest(b"api.hits:2|c\napi.hits:1|c|@0.5", now, |bad| eprintln!("{bad}"));
//! for (name, point) in stats.flush() {
//!     store.add_measures(&name, &[point], &policies)?;
//! }
//! let hits = store.load_metric("api.hits|c")?;
//! assert_eq!(hits.aggregates("sum".parse()?, 60_000_000_000)?.serie().values(), &[4.0]);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! * [`Stats`]: gnocchi-statsd's line protocol and interval state.
//! * [`StatsdServer`]: the UDP daemon with its flush thread.
//! * [`FileStore`]: Gnocchi's file driver layout, atomic writes, metrics
//!   by name; [`Policies`] picks a new metric's archive policy.
//! * [`ScrapeConfig`] / [`Scraper`]: Prometheus-style jobs, static and
//!   file-discovered targets, `up` and `scrape_duration_seconds`.
//!
//! # Crate features
//!
//! None.
#![doc(test(attr(deny(warnings))))]

mod daemon;
mod error;
mod policy;
mod pyfloat;
mod scrape;
mod statsd;
mod store;

pub use daemon::{StatsdServer, StatsdSummary};
pub use error::Error;
pub use policy::Policies;
pub use scrape::{
    ACCEPT, Job, ScrapeConfig, ScrapeResult, Scraper, Target, TargetGroup, exposition_series,
    read_target_groups, scrape,
};
pub use statsd::{
    MAX_NAME_CHARS, PacketOutcome, RejectReason, Rejection, Stats, StatsdCounters, StatsdType,
    gnocchi_now, gnocchi_timestamp,
};
pub use store::{FileStore, INDEX_FILE};

/// `e` followed by each of its sources, joined by `": "`.
///
/// ```
/// let io = std::io::Error::other("disk on fire");
/// assert_eq!(ingest::error_chain(&io), "disk on fire");
/// ```
#[must_use]
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
