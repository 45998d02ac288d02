//! Per-host collection from admin sockets, as the C++ `ceph-exporter` does: every `*.asok` of a
//! directory, queried concurrently with deadlines, mapped in either perf-counter flavour.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use expfmt::{FamilySet, FloatStyle, Format, Label, Metric, MetricFamily, MetricType, Value};
use perfcounter::{Dump, Families, Flavor, Mapper, PreparedSchema, Schema};

use crate::Exposition;
use crate::asok::{AdminSocket, AsokError, AsokErrorKind, DEFAULT_MAX_REPLY_BYTES, Excerpt};

/// Which pair of admin-socket commands gives a daemon's perf counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterApi {
    /// `perf schema` and `perf dump`: unlabeled counters, every release.
    Perf,
    /// `counter schema` and `counter dump`: labeled counters, Reef and later.
    Counter,
}

impl CounterApi {
    /// `perf` or `counter`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CounterApi::Perf => "perf",
            CounterApi::Counter => "counter",
        }
    }

    /// The schema command.
    pub const fn schema_command(self) -> &'static str {
        match self {
            CounterApi::Perf => "perf schema",
            CounterApi::Counter => "counter schema",
        }
    }

    /// The dump command.
    pub const fn dump_command(self) -> &'static str {
        match self {
            CounterApi::Perf => "perf dump",
            CounterApi::Counter => "counter dump",
        }
    }
}

impl fmt::Display for CounterApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an [`AsokCollector`] finds and queries the sockets.
///
/// ```
/// use std::time::Duration;
/// use exporter::AsokOptions;
/// use perfcounter::Flavor;
///
/// let options = AsokOptions::new("/var/run/ceph")
///     .flavor(Flavor::Mgr)
///     .timeout(Duration::from_secs(2))
///     .concurrency(8);
/// assert_eq!(options.dir().to_str(), Some("/var/run/ceph"));
/// assert_eq!(options.mapper().flavor(), Flavor::Mgr);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AsokOptions {
    dir: PathBuf,
    mapper: Mapper,
    timeout: Duration,
    deadline: Duration,
    concurrency: usize,
    max_reply: usize,
}

impl AsokOptions {
    /// The sockets of `dir`, with the defaults: the exporter flavour, 5 s per command, 10 s
    /// for the whole collection, 32 daemons at a time, replies up to
    /// [`DEFAULT_MAX_REPLY_BYTES`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        AsokOptions {
            dir: dir.into(),
            mapper: Mapper::new(Flavor::Exporter),
            timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(10),
            concurrency: 32,
            max_reply: DEFAULT_MAX_REPLY_BYTES,
        }
    }

    /// The directory of the sockets (`/var/run/ceph` on a Ceph host).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The flavour's names and labels, with the flavour's default options.
    #[must_use]
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.mapper = Mapper::new(flavor);
        self
    }

    /// The mapping's options (flavour, priority limit, integer layout).
    #[must_use]
    pub fn with_mapper(mut self, mapper: Mapper) -> Self {
        self.mapper = mapper;
        self
    }

    /// The mapping's options.
    pub fn mapper(&self) -> Mapper {
        self.mapper
    }

    /// The deadline of one command (connect, write, read), at least 1 ms.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The deadline of one command.
    pub fn command_timeout(&self) -> Duration {
        self.timeout
    }

    /// The deadline of a whole collection: daemons not asked by then are reported as timed
    /// out, and no command runs past it.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.max(Duration::from_millis(1));
        self
    }

    /// The deadline of a whole collection.
    pub fn collection_deadline(&self) -> Duration {
        self.deadline
    }

    /// How many daemons are queried at once (at least 1).
    #[must_use]
    pub fn concurrency(mut self, daemons: usize) -> Self {
        self.concurrency = daemons.max(1);
        self
    }

    /// How many daemons are queried at once.
    pub fn max_concurrency(&self) -> usize {
        self.concurrency
    }

    /// The largest reply accepted from a daemon, in bytes.
    #[must_use]
    pub fn max_reply(mut self, bytes: usize) -> Self {
        self.max_reply = bytes;
        self
    }

    /// The largest reply accepted.
    pub fn reply_limit(&self) -> usize {
        self.max_reply
    }
}

