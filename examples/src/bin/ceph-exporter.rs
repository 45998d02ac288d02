//! `ceph-exporter`: the metrics ceph-mgr's prometheus module serves, from a directory of Ceph
//! JSON dumps, a live cluster, or a capture compiled in.
//!
//! Usage: `ceph-exporter [--dump-dir DIR | --ceph [--conf PATH] [--timeout SECS] [--cli] |
//! --asok-dir [DIR] [--asok-flavor exporter|mgr] [--asok-timeout SECS]] [--listen ADDR
//! [--interval SECS] [--stale-cache fail|return]] [--format text|openmetrics] [--float-style go|mgr]
//! [--no-perf] [--log-level LEVEL]` (`--help` lists every flag, its default and its
//! environment variable).
//!
//! Without a source it prints the metrics of the Reef 18.2.7 capture it embeds
//! (`testdata/ceph/18.2.7-healthy`). With `--listen` it serves `/metrics` over HTTP from a
//! cache a background thread refreshes every `--interval` seconds (default 15), as the mgr
//! module does, in `--format` whatever the scraper's `Accept` says (text 0.0.4 by default, as
//! the module), over TLS and with basic auth when `--web.config.file` says so, until SIGTERM or
//! SIGINT; otherwise it prints once to stdout. Inputs that are missing or malformed are
//! logged on stderr, their families are left out, and the exit status is 1. Exit status 2 is a
//! usage error.
//!
//! With `--ceph`, every command of a collection is sent concurrently, each with a deadline of
//! `--timeout` seconds (default 5): the cluster commands over one librados connection when
//! built with the `rados` feature (unless `--cli`), else through the `ceph` client, whose
//! children are killed with their process group at the deadline and on SIGTERM/SIGINT. A
//! cluster that does not answer at all is an error (exit 1) in a one-shot run; with
//! `--listen` the server keeps its last collection, which turns stale.
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

use clap::{CommandFactory, Parser, ValueEnum};
use examples::{LogLevel, error_chain};
use expfmt::{FloatStyle, Format};
use exporter::{
    AsokCollection, AsokCollector, AsokOptions, CephCli, ClusterCollector, CollectOptions,
    Collection, Commander, DumpDir, Encoding, Exposition, Live, MemoryDumps, RepeatEncoder,
    ScrapeStatus, ServeOptions, Source, StaleStrategy, WebConfig,
};
use perfcounter::Flavor;
use tracing::{debug, error, info, warn};

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

    /// Collect from a live cluster: cluster commands over one librados connection (when built
    /// with the `rados` feature), perf counters through the `ceph` command-line client
    #[arg(long, conflicts_with = "asok_dir")]
    ceph: bool,

    /// With `--ceph`: send the cluster commands through the `ceph` client too
    #[arg(long, requires = "ceph")]
    cli: bool,

    /// With `--ceph`: ask the daemons whose admin socket (`ceph-<daemon>.asok`) is in DIR for
    /// their perf counters over the socket instead of `ceph tell`
    #[arg(
        long,
        value_name = "DIR",
        env = "CEPH_EXPORTER_TELL_ASOK_DIR",
        requires = "ceph"
    )]
    tell_asok_dir: Option<PathBuf>,

    /// With `--ceph`: the deadline of each command and of connecting, in seconds (0.001 to
    /// 86400; keep it well under `--interval`)
    #[arg(long, value_name = "SECS", env = "CEPH_EXPORTER_TIMEOUT", default_value = "5",
          value_parser = seconds)]
    timeout: Duration,

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

    /// The exposition format, printed and served whatever a scraper's `Accept` asks (the
    /// module always answers `text`; with `openmetrics` a Prometheus stores counters with
    /// `_total`)
    #[arg(long, value_name = "FORMAT", env = "CEPH_EXPORTER_FORMAT", value_enum,
          default_value_t = FormatArg::Text)]
    format: FormatArg,

    /// How the text format writes floats (OpenMetrics has its own)
    #[arg(long, value_name = "STYLE", env = "CEPH_EXPORTER_FLOAT_STYLE", value_enum,
          default_value_t = FloatStyleArg::Go)]
    float_style: FloatStyleArg,

    /// An exporter-toolkit web config for `--listen`: `tls_server_config` (`cert_file`,
    /// `key_file`) and `basic_auth_users` (bcrypt hashes) [default: plain HTTP, no auth]
    #[arg(
        long = "web.config.file",
        value_name = "FILE",
        env = "CEPH_EXPORTER_WEB_CONFIG_FILE",
        requires = "listen"
    )]
    web_config: Option<PathBuf>,

    /// Leave out the daemons' perf counters
    #[arg(long)]
    no_perf: bool,

    /// Log level on stderr; `RUST_LOG` overrides it
    #[arg(long, value_name = "LEVEL", env = "CEPH_EXPORTER_LOG_LEVEL", value_enum,
          default_value_t = LogLevel::Info)]
    log_level: LogLevel,
}

