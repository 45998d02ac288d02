//! `ceph-exporter`: the metrics ceph-mgr's prometheus module serves, from a directory of Ceph
//! JSON dumps, a live cluster, or a capture compiled in.
//!
//! Usage: `ceph-exporter [--dump-dir DIR | --ceph [--conf PATH] | --asok-dir [DIR]
//! [--asok-flavor exporter|mgr] [--asok-timeout SECS]] [--listen ADDR [--interval
//! SECS] [--stale-cache fail|return]] [--format text|openmetrics] [--float-style go|mgr]
//! [--no-perf] [--log-level LEVEL]` (`--help` lists every flag, its default and its
//! environment variable).
//!
//! Without a source it prints the metrics of the Reef 18.2.7 capture it embeds
//! (`testdata/ceph/18.2.7-healthy`). With `--listen` it serves `/metrics` over HTTP from a
//! cache a background thread refreshes every `--interval` seconds (default 15), as the mgr
//! module does; otherwise it prints once to stdout. Inputs that are missing or malformed are
//! logged on stderr, their families are left out, and the exit status is 1. Exit status 2 is a
//! usage error.
//!
//! With `--asok-dir` it is a per-host exporter like Ceph's C++ `ceph-exporter`: the perf
//! counters of every daemon with an admin socket (`*.asok`) in DIR (default `/var/run/ceph`),
//! in the C++ exporter's names and labels or, with `--asok-flavor mgr`, the mgr module's. A
//! socket nobody listens on is a stopped daemon (`ceph_daemon_socket_up` 0), not a failure.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use examples::{LogLevel, error_chain};
use expfmt::{FloatStyle, Format};
use exporter::{
    AsokCollection, AsokCollector, AsokOptions, CephCli, ClusterCollector, CollectOptions,
    Collection, DumpDir, Encoding, Exposition, MemoryDumps, ScrapeStatus, ServeOptions, Source,
    StaleStrategy,
};
use perfcounter::Flavor;
use tracing::{debug, info, warn};

/// The Reef 18.2.7 healthy capture, as `MemoryDumps` files.
macro_rules! embedded {
    ($($dir:literal / $name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../../testdata/", $dir, "/", $name)) as &[u8])),*]
    };
}
const EMBEDDED: &[(&str, &[u8])] = embedded![
    "ceph/18.2.7-healthy" / "health_detail.json",
    "ceph/18.2.7-healthy" / "mon_status.mon.a.json",
    "ceph/18.2.7-healthy" / "mgr_dump.json",
    "ceph/18.2.7-healthy" / "fs_dump.json",
    "ceph/18.2.7-healthy" / "osd_dump.json",
    "ceph/18.2.7-healthy" / "osd_crush_dump.json",
    "ceph/18.2.7-healthy" / "osd_metadata.json",
    "ceph/18.2.7-healthy" / "service_dump.json",
    "ceph/18.2.7-healthy" / "df_detail.json",
    "ceph/18.2.7-healthy" / "pg_dump.json",
    "ceph/18.2.7-healthy" / "osd_pool_stats.json",
    "ceph/18.2.7-healthy" / "versions.json",
    "ceph/18.2.7-healthy" / "mon_metadata.json",
    "ceph/18.2.7-healthy" / "mgr_metadata.json",
    "ceph/18.2.7-healthy" / "mds_metadata.json",
    "ceph/18.2.7-healthy" / "perf_schema.mds.a.json",
    "ceph/18.2.7-healthy" / "perf_dump.mds.a.json",
    "ceph/18.2.7-healthy" / "perf_schema.mds.b.json",
    "ceph/18.2.7-healthy" / "perf_dump.mds.b.json",
    "ceph/18.2.7-healthy" / "perf_schema.mon.a.json",
    "ceph/18.2.7-healthy" / "perf_dump.mon.a.json",
    "ceph/18.2.7-healthy" / "perf_schema.osd.0.json",
    "ceph/18.2.7-healthy" / "perf_dump.osd.0.json",
    "ceph/18.2.7-healthy" / "perf_schema.osd.1.json",
    "ceph/18.2.7-healthy" / "perf_dump.osd.1.json",
    "ceph/18.2.7-healthy" / "perf_schema.osd.2.json",
    "ceph/18.2.7-healthy" / "perf_dump.osd.2.json",
];

/// The exposition format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Prometheus text 0.0.4, as the mgr module always answers.
    Text,
    /// OpenMetrics 1.0.0: counter samples gain `_total` (`ceph_pool_rd_total`).
    Openmetrics,
}

