//! Where the JSON documents come from: a directory of dumps, or the `ceph` command-line client.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One JSON input the collector reads, named after the Ceph command that prints it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Input {
    /// `ceph health detail` (the module's `get('health')`).
    HealthDetail,
    /// A monitor's `mon_status`, or `ceph quorum_status` (monmap and quorum).
    MonStatus,
    /// `ceph mgr dump`.
    MgrDump,
    /// `ceph fs dump`.
    FsDump,
    /// `ceph osd dump`.
    OsdDump,
    /// `ceph osd crush dump`.
    OsdCrushDump,
    /// `ceph osd metadata`.
    OsdMetadata,
    /// `ceph mon metadata`.
    MonMetadata,
    /// `ceph mgr metadata`.
    MgrMetadata,
    /// `ceph mds metadata`.
    MdsMetadata,
    /// `ceph service dump` (rgw, rbd-mirror and other service daemons). Optional: without it
    /// there are no such daemons.
    ServiceDump,
    /// `ceph df detail`.
    DfDetail,
    /// `ceph pg dump`.
    PgDump,
    /// `ceph pg dump pgs_brief pools osds`: the PG map without the per-PG statistics the
    /// module does not read (about 20 times smaller than `pg dump` on a large cluster).
    PgDumpBrief,
    /// `ceph pg dump sum`: the PG map's totals.
    PgDumpSum,
    /// `ceph osd pool stats`.
    OsdPoolStats,
    /// `ceph versions`. Optional: the release is read from the daemons' metadata first.
    Versions,
    /// A daemon's `perf schema` (`osd.0`, `mon.a`, ...).
    PerfSchema(String),
    /// A daemon's `perf dump`.
    PerfDump(String),
}

impl Input {
    /// The file name in a dump directory (`testdata/ceph/<release>/<state>/` layout). The
    /// monitor status is `mon_status.<mon>.json`; see [`DumpDir`] for the alternatives tried.
    pub fn file_name(&self) -> String {
        match self {
            Input::HealthDetail => "health_detail.json".into(),
            Input::MonStatus => "mon_status.<mon>.json".into(),
            Input::MgrDump => "mgr_dump.json".into(),
            Input::FsDump => "fs_dump.json".into(),
            Input::OsdDump => "osd_dump.json".into(),
            Input::OsdCrushDump => "osd_crush_dump.json".into(),
            Input::OsdMetadata => "osd_metadata.json".into(),
            Input::MonMetadata => "mon_metadata.json".into(),
            Input::MgrMetadata => "mgr_metadata.json".into(),
            Input::MdsMetadata => "mds_metadata.json".into(),
            Input::ServiceDump => "service_dump.json".into(),
            Input::DfDetail => "df_detail.json".into(),
            Input::PgDump => "pg_dump.json".into(),
            Input::PgDumpBrief => "pg_dump_pgs_brief_pools_osds.json".into(),
            Input::PgDumpSum => "pg_dump_sum.json".into(),
            Input::OsdPoolStats => "osd_pool_stats.json".into(),
            Input::Versions => "versions.json".into(),
            Input::PerfSchema(d) => format!("perf_schema.{d}.json"),
            Input::PerfDump(d) => format!("perf_dump.{d}.json"),
        }
    }

    /// The arguments of the `ceph` command that prints this input as JSON (without the
    /// client's own options such as `--conf`).
    pub fn ceph_args(&self) -> Vec<String> {
        let words: &[&str] = match self {
            Input::HealthDetail => &["health", "detail"],
            Input::MonStatus => &["quorum_status"],
            Input::MgrDump => &["mgr", "dump"],
            Input::FsDump => &["fs", "dump"],
            Input::OsdDump => &["osd", "dump"],
            Input::OsdCrushDump => &["osd", "crush", "dump"],
            Input::OsdMetadata => &["osd", "metadata"],
            Input::MonMetadata => &["mon", "metadata"],
            Input::MgrMetadata => &["mgr", "metadata"],
            Input::MdsMetadata => &["mds", "metadata"],
            Input::ServiceDump => &["service", "dump"],
            Input::DfDetail => &["df", "detail"],
            Input::PgDump => &["pg", "dump"],
            Input::PgDumpBrief => &["pg", "dump", "pgs_brief", "pools", "osds"],
            Input::PgDumpSum => &["pg", "dump", "sum"],
            Input::OsdPoolStats => &["osd", "pool", "stats"],
            Input::Versions => &["versions"],
            Input::PerfSchema(d) => return tell(d, "schema"),
            Input::PerfDump(d) => return tell(d, "dump"),
        };
        let mut v: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        v.extend(["-f".to_owned(), "json".to_owned()]);
        v
    }

