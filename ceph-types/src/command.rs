//! The Ceph commands whose JSON output this crate models.

use std::fmt;
use std::str::FromStr;

/// A Ceph command whose JSON output has a model in this crate.
///
/// Errors name the command whose output failed to parse, and the walker test maps fixture file
/// names (`osd_dump.json`, `perf_dump.osd.0.json`) to commands with [`Command::from_file_stem`].
///
/// ```
/// use ceph_types::Command;
///
/// let c: Command = "osd dump".parse()?;
/// assert_eq!(c, Command::OsdDump);
/// assert_eq!(c.file_stem(), "osd_dump");
/// assert_eq!(Command::from_file_stem("perf_dump"), Some(Command::PerfDump));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    /// Admin socket `ceph daemon <name> perf dump`.
    PerfDump,
    /// Admin socket `ceph daemon <name> perf schema`.
    PerfSchema,
    /// Admin socket `ceph daemon <name> counter dump` (Reef and later).
    CounterDump,
    /// Admin socket `ceph daemon <name> counter schema` (Reef and later).
    CounterSchema,
    /// `ceph health -f json`.
    Health,
    /// `ceph health detail -f json`.
    HealthDetail,
    /// `ceph status -f json`.
    Status,
    /// `ceph df -f json`.
    Df,
    /// `ceph df detail -f json`.
    DfDetail,
    /// `ceph osd dump -f json`.
    OsdDump,
    /// `ceph osd tree -f json`.
    OsdTree,
    /// `ceph osd df -f json`.
    OsdDf,
    /// `ceph osd perf -f json`.
    OsdPerf,
    /// `ceph osd metadata -f json`.
    OsdMetadata,
    /// `ceph osd crush dump -f json`.
    OsdCrushDump,
    /// `ceph osd pool stats -f json`.
    OsdPoolStats,
    /// `ceph pg dump -f json`.
    PgDump,
    /// `ceph pg stat -f json`.
    PgStat,
    /// `ceph mon dump -f json`.
    MonDump,
    /// `ceph quorum_status -f json`.
    QuorumStatus,
    /// `ceph mon_status -f json`, or admin socket `ceph daemon mon.<id> mon_status`.
    MonStatus,
    /// `ceph mgr dump -f json`.
    MgrDump,
    /// `ceph fs dump -f json`.
    FsDump,
    /// `ceph service dump -f json`.
    ServiceDump,
    /// `ceph versions -f json`.
    Versions,
    /// `ceph mon metadata -f json`.
    MonMetadata,
    /// `ceph mgr metadata -f json`.
    MgrMetadata,
    /// `ceph mds metadata -f json`.
    MdsMetadata,
    /// `ceph pg dump pgs_brief pools osds -f json`: the PG map without the per-PG statistics
    /// (about 20 times smaller than `pg dump` on a large cluster). Read with [`PgDump`]'s
    /// fields that it has.
    ///
    /// [`PgDump`]: crate::PgDump
    PgDumpBrief,
    /// `ceph pg dump sum -f json`: the PG map's totals.
    PgDumpSum,
    /// `rbd ls --pool <pool> --format json`: the RBD images of one pool, which the `rbd`
    /// client reads with librbd (no daemon answers it); see [`Request::pool`].
    RbdLs,
}

