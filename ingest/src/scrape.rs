//! Prometheus-style scraping into rollups: jobs of targets from static
//! lists and file-based discovery, one scrape per target per interval
//! with a deadline, parsed by `expfmt`, every series a metric.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use expfmt::{Format, MetricType, MetricValue};
use serde::Deserialize;
use timeserie::Point;

use crate::error::Error;
use crate::policy::Policies;
use crate::store::FileStore;

/// The `Accept` header of a scrape: OpenMetrics first, then the text
/// format, as Prometheus 2.x sends it.
pub const ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// Largest body read from a target unless the job says otherwise.
const DEFAULT_BODY_LIMIT: u64 = 256 << 20;

/// A scrape configuration file, Prometheus' shape, in YAML (a file named `*.yml` or `*.yaml`)
/// or JSON (any other name):
///
/// ```json
/// {"policy": "low",
///  "global": {"scrape_interval": "15s", "scrape_timeout": "10s"},
///  "scrape_configs": [{"job_name": "ceph", "scrape_interval": "5s", "scrape_timeout": "2s",
///     "metrics_path": "/metrics",
///     "static_configs": [{"targets": ["127.0.0.1:9283"], "labels": {"env": "lab"}}],
///     "file_sd_configs": [{"files": ["targets.json"], "refresh_interval": "30s"}]}]}
/// ```
///
/// The same in YAML, as Prometheus' own `prometheus.yml` writes it:
///
/// ```yaml
/// policy: low
/// global: {scrape_interval: 15s, scrape_timeout: 10s}
/// scrape_configs:
///   - job_name: ceph
///     static_configs:
///       - targets: ["127.0.0.1:9283"]
///         labels: {env: lab}
///     file_sd_configs:
///       - files: [targets.yml]
/// ```
///
/// Durations as Prometheus writes them (`500ms`, `15s`, `1m30s`) or
/// seconds as numbers.
/// `policy` is a [`Policies::load`] spec (default `low`); relative paths are
/// relative to the configuration file.
#[derive(Debug, Clone)]
pub struct ScrapeConfig {
    /// How new series pick an archive policy.
    pub policies: Policies,
    /// The jobs.
    pub jobs: Vec<Job>,
}

/// One scrape job.
#[derive(Debug, Clone)]
pub struct Job {
    /// `job_name`, the `job` label.
    pub name: String,
    /// Time between two scrapes of a target.
    pub interval: Duration,
    /// Deadline of one scrape (at most the interval).
    pub timeout: Duration,
    /// Path of the metrics endpoint.
    pub metrics_path: String,
    /// Largest body accepted, in bytes.
    pub body_size_limit: u64,
    /// Targets listed in the configuration.
    pub static_groups: Vec<TargetGroup>,
    /// Discovery files: target groups in JSON, or YAML when named `*.yml`/`*.yaml`, re-read
    /// when they change.
    pub files: Vec<PathBuf>,
}

/// A target group: addresses sharing labels (Prometheus' `file_sd` form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TargetGroup {
    /// `host:port` addresses.
    pub targets: Vec<String>,
    /// Labels every target of the group gets.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct FileJson {
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    global: GlobalJson,
    #[serde(default)]
    scrape_configs: Vec<JobJson>,
}

#[derive(Deserialize, Default)]
struct GlobalJson {
    scrape_interval: Option<serde_json::Value>,
    scrape_timeout: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct JobJson {
    job_name: String,
    scrape_interval: Option<serde_json::Value>,
    scrape_timeout: Option<serde_json::Value>,
    #[serde(default = "default_path")]
    metrics_path: String,
    body_size_limit: Option<u64>,
    #[serde(default)]
    static_configs: Vec<TargetGroup>,
    #[serde(default)]
    file_sd_configs: Vec<FileSdJson>,
}

#[derive(Deserialize)]
struct FileSdJson {
    files: Vec<PathBuf>,
}

fn default_path() -> String {
    "/metrics".to_owned()
}

fn duration(
    path: &Path,
    field: &str,
    v: Option<&serde_json::Value>,
    default: Duration,
) -> Result<Duration, Error> {
    let Some(v) = v else {
        return Ok(default);
    };
    let ns = match v {
        serde_json::Value::Number(n) => n.as_f64().map(carbonara::seconds_to_ns),
        serde_json::Value::String(s) => prometheus_duration(s),
        _ => None,
    };
    match ns {
        Some(ns) if ns > 0 => Ok(Duration::from_nanos(ns.unsigned_abs())),
        _ => Err(Error::ConfigValue {
            path: path.to_owned(),
            reason: format!("`{field}` is not a positive duration: `{v}`"),
        }),
    }
}

/// A Prometheus duration (`500ms`, `1m30s`, `2h`, units `y w d h m s ms`)
/// in ns.
fn prometheus_duration(s: &str) -> Option<i64> {
    const UNITS: [(&str, i64); 7] = [
        ("ms", 1_000_000),
        ("y", 365 * 86_400 * 1_000_000_000),
        ("w", 7 * 86_400 * 1_000_000_000),
        ("d", 86_400 * 1_000_000_000),
        ("h", 3_600 * 1_000_000_000),
        ("m", 60 * 1_000_000_000),
        ("s", 1_000_000_000),
    ];
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, scale) = UNITS.iter().find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total = total.checked_add(n.checked_mul(*scale)?)?;
    }
    Some(total)
}