/// How one daemon's collection went.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScrapeStatus {
    /// Its counters are in the collection.
    Ok,
    /// No daemon listens on the socket (stopped or crashed, the file left behind): not a
    /// failed scrape.
    Missing(AsokError),
    /// The daemon is there, but a command failed or its reply was unusable.
    Failed(AsokError),
}

/// One socket of a collection.
#[derive(Debug)]
pub struct DaemonScrape {
    socket: PathBuf,
    daemon: String,
    api: Option<CounterApi>,
    duration: Duration,
    status: ScrapeStatus,
}

impl DaemonScrape {
    /// The socket's path.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The daemon's name from the socket's (`ceph-osd.0.asok` → `osd.0`).
    pub fn daemon(&self) -> &str {
        &self.daemon
    }

    /// The commands that answered, if any did.
    pub fn api(&self) -> Option<CounterApi> {
        self.api
    }

    /// The time spent on the daemon's commands.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// How it went.
    pub fn status(&self) -> &ScrapeStatus {
        &self.status
    }

    /// The error, if the daemon is missing or failed.
    pub fn error(&self) -> Option<&AsokError> {
        match &self.status {
            ScrapeStatus::Ok => None,
            ScrapeStatus::Missing(e) | ScrapeStatus::Failed(e) => Some(e),
        }
    }
}

/// The result of one [`AsokCollector::collect`]: the families of every daemon that answered,
/// the per-daemon health families, and how each socket went.
#[derive(Debug)]
pub struct AsokCollection {
    families: Vec<MetricFamily<'static>>,
    daemons: Vec<DaemonScrape>,
    clashes: Vec<String>,
    scan_error: Option<std::io::Error>,
}

impl AsokCollection {
    /// The families: the daemons' perf counters (first-seen order), then
    /// `ceph_daemon_socket_up`, `ceph_asok_scrape_success` and
    /// `ceph_asok_scrape_duration_seconds`.
    pub fn families(&self) -> &[MetricFamily<'static>] {
        &self.families
    }

    /// Every socket found, sorted by path.
    pub fn daemons(&self) -> &[DaemonScrape] {
        &self.daemons
    }

    /// Family names whose samples from some daemon were left out because another daemon's
    /// schema gave the name another type (the first type seen is kept).
    pub fn clashes(&self) -> &[String] {
        &self.clashes
    }

    /// Why the socket directory could not be listed, if it could not.
    pub fn scan_error(&self) -> Option<&std::io::Error> {
        self.scan_error.as_ref()
    }

