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
        }
    }

    /// The command whose [`file_stem`](Command::file_stem) is `stem`, if any.
    pub fn from_file_stem(stem: &str) -> Option<Command> {
        Command::ALL.iter().copied().find(|c| c.file_stem() == stem)
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
    fn unknown_names() {
        for name in ["", "osd", "osd  dump", "OSD DUMP", "perf_histogram_dump"] {
            let err = name.parse::<Command>().unwrap_err();
            assert_eq!(&*err.name, name);
            assert_eq!(Command::from_file_stem(name), None);
        }
    }
}