impl ScrapeConfig {
    /// Reads a configuration file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`], [`Error::Config`] (with line and column),
    /// [`Error::ConfigValue`] for a bad duration or a timeout longer than
    /// the interval, and the errors of [`Policies::load`].
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let file: FileJson = parse(path, text.as_bytes())?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let global_interval = duration(
            path,
            "global.scrape_interval",
            file.global.scrape_interval.as_ref(),
            Duration::from_secs(60),
        )?;
        let global_timeout = duration(
            path,
            "global.scrape_timeout",
            file.global.scrape_timeout.as_ref(),
            Duration::from_secs(10),
        )?;
        let policy = file.policy.unwrap_or_else(|| "low".to_owned());
        let policies = if carbonara::ArchivePolicy::builtin(&policy).is_some() {
            Policies::load(&policy)?
        } else {
            Policies::load(&dir.join(&policy).to_string_lossy())?
        };
        let mut jobs = Vec::new();
        for j in file.scrape_configs {
            let interval = duration(
                path,
                "scrape_interval",
                j.scrape_interval.as_ref(),
                global_interval,
            )?;
            let timeout = duration(
                path,
                "scrape_timeout",
                j.scrape_timeout.as_ref(),
                global_timeout.min(interval),
            )?;
            if timeout > interval {
                return Err(Error::ConfigValue {
                    path: path.to_owned(),
                    reason: format!(
                        "job `{}`: scrape_timeout {timeout:?} is longer than scrape_interval {interval:?}",
                        j.job_name
                    ),
                });
            }
            jobs.push(Job {
                name: j.job_name,
                interval,
                timeout,
                metrics_path: j.metrics_path,
                body_size_limit: j.body_size_limit.unwrap_or(DEFAULT_BODY_LIMIT),
                static_groups: j.static_configs,
                files: j
                    .file_sd_configs
                    .into_iter()
                    .flat_map(|f| f.files)
                    .map(|f| dir.join(f))
                    .collect(),
            });
        }
        Ok(ScrapeConfig { policies, jobs })
    }
}

/// A target of a job with its labels (`job`, `instance` and its group's).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// `host:port`.
    pub address: String,
    /// Target labels, sorted by name.
    pub labels: BTreeMap<String, String>,
}

/// Reads a discovery file: a list of target groups, in YAML when the file is named `*.yml` or
/// `*.yaml`, else in JSON (Prometheus' `file_sd` formats).
///
/// # Errors
///
/// [`Error::Io`], [`Error::Config`] (JSON) or [`Error::ConfigYaml`] (YAML).
pub fn read_target_groups(path: &Path) -> Result<Vec<TargetGroup>, Error> {
    let text = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Whether `path` names a YAML file (`.yml`, `.yaml`), as Prometheus tells its formats apart.
fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// `text`, the content of `path`, parsed as YAML or JSON by the file's name.
fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &[u8]) -> Result<T, Error> {
    if is_yaml(path) {
        serde_norway::from_slice(text).map_err(|source| Error::ConfigYaml {
            path: path.to_owned(),
            source,
        })
    } else {
        serde_json::from_slice(text).map_err(|source| Error::Config {
            path: path.to_owned(),
            source,
        })
    }
}

fn targets_of(job: &Job, groups: &[TargetGroup]) -> Vec<Target> {
    let mut out = Vec::new();
    for g in groups {
        for address in &g.targets {
            let mut labels = g.labels.clone();
            labels.insert("job".to_owned(), job.name.clone());
            labels
                .entry("instance".to_owned())
                .or_insert_with(|| address.clone());
            out.push(Target {
                address: address.clone(),
                labels,
            });
        }
    }
    out
}