    /// The failed daemons' errors (not the missing ones'), in socket order.
    pub fn failures(&self) -> impl Iterator<Item = &AsokError> {
        self.daemons.iter().filter_map(|d| match &d.status {
            ScrapeStatus::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// The families.
    pub fn into_families(self) -> Vec<MetricFamily<'static>> {
        self.families
    }

    /// Writes the families to `out` in `format` with `style` (`# EOF` included for
    /// OpenMetrics).
    ///
    /// # Errors
    ///
    /// The encoder's, for a name the format cannot carry.
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        format: Format,
        style: FloatStyle,
    ) -> Result<(), expfmt::Error> {
        let mut enc = expfmt::Encoder::builder()
            .format(format)
            .float_style(style)
            .build(out);
        enc.encode_families(&self.families)?;
        enc.finish();
        Ok(())
    }

    /// The body for the cache [`serve`](crate::serve) answers from, in `format` with `style`.
    ///
    /// # Errors
    ///
    /// The encoder's, as [`AsokCollection::encode`].
    pub fn exposition(
        &self,
        format: Format,
        style: FloatStyle,
    ) -> Result<Exposition, expfmt::Error> {
        let mut body = Vec::new();
        self.encode(&mut body, format, style)?;
        Ok(Exposition::new(body, format))
    }
}

/// Collects the perf counters of every daemon of a host from its admin sockets.
///
/// Every `*.asok` file in the directory is a daemon, except those whose name contains `mgr`
/// or `ceph-exporter`, as the C++ `ceph-exporter` skips them (the manager's counters are not
/// exported by the module either). The daemon's name is the file name without `.asok` and
/// the `ceph-` and `client.` prefixes. Each daemon is asked for its schema, then its dump:
/// with the exporter flavour `counter schema`/`counter dump` (labeled counters, Reef and
/// later), falling back to `perf schema`/`perf dump` when the daemon does not know them
/// (remembered until the socket file is replaced); with the mgr flavour `perf schema`/`perf
/// dump`. Identical schemas (every OSD of a release) are parsed once.
///
/// A daemon whose socket nobody listens on is *missing* (`ceph_daemon_socket_up` 0, no
/// scrape series); one that fails is reported with its socket path and the rest are still
/// collected.
///
/// ```no_run
/// use exporter::{AsokCollector, AsokOptions};
///
/// let mut collector = AsokCollector::new(AsokOptions::new("/var/run/ceph"));
/// let collection = collector.collect();
/// for e in collection.failures() {
///     eprintln!("{e}");
/// }
/// let mut text = Vec::new();
/// collection.encode(&mut text, expfmt::Format::Text, expfmt::FloatStyle::Go)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AsokCollector {
    options: AsokOptions,
    /// Sockets that answered only `perf` commands, with the socket file's modification time.
    perf_only: HashMap<PathBuf, Option<SystemTime>>,
}

/// One socket to query.
#[derive(Debug)]
struct Target {
    path: PathBuf,
    /// The file name, which the exporter flavour derives its daemon label from.
    file: String,
    daemon: String,
    modified: Option<SystemTime>,
}

