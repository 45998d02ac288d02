//! Where the JSON documents come from: a directory of dumps, or the `ceph` command-line client.
//!
//! Every source speaks `ceph-types`' command vocabulary: a [`Request`] names the command and,
//! for per-daemon commands, the daemon; it gives the file name in a dump directory, the
//! command line, and the JSON a connection sends.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ceph_types::{Command, Request};

/// Why a source could not give an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The source has no such input (no file, or the command's object does not exist).
    #[error("not found")]
    NotFound,
    /// The input exceeds the source's size limit.
    #[error("larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Reading failed.
    #[error("cannot read")]
    Io(#[source] std::io::Error),
    /// The command ran and failed.
    #[error("exited with {status}: `{stderr}`")]
    Command {
        /// The exit status, as the platform prints it.
        status: String,
        /// The first line of its standard error.
        stderr: String,
    },
    /// No answer within the deadline; a child process was killed with its process group, a
    /// library call was abandoned to finish on its own.
    #[error("no answer within {} s", after.as_secs_f64())]
    Timeout {
        /// The deadline that passed.
        after: Duration,
    },
    /// The cluster answered the command with an error.
    #[error("the cluster answered error {code}: `{message}`")]
    Refused {
        /// The negative errno of the answer (`-2` for `ENOENT`, ...).
        code: i32,
        /// The cluster's status message, or the errno's description.
        message: String,
    },
    /// There is no connection to the cluster to send the command over.
    #[error("no cluster connection")]
    NoConnection(#[source] std::sync::Arc<crate::ConnectError>),
}

impl FetchError {
    /// A copy of this error for a second reader of the same failed input (an I/O error keeps
    /// its kind and message).
    pub fn duplicate(&self) -> FetchError {
        match self {
            FetchError::NotFound => FetchError::NotFound,
            FetchError::TooLarge { limit } => FetchError::TooLarge { limit: *limit },
            FetchError::Io(e) => FetchError::Io(std::io::Error::new(e.kind(), e.to_string())),
            FetchError::Command { status, stderr } => FetchError::Command {
                status: status.clone(),
                stderr: stderr.clone(),
            },
            FetchError::Timeout { after } => FetchError::Timeout { after: *after },
            FetchError::Refused { code, message } => FetchError::Refused {
                code: *code,
                message: message.clone(),
            },
            FetchError::NoConnection(e) => FetchError::NoConnection(e.clone()),
        }
    }
}

/// Something that gives the collector its JSON documents.
pub trait Source: Sync {
    /// The output of `request`.
    ///
    /// # Errors
    ///
    /// [`FetchError::NotFound`] when the source does not have it, or why reading it failed.
    fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError>;

    /// The document's bytes, into `buf` (cleared first), so one buffer serves many documents.
    ///
    /// # Errors
    ///
    /// As [`Source::fetch`].
    fn fetch_into(&self, request: &Request, buf: &mut Vec<u8>) -> Result<(), FetchError> {
        *buf = self.fetch(request)?;
        Ok(())
    }

    /// A reader of the document, for documents read in one pass without holding them whole
    /// (the PG map). The default reads the whole document with [`Source::fetch`].
    ///
    /// # Errors
    ///
    /// As [`Source::fetch`].
    fn open(&self, request: &Request) -> Result<Box<dyn Read + '_>, FetchError> {
        Ok(Box::new(std::io::Cursor::new(self.fetch(request)?)))
    }

    /// The requests that make up the PG map: [`Command::PgDump`], or the smaller
    /// [`Command::PgDumpBrief`] and [`Command::PgDumpSum`] that together hold what the module
    /// reads. The default is the full dump.
    fn pg_inputs(&self) -> Vec<Request> {
        vec![Request::cluster(Command::PgDump)]
    }

    /// Where the output of `request` comes from, for messages: a file path or a command line.
    fn origin(&self, request: &Request) -> String;
}

/// The PG inputs of a set of dump files: `pg_dump.json` when there is one, else the two
/// smaller dumps when both are there, else `pg_dump.json` (reported missing).
fn pg_inputs_of(names: &[String]) -> Vec<Request> {
    let has = |c: Command| resolve(names, &Request::cluster(c)).is_some();
    if !has(Command::PgDump) && has(Command::PgDumpBrief) && has(Command::PgDumpSum) {
        vec![
            Request::cluster(Command::PgDumpBrief),
            Request::cluster(Command::PgDumpSum),
        ]
    } else {
        vec![Request::cluster(Command::PgDump)]
    }
}