/// One file of file-based discovery and what it last gave.
#[derive(Debug)]
struct Discovered {
    path: PathBuf,
    modified: Option<SystemTime>,
    groups: Vec<TargetGroup>,
}

impl Discovered {
    /// Re-reads the file when its modification time changed; a file that
    /// does not read or parse keeps the previous targets (error logged).
    fn refresh(&mut self) -> bool {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if modified.is_some() && modified == self.modified {
            return false;
        }
        self.modified = modified;
        match read_target_groups(&self.path) {
            Ok(groups) => {
                let changed = groups != self.groups;
                self.groups = groups;
                if changed {
                    tracing::info!(file = %self.path.display(), groups = self.groups.len(), "discovery file read");
                }
                changed
            }
            Err(e) => {
                tracing::error!(error = %crate::error_chain(&e), "discovery file kept its previous targets");
                false
            }
        }
    }
}

/// What one scrape gave: the series with their points, `up` and
/// `scrape_duration_seconds` among them.
#[derive(Debug, Clone, Default)]
pub struct ScrapeResult {
    /// `(series name, point)`: `name{label="value",...}` with labels sorted.
    pub series: Vec<(String, Point)>,
    /// Whether the target answered with a parsable exposition.
    pub up: bool,
}

/// Scrapes one target once with the job's deadline and turns the
/// exposition into series, plus `up`, `scrape_duration_seconds` and
/// `scrape_samples_scraped` stamped with the scrape start as Prometheus
/// records them. A failed scrape gives `up` 0 and its error is logged.
#[must_use]
pub fn scrape(job: &Job, target: &Target) -> ScrapeResult {
    let start = SystemTime::now();
    let start_ms = start
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let started = Instant::now();
    let mut result = ScrapeResult::default();
    let outcome = fetch(job, target).and_then(|(body, format)| {
        let families = expfmt::parse(&body, format).map_err(|e| e.to_string())?;
        Ok(series_of(
            &families,
            format,
            &target.labels,
            start_ms * 1_000_000,
            &mut result.series,
        ))
    });
    let duration = started.elapsed().as_secs_f64();
    let samples = match outcome {
        Ok(n) => {
            result.up = true;
            n
        }
        Err(e) => {
            tracing::warn!(job = %job.name, target = %target.address, error = %e, "scrape failed");
            result.series.clear();
            0
        }
    };
    let t = start_ms * 1_000_000;
    for (name, value) in [
        ("up", if result.up { 1.0 } else { 0.0 }),
        ("scrape_duration_seconds", duration),
        ("scrape_samples_scraped", samples as f64),
    ] {
        let mut s = String::new();
        series_name(&mut s, name, &target.labels, &[]);
        result.series.push((s, Point::new(t, value)));
    }
    tracing::debug!(job = %job.name, target = %target.address, up = result.up, duration, samples, "scraped");
    result
}

