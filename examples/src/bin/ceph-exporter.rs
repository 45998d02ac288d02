//! `ceph-exporter`: the metrics ceph-mgr's prometheus module serves, from a directory of Ceph
//! JSON dumps, a live cluster, or a capture compiled in.
//!
//! Usage: `ceph-exporter [--dump-dir DIR | --ceph [--conf PATH]] [--listen ADDR [--interval
//! SECS] [--stale-cache fail|return]] [--format text|openmetrics] [--float-style go|mgr]
//! [--no-perf]`
//!
//! Without a source it prints the metrics of the Reef 18.2.7 capture it embeds
//! (`testdata/ceph/18.2.7-healthy`). With `--listen` it serves `/metrics` over HTTP from a
//! cache a background thread refreshes every `--interval` seconds (default 15), as the mgr
//! module does; otherwise it prints once to stdout. Inputs that are missing or malformed are
//! named on stderr, their families are left out, and the exit status is 1.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use expfmt::{FloatStyle, Format};
use exporter::{
    CephCli, ClusterCollector, CollectOptions, Collection, DumpDir, Exposition, MemoryDumps,
    ServeOptions, Source, StaleStrategy,
};

const USAGE: &str = "usage: ceph-exporter [--dump-dir DIR | --ceph [--conf PATH]] \
[--listen ADDR [--interval SECS] [--stale-cache fail|return]] \
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

/// Runs; `Ok(false)` when some inputs were left out.
fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let source: Box<dyn Source + Send> = match &args.source {
        SourceArg::Embedded => Box::new(MemoryDumps::new(EMBEDDED.iter().copied())),
        SourceArg::Dir(dir) => Box::new(
            DumpDir::open(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?,
        ),
        SourceArg::Ceph(conf) => {
            let cli = CephCli::new();
            Box::new(match conf {
                Some(c) => cli.conf(c),
                None => cli,
            })
        }
    };
    let options = CollectOptions::new().perf(args.perf);
    let mut collector = ClusterCollector::new(options);
    match &args.listen {
        None => {
            let collection = collector.collect(source.as_ref());
            let mut out = Vec::new();
            encode(&collection, args.format, args.float_style, &mut out)?;
            std::io::stdout().lock().write_all(&out)?;
            for e in collection.errors() {
                print_chain(e);
            }
            Ok(collection.errors().is_empty())
        }
        Some(addr) => {
            serve(addr, &args, collector, source)?;
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
    source: Box<dyn Source + Send>,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
    eprintln!("ceph-exporter: listening on {}", listener.local_addr()?);
    let interval = Duration::from_secs_f64(args.interval);
    let style = args.float_style;
    let collect = move || {
        let start = Instant::now();
        let collection = collector.collect(source.as_ref());
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
