//! The collector: reads the inputs, runs the module's collection steps for the detected
//! release, and assembles the families.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use expfmt::{FamilySet, FloatStyle, Format, Label, Metric, MetricFamily};

use crate::daemons::DaemonIndex;
use crate::health::HealthHistory;
use crate::perf::{PERF_SERVICES, perf_families};
use crate::pools::PgSummary;
use crate::spec::{StaticFamilies, Step, duration_specs, static_specs};
use crate::steps::{CLUSTER_INPUTS, Ctx, Docs, METHODS, PgCtx, Phase, inputs_time, skipped_steps};
use crate::{CollectError, FetchError, Release, Source};
use ceph_types::{Command, Request};
use perfcounter::{Flavor, Mapper, Priority};

/// What a [`ClusterCollector`] collects.
///
/// ```
/// use exporter::{CollectOptions, Release};
///
/// let options = CollectOptions::new().perf(false).release(Some(Release::Reef));
/// assert!(!options.perf_enabled());
/// assert_eq!(options.forced_release(), Some(Release::Reef));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CollectOptions {
    perf: bool,
    release: Option<Release>,
    threads: usize,
    durations: bool,
    input_health: bool,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            perf: true,
            release: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            durations: true,
            input_health: true,
        }
    }
}

impl CollectOptions {
    /// The defaults: perf counters included, release detected, every available core, collect
    /// durations reported.
    pub fn new() -> Self {
        CollectOptions::default()
    }

    /// Whether to include the daemons' perf-counter families (default `true`, as the module
    /// with `exclude_perf_counters=false`, the only behaviour before Reef). `false` matches the
    /// Reef module's default.
    #[must_use]
    pub fn perf(mut self, perf: bool) -> Self {
        self.perf = perf;
        self
    }

    /// Uses this release's family layout instead of the one detected from the dumps.
    #[must_use]
    pub fn release(mut self, release: Option<Release>) -> Self {
        self.release = release;
        self
    }

    /// The most threads to use (at least 1; default: the available parallelism).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Whether to report `ceph_prometheus_collect_duration_seconds_{sum,count}`, this
    /// collector's own time per module method (default `true`).
    #[must_use]
    pub fn durations(mut self, durations: bool) -> Self {
        self.durations = durations;
        self
    }

    /// Whether to report the per-input health series (default `true`), which the module does
    /// not have: `ceph_exporter_input_success{input}` (1 when the input was read and parsed
    /// without error, else 0) and `ceph_exporter_input_duration_seconds{input}` (the seconds
    /// spent reading and parsing it), one series each per input of the last collection. The
    /// `input` label is the command's file stem for cluster commands (`osd_dump`,
    /// `health_detail`, `pg_dump`) and `perf.<daemon>` (`perf.osd.0`) for a daemon's perf
    /// schema and dump together. A failed input shows as `0` while the families that need
    /// it are left out, so a partial outage is visible in Prometheus
    /// (`ceph_exporter_input_success == 0`).
    #[must_use]
    pub fn input_health(mut self, input_health: bool) -> Self {
        self.input_health = input_health;
        self
    }

    /// Whether the per-input health series are reported.
    pub fn input_health_enabled(&self) -> bool {
        self.input_health
    }

    /// Whether perf counters are included.
    pub fn perf_enabled(&self) -> bool {
        self.perf
    }

    /// The release forced with [`CollectOptions::release`].
    pub fn forced_release(&self) -> Option<Release> {
        self.release
    }

    /// The thread limit.
    pub fn thread_limit(&self) -> usize {
        self.threads
    }
}

/// The families of one collection, and the inputs that were left out.
#[derive(Debug)]
pub struct Collection {
    families: Vec<MetricFamily<'static>>,
    errors: Vec<CollectError>,
    release: Release,
    /// The collector's thread limit, for encoding.
    threads: usize,
}

impl Collection {
    /// The families, in the module's order, one per name.
    pub fn families(&self) -> &[MetricFamily<'static>] {
        &self.families
    }

    /// The families, to change before encoding: add a family of your own, drop one, relabel.
    pub fn families_mut(&mut self) -> &mut Vec<MetricFamily<'static>> {
        &mut self.families
    }

    /// The inputs that were missing or malformed; their families are not in
    /// [`Collection::families`].
    pub fn errors(&self) -> &[CollectError] {
        &self.errors
    }

    /// The release whose layout was used.
    pub fn release(&self) -> Release {
        self.release
    }

    /// The families and the errors.
    pub fn into_parts(self) -> (Vec<MetricFamily<'static>>, Vec<CollectError>) {
        (self.families, self.errors)
    }

    /// Writes the families to `out` in `format` with `style`: the same as
    /// [`Collection::encode_with`] of [`Encoding::new(format, style)`](crate::Encoding::new).
    ///
    /// # Errors
    ///
    /// The encoder's, for a name the format cannot carry (none of the module's names).
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        format: Format,
        style: FloatStyle,
    ) -> Result<(), expfmt::Error> {
        self.encode_with(out, crate::Encoding::new(format, style))
    }

    /// Writes the families to `out` as `encoding` says (`# EOF` included for OpenMetrics).
    /// With [`FloatStyle::Python`] every value is written as the module writes it, a float
    /// (`1.0`; integers above 2^53 round, as the module's `float()` does). Large text
    /// expositions are encoded on two threads when the collector may use them
    /// ([`expfmt::encode_parallel`]).
    ///
    /// # Errors
    ///
    /// The encoder's, for a name the format cannot carry (none of the module's names).
    pub fn encode_with(
        &self,
        out: &mut Vec<u8>,
        encoding: crate::Encoding,
    ) -> Result<(), expfmt::Error> {
        expfmt::encode_parallel(&encoding.builder(), &self.families, out, self.threads)
    }
}