/// The largest input a [`DumpDir`] reads (1 GiB): a bigger file is refused rather than
/// read whole into memory.
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// A directory of JSON dumps named like `testdata/ceph/<release>/<state>/`: `health_detail.json`,
/// `df_detail.json`, `osd_dump.json`, `perf_dump.osd.0.json`, ... (see
/// [`Request::file_name`]).
///
/// Alternatives it accepts: `health.json` for the health detail; for the monitor status the
/// first of `mon_status.*.json`, `tell_mon.*_mon_status.json`, `mon_status.json`,
/// `quorum_status.json`; `df.json` for `df_detail.json`.
#[derive(Debug, Clone)]
pub struct DumpDir {
    dir: PathBuf,
    /// File names in the directory, sorted.
    names: Vec<String>,
}

impl DumpDir {
    /// Opens a directory and lists its files.
    ///
    /// # Errors
    ///
    /// The directory cannot be listed.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<DumpDir> {
        let dir = dir.into();
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            if let Some(name) = entry?.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(DumpDir { dir, names })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the output of `request`, if the directory has one.
    pub fn file(&self, request: &Request) -> Option<PathBuf> {
        resolve(&self.names, request).map(|n| self.dir.join(n))
    }
}

/// The file name that holds the output of `request` among `names` (sorted), trying the
/// alternatives [`DumpDir`] documents.
fn resolve<'n>(names: &'n [String], request: &Request) -> Option<&'n str> {
    let has = |name: &str| {
        names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .map(|i| names[i].as_str())
    };
    let first = |cands: &[&str]| cands.iter().find_map(|c| has(c));
    let glob = |prefix: &str, suffix: &str| {
        names
            .iter()
            .find(|n| {
                n.len() > prefix.len() + suffix.len()
                    && n.starts_with(prefix)
                    && n.ends_with(suffix)
            })
            .map(String::as_str)
    };
    if request.daemon_name().is_some() {
        return has(&request.file_name());
    }
    match request.command() {
        Command::HealthDetail => first(&["health_detail.json", "health.json"]),
        Command::DfDetail => first(&["df_detail.json", "df.json"]),
        Command::MonStatus => glob("mon_status.", ".json")
            .or_else(|| glob("tell_mon.", "_mon_status.json"))
            .or_else(|| first(&["mon_status.json", "quorum_status.json"])),
        _ => has(&request.file_name()),
    }
}

impl Source for DumpDir {
    fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        let mut buf = Vec::new();
        self.fetch_into(request, &mut buf)?;
        Ok(buf)
    }

    fn fetch_into(&self, request: &Request, buf: &mut Vec<u8>) -> Result<(), FetchError> {
        let path = self.file(request).ok_or(FetchError::NotFound)?;
        read_limited(&path, MAX_DOCUMENT_BYTES, buf)
    }

    fn pg_inputs(&self) -> Vec<Request> {
        pg_inputs_of(&self.names)
    }

    fn open(&self, request: &Request) -> Result<Box<dyn Read + '_>, FetchError> {
        let path = self.file(request).ok_or(FetchError::NotFound)?;
        let file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::NotFound,
            _ => FetchError::Io(e),
        })?;
        Ok(Box::new(file))
    }

    fn origin(&self, request: &Request) -> String {
        self.file(request)
            .unwrap_or_else(|| self.dir.join(request.file_name()))
            .display()
            .to_string()
    }
}

/// Dump files held in memory, named as in a [`DumpDir`]: for captures compiled into a
/// binary (`include_bytes!`) or built by tests.
///
/// ```
/// use ceph_types::{Command, Request};
/// use exporter::{MemoryDumps, Source};
///
/// let dumps = MemoryDumps::new([("health_detail.json", &b"{\"status\":\"HEALTH_OK\"}"[..])]);
/// let health = Request::cluster(Command::HealthDetail);
/// assert_eq!(dumps.fetch(&health)?, b"{\"status\":\"HEALTH_OK\"}");
/// assert!(dumps.fetch(&Request::cluster(Command::OsdDump)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryDumps<'a> {
    /// File names, sorted, and their contents.
    names: Vec<String>,
    contents: Vec<&'a [u8]>,
}