    /// Whether the collector does without this input when a source does not have it
    /// (perf files of a daemon that was down, `service dump`, `versions`).
    pub fn is_optional(&self) -> bool {
        matches!(
            self,
            Input::ServiceDump | Input::Versions | Input::PerfSchema(_) | Input::PerfDump(_)
        )
    }
}

fn tell(daemon: &str, what: &str) -> Vec<String> {
    ["tell", daemon, "perf", what, "-f", "json"]
        .iter()
        .map(|w| (*w).to_owned())
        .collect()
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ceph_args()[..self.ceph_args().len() - 2].join(" "))
    }
}

/// Why a source could not give a input.
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
    /// The input's bytes.
    ///
    /// # Errors
    ///
    /// [`FetchError::NotFound`] when the source does not have it, or why reading it failed.
    fn fetch(&self, input: &Input) -> Result<Vec<u8>, FetchError>;

    /// The document's bytes, into `buf` (cleared first), so one buffer serves many documents.
    ///
    /// # Errors
    ///
    /// As [`Source::fetch`].
    fn fetch_into(&self, input: &Input, buf: &mut Vec<u8>) -> Result<(), FetchError> {
        *buf = self.fetch(input)?;
        Ok(())
    }

    /// A reader of the document, for documents read in one pass without holding them whole
    /// (the PG map). The default reads the whole document with [`Source::fetch`].
    ///
    /// # Errors
    ///
    /// As [`Source::fetch`].
    fn open(&self, input: &Input) -> Result<Box<dyn Read + '_>, FetchError> {
        Ok(Box::new(std::io::Cursor::new(self.fetch(input)?)))
    }

    /// The inputs that make up the PG map: [`Input::PgDump`], or the smaller
    /// [`Input::PgDumpBrief`] and [`Input::PgDumpSum`] that together hold what the module
    /// reads. The default is the full dump.
    fn pg_inputs(&self) -> Vec<Input> {
        vec![Input::PgDump]
    }

    /// Where the input comes from, for messages: a file path or a command line.
    fn origin(&self, input: &Input) -> String;
}

/// The PG inputs of a set of dump files: `pg_dump.json` when there is one, else the two
/// smaller dumps when both are there, else `pg_dump.json` (reported missing).
fn pg_inputs_of(names: &[String]) -> Vec<Input> {
    let has = |i: &Input| resolve(names, i).is_some();
    if !has(&Input::PgDump) && has(&Input::PgDumpBrief) && has(&Input::PgDumpSum) {
        vec![Input::PgDumpBrief, Input::PgDumpSum]
    } else {
        vec![Input::PgDump]
    }
}

/// The largest input a [`DumpDir`] reads (1 GiB): a bigger file is refused rather than
/// read whole into memory.
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// A directory of JSON dumps named like `testdata/ceph/<release>/<state>/`: `health_detail.json`,
/// `df_detail.json`, `osd_dump.json`, `perf_dump.osd.0.json`, ... (see
/// [`Input::file_name`]).
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

    /// The file that holds `input`, if the directory has one.
    pub fn file(&self, input: &Input) -> Option<PathBuf> {
        resolve(&self.names, input).map(|n| self.dir.join(n))
    }
}

/// The file name that holds `input` among `names` (sorted), trying the alternatives
/// [`DumpDir`] documents.
fn resolve<'n>(names: &'n [String], input: &Input) -> Option<&'n str> {
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
    match input {
        Input::HealthDetail => first(&["health_detail.json", "health.json"]),
        Input::DfDetail => first(&["df_detail.json", "df.json"]),
        Input::MonStatus => glob("mon_status.", ".json")
            .or_else(|| glob("tell_mon.", "_mon_status.json"))
            .or_else(|| first(&["mon_status.json", "quorum_status.json"])),
        other => has(&other.file_name()),
    }
}

impl Source for DumpDir {
    fn fetch(&self, input: &Input) -> Result<Vec<u8>, FetchError> {
        let mut buf = Vec::new();
        self.fetch_into(input, &mut buf)?;
        Ok(buf)
    }

    fn fetch_into(&self, input: &Input, buf: &mut Vec<u8>) -> Result<(), FetchError> {
        let path = self.file(input).ok_or(FetchError::NotFound)?;
        read_limited(&path, MAX_DOCUMENT_BYTES, buf)
    }

    fn pg_inputs(&self) -> Vec<Input> {
        pg_inputs_of(&self.names)
    }

    fn open(&self, input: &Input) -> Result<Box<dyn Read + '_>, FetchError> {
        let path = self.file(input).ok_or(FetchError::NotFound)?;
        let file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::NotFound,
            _ => FetchError::Io(e),
        })?;
        Ok(Box::new(file))
    }

    fn origin(&self, input: &Input) -> String {
        self.file(input)
            .unwrap_or_else(|| self.dir.join(input.file_name()))
            .display()
            .to_string()
    }
}

