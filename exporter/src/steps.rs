//! The run's step table: the module's collection methods, the inputs each step needs, and the
//! documents they read.

use std::time::Duration;

use ceph_types::{Command, Request};

use crate::collect::{ClusterCollector, Log, OwnedHealth, parse};
use crate::daemons::{self, DaemonIndex, MonDoc};
use crate::health::{self, SlowOps};
use crate::pools::{self, PgSummary};
use crate::spec::{StaticFamilies, Step};
use crate::{CollectError, Release, Source, osd};

/// The PG map's inputs: `pg dump`, or the two smaller dumps a source may give instead.
pub(crate) const PG: &[Command] = &[Command::PgDump, Command::PgDumpBrief, Command::PgDumpSum];

/// The cluster inputs, in the order they are read.
pub(crate) const CLUSTER_INPUTS: [Command; 14] = [
    Command::MonMetadata,
    Command::MgrMetadata,
    Command::MdsMetadata,
    Command::OsdMetadata,
    Command::ServiceDump,
    Command::Versions,
    Command::MgrDump,
    Command::HealthDetail,
    Command::OsdPoolStats,
    Command::DfDetail,
    Command::OsdDump,
    Command::OsdCrushDump,
    Command::FsDump,
    Command::MonStatus,
];

/// One of the module's collection methods: the name its duration series uses, the steps whose
/// families it writes with the inputs each needs (a step whose input failed has its families
/// left out), and what it does.
pub(crate) struct Method {
    pub(crate) name: &'static str,
    pub(crate) steps: &'static [(Step, &'static [Command])],
    pub(crate) run: Phase,
}

