//! `get_health` (status, SLOW_OPS, health-check history) and
//! `get_all_daemon_health_metrics`.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::daemons::owned;
use crate::input::Health;
use crate::spec::StaticFamilies;

/// The most health checks the history keeps (the module's `healthcheck_history_max_entries`
/// default); the oldest entry goes first.
const HISTORY_MAX: usize = 1000;

/// The health checks seen so far and whether each is active, as the module's
/// `HealthHistory` (kept in memory here, where the module keeps it in the mgr's KV store).
///
/// `ceph_health_detail` reports every check of the history: `1` while active, `0` once it
/// cleared. A collector reused across collections (`--listen`) keeps its history, so a check
/// that came and went stays visible at `0`, as in the module.
#[derive(Debug, Clone, Default)]
pub struct HealthHistory {
    /// Name, severity when first seen, active.
    checks: Vec<(String, String, bool)>,
}

impl HealthHistory {
    /// An empty history.
    pub fn new() -> Self {
        HealthHistory::default()
    }

    /// The number of checks remembered.
    pub fn len(&self) -> usize {
        self.checks.len()
    }

    /// Whether no check was ever seen.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Updates the history with the currently active checks.
    pub(crate) fn check(&mut self, health: &Health<'_>) {
        for c in &mut self.checks {
            c.2 = health.checks.iter().any(|h| h.name == c.0);
        }
        for h in &health.checks {
            if !self.checks.iter().any(|c| c.0 == h.name) {
                if self.checks.len() == HISTORY_MAX {
                    self.checks.remove(0);
                }
                self.checks
                    .push((h.name.to_owned(), h.severity.to_owned(), true));
            }
        }
    }
}

/// Why the health document cannot be turned into `ceph_health_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownStatus(pub(crate) String);

/// `get_health`.
///
/// # Errors
///
/// An unknown `status` (the module raises and collects nothing).
pub(crate) fn health(
    out: &mut StaticFamilies,
    health: &Health<'_>,
    history: &mut HealthHistory,
) -> Result<SlowOps, UnknownStatus> {
    let status: u64 = match health.status {
        "HEALTH_OK" => 0,
        "HEALTH_WARN" => 1,
        "HEALTH_ERR" => 2,
        other => return Err(UnknownStatus(other.to_owned())),
    };
    out.push("ceph_health_status", [], status);
    let slow = match health.checks.iter().find(|c| c.name == "SLOW_OPS") {
        None => SlowOps::Count(0),
        Some(c) => leading_number(c.message).map_or(SlowOps::Incompatible, SlowOps::Count),
    };
    if let SlowOps::Count(n) = slow {
        out.push("ceph_healthcheck_slow_ops", [], n);
    }
    history.check(health);
    // Labels `name` and `severity` in every release up to 20.2.4 (Ceph's main branch added a
    // `message` label after Tentacle was cut).
    for (name, severity, active) in &history.checks {
        out.push(
            "ceph_health_detail",
            [owned(name), owned(severity)],
            *active,
        );
    }
    Ok(slow)
}

/// The first space-separated word of `message` when it is all ASCII digits (the module's
/// `message.split(' ')[0].isdigit()`).
fn leading_number(message: &str) -> Option<u64> {
    message
        .split(' ')
        .next()
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|w| w.parse().ok())
}

/// What `get_health` made of the SLOW_OPS check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlowOps {
    /// The leading number of its summary (0 when the check is not active).
    Count(u64),
    /// Its summary does not start with a number: the module drops the family.
    Incompatible,
}