/// Dump files held in memory, named as in a [`DumpDir`]: for captures compiled into a
/// binary (`include_bytes!`) or built by tests.
///
/// ```
/// use exporter::{Input, MemoryDumps, Source};
///
/// let dumps = MemoryDumps::new([("health_detail.json", &b"{\"status\":\"HEALTH_OK\"}"[..])]);
/// assert_eq!(dumps.fetch(&Input::HealthDetail)?, b"{\"status\":\"HEALTH_OK\"}");
/// assert!(dumps.fetch(&Input::OsdDump).is_err());
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
    fn fetch(&self, input: &Input) -> Result<Vec<u8>, FetchError> {
        let name = resolve(&self.names, input).ok_or(FetchError::NotFound)?;
        let i = self
            .names
            .binary_search_by(|n| n.as_str().cmp(name))
            .map_err(|_| FetchError::NotFound)?;
        Ok(self.contents[i].to_vec())
    }

    fn pg_inputs(&self) -> Vec<Input> {
        pg_inputs_of(&self.names)
    }

    fn origin(&self, input: &Input) -> String {
        resolve(&self.names, input).map_or_else(|| input.file_name(), str::to_owned)
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

/// The `ceph` command-line client: each input is one `ceph ... -f json` command, perf
/// counters come from `ceph tell <daemon> perf dump|schema`.
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

    /// The full argument list for `input` (client options first).
    pub fn args(&self, input: &Input) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(c) = &self.conf {
            v.push("--conf".to_owned());
            v.push(c.display().to_string());
        }
        v.extend(input.ceph_args());
        v
    }
}

impl Source for CephCli {
    fn fetch(&self, input: &Input) -> Result<Vec<u8>, FetchError> {
        let child = Command::new(&self.program)
            .args(self.args(input))
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
            if matches!(input, Input::PerfSchema(_) | Input::PerfDump(_)) {
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
    fn pg_inputs(&self) -> Vec<Input> {
        vec![Input::PgDumpBrief, Input::PgDumpSum]
    }

    fn origin(&self, input: &Input) -> String {
        let mut s = self.program.display().to_string();
        for a in self.args(input) {
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
                Input::HealthDetail,
                "ceph --conf /etc/ceph/x.conf health detail -f json",
            ),
            (
                Input::MonStatus,
                "ceph --conf /etc/ceph/x.conf quorum_status -f json",
            ),
            (
                Input::OsdCrushDump,
                "ceph --conf /etc/ceph/x.conf osd crush dump -f json",
            ),
            (
                Input::PgDump,
                "ceph --conf /etc/ceph/x.conf pg dump -f json",
            ),
            (
                Input::PerfSchema("osd.12".into()),
                "ceph --conf /etc/ceph/x.conf tell osd.12 perf schema -f json",
            ),
            (
                Input::PerfDump("mds.a".into()),
                "ceph --conf /etc/ceph/x.conf tell mds.a perf dump -f json",
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(cli.origin(&doc), want);
        }
        assert_eq!(
            CephCli::new().args(&Input::Versions),
            ["versions", "-f", "json"]
        );
        assert_eq!(Input::OsdPoolStats.to_string(), "osd pool stats");
        assert_eq!(cli.pg_inputs(), [Input::PgDumpBrief, Input::PgDumpSum]);
    }

    #[test]
    fn command_failures_are_typed() {
        // `false` exits 1 without output; a missing program cannot be spawned.
        let cli = CephCli::new().program("false");
        assert!(matches!(
            cli.fetch(&Input::OsdDump),
            Err(FetchError::Command { .. })
        ));
        let cli = CephCli::new().program("/nonexistent/ceph");
        assert!(matches!(cli.fetch(&Input::OsdDump), Err(FetchError::Io(_))));
        let cli = CephCli::new().program("echo");
        let out = cli.fetch(&Input::DfDetail).unwrap();
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
        let name = |doc: &Input| {
            d.file(doc)
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        };
        assert_eq!(name(&Input::HealthDetail).as_deref(), Some("health.json"));
        assert_eq!(
            name(&Input::MonStatus).as_deref(),
            Some("mon_status.mon.b.json")
        );
        assert_eq!(name(&Input::OsdDump), None);
        assert!(matches!(
            d.fetch(&Input::OsdDump),
            Err(FetchError::NotFound)
        ));
        assert_eq!(d.fetch(&Input::HealthDetail).unwrap(), b"{}");
        assert!(d.origin(&Input::OsdDump).ends_with("osd_dump.json"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