/// Builds the cluster-level families of ceph-mgr's prometheus module, as the module of the
/// cluster's own release does, from a [`Source`] of Ceph's JSON documents.
///
/// One collection reads every input (a [`Request`](ceph_types::Request)), runs the module's collection steps (health, monitors,
/// managers, file systems, OSDs, pools, PGs, space, recovery, daemon health, perf counters)
/// and returns the families in the module's order. An input that is missing or malformed
/// leaves out only the families that need it, and is reported in [`Collection::errors`].
///
/// The release is read from the active manager's `ceph_version` (else any daemon's, else
/// `ceph versions`) and decides the layout:
///
/// | | Pacific, Quincy | Reef, Squid | Tentacle |
/// |---|---|---|---|
/// | `ceph_pool_objects_repaired` label | `poolid` | `pool_id` | `pool_id` |
/// | `ceph_cluster_by_class_*{device_class}` | – | yes | yes |
/// | `ceph_cluster_osd_blocklist_count` | – | yes | yes |
/// | `ceph_osd_{nearfull,full}_ratio`, pool `application` | – | – | yes |
/// | `ceph_rbd_image_metadata`, `ceph_smb_metadata`, `ceph_cephadm_daemon_status`, `ceph_hardware_*` | – | – | yes |
///
/// (Releases before Pacific get Pacific's layout. Pacific, Reef and Tentacle are checked
/// against the real 16.2.15, 18.2.7 and 20.2.4 modules run over live captures; Quincy and
/// Squid follow their neighbours' boundaries without a capture. The orchestrator families
/// are written empty, as the module leaves them on a cluster without cephadm.)
///
/// The collector keeps what the module keeps between collections: the health-check history
/// (`ceph_health_detail` reports cleared checks as `0`) and the accumulated collect durations.
///
/// ```
/// use exporter::{ClusterCollector, CollectOptions, MemoryDumps};
///
/// let dumps = MemoryDumps::new([
///     ("health_detail.json", &br#"{"status": "HEALTH_WARN", "checks": {"OSD_DOWN":
///         {"severity": "HEALTH_WARN", "summary": {"message": "1 osds down", "count": 1}}}}"#[..]),
/// ]);
/// let mut collector = ClusterCollector::new(CollectOptions::new().perf(false));
/// let collection = collector.collect(&dumps);
/// let status = collection.families().iter().find(|f| f.name == "ceph_health_status");
/// assert_eq!(status.map(|f| f.metrics.len()), Some(1));
/// // Everything else is missing from these dumps, and reported.
/// assert!(collection.errors().iter().any(|e| e.is_missing()));
/// assert!(collection.families().iter().all(|f| f.name != "ceph_osd_up"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClusterCollector {
    options: CollectOptions,
    pub(crate) history: HealthHistory,
    pub(crate) slow_ops_dropped: bool,
    /// Accumulated seconds and count per module method.
    durations: HashMap<&'static str, (f64, u64)>,
}

/// The module's profiled methods, in the order it reports their durations.
const PROFILED: [&str; 13] = [
    "get_health",
    "get_pool_stats",
    "set_cephadm_daemon_status_metrics",
    "get_df",
    "get_osd_blocklisted_entries",
    "get_fs",
    "get_quorum_status",
    "get_mgr_status",
    "get_pg_status",
    "get_osd_stats",
    "get_metadata_and_osd_status",
    "get_num_objects",
    "get_smb_metadata",
];

/// Whether the collector does without `request` when a source does not have it: perf files
/// of a daemon that was down, `service dump`, `versions`.
fn is_optional(request: &Request) -> bool {
    request.daemon_name().is_some()
        || matches!(request.command(), Command::ServiceDump | Command::Versions)
}

/// The errors of one collection so far, and the time spent on each input it read.
#[derive(Debug, Default)]
pub(crate) struct Log {
    pub(crate) errors: Vec<CollectError>,
    /// Each input read, with the time spent reading and parsing it, in reading order.
    pub(crate) took: Vec<(Request, Duration)>,
}

impl Log {
    pub(crate) fn push(&mut self, e: CollectError) {
        self.errors.push(e);
    }

