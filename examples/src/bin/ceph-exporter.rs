//! `ceph-exporter`: the metrics ceph-mgr's prometheus module serves, from a directory of Ceph
//! JSON dumps, a live cluster, or a capture compiled in.
//!
//! Usage: `ceph-exporter [--dump-dir DIR | --ceph [--conf PATH] [--timeout SECS] [--cli]]
//! [--listen ADDR [--interval SECS] [--stale-cache fail|return]] [--format text|openmetrics]
//! [--float-style go|mgr] [--no-perf]`
//!
//! Without a source it prints the metrics of the Reef 18.2.7 capture it embeds
//! (`testdata/ceph/18.2.7-healthy`). With `--listen` it serves `/metrics` over HTTP from a
//! cache a background thread refreshes every `--interval` seconds (default 15), as the mgr
//! module does; otherwise it prints once to stdout. Inputs that are missing or malformed are
//! named on stderr, their families are left out, and the exit status is 1.
//!
//! With `--ceph`, every command of a collection is sent concurrently, each with a deadline of
//! `--timeout` seconds (default 5): the cluster commands over one librados connection when
//! built with the `rados` feature (unless `--cli`), else through the `ceph` client, whose
//! children are killed with their process group at the deadline and on SIGTERM/SIGINT. A
//! cluster that does not answer at all is an error (exit 1) in a one-shot run; with
//! `--listen` the server keeps its last collection, which turns stale.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use expfmt::{FloatStyle, Format};
use exporter::{
    CephCli, ClusterCollector, CollectOptions, Collection, Commander, DumpDir, Exposition, Live,
    MemoryDumps, ServeOptions, Source, StaleStrategy,
};

const USAGE: &str = "usage: ceph-exporter [--dump-dir DIR | --ceph [--conf PATH] \
[--timeout SECS] [--cli]] [--listen ADDR [--interval SECS] [--stale-cache fail|return]] \
[--format text|openmetrics] [--float-style go|mgr] [--no-perf]";

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
    "exporter/18.2.7-healthy" / "mon_metadata.json",
    "exporter/18.2.7-healthy" / "mgr_metadata.json",
    "exporter/18.2.7-healthy" / "mds_metadata.json",
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

#[derive(Debug)]
enum SourceArg {
    Embedded,
    Dir(PathBuf),
    Ceph(Option<PathBuf>),
}

#[derive(Debug)]
struct Args {
    source: SourceArg,
    listen: Option<String>,
    interval: f64,
    stale: StaleStrategy,
    format: Format,
    float_style: FloatStyle,
    perf: bool,
    /// The deadline of one Ceph command.
    timeout: Duration,
    /// Cluster commands through the `ceph` client even when built with librados.
    cli: bool,
}

/// A usage error: exit status 2.
#[derive(Debug)]
struct Usage(String);

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, Usage> {
    let mut args = Args {
        source: SourceArg::Embedded,
        listen: None,
        interval: 15.0,
        stale: StaleStrategy::Fail,
        format: Format::Text,
        float_style: FloatStyle::Go,
        perf: true,
        timeout: Duration::from_secs(5),
        cli: false,
    };
    let mut conf = None;
    let mut ceph = false;
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next()
            .ok_or_else(|| Usage(format!("`{flag}` needs a value")))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dump-dir" => args.source = SourceArg::Dir(value(&mut it, &a)?.into()),
            "--ceph" => ceph = true,
            "--conf" => conf = Some(PathBuf::from(value(&mut it, &a)?)),
            "--listen" => args.listen = Some(value(&mut it, &a)?),
            "--interval" => {
                let v = value(&mut it, &a)?;
                args.interval = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| Usage(format!("invalid interval `{v}`")))?;
            }
            "--stale-cache" => {
                let v = value(&mut it, &a)?;
                args.stale = v
                    .parse()
                    .map_err(|_| Usage(format!("invalid stale-cache strategy `{v}`")))?;
            }
            "--format" => {
                let v = value(&mut it, &a)?;
                args.format = v
                    .parse()
                    .map_err(|_| Usage(format!("invalid format `{v}`")))?;
            }
            "--float-style" => {
                args.float_style = match value(&mut it, &a)?.as_str() {
                    "go" => FloatStyle::Go,
                    "mgr" => FloatStyle::Python,
                    other => return Err(Usage(format!("invalid float style `{other}`"))),
                }
            }
            "--no-perf" => args.perf = false,
            "--cli" => args.cli = true,
            "--timeout" => {
                let v = value(&mut it, &a)?;
                args.timeout = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| Usage(format!("invalid timeout `{v}`")))?;
            }
            "-h" | "--help" => return Err(Usage("".into())),
            other => return Err(Usage(format!("unknown argument `{other}`"))),
        }
    }
    match (&args.source, ceph) {
        (SourceArg::Dir(_), true) => {
            return Err(Usage("`--dump-dir` and `--ceph` exclude each other".into()));
        }
        (_, true) => args.source = SourceArg::Ceph(conf),
        (_, false) if conf.is_some() => return Err(Usage("`--conf` needs `--ceph`".into())),
        (_, false) if args.cli => return Err(Usage("`--cli` needs `--ceph`".into())),
        _ => {}
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(Usage(msg)) => return examples::usage_error("ceph-exporter", &msg, USAGE),
    };
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            print_chain(e.as_ref());
            ExitCode::from(1)
        }
    }
}

