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
//! under DIR.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use carbonara::{ArchivePolicy, Metric};
use timeserie::{Point, parse_timestamp, write_timestamp};

const USAGE: &str =
    "usage: rollup --policy NAME|FILE [--format csv|json] [--batch N] [--objects DIR] [INPUT]";

#[derive(Debug)]
struct Args {
    policy: String,
    json: bool,
    batch: usize,
    objects: Option<String>,
    input: Option<String>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut policy, mut json, mut batch, mut input, mut objects) =
        (None, false, 10_000, None, None);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--policy" => policy = Some(it.next().ok_or("--policy needs a value")?),
            "--format" => match it.next().as_deref() {
                Some("csv") => json = false,
                Some("json") => json = true,
                other => return Err(format!("--format must be csv or json, not {other:?}")),
            },
            "--batch" => {
                batch = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--batch needs a positive number")?;
            }
            "--objects" => objects = Some(it.next().ok_or("--objects needs a directory")?),
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
            _ if input.is_none() => input = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(Args {
        policy: policy.ok_or("--policy is required")?,
        json,
        batch,
        objects,
        input,
    })
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
    let mut batch = Vec::with_capacity(args.batch);
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
        if batch.len() == args.batch {
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

    let mut out = String::new();
    if args.json {
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
        if args.json {
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
            if args.json {
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
        if args.json {
            out.push_str("]}");
        }
    }
    if args.json {
        out.push_str("\n]\n");
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => return examples::usage_error("rollup", &msg, USAGE),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rollup: {}", examples::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}
