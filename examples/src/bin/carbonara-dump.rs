//! Decodes a stored Gnocchi carbonara object and prints its points.
//!
//! Usage: `carbonara-dump FILE [--granularity G] [--key K]`
//!
//! Detects a raw buffer (`none_v3`), a compressed split (`c` + LZ4) or an
//! uncompressed split. Splits store slot numbers, so they need the
//! granularity G (seconds, or `60s`, `1h`, ...) and the split key K (epoch
//! seconds as in Gnocchi's object names, e.g. `1451520000.0`, or RFC 3339).
//! Prints `# <format>, <n> points` then `timestamp,value` lines. `--help` lists every flag.

use std::io::Write;
use std::process::ExitCode;

use carbonara::{ObjectFormat, SplitKey, parse_timespan};
use clap::Parser;
use timeserie::{BoundTimeSerie, TimeSerie, parse_timestamp, write_timestamp};

/// A granularity: seconds or a timespan (`60s`, `1h`), positive.
fn granularity(v: &str) -> Result<i64, String> {
    parse_timespan(v)
        .filter(|&g| g > 0)
        .ok_or_else(|| format!("bad granularity `{v}`: expected seconds or a timespan like `60s`"))
}

/// A split key: epoch seconds or RFC 3339.
fn key(v: &str) -> Result<i64, String> {
    parse_timestamp(v).ok_or_else(|| format!("bad key `{v}`: expected epoch seconds or RFC 3339"))
}

/// Decodes a stored Gnocchi carbonara object and prints its points.
///
/// Detects a raw buffer (`none_v3`), a compressed split (`c` + LZ4) or an uncompressed split.
/// Prints `# <format>, <n> points` then `timestamp,value` lines.
#[derive(Debug, Parser)]
#[command(name = "carbonara-dump", version)]
struct Args {
    /// The object file
    #[arg(value_name = "FILE")]
    file: String,
    /// The split's granularity, seconds or `60s`, `1h`, ... (required for splits, which store
    /// slot numbers)
    #[arg(long, value_name = "G", value_parser = granularity)]
    granularity: Option<i64>,
    /// The split key, epoch seconds as in Gnocchi's object names (`1451520000.0`) or RFC 3339
    /// (required for splits)
    #[arg(long, value_name = "K", value_parser = key)]
    key: Option<i64>,
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
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carbonara-dump: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