/// What a phase-2 worker mapped, and each of its daemons' (index, time, status).
type WorkerResult = (FamilySet<'static>, Vec<(usize, Duration, ScrapeStatus)>);

/// What phase 1 learnt of a daemon.
#[derive(Debug)]
struct Probe {
    api: CounterApi,
    schema: usize,
    elapsed: Duration,
}

impl AsokCollector {
    /// A collector with `options`.
    pub fn new(options: AsokOptions) -> Self {
        AsokCollector {
            options,
            perf_only: HashMap::new(),
        }
    }

    /// The options.
    pub fn options(&self) -> &AsokOptions {
        &self.options
    }

    /// Runs one collection.
    pub fn collect(&mut self) -> AsokCollection {
        let start = Instant::now();
        let deadline = start + self.options.deadline;
        let targets = match scan(&self.options.dir) {
            Ok(t) => t,
            Err(e) => {
                return AsokCollection {
                    families: Vec::new(),
                    daemons: Vec::new(),
                    clashes: Vec::new(),
                    scan_error: Some(e),
                };
            }
        };
        let mapper = self.options.mapper;
        let workers = self.options.concurrency.min(targets.len()).max(1);

        // Phase 1: every daemon's schema, identical documents kept once.
        let distinct = Mutex::new(Distinct::default());
        let probes: Vec<Result<Probe, (Duration, AsokError)>> =
            pool(&targets, workers, |t| self.probe(t, deadline, &distinct));
        let distinct = distinct
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let schemas: Vec<Result<Schema<'_>, SchemaFault>> =
            distinct.docs.iter().map(|d| parse_schema(d)).collect();
        let prepared: Vec<Option<PreparedSchema<'_>>> = schemas
            .iter()
            .map(|s| s.as_ref().ok().map(|s| mapper.prepare(s)))
            .collect();

        // Phase 2: every dump, mapped as it arrives, into one set per worker.
        let next = AtomicUsize::new(0);
        let results: Vec<WorkerResult> = std::thread::scope(|scope| {
            let run = || {
                let mut out = Families::new();
                let mut statuses = Vec::new();
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let (elapsed, status) = match &probes[i] {
                        Err(_) => continue,
                        Ok(probe) => match (&schemas[probe.schema], &prepared[probe.schema]) {
                            (Err(e), _) => (
                                probe.elapsed,
                                ScrapeStatus::Failed(AsokError::new(
                                    &target.path,
                                    probe.api.schema_command(),
                                    e.kind(),
                                )),
                            ),
                            (Ok(_), Some(schema)) => {
                                let t0 = Instant::now();
                                let status = self
                                    .dump(target, probe.api, schema, deadline, &mut buf, &mut out);
                                (probe.elapsed + t0.elapsed(), status)
                            }
                            (Ok(_), None) => continue,
                        },
                    };
                    statuses.push((i, elapsed, status));
                }
                let set = out
                    .into_set()
                    .into_iter()
                    .map(MetricFamily::into_owned)
                    .fold(FamilySet::new(), |mut set, f| {
                        let _ = set.insert(f);
                        set
                    });
                (set, statuses)
            };
            let handles: Vec<_> = (1..workers).map(|_| scope.spawn(run)).collect();
            let mut results = vec![run()];
            for h in handles {
                results.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            results
        });

        let mut set = FamilySet::new();
        let mut clashes = Vec::new();
        let mut done: Vec<Option<(Duration, ScrapeStatus)>> =
            (0..targets.len()).map(|_| None).collect();
        for (part, statuses) in results {
            for family in part {
                let name = family.name.to_string();
                if set.insert(family).is_err() {
                    // Two daemons' schemas give one name two types: the first is kept.
                    clashes.push(name);
                }
            }
            for (i, elapsed, status) in statuses {
                done[i] = Some((elapsed, status));
            }
        }
        let mut daemons = Vec::with_capacity(targets.len());
        for ((target, probe), done) in targets.into_iter().zip(probes).zip(done) {
            let (api, duration, status) = match (probe, done) {
                (Err((elapsed, e)), _) => {
                    let status = if e.is_missing() {
                        ScrapeStatus::Missing(e)
                    } else {
                        ScrapeStatus::Failed(e)
                    };
                    (None, elapsed, status)
                }
                (Ok(p), Some((elapsed, status))) => (Some(p.api), elapsed, status),
                (Ok(p), None) => (Some(p.api), p.elapsed, ScrapeStatus::Ok),
            };
            // Remember daemons that know only `perf`, until their socket is replaced.
            match (api, &status) {
                (Some(CounterApi::Perf), ScrapeStatus::Ok) => {
                    self.perf_only.insert(target.path.clone(), target.modified);
                }
                (_, ScrapeStatus::Missing(_)) | (Some(CounterApi::Counter), _) => {
                    self.perf_only.remove(&target.path);
                }
                _ => {}
            }
            daemons.push(DaemonScrape {
                socket: target.path,
                daemon: target.daemon,
                api,
                duration,
                status,
            });
        }
        let mut families = set.into_families();
        families.extend(health_families(&daemons));
        AsokCollection {
            families,
            daemons,
            clashes,
            scan_error: None,
        }
    }

    /// Phase 1 for one daemon: the schema, trying `counter schema` first with the exporter
    /// flavour.
    fn probe(
        &self,
        target: &Target,
        deadline: Instant,
        distinct: &Mutex<Distinct>,
    ) -> Result<Probe, (Duration, AsokError)> {
        let t0 = Instant::now();
        let known_perf = self
            .perf_only
            .get(&target.path)
            .is_some_and(|m| *m == target.modified);
        let first = if self.options.mapper.flavor() == Flavor::Mgr || known_perf {
            CounterApi::Perf
        } else {
            CounterApi::Counter
        };
        let mut buf = Vec::new();
        let mut api = first;
        loop {
            match self.command(target, api.schema_command(), deadline, &mut buf) {
                Ok(()) => break,
                Err(e)
                    if api == CounterApi::Counter
                        && matches!(e.kind(), AsokErrorKind::Rejected { .. }) =>
                {
                    api = CounterApi::Perf;
                }
                Err(e) => return Err((t0.elapsed(), e)),
            }
        }
        let schema = distinct
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .index(buf);
        Ok(Probe {
            api,
            schema,
            elapsed: t0.elapsed(),
        })
    }

    /// Phase 2 for one daemon: its dump, mapped into `out`.
    fn dump<'a>(
        &self,
        target: &'a Target,
        api: CounterApi,
        schema: &PreparedSchema<'a>,
        deadline: Instant,
        buf: &mut Vec<u8>,
        out: &mut Families<'a>,
    ) -> ScrapeStatus {
        let command = api.dump_command();
        if let Err(e) = self.command(target, command, deadline, buf) {
            return if e.is_missing() {
                ScrapeStatus::Missing(e)
            } else {
                ScrapeStatus::Failed(e)
            };
        }
        let fail = |kind| ScrapeStatus::Failed(AsokError::new(&target.path, command, kind));
        let text = match std::str::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                return fail(AsokErrorKind::Utf8 {
                    offset: e.valid_up_to(),
                });
            }
        };
        match Dump::parse(text) {
            Ok(dump) => {
                let daemon = match self.options.mapper.flavor() {
                    Flavor::Exporter => target.file.as_str(),
                    Flavor::Mgr => target.daemon.as_str(),
                };
                schema.map(daemon, &dump, out);
                ScrapeStatus::Ok
            }
            Err(e) => fail(AsokErrorKind::Parse(Arc::new(e))),
        }
    }

    /// One command with the per-command deadline, cut to the collection's. A reply that is
    /// not a JSON object is [`AsokErrorKind::Rejected`].
    fn command(
        &self,
        target: &Target,
        command: &str,
        deadline: Instant,
        buf: &mut Vec<u8>,
    ) -> Result<(), AsokError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(AsokError::new(
                &target.path,
                command,
                AsokErrorKind::Timeout {
                    after: self.options.deadline,
                },
            ));
        }
        AdminSocket::new(&target.path)
            .timeout(self.options.timeout.min(left))
            .max_reply(self.options.max_reply)
            .command_into(command, buf)?;
        if !is_json_object(buf) {
            return Err(AsokError::new(
                &target.path,
                command,
                AsokErrorKind::Rejected {
                    reply: Excerpt::new(buf),
                },
            ));
        }
        Ok(())
    }
}