    fn extend(&mut self, errors: impl IntoIterator<Item = CollectError>) {
        self.errors.extend(errors);
    }

    /// Adds `d` to the time spent on `input`.
    pub(crate) fn time(&mut self, input: &Request, d: Duration) {
        match self.took.iter_mut().find(|(r, _)| r == input) {
            Some((_, t)) => *t += d,
            None => self.took.push((input.clone(), d)),
        }
    }
}

/// Reads and checks one cluster input as text.
fn fetch_text(source: &dyn Source, command: Command, errors: &mut Log) -> Option<String> {
    let input = &Request::cluster(command);
    let start = Instant::now();
    let fetched = source.fetch(input);
    if !matches!(fetched, Err(FetchError::NotFound) if is_optional(input)) {
        errors.time(input, start.elapsed());
    }
    match fetched {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                errors.push(CollectError::Utf8 {
                    input: input.clone(),
                    origin: source.origin(input),
                    offset: e.utf8_error().valid_up_to(),
                });
                None
            }
        },
        Err(FetchError::NotFound) if is_optional(input) => None,
        Err(e) => {
            errors.push(CollectError::Fetch {
                input: input.clone(),
                origin: source.origin(input),
                source: e,
            });
            None
        }
    }
}

/// Parses `text` with `parse`, reporting a failure against `input`.
pub(crate) fn parse<'a, T>(
    source: &dyn Source,
    command: Command,
    text: Option<&'a str>,
    errors: &mut Log,
    parse: impl FnOnce(&'a str) -> Result<T, ceph_types::Error>,
) -> Option<T> {
    let start = Instant::now();
    let parsed = parse(text?);
    let input = &Request::cluster(command);
    errors.time(input, start.elapsed());
    match parsed {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(CollectError::Parse {
                input: input.clone(),
                origin: source.origin(input),
                source: e,
            });
            None
        }
    }
}

/// The PG map, read in one pass per PG input and aggregated, with the time it took.
fn load_pg(source: &dyn Source) -> (Option<PgSummary>, Log, Duration) {
    let start = Instant::now();
    let mut summary = PgSummary::default();
    let mut errors = Log::default();
    for input in source.pg_inputs() {
        let t = Instant::now();
        let origin = || source.origin(&input);
        let result = match source.open(&input) {
            Ok(reader) => crate::pools::summarize(input.command(), reader).map_err(|e| match e {
                ceph_types::Error::Read { source, .. } => CollectError::Fetch {
                    origin: origin(),
                    input: input.clone(),
                    source: FetchError::Io(source),
                },
                ceph_types::Error::Stream { offset, reason, .. } => CollectError::Syntax {
                    origin: origin(),
                    input: input.clone(),
                    offset,
                    reason,
                },
                other => CollectError::Parse {
                    origin: origin(),
                    input: input.clone(),
                    source: other,
                },
            }),
            Err(e) => Err(CollectError::Fetch {
                origin: origin(),
                input: input.clone(),
                source: e,
            }),
        };
        errors.time(&input, t.elapsed());
        match result {
            Ok(part) => summary.merge(part),
            Err(e) => errors.push(e),
        }
    }
    let summary = errors.errors.is_empty().then_some(summary);
    (summary, errors, start.elapsed())
}

impl ClusterCollector {
    /// A collector with `options` and an empty health history.
    pub fn new(options: CollectOptions) -> Self {
        ClusterCollector {
            options,
            ..ClusterCollector::default()
        }
    }

    /// The options.
    pub fn options(&self) -> &CollectOptions {
        &self.options
    }

    /// The health-check history kept between collections.
    pub fn health_history(&self) -> &HealthHistory {
        &self.history
    }

    /// Collects every family from `source`.
    pub fn collect(&mut self, source: &dyn Source) -> Collection {
        let threads = self.options.threads;
        std::thread::scope(|scope| {
            // The PG map is by far the largest document: read and aggregate it on its own
            // thread while everything else is read here.
            let pg_thread = (threads > 1).then(|| scope.spawn(move || load_pg(source)));
            let mut run = Run::new(source);
            // The perf counters use every thread: while the PG thread runs, the system shares
            // the cores, and once it is done the perf threads have them all.
            let release = run.cluster(self, threads);
            let (pg, pg_errors, pg_time) = match pg_thread {
                Some(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                None => load_pg(source),
            };
            run.errors.extend(pg_errors.errors);
            run.errors.took.extend(pg_errors.took);
            run.finish(self, release, pg, pg_time)
        })
    }
}

/// The health document's status and its checks' name, severity and summary message.
pub(crate) type OwnedHealth = (String, Vec<(String, String, String)>);

/// One collection in progress: the documents read so far and what failed.
struct Run<'s> {
    source: &'s dyn Source,
    errors: Log,
    times: HashMap<&'static str, Duration>,
    families: Option<StaticFamilies>,
    perf: Vec<MetricFamily<'static>>,
    /// The health document's status and checks (name, severity, message), for the daemon
    /// health step that runs once the PG map is in.
    health: Option<OwnedHealth>,
    /// Every daemon's type and id, in `list_servers()` order.
    daemon_names: Vec<(String, String)>,
}