fn fetch(job: &Job, target: &Target) -> Result<(Vec<u8>, Format), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(job.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{}{}", target.address, job.metrics_path);
    let mut response = agent
        .get(&url)
        .header("Accept", ACCEPT)
        .header(
            "X-Prometheus-Scrape-Timeout-Seconds",
            &job.timeout.as_secs_f64().to_string(),
        )
        .call()
        .map_err(|e| format!("GET `{url}`: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("GET `{url}`: server returned HTTP status {status}"));
    }
    let format = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map_or(Format::Text, |ct| {
            if ct.trim_start().starts_with("application/openmetrics-text") {
                Format::OpenMetrics
            } else {
                Format::Text
            }
        });
    let body = response
        .body_mut()
        .with_config()
        .limit(job.body_size_limit)
        .read_to_vec()
        .map_err(|e| format!("GET `{url}`: body: {e}"))?;
    Ok((body, format))
}

/// The series of one exposition as a scrape stores them: `name{labels}`
/// with the target labels merged in, one point per sample stamped with
/// `scrape_ns` unless the sample has its own timestamp; histograms and
/// summaries expanded to `_bucket`/quantile, `_sum` and `_count`, and
/// OpenMetrics counters named with `_total`.
///
/// ```
/// use std::collections::BTreeMap;
/// use expfmt::Format;
///
/// let target = BTreeMap::from([("job".to_owned(), "j".to_owned())]);
/// let series = ingest::exposition_series(b"a{x=\"1\"} 2\n", Format::Text, &target, 7)?;
/// assert_eq!(series[0].0, "a{job=\"j\",x=\"1\"}");
/// assert_eq!((series[0].1.timestamp, series[0].1.value), (7, 2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The parse error of `expfmt`, with its line.
pub fn exposition_series(
    body: &[u8],
    format: Format,
    target: &BTreeMap<String, String>,
    scrape_ns: i64,
) -> Result<Vec<(String, Point)>, expfmt::Error> {
    let families = expfmt::parse(body, format)?;
    let mut out = Vec::new();
    series_of(&families, format, target, scrape_ns, &mut out);
    Ok(out)
}

/// Appends one series per sample of `families`; returns the sample count.
fn series_of(
    families: &[expfmt::MetricFamily<'_>],
    format: Format,
    target: &BTreeMap<String, String>,
    scrape_ns: i64,
    out: &mut Vec<(String, Point)>,
) -> usize {
    let before = out.len();
    let mut push =
        |name: &str, labels: &[(&str, &str)], extra: Option<(&str, String)>, v: f64, ts: i64| {
            let mut all: Vec<(&str, &str)> = labels.to_vec();
            let extra_owned;
            if let Some((k, val)) = extra {
                extra_owned = val;
                all.push((k, extra_owned.as_str()));
            }
            let mut s = String::new();
            series_name(&mut s, name, target, &all);
            out.push((s, Point::new(ts, v)));
        };
    for fam in families {
        let base = fam.name.as_ref();
        for m in &fam.metrics {
            let ts = m
                .timestamp
                .map_or(scrape_ns, |t| t.as_millis().saturating_mul(1_000_000));
            let labels: Vec<(&str, &str)> = m
                .labels
                .iter()
                .map(|l| (l.name.as_ref(), l.value.as_ref()))
                .collect();
            match &m.value {
                MetricValue::Scalar(v) => {
                    let name = if format == Format::OpenMetrics
                        && fam.metric_type == MetricType::Counter
                    {
                        format!("{base}_total")
                    } else {
                        base.to_owned()
                    };
                    push(&name, &labels, None, v.as_f64(), ts);
                }
                MetricValue::Histogram(h) => {
                    for b in &h.buckets {
                        push(
                            &format!("{base}_bucket"),
                            &labels,
                            Some(("le", go_float(b.upper_bound))),
                            b.cumulative_count as f64,
                            ts,
                        );
                    }
                    if let Some(sum) = h.sum {
                        push(&format!("{base}_sum"), &labels, None, sum, ts);
                    }
                    if let Some(count) = h.count {
                        push(&format!("{base}_count"), &labels, None, count as f64, ts);
                    }
                }
                MetricValue::Summary(s) => {
                    for q in &s.quantiles {
                        push(
                            base,
                            &labels,
                            Some(("quantile", go_float(q.quantile))),
                            q.value,
                            ts,
                        );
                    }
                    if let Some(sum) = s.sum {
                        push(&format!("{base}_sum"), &labels, None, sum, ts);
                    }
                    if let Some(count) = s.count {
                        push(&format!("{base}_count"), &labels, None, count as f64, ts);
                    }
                }
            }
        }
    }
    out.len() - before
}

/// A float as Prometheus formats `le` and `quantile` (`+Inf`, `0.25`, `1`).
fn go_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        let s = ryu::Buffer::new().format_finite(v).to_owned();
        s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
    }
}

/// `name{label="value",...}`: target labels and scraped labels merged
/// (a scraped label that collides with a target label becomes
/// `exported_<name>`, as with `honor_labels: false`), sorted, values
/// escaped as in the text format.
fn series_name(
    out: &mut String,
    name: &str,
    target: &BTreeMap<String, String>,
    scraped: &[(&str, &str)],
) {
    let mut all: BTreeMap<String, &str> = target
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str()))
        .collect();
    for &(k, v) in scraped {
        if target.contains_key(k) {
            all.insert(format!("exported_{k}"), v);
        } else {
            all.insert(k.to_owned(), v);
        }
    }
    out.push_str(name);
    out.push('{');
    for (i, (k, v)) in all.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push_str("=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('}');
}

/// The scrape daemon: every job's targets scraped on their interval in
/// their own threads, results rolled up into a [`FileStore`].
#[derive(Debug)]
pub struct Scraper {
    config: ScrapeConfig,
    store: FileStore,
    stop: Arc<AtomicBool>,
}