impl<'a> MemoryDumps<'a> {
    /// A set of files; of repeated names the last wins.
    pub fn new<N: Into<String>>(files: impl IntoIterator<Item = (N, &'a [u8])>) -> Self {
        let mut all: Vec<(String, &'a [u8])> =
            files.into_iter().map(|(n, c)| (n.into(), c)).collect();
        all.reverse();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.dedup_by(|a, b| a.0 == b.0);
        let (names, contents) = all.into_iter().unzip();
        MemoryDumps { names, contents }
    }
}

impl Source for MemoryDumps<'_> {
    fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        let name = resolve(&self.names, request).ok_or(FetchError::NotFound)?;
        let i = self
            .names
            .binary_search_by(|n| n.as_str().cmp(name))
            .map_err(|_| FetchError::NotFound)?;
        Ok(self.contents[i].to_vec())
    }

    fn pg_inputs(&self) -> Vec<Request> {
        pg_inputs_of(&self.names)
    }

    fn origin(&self, request: &Request) -> String {
        resolve(&self.names, request).map_or_else(|| request.file_name(), str::to_owned)
    }
}

/// Reads a whole file into `buf`, refusing one larger than `limit` bytes.
fn read_limited(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), FetchError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FetchError::NotFound,
        _ => FetchError::Io(e),
    })?;
    let len = file.metadata().map_err(FetchError::Io)?.len();
    if len > limit {
        return Err(FetchError::TooLarge { limit });
    }
    buf.clear();
    // The capacity comes from the file system, bounded by `limit`.
    buf.reserve(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.take(limit + 1)
        .read_to_end(buf)
        .map_err(FetchError::Io)?;
    if buf.len() as u64 > limit {
        return Err(FetchError::TooLarge { limit });
    }
    Ok(())
}

/// The `ceph` command-line client: each request is one `ceph ... -f json` command
/// ([`Request::cli_args`]); per-daemon requests (perf counters) are `ceph tell <daemon> ...`.
///
/// The monitor status is asked for as `quorum_status` (the monmap and the quorum, what the
/// module reads of `mon_status`): `mon_status` is not a cluster command since Octopus.
///
/// Every command has a deadline ([`CephCli::timeout`], default 10 s): the child runs in a
/// process group of its own, and at the deadline the whole group is killed. The client's own
/// connect timeout (`--connect-timeout`) is set to the same deadline. Children still running
/// when the program is told to stop are killed by [`kill_children`].
#[derive(Debug, Clone)]
pub struct CephCli {
    program: PathBuf,
    conf: Option<PathBuf>,
    timeout: Duration,
}

impl Default for CephCli {
    fn default() -> Self {
        CephCli::new()
    }
}

/// The default deadline of one command.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a command's standard error kept for its error message.
const MAX_STDERR: u64 = 64 << 10;

