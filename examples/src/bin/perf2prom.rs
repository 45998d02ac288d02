//! Prints one Ceph daemon's perf counters as Prometheus families, the way ceph-mgr's prometheus
//! module (or the C++ ceph-exporter) names them.
//!
//! ```text
//! usage: perf2prom --schema S.json --dump D.json --daemon NAME
//!                  [--flavor mgr|exporter] [--prio N] [--format text|openmetrics]
//!                  [--float-style go|openmetrics|mgr]
//! ```
//!
//! `--help` lists every flag and its default.
//!
//! `S.json`/`D.json` are the daemon's `perf schema`/`perf dump` (or `counter schema`/`counter
//! dump`) output; either may be `-` for stdin. `NAME` is the daemon (`osd.0`), or for the
//! exporter flavour its admin-socket file name (`ceph-osd.0.asok`). Counters that cannot be
//! exported are named on stderr, and the exit status is then 1; 2 means a usage error.

use std::error::Error;
use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use expfmt::{Encoder, FloatStyle, Format};
use perfcounter::{Dump, Families, Flavor, Mapper, Priority, Schema};

/// Prints one Ceph daemon's perf counters as Prometheus families, named the way ceph-mgr's
/// prometheus module (or the C++ ceph-exporter) names them.
///
/// Counters that cannot be exported are named on stderr, and the exit status is then 1; 2
/// means a usage error.
#[derive(Debug, Parser)]
#[command(name = "perf2prom", version)]
struct Args {
    /// The daemon's `perf schema` (or `counter schema`) output; `-` for stdin
    #[arg(long, value_name = "S.json")]
    schema: String,
    /// The daemon's `perf dump` (or `counter dump`) output; `-` for stdin
    #[arg(long, value_name = "D.json")]
    dump: String,
    /// The daemon (`osd.0`), or for the exporter flavour its admin-socket file name
    /// (`ceph-osd.0.asok`)
    #[arg(long, value_name = "NAME")]
    daemon: String,
    /// Whose names and labels: the mgr module's (`mgr`) or the C++ ceph-exporter's
    /// (`exporter`)
    #[arg(long, value_name = "FLAVOR", default_value = "mgr")]
    flavor: Flavor,
    /// The lowest counter priority exported: a name (`critical`, `interesting`, `useful`,
    /// `uninteresting`, `debugonly`) or a number 0-255
    #[arg(long, value_name = "N", default_value = "useful")]
    prio: Priority,
    /// The exposition format: `text` or `openmetrics`
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    format: Format,
    /// How floats are written: `go`, `openmetrics` or `mgr` [default: the format's own]
    #[arg(long, value_name = "STYLE")]
    float_style: Option<FloatStyle>,
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
    let args = Args::parse();
    if args.schema == "-" && args.dump == "-" {
        Args::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "only one of `--schema` and `--dump` can be `-`",
            )
            .exit();
    }
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("perf2prom: {}", examples::error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