/// How floats are written in the text format (`--float-style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FloatStyleArg {
    /// Go's layout, as Prometheus' own clients write (`1`, `1e+06`).
    Go,
    /// The mgr module's layout, Python's `repr(float)` (`1.0`, `1000000.0`).
    Mgr,
}

/// What `/metrics` answers while the cache is stale (`--stale-cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StaleArg {
    /// 503 with how stale the data is (the module's default).
    Fail,
    /// 200 with the last collection's body.
    Return,
}

/// Whose names and labels the admin-socket mode writes (`--asok-flavor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AsokFlavorArg {
    /// The C++ ceph-exporter's (Reef+ labeled counters, `counter dump`; `perf dump` before).
    Exporter,
    /// The mgr prometheus module's (`perf dump`, unlabeled counters).
    Mgr,
}

/// The longest `--interval` taken: one day.
const MAX_INTERVAL_SECS: f64 = 86_400.0;

/// Parses a number of seconds in `[0.001, 86400]`: anything else is a usage error, never a
/// panic in `Duration::from_secs_f64`.
fn seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(0.001..=MAX_INTERVAL_SECS).contains(&v) {
        return Err(format!(
            "`{s}` is outside 0.001 to {MAX_INTERVAL_SECS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// The metrics ceph-mgr's prometheus module serves, from Ceph JSON dumps, a live cluster, or
/// the Reef 18.2.7 capture compiled in.
///
/// Without `--dump-dir` or `--ceph` it reads the embedded capture. Without `--listen` it
/// prints one collection on stdout and exits 1 when some input failed (named on stderr).
#[derive(Debug, Parser)]
#[command(name = "ceph-exporter", version)]
struct Cli {
    /// Read Ceph's JSON dumps from DIR (`health_detail.json`, `osd_dump.json`,
    /// `perf_dump.osd.0.json`, ...) [default: the embedded Reef 18.2.7 capture]
    #[arg(
        long,
        value_name = "DIR",
        env = "CEPH_EXPORTER_DUMP_DIR",
        conflicts_with = "ceph"
    )]
    dump_dir: Option<PathBuf>,

    /// Collect from a live cluster through the `ceph` command-line client
    #[arg(long, conflicts_with = "asok_dir")]
    ceph: bool,

    /// Per-host mode: the perf counters of every daemon with an admin socket (`*.asok`) in
    /// DIR, as Ceph's C++ ceph-exporter [default DIR: /var/run/ceph]
    #[arg(long, value_name = "DIR", env = "CEPH_EXPORTER_ASOK_DIR", num_args = 0..=1,
          default_missing_value = "/var/run/ceph", conflicts_with = "dump_dir")]
    asok_dir: Option<PathBuf>,

    /// Names and labels of the admin-socket mode
    #[arg(long, value_name = "FLAVOR", env = "CEPH_EXPORTER_ASOK_FLAVOR", value_enum,
          default_value_t = AsokFlavorArg::Exporter, requires = "asok_dir")]
    asok_flavor: AsokFlavorArg,

    /// Deadline of one admin-socket command, in seconds (0.001 to 86400)
    #[arg(long, value_name = "SECS", env = "CEPH_EXPORTER_ASOK_TIMEOUT", default_value = "5",
          value_parser = seconds, requires = "asok_dir")]
    asok_timeout: Duration,

    /// The cluster's configuration file, passed to `ceph --conf` [default: ceph's own]
    #[arg(
        long,
        value_name = "PATH",
        env = "CEPH_EXPORTER_CONF",
        requires = "ceph"
    )]
    conf: Option<PathBuf>,

    /// Serve `/metrics` over HTTP on ADDR (`0.0.0.0:9283`) instead of printing once
    #[arg(long, value_name = "ADDR", env = "CEPH_EXPORTER_LISTEN")]
    listen: Option<String>,

    /// Seconds between collections when serving (0.001 to 86400)
    #[arg(long, value_name = "SECS", env = "CEPH_EXPORTER_INTERVAL", default_value = "15",
          value_parser = seconds)]
    interval: Duration,

    /// What `/metrics` answers while the cache is stale
    #[arg(long, value_name = "STRATEGY", env = "CEPH_EXPORTER_STALE_CACHE", value_enum,
          default_value_t = StaleArg::Fail)]
    stale_cache: StaleArg,

    /// The exposition format, printed and served (the module's is `text`)
    #[arg(long, value_name = "FORMAT", env = "CEPH_EXPORTER_FORMAT", value_enum,
          default_value_t = FormatArg::Text)]
    format: FormatArg,

    /// How the text format writes floats (OpenMetrics has its own)
    #[arg(long, value_name = "STYLE", env = "CEPH_EXPORTER_FLOAT_STYLE", value_enum,
          default_value_t = FloatStyleArg::Go)]
    float_style: FloatStyleArg,

    /// Leave out the daemons' perf counters
    #[arg(long)]
    no_perf: bool,

    /// Log level on stderr; `RUST_LOG` overrides it
    #[arg(long, value_name = "LEVEL", env = "CEPH_EXPORTER_LOG_LEVEL", value_enum,
          default_value_t = LogLevel::Info)]
    log_level: LogLevel,
}