impl Command {
    /// Every command, in declaration order.
    pub const ALL: &'static [Command] = &[
        Command::PerfDump,
        Command::PerfSchema,
        Command::CounterDump,
        Command::CounterSchema,
        Command::Health,
        Command::HealthDetail,
        Command::Status,
        Command::Df,
        Command::DfDetail,
        Command::OsdDump,
        Command::OsdTree,
        Command::OsdDf,
        Command::OsdPerf,
        Command::OsdMetadata,
        Command::OsdCrushDump,
        Command::OsdPoolStats,
        Command::PgDump,
        Command::PgStat,
        Command::MonDump,
        Command::QuorumStatus,
        Command::MonStatus,
        Command::MgrDump,
        Command::FsDump,
        Command::ServiceDump,
        Command::Versions,
        Command::MonMetadata,
        Command::MgrMetadata,
        Command::MdsMetadata,
        Command::PgDumpBrief,
        Command::PgDumpSum,
        Command::RbdLs,
    ];

    /// The command as typed after `ceph` (or after `ceph daemon <name>`), e.g. `osd dump`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Command::PerfDump => "perf dump",
            Command::PerfSchema => "perf schema",
            Command::CounterDump => "counter dump",
            Command::CounterSchema => "counter schema",
            Command::Health => "health",
            Command::HealthDetail => "health detail",
            Command::Status => "status",
            Command::Df => "df",
            Command::DfDetail => "df detail",
            Command::OsdDump => "osd dump",
            Command::OsdTree => "osd tree",
            Command::OsdDf => "osd df",
            Command::OsdPerf => "osd perf",
            Command::OsdMetadata => "osd metadata",
            Command::OsdCrushDump => "osd crush dump",
            Command::OsdPoolStats => "osd pool stats",
            Command::PgDump => "pg dump",
            Command::PgStat => "pg stat",
            Command::MonDump => "mon dump",
            Command::QuorumStatus => "quorum_status",
            Command::MonStatus => "mon_status",
            Command::MgrDump => "mgr dump",
            Command::FsDump => "fs dump",
            Command::ServiceDump => "service dump",
            Command::Versions => "versions",
            Command::MonMetadata => "mon metadata",
            Command::MgrMetadata => "mgr metadata",
            Command::MdsMetadata => "mds metadata",
            Command::PgDumpBrief => "pg dump pgs_brief pools osds",
            Command::PgDumpSum => "pg dump sum",
            Command::RbdLs => "rbd ls",
        }
    }

    /// The command as a file stem: spaces become `_` (`osd dump` → `osd_dump`).
    pub const fn file_stem(self) -> &'static str {
        match self {
            Command::PerfDump => "perf_dump",
            Command::PerfSchema => "perf_schema",
            Command::CounterDump => "counter_dump",
            Command::CounterSchema => "counter_schema",
            Command::Health => "health",
            Command::HealthDetail => "health_detail",
            Command::Status => "status",
            Command::Df => "df",
            Command::DfDetail => "df_detail",
            Command::OsdDump => "osd_dump",
            Command::OsdTree => "osd_tree",
            Command::OsdDf => "osd_df",
            Command::OsdPerf => "osd_perf",
            Command::OsdMetadata => "osd_metadata",
            Command::OsdCrushDump => "osd_crush_dump",
            Command::OsdPoolStats => "osd_pool_stats",
            Command::PgDump => "pg_dump",
            Command::PgStat => "pg_stat",
            Command::MonDump => "mon_dump",
            Command::QuorumStatus => "quorum_status",
            Command::MonStatus => "mon_status",
            Command::MgrDump => "mgr_dump",
            Command::FsDump => "fs_dump",
            Command::ServiceDump => "service_dump",
            Command::Versions => "versions",
            Command::MonMetadata => "mon_metadata",
            Command::MgrMetadata => "mgr_metadata",
            Command::MdsMetadata => "mds_metadata",
            Command::PgDumpBrief => "pg_dump_pgs_brief_pools_osds",
            Command::PgDumpSum => "pg_dump_sum",
            Command::RbdLs => "rbd_ls",
        }
    }

    /// The command whose [`file_stem`](Command::file_stem) is `stem`, if any.
    pub fn from_file_stem(stem: &str) -> Option<Command> {
        Command::ALL.iter().copied().find(|c| c.file_stem() == stem)
    }
}

/// Who answers a [`Command`]: the monitors, the active manager, or one daemon (over `ceph
/// tell <daemon>` or its admin socket); or nobody, for what the client computes itself from
/// the pools' objects ([`Target::Client`], `rbd ls`).
///
/// Since Luminous the manager serves the PG map and everything derived from it (`pg dump`,
/// `df`, `osd df`, `osd perf`, `osd pool stats`, `service dump`); the monitors serve the maps
/// they hold. A client sends a monitor command with `mon_command` and a manager command with
/// `mgr_command` (librados), with the same JSON ([`Command::to_json`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A monitor command.
    Mon,
    /// A manager command.
    Mgr,
    /// A command to one daemon: `ceph tell <daemon> ...` or its admin socket.
    Daemon,
    /// Work the client library does itself against the pools (librbd's image listing), run
    /// by a client program other than `ceph` (`rbd`).
    Client,
}

