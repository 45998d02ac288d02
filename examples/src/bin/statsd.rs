//! A statsd daemon that behaves as Gnocchi 4.7.1's `gnocchi-statsd` and
//! rolls the measures up into Gnocchi's file storage layout.
//!
//! Usage: `statsd [--listen ADDR] [--policy NAME|FILE] [--storage DIR] [--flush-delay SECS]`
//!
//! Each `name:value|type[|@rate]` line updates the metric `name|type`
//! (`c` summed with its sample rate, `g` and `ms` last value); every
//! `--flush-delay` seconds each updated metric gets one measure, rolled up
//! with the archive policy `--policy` gives it. Logs go to stderr
//! (`RUST_LOG` or `--log-level`).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ingest::{Error, FileStore, Policies, StatsdServer};

/// gnocchi-statsd compatible daemon writing Gnocchi's file storage layout.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// UDP address to listen on.
    #[arg(long, env = "STATSD_LISTEN", default_value = "127.0.0.1:8125")]
    listen: String,
    /// Archive policy of new metrics: a built-in name (low, medium, high,
    /// bool) or a JSON file (one policy in Gnocchi's REST form, or
    /// `archive_policies` + `archive_policy_rules`).
    #[arg(long, env = "STATSD_POLICY", default_value = "low")]
    policy: String,
    /// Storage directory (Gnocchi's `file_basepath` layout).
    #[arg(long, env = "STATSD_STORAGE", default_value = "./statsd-storage")]
    storage: String,
    /// Seconds between flushes.
    #[arg(long, env = "STATSD_FLUSH_DELAY", default_value_t = 10.0, value_parser = positive_seconds)]
    flush_delay: f64,
    /// Log level on stderr; `RUST_LOG` overrides it
    #[arg(long, value_name = "LEVEL", env = "STATSD_LOG_LEVEL", value_enum,
          default_value_t = examples::LogLevel::Info)]
    log_level: examples::LogLevel,
}

fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let policies = Policies::load(&args.policy)?;
    let store = match FileStore::open(&args.storage) {
        Ok(s) => s,
        Err(e @ Error::NotWritable { .. }) => {
            eprintln!("statsd: {}", examples::error_chain(&e));
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let server = StatsdServer::bind(
        &args.listen,
        store,
        policies,
        Duration::from_secs_f64(args.flush_delay),
    )?;
    let summary = server.run()?;
    tracing::info!(?summary, "stopped");
    Ok(ExitCode::SUCCESS)
}

/// A positive, finite number of seconds.
fn positive_seconds(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .ok_or_else(|| format!("`{v}` is not a positive number of seconds"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    examples::init_logs(args.log_level);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("statsd: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
