//! Where the JSON documents come from: a directory of dumps, or the `ceph` command-line client.
//!
//! Every source speaks `ceph-types`' command vocabulary: a [`Request`] names the command and,
//! for per-daemon commands, the daemon; it gives the file name in a dump directory, the
//! command line, and the JSON a connection sends.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

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
#[derive(Debug, Clone)]
pub struct CephCli {
    program: PathBuf,
    conf: Option<PathBuf>,
}

impl Default for CephCli {
    fn default() -> Self {
        CephCli::new()
    }
}

impl CephCli {
    /// The `ceph` found on `PATH`, with its default configuration.
    pub fn new() -> CephCli {
        CephCli {
            program: PathBuf::from("ceph"),
            conf: None,
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

    /// The full argument list for `request` (client options first).
    pub fn args(&self, request: &Request) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(c) = &self.conf {
            v.push("--conf".to_owned());
            v.push(c.display().to_string());
        }
        if request.daemon_name().is_none() && request.command() == Command::MonStatus {
            v.extend(Request::cluster(Command::QuorumStatus).cli_args());
        } else {
            v.extend(request.cli_args());
        }
        v
    }
}

impl Source for CephCli {
    fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        let child = Process::new(&self.program)
            .args(self.args(request))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(FetchError::Io)?;
        let out = child.wait_with_output().map_err(FetchError::Io)?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            // A daemon that does not answer (down, or gone) has no perf counters, as a daemon
            // the mgr holds no report from.
            if request.daemon_name().is_some() {
                return Err(FetchError::NotFound);
            }
            return Err(FetchError::Command {
                status: out.status.to_string(),
                stderr: stderr.lines().next().unwrap_or("").to_owned(),
            });
        }
        if out.stdout.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge {
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        Ok(out.stdout)
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
        let mut s = self.program.display().to_string();
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
                "ceph --conf /etc/ceph/x.conf health detail -f json",
            ),
            (
                Request::cluster(Command::MonStatus),
                "ceph --conf /etc/ceph/x.conf quorum_status -f json",
            ),
            (
                Request::cluster(Command::OsdCrushDump),
                "ceph --conf /etc/ceph/x.conf osd crush dump -f json",
            ),
            (
                Request::cluster(Command::PgDump),
                "ceph --conf /etc/ceph/x.conf pg dump -f json",
            ),
            (
                Request::daemon(Command::PerfSchema, "osd.12"),
                "ceph --conf /etc/ceph/x.conf tell osd.12 perf schema -f json",
            ),
            (
                Request::daemon(Command::PerfDump, "mds.a"),
                "ceph --conf /etc/ceph/x.conf tell mds.a perf dump -f json",
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(cli.origin(&doc), want);
        }
        assert_eq!(
            CephCli::new().args(&Request::cluster(Command::Versions)),
            ["versions", "-f", "json"]
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
        assert_eq!(out, b"df detail -f json\n");
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
