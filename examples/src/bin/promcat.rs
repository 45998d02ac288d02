//! `promcat`: check or re-encode Prometheus text exposition (0.0.4) or OpenMetrics.
//!
//! ```text
//! usage: promcat [--check] [--from text|openmetrics] [--to text|openmetrics]
//!                [--float-style go|openmetrics|mgr] [--sort] [FILE | - | --sample]
//! ```
//!
//! Reads FILE (or stdin for `-` or no argument; `--sample` reads a small real ceph-mgr
//! exposition compiled into the binary), parses it strictly (`--from`, default: OpenMetrics when
//! the input ends with `# EOF`, text otherwise), and either validates it (`--check`: exit 0, or
//! exit 1 with `line:col: message` on stderr) or writes it again in `--to` format (default:
//! text) on stdout, families sorted by name with `--sort`. Exit status 1 on bad input, 2 on a
//! usage error. `--help` lists every flag and its default.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Parser;
use expfmt::{Encoder, FloatStyle, Format};

/// A real ceph-mgr prometheus module output (Reef 18.2.7), the first families.
const SAMPLE: &[u8] = include_bytes!("../../../testdata/expfmt/sample.prom");

/// Checks or re-encodes Prometheus text exposition (0.0.4) or OpenMetrics.
///
/// Exit status 1 on bad input (`line:col: message` on stderr), 2 on a usage error.
#[derive(Debug, Parser)]
#[command(name = "promcat", version)]
struct Args {
    /// Only validate the input: exit 0, or 1 with `line:col: message` on stderr
    #[arg(long)]
    check: bool,
    /// The input format: `text` or `openmetrics` [default: OpenMetrics when the input ends
    /// with `# EOF`, text otherwise]
    #[arg(long, value_name = "FORMAT")]
    from: Option<Format>,
    /// The output format: `text` or `openmetrics`
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    to: Format,
    /// How floats are written: `go`, `openmetrics` or `mgr` [default: the output format's
    /// own]
    #[arg(long, value_name = "STYLE")]
    float_style: Option<FloatStyle>,
    /// Write the families sorted by name
    #[arg(long)]
    sort: bool,
    /// Read a small real ceph-mgr exposition compiled into the binary instead of FILE
    #[arg(long, conflicts_with = "file")]
    sample: bool,
    /// The input; `-` for stdin [default: stdin]
    #[arg(value_name = "FILE")]
    file: Option<String>,
}

/// Where the input comes from.
#[derive(Debug)]
enum Input<'a> {
    Stdin,
    File(&'a str),
    Sample,
}

impl Args {
    fn input(&self) -> Input<'_> {
        match (self.sample, self.file.as_deref()) {
            (true, _) => Input::Sample,
            (false, None | Some("-")) => Input::Stdin,
            (false, Some(path)) => Input::File(path),
        }
    }
}

/// OpenMetrics when the input's last non-blank line is `# EOF`.
fn detect(input: &[u8]) -> Format {
    let trimmed = input.trim_ascii_end();
    if trimmed.ends_with(b"# EOF") {
        Format::OpenMetrics
    } else {
        Format::Text
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let owned;
    let input: &[u8] = match args.input() {
        Input::Sample => SAMPLE,
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            owned = buf;
            &owned
        }
        Input::File(path) => {
            owned = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            &owned
        }
    };
    let from = args.from.unwrap_or_else(|| detect(input));
    let mut families = expfmt::parse(input, from)?;
    if args.check {
        return Ok(());
    }
    if args.sort {
        families.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    let mut builder = Encoder::builder();
    builder.format(args.to);
    if let Some(s) = args.float_style {
        builder.float_style(s);
    }
    let mut enc = builder.build(&mut out);
    enc.encode_families(&families)?;
    enc.finish();
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", examples::error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
