//! What every example binary does the same way: report an error with its causes, and set up
//! leveled logs on stderr. Anything else a user would want lives in the library crates.

use std::error::Error;

/// `e` followed by each of its sources, joined by `": "`.
///
/// ```
/// let io = std::io::Error::other("disk on fire");
/// assert_eq!(examples::error_chain(&io), "disk on fire");
/// ```
pub fn error_chain(e: &dyn Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A log level for `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Failed inputs, stale caches, and errors.
    Warn,
    /// What the daemon does (listening address, shutdown), and warnings.
    #[default]
    Info,
    /// One line per collection with its duration, and per request problem.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The `tracing` directive for this level: `error` ... `trace`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Sends `tracing` events to stderr (never stdout, which may carry the exposition), filtered
/// by `RUST_LOG` when it is set and valid, else by `level`.
///
/// Call it once, first thing in `main`; a second call leaves the first subscriber in place.
pub fn init_logs(level: LogLevel) {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(level.as_str()));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