impl Target {
    /// `mon`, `mgr` or `daemon`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::Mon => "mon",
            Target::Mgr => "mgr",
            Target::Daemon => "daemon",
            Target::Client => "client",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Command {
    /// Who answers the command.
    ///
    /// ```
    /// use ceph_types::{Command, Target};
    ///
    /// assert_eq!(Command::OsdDump.target(), Target::Mon);
    /// assert_eq!(Command::PgDump.target(), Target::Mgr);
    /// assert_eq!(Command::PerfDump.target(), Target::Daemon);
    /// ```
    pub const fn target(self) -> Target {
        match self {
            Command::PerfDump
            | Command::PerfSchema
            | Command::CounterDump
            | Command::CounterSchema => Target::Daemon,
            Command::Df
            | Command::DfDetail
            | Command::OsdDf
            | Command::OsdPerf
            | Command::OsdPoolStats
            | Command::PgDump
            | Command::PgStat
            | Command::PgDumpBrief
            | Command::PgDumpSum
            | Command::ServiceDump => Target::Mgr,
            Command::Health
            | Command::HealthDetail
            | Command::Status
            | Command::OsdDump
            | Command::OsdTree
            | Command::OsdMetadata
            | Command::OsdCrushDump
            | Command::MonDump
            | Command::QuorumStatus
            | Command::MonStatus
            | Command::MgrDump
            | Command::FsDump
            | Command::Versions
            | Command::MonMetadata
            | Command::MgrMetadata
            | Command::MdsMetadata => Target::Mon,
            Command::RbdLs => Target::Client,
        }
    }

    /// The command's `prefix`: the words that name it in Ceph's command table, without its
    /// arguments (`df` for `df detail`, `pg dump` for `pg dump sum`).
    pub const fn prefix(self) -> &'static str {
        match self {
            Command::HealthDetail => "health",
            Command::DfDetail => "df",
            Command::PgDumpBrief | Command::PgDumpSum => "pg dump",
            other => other.as_str(),
        }
    }

    /// The command's arguments as JSON members after the prefix (`"detail": "detail"`,
    /// `"dumpcontents": ["sum"]`), or `""`.
    const fn json_args(self) -> &'static str {
        match self {
            Command::HealthDetail | Command::DfDetail => r#","detail":"detail""#,
            Command::PgDumpBrief => r#","dumpcontents":["pgs_brief","pools","osds"]"#,
            Command::PgDumpSum => r#","dumpcontents":["sum"]"#,
            _ => "",
        }
    }

    /// The command as the JSON a client sends to the monitors, the manager or a daemon
    /// (`rados_mon_command`, `rados_mgr_command`, `ceph tell`, an admin socket), asking for
    /// JSON output. A [`Target::Client`] command is not sent to anyone; its JSON only names
    /// it.
    ///
    /// ```
    /// use ceph_types::Command;
    ///
    /// assert_eq!(Command::OsdDump.to_json(), r#"{"prefix":"osd dump","format":"json"}"#);
    /// assert_eq!(
    ///     Command::PgDumpSum.to_json(),
    ///     r#"{"prefix":"pg dump","dumpcontents":["sum"],"format":"json"}"#,
    /// );
    /// ```
    pub fn to_json(self) -> String {
        let mut s = String::with_capacity(64);
        s.push_str(r#"{"prefix":""#);
        s.push_str(self.prefix());
        s.push('"');
        s.push_str(self.json_args());
        s.push_str(r#","format":"json"}"#);
        s
    }

    /// The words typed after `ceph` (or `ceph tell <daemon>`), as the command-line client takes
    /// them: `["pg", "dump", "sum"]`.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        self.as_str().split(' ')
    }
}

