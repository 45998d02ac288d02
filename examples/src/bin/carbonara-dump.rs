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
//!
//! Or: `carbonara-dump --storage DIR --metric NAME [--method M] [--granularity G]` prints a
//! metric stored by the `statsd` or `scrape` daemons (Gnocchi's file layout) as
//! `timestamp,value` lines, read as Gnocchi's `get_aggregated_measures` does.

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
    #[arg(
        value_name = "FILE",
        required_unless_present = "storage",
        conflicts_with = "storage"
    )]
    file: Option<String>,
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
    /// Read a metric of a storage directory written by `statsd` or `scrape` (Gnocchi's file
    /// layout) instead of one object
    #[arg(long, value_name = "DIR", requires = "metric", conflicts_with = "key")]
    storage: Option<String>,
    /// The metric to read from `--storage`, by name (`name|c`, `up{job="x",...}`)
    #[arg(long, value_name = "NAME", requires = "storage")]
    metric: Option<String>,
    /// Only this aggregation method (with `--storage`); default: every method of the policy
    #[arg(long, value_name = "M", requires = "storage")]
    method: Option<carbonara::AggregationMethod>,
}

/// `--storage` mode: a stored metric's aggregates, read as Gnocchi's
/// `get_aggregated_measures` does. With both `--method` and `--granularity`, only
/// `timestamp,value` lines; otherwise each aggregation after a
/// `# <method> <granularity>s, <n> points` line.
fn run_storage(args: &Args, dir: &str, name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let store = ingest::FileStore::open(dir)?;
    let metric = store.load_metric(name)?;
    let chosen: Vec<carbonara::Aggregation> = metric
        .policy()
        .aggregations()
        .into_iter()
        .filter(|a| args.method.is_none_or(|m| m == a.method))
        .filter(|a| args.granularity.is_none_or(|g| g == a.granularity))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "metric `{name}` has no aggregation with that method and granularity (policy `{}`)",
            metric.policy().name()
        )
        .into());
    }
    let headers = args.method.is_none() || args.granularity.is_none();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for agg in chosen {
        let series = metric.aggregates(agg.method, agg.granularity)?;
        if headers {
            writeln!(
                out,
                "# {} {}s, {} points",
                agg.method,
                ryu::Buffer::new().format(agg.granularity as f64 / 1e9),
                series.serie().len()
            )?;
        }
        write_points(&mut out, series.serie())?;
    }
    out.flush()?;
    Ok(())
}

/// `timestamp,value` lines, one at a time.
fn write_points(
    out: &mut impl Write,
    serie: &timeserie::TimeSerie,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut line = String::new();
    for p in serie.iter() {
        line.clear();
        write_timestamp(&mut line, p.timestamp)?;
        line.push(',');
        carbonara::write_value(&mut line, p.value);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    if let (Some(dir), Some(name)) = (&args.storage, &args.metric) {
        return run_storage(args, dir, name);
    }
    let file = args.file.as_deref().unwrap_or_default();
    let data = std::fs::read(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    let key = match (args.granularity, args.key) {
        (Some(g), Some(k)) => Some(SplitKey::new(k, g)),
        _ => None,
    };
    // At most `MAX_MAX_POINTS`, so it fits.
    let max_points = usize::try_from(args.max_points).unwrap_or(usize::MAX);
    let (format, serie) = read_object(&data, key, max_points)
        .map_err(|e| format!("`{file}`: {}", examples::error_chain(&e)))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "# {format}, {} points", serie.len())?;
    // One line at a time: the output is streamed, never built whole.
    write_points(&mut out, &serie)?;
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
