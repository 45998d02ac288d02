//! Prints one Ceph daemon's perf counters as Prometheus families, the way ceph-mgr's prometheus
//! module (or the C++ ceph-exporter) names them.
//!
//! ```text
//! usage: perf2prom --schema S.json --dump D.json --daemon NAME
//!                  [--flavor mgr|exporter] [--prio N] [--format text|openmetrics]
//!                  [--float-style go|openmetrics|mgr]
//! ```
//!
//! `S.json`/`D.json` are the daemon's `perf schema`/`perf dump` (or `counter schema`/`counter
//! dump`) output; either may be `-` for stdin. `NAME` is the daemon (`osd.0`), or for the
//! exporter flavour its admin-socket file name (`ceph-osd.0.asok`). Counters that cannot be
//! exported are named on stderr, and the exit status is then 1; 2 means a usage error.

use std::error::Error;
use std::io::{Read, Write};
use std::process::ExitCode;

use expfmt::{Encoder, FloatStyle, Format};
use perfcounter::{Dump, Families, Flavor, Mapper, Priority, Schema};

const USAGE: &str = "usage: perf2prom --schema S.json --dump D.json --daemon NAME \
[--flavor mgr|exporter] [--prio N] [--format text|openmetrics] [--float-style go|openmetrics|mgr]";

/// The parsed command line.
struct Args {
    schema: String,
    dump: String,
    daemon: String,
    flavor: Flavor,
    prio: Priority,
    format: Format,
    float_style: Option<FloatStyle>,
}

/// A usage error: the message for stderr.
struct Usage(String);

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, Usage> {
    let (mut schema, mut dump, mut daemon) = (None, None, None);
    let mut args = Args {
        schema: String::new(),
        dump: String::new(),
        daemon: String::new(),
        flavor: Flavor::Mgr,
        prio: Priority::USEFUL,
        format: Format::Text,
        float_style: None,
    };
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            return Err(Usage(String::new()));
        }
        let mut value = || {
            argv.next()
                .ok_or_else(|| Usage(format!("`{flag}` needs a value")))
        };
        let bad = |v: &str, e: &dyn Error| Usage(format!("bad `{flag}` value `{v}`: {e}"));
        match flag.as_str() {
            "--schema" => schema = Some(value()?),
            "--dump" => dump = Some(value()?),
            "--daemon" => daemon = Some(value()?),
            "--flavor" => {
                let v = value()?;
                args.flavor = v.parse().map_err(|e| bad(&v, &e))?;
            }
            "--prio" => {
                let v = value()?;
                args.prio = v.parse().map_err(|e| bad(&v, &e))?;
            }
            "--format" => {
                let v = value()?;
                args.format = v.parse().map_err(|e| bad(&v, &e))?;
            }
            "--float-style" => {
                let v = value()?;
                args.float_style = Some(v.parse().map_err(|e| bad(&v, &e))?);
            }
            other => return Err(Usage(format!("unknown argument `{other}`"))),
        }
    }
    let need =
        |v: Option<String>, flag: &str| v.ok_or_else(|| Usage(format!("`{flag}` is required")));
    args.schema = need(schema, "--schema")?;
    args.dump = need(dump, "--dump")?;
    args.daemon = need(daemon, "--daemon")?;
    if args.schema == "-" && args.dump == "-" {
        return Err(Usage(
            "only one of `--schema` and `--dump` can be `-`".into(),
        ));
    }
    Ok(args)
}

/// Reads `path`, or stdin for `-`.
fn read(path: &str) -> Result<String, Box<dyn Error>> {
    let mut text = String::new();
    if path == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    }
    Ok(text)
}

/// Maps and prints; `Ok(false)` when some counters were skipped.
fn run(args: &Args) -> Result<bool, Box<dyn Error>> {
    let schema_text = read(&args.schema)?;
    let dump_text = read(&args.dump)?;
    let schema = Schema::parse(&schema_text).map_err(|e| InFile::new(&args.schema, e))?;
    let dump = Dump::parse(&dump_text).map_err(|e| InFile::new(&args.dump, e))?;

    let mapper = Mapper::builder()
        .flavor(args.flavor)
        .min_priority(args.prio)
        .build();
    let mut out = Families::new();
    mapper.map(&args.daemon, &schema, &dump, &mut out);
    let (mut set, skipped) = out.into_parts();
    if args.flavor == Flavor::Exporter {
        // ceph-exporter's default `exporter_sort_metrics`.
        set.sort_by_name();
    }

    let mut buf = Vec::new();
    let mut builder = Encoder::builder();
    builder.format(args.format);
    if let Some(style) = args.float_style {
        builder.float_style(style);
    }
    let mut enc = builder.build(&mut buf);
    enc.encode_families(set.families())?;
    enc.finish();
    std::io::stdout().lock().write_all(&buf)?;

    let mut clean = true;
    for s in skipped.iter().filter(|s| !s.reason.is_expected()) {
        eprintln!("perf2prom: skipped {s}");
        clean = false;
    }
    Ok(clean)
}

/// An error about the contents of an input file.
#[derive(Debug)]
struct InFile {
    path: String,
    source: perfcounter::Error,
}

impl InFile {
    fn new(path: &str, source: perfcounter::Error) -> Self {
        let path = if path == "-" { "<stdin>" } else { path };
        InFile {
            path: path.to_owned(),
            source,
        }
    }
}

impl std::fmt::Display for InFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.path)
    }
}

impl Error for InFile {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(Usage(msg)) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(Usage(msg)) => return examples::usage_error("perf2prom", &msg, USAGE),
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("perf2prom: {}", examples::error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
