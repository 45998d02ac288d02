//! What every example binary does the same way: report an error with its causes, and a usage
//! error with the usage line. Anything else a user would want lives in the library crates.

use std::error::Error;
use std::process::ExitCode;

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

/// Reports a usage error on stderr (`<bin>: <msg>` unless `msg` is empty, then the usage
/// line) and returns exit status 2.
pub fn usage_error(bin: &str, msg: &str, usage: &str) -> ExitCode {
    if !msg.is_empty() {
        eprintln!("{bin}: {msg}");
    }
    eprintln!("{usage}");
    ExitCode::from(2)
}

/// Leveled logs on stderr: `RUST_LOG` when set, else `default_level`
/// (`error`, `warn`, `info`, `debug`, `trace`).
pub fn init_logs(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