/// Whether a reply starts like a JSON object (after whitespace).
fn is_json_object(reply: &[u8]) -> bool {
    reply
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// Why a schema reply is unusable, shared by every daemon with this schema.
#[derive(Debug)]
enum SchemaFault {
    Utf8(usize),
    Parse(Arc<perfcounter::Error>),
}

impl SchemaFault {
    fn kind(&self) -> AsokErrorKind {
        match self {
            SchemaFault::Utf8(offset) => AsokErrorKind::Utf8 { offset: *offset },
            SchemaFault::Parse(e) => AsokErrorKind::Parse(Arc::clone(e)),
        }
    }
}

/// A schema reply, parsed.
fn parse_schema(doc: &[u8]) -> Result<Schema<'_>, SchemaFault> {
    let text = std::str::from_utf8(doc).map_err(|e| SchemaFault::Utf8(e.valid_up_to()))?;
    Schema::parse(text).map_err(|e| SchemaFault::Parse(Arc::new(e)))
}

/// Distinct schema documents. A handful per host (one per daemon type and version), so a
/// new document is compared with those of its length byte for byte, which costs less than
/// hashing it.
#[derive(Debug, Default)]
struct Distinct {
    docs: Vec<Vec<u8>>,
}

impl Distinct {
    fn index(&mut self, doc: Vec<u8>) -> usize {
        if let Some(i) = self.docs.iter().position(|d| *d == doc) {
            return i;
        }
        self.docs.push(doc);
        self.docs.len() - 1
    }
}

