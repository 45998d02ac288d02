//! Rolls raw measures up with a Gnocchi archive policy, as metricd does.
//!
//! Usage: `rollup --policy NAME|FILE [--format csv|json] [--batch N] [--objects DIR] [INPUT]`
//!
//! NAME is a built-in policy (`low`, `medium`, `high`, `bool`); FILE is an
//! archive policy in Gnocchi's REST JSON form. INPUT (default: stdin) holds
//! `timestamp,value` lines, the timestamp in RFC 3339 or seconds since the
//! epoch. Lines go to the pipeline in batches of N (default 10000); a blank
//! line also ends a batch, like a separate POST. Lines starting with `#` are
//! skipped. Output: the aggregates per granularity and method. With
//! `--objects DIR`, the objects Gnocchi's file driver would store for the
//! metric (`none_v3`, `agg_<method>/<key>_<granularity>_v3`) are written
//! under DIR. `--help` lists every flag and its default.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use carbonara::{ArchivePolicy, Metric};
use clap::Parser;
use timeserie::{Point, parse_timestamp, write_timestamp};

/// The largest `--batch`: the batch is held in memory before it goes to the pipeline.
const MAX_BATCH: u64 = 10_000_000;

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    /// `granularity,method,timestamp,value` lines under a header.
    Csv,
    /// One object per aggregation with its points.
    Json,
}

/// Rolls raw measures up with a Gnocchi archive policy, as metricd does.
///
/// INPUT holds `timestamp,value` lines, the timestamp in RFC 3339 or seconds since the epoch;
/// a blank line ends a batch, like a separate POST, and lines starting with `#` are skipped.
#[derive(Debug, Parser)]
#[command(name = "rollup", version)]
struct Args {
    /// A built-in policy (`low`, `medium`, `high`, `bool`), or a file holding an archive
    /// policy in Gnocchi's REST JSON form
    #[arg(long, value_name = "NAME|FILE")]
    policy: String,
    /// The output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
    format: OutputFormat,
    /// How many lines go to the pipeline at a time (1 to 10000000)
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_BATCH))]
    batch: u64,
    /// Also write the objects Gnocchi's file driver would store for the metric (`none_v3`,
    /// `agg_<method>/<key>_<granularity>_v3`) under DIR
    #[arg(long, value_name = "DIR")]
    objects: Option<String>,
    /// The measures; `-` for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    input: Option<String>,
}

fn load_policy(spec: &str) -> Result<ArchivePolicy, Box<dyn std::error::Error>> {
    if let Some(p) = ArchivePolicy::builtin(spec) {
        return Ok(p);
    }
    let text = std::fs::read_to_string(spec)
        .map_err(|e| format!("policy `{spec}` is neither built in nor a readable file: {e}"))?;
    Ok(ArchivePolicy::from_rest_json(&text)?)
}

fn parse_line(line: &str, n: usize) -> Result<Point, String> {
    let (ts, value) = line
        .split_once(',')
        .ok_or_else(|| format!("line {n}: expected `timestamp,value`, got `{line}`"))?;
    let timestamp = parse_timestamp(ts)
        .ok_or_else(|| format!("line {n}, column 1: cannot parse timestamp `{}`", ts.trim()))?;
    let value: f64 = value.trim().parse().map_err(|_| {
        format!(
            "line {n}, column {}: cannot parse value `{}`",
            ts.len() + 2,
            value.trim()
        )
    })?;
    Ok(Point::new(timestamp, value))
}

fn write_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        out.push_str(ryu::Buffer::new().format_finite(v));
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut metric = Metric::new(load_policy(&args.policy)?);
    let reader: Box<dyn BufRead> = match args.input.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(|e| format!("cannot open `{path}`: {e}"))?,
        )),
    };
    // `--batch` is at most `MAX_BATCH`, so it fits; the capacity is capped anyway.
    let batch_len = usize::try_from(args.batch).unwrap_or(usize::MAX);
    let mut batch = Vec::with_capacity(batch_len.min(1 << 16));
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            metric.add_measures(&batch)?;
            batch.clear();
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        batch.push(parse_line(trimmed, i + 1)?);
        if batch.len() == batch_len {
            metric.add_measures(&batch)?;
            batch.clear();
        }
    }
    metric.add_measures(&batch)?;
    if let Some(dir) = &args.objects {
        for (path, data) in metric.file_objects()? {
            let path = std::path::Path::new(dir).join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
            }
            std::fs::write(&path, data)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        }
    }

    let json = args.format == OutputFormat::Json;
    let mut out = String::new();
    if json {
        out.push('[');
    } else {
        out.push_str("granularity,method,timestamp,value\n");
    }
    let mut first = true;
    for agg in metric.policy().aggregations() {
        let series = metric.aggregates(agg.method, agg.granularity)?;
        let gran = ryu::Buffer::new()
            .format(agg.granularity as f64 / 1e9)
            .to_owned();
        if json {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&format!(
                "\n{{\"method\":\"{}\",\"granularity\":{gran},\"points\":[",
                agg.method
            ));
        }
        for (k, p) in series.serie().iter().enumerate() {
            if json {
                out.push_str(if k == 0 { "[\"" } else { ",[\"" });
                write_timestamp(&mut out, p.timestamp)?;
                out.push_str("\",");
                let quoted = !p.value.is_finite();
                if quoted {
                    out.push('"');
                }
                write_value(&mut out, p.value);
                out.push_str(if quoted { "\"]" } else { "]" });
            } else {
                out.push_str(&gran);
                out.push(',');
                out.push_str(agg.method.as_str());
                out.push(',');
                write_timestamp(&mut out, p.timestamp)?;
                out.push(',');
                write_value(&mut out, p.value);
                out.push('\n');
            }
        }
        if json {
            out.push_str("]}");
        }
    }
    if json {
        out.push_str("\n]\n");
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rollup: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
