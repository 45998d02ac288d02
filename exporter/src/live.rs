//! Collection from a running cluster: every command of a collection is sent concurrently, each
//! with a deadline, before the collector reads the answers from a [`Snapshot`]; daemons that
//! are down keep their last perf counters the way the mgr keeps them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ceph_types::{Command, Request};

use crate::daemons::MonDoc;
use crate::epochs::{Epochs, Kept, follows};
use crate::workers::Workers;
use crate::{FetchError, Source};

/// Something that runs one Ceph command and returns its JSON answer: the `ceph` client
/// ([`crate::CephCli`]) or a library connection to the cluster.
///
/// A call may block; [`Live`] runs each call on a thread of its own and stops waiting for it
/// at the deadline (the call is abandoned, not cancelled: an implementation bounds its own
/// calls so that abandoned ones end soon after).
pub trait Commander: Send + Sync + std::fmt::Debug {
    /// The answer to `request`.
    ///
    /// # Errors
    ///
    /// Why there is no answer: [`FetchError::Timeout`], [`FetchError::Refused`],
    /// [`FetchError::NoConnection`], ...
    fn command(&self, request: &Request) -> Result<Vec<u8>, FetchError>;

    /// How the command is sent, for messages (a command line, or the JSON sent to a monitor).
    fn origin(&self, request: &Request) -> String;
}

impl Commander for crate::CephCli {
    fn command(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        Source::fetch(self, request)
    }

    fn origin(&self, request: &Request) -> String {
        Source::origin(self, request)
    }
}

/// `tell` through the admin sockets of the daemons on this host: a request to a daemon whose
/// socket `<dir>/<cluster>-<daemon>.asok` exists goes over the socket ([`crate::AdminSocket`]),
/// any other to the `fallback` commander (`ceph tell`). Sockets answer in about a millisecond
/// where a `ceph tell` child costs a few hundred of CPU.
///
/// ```
/// use std::sync::Arc;
/// use exporter::{AsokTell, CephCli, Commander};
/// use ceph_types::{Command, Request};
///
/// let tell = AsokTell::new("/var/run/ceph", Arc::new(CephCli::new()));
/// let r = Request::daemon(Command::PerfDump, "osd.0");
/// assert!(tell.origin(&r).ends_with("perf dump -f json")); // no socket here: the client
/// ```
#[derive(Debug, Clone)]
pub struct AsokTell {
    dir: std::path::PathBuf,
    cluster: String,
    timeout: Duration,
    fallback: Arc<dyn Commander>,
}

impl AsokTell {
    /// Sockets in `dir` of cluster `ceph`, with a 5 s deadline; others through `fallback`.
    pub fn new(dir: impl Into<std::path::PathBuf>, fallback: Arc<dyn Commander>) -> AsokTell {
        AsokTell {
            dir: dir.into(),
            cluster: "ceph".to_owned(),
            timeout: DEFAULT_TIMEOUT,
            fallback,
        }
    }

    /// The deadline of one socket command.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> AsokTell {
        self.timeout = timeout;
        self
    }

    /// The socket of `request`'s daemon, if it exists.
    fn socket(&self, request: &Request) -> Option<std::path::PathBuf> {
        let daemon = request.daemon_name()?;
        let path = self.dir.join(format!("{}-{daemon}.asok", self.cluster));
        path.exists().then_some(path)
    }
}

impl Commander for AsokTell {
    fn command(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        let Some(path) = self.socket(request) else {
            return self.fallback.command(request);
        };
        crate::AdminSocket::new(path)
            .timeout(self.timeout)
            .command(request.command().as_str())
            .map_err(|e| {
                if e.is_timeout() {
                    FetchError::Timeout {
                        after: self.timeout,
                    }
                } else if e.is_missing() {
                    // A socket left behind by a stopped daemon.
                    FetchError::NotFound
                } else {
                    FetchError::Io(std::io::Error::other(e))
                }
            })
    }

    fn origin(&self, request: &Request) -> String {
        match self.socket(request) {
            Some(path) => format!("{} {}", path.display(), request.command()),
            None => self.fallback.origin(request),
        }
    }
}

