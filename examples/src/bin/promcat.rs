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
//! usage error.

use std::io::{Read, Write};
use std::process::ExitCode;

use expfmt::{Encoder, FloatStyle, Format};

/// A real ceph-mgr prometheus module output (Reef 18.2.7), the first families.
const SAMPLE: &[u8] = include_bytes!("../../../testdata/expfmt/sample.prom");

const USAGE: &str = "usage: promcat [--check] [--from text|openmetrics] [--to text|openmetrics] \
                     [--float-style go|openmetrics|mgr] [--sort] [FILE | - | --sample]";

#[derive(Debug, Default)]
struct Args {
    check: bool,
    from: Option<Format>,
    to: Format,
    float_style: Option<FloatStyle>,
    sort: bool,
    input: Input,
}

#[derive(Debug, Default)]
enum Input {
    #[default]
    Stdin,
    File(String),
    Sample,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = Args::default();
    let mut args = args.peekable();
    let mut positional = None;
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match a.as_str() {
            "--check" => out.check = true,
            "--sort" => out.sort = true,
            "--sample" => out.input = Input::Sample,
            "--from" => {
                out.from = Some(
                    value("--from")?
                        .parse()
                        .map_err(|e| format!("--from: {e}"))?,
                );
            }
            "--to" => out.to = value("--to")?.parse().map_err(|e| format!("--to: {e}"))?,
            "--float-style" => {
                out.float_style = Some(
                    value("--float-style")?
                        .parse()
                        .map_err(|e| format!("--float-style: {e}"))?,
                );
            }
            "-h" | "--help" => return Err(String::new()),
            "-" => positional = Some(Input::Stdin),
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            s => {
                if positional.is_some() {
                    return Err(format!("unexpected argument `{s}`"));
                }
                positional = Some(Input::File(s.to_owned()));
            }
        }
    }
    if let Some(p) = positional {
        if matches!(out.input, Input::Sample) {
            return Err("`--sample` takes no FILE".to_owned());
        }
        out.input = p;
    }
    Ok(out)
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
    let input: &[u8] = match &args.input {
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
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => return examples::usage_error("promcat", &msg, USAGE),
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", examples::error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
