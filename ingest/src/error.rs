//! The error type of the crate.

use std::path::PathBuf;

/// What went wrong while ingesting or storing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory of the storage could not be read or written.
    #[error("storage i/o on `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The storage directory exists but this process cannot write to it.
    #[error("storage directory `{}` is not writable", path.display())]
    NotWritable {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The storage index (`ingest-index.json`) does not parse.
    #[error("storage index `{}` does not parse", path.display())]
    Index {
        /// The index file.
        path: PathBuf,
        /// The cause, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A policy file does not parse.
    #[error("policy file `{}` does not parse", path.display())]
    PolicyFile {
        /// The file.
        path: PathBuf,
        /// The cause, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A policy or rule names a policy that is not defined.
    #[error("archive policy `{name}` is not defined")]
    UnknownPolicy {
        /// The name.
        name: String,
    },
    /// A metric is not in the storage index.
    #[error("no metric `{name}` in the storage")]
    NoSuchMetric {
        /// The metric name.
        name: String,
    },
    /// A UDP or TCP socket could not be opened or used.
    #[error("socket `{addr}`")]
    Socket {
        /// The address.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A scrape configuration or discovery file does not parse.
    #[error("config `{}` does not parse", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A YAML scrape configuration or discovery file (`.yml`, `.yaml`) does not parse.
    #[error("config `{}` does not parse", path.display())]
    ConfigYaml {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        #[source]
        source: serde_norway::Error,
    },
    /// A scrape configuration value is invalid.
    #[error("config `{}`: {reason}", path.display())]
    ConfigValue {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// An error of the roll-up engine.
    #[error("roll-up of metric `{metric}`")]
    Carbonara {
        /// The metric name.
        metric: String,
        /// The cause.
        #[source]
        source: carbonara::Error,
    },
}