/// Runs `f` on every target with `workers` threads; results in target order.
fn pool<T, R, F>(targets: &[T], workers: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let run = || {
            let mut got = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = targets.get(i) else { break };
                got.push((i, f(t)));
            }
            got
        };
        let handles: Vec<_> = (1..workers).map(|_| scope.spawn(run)).collect();
        let mut parts = vec![run()];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        parts
    });
    let mut all: Vec<(usize, R)> = parts.iter_mut().flat_map(std::mem::take).collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// The sockets of `dir`, sorted by file name.
fn scan(dir: &Path) -> std::io::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(file) = entry.file_name().into_string() else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".asok") else {
            continue;
        };
        if stem.is_empty() || file.contains("mgr") || file.contains("ceph-exporter") {
            continue;
        }
        let daemon = daemon_name(stem).to_owned();
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        targets.push(Target {
            path: entry.path(),
            file,
            daemon,
            modified,
        });
    }
    targets.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(targets)
}

/// The daemon's name from a socket's file stem: without the `ceph-` (cluster) and `client.`
/// prefixes.
fn daemon_name(stem: &str) -> &str {
    let name = stem.strip_prefix("ceph-").unwrap_or(stem);
    name.strip_prefix("client.").unwrap_or(name)
}

/// `ceph_daemon_socket_up` for every socket, `ceph_asok_scrape_success` and
/// `ceph_asok_scrape_duration_seconds` for every daemon that is not missing.
fn health_families(daemons: &[DaemonScrape]) -> [MetricFamily<'static>; 3] {
    let mut up = MetricFamily::new("ceph_daemon_socket_up", MetricType::Gauge)
        .with_help("Whether a daemon listens on its admin socket (0: the daemon is not running)");
    let mut success = MetricFamily::new("ceph_asok_scrape_success", MetricType::Gauge)
        .with_help("Whether the daemon's perf counters were read from its admin socket");
    let mut duration = MetricFamily::new("ceph_asok_scrape_duration_seconds", MetricType::Gauge)
        .with_help("Time spent reading the daemon's perf counters from its admin socket");
    for d in daemons {
        let labels = || vec![Label::new("ceph_daemon", d.daemon.clone())];
        let missing = matches!(d.status, ScrapeStatus::Missing(_));
        up.metrics
            .push(Metric::scalar(labels(), Value::U64(u64::from(!missing))));
        if missing {
            continue;
        }
        let ok = matches!(d.status, ScrapeStatus::Ok);
        success
            .metrics
            .push(Metric::scalar(labels(), Value::U64(u64::from(ok))));
        duration.metrics.push(Metric::scalar(
            labels(),
            Value::F64(d.duration.as_secs_f64()),
        ));
    }
    [up, success, duration]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_names() {
        for (stem, want) in [
            ("ceph-osd.0", "osd.0"),
            ("ceph-mds.a", "mds.a"),
            ("ceph-client.rgw.foo.1234", "rgw.foo.1234"),
            ("osd.3", "osd.3"),
        ] {
            assert_eq!(daemon_name(stem), want);
        }
    }

    #[test]
    fn json_objects() {
        for (reply, want) in [
            (&b"{}"[..], true),
            (b"  \n{\"a\":1}", true),
            (
                b"ERROR: (22) Invalid argument\nunknown command prefix counter dump\n",
                false,
            ),
            (b"", false),
            (b"[1]", false),
        ] {
            assert_eq!(is_json_object(reply), want);
        }
    }

    #[test]
    fn distinct_schemas() {
        let mut d = Distinct::default();
        assert_eq!(d.index(b"{\"a\":1}".to_vec()), 0);
        assert_eq!(d.index(b"{\"b\":1}".to_vec()), 1);
        assert_eq!(d.index(b"{\"a\":1}".to_vec()), 0);
        assert_eq!(d.docs.len(), 2);
    }
}