/// A [`Command`] addressed to where it runs: the cluster (its monitors or manager), or one
/// daemon by name (`osd.0`) for the per-daemon commands (`perf dump`, `mon_status`, ...).
///
/// It is the vocabulary a source of dumps speaks: a file in a dump directory
/// ([`Request::file_name`]), a command line ([`Request::cli_args`]), or a command sent over a
/// connection ([`Command::to_json`] to the [`Request::target`]).
///
/// ```
/// use ceph_types::{Command, Request};
///
/// let r = Request::cluster(Command::OsdDump);
/// assert_eq!(r.file_name(), "osd_dump.json");
/// assert_eq!(r.cli_args(), ["osd", "dump", "-f", "json"]);
/// assert_eq!(r.to_string(), "osd dump");
///
/// let r = Request::daemon(Command::PerfDump, "osd.0");
/// assert_eq!(r.file_name(), "perf_dump.osd.0.json");
/// assert_eq!(r.cli_args(), ["tell", "osd.0", "perf", "dump", "-f", "json"]);
/// assert_eq!(r.to_string(), "tell osd.0 perf dump");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Request {
    command: Command,
    /// The daemon, or for a [`Target::Client`] command the pool.
    daemon: Option<Box<str>>,
}

impl Request {
    /// `command` sent to the cluster: to the monitors or the manager, as
    /// [`Command::target`] says.
    pub const fn cluster(command: Command) -> Request {
        Request {
            command,
            daemon: None,
        }
    }

    /// `command` run by the client against one pool (`rbd ls --pool <pool>`): for the
    /// commands whose [`Command::target`] is [`Target::Client`]. (With another command the
    /// name is taken as a daemon's, as [`Request::daemon`] does.)
    ///
    /// ```
    /// use ceph_types::{Command, Request, Target};
    ///
    /// let r = Request::pool(Command::RbdLs, "mini-rbd");
    /// assert_eq!(r.target(), Target::Client);
    /// assert_eq!((r.pool_name(), r.daemon_name()), (Some("mini-rbd"), None));
    /// assert_eq!(r.program(), "rbd");
    /// assert_eq!(r.cli_args(), ["ls", "--pool", "mini-rbd", "--format", "json"]);
    /// assert_eq!(r.file_name(), "rbd_ls.mini-rbd.json");
    /// assert_eq!(r.to_string(), "rbd ls --pool mini-rbd");
    /// ```
    pub fn pool(command: Command, pool: impl Into<Box<str>>) -> Request {
        Request {
            command,
            daemon: Some(pool.into()),
        }
    }

    /// `command` sent to one daemon (`osd.0`, `mon.a`).
    pub fn daemon(command: Command, daemon: impl Into<Box<str>>) -> Request {
        Request {
            command,
            daemon: Some(daemon.into()),
        }
    }

    /// The command.
    pub const fn command(&self) -> Command {
        self.command
    }

    /// The daemon it is addressed to, if any.
    pub fn daemon_name(&self) -> Option<&str> {
        match self.command.target() {
            Target::Client => None,
            _ => self.daemon.as_deref(),
        }
    }

    /// The pool a client command runs against ([`Request::pool`]), if any.
    pub fn pool_name(&self) -> Option<&str> {
        match self.command.target() {
            Target::Client => self.daemon.as_deref(),
            _ => None,
        }
    }

    /// Who answers: [`Target::Daemon`] when addressed to a daemon, else the command's own
    /// [`Command::target`].
    pub fn target(&self) -> Target {
        match self.daemon {
            Some(_) if self.command.target() != Target::Client => Target::Daemon,
            _ => self.command.target(),
        }
    }

    /// The client program that runs the request: `rbd` for [`Command::RbdLs`], else `ceph`.
    pub const fn program(&self) -> &'static str {
        match self.command {
            Command::RbdLs => "rbd",
            _ => "ceph",
        }
    }

    /// The file that holds the output in a dump directory: `<stem>.json`, or
    /// `<stem>.<daemon>.json` for a daemon (`perf_dump.osd.0.json`), the layout of
    /// `testdata/ceph/`.
    pub fn file_name(&self) -> String {
        let stem = self.command.file_stem();
        match &self.daemon {
            None => format!("{stem}.json"),
            Some(d) => format!("{stem}.{d}.json"),
        }
    }

    /// The command-line arguments of [`Request::program`] that print the output as JSON,
    /// without the client's own options (`--conf`): `osd dump -f json`,
    /// `tell osd.0 perf dump -f json`, `ls --pool mini-rbd --format json` (for `rbd`).
    pub fn cli_args(&self) -> Vec<String> {
        let mut v = Vec::with_capacity(8);
        if self.command == Command::RbdLs {
            v.push("ls".to_owned());
            if let Some(p) = &self.daemon {
                v.push("--pool".to_owned());
                v.push(p.to_string());
            }
            v.push("--format".to_owned());
            v.push("json".to_owned());
            return v;
        }
        if let Some(d) = &self.daemon {
            v.push("tell".to_owned());
            v.push(d.to_string());
        }
        v.extend(self.command.words().map(str::to_owned));
        v.push("-f".to_owned());
        v.push("json".to_owned());
        v
    }
}