impl Cli {
    fn origin(&self) -> Result<Origin, Box<dyn std::error::Error>> {
        Ok(match (&self.dump_dir, self.ceph) {
            (Some(dir), _) => Origin::Fixed(Box::new(
                DumpDir::open(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?,
            )),
            (None, true) => {
                // With --listen the server shuts down gracefully on these signals and the
                // children are killed once it has stopped (see `serve`).
                if self.listen.is_none() {
                    stop_on_signals()?;
                }
                Origin::Cluster(Box::new(self.live()))
            }
            (None, false) => Origin::Fixed(Box::new(MemoryDumps::new(EMBEDDED.iter().copied()))),
        })
    }

    /// The `--ceph` source: librados for the cluster commands when built with it (unless
    /// `--cli`), the `ceph` client for the rest.
    fn live(&self) -> Live {
        let mut cli = CephCli::new().timeout(self.timeout);
        if let Some(c) = &self.conf {
            cli = cli.conf(c);
        }
        let cli: std::sync::Arc<dyn Commander> = std::sync::Arc::new(cli);
        let cluster = self.library().unwrap_or_else(|| cli.clone());
        let tell: std::sync::Arc<dyn Commander> = match &self.tell_asok_dir {
            Some(dir) => {
                std::sync::Arc::new(exporter::AsokTell::new(dir, cli.clone()).timeout(self.timeout))
            }
            None => cli,
        };
        Live::new(cluster)
            .tell_through(tell)
            .perf(!self.no_perf)
            .timeout(self.timeout)
            // `ceph` children are Python processes, each busy on a core while it starts: two
            // per core at a time.
            .concurrency(std::thread::available_parallelism().map_or(2, |n| n.get() * 2))
    }

    #[cfg(feature = "rados")]
    fn library(&self) -> Option<std::sync::Arc<dyn Commander>> {
        if self.cli {
            return None;
        }
        let conf = self.conf.clone().unwrap_or_else(|| {
            std::env::var_os("CEPH_CONF")
                .map_or_else(|| "/etc/ceph/ceph.conf".into(), PathBuf::from)
        });
        Some(std::sync::Arc::new(
            exporter::Rados::new(conf).timeout(self.timeout),
        ))
    }

    #[cfg(not(feature = "rados"))]
    fn library(&self) -> Option<std::sync::Arc<dyn Commander>> {
        None
    }

    fn stale(&self) -> StaleStrategy {
        match self.stale_cache {
            StaleArg::Fail => StaleStrategy::Fail,
            StaleArg::Return => StaleStrategy::Return,
        }
    }

    /// The one place deciding the format and float style of what is printed or served.
    fn encoding(&self) -> (Format, FloatStyle) {
        let format = match self.format {
            FormatArg::Openmetrics => Format::OpenMetrics,
            FormatArg::Text => Format::Text,
        };
        let style = match self.float_style {
            FloatStyleArg::Go => FloatStyle::Go,
            FloatStyleArg::Mgr => FloatStyle::Python,
        };
        let e = exporter::Encoding::new(format, style);
        (e.format(), e.float_style())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    examples::init_logs(cli.log_level);
    // A bad web config is a usage error, found before any socket is opened.
    let web = match &cli.web_config {
        None => None,
        Some(path) => match WebConfig::load(path) {
            Ok(w) => Some(w),
            Err(e) => Cli::command()
                .error(clap::error::ErrorKind::ValueValidation, error_chain(&e))
                .exit(),
        },
    };
    match run(&cli, web) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("ceph-exporter: {}", error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

/// Where collections come from.
enum Origin {
    /// Documents that do not change: a directory or the embedded capture.
    Fixed(Box<dyn Source + Send>),
    /// A running cluster.
    Cluster(Box<Live>),
}

/// Kills the `ceph` children and exits on SIGTERM/SIGINT (128 + the signal, as a shell
/// reports it).
fn stop_on_signals() -> Result<(), Box<dyn std::error::Error>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                exporter::kill_children();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// Runs; `Ok(false)` when some inputs were left out.
fn run(cli: &Cli, web: Option<WebConfig>) -> Result<bool, Box<dyn std::error::Error>> {
    if let Some(dir) = &cli.asok_dir {
        return run_asok(cli, web, dir);
    }
    let mut origin = cli.origin()?;
    let options = CollectOptions::new().perf(!cli.no_perf);
    let mut collector = ClusterCollector::new(options);
    match &cli.listen {
        None => {
            let Some(collection) = collect(&mut collector, &mut origin) else {
                return Ok(false);
            };
            let (format, style) = cli.encoding();
            let mut out = Vec::new();
            collection.encode(&mut out, format, style)?;
            std::io::stdout().lock().write_all(&out)?;
            Ok(collection.errors().is_empty())
        }
        Some(addr) => {
            let (format, style) = cli.encoding();
            let interval = cli.interval;
            // Names and label sets rendered once while the cluster keeps its series.
            let mut encoder = RepeatEncoder::new(Encoding::new(format, style));
            let collect = move || {
                let start = Instant::now();
                let collection = collect(&mut collector, &mut origin)?;
                let exposition = encoder
                    .exposition(&collection)
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
            serve(addr, cli, web, collect)?;
            Ok(true)
        }
    }
}

/// One collection, logged: its duration at debug, each failed input at warn; `None` when the
/// cluster did not answer at all (logged at error).
fn collect(collector: &mut ClusterCollector, origin: &mut Origin) -> Option<Collection> {
    let start = Instant::now();
    let collection = match origin {
        Origin::Fixed(source) => collector.collect(source.as_ref()),
        Origin::Cluster(live) => {
            let snapshot = live.snapshot();
            if !snapshot.reachable() {
                match snapshot.first_error() {
                    Some((request, e)) => error!(
                        "the cluster did not answer: {request} via `{}`: {}",
                        snapshot.origin(request),
                        error_chain(e)
                    ),
                    None => error!("the cluster did not answer"),
                }
                return None;
            }
            for (request, origin, e) in snapshot.failed_tells() {
                warn!(
                    "no perf counters: {request} via `{origin}`: {}",
                    error_chain(e)
                );
            }
            if !snapshot.retained_daemons().is_empty() {
                debug!(
                    "last perf counters kept for {}",
                    snapshot.retained_daemons().join(", ")
                );
            }
            let (cluster, all) = snapshot.durations();
            debug!(
                "commands took {:.3} s (cluster {:.3} s)",
                all.as_secs_f64(),
                cluster.as_secs_f64()
            );
            collector.collect(&snapshot)
        }
    };
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
    Some(collection)
}

/// Serves `/metrics` on `addr` from a cache `collect` refreshes every `--interval` seconds,
/// until SIGTERM or SIGINT.
fn serve<F>(
    addr: &str,
    cli: &Cli,
    web: Option<WebConfig>,
    collect: F,
) -> Result<(), Box<dyn std::error::Error>>
where
    F: FnMut() -> Option<Exposition> + Send + 'static,
{
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
    info!(
        tls = web.as_ref().is_some_and(WebConfig::is_tls),
        basic_auth = web.as_ref().is_some_and(WebConfig::has_users),
        format = cli.encoding().0.as_str(),
        "listening on {}",
        listener.local_addr()?
    );
    let mut options = ServeOptions::new()
        .interval(cli.interval)
        .stale(cli.stale());
    if let Some(web) = web {
        options = options.web_config(web);
    }
    exporter::serve(listener, collect, options)?;
    // A collection may still be waiting on `ceph` children: they go with us.
    exporter::kill_children();
    info!("stopped");
    Ok(())
}

/// The admin-socket mode; `Ok(false)` when a daemon failed (a missing one is not a failure).
fn run_asok(
    cli: &Cli,
    web: Option<WebConfig>,
    dir: &std::path::Path,
) -> Result<bool, Box<dyn std::error::Error>> {
    let flavor = match cli.asok_flavor {
        AsokFlavorArg::Exporter => Flavor::Exporter,
        AsokFlavorArg::Mgr => Flavor::Mgr,
    };
    // When serving, a collection ends within 80 % of the interval, so a hung daemon never
    // makes the cache stale (commands are cut to it); one-shot, within a minute.
    let deadline = match cli.listen {
        Some(_) => cli.interval.mul_f64(0.8),
        None => Duration::from_secs(60),
    };
    let options = AsokOptions::new(dir)
        .flavor(flavor)
        .timeout(cli.asok_timeout)
        .deadline(deadline);
    let mut collector = AsokCollector::new(options);
    let (format, style) = cli.encoding();
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
            let collect = move || {
                collect_asok(&mut collector)
                    .exposition(format, style)
                    .map_err(|e| warn!("cannot encode the collection: {}", error_chain(&e)))
                    .ok()
            };
            serve(addr, cli, web, collect)?;
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