impl Scraper {
    /// A scraper of `config` into `store`.
    #[must_use]
    pub fn new(config: ScrapeConfig, store: FileStore) -> Self {
        Scraper {
            config,
            store,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A flag that makes [`Scraper::run`] return.
    #[must_use]
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Scrapes until stopped. Discovery files are checked every 100 ms and
    /// re-read when they change. A scrape is never started while the
    /// previous one of the same target runs.
    pub fn run(mut self) {
        let mut discovered: Vec<Vec<Discovered>> = self
            .config
            .jobs
            .iter()
            .map(|j| {
                j.files
                    .iter()
                    .map(|p| Discovered {
                        path: p.clone(),
                        modified: None,
                        groups: Vec::new(),
                    })
                    .collect()
            })
            .collect();
        let (tx, rx) = mpsc::channel::<(usize, Target, ScrapeResult)>();
        // (job index, target) -> (next due, running)
        let mut schedule: BTreeMap<(usize, Target), (Instant, bool)> = BTreeMap::new();
        let mut active: Vec<Vec<Target>> = vec![Vec::new(); self.config.jobs.len()];
        let mut first = true;
        while !self.stop.load(Ordering::Relaxed) {
            for (ji, job) in self.config.jobs.iter().enumerate() {
                let mut changed = first;
                for d in &mut discovered[ji] {
                    changed |= d.refresh();
                }
                if changed {
                    let mut groups = job.static_groups.clone();
                    for d in &discovered[ji] {
                        groups.extend(d.groups.iter().cloned());
                    }
                    active[ji] = targets_of(job, &groups);
                    let now = Instant::now();
                    schedule.retain(|(j, t), _| *j != ji || active[ji].contains(t));
                    for t in &active[ji] {
                        schedule.entry((ji, t.clone())).or_insert((now, false));
                    }
                    tracing::info!(job = %job.name, targets = active[ji].len(), "targets");
                }
            }
            first = false;
            let now = Instant::now();
            for ((ji, target), (due, running)) in &mut schedule {
                if *running || *due > now {
                    continue;
                }
                let job = self.config.jobs[*ji].clone();
                *running = true;
                *due += job.interval;
                if *due < now {
                    *due = now + job.interval;
                }
                let (tx, target, ji) = (tx.clone(), target.clone(), *ji);
                std::thread::spawn(move || {
                    let r = scrape(&job, &target);
                    let _ = tx.send((ji, target, r));
                });
            }
            while let Ok((ji, target, result)) = rx.recv_timeout(Duration::from_millis(100)) {
                if let Some((_, running)) = schedule.get_mut(&(ji, target)) {
                    *running = false;
                }
                let failures = self.store.add_batch(
                    result
                        .series
                        .iter()
                        .map(|(n, p)| (n.as_str(), std::slice::from_ref(p))),
                    &self.config.policies,
                );
                for (name, e) in failures {
                    tracing::error!(series = %name, error = %crate::error_chain(&e), "unable to store");
                }
                if self.stop.load(Ordering::Relaxed) {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_table() {
        let cases: &[(&str, Option<i64>)] = &[
            ("500ms", Some(500_000_000)),
            ("15s", Some(15_000_000_000)),
            ("1m30s", Some(90_000_000_000)),
            ("2h", Some(7_200_000_000_000)),
            ("1d", Some(86_400_000_000_000)),
            ("", None),
            ("5", None),
            ("1x", None),
            ("s", None),
        ];
        for &(text, want) in cases {
            assert_eq!(prometheus_duration(text), want, "{text}");
        }
    }

    #[test]
    fn yaml_and_json_configs_and_discovery_files_read_the_same() {
        let dir = std::env::temp_dir().join(format!("ingest-yaml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let json = r#"{"policy": "low", "global": {"scrape_interval": "15s"},
            "scrape_configs": [{"job_name": "ceph", "scrape_interval": 5, "scrape_timeout": "2s",
              "static_configs": [{"targets": ["127.0.0.1:9283"], "labels": {"env": "lab"}}],
              "file_sd_configs": [{"files": ["t.json", "t.yml"]}]}]}"#;
        let yaml = "policy: low\nglobal: {scrape_interval: 15s}\nscrape_configs:\n  \
            - job_name: ceph\n    scrape_interval: 5\n    scrape_timeout: 2s\n    \
            static_configs:\n      - targets: ['127.0.0.1:9283']\n        labels: {env: lab}\n    \
            file_sd_configs:\n      - files: [t.json, t.yml]\n";
        std::fs::write(dir.join("c.json"), json).expect("write");
        std::fs::write(dir.join("c.yaml"), yaml).expect("write");
        let a = ScrapeConfig::load(&dir.join("c.json")).expect("json config");
        let b = ScrapeConfig::load(&dir.join("c.yaml")).expect("yaml config");
        assert_eq!(a.jobs.len(), 1);
        for (x, y) in a.jobs.iter().zip(&b.jobs) {
            assert_eq!(
                (&x.name, x.interval, x.timeout, &x.static_groups, &x.files),
                (&y.name, y.interval, y.timeout, &y.static_groups, &y.files)
            );
        }
        assert_eq!(b.jobs[0].interval, Duration::from_secs(5));
        assert_eq!(b.jobs[0].timeout, Duration::from_secs(2));

        std::fs::write(
            dir.join("t.json"),
            r#"[{"targets": ["h:1", "h:2"], "labels": {"team": "a"}}]"#,
        )
        .expect("write");
        std::fs::write(
            dir.join("t.yml"),
            "- targets: [h:1, h:2]\n  labels:\n    team: a\n",
        )
        .expect("write");
        let groups = read_target_groups(&dir.join("t.json")).expect("json groups");
        assert_eq!(groups[0].targets, ["h:1", "h:2"]);
        assert_eq!(
            read_target_groups(&dir.join("t.yml")).expect("yaml groups"),
            groups
        );

        // A YAML error names the file, line and column; JSON is not read as YAML.
        std::fs::write(dir.join("bad.yml"), "- targets: [h:1\n  labels: {}\n").expect("write");
        let e = read_target_groups(&dir.join("bad.yml")).expect_err("bad yaml");
        assert!(matches!(e, Error::ConfigYaml { .. }), "{e:?}");
        let chain = format!("{e}: {}", std::error::Error::source(&e).expect("source"));
        assert!(
            chain.contains("bad.yml") && chain.contains("line 2"),
            "{chain}"
        );
        std::fs::write(dir.join("t2.json"), "- targets: [h:1]\n").expect("write");
        let e = read_target_groups(&dir.join("t2.json")).expect_err("yaml in a .json file");
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn series_names_merge_and_escape() {
        let target: BTreeMap<String, String> = [("job", "j"), ("instance", "h:1")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            ("up", &[], "up{instance=\"h:1\",job=\"j\"}"),
            (
                "x",
                &[("a", "q\"\\\n")],
                "x{a=\"q\\\"\\\\\\n\",instance=\"h:1\",job=\"j\"}",
            ),
            (
                "x",
                &[("job", "other")],
                "x{exported_job=\"other\",instance=\"h:1\",job=\"j\"}",
            ),
        ];
        for &(name, labels, want) in cases {
            let mut s = String::new();
            series_name(&mut s, name, &target, labels);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn families_become_series() {
        let text = b"# TYPE c counter\nc_total{a=\"1\"} 3\n# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.5\nh_count 2\ng 7 1700000000000\n";
        let fams = expfmt::parse(text, Format::Text).expect("parses");
        let mut out = Vec::new();
        let n = series_of(&fams, Format::Text, &BTreeMap::new(), 5, &mut out);
        let got: Vec<(&str, i64, f64)> = out
            .iter()
            .map(|(s, p)| (s.as_str(), p.timestamp, p.value))
            .collect();
        assert_eq!(n, 6);
        assert_eq!(
            got,
            [
                ("c_total{a=\"1\"}", 5, 3.0),
                ("h_bucket{le=\"0.5\"}", 5, 1.0),
                ("h_bucket{le=\"+Inf\"}", 5, 2.0),
                ("h_sum{}", 5, 1.5),
                ("h_count{}", 5, 2.0),
                ("g{}", 1_700_000_000_000_000_000, 7.0),
            ]
        );
    }

    #[test]
    fn unreachable_target_is_down() {
        let job = Job {
            name: "j".to_owned(),
            interval: Duration::from_secs(1),
            timeout: Duration::from_millis(500),
            metrics_path: "/metrics".to_owned(),
            body_size_limit: 1024,
            static_groups: Vec::new(),
            files: Vec::new(),
        };
        // A port nothing listens on.
        let target = targets_of(
            &job,
            &[TargetGroup {
                targets: vec!["127.0.0.1:1".to_owned()],
                labels: BTreeMap::new(),
            }],
        );
        let r = scrape(&job, &target[0]);
        assert!(!r.up);
        let up = r
            .series
            .iter()
            .find(|(n, _)| n.starts_with("up{"))
            .expect("up");
        assert_eq!(up.1.value, 0.0);
        assert_eq!(up.0, "up{instance=\"127.0.0.1:1\",job=\"j\"}");
    }
}
