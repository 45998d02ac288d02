//! Decodes a stored Gnocchi carbonara object and prints its points.
//!
//! Usage: `carbonara-dump FILE [--granularity G] [--key K]`
//! or `carbonara-dump --storage DIR --metric NAME [--method M] [--granularity G]`
//!
//! Detects a raw buffer (`none_v3`), a compressed split (`c` + LZ4) or an
//! uncompressed split. Splits store slot numbers, so they need the
//! granularity G (seconds, or `60s`, `1h`, ...) and the split key K (epoch
//! seconds as in Gnocchi's object names, e.g. `1451520000.0`, or RFC 3339).
//! Prints `# <format>, <n> points` then `timestamp,value` lines.
//!
//! With `--storage`, reads a metric of a storage directory written by the
//! `statsd` or `scrape` daemons (Gnocchi's file layout) as Gnocchi's
//! `get_aggregated_measures` does and prints its aggregates as
//! `timestamp,value` lines; without `--method` and `--granularity`, every
//! aggregation of the policy that matches, each after a
//! `# <method> <granularity>s, <n> points` line.

use std::io::Write;
use std::process::ExitCode;

use carbonara::{ObjectFormat, SplitKey, parse_timespan};
use timeserie::{BoundTimeSerie, TimeSerie, parse_timestamp, write_timestamp};

const USAGE: &str = "usage: carbonara-dump FILE [--granularity G] [--key K]\n       carbonara-dump --storage DIR --metric NAME [--method M] [--granularity G]";

#[derive(Debug)]
struct Args {
    file: String,
    granularity: Option<i64>,
    key: Option<i64>,
    storage: Option<StorageArgs>,
}

#[derive(Debug)]
struct StorageArgs {
    dir: String,
    metric: String,
    method: Option<carbonara::AggregationMethod>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut file, mut granularity, mut key) = (None, None, None);
    let (mut storage, mut metric, mut method) = (None, None, None);
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
            "--storage" => storage = Some(it.next().ok_or("--storage needs a directory")?),
            "--metric" => metric = Some(it.next().ok_or("--metric needs a name")?),
            "--method" => {
                let v = it.next().ok_or("--method needs a value")?;
                method = Some(v.parse().map_err(|_| format!("unknown method `{v}`"))?);
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    if let Some(dir) = storage {
        if file.is_some() || key.is_some() {
            return Err("--storage reads a metric by name: no FILE or --key".to_owned());
        }
        return Ok(Args {
            file: String::new(),
            granularity,
            key,
            storage: Some(StorageArgs {
                dir,
                metric: metric.ok_or("--storage needs --metric")?,
                method,
            }),
        });
    }
    if metric.is_some() || method.is_some() {
        return Err("--metric and --method need --storage".to_owned());
    }
    Ok(Args {
        file: file.ok_or("FILE is required")?,
        granularity,
        key,
        storage: None,
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

/// `--storage` mode: a stored metric's aggregates.
fn run_storage(
    args: &StorageArgs,
    granularity: Option<i64>,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = ingest::FileStore::open(&args.dir)?;
    let metric = store.load_metric(&args.metric)?;
    let chosen: Vec<carbonara::Aggregation> = metric
        .policy()
        .aggregations()
        .into_iter()
        .filter(|a| args.method.is_none_or(|m| m == a.method))
        .filter(|a| granularity.is_none_or(|g| g == a.granularity))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "metric `{}` has no aggregation with that method and granularity (policy `{}`)",
            args.metric,
            metric.policy().name()
        )
        .into());
    }
    let headers = args.method.is_none() || granularity.is_none();
    let mut out = String::new();
    for agg in chosen {
        let series = metric.aggregates(agg.method, agg.granularity)?;
        if headers {
            out.push_str(&format!(
                "# {} {}s, {} points\n",
                agg.method,
                ryu::Buffer::new().format(agg.granularity as f64 / 1e9),
                series.serie().len()
            ));
        }
        write_points(&mut out, series.serie())?;
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn write_points(out: &mut String, serie: &TimeSerie) -> Result<(), Box<dyn std::error::Error>> {
    for p in serie.iter() {
        write_timestamp(out, p.timestamp)?;
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
    Ok(())
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(storage) = &args.storage {
        return run_storage(storage, args.granularity);
    }
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
    write_points(&mut out, &serie)?;
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