fn print_chain(e: &dyn std::error::Error) {
    eprintln!("ceph-exporter: {}", examples::error_chain(e));
}

/// Where collections come from.
enum Origin {
    /// Documents that do not change: a directory or the embedded capture.
    Fixed(Box<dyn Source + Send>),
    /// A running cluster.
    Cluster(Live),
}

/// The `--ceph` source: librados for the cluster commands when built with it (unless
/// `--cli`), the `ceph` client for the rest.
fn live(conf: Option<&PathBuf>, args: &Args) -> Live {
    let mut cli = CephCli::new().timeout(args.timeout);
    if let Some(c) = conf {
        cli = cli.conf(c);
    }
    let cli: std::sync::Arc<dyn Commander> = std::sync::Arc::new(cli);
    let cluster = library(conf, args).unwrap_or_else(|| cli.clone());
    Live::new(cluster)
        .tell_through(cli)
        .timeout(args.timeout)
        // `ceph` children are Python processes, each busy on a core while it starts: two per
        // core at a time.
        .concurrency(std::thread::available_parallelism().map_or(2, |n| n.get() * 2))
}

#[cfg(feature = "rados")]
fn library(conf: Option<&PathBuf>, args: &Args) -> Option<std::sync::Arc<dyn Commander>> {
    if args.cli {
        return None;
    }
    let conf = conf.cloned().unwrap_or_else(|| {
        std::env::var_os("CEPH_CONF").map_or_else(|| "/etc/ceph/ceph.conf".into(), PathBuf::from)
    });
    Some(std::sync::Arc::new(
        exporter::Rados::new(conf).timeout(args.timeout),
    ))
}

#[cfg(not(feature = "rados"))]
fn library(_conf: Option<&PathBuf>, _args: &Args) -> Option<std::sync::Arc<dyn Commander>> {
    None
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

/// One collection from `origin`; `None` when the cluster did not answer at all (the error is
/// on stderr).
fn collect_once(collector: &mut ClusterCollector, origin: &mut Origin) -> Option<Collection> {
    match origin {
        Origin::Fixed(source) => Some(collector.collect(source.as_ref())),
        Origin::Cluster(live) => {
            let snapshot = live.snapshot();
            if !snapshot.reachable() {
                match snapshot.first_error() {
                    Some((input, e)) => eprintln!(
                        "ceph-exporter: the cluster did not answer: {input} via `{}`: {}",
                        snapshot.origin(input),
                        examples::error_chain(e)
                    ),
                    None => eprintln!("ceph-exporter: the cluster did not answer"),
                }
                return None;
            }
            for (input, origin, e) in snapshot.failed_tells() {
                eprintln!(
                    "ceph-exporter: no perf counters: {input} via `{origin}`: {}",
                    examples::error_chain(e)
                );
            }
            Some(collector.collect(&snapshot))
        }
    }
}

/// Runs; `Ok(false)` when some inputs were left out.
fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let mut origin = match &args.source {
        SourceArg::Embedded => Origin::Fixed(Box::new(MemoryDumps::new(EMBEDDED.iter().copied()))),
        SourceArg::Dir(dir) => Origin::Fixed(Box::new(
            DumpDir::open(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?,
        )),
        SourceArg::Ceph(conf) => {
            stop_on_signals()?;
            Origin::Cluster(live(conf.as_ref(), &args))
        }
    };
    let options = CollectOptions::new().perf(args.perf);
    let mut collector = ClusterCollector::new(options);
    match &args.listen {
        None => {
            let Some(collection) = collect_once(&mut collector, &mut origin) else {
                return Ok(false);
            };
            let mut out = Vec::new();
            encode(&collection, args.format, args.float_style, &mut out)?;
            std::io::stdout().lock().write_all(&out)?;
            for e in collection.errors() {
                print_chain(e);
            }
            Ok(collection.errors().is_empty())
        }
        Some(addr) => {
            serve(addr, &args, collector, origin)?;
            Ok(true)
        }
    }
}

fn encode(
    collection: &Collection,
    format: Format,
    style: FloatStyle,
    out: &mut Vec<u8>,
) -> Result<(), expfmt::Error> {
    let style = match format {
        Format::OpenMetrics => FloatStyle::OpenMetrics,
        Format::Text => style,
    };
    collection.encode(out, format, style)
}

/// Serves `/metrics` on `addr` from a cache refreshed every `--interval` seconds.
fn serve(
    addr: &str,
    args: &Args,
    mut collector: ClusterCollector,
    mut origin: Origin,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
    eprintln!("ceph-exporter: listening on {}", listener.local_addr()?);
    let interval = Duration::from_secs_f64(args.interval);
    let style = args.float_style;
    let collect = move || {
        let start = Instant::now();
        let collection = collect_once(&mut collector, &mut origin)?;
        for e in collection.errors() {
            print_chain(e);
        }
        let exposition = Exposition::from_collection(&collection, style)
            .map_err(|e| print_chain(&e))
            .ok();
        let took = start.elapsed();
        if took > interval {
            eprintln!(
                "ceph-exporter: collecting took {:.2} s, more than the {:.0} s interval",
                took.as_secs_f64(),
                interval.as_secs_f64()
            );
        }
        exposition
    };
    let options = ServeOptions::new().interval(interval).stale(args.stale);
    exporter::serve(listener, collect, options)?;
    Ok(())
}