/// `get_all_daemon_health_metrics`: `SLOW_OPS` for every monitor and OSD, and
/// `PENDING_CREATING_PGS` for every OSD, in `list_servers()` order.
///
/// The mgr gets these from each daemon's own report; the dumps only have the cluster's
/// SLOW_OPS summary (`N slow ops, ..., daemons [osd.0,osd.3] have slow ops.`), so its total is
/// split evenly over the daemons it names (the first ones get the remainder), and pending
/// creating PGs are the PGs in state `creating` counted on their acting primary.
pub(crate) fn daemon_health(
    out: &mut StaticFamilies,
    daemons: &[(String, String)],
    health: &Health<'_>,
    creating: &HashMap<i64, u64>,
) {
    let mut slow: HashMap<&str, u64> = HashMap::new();
    if let Some(c) = health.checks.iter().find(|c| c.name == "SLOW_OPS") {
        let total = leading_number(c.message).unwrap_or(0);
        if let Some((_, rest)) = c.message.split_once("daemons [") {
            let list = rest.split_once(']').map_or(rest, |(l, _)| l);
            let names: Vec<&str> = list.split(',').map(str::trim).collect();
            let n = names.len() as u64;
            for (i, name) in names.into_iter().enumerate() {
                let extra = u64::from((i as u64) < total % n);
                slow.insert(name, total / n + extra);
            }
        }
    }
    for (kind, id) in daemons {
        if kind != "mon" && kind != "osd" {
            continue;
        }
        let name = format!("{kind}.{id}");
        let slow_ops = slow.get(name.as_str()).copied().unwrap_or(0);
        out.push(
            "ceph_daemon_health_metrics",
            [Cow::Borrowed("SLOW_OPS"), Cow::Owned(name.clone())],
            slow_ops,
        );
        if kind == "osd" {
            let pending = id
                .parse::<i64>()
                .ok()
                .and_then(|id| creating.get(&id).copied())
                .unwrap_or(0);
            out.push(
                "ceph_daemon_health_metrics",
                [Cow::Borrowed("PENDING_CREATING_PGS"), Cow::Owned(name)],
                pending,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Release;
    use crate::input::{Check, DaemonMetadata, Pg, PgMap};
    use crate::spec::static_specs;
    use expfmt::MetricValue;

    fn samples(out: StaticFamilies, name: &str) -> Vec<(Vec<String>, f64)> {
        out.into_families(&[])
            .find(|f| f.name == name)
            .map(|f| {
                f.metrics
                    .iter()
                    .map(|m| {
                        let v = match m.value {
                            MetricValue::Scalar(v) => v.as_f64(),
                            _ => f64::NAN,
                        };
                        (m.labels.iter().map(|l| l.value.to_string()).collect(), v)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn check(name: &'static str, message: &'static str) -> Check<'static> {
        Check {
            name,
            severity: "HEALTH_WARN",
            message,
        }
    }

    #[test]
    fn status_and_slow_ops() {
        let cases = [
            ("HEALTH_OK", vec![], Ok(SlowOps::Count(0))),
            (
                "HEALTH_WARN",
                vec![check(
                    "SLOW_OPS",
                    "42 slow ops, oldest one blocked for 12 sec",
                )],
                Ok(SlowOps::Count(42)),
            ),
            (
                "HEALTH_WARN",
                vec![check("SLOW_OPS", "slow ops everywhere")],
                Ok(SlowOps::Incompatible),
            ),
            (
                "HEALTH_WARN",
                vec![check("SLOW_OPS", "")],
                Ok(SlowOps::Incompatible),
            ),
            (
                "HEALTH_UNKNOWN",
                vec![],
                Err(UnknownStatus("HEALTH_UNKNOWN".into())),
            ),
        ];
        for (status, checks, want) in cases {
            let h = Health { status, checks };
            let mut out = StaticFamilies::new(static_specs(Release::Reef));
            let got = health(&mut out, &h, &mut HealthHistory::new());
            assert_eq!(got, want, "{status}");
            let slow = samples(out, "ceph_healthcheck_slow_ops");
            match want {
                Ok(SlowOps::Count(n)) => assert_eq!(slow, [(vec![], n as f64)]),
                _ => assert!(slow.is_empty()),
            }
        }
    }

    #[test]
    fn history_keeps_cleared_checks_at_zero() {
        let mut history = HealthHistory::new();
        let first = Health {
            status: "HEALTH_WARN",
            checks: vec![
                check("PG_AVAILABILITY", "x"),
                check("OSD_DOWN", "1 osds down"),
            ],
        };
        let second = Health {
            status: "HEALTH_WARN",
            checks: vec![check("OSD_DOWN", "1 osds down")],
        };
        let mut out = StaticFamilies::new(static_specs(Release::Pacific));
        health(&mut out, &first, &mut history).unwrap();
        let mut out = StaticFamilies::new(static_specs(Release::Pacific));
        health(&mut out, &second, &mut history).unwrap();
        assert_eq!(
            samples(out, "ceph_health_detail"),
            [
                (vec!["PG_AVAILABILITY".into(), "HEALTH_WARN".into()], 0.0),
                (vec!["OSD_DOWN".into(), "HEALTH_WARN".into()], 1.0),
            ]
        );
        assert_eq!(history.len(), 2);
        let mut out = StaticFamilies::new(static_specs(Release::Tentacle));
        health(&mut out, &second, &mut history).unwrap();
        // 20.2.4 labels the family as the older releases do (no `message`).
        assert_eq!(
            samples(out, "ceph_health_detail")[1].0,
            ["OSD_DOWN", "HEALTH_WARN"]
        );
    }

    #[test]
    fn daemon_health_splits_slow_ops_and_counts_creating() {
        let md = |id: &str| DaemonMetadata {
            id: id.into(),
            fields: vec![("hostname", "h")],
        };
        let osds = [md("0"), md("1"), md("3")];
        let mons = [md("a")];
        let mdss = [md("x")];
        let index = crate::daemons::DaemonIndex::new(
            &[("osd", &osds), ("mon", &mons), ("mds", &mdss)],
            &[],
        );
        let names: Vec<(String, String)> = index
            .iter()
            .map(|d| (d.kind.to_owned(), d.id.to_owned()))
            .collect();
        let h = Health {
            status: "HEALTH_WARN",
            checks: vec![check(
                "SLOW_OPS",
                "5 slow ops, oldest one blocked for 3 sec, daemons [osd.0,osd.3] have slow ops.",
            )],
        };
        let pg = PgMap {
            pgs: vec![
                Pg {
                    pool: "1",
                    state: "creating+peering",
                    acting_primary: 1,
                },
                Pg {
                    pool: "1",
                    state: "active+clean",
                    acting_primary: 1,
                },
            ],
            ..PgMap::default()
        };
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        let pg = crate::pools::PgSummary::new(&pg);
        daemon_health(&mut out, &names, &h, &pg.creating);
        let got: Vec<(String, String, f64)> = samples(out, "ceph_daemon_health_metrics")
            .into_iter()
            .map(|(l, v)| (l[0].clone(), l[1].clone(), v))
            .collect();
        let want = [
            ("SLOW_OPS", "mon.a", 0.0),
            ("SLOW_OPS", "osd.0", 3.0),
            ("PENDING_CREATING_PGS", "osd.0", 0.0),
            ("SLOW_OPS", "osd.1", 0.0),
            ("PENDING_CREATING_PGS", "osd.1", 1.0),
            ("SLOW_OPS", "osd.3", 2.0),
            ("PENDING_CREATING_PGS", "osd.3", 0.0),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b, v)| ((*a).to_owned(), (*b).to_owned(), *v))
            .collect();
        assert_eq!(got, want);
    }
}