impl<'s> Run<'s> {
    fn new(source: &'s dyn Source) -> Self {
        Run {
            source,
            errors: Log::default(),
            times: HashMap::new(),
            families: None,
            perf: Vec::new(),
            health: None,
            daemon_names: Vec::new(),
        }
    }

    /// Everything but the PG map: the cluster inputs, the `Cluster` methods of [`METHODS`] and
    /// the perf counters; returns the release used.
    fn cluster(&mut self, c: &mut ClusterCollector, perf_threads: usize) -> Release {
        let src = self.source;
        let texts: Vec<Option<String>> = CLUSTER_INPUTS
            .iter()
            .map(|&command| fetch_text(src, command, &mut self.errors))
            .collect();
        let docs = Docs::parse(src, &texts, &mut self.errors);
        // Daemon metadata: the mgr's DaemonStateIndex.
        let t = Instant::now();
        let index = DaemonIndex::new(
            &[
                ("mon", docs.mon_md.as_ref().map_or(&[], |m| &m.daemons[..])),
                ("mgr", docs.mgr_md.as_ref().map_or(&[], |m| &m.daemons[..])),
                ("mds", docs.mds_md.as_ref().map_or(&[], |m| &m.daemons[..])),
            ],
            docs.osd_md.as_ref().map_or(&[], |m| &m.osds[..]),
            docs.services.as_ref(),
        );
        let release = match c.options.release {
            Some(r) => r,
            None => detect_release(
                docs.mgr_dump
                    .as_ref()
                    .and_then(|m| m.active_name.as_deref()),
                &index,
                docs.versions.as_ref(),
            )
            .unwrap_or_else(|| {
                self.errors.push(CollectError::UnknownRelease {
                    used: Release::newest(),
                });
                Release::newest()
            }),
        };
        *self.times.entry("get_metadata_and_osd_status").or_default() += t.elapsed();
        let mut out = StaticFamilies::new(static_specs(release));
        let mut ctx = Ctx {
            src,
            docs: &docs,
            index: &index,
            release,
            out: &mut out,
            collector: c,
            log: &mut self.errors,
            health: &mut self.health,
        };
        for method in &METHODS {
            let Phase::Cluster(run) = method.run else {
                continue;
            };
            let t = Instant::now();
            run(&mut ctx);
            let took = t.elapsed() + inputs_time(method, ctx.log);
            *self.times.entry(method.name).or_default() += took;
        }
        let c = ctx.collector;

        // Perf counters, for the daemons of list_servers() whose type the module exports.
        self.daemon_names = index
            .iter()
            .map(|d| (d.kind.to_owned(), d.id.to_string()))
            .collect();
        if c.options.perf {
            let names: Vec<String> = index
                .iter()
                .filter(|d| PERF_SERVICES.contains(&d.kind))
                .map(crate::daemons::Daemon::name)
                .collect();
            let mapper = Mapper::builder()
                .flavor(Flavor::Mgr)
                .min_priority(Priority::USEFUL)
                .build();
            let (perf, perf_errors, perf_took) = perf_families(src, &names, mapper, perf_threads);
            self.perf = perf;
            self.errors.extend(perf_errors);
            self.errors.took.extend(perf_took);
        }
        self.families = Some(out);
        release
    }

