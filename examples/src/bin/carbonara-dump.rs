//! Decodes a stored Gnocchi carbonara object and prints its points.
//!
//! Usage: `carbonara-dump FILE [--granularity G] [--key K]`
//!
//! Detects a raw buffer (`none_v3`), a compressed split (`c` + LZ4) or an
//! uncompressed split. Splits store slot numbers, so they need the
//! granularity G (seconds, or `60s`, `1h`, ...) and the split key K (epoch
//! seconds as in Gnocchi's object names, e.g. `1451520000.0`, or RFC 3339).
//! Prints `# <format>, <n> points` then `timestamp,value` lines, streamed. A raw
//! buffer holds at most `--max-points` points (default 1048576): a larger claim
//! is refused before anything is allocated. `--help` lists every flag.

use std::io::Write;
use std::process::ExitCode;

use carbonara::{SplitKey, parse_timespan, read_object};
use clap::Parser;
use timeserie::{DEFAULT_MAX_POINTS, parse_timestamp, write_timestamp};

/// The largest `--max-points`: 2^28 points, 4 GiB of decoded raw buffer.
const MAX_MAX_POINTS: u64 = 1 << 28;

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
    /// The most points a raw buffer may hold (1 to 268435456); 16 bytes each are allocated
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_POINTS as u64,
          value_parser = clap::value_parser!(u64).range(1..=MAX_MAX_POINTS))]
    max_points: u64,
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let data =
        std::fs::read(&args.file).map_err(|e| format!("cannot read `{}`: {e}", args.file))?;
    let key = match (args.granularity, args.key) {
        (Some(g), Some(k)) => Some(SplitKey::new(k, g)),
        _ => None,
    };
    // At most `MAX_MAX_POINTS`, so it fits.
    let max_points = usize::try_from(args.max_points).unwrap_or(usize::MAX);
    let (format, serie) = read_object(&data, key, max_points)
        .map_err(|e| format!("`{}`: {}", args.file, examples::error_chain(&e)))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "# {format}, {} points", serie.len())?;
    // One line at a time: the output is streamed, never built whole.
    let mut line = String::new();
    for p in serie.iter() {
        line.clear();
        write_timestamp(&mut line, p.timestamp)?;
        line.push(',');
        carbonara::write_value(&mut line, p.value);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
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
