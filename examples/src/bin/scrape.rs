//! Scrapes Prometheus targets and rolls every series up with a Gnocchi
//! archive policy into Gnocchi's file storage layout.
//!
//! Usage: `scrape --config FILE [--storage DIR]`
//!
//! FILE is JSON in Prometheus' shape (`global`, `scrape_configs` with
//! `job_name`, `scrape_interval`, `scrape_timeout`, `metrics_path`,
//! `static_configs`, `file_sd_configs`) plus `policy` (a built-in policy
//! name or a policy file, default `low`). Each series is stored as the
//! metric `name{label="value",...}`, with `up`, `scrape_duration_seconds`
//! and `scrape_samples_scraped` per target. Read a series back with
//! `carbonara-dump --storage DIR --metric 'up{instance="...",job="..."}'`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ingest::{Error, FileStore, ScrapeConfig, Scraper};

/// Prometheus-style scraper writing Gnocchi rollups.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Scrape configuration: YAML (`*.yml`, `*.yaml`) or JSON, in Prometheus' shape.
    #[arg(long, env = "SCRAPE_CONFIG")]
    config: PathBuf,
    /// Storage directory (Gnocchi's `file_basepath` layout).
    #[arg(long, env = "SCRAPE_STORAGE", default_value = "./scrape-storage")]
    storage: PathBuf,
    /// Log level on stderr; `RUST_LOG` overrides it
    #[arg(long, value_name = "LEVEL", env = "SCRAPE_LOG_LEVEL", value_enum,
          default_value_t = examples::LogLevel::Info)]
    log_level: examples::LogLevel,
}

fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = ScrapeConfig::load(&args.config)?;
    let store = match FileStore::open(&args.storage) {
        Ok(s) => s,
        Err(e @ Error::NotWritable { .. }) => {
            eprintln!("scrape: {}", examples::error_chain(&e));
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(jobs = config.jobs.len(), storage = %args.storage.display(), "scraping");
    Scraper::new(config, store).run();
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args = Args::parse();
    examples::init_logs(args.log_level);
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scrape: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