impl CephCli {
    /// The `ceph` found on `PATH`, with its default configuration.
    pub fn new() -> CephCli {
        CephCli {
            program: PathBuf::from("ceph"),
            conf: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Uses this configuration file (`--conf PATH`).
    #[must_use]
    pub fn conf(mut self, path: impl Into<PathBuf>) -> CephCli {
        self.conf = Some(path.into());
        self
    }

    /// Runs this program instead of `ceph`.
    #[must_use]
    pub fn program(mut self, program: impl Into<PathBuf>) -> CephCli {
        self.program = program.into();
        self
    }

    /// The deadline of one command (at least 1 ms), also passed as `--connect-timeout`
    /// (whole seconds, at least 1).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> CephCli {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The full argument list for `request` (client options first).
    pub fn args(&self, request: &Request) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(c) = &self.conf {
            v.push("--conf".to_owned());
            v.push(c.display().to_string());
        }
        if request.program() != "ceph" {
            // `rbd` has no `--connect-timeout`; the deadline still kills it.
            v.extend(request.cli_args());
            return v;
        }
        v.push("--connect-timeout".to_owned());
        v.push(self.timeout.as_secs().max(1).to_string());
        if request.daemon_name().is_none() && request.command() == Command::MonStatus {
            v.extend(Request::cluster(Command::QuorumStatus).cli_args());
        } else {
            v.extend(request.cli_args());
        }
        v
    }

    /// The program that runs `request`: the `ceph` program, or for a client command
    /// ([`Request::program`], `rbd`) the program of that name beside it.
    pub fn program_for(&self, request: &Request) -> PathBuf {
        match request.program() {
            "ceph" => self.program.clone(),
            other => self.program.with_file_name(other),
        }
    }

    /// Runs the command for `request` with the deadline; its standard output, or why not.
    fn run(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        let start = Instant::now();
        let mut child = Process::new(self.program_for(request))
            .args(self.args(request))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(FetchError::Io)?;
        let guard = children::Guard::new(child.id());
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let out_tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let r = stdout.map_or(Ok(0), |s| {
                s.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut buf)
            });
            let _ = out_tx.send((true, r.map(|_| buf)));
        });
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let r = stderr.map_or(Ok(0), |s| s.take(MAX_STDERR).read_to_end(&mut buf));
            let _ = tx.send((false, r.map(|_| buf)));
        });
        let deadline = start + self.timeout;
        let (mut out, mut err) = (None, None);
        // Both pipes close when the child (and whatever it spawned) is gone, or at the deadline.
        while out.is_none() || err.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((true, r)) => out = Some(r),
                Ok((false, r)) => err = Some(r),
                Err(_) => {
                    guard.kill();
                    let _ = child.wait();
                    return Err(FetchError::Timeout {
                        after: self.timeout,
                    });
                }
            }
        }
        // The pipes are closed; the child exits now if it has not yet.
        let status = loop {
            if let Some(status) = child.try_wait().map_err(FetchError::Io)? {
                break status;
            }
            if Instant::now() >= deadline {
                guard.kill();
                let _ = child.wait();
                return Err(FetchError::Timeout {
                    after: self.timeout,
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        drop(guard);
        let stdout = out
            .unwrap_or_else(|| Ok(Vec::new()))
            .map_err(FetchError::Io)?;
        let stderr = err.unwrap_or_else(|| Ok(Vec::new())).unwrap_or_default();
        if !status.success() {
            let stderr = String::from_utf8_lossy(&stderr);
            // A daemon that does not answer (down, or gone) has no perf counters, as a daemon
            // the mgr holds no report from.
            if request.daemon_name().is_some() {
                return Err(FetchError::NotFound);
            }
            return Err(FetchError::Command {
                status: status.to_string(),
                stderr: stderr.lines().next().unwrap_or("").to_owned(),
            });
        }
        if stdout.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge {
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        Ok(stdout)
    }
}

/// Kills every `ceph` child process (and its process group) still running: for a program's
/// SIGTERM/SIGINT handler, so that stopping the exporter leaves no child behind.
pub fn kill_children() {
    children::kill_all();
}

/// The process groups of running children.
mod children {
    use std::sync::Mutex;

    static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

    fn running() -> std::sync::MutexGuard<'static, Vec<u32>> {
        RUNNING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A child's process group, registered while the guard lives.
    pub(super) struct Guard(u32);

    impl Guard {
        pub(super) fn new(pgid: u32) -> Guard {
            running().push(pgid);
            Guard(pgid)
        }

        /// Kills the group (its leader is the child).
        pub(super) fn kill(&self) {
            kill_group(self.0);
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            running().retain(|p| *p != self.0);
        }
    }

    fn kill_group(pgid: u32) {
        if let Some(pid) = i32::try_from(pgid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            // The group may be gone already; nothing to do then.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }

    pub(super) fn kill_all() {
        for pgid in running().drain(..) {
            kill_group(pgid);
        }
    }
}

impl Source for CephCli {
    fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        self.run(request)
    }

    /// `pg dump pgs_brief pools osds` and `pg dump sum`: what the module reads of the PG map
    /// without the full per-PG statistics.
    fn pg_inputs(&self) -> Vec<Request> {
        vec![
            Request::cluster(Command::PgDumpBrief),
            Request::cluster(Command::PgDumpSum),
        ]
    }

    fn origin(&self, request: &Request) -> String {
        let mut s = self.program_for(request).display().to_string();
        for a in self.args(request) {
            s.push(' ');
            s.push_str(&a);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let cli = CephCli::new().conf("/etc/ceph/x.conf");
        let cases = [
            (
                Request::cluster(Command::HealthDetail),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 health detail -f json",
            ),
            (
                Request::cluster(Command::MonStatus),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 quorum_status -f json",
            ),
            (
                Request::cluster(Command::OsdCrushDump),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 osd crush dump -f json",
            ),
            (
                Request::cluster(Command::PgDump),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 pg dump -f json",
            ),
            (
                Request::daemon(Command::PerfSchema, "osd.12"),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 tell osd.12 perf schema -f json",
            ),
            (
                Request::daemon(Command::PerfDump, "mds.a"),
                "ceph --conf /etc/ceph/x.conf --connect-timeout 10 tell mds.a perf dump -f json",
            ),
            (
                Request::pool(Command::RbdLs, "mini-rbd"),
                "rbd --conf /etc/ceph/x.conf ls --pool mini-rbd --format json",
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(cli.origin(&doc), want);
        }
        // `rbd` is looked for beside the `ceph` program.
        assert_eq!(
            CephCli::new()
                .program("/opt/ceph/bin/ceph")
                .program_for(&Request::pool(Command::RbdLs, "p")),
            Path::new("/opt/ceph/bin/rbd")
        );
        assert_eq!(
            CephCli::new().args(&Request::cluster(Command::Versions)),
            ["--connect-timeout", "10", "versions", "-f", "json"]
        );
        assert_eq!(
            Request::cluster(Command::OsdPoolStats).to_string(),
            "osd pool stats"
        );
        assert_eq!(
            cli.pg_inputs(),
            [
                Request::cluster(Command::PgDumpBrief),
                Request::cluster(Command::PgDumpSum)
            ]
        );
    }

    #[test]
    fn command_failures_are_typed() {
        // `false` exits 1 without output; a missing program cannot be spawned.
        let cli = CephCli::new().program("false");
        assert!(matches!(
            cli.fetch(&Request::cluster(Command::OsdDump)),
            Err(FetchError::Command { .. })
        ));
        let cli = CephCli::new().program("/nonexistent/ceph");
        assert!(matches!(
            cli.fetch(&Request::cluster(Command::OsdDump)),
            Err(FetchError::Io(_))
        ));
        let cli = CephCli::new().program("echo");
        let out = cli.fetch(&Request::cluster(Command::DfDetail)).unwrap();
        assert_eq!(out, b"--connect-timeout 10 df detail -f json\n");
    }

    #[test]
    fn a_command_past_its_deadline_is_killed_with_its_process_group() {
        let dir = std::env::temp_dir().join(format!("exporter-cli-timeout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("ceph");
        let pid_file = dir.join("grandchild.pid");
        // A client that starts a grandchild and never answers.
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nsleep 30 &\necho $! > {}\nsleep 30\n",
                pid_file.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let cli = CephCli::new()
            .program(&script)
            .timeout(Duration::from_millis(300));
        let start = Instant::now();
        let r = cli.fetch(&Request::cluster(Command::OsdDump));
        assert!(matches!(r, Err(FetchError::Timeout { .. })), "{r:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let proc_dir = format!("/proc/{}", pid.trim());
        // The grandchild got SIGKILL with its group; give the kernel a moment to reap it.
        let gone = (0..100).any(|_| {
            let state = std::fs::read_to_string(format!("{proc_dir}/stat")).unwrap_or_default();
            // Gone, or a zombie waiting for init.
            let dead = state.is_empty() || state.split(' ').nth(2) == Some("Z");
            if !dead {
                std::thread::sleep(Duration::from_millis(20));
            }
            dead
        });
        assert!(gone, "grandchild {} still running", pid.trim());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dump_dir_alternatives() {
        let dir = std::env::temp_dir().join(format!("perfcounter-dumpdir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "health.json",
            "mon_status.mon.b.json",
            "quorum_status.json",
            "perf_schema.osd.3.json",
        ] {
            std::fs::write(dir.join(f), b"{}").unwrap();
        }
        let d = DumpDir::open(&dir).unwrap();
        let name = |doc: &Request| {
            d.file(doc)
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        };
        assert_eq!(
            name(&Request::cluster(Command::HealthDetail)).as_deref(),
            Some("health.json")
        );
        assert_eq!(
            name(&Request::cluster(Command::MonStatus)).as_deref(),
            Some("mon_status.mon.b.json")
        );
        assert_eq!(name(&Request::cluster(Command::OsdDump)), None);
        assert!(matches!(
            d.fetch(&Request::cluster(Command::OsdDump)),
            Err(FetchError::NotFound)
        ));
        assert_eq!(
            d.fetch(&Request::cluster(Command::HealthDetail)).unwrap(),
            b"{}"
        );
        assert!(
            d.origin(&Request::cluster(Command::OsdDump))
                .ends_with("osd_dump.json")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
