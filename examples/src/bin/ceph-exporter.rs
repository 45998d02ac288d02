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

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use expfmt::{FloatStyle, Format};
use perfcounter::{
    CephCli, ClusterCollector, CollectOptions, Collection, DumpDir, MemoryDumps, Source,
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

/// The largest HTTP request head accepted (request line and headers).
const MAX_REQUEST: usize = 8192;
/// The most connections served at once; more get 503.
const MAX_CONNECTIONS: usize = 32;

#[derive(Debug)]
enum SourceArg {
    Embedded,
    Dir(PathBuf),
    Ceph(Option<PathBuf>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stale {
    Fail,
    Return,
}

#[derive(Debug)]
struct Args {
    source: SourceArg,
    listen: Option<String>,
    interval: f64,
    stale: Stale,
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
        stale: Stale::Fail,
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
                args.stale = match value(&mut it, &a)?.as_str() {
                    "fail" => Stale::Fail,
                    "return" => Stale::Return,
                    other => return Err(Usage(format!("invalid stale-cache strategy `{other}`"))),
                }
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
        Err(Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("ceph-exporter: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
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
    let mut msg = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        msg.push_str(": ");
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    eprintln!("ceph-exporter: {msg}");
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

/// One collection's bodies and how long it took.
struct Cache {
    text: Vec<u8>,
    openmetrics: Vec<u8>,
    collect_time: Duration,
}

type Shared = Arc<Mutex<Option<Arc<Cache>>>>;

fn serve(
    addr: &str,
    args: &Args,
    mut collector: ClusterCollector,
    source: Box<dyn Source + Send>,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
    eprintln!("ceph-exporter: listening on {}", listener.local_addr()?);
    let cache: Shared = Arc::new(Mutex::new(None));
    let interval = Duration::from_secs_f64(args.interval);
    let style = args.float_style;
    {
        let cache = Arc::clone(&cache);
        std::thread::spawn(move || {
            loop {
                let start = Instant::now();
                let collection = collector.collect(source.as_ref());
                let (mut text, mut openmetrics) = (Vec::new(), Vec::new());
                let encoded = encode(&collection, Format::Text, style, &mut text).and_then(|()| {
                    encode(&collection, Format::OpenMetrics, style, &mut openmetrics)
                });
                for e in collection.errors() {
                    print_chain(e);
                }
                let collect_time = start.elapsed();
                match encoded {
                    Ok(()) => {
                        let new = Arc::new(Cache {
                            text,
                            openmetrics,
                            collect_time,
                        });
                        *cache
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(new);
                    }
                    Err(e) => print_chain(&e),
                }
                if collect_time > interval {
                    eprintln!(
                        "ceph-exporter: collecting took {:.2} s, more than the {:.0} s interval",
                        collect_time.as_secs_f64(),
                        interval.as_secs_f64()
                    );
                }
                std::thread::sleep(interval.saturating_sub(collect_time));
            }
        });
    }
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = respond(
                &mut stream,
                503,
                "text/plain",
                b"too many connections\n",
                false,
            );
            continue;
        }
        let (cache, active, stale) = (Arc::clone(&cache), Arc::clone(&active), args.stale);
        std::thread::spawn(move || {
            let _ = handle(&mut stream, &cache, interval, stale);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

const INDEX: &[u8] =
    b"<!DOCTYPE html>\n<html>\n    <head><title>Ceph Exporter</title></head>\n    \
<body>\n        <h1>Ceph Exporter</h1>\n        <p><a href='/metrics'>Metrics</a></p>\n    \
</body>\n</html>\n";

/// Serves one request: `/metrics` from the cache, `/` an index page.
fn handle(
    stream: &mut TcpStream,
    cache: &Shared,
    interval: Duration,
    stale: Stale,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if head.len() > MAX_REQUEST {
            return respond(stream, 431, "text/plain", b"request too large\n", false);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
    };
    let Ok(head) = std::str::from_utf8(&head[..end]) else {
        return respond(stream, 400, "text/plain", b"bad request\n", false);
    };
    let mut lines = head.split("\r\n");
    let mut request = lines.next().unwrap_or("").split(' ');
    let (method, target) = (request.next().unwrap_or(""), request.next().unwrap_or(""));
    let accept = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("accept"))
        .map_or("", |(_, v)| v.trim());
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return respond(stream, 405, "text/plain", b"method not allowed\n", false),
    };
    match target.split('?').next().unwrap_or("") {
        "/" => respond(stream, 200, "text/html", INDEX, head_only),
        "/metrics" => {
            let current = cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            let Some(current) = current else {
                return respond(
                    stream,
                    503,
                    "text/plain",
                    b"No cached data available yet\n",
                    head_only,
                );
            };
            if current.collect_time >= interval && stale == Stale::Fail {
                let msg = format!(
                    "Gathering data took {:.2} seconds, metrics are stale for {:.2} seconds, \
                     returning \"service unavailable\".\n",
                    current.collect_time.as_secs_f64(),
                    (current.collect_time - interval).as_secs_f64()
                );
                return respond(stream, 503, "text/plain", msg.as_bytes(), head_only);
            }
            let format = expfmt::negotiate(accept);
            let body = match format {
                Format::Text => &current.text,
                Format::OpenMetrics => &current.openmetrics,
            };
            respond(stream, 200, format.content_type(), body, head_only)
        }
        _ => respond(stream, 404, "text/plain", b"not found\n", head_only),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}