impl Cli {
    fn source(&self) -> Result<Box<dyn Source + Send>, Box<dyn std::error::Error>> {
        Ok(match (&self.dump_dir, self.ceph) {
            (Some(dir), _) => Box::new(
                DumpDir::open(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?,
            ),
            (None, true) => {
                let cli = CephCli::new();
                Box::new(match &self.conf {
                    Some(c) => cli.conf(c),
                    None => cli,
                })
            }
            (None, false) => Box::new(MemoryDumps::new(EMBEDDED.iter().copied())),
        })
    }

    fn stale(&self) -> StaleStrategy {
        match self.stale_cache {
            StaleArg::Fail => StaleStrategy::Fail,
            StaleArg::Return => StaleStrategy::Return,
        }
    }

    /// The operator's choice of format and float style; `Encoding` decides what is printed
    /// or served from it.
    fn encoding(&self) -> Encoding {
        let format = match self.format {
            FormatArg::Openmetrics => Format::OpenMetrics,
            FormatArg::Text => Format::Text,
        };
        let style = match self.float_style {
            FloatStyleArg::Go => FloatStyle::Go,
            FloatStyleArg::Mgr => FloatStyle::Python,
        };
        Encoding::new(format, style)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    examples::init_logs(cli.log_level);
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("ceph-exporter: {}", error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

/// Runs; `Ok(false)` when some inputs were left out.
fn run(cli: &Cli) -> Result<bool, Box<dyn std::error::Error>> {
    if let Some(dir) = &cli.asok_dir {
        return run_asok(cli, dir);
    }
    let source = cli.source()?;
    let options = CollectOptions::new().perf(!cli.no_perf);
    let mut collector = ClusterCollector::new(options);
    match &cli.listen {
        None => {
            let collection = collect(&mut collector, source.as_ref());
            let mut out = Vec::new();
            collection.encode_with(&mut out, cli.encoding())?;
            std::io::stdout().lock().write_all(&out)?;
            Ok(collection.errors().is_empty())
        }
        Some(addr) => {
            serve(addr, cli, collector, source)?;
            Ok(true)
        }
    }
}

/// One collection, logged: its duration at debug, each failed input at warn.
fn collect(collector: &mut ClusterCollector, source: &dyn Source) -> Collection {
    let start = Instant::now();
    let collection = collector.collect(source);
    let took = start.elapsed();
    for e in collection.errors() {
        warn!("input failed: {}", error_chain(e));
    }
    debug!(
        "collection took {:.3} s, {} families, {} failed inputs",
        took.as_secs_f64(),
        collection.families().len(),
        collection.errors().len()
    );
    collection
}

/// Serves `/metrics` on `addr` from a cache refreshed every `--interval` seconds.
fn serve(
    addr: &str,
    cli: &Cli,
    mut collector: ClusterCollector,
    source: Box<dyn Source + Send>,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
    info!("listening on {}", listener.local_addr()?);
    let interval = cli.interval;
    let style = cli.encoding().float_style();
    let collect = move || {
        let start = Instant::now();
        let collection = collect(&mut collector, source.as_ref());
        let exposition = Exposition::from_collection(&collection, style)
            .map_err(|e| warn!("cannot encode the collection: {}", error_chain(&e)))
            .ok();
        let took = start.elapsed();
        if took > interval {
            warn!(
                "collecting took {:.2} s, more than the {:.3} s interval: the cache is stale",
                took.as_secs_f64(),
                interval.as_secs_f64()
            );
        }
        exposition
    };
    let options = ServeOptions::new().interval(interval).stale(cli.stale());
    exporter::serve(listener, collect, options)?;
    Ok(())
}

/// The admin-socket mode; `Ok(false)` when a daemon failed (a missing one is not a failure).
fn run_asok(cli: &Cli, dir: &std::path::Path) -> Result<bool, Box<dyn std::error::Error>> {
    let flavor = match cli.asok_flavor {
        AsokFlavorArg::Exporter => Flavor::Exporter,
        AsokFlavorArg::Mgr => Flavor::Mgr,
    };
    // A collection never runs past the interval when serving (nor past a minute one-shot).
    let deadline = match cli.listen {
        Some(_) => cli.interval,
        None => Duration::from_secs(60),
    };
    let options = AsokOptions::new(dir)
        .flavor(flavor)
        .timeout(cli.asok_timeout)
        .deadline(deadline.max(cli.asok_timeout));
    let mut collector = AsokCollector::new(options);
    let encoding = cli.encoding();
    let (format, style) = (encoding.format(), encoding.float_style());
    match &cli.listen {
        None => {
            let collection = collect_asok(&mut collector);
            let mut out = Vec::new();
            collection.encode(&mut out, format, style)?;
            std::io::stdout().lock().write_all(&out)?;
            if let Some(e) = collection.scan_error() {
                return Err(format!("cannot list `{}`: {e}", dir.display()).into());
            }
            Ok(collection.failures().next().is_none())
        }
        Some(addr) => {
            let listener =
                TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
            info!("listening on {}", listener.local_addr()?);
            let collect = move || {
                collect_asok(&mut collector)
                    .exposition(style)
                    .map_err(|e| warn!("cannot encode the collection: {}", error_chain(&e)))
                    .ok()
            };
            let options = ServeOptions::new()
                .interval(cli.interval)
                .stale(cli.stale());
            exporter::serve(listener, collect, options)?;
            Ok(true)
        }
    }
}

/// One admin-socket collection, logged: its duration at debug, each failed daemon at warn,
/// each missing one at info.
fn collect_asok(collector: &mut AsokCollector) -> AsokCollection {
    let start = Instant::now();
    let collection = collector.collect();
    if let Some(e) = collection.scan_error() {
        warn!("cannot list `{}`: {e}", collector.options().dir().display());
    }
    for d in collection.daemons() {
        match d.status() {
            ScrapeStatus::Missing(e) => info!("daemon not running: {}", error_chain(e)),
            ScrapeStatus::Ok => {}
            _ => {
                if let Some(e) = d.error() {
                    warn!("daemon failed: {}", error_chain(e));
                }
            }
        }
    }
    for name in collection.clashes() {
        warn!("family `{name}` has another type in another daemon's schema; samples left out");
    }
    debug!(
        "admin-socket collection took {:.3} s, {} sockets, {} families",
        start.elapsed().as_secs_f64(),
        collection.daemons().len(),
        collection.families().len()
    );
    collection
}