impl From<Command> for Request {
    fn from(command: Command) -> Request {
        Request::cluster(command)
    }
}

impl fmt::Display for Request {
    /// The command as typed after `ceph`: `osd dump`, `tell osd.0 perf dump`; a client
    /// command with its program: `rbd ls --pool mini-rbd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.pool_name() {
            return write!(f, "{} --pool {p}", self.command.as_str());
        }
        if let Some(d) = &self.daemon {
            write!(f, "tell {d} ")?;
        }
        f.write_str(self.command.as_str())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown command name with [`Command::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ceph command `{name}`")]
pub struct UnknownCommand {
    /// The name that was not recognised.
    pub name: Box<str>,
}

impl FromStr for Command {
    type Err = UnknownCommand;

    /// Accepts the command as typed (`osd dump`) or as a file stem (`osd_dump`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Command::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s || c.file_stem() == s)
            .ok_or_else(|| UnknownCommand { name: s.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &c in Command::ALL {
            assert_eq!(c.as_str().parse::<Command>(), Ok(c));
            assert_eq!(c.file_stem().parse::<Command>(), Ok(c));
            assert_eq!(Command::from_file_stem(c.file_stem()), Some(c));
            assert_eq!(c.file_stem(), c.as_str().replace(' ', "_"));
            assert_eq!(c.to_string(), c.as_str());
        }
    }

    #[test]
    fn json_and_targets() {
        let cases = [
            (
                Command::OsdDump,
                Target::Mon,
                r#"{"prefix":"osd dump","format":"json"}"#,
            ),
            (
                Command::HealthDetail,
                Target::Mon,
                r#"{"prefix":"health","detail":"detail","format":"json"}"#,
            ),
            (
                Command::DfDetail,
                Target::Mgr,
                r#"{"prefix":"df","detail":"detail","format":"json"}"#,
            ),
            (
                Command::PgDumpBrief,
                Target::Mgr,
                r#"{"prefix":"pg dump","dumpcontents":["pgs_brief","pools","osds"],"format":"json"}"#,
            ),
            (
                Command::MonMetadata,
                Target::Mon,
                r#"{"prefix":"mon metadata","format":"json"}"#,
            ),
            (
                Command::PerfSchema,
                Target::Daemon,
                r#"{"prefix":"perf schema","format":"json"}"#,
            ),
        ];
        for (c, target, json) in cases {
            assert_eq!(c.target(), target, "{c}");
            assert_eq!(c.to_json(), json, "{c}");
        }
        for &c in Command::ALL {
            // The prefix and the arguments together are the words as typed.
            assert!(c.as_str().starts_with(c.prefix()), "{c}");
            assert_eq!(c.words().collect::<Vec<_>>().join(" "), c.as_str());
        }
    }

    #[test]
    fn requests() {
        let r = Request::daemon(Command::MonStatus, "mon.a");
        assert_eq!(r.target(), Target::Daemon);
        assert_eq!(r.daemon_name(), Some("mon.a"));
        assert_eq!(r.file_name(), "mon_status.mon.a.json");
        assert_eq!(r.to_string(), "tell mon.a mon_status");
        let r = Request::from(Command::PgDumpSum);
        assert_eq!(r.target(), Target::Mgr);
        assert_eq!(r.cli_args(), ["pg", "dump", "sum", "-f", "json"]);
        assert_eq!(r.file_name(), "pg_dump_sum.json");
    }

    #[test]
    fn unknown_names() {
        for name in ["", "osd", "osd  dump", "OSD DUMP", "perf_histogram_dump"] {
            let err = name.parse::<Command>().unwrap_err();
            assert_eq!(&*err.name, name);
            assert_eq!(Command::from_file_stem(name), None);
        }
    }
}