/// Why there is no connection to the cluster.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The configuration file cannot be read.
    #[error("cannot read the configuration `{}`", path.display())]
    Conf {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The cluster refused the connection or none of its monitors answered (librados'
    /// message: a wrong key, no monitor reachable, ...).
    #[error("cannot connect with `{}`: {message}", conf.display())]
    Refused {
        /// The configuration file used.
        conf: std::path::PathBuf,
        /// librados' description of the failure.
        message: String,
    },
    /// Connecting took longer than the deadline (it goes on in the background).
    #[error("no connection with `{}` within {} s", conf.display(), after.as_secs_f64())]
    Timeout {
        /// The configuration file used.
        conf: std::path::PathBuf,
        /// The deadline.
        after: Duration,
    },
    /// No thread could be started to connect.
    #[error("cannot start the connecting thread")]
    Thread(#[source] std::io::Error),
}

/// The cluster commands of one collection, sent before the perf counters are asked for.
static CLUSTER: [Request; 16] = [
    Request::cluster(Command::HealthDetail),
    Request::cluster(Command::MonStatus),
    Request::cluster(Command::MgrDump),
    Request::cluster(Command::FsDump),
    Request::cluster(Command::OsdDump),
    Request::cluster(Command::OsdCrushDump),
    Request::cluster(Command::OsdMetadata),
    Request::cluster(Command::MonMetadata),
    Request::cluster(Command::MgrMetadata),
    Request::cluster(Command::MdsMetadata),
    Request::cluster(Command::ServiceDump),
    Request::cluster(Command::DfDetail),
    Request::cluster(Command::PgDumpBrief),
    Request::cluster(Command::PgDumpSum),
    Request::cluster(Command::OsdPoolStats),
    Request::cluster(Command::Versions),
];

/// A running cluster as a source of collections: [`Live::snapshot`] sends every command of
/// one collection concurrently and returns the answers as a [`Source`].
///
/// Cluster commands go to the `cluster` commander; the daemons' `perf schema`/`perf dump`
/// (the `tell` commands) to the `tell` commander, which is the same one unless
/// [`Live::tell_through`] says otherwise.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
/// use exporter::{CephCli, ClusterCollector, CollectOptions, Live};
///
/// let cli = CephCli::new().conf("/etc/ceph/ceph.conf").timeout(Duration::from_secs(5));
/// let mut live = Live::new(Arc::new(cli)).timeout(Duration::from_secs(5));
/// let mut collector = ClusterCollector::new(CollectOptions::default());
/// let snapshot = live.snapshot();
/// let collection = collector.collect(&snapshot);
/// println!("{} families", collection.families().len());
/// ```
#[derive(Debug)]
pub struct Live {
    cluster: Arc<dyn Commander>,
    tell: Arc<dyn Commander>,
    timeout: Duration,
    concurrency: usize,
    /// Whether the daemons' perf counters are asked for.
    perf: bool,
    /// The last perf schema and dump of every daemon that answered, by daemon name.
    retained: HashMap<String, Retained>,
    /// The longest a map document is reused while its epochs are unchanged; `None`: every
    /// document is asked at every collection.
    reuse: Option<Duration>,
    /// What is kept between snapshots besides the perf counters (boxed: a `Live` is moved
    /// around by value).
    memory: Box<Memory>,
}

/// What a [`Live`] keeps between snapshots besides the perf counters.
#[derive(Debug, Default)]
struct Memory {
    /// The map documents kept for reuse, by command.
    kept: HashMap<Command, Kept>,
    /// The daemons the last snapshot's maps listed as up, with their incarnations: their
    /// perf counters are asked alongside the first round of cluster commands.
    last_up: Vec<(String, String)>,
    /// The threads the commands run on, kept between snapshots.
    workers: Workers,
    /// The last maps read, with the documents they were read from.
    maps: Option<(MapDocs, Maps)>,
}

/// The documents [`Maps`] are read from (`osd dump`, `quorum_status`, `fs dump`, `versions`),
/// when all four were answered.
type MapDocs = [Arc<Vec<u8>>; 4];

/// A daemon's last answers.
#[derive(Debug, Default)]
struct Retained {
    /// The daemon's incarnation the schema is from (see [`Maps::up`]).
    incarnation: String,
    schema: Option<Arc<Vec<u8>>>,
    dump: Option<Arc<Vec<u8>>>,
}

/// The default deadline of one command.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default number of commands in flight at once.
const DEFAULT_CONCURRENCY: usize = 16;

/// The default longest reuse of a map document whose epochs are unchanged.
const DEFAULT_REUSE: Duration = Duration::from_secs(300);

impl Live {
    /// Collections from `cluster`, which also answers the `tell` commands.
    pub fn new(cluster: Arc<dyn Commander>) -> Live {
        Live {
            tell: cluster.clone(),
            cluster,
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
            perf: true,
            retained: HashMap::new(),
            reuse: Some(DEFAULT_REUSE),
            memory: Box::default(),
        }
    }

    /// Reuses the documents built only from the cluster's maps (`osd dump`, `osd crush dump`,
    /// the daemons' metadata, `fs dump`, `quorum_status`, `service dump`, `versions`) for as
    /// long as the epochs of their maps, read from one `ceph status` per collection, are
    /// unchanged, and at most `max_age` (default: 5 minutes); `None` asks for every document
    /// at every collection. A map change shows in the collection that first sees its new
    /// epoch. The rule per document and why it holds are in the crate's source
    /// (`epochs.rs`); [`Snapshot::reused`] lists what a snapshot reused.
    #[must_use]
    pub fn reuse_maps(mut self, max_age: Option<Duration>) -> Live {
        self.reuse = max_age;
        self.memory.kept.clear();
        self
    }

    /// Sends the daemons' `perf schema`/`perf dump` through `tell` instead.
    #[must_use]
    pub fn tell_through(mut self, tell: Arc<dyn Commander>) -> Live {
        self.tell = tell;
        self
    }

    /// The deadline of each command (default 5 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Live {
        self.timeout = timeout;
        self
    }

    /// The most commands in flight at once (at least 1; default 16).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Live {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Whether to ask the daemons for their perf counters (default: yes). Without, a
    /// snapshot holds the cluster commands only.
    #[must_use]
    pub fn perf(mut self, perf: bool) -> Live {
        self.perf = perf;
        self
    }

    /// The daemons whose last perf counters are kept, sorted.
    pub fn retained_daemons(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.retained.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Sends every command of one collection and returns the answers.
    ///
    /// Everything is asked concurrently, in as few rounds as the answers allow. The first
    /// round holds the cluster commands and the `perf dump` (and, for a new incarnation,
    /// `perf schema`) of every daemon the last snapshot found up; once the maps are in, a
    /// second round asks the daemons that came up or restarted since. A daemon that is down
    /// (an OSD marked down in the OSD map, a monitor out of quorum) is not asked, except once
    /// in the first round after it went down (its admin socket is gone by then: an immediate
    /// error; through `ceph tell`, up to one deadline); like a daemon whose `tell` failed, it
    /// keeps the counters of its last answer. The mgr does the same: it keeps a
    /// daemon's last report in its `DaemonStateIndex` and drops it only when the daemon leaves
    /// its map (`Mgr::handle_osd_map`, `handle_mon_map` and `handle_fs_map` in
    /// `src/mgr/Mgr.cc` call `daemon_state.cull(type, names_exist)` with the daemons that
    /// still exist; a down or out OSD is not culled). So a daemon that leaves its map here
    /// loses its counters.
    ///
    /// With [`Live::reuse_maps`] (the default), the first round's cluster commands are
    /// `status` and the documents that change without a map epoch (health, usage, PG map,
    /// `mgr dump`); the map documents whose epochs changed since they were last asked (none,
    /// usually) follow in a round of their own, and the others are reused.
    pub fn snapshot(&mut self) -> Snapshot {
        let start = Instant::now();
        let mut docs: HashMap<Request, Answer> = HashMap::new();
        let mut origins = HashMap::new();
        let first: Vec<Request> = match self.reuse {
            Some(_) => std::iter::once(STATUS.clone())
                .chain(
                    CLUSTER
                        .iter()
                        .filter(|r| follows(r.command()).is_empty())
                        .cloned(),
                )
                .collect(),
            None => CLUSTER.to_vec(),
        };
        // The perf counters of the daemons up at the last snapshot go with the first round.
        let early = if self.perf {
            self.perf_requests(&self.memory.last_up)
        } else {
            Vec::new()
        };
        let jobs: Vec<(&Arc<dyn Commander>, &Request)> = first
            .iter()
            .map(|r| (&self.cluster, r))
            .chain(early.iter().map(|(r, _)| (&self.tell, r)))
            .collect();
        let mut answers = run_all(
            &mut self.memory.workers,
            &jobs,
            self.concurrency,
            self.timeout,
        )
        .into_iter();
        let mut reachable = false;
        for (input, answer) in first.iter().zip(answers.by_ref()) {
            reachable |= answer.is_ok();
            origins.insert(input.clone(), self.cluster.origin(input));
            docs.insert(input.clone(), answer.map(Arc::new));
        }
        let early: Vec<_> = early.into_iter().zip(answers).collect();
        let reused = self.map_documents(&mut docs, &mut origins, reachable);
        let maps = self.maps(&docs);
        let cluster_time = start.elapsed();

        // The perf counters of the daemons the maps list as present and up. A schema changes
        // only when the daemon restarts: it is asked again only for a new incarnation. The
        // early answers of a daemon that restarted since the last snapshot are dropped, and
        // it is asked again with the daemons that came up.
        let incarnation = |d: &str| maps.up.iter().find(|(u, _)| u == d).map(|(_, i)| i);
        let mut perf_answers = Vec::with_capacity(early.len());
        let mut answered = HashSet::new();
        for ((input, inc), answer) in early {
            let Some(daemon) = perf_daemon(&input) else {
                continue;
            };
            if incarnation(daemon).is_some_and(|now| *now != inc) {
                continue;
            }
            answered.insert(daemon.to_owned());
            perf_answers.push((input, inc, answer));
        }
        let up: Vec<(String, String)> = maps
            .up
            .iter()
            .filter(|(d, _)| self.perf && !answered.contains(d))
            .cloned()
            .collect();
        let late = self.perf_requests(&up);
        let jobs: Vec<(&Arc<dyn Commander>, &Request)> =
            late.iter().map(|(r, _)| (&self.tell, r)).collect();
        let answers = run_all(
            &mut self.memory.workers,
            &jobs,
            self.concurrency,
            self.timeout,
        );
        perf_answers.extend(late.into_iter().zip(answers).map(|((r, i), a)| (r, i, a)));
        let mut failed = Vec::new();
        let mut fresh = HashSet::new();
        for (input, inc, answer) in perf_answers {
            origins.insert(input.clone(), self.tell.origin(&input));
            let Some(daemon) = perf_daemon(&input) else {
                continue;
            };
            match answer {
                Ok(bytes) => {
                    let entry = self.retained.entry(daemon.to_owned()).or_default();
                    let bytes = Some(Arc::new(bytes));
                    if input.command() == Command::PerfSchema {
                        entry.schema = bytes;
                        entry.incarnation = inc;
                    } else {
                        entry.dump = bytes;
                        fresh.insert(daemon.to_owned());
                    }
                }
                Err(e) => failed.push((input.clone(), e)),
            }
        }
        self.memory.last_up = maps.up.clone();
        // The image list of every `rbd` pool (20.2.4's `ceph_rbd_image_metadata`), from the
        // cluster commander (`rbd ls`); a commander that cannot list images (the librados
        // connection) answers `NotFound`, and the list is asked of the `tell` commander (the
        // `ceph` client's `rbd`) instead. Without an answer the family stays empty.
        let rbd: Vec<Request> = maps
            .rbd_pools
            .iter()
            .map(|p| Request::pool(Command::RbdLs, p.as_str()))
            .collect();
        let jobs: Vec<(&Arc<dyn Commander>, &Request)> =
            rbd.iter().map(|r| (&self.cluster, r)).collect();
        let mut answers = run_all(
            &mut self.memory.workers,
            &jobs,
            self.concurrency,
            self.timeout,
        );
        let mut by = vec![&self.cluster; rbd.len()];
        if !Arc::ptr_eq(&self.cluster, &self.tell) {
            let again: Vec<usize> = (0..rbd.len())
                .filter(|&i| matches!(answers[i], Err(FetchError::NotFound)))
                .collect();
            let jobs: Vec<(&Arc<dyn Commander>, &Request)> =
                again.iter().map(|&i| (&self.tell, &rbd[i])).collect();
            for (i, answer) in again.iter().zip(run_all(
                &mut self.memory.workers,
                &jobs,
                self.concurrency,
                self.timeout,
            )) {
                answers[*i] = answer;
                by[*i] = &self.tell;
            }
        }
        for ((input, answer), commander) in rbd.iter().zip(answers).zip(by) {
            origins.insert(input.clone(), commander.origin(input));
            docs.insert(input.clone(), answer.map(Arc::new));
        }
        // Cull the daemons that left their maps; keep everything while a map is unknown.
        if let Some(present) = &maps.present {
            self.retained.retain(|d, _| present.contains(d));
        }
        let mut retained_used = Vec::new();
        for (daemon, r) in &self.retained {
            let (Some(schema), Some(dump)) = (&r.schema, &r.dump) else {
                continue;
            };
            docs.insert(
                Request::daemon(Command::PerfSchema, daemon.as_str()),
                Ok(schema.clone()),
            );
            docs.insert(
                Request::daemon(Command::PerfDump, daemon.as_str()),
                Ok(dump.clone()),
            );
            let failed_now = failed.iter().any(|(i, _)| perf_daemon(i) == Some(daemon));
            if !fresh.contains(daemon) || failed_now {
                retained_used.push(daemon.clone());
            }
        }
        retained_used.sort_unstable();
        // A daemon without a retained answer whose `tell` failed: report why (it has no
        // perf series either way).
        let mut failed_tells = Vec::new();
        for (input, e) in failed {
            let Some(d) = perf_daemon(&input) else {
                continue;
            };
            let served = self
                .retained
                .get(d)
                .is_some_and(|r| r.schema.is_some() && r.dump.is_some());
            if !served {
                let origin = origins.get(&input).cloned().unwrap_or_default();
                failed_tells.push((input, origin, e));
            }
        }
        Snapshot {
            docs,
            origins,
            reachable,
            reused,
            retained: retained_used,
            failed_tells,
            cluster_time,
            total_time: start.elapsed(),
        }
    }
}

impl Live {
    /// The map documents missing from `docs` after the first round: reused where their
    /// epochs are unchanged, asked otherwise (unless the cluster did not answer the first
    /// round: then they fail with its first error). Returns the reused ones, in [`CLUSTER`]
    /// order.
    fn map_documents(
        &mut self,
        docs: &mut HashMap<Request, Answer>,
        origins: &mut HashMap<Request, String>,
        reachable: bool,
    ) -> Vec<Request> {
        let Some(max_age) = self.reuse else {
            return Vec::new();
        };
        let ok = |r: &Request| match docs.get(r) {
            Some(Ok(b)) => Some(b.as_slice()),
            _ => None,
        };
        let epochs = Epochs::read(ok(&STATUS), ok(&Request::cluster(Command::MgrDump)));
        let now = Instant::now();
        let mut reused = Vec::new();
        let mut ask = Vec::new();
        let missing: Vec<&Request> = CLUSTER.iter().filter(|r| !docs.contains_key(*r)).collect();
        for input in missing {
            let key = epochs.key(input.command());
            origins.insert(input.clone(), self.cluster.origin(input));
            match self.memory.kept.get(&input.command()) {
                Some(k) if k.reusable(key, now, max_age) => {
                    docs.insert(input.clone(), Ok(k.bytes.clone()));
                    reused.push(input.clone());
                }
                _ => ask.push((input.clone(), key)),
            }
        }
        if !reachable {
            let first = CLUSTER.iter().find_map(|i| match docs.get(i) {
                Some(Err(e)) => Some(e.duplicate()),
                _ => None,
            });
            for (input, _) in ask {
                let e = first
                    .as_ref()
                    .map_or(FetchError::NotFound, FetchError::duplicate);
                docs.insert(input, Err(e));
            }
            return reused;
        }
        let inputs: Vec<Request> = ask.iter().map(|(r, _)| r.clone()).collect();
        let jobs: Vec<(&Arc<dyn Commander>, &Request)> =
            inputs.iter().map(|r| (&self.cluster, r)).collect();
        let answers = run_all(
            &mut self.memory.workers,
            &jobs,
            self.concurrency,
            self.timeout,
        );
        let fetched = Instant::now();
        for ((input, key), answer) in ask.into_iter().zip(answers) {
            let answer = answer.map(Arc::new);
            match (&answer, key) {
                (Ok(bytes), Some(key)) => {
                    self.memory.kept.insert(
                        input.command(),
                        Kept {
                            key,
                            fetched,
                            bytes: bytes.clone(),
                        },
                    );
                }
                _ => {
                    self.memory.kept.remove(&input.command());
                }
            }
            docs.insert(input, answer);
        }
        reused
    }
}

impl Live {
    /// What the maps in `docs` say about the daemons; read again only when one of their
    /// documents is not the one read last time (a reused document is the same allocation).
    fn maps(&mut self, docs: &HashMap<Request, Answer>) -> Maps {
        let doc = |c: Command| match docs.get(&Request::cluster(c)) {
            Some(Ok(b)) => Some(b.clone()),
            _ => None,
        };
        let current = (|| {
            Some([
                doc(MAP_DOCS[0])?,
                doc(MAP_DOCS[1])?,
                doc(MAP_DOCS[2])?,
                doc(MAP_DOCS[3])?,
            ])
        })();
        if let (Some(now), Some((before, maps))) = (&current, &self.memory.maps)
            && now.iter().zip(before).all(|(a, b)| Arc::ptr_eq(a, b))
        {
            return maps.clone();
        }
        let maps = Maps::read(docs);
        self.memory.maps = current.map(|c| (c, maps.clone()));
        maps
    }

    /// `perf schema` (when the retained one is missing or from another incarnation) and
    /// `perf dump` for each daemon of `up`, each with the incarnation it is asked under.
    fn perf_requests(&self, up: &[(String, String)]) -> Vec<(Request, String)> {
        let mut inputs = Vec::with_capacity(up.len() * 2);
        for (daemon, incarnation) in up {
            let known = self.retained.get(daemon);
            if known.is_none_or(|r| r.schema.is_none() || r.incarnation != *incarnation) {
                inputs.push((
                    Request::daemon(Command::PerfSchema, daemon.as_str()),
                    incarnation.clone(),
                ));
            }
            inputs.push((
                Request::daemon(Command::PerfDump, daemon.as_str()),
                incarnation.clone(),
            ));
        }
        inputs
    }
}

/// The commands [`Maps`] are read from.
const MAP_DOCS: [Command; 4] = [
    Command::OsdDump,
    Command::MonStatus,
    Command::FsDump,
    Command::Versions,
];

/// `ceph status`: the map epochs that decide which documents are reused.
static STATUS: Request = Request::cluster(Command::Status);

/// The daemon a perf request is about.
fn perf_daemon(request: &Request) -> Option<&str> {
    request.daemon_name()
}

type Answer = Result<Arc<Vec<u8>>, FetchError>;

/// What the maps of one snapshot say about the daemons.
#[derive(Debug, Default, Clone)]
struct Maps {
    /// Daemons to ask for perf counters (OSDs up, monitors in quorum, MDS in the fs map),
    /// each with its incarnation: what changes when it restarts (an OSD's `up_from`, the
    /// monitors' `election_epoch`, an MDS's `gid`).
    up: Vec<(String, String)>,
    /// Every daemon in its map (up or down), when all three maps were read.
    present: Option<HashSet<String>>,
    /// The pools with the `rbd` application, when the active mgr runs a release whose module
    /// lists their images (`ceph_rbd_image_metadata`, 20.2.4).
    rbd_pools: Vec<String>,
}

impl Maps {
    fn read(docs: &HashMap<Request, Answer>) -> Maps {
        let text = |command: Command| -> Option<&str> {
            let bytes = docs.get(&Request::cluster(command))?.as_ref().ok()?;
            std::str::from_utf8(bytes).ok()
        };
        let mut maps = Maps::default();
        let mut present = HashSet::new();
        let mut known = 0;
        let osd_dump = text(Command::OsdDump).and_then(|t| ceph_types::OsdDump::parse(t).ok());
        if let Some(osd) = &osd_dump {
            known += 1;
            for o in &osd.osds {
                let name = format!("osd.{}", o.osd);
                if o.up {
                    let up_from = o.up_from.map_or_else(String::new, |e| e.to_string());
                    maps.up.push((name.clone(), up_from));
                }
                present.insert(name);
            }
        }
        if let Some(q) = text(Command::MonStatus).and_then(|t| MonDoc::parse(t).ok()) {
            known += 1;
            let (quorum, monmap, election_epoch) = match &q {
                MonDoc::Status(s) => (&s.quorum, &s.monmap, s.election_epoch),
                MonDoc::Quorum(q) => (&q.quorum, &q.monmap, q.election_epoch),
            };
            for m in &monmap.mons {
                let name = format!("mon.{}", m.name);
                if quorum.contains(&m.rank) {
                    maps.up.push((name.clone(), election_epoch.to_string()));
                }
                present.insert(name);
            }
        }
        if let Some(fs) = text(Command::FsDump).and_then(|t| ceph_types::FsDump::parse(t).ok()) {
            known += 1;
            let mds = fs
                .filesystems
                .iter()
                .flat_map(|f| f.mdsmap.info.values())
                .chain(&fs.standbys);
            for m in mds {
                let name = format!("mds.{}", m.name);
                if !present.contains(&name) {
                    maps.up.push((name.clone(), m.gid.to_string()));
                    present.insert(name);
                }
            }
        }
        if known == 3 {
            maps.present = Some(present);
        }
        let lists_images = text(Command::Versions)
            .and_then(|t| ceph_types::Versions::parse(t).ok())
            .and_then(|v| v.newest_release("mgr"))
            .is_some_and(|r| r >= ceph_types::Release::Tentacle);
        if let Some(osd) = osd_dump.as_ref().filter(|_| lists_images) {
            for p in &osd.pools {
                if p.applications().any(|a| a == "rbd") {
                    maps.rbd_pools.push(p.pool_name.to_string());
                }
            }
        }
        maps
    }
}

/// Runs each input through its commander, at most `limit` at once, each with `timeout`; the
/// answers in `jobs`' order. A call still running at its deadline is abandoned on its
/// thread and answered [`FetchError::Timeout`].
fn run_all(
    workers: &mut Workers,
    jobs: &[(&Arc<dyn Commander>, &Request)],
    limit: usize,
    timeout: Duration,
) -> Vec<Result<Vec<u8>, FetchError>> {
    let inputs = jobs;
    let mut results: Vec<Option<Result<Vec<u8>, FetchError>>> = Vec::new();
    results.resize_with(inputs.len(), || None);
    let (tx, rx) = mpsc::channel();
    // Running calls: index and deadline.
    let mut running: Vec<(usize, Instant)> = Vec::new();
    let mut next = 0;
    let mut done = 0;
    while done < inputs.len() {
        while running.len() < limit.max(1) && next < inputs.len() {
            let (c, input) = inputs[next];
            let (i, input, tx, c) = (next, input.clone(), tx.clone(), c.clone());
            let spawned = workers.submit(Box::new(move || {
                let _ = tx.send((i, c.command(&input)));
            }));
            match spawned {
                Ok(_) => running.push((i, Instant::now() + timeout)),
                Err(e) => {
                    results[i] = Some(Err(FetchError::Io(e)));
                    done += 1;
                }
            }
            next += 1;
        }
        let Some(&(_, first)) = running.iter().min_by_key(|(_, d)| *d) else {
            continue;
        };
        match rx.recv_timeout(first.saturating_duration_since(Instant::now())) {
            Ok((i, r)) => {
                if let Some(pos) = running.iter().position(|(j, _)| *j == i) {
                    running.swap_remove(pos);
                    results[i] = Some(r);
                    done += 1;
                }
            }
            Err(_) => {
                let now = Instant::now();
                running.retain(|&(i, d)| {
                    if d <= now {
                        results[i] = Some(Err(FetchError::Timeout { after: timeout }));
                        done += 1;
                        false
                    } else {
                        true
                    }
                });
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(Err(FetchError::NotFound)))
        .collect()
}

/// The answers of one collection's commands, as a [`Source`].
#[derive(Debug)]
pub struct Snapshot {
    docs: HashMap<Request, Answer>,
    origins: HashMap<Request, String>,
    reachable: bool,
    reused: Vec<Request>,
    retained: Vec<String>,
    failed_tells: Vec<(Request, String, FetchError)>,
    cluster_time: Duration,
    total_time: Duration,
}

impl Snapshot {
    /// Whether any cluster command was answered. When none was, the cluster is unreachable
    /// (no monitor, wrong key, ...) and a server keeps its previous collection.
    pub fn reachable(&self) -> bool {
        self.reachable
    }

    /// The cluster commands whose answer is reused from an earlier collection because the
    /// epochs of the maps it is built from are unchanged ([`Live::reuse_maps`]), in the
    /// order they are asked.
    pub fn reused(&self) -> &[Request] {
        &self.reused
    }

    /// The daemons whose perf counters are their last answer rather than a fresh one (down,
    /// or their `tell` failed), sorted.
    pub fn retained_daemons(&self) -> &[String] {
        &self.retained
    }

    /// The `tell` commands that failed for daemons without a retained answer: input, how it
    /// was sent, and why.
    pub fn failed_tells(&self) -> &[(Request, String, FetchError)] {
        &self.failed_tells
    }

    /// How long the cluster commands took, and the whole snapshot.
    pub fn durations(&self) -> (Duration, Duration) {
        (self.cluster_time, self.total_time)
    }

    /// Why the cluster commands failed, when none was answered: the first error.
    pub fn first_error(&self) -> Option<(&Request, &FetchError)> {
        CLUSTER.iter().find_map(|i| match self.docs.get(i) {
            Some(Err(e)) => Some((i, e)),
            _ => None,
        })
    }
}

impl Source for Snapshot {
    fn fetch(&self, input: &Request) -> Result<Vec<u8>, FetchError> {
        match self.docs.get(input) {
            Some(Ok(bytes)) => Ok(bytes.as_ref().clone()),
            Some(Err(e)) => Err(e.duplicate()),
            None => Err(FetchError::NotFound),
        }
    }

    fn fetch_into(&self, input: &Request, buf: &mut Vec<u8>) -> Result<(), FetchError> {
        match self.docs.get(input) {
            Some(Ok(bytes)) => {
                buf.clear();
                buf.extend_from_slice(bytes);
                Ok(())
            }
            Some(Err(e)) => Err(e.duplicate()),
            None => Err(FetchError::NotFound),
        }
    }

    fn open(&self, input: &Request) -> Result<Box<dyn std::io::Read + '_>, FetchError> {
        match self.docs.get(input) {
            Some(Ok(bytes)) => Ok(Box::new(bytes.as_slice())),
            Some(Err(e)) => Err(e.duplicate()),
            None => Err(FetchError::NotFound),
        }
    }

    fn pg_inputs(&self) -> Vec<Request> {
        vec![
            Request::cluster(Command::PgDumpBrief),
            Request::cluster(Command::PgDumpSum),
        ]
    }

    fn origin(&self, input: &Request) -> String {
        self.origins
            .get(input)
            .cloned()
            .unwrap_or_else(|| input.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Answers from a table; `None` is a call that hangs past any deadline.
    #[derive(Debug, Default)]
    struct Table {
        answers: Mutex<HashMap<Request, Option<Vec<u8>>>>,
        asked: Mutex<Vec<Request>>,
    }

    impl Table {
        fn set(&self, input: impl Into<Request>, answer: Option<&str>) {
            self.answers
                .lock()
                .unwrap()
                .insert(input.into(), answer.map(|a| a.as_bytes().to_vec()));
        }
    }

    impl Commander for Table {
        fn command(&self, input: &Request) -> Result<Vec<u8>, FetchError> {
            self.asked.lock().unwrap().push(input.clone());
            let a = self.answers.lock().unwrap().get(input).cloned();
            match a {
                Some(Some(bytes)) => Ok(bytes),
                Some(None) => {
                    std::thread::sleep(Duration::from_secs(5));
                    Err(FetchError::NotFound)
                }
                None => Err(FetchError::Refused {
                    code: -2,
                    message: "no such command".into(),
                }),
            }
        }

        fn origin(&self, input: &Request) -> String {
            format!("table {input}")
        }
    }

    const OSD_DUMP: &str = r#"{"epoch":1,"osds":[{"osd":0,"in":1,"weight":1,"up":1},{"osd":1,"in":1,"weight":1,"up":1},{"osd":2,"in":1,"weight":1,"up":UP2}]}"#;

    /// A `status` with the OSD map at `epoch` (one more when osd.2 left the map).
    fn status(epoch: u64, osd2_exists: bool) -> String {
        let epoch = epoch + u64::from(!osd2_exists);
        format!(
            r#"{{"election_epoch":3,"monmap":{{"epoch":1}},"osdmap":{{"epoch":{epoch}}},
            "fsmap":{{"epoch":2}},"servicemap":{{"epoch":1}}}}"#
        )
    }

    fn cluster(osd2_up: bool, osd2_exists: bool) -> Table {
        let t = Table::default();
        let dump = if osd2_exists {
            OSD_DUMP.replace("UP2", if osd2_up { "1" } else { "0" })
        } else {
            r#"{"epoch":1,"osds":[{"osd":0,"in":1,"weight":1,"up":1},{"osd":1,"in":1,"weight":1,"up":1}]}"#.to_owned()
        };
        t.set(Command::OsdDump, Some(&dump));
        t.set(
            Command::MonStatus,
            Some(
                r#"{"election_epoch":3,"quorum":[0],"quorum_names":["a"],
                "monmap":{"epoch":1,"mons":[{"rank":0,"name":"a"}]}}"#,
            ),
        );
        t.set(
            Command::FsDump,
            Some(r#"{"epoch":1,"filesystems":[],"standbys":[]}"#),
        );
        t.set(
            Command::Status,
            Some(&status(if osd2_up { 10 } else { 11 }, osd2_exists)),
        );
        t.set(
            Command::HealthDetail,
            Some(r#"{"status":"HEALTH_OK","checks":{}}"#),
        );
        t.set(Command::MgrDump, Some(r#"{"epoch":4}"#));
        // A stopped daemon does not answer (its admin socket is gone).
        let daemons = ["osd.0", "osd.1", "osd.2", "mon.a"];
        for d in daemons.into_iter().filter(|d| osd2_up || *d != "osd.2") {
            t.set(
                Request::daemon(Command::PerfSchema, d),
                Some(&format!("schema {d}")),
            );
            t.set(
                Request::daemon(Command::PerfDump, d),
                Some(&format!("dump {d}")),
            );
        }
        t
    }

    #[test]
    fn image_lists_are_asked_for_rbd_pools_of_a_tentacle_cluster() {
        // (mgr version, rbd pools asked)
        let cases = [
            (
                "ceph version 20.2.4 (x) tentacle (stable - RelWithDebInfo)",
                true,
            ),
            ("ceph version 18.2.7 (x) reef (stable)", false),
        ];
        for (version, asked) in cases {
            let t = Table::default();
            // The cluster answers (map documents are asked only then).
            t.set(Command::Status, Some("{}"));
            t.set(
                Command::OsdDump,
                Some(
                    r#"{"epoch":1,"osds":[],"pools":[
                    {"pool":1,"type":1,"size":3,"min_size":2,"pg_num":8,"pool_name":".mgr","application_metadata":{"mgr":{}}},
                    {"pool":4,"type":1,"size":3,"min_size":2,"pg_num":8,"pool_name":"mini-rbd","application_metadata":{"rbd":{}}}]}"#,
                ),
            );
            t.set(
                Command::Versions,
                Some(&format!(r#"{{"mgr":{{"{version}":1}}}}"#)),
            );
            let rbd = Request::pool(Command::RbdLs, "mini-rbd");
            t.set(rbd.clone(), Some(r#"["img0"]"#));
            let table = Arc::new(t);
            let mut live = Live::new(table.clone()).timeout(Duration::from_millis(500));
            let snap = live.snapshot();
            let asked_for: Vec<Request> = table
                .asked
                .lock()
                .unwrap()
                .iter()
                .filter(|r| r.command() == Command::RbdLs)
                .cloned()
                .collect();
            if asked {
                assert_eq!(asked_for, std::slice::from_ref(&rbd), "{version}");
                assert_eq!(snap.fetch(&rbd).unwrap(), br#"["img0"]"#);
            } else {
                assert!(asked_for.is_empty(), "{version}");
                assert!(matches!(snap.fetch(&rbd), Err(FetchError::NotFound)));
            }
        }
    }

    /// A cluster commander that cannot list images (as the librados connection).
    #[derive(Debug)]
    struct NoImages(Arc<Table>);

    impl Commander for NoImages {
        fn command(&self, input: &Request) -> Result<Vec<u8>, FetchError> {
            if input.pool_name().is_some() {
                return Err(FetchError::NotFound);
            }
            self.0.command(input)
        }

        fn origin(&self, input: &Request) -> String {
            self.0.origin(input)
        }
    }

    #[test]
    fn image_lists_fall_back_to_the_tell_commander() {
        let cluster = Table::default();
        cluster.set(Command::Status, Some("{}"));
        cluster.set(
            Command::OsdDump,
            Some(r#"{"epoch":1,"osds":[],"pools":[{"pool":4,"type":1,"size":3,"min_size":2,"pg_num":8,"pool_name":"p","application_metadata":{"rbd":{}}}]}"#),
        );
        cluster.set(
            Command::Versions,
            Some(r#"{"mgr":{"ceph version 20.2.4 (x) tentacle (stable)":1}}"#),
        );
        let rbd = Request::pool(Command::RbdLs, "p");
        let tell = Table::default();
        tell.set(rbd.clone(), Some(r#"["a"]"#));
        let tell = Arc::new(tell);
        let mut live = Live::new(Arc::new(NoImages(Arc::new(cluster))))
            .tell_through(tell.clone())
            .timeout(Duration::from_millis(500));
        let snap = live.snapshot();
        assert_eq!(snap.fetch(&rbd).unwrap(), br#"["a"]"#);
        assert_eq!(snap.origin(&rbd), "table rbd ls --pool p");
        assert!(tell.asked.lock().unwrap().contains(&rbd));
    }

    #[test]
    fn down_daemons_keep_their_last_counters_until_they_leave_the_map() {
        // (osd.2 up, osd.2 in the map, osd.2's perf served, osd.2 asked). It is asked once
        // more after it stopped: its perf counters go out with the first round, to the
        // daemons up at the last snapshot, before the new maps are read.
        let steps = [
            (true, true, true, true),
            (false, true, true, true),
            (false, true, true, false),
            (false, false, false, false),
        ];
        let mut live: Option<Live> = None;
        for (n, (up, exists, served, asked)) in steps.into_iter().enumerate() {
            let table = Arc::new(cluster(up, exists));
            let l = match live.take() {
                // The same Live (its retained answers) with a new cluster state.
                Some(mut l) => {
                    l.cluster = table.clone();
                    l.tell = table.clone();
                    l
                }
                None => Live::new(table.clone()).timeout(Duration::from_millis(500)),
            };
            let mut l = l;
            let snap = l.snapshot();
            assert!(snap.reachable(), "step {n}");
            let dump = snap.fetch(&Request::daemon(Command::PerfDump, "osd.2"));
            assert_eq!(dump.is_ok(), served, "step {n}");
            if served {
                assert_eq!(dump.unwrap(), b"dump osd.2", "step {n}");
            }
            let was_asked = table
                .asked
                .lock()
                .unwrap()
                .contains(&Request::daemon(Command::PerfDump, "osd.2"));
            assert_eq!(was_asked, asked, "step {n}");
            assert_eq!(
                snap.retained_daemons().contains(&"osd.2".to_owned()),
                served && !up,
                "step {n}"
            );
            assert_eq!(
                snap.fetch(&Request::daemon(Command::PerfDump, "osd.0"))
                    .unwrap(),
                b"dump osd.0"
            );
            live = Some(l);
        }
    }

    #[test]
    fn a_schema_is_asked_again_only_when_the_daemon_restarts() {
        let table = Arc::new(cluster(true, true));
        let mut live = Live::new(table.clone());
        let schemas = |t: &Table| {
            t.asked
                .lock()
                .unwrap()
                .iter()
                .filter(|i| i.command() == Command::PerfSchema && i.daemon_name() == Some("osd.1"))
                .count()
        };
        for _ in 0..3 {
            let snap = live.snapshot();
            assert_eq!(
                snap.fetch(&Request::daemon(Command::PerfSchema, "osd.1"))
                    .unwrap(),
                b"schema osd.1"
            );
        }
        assert_eq!(schemas(&table), 1);
        // osd.1 restarts: a new up_from, in a new OSD map.
        table.set(
            Command::OsdDump,
            Some(r#"{"epoch":1,"osds":[{"osd":0,"in":1,"weight":1,"up":1},{"osd":1,"in":1,"weight":1,"up":1,"up_from":9},{"osd":2,"in":1,"weight":1,"up":1}]}"#),
        );
        table.set(Command::Status, Some(&status(12, true)));
        live.snapshot();
        live.snapshot();
        assert_eq!(schemas(&table), 2);
    }

    #[test]
    fn perf_counters_go_out_with_the_first_round_once_the_daemons_are_known() {
        // `status` answers only once a perf dump was asked in the same snapshot (within 1 s):
        // it fails when the perf counters wait for the cluster commands.
        #[derive(Debug, Default)]
        struct Gate {
            table: Table,
            perf_asked: std::sync::atomic::AtomicBool,
        }
        impl Commander for Gate {
            fn command(&self, input: &Request) -> Result<Vec<u8>, FetchError> {
                use std::sync::atomic::Ordering::SeqCst;
                if input.command() == Command::PerfDump {
                    self.perf_asked.store(true, SeqCst);
                }
                if input.command() == Command::Status {
                    let deadline = Instant::now() + Duration::from_secs(1);
                    while !self.perf_asked.load(SeqCst) {
                        if Instant::now() > deadline {
                            return Err(FetchError::Timeout {
                                after: Duration::from_secs(1),
                            });
                        }
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                self.table.command(input)
            }
            fn origin(&self, input: &Request) -> String {
                self.table.origin(input)
            }
        }
        let gate = Arc::new(Gate {
            table: cluster(true, true),
            ..Gate::default()
        });
        let mut live = Live::new(gate.clone());
        let status = Request::cluster(Command::Status);
        // First: no daemon known yet, the perf counters wait for the maps.
        let first = live.snapshot();
        assert!(first.fetch(&status).is_err());
        gate.perf_asked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        // Then they go with `status`.
        let second = live.snapshot();
        assert!(second.fetch(&status).is_ok());
        for snap in [first, second] {
            assert!(snap.retained_daemons().is_empty());
            assert_eq!(
                snap.fetch(&Request::daemon(Command::PerfDump, "osd.2"))
                    .unwrap(),
                b"dump osd.2"
            );
        }
    }

    #[test]
    fn a_map_document_is_reused_until_its_epoch_changes() {
        let table = Arc::new(cluster(true, true));
        let mut live = Live::new(table.clone());
        let asked = |t: &Table, c: Command| {
            t.asked
                .lock()
                .unwrap()
                .iter()
                .filter(|i| **i == Request::cluster(c))
                .count()
        };
        let osd_dump = Request::cluster(Command::OsdDump);
        let first = live.snapshot();
        assert!(first.reused().is_empty());
        let second = live.snapshot();
        assert!(second.reused().contains(&osd_dump));
        assert!(second.reused().contains(&Request::cluster(Command::FsDump)));
        assert_eq!(asked(&table, Command::OsdDump), 1);
        // Asked every time: health, usage, the PG map, and `status` itself.
        for c in [
            Command::HealthDetail,
            Command::DfDetail,
            Command::PgDumpSum,
            Command::Status,
        ] {
            assert_eq!(asked(&table, c), 2, "{c}");
        }
        // osd.2 goes down: a new OSD map. The very next snapshot has it.
        let down = r#"{"epoch":1,"osds":[{"osd":0,"in":1,"weight":1,"up":1},{"osd":1,"in":1,"weight":1,"up":1},{"osd":2,"in":1,"weight":1,"up":0}]}"#;
        table.set(Command::OsdDump, Some(down));
        table.set(Command::Status, Some(&status(11, true)));
        let third = live.snapshot();
        assert!(!third.reused().contains(&osd_dump));
        assert_eq!(third.fetch(&osd_dump).unwrap(), down.as_bytes());
        // Only the documents of the OSD map were asked again.
        assert_eq!(asked(&table, Command::OsdDump), 2);
        assert_eq!(asked(&table, Command::FsDump), 1);
        // A failed `status`: no epochs, every document asked.
        table.set(Command::Status, Some("{"));
        let fourth = live.snapshot();
        assert!(fourth.reused().is_empty());
        assert_eq!(asked(&table, Command::FsDump), 2);
        // Reuse off: every document every time, no `status`.
        let mut live = Live::new(table.clone()).reuse_maps(None);
        let n = asked(&table, Command::Status);
        live.snapshot();
        live.snapshot();
        assert_eq!(asked(&table, Command::FsDump), 4);
        assert_eq!(asked(&table, Command::Status), n);
    }

    #[test]
    fn a_reused_document_is_asked_again_past_its_age() {
        let table = Arc::new(cluster(true, true));
        let mut live = Live::new(table.clone()).reuse_maps(Some(Duration::from_millis(50)));
        live.snapshot();
        assert!(!live.snapshot().reused().is_empty());
        std::thread::sleep(Duration::from_millis(60));
        assert!(live.snapshot().reused().is_empty());
    }

    #[test]
    fn a_hanging_command_is_abandoned_at_its_deadline() {
        let table = cluster(true, true);
        table.set(Command::DfDetail, None);
        table.set(Request::daemon(Command::PerfDump, "osd.1"), None);
        let mut live = Live::new(Arc::new(table)).timeout(Duration::from_millis(200));
        let start = Instant::now();
        let snap = live.snapshot();
        // Two rounds of at most one deadline each, well under the 5 s hang.
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert!(matches!(
            snap.fetch(&Request::cluster(Command::DfDetail)),
            Err(FetchError::Timeout { .. })
        ));
        assert!(snap.fetch(&Request::cluster(Command::OsdDump)).is_ok());
        assert_eq!(snap.failed_tells().len(), 1);
        assert!(matches!(
            snap.failed_tells()[0].2,
            FetchError::Timeout { .. }
        ));
        // No schema without its dump.
        assert!(
            snap.fetch(&Request::daemon(Command::PerfSchema, "osd.1"))
                .is_err()
        );
    }

    #[test]
    fn an_unreachable_cluster_is_reported() {
        let table = Table::default();
        let mut live = Live::new(Arc::new(table)).concurrency(3);
        let snap = live.snapshot();
        assert!(!snap.reachable());
        let (input, e) = snap.first_error().unwrap();
        assert_eq!(*input, Request::cluster(Command::HealthDetail));
        assert!(matches!(e, FetchError::Refused { code: -2, .. }));
        assert_eq!(
            snap.origin(&Request::cluster(Command::DfDetail)),
            "table df detail"
        );
    }
}
