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
//!
//! Points older than the metric's raw buffer keeps (Gnocchi's too-old rule:
//! before the first block of the buffer when their batch arrives) are dropped
//! as Gnocchi drops them, but counted: rollup reports how many and the line
//! of the first on stderr and exits with status 1 after writing its output,
//! unless `--accept-too-old` is given. So a result that depends on `--batch`
//! never changes silently.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use carbonara::{ArchivePolicy, MeasureLine, MeasureReader, Metric};
use clap::Parser;
use timeserie::{Point, write_timestamp};

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
    /// Accept points dropped as too old for the raw buffer (Gnocchi's rule): still reported
    /// on stderr, but the exit status is 0
    #[arg(long)]
    accept_too_old: bool,
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

/// Points dropped as too old, over all batches.
#[derive(Debug, Default)]
struct Dropped {
    count: usize,
    first_line: Option<u64>,
}

/// Sends one batch to the pipeline; errors name the batch's lines.
fn flush(
    metric: &mut Metric,
    batch: &mut Vec<Point>,
    lines: &mut Vec<u64>,
    dropped: &mut Dropped,
) -> Result<(), String> {
    let report = metric.add_measures(batch).map_err(|e| {
        let (first, last) = (lines.first().copied(), lines.last().copied());
        format!(
            "batch of lines {} to {}: {}",
            first.unwrap_or(0),
            last.unwrap_or(0),
            examples::error_chain(&e)
        )
    })?;
    dropped.count += report.too_old;
    if dropped.first_line.is_none() {
        dropped.first_line = report.first_too_old.and_then(|i| lines.get(i).copied());
    }
    batch.clear();
    lines.clear();
    Ok(())
}

fn write_output(metric: &Metric, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::new(stdout);
    // One line at a time: the output is streamed, never built whole.
    let mut line = String::new();
    if json {
        out.write_all(b"[")?;
    } else {
        out.write_all(b"granularity,method,timestamp,value\n")?;
    }
    let mut first = true;
    for agg in metric.policy().aggregations() {
        let series = metric.aggregates(agg.method, agg.granularity)?;
        let gran = ryu::Buffer::new()
            .format(agg.granularity as f64 / 1e9)
            .to_owned();
        if json {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            write!(
                out,
                "\n{{\"method\":\"{}\",\"granularity\":{gran},\"points\":[",
                agg.method
            )?;
        }
        for (k, p) in series.serie().iter().enumerate() {
            line.clear();
            if json {
                line.push_str(if k == 0 { "[\"" } else { ",[\"" });
                write_timestamp(&mut line, p.timestamp)?;
                line.push_str("\",");
                let quoted = !p.value.is_finite();
                if quoted {
                    line.push('"');
                }
                carbonara::write_value(&mut line, p.value);
                line.push_str(if quoted { "\"]" } else { "]" });
            } else {
                line.push_str(&gran);
                line.push(',');
                line.push_str(agg.method.as_str());
                line.push(',');
                write_timestamp(&mut line, p.timestamp)?;
                line.push(',');
                carbonara::write_value(&mut line, p.value);
                line.push('\n');
            }
            out.write_all(line.as_bytes())?;
        }
        if json {
            out.write_all(b"]}")?;
        }
    }
    if json {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Runs the pipeline; returns the points dropped as too old.
fn run(args: &Args) -> Result<Dropped, Box<dyn std::error::Error>> {
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
    let mut lines = Vec::with_capacity(batch_len.min(1 << 16));
    let mut dropped = Dropped::default();
    for item in MeasureReader::new(reader) {
        match item? {
            (_, MeasureLine::BatchEnd) => {
                flush(&mut metric, &mut batch, &mut lines, &mut dropped)?;
            }
            (line, MeasureLine::Point(p)) => {
                batch.push(p);
                lines.push(line);
                if batch.len() == batch_len {
                    flush(&mut metric, &mut batch, &mut lines, &mut dropped)?;
                }
            }
            // Comments, and any line kind added later, carry no measure.
            _ => {}
        }
    }
    flush(&mut metric, &mut batch, &mut lines, &mut dropped)?;
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
    write_output(&metric, args.format == OutputFormat::Json)?;
    Ok(dropped)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(dropped) if dropped.count == 0 => ExitCode::SUCCESS,
        Ok(dropped) => {
            let line = dropped.first_line.unwrap_or(0);
            eprintln!(
                "rollup: {} points dropped as older than the raw buffer keeps, the first at line {line}",
                dropped.count
            );
            if args.accept_too_old {
                ExitCode::SUCCESS
            } else {
                eprintln!("rollup: pass --accept-too-old to accept them");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("rollup: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