/// When a method runs: with the cluster documents, or once the PG map is in.
pub(crate) enum Phase {
    /// Runs with the cluster documents.
    Cluster(fn(&mut Ctx<'_, '_>)),
    /// Runs once the PG map is in.
    Pg(fn(&mut PgCtx<'_>)),
}

/// The run's step table, in execution order. The run reads the cluster inputs, runs every
/// `Cluster` method, the perf counters, then every `Pg` method once the PG map is read.
pub(crate) const METHODS: [Method; 15] = [
    Method {
        name: "get_health",
        steps: &[(Step::Health, &[Command::HealthDetail])],
        run: Phase::Cluster(get_health),
    },
    Method {
        name: "set_cephadm_daemon_status_metrics",
        steps: &[(Step::Cephadm, &[])],
        run: Phase::Cluster(orchestrator_only),
    },
    Method {
        name: "get_pool_stats",
        steps: &[(Step::PoolStats, &[Command::OsdPoolStats])],
        run: Phase::Cluster(|c| {
            if let Some(p) = &c.docs.pool_stats {
                pools::pool_stats(c.out, p);
            }
        }),
    },
    Method {
        name: "get_df",
        steps: &[(Step::Df, &[Command::DfDetail])],
        run: Phase::Cluster(|c| {
            if let Some(d) = &c.docs.df {
                pools::df(c.out, d);
            }
        }),
    },
    Method {
        name: "get_osd_blocklisted_entries",
        steps: &[(Step::Blocklist, &[Command::OsdDump])],
        run: Phase::Cluster(|c| {
            if let Some(m) = &c.docs.osd_dump {
                osd::blocklist(c.out, m);
            }
        }),
    },
    Method {
        name: "get_metadata_and_osd_status",
        steps: &[
            (Step::OsdMap, &[Command::OsdDump]),
            (
                Step::OsdMetadata,
                &[
                    Command::OsdDump,
                    Command::OsdCrushDump,
                    Command::OsdMetadata,
                ],
            ),
            (Step::Services, &[Command::ServiceDump]),
            (Step::RbdImages, &[Command::OsdDump]),
        ],
        run: Phase::Cluster(|c| {
            if let Some(m) = &c.docs.osd_dump {
                osd::osd_map(c.out, m, c.release);
                if let (Some(crush), Some(_)) = (&c.docs.crush, &c.docs.osd_md) {
                    osd::osd_metadata(c.out, m, crush, c.index);
                }
            }
            osd::services(c.out, c.index);
            crate::rbd::image_metadata(c);
        }),
    },
    Method {
        name: "get_fs",
        steps: &[(Step::Fs, &[Command::FsDump, Command::MdsMetadata])],
        run: Phase::Cluster(|c| {
            if let Some(f) = &c.docs.fs {
                daemons::fs(c.out, f, c.index);
            }
        }),
    },
    Method {
        name: "get_quorum_status",
        steps: &[(Step::Quorum, &[Command::MonStatus, Command::MonMetadata])],
        run: Phase::Cluster(|c| {
            if let Some(m) = &c.docs.mon_status {
                daemons::quorum(c.out, m, c.index);
            }
        }),
    },
    Method {
        name: "get_mgr_status",
        steps: &[(Step::Mgr, &[Command::MgrDump, Command::MgrMetadata])],
        run: Phase::Cluster(|c| {
            if let Some(m) = &c.docs.mgr_dump {
                daemons::mgr(c.out, m, c.index, c.release);
            }
        }),
    },
    Method {
        name: "get_smb_metadata",
        steps: &[(Step::Smb, &[])],
        run: Phase::Cluster(orchestrator_only),
    },
    Method {
        // Profiled by the module without a duration series (`profile_method(True)`).
        name: "",
        steps: &[(Step::Hardware, &[])],
        run: Phase::Cluster(orchestrator_only),
    },
    Method {
        name: "get_pg_status",
        steps: &[(Step::PgStatus, PG)],
        run: Phase::Pg(|c| pools::pg_status(c.out, c.pg)),
    },
    Method {
        name: "get_osd_stats",
        steps: &[(Step::OsdStats, PG)],
        run: Phase::Pg(|c| osd::osd_stats(c.out, c.pg)),
    },
    Method {
        name: "get_num_objects",
        steps: &[(Step::Repaired, PG), (Step::NumObjects, PG)],
        run: Phase::Pg(|c| {
            pools::repaired(c.out, c.pg);
            pools::num_objects(c.out, c.pg);
        }),
    },
    Method {
        // Part of the module's `collect()`, not profiled on its own.
        name: "",
        steps: &[(
            Step::DaemonHealth,
            &[
                Command::HealthDetail,
                Command::PgDump,
                Command::PgDumpBrief,
                Command::PgDumpSum,
                Command::MonMetadata,
                Command::OsdMetadata,
            ],
        )],
        run: Phase::Pg(|c| {
            if let Some((_, checks)) = c.health {
                let slow_ops = checks
                    .iter()
                    .find(|(name, _, _)| name == "SLOW_OPS")
                    .map(|(_, _, message)| message.as_str());
                health::daemon_health(c.out, c.daemon_names, slow_ops, &c.pg.creating);
            }
        }),
    },
];

/// The Tentacle methods that read what only a cephadm-managed cluster has: the orchestrator's
/// daemon list (`set_cephadm_daemon_status_metrics`), the smb module behind the orchestrator
/// (`get_smb_metadata`), node-proxy's hardware report (`get_hardware_metrics`). No Ceph command
/// or dump carries them; on a cluster without the orchestrator the module finds nothing and
/// writes the families' HELP and TYPE only, and so do we.
fn orchestrator_only(_: &mut Ctx<'_, '_>) {}

/// `get_health`: the health families, the health history, and the checks kept for the daemon
/// health step.
fn get_health(c: &mut Ctx<'_, '_>) {
    let Some(h) = &c.docs.health else {
        return;
    };
    match health::health(c.out, h, &mut c.collector.history) {
        Ok(SlowOps::Count(_)) => {}
        Ok(SlowOps::Incompatible) => c.collector.slow_ops_dropped = true,
        Err(health::UnknownStatus(value)) => {
            let input = Request::cluster(Command::HealthDetail);
            c.log.push(CollectError::Value {
                origin: c.src.origin(&input),
                input,
                path: "status",
                value,
            });
        }
    }
    *c.health = Some((
        h.effective_status()
            .map_or("", ceph_types::HealthStatus::as_str)
            .to_owned(),
        h.checks
            .iter()
            .map(|(name, check)| {
                (
                    name.to_owned(),
                    check.severity.as_str().to_owned(),
                    check.summary.message.to_string(),
                )
            })
            .collect(),
    ));
    if c.collector.slow_ops_dropped {
        c.out.remove("ceph_healthcheck_slow_ops");
    }
}

/// What a cluster method reads and writes.
pub(crate) struct Ctx<'r, 't> {
    pub(crate) src: &'r dyn Source,
    pub(crate) docs: &'r Docs<'t>,
    pub(crate) index: &'r DaemonIndex<'r>,
    pub(crate) release: Release,
    pub(crate) out: &'r mut StaticFamilies,
    pub(crate) collector: &'r mut ClusterCollector,
    pub(crate) log: &'r mut Log,
    pub(crate) health: &'r mut Option<OwnedHealth>,
}

/// What a PG method reads and writes.
pub(crate) struct PgCtx<'r> {
    pub(crate) pg: &'r PgSummary,
    pub(crate) out: &'r mut StaticFamilies,
    pub(crate) health: Option<&'r OwnedHealth>,
    pub(crate) daemon_names: &'r [(String, String)],
}

/// The cluster documents of one collection, each `None` when missing or malformed.
pub(crate) struct Docs<'t> {
    pub(crate) mon_md: Option<ceph_types::MonMetadata<'t>>,
    pub(crate) mgr_md: Option<ceph_types::MgrMetadata<'t>>,
    pub(crate) mds_md: Option<ceph_types::MdsMetadata<'t>>,
    pub(crate) osd_md: Option<ceph_types::OsdMetadata<'t>>,
    pub(crate) services: Option<ceph_types::ServiceDump<'t>>,
    pub(crate) versions: Option<ceph_types::Versions<'t>>,
    pub(crate) mgr_dump: Option<ceph_types::MgrDump<'t>>,
    pub(crate) health: Option<ceph_types::Health<'t>>,
    pub(crate) pool_stats: Option<ceph_types::OsdPoolStats<'t>>,
    pub(crate) df: Option<ceph_types::Df<'t>>,
    pub(crate) osd_dump: Option<ceph_types::OsdDump<'t>>,
    pub(crate) crush: Option<ceph_types::OsdCrushDump<'t>>,
    pub(crate) fs: Option<ceph_types::FsDump<'t>>,
    pub(crate) mon_status: Option<MonDoc<'t>>,
}

