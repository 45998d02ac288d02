//! Decodes a stored Gnocchi carbonara object and prints its points.
//!
//! Usage: `carbonara-dump FILE [--granularity G] [--key K]`
//!
//! Detects a raw buffer (`none_v3`), a compressed split (`c` + LZ4) or an
//! uncompressed split. Splits store slot numbers, so they need the
//! granularity G (seconds, or `60s`, `1h`, ...) and the split key K (epoch
//! seconds as in Gnocchi's object names, e.g. `1451520000.0`, or RFC 3339).
//! Prints `# <format>, <n> points` then `timestamp,value` lines.

use std::io::Write;
use std::process::ExitCode;

use carbonara::{ObjectFormat, SplitKey, parse_timespan};
use timeserie::{BoundTimeSerie, TimeSerie, parse_timestamp, write_timestamp};

const USAGE: &str = "usage: carbonara-dump FILE [--granularity G] [--key K]";

#[derive(Debug)]
struct Args {
    file: String,
    granularity: Option<i64>,
    key: Option<i64>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut file, mut granularity, mut key) = (None, None, None);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--granularity" => {
                let v = it.next().ok_or("--granularity needs a value")?;
                granularity = Some(
                    parse_timespan(&v)
                        .filter(|&g| g > 0)
                        .ok_or(format!("bad granularity `{v}`"))?,
                );
            }
            "--key" => {
                let v = it.next().ok_or("--key needs a value")?;
                key = Some(parse_timestamp(&v).ok_or(format!("bad key `{v}`"))?);
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(Args {
        file: file.ok_or("FILE is required")?,
        granularity,
        key,
    })
}

fn split_key(args: &Args, format: ObjectFormat) -> Result<SplitKey, String> {
    match (args.granularity, args.key) {
        (Some(g), Some(k)) => Ok(SplitKey::new(k, g)),
        _ => Err(format!(
            "a {format} stores slots: --granularity and --key are required"
        )),
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let data =
        std::fs::read(&args.file).map_err(|e| format!("cannot read `{}`: {e}", args.file))?;
    let format = ObjectFormat::detect(&data).ok_or_else(|| {
        format!(
            "`{}` is not a carbonara object ({} bytes)",
            args.file,
            data.len()
        )
    })?;
    let serie: TimeSerie = match format {
        ObjectFormat::Bound => BoundTimeSerie::unserialize(&data, None, 0)?.into_serie(),
        _ => carbonara::unserialize(&data, split_key(args, format)?)?,
    };
    let mut out = format!("# {format}, {} points\n", serie.len());
    for p in serie.iter() {
        write_timestamp(&mut out, p.timestamp)?;
        out.push(',');
        if p.value.is_nan() {
            out.push_str("NaN");
        } else if p.value.is_infinite() {
            out.push_str(if p.value > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            });
        } else {
            out.push_str(ryu::Buffer::new().format_finite(p.value));
        }
        out.push('\n');
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => return examples::usage_error("carbonara-dump", &msg, USAGE),
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carbonara-dump: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
