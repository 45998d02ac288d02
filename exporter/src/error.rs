//! Why an input was left out of a collection.

use ceph_types::Request;

use crate::{FetchError, Release};

/// One input the collector could not use. The families that need it are left out of the
/// collection; everything else is still collected.
///
/// Each variant names the input and where it came from (a file path or a command line).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The source could not give the input (missing file, failed command, ...).
    #[error("cannot read {input} from `{origin}`")]
    Fetch {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// Why.
        #[source]
        source: FetchError,
    },
    /// A cluster document is not what its command prints.
    #[error("malformed {input} in `{origin}`")]
    Parse {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// The parser's error, with the line, column and JSON path.
        #[source]
        source: ceph_types::Error,
    },
    /// A document read in one pass (the PG map) is malformed.
    #[error("malformed {input} in `{origin}` at byte {offset}: {reason}")]
    Syntax {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// The byte offset of the fault from the start of the document.
        offset: u64,
        /// What was expected or found.
        reason: &'static str,
    },
    /// A document is not UTF-8.
    #[error("{input} in `{origin}` is not UTF-8 after byte {offset}")]
    Utf8 {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// The length of the valid prefix.
        offset: usize,
    },
    /// A perf schema or perf dump is not what the admin socket prints.
    #[error("malformed {input} in `{origin}`")]
    PerfParse {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// The parser's error.
        #[source]
        source: perfcounter::Error,
    },
    /// A document parsed but holds a value the module cannot use.
    #[error("unexpected value `{value}` at `{path}` in `{origin}`")]
    Value {
        /// The input.
        input: Request,
        /// The file path or command line.
        origin: String,
        /// The JSON path of the value.
        path: &'static str,
        /// The value.
        value: String,
    },
    /// One daemon's perf schema and perf dump do not come as a pair.
    #[error("{input} of `{daemon}` has no matching perf schema in `{origin}`")]
    PerfUnpaired {
        /// The input that is there.
        input: Request,
        /// The daemon.
        daemon: String,
        /// The file path or command line.
        origin: String,
    },
    /// A daemon's perf dump holds no counter although its schema has some (`{}`): none of
    /// its perf series can be written.
    #[error(
        "{input} of `{daemon}` in `{origin}` has no counters; its schema has {schema_counters}"
    )]
    PerfEmpty {
        /// The perf dump.
        input: Request,
        /// The daemon.
        daemon: String,
        /// The file path or command line.
        origin: String,
        /// The number of counters its schema declares.
        schema_counters: usize,
    },
    /// No daemon reports a Ceph version this crate knows; the newest known layout is used.
    #[error("no daemon reports a known ceph release, using `{used}`")]
    UnknownRelease {
        /// The release whose layout was used.
        used: Release,
    },
    /// A perf-counter family has the name of a cluster family but another type; its samples
    /// are left out.
    #[error("perf-counter family `{name}` clashes with a cluster family")]
    Clash {
        /// The family name.
        name: String,
        /// The merge error.
        #[source]
        source: expfmt::Error,
    },
}

impl CollectError {
    /// The input the error is about, if it is about one.
    pub fn input(&self) -> Option<&Request> {
        match self {
            CollectError::Fetch { input, .. }
            | CollectError::Parse { input, .. }
            | CollectError::Utf8 { input, .. }
            | CollectError::Syntax { input, .. }
            | CollectError::PerfParse { input, .. }
            | CollectError::Value { input, .. }
            | CollectError::PerfUnpaired { input, .. }
            | CollectError::PerfEmpty { input, .. } => Some(input),
            CollectError::UnknownRelease { .. } | CollectError::Clash { .. } => None,
        }
    }

    /// Whether the error is a missing input (file not found), as opposed to a malformed one.
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            CollectError::Fetch {
                source: FetchError::NotFound,
                ..
            }
        )
    }
}