impl<'t> Docs<'t> {
    /// Parses the texts of [`CLUSTER_INPUTS`] (in that order), each with its model.
    pub(crate) fn parse(src: &dyn Source, texts: &'t [Option<String>], log: &mut Log) -> Docs<'t> {
        let text = |c: Command| {
            CLUSTER_INPUTS
                .iter()
                .position(|&i| i == c)
                .and_then(|i| texts[i].as_deref())
        };
        use ceph_types::Model;
        Docs {
            mon_md: parse(
                src,
                Command::MonMetadata,
                text(Command::MonMetadata),
                log,
                Model::parse,
            ),
            mgr_md: parse(
                src,
                Command::MgrMetadata,
                text(Command::MgrMetadata),
                log,
                Model::parse,
            ),
            mds_md: parse(
                src,
                Command::MdsMetadata,
                text(Command::MdsMetadata),
                log,
                Model::parse,
            ),
            osd_md: parse(
                src,
                Command::OsdMetadata,
                text(Command::OsdMetadata),
                log,
                Model::parse,
            ),
            services: parse(
                src,
                Command::ServiceDump,
                text(Command::ServiceDump),
                log,
                Model::parse,
            ),
            versions: parse(
                src,
                Command::Versions,
                text(Command::Versions),
                log,
                Model::parse,
            ),
            mgr_dump: parse(
                src,
                Command::MgrDump,
                text(Command::MgrDump),
                log,
                Model::parse,
            ),
            health: parse(
                src,
                Command::HealthDetail,
                text(Command::HealthDetail),
                log,
                |t| ceph_types::Health::parse_as(Command::HealthDetail, t),
            ),
            pool_stats: parse(
                src,
                Command::OsdPoolStats,
                text(Command::OsdPoolStats),
                log,
                Model::parse,
            ),
            df: parse(src, Command::DfDetail, text(Command::DfDetail), log, |t| {
                ceph_types::Df::parse_as(Command::DfDetail, t)
            }),
            osd_dump: parse(
                src,
                Command::OsdDump,
                text(Command::OsdDump),
                log,
                Model::parse,
            ),
            crush: parse(
                src,
                Command::OsdCrushDump,
                text(Command::OsdCrushDump),
                log,
                Model::parse,
            ),
            fs: parse(
                src,
                Command::FsDump,
                text(Command::FsDump),
                log,
                Model::parse,
            ),
            mon_status: parse(
                src,
                Command::MonStatus,
                text(Command::MonStatus),
                log,
                MonDoc::parse,
            ),
        }
    }
}

/// The steps that lost an input, given the failed cluster commands.
pub(crate) fn skipped_steps(failed: &[Command]) -> Vec<Step> {
    METHODS
        .iter()
        .flat_map(|m| m.steps.iter())
        .filter(|(_, inputs)| inputs.iter().any(|c| failed.contains(c)))
        .map(|(s, _)| *s)
        .collect()
}

/// The time spent on the distinct inputs of `method`'s steps.
pub(crate) fn inputs_time(method: &Method, log: &Log) -> Duration {
    let mut seen: Vec<Command> = Vec::new();
    let mut total = Duration::ZERO;
    for c in method.steps.iter().flat_map(|(_, inputs)| inputs.iter()) {
        if seen.contains(c) || PG.contains(c) {
            continue;
        }
        seen.push(*c);
        total += log
            .took
            .iter()
            .filter(|(r, _)| r.daemon_name().is_none() && r.command() == *c)
            .map(|(_, d)| *d)
            .sum::<Duration>();
    }
    total
}