    /// The PG steps, daemon health, and the assembly.
    fn finish(
        mut self,
        c: &mut ClusterCollector,
        release: Release,
        pg: Option<PgSummary>,
        pg_time: Duration,
    ) -> Collection {
        let mut out = self
            .families
            .take()
            .unwrap_or_else(|| StaticFamilies::new(Vec::new()));
        if let Some(pg) = &pg {
            let mut ctx = PgCtx {
                pg,
                out: &mut out,
                health: self.health.as_ref(),
                daemon_names: &self.daemon_names,
            };
            for method in &METHODS {
                let Phase::Pg(run) = method.run else {
                    continue;
                };
                let t = Instant::now();
                run(&mut ctx);
                if !method.name.is_empty() {
                    *self.times.entry(method.name).or_default() += t.elapsed();
                }
            }
        }
        *self.times.entry("get_pg_status").or_default() += pg_time;

        // Which steps lost an input.
        let failed: Vec<Command> = self
            .errors
            .errors
            .iter()
            .filter_map(CollectError::input)
            .filter(|r| r.daemon_name().is_none())
            .map(Request::command)
            .collect();
        let mut skipped = skipped_steps(&failed);
        if c.slow_ops_dropped {
            out.remove("ceph_healthcheck_slow_ops");
        }
        if !c.options.durations {
            skipped.push(Step::Durations);
        }
        let mut set = FamilySet::new();
        for f in out.into_families(&skipped) {
            // Static names are unique.
            let _ = set.insert(f);
        }
        for f in std::mem::take(&mut self.perf) {
            let name = f.name.to_string();
            if let Err(source) = set.insert(f) {
                self.errors.push(CollectError::Clash { name, source });
            }
        }
        if c.options.durations {
            for method in PROFILED {
                if method == "get_osd_blocklisted_entries"
                    && !crate::layout::has_reef_families(release)
                {
                    continue;
                }
                if matches!(
                    method,
                    "set_cephadm_daemon_status_metrics" | "get_smb_metadata"
                ) && !crate::layout::has_tentacle_families(release)
                {
                    continue;
                }
                if let Some(d) = self.times.get(method) {
                    let e = c.durations.entry(method).or_default();
                    e.0 += d.as_secs_f64();
                    e.1 += 1;
                }
            }
            let mut durations = StaticFamilies::new(duration_specs().to_vec());
            for method in PROFILED {
                if let Some((sum, count)) = c.durations.get(method) {
                    let label = || [std::borrow::Cow::Borrowed(method)];
                    durations.push(
                        "ceph_prometheus_collect_duration_seconds_sum",
                        label(),
                        *sum,
                    );
                    durations.push(
                        "ceph_prometheus_collect_duration_seconds_count",
                        label(),
                        *count,
                    );
                }
            }
            for f in durations.into_families(&[]) {
                let _ = set.insert(f);
            }
        }
        if c.options.input_health {
            for f in input_health(&self.errors) {
                let name = f.name.to_string();
                if let Err(source) = set.insert(f) {
                    self.errors.push(CollectError::Clash { name, source });
                }
            }
        }
        Collection {
            families: set.into_families(),
            errors: self.errors.errors,
            release,
            threads: c.options.threads,
        }
    }
}

/// The name of the per-input health series' success family.
pub(crate) const INPUT_SUCCESS: &str = "ceph_exporter_input_success";
/// The name of the per-input health series' duration family.
pub(crate) const INPUT_DURATION: &str = "ceph_exporter_input_duration_seconds";

/// The `input` label of a request: the file stem of a cluster command (`osd_dump`,
/// `pg_dump_sum`), or `perf.<daemon>` for a daemon's perf schema and dump together.
fn input_label(r: &Request) -> String {
    match (r.daemon_name(), r.pool_name()) {
        (Some(d), _) => format!("perf.{d}"),
        (None, Some(p)) => format!("{}.{p}", r.command().file_stem()),
        (None, None) => r.command().file_stem().to_owned(),
    }
}

/// `ceph_exporter_input_success` and `ceph_exporter_input_duration_seconds`: for every input
/// read (and every input that failed), whether it was read and parsed without error and the
/// seconds spent on it. An optional input the source does not have (a down daemon's perf
/// files, `service dump`, `versions`) has no series.
fn input_health(log: &Log) -> [MetricFamily<'static>; 2] {
    let mut inputs: Vec<(String, bool, f64)> = Vec::new();
    fn entry(inputs: &mut Vec<(String, bool, f64)>, label: String) -> usize {
        match inputs.iter().position(|(l, _, _)| *l == label) {
            Some(i) => i,
            None => {
                inputs.push((label, true, 0.0));
                inputs.len() - 1
            }
        }
    }
    for (r, d) in &log.took {
        let i = entry(&mut inputs, input_label(r));
        inputs[i].2 += d.as_secs_f64();
    }
    for r in log.errors.iter().filter_map(CollectError::input) {
        let i = entry(&mut inputs, input_label(r));
        inputs[i].1 = false;
    }
    let mut success = MetricFamily::new(INPUT_SUCCESS, expfmt::MetricType::Gauge).with_help(
        "Whether the last collection read and parsed this input without error (1) or not (0)",
    );
    let mut duration = MetricFamily::new(INPUT_DURATION, expfmt::MetricType::Gauge)
        .with_help("Seconds the last collection spent reading and parsing this input");
    for (label, ok, secs) in inputs {
        success.metrics.push(Metric::scalar(
            vec![Label::new("input", label.clone())],
            u64::from(ok),
        ));
        duration
            .metrics
            .push(Metric::scalar(vec![Label::new("input", label)], secs));
    }
    [success, duration]
}

/// The release of the active manager, else of any manager, else the newest in `ceph
/// versions`, else the newest of any daemon.
fn detect_release(
    active_mgr: Option<&str>,
    index: &DaemonIndex<'_>,
    versions: Option<&ceph_types::Versions<'_>>,
) -> Option<Release> {
    let of = |kind: &str| {
        index
            .iter()
            .filter(|d| d.kind == kind)
            .filter_map(|d| {
                d.metadata
                    .get("ceph_version")
                    .and_then(Release::from_version)
            })
            .max()
    };
    if let Some(r) = active_mgr
        .and_then(|name| index.metadata("mgr", name))
        .and_then(|m| m.get("ceph_version"))
        .and_then(Release::from_version)
    {
        return Some(r);
    }
    if let Some(r) = of("mgr") {
        return Some(r);
    }
    if let Some(v) = versions {
        for kind in ["mgr", "overall"] {
            if let Some(r) = v
                .by_type
                .get(kind)
                .and_then(|m| m.keys().filter_map(Release::from_version).max())
            {
                return Some(r);
            }
        }
    }
    index
        .iter()
        .filter_map(|d| {
            d.metadata
                .get("ceph_version")
                .and_then(Release::from_version)
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryDumps;
    use expfmt::{MetricValue, Value};

    fn md(
        id: &str,
        host: &'static str,
        version: &'static str,
    ) -> ceph_types::DaemonMetadata<'static> {
        crate::daemons::md(id, &[("hostname", host), ("ceph_version", version)])
    }

    const PACIFIC: &str = "ceph version 16.2.15 (618f44) pacific (stable)";
    const REEF: &str = "ceph version 18.2.7 (6b0e98) reef (stable)";

    #[test]
    fn release_detection_order() {
        let versions = ceph_types::Versions::parse(
            r#"{"mgr": {"ceph version 17.2.7 (x) quincy (stable)": 1},
                "overall": {"ceph version 19.2.0 (x) squid (stable)": 3}}"#,
        )
        .unwrap();
        let only_overall = ceph_types::Versions::parse(
            r#"{"overall": {"ceph version 19.2.0 (x) squid (stable)": 3}}"#,
        )
        .unwrap();
        let mgrs = [md("x", "h", REEF), md("y", "h", PACIFIC)];
        let osds = [md("0", "h", PACIFIC)];
        /// Active manager, manager metadata, `ceph versions`, the release found.
        type Case<'a> = (
            Option<&'a str>,
            &'a [ceph_types::DaemonMetadata<'a>],
            Option<&'a ceph_types::Versions<'a>>,
            Option<Release>,
        );
        let cases: [Case<'_>; 6] = [
            // The active manager's own version wins.
            (Some("y"), &mgrs, Some(&versions), Some(Release::Pacific)),
            (Some("x"), &mgrs, None, Some(Release::Reef)),
            // Else the newest manager.
            (None, &mgrs, None, Some(Release::Reef)),
            // Else `ceph versions`: managers, then overall.
            (None, &[], Some(&versions), Some(Release::Quincy)),
            (None, &[], Some(&only_overall), Some(Release::Squid)),
            // Else nothing.
            (None, &[], None, None),
        ];
        for (active, mgr_list, v, want) in cases {
            let index = DaemonIndex::new(&[("mgr", mgr_list), ("osd", &osds[..0])], &[], None);
            assert_eq!(detect_release(active, &index, v), want, "{active:?}");
        }
        let index = DaemonIndex::new(&[("osd", &osds)], &[], None);
        assert_eq!(detect_release(None, &index, None), Some(Release::Pacific));
    }

    fn family<'c>(c: &'c Collection, name: &str) -> Option<&'c MetricFamily<'static>> {
        c.families().iter().find(|f| f.name == name)
    }

    #[test]
    fn history_and_durations_persist_between_collections() {
        let warn = br#"{"status": "HEALTH_WARN", "checks": {"PG_AVAILABILITY":
            {"severity": "HEALTH_WARN", "summary": {"message": "x"}}}}"#;
        let ok = br#"{"status": "HEALTH_OK", "checks": {}}"#;
        let mgr = br#"[{"name": "x", "hostname": "h",
            "ceph_version": "ceph version 18.2.7 (6b0e98) reef (stable)"}]"#;
        let mut c = ClusterCollector::new(CollectOptions::new().perf(false).threads(1));
        let first = MemoryDumps::new([
            ("health_detail.json", &warn[..]),
            ("mgr_metadata.json", &mgr[..]),
        ]);
        let second = MemoryDumps::new([
            ("health_detail.json", &ok[..]),
            ("mgr_metadata.json", &mgr[..]),
        ]);
        c.collect(&first);
        let coll = c.collect(&second);
        assert_eq!(coll.release(), Release::Reef);
        let detail = family(&coll, "ceph_health_detail").unwrap();
        assert_eq!(detail.metrics.len(), 1);
        assert_eq!(detail.metrics[0].value, MetricValue::Scalar(Value::U64(0)));
        let count = family(&coll, "ceph_prometheus_collect_duration_seconds_count").unwrap();
        let health = count
            .metrics
            .iter()
            .find(|m| m.labels[0].value == "get_health")
            .unwrap();
        assert_eq!(health.value, MetricValue::Scalar(Value::U64(2)));
        assert_eq!(c.health_history().len(), 1);
        // Inputs that were not there: their families are left out, each reported once.
        assert!(family(&coll, "ceph_osd_up").is_none());
        assert!(family(&coll, "ceph_pg_total").is_none());
        let missing: Vec<String> = coll
            .errors()
            .iter()
            .filter(|e| e.is_missing())
            .filter_map(|e| e.input().map(ToString::to_string))
            .collect();
        for want in ["osd dump", "pg dump", "df detail", "mon metadata"] {
            assert!(missing.iter().any(|m| m == want), "{want} in {missing:?}");
        }
    }

    #[test]
    fn the_step_table_covers_every_step_once() {
        let mut steps: Vec<Step> = METHODS
            .iter()
            .flat_map(|m| m.steps.iter().map(|(s, _)| *s))
            .collect();
        let n = steps.len();
        steps.sort();
        steps.dedup();
        assert_eq!(steps.len(), n, "a step is in two methods");
        // Every step but the durations (this collector's own) belongs to a method.
        assert_eq!(n, 19);
        // Every profiled method is in the table.
        for name in PROFILED {
            assert!(METHODS.iter().any(|m| m.name == name), "{name}");
        }
        // Failed inputs drop exactly the steps that need them.
        let cases: [(&[Command], &[Step]); 4] = [
            (&[], &[]),
            (&[Command::DfDetail], &[Step::Df]),
            (
                &[Command::OsdDump],
                &[
                    Step::Blocklist,
                    Step::OsdMap,
                    Step::OsdMetadata,
                    Step::RbdImages,
                ],
            ),
            (
                &[Command::PgDumpSum],
                &[
                    Step::PgStatus,
                    Step::OsdStats,
                    Step::Repaired,
                    Step::NumObjects,
                    Step::DaemonHealth,
                ],
            ),
        ];
        for (failed, want) in cases {
            assert_eq!(skipped_steps(failed), want, "{failed:?}");
        }
    }

    #[test]
    fn escaped_metadata_strings_are_read_not_skipped() {
        // Regression: the exporter's own metadata reader borrowed `&str` and skipped every
        // escaped value, so a hostname written with an escape lost its daemon's host label.
        let mon_md = br#"[{"name": "a", "hostname": "node-1",
            "ceph_version": "ceph version 18.2.7 (x) reef (stable)"}]"#;
        let mon_status = br#"{"name": "a", "rank": 0, "state": "leader", "election_epoch": 3,
            "quorum": [0], "monmap": {"epoch": 1, "fsid": "f", "modified": "m", "created": "c",
            "mons": [{"rank": 0, "name": "a", "public_addr": "10.0.0.1:6789/0"}]}}"#;
        let dumps = MemoryDumps::new([
            ("mon_metadata.json", &mon_md[..]),
            ("mon_status.mon.a.json", &mon_status[..]),
        ]);
        let coll = ClusterCollector::new(CollectOptions::new().perf(false)).collect(&dumps);
        assert_eq!(coll.release(), Release::Reef);
        let md =
            family(&coll, "ceph_mon_metadata").unwrap_or_else(|| panic!("{:?}", coll.errors()));
        let host = md.metrics[0]
            .labels
            .iter()
            .find(|l| l.name == "hostname")
            .map(|l| l.value.to_string());
        assert_eq!(host.as_deref(), Some("node-1"));
    }

    /// The files of capture `name` in `testdata/ceph/`, with `replace` swapped in.
    fn capture(name: &str, replace: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        let replace: Vec<(&str, Option<&str>)> =
            replace.iter().map(|(n, t)| (*n, Some(*t))).collect();
        crate::testutil::capture(name, &replace)
    }

    /// The value of `family{input="label"}`.
    fn input_value(c: &Collection, family_name: &str, label: &str) -> Option<f64> {
        family(c, family_name)?
            .metrics
            .iter()
            .find(|m| m.labels[0].value == label)
            .map(|m| match m.value {
                MetricValue::Scalar(v) => v.as_f64(),
                _ => f64::NAN,
            })
    }

    #[test]
    fn input_health_series() {
        // Input replaced, inputs whose success is 0, inputs whose success is 1, families gone.
        type Case<'a> = (
            &'a [(&'a str, &'a str)],
            &'a [&'a str],
            &'a [&'a str],
            &'a [&'a str],
        );
        let cases: [Case<'_>; 3] = [
            (
                &[],
                &[],
                &[
                    "osd_dump",
                    "pg_dump",
                    "mon_metadata",
                    "perf.osd.0",
                    "perf.mds.b",
                ],
                &[],
            ),
            (
                &[("osd_dump.json", "[1, 2]")],
                &["osd_dump"],
                &["pg_dump", "perf.osd.0"],
                &["ceph_osd_up", "ceph_osd_metadata"],
            ),
            (
                &[("pg_dump.json", "{\"pg_ready\": tru")],
                &["pg_dump"],
                &["osd_dump"],
                &["ceph_pg_total", "ceph_osd_apply_latency_ms"],
            ),
        ];
        for (replace, failed, ok, gone) in cases {
            let files = capture("18.2.7-healthy", replace);
            let dumps = MemoryDumps::new(files.iter().map(|(n, c)| (n.as_str(), c.as_slice())));
            let coll = ClusterCollector::new(CollectOptions::new().threads(2)).collect(&dumps);
            for label in failed {
                assert_eq!(
                    input_value(&coll, INPUT_SUCCESS, label),
                    Some(0.0),
                    "{label}"
                );
                assert!(
                    coll.errors()
                        .iter()
                        .any(|e| e.input().is_some_and(|r| input_label(r) == *label))
                );
            }
            for label in ok {
                assert_eq!(
                    input_value(&coll, INPUT_SUCCESS, label),
                    Some(1.0),
                    "{label}"
                );
                let secs = input_value(&coll, INPUT_DURATION, label).unwrap();
                assert!(secs > 0.0 && secs < 60.0, "{label}: {secs}");
            }
            for name in gone {
                assert!(family(&coll, name).is_none(), "{name}");
            }
            if failed.is_empty() {
                assert!(coll.errors().is_empty(), "{:?}", coll.errors());
            }
        }
        let coll = ClusterCollector::new(CollectOptions::new().input_health(false))
            .collect(&MemoryDumps::default());
        assert!(family(&coll, INPUT_SUCCESS).is_none());
    }

    #[test]
    fn empty_perf_dump_is_an_error_for_that_daemon() {
        // Regression (issue 12): a daemon's `perf dump` of `{}` silently dropped every counter.
        let files = capture("18.2.7-healthy", &[("perf_dump.osd.1.json", "{}")]);
        let dumps = MemoryDumps::new(files.iter().map(|(n, c)| (n.as_str(), c.as_slice())));
        let coll = ClusterCollector::new(CollectOptions::new()).collect(&dumps);
        let empty: Vec<&CollectError> = coll
            .errors()
            .iter()
            .filter(|e| matches!(e, CollectError::PerfEmpty { .. }))
            .collect();
        assert_eq!(empty.len(), 1, "{:?}", coll.errors());
        let CollectError::PerfEmpty {
            daemon,
            schema_counters,
            ..
        } = empty[0]
        else {
            unreachable!()
        };
        assert_eq!(daemon, "osd.1");
        assert!(*schema_counters > 100);
        assert!(empty[0].to_string().contains("osd.1"), "{}", empty[0]);
        assert_eq!(input_value(&coll, INPUT_SUCCESS, "perf.osd.1"), Some(0.0));
        assert_eq!(input_value(&coll, INPUT_SUCCESS, "perf.osd.0"), Some(1.0));
    }

    #[test]
    fn options_and_forced_release() {
        let o = CollectOptions::new()
            .threads(0)
            .durations(false)
            .release(Some(Release::Pacific));
        assert_eq!(o.thread_limit(), 1);
        let mut c = ClusterCollector::new(o);
        let coll = c.collect(&MemoryDumps::default());
        assert_eq!(coll.release(), Release::Pacific);
        assert!(family(&coll, "ceph_prometheus_collect_duration_seconds_sum").is_none());
        assert!(
            !coll
                .errors()
                .iter()
                .any(|e| matches!(e, CollectError::UnknownRelease { .. }))
        );
        let coll = ClusterCollector::new(CollectOptions::new()).collect(&MemoryDumps::default());
        assert_eq!(coll.release(), Release::newest());
        assert!(
            coll.errors()
                .iter()
                .any(|e| matches!(e, CollectError::UnknownRelease { .. }))
        );
    }

    #[test]
    fn two_thread_text_encoding_is_the_same_bytes() {
        let families: Vec<MetricFamily<'static>> = (0..60)
            .map(|f| {
                let mut fam = MetricFamily::new(format!("ceph_f{f}"), expfmt::MetricType::Gauge)
                    .with_help(format!("family {f}"));
                fam.metrics = (0..1000u64)
                    .map(|i| Metric::scalar(vec![Label::new("ceph_daemon", format!("osd.{i}"))], i))
                    .collect();
                fam
            })
            .collect();
        let encode = |threads| {
            let c = Collection {
                families: families.clone(),
                errors: Vec::new(),
                release: Release::Reef,
                threads,
            };
            let mut out = Vec::new();
            c.encode(&mut out, Format::Text, FloatStyle::Go).unwrap();
            out
        };
        let (one, two) = (encode(1), encode(2));
        assert!(one.len() > 1_000_000);
        assert!(one == two);
    }

    #[test]
    fn mgr_float_style_writes_every_value_as_a_float() {
        let ok = br#"{"status": "HEALTH_ERR", "checks": {}}"#;
        let coll = ClusterCollector::new(CollectOptions::new().release(Some(Release::Reef)))
            .collect(&MemoryDumps::new([("health_detail.json", &ok[..])]));
        let cases = [
            (
                Format::Text,
                FloatStyle::Python,
                "\nceph_health_status 2.0\n",
            ),
            (Format::Text, FloatStyle::Go, "\nceph_health_status 2\n"),
            (
                Format::OpenMetrics,
                FloatStyle::OpenMetrics,
                "\nceph_health_status 2\n",
            ),
        ];
        for (format, style, want) in cases {
            let mut out = Vec::new();
            coll.encode(&mut out, format, style).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains(want), "{style:?}: {text}");
        }
    }
}
