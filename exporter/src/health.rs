//! `get_health` (status, SLOW_OPS, health-check history) and
//! `get_all_daemon_health_metrics`.

use std::borrow::Cow;
use std::collections::HashMap;

use ceph_types::{Health, HealthStatus};

use crate::daemons::owned;
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
            c.2 = health.checks.get(&c.0).is_some();
        }
        for (name, check) in health.checks.iter() {
            if !self.checks.iter().any(|c| c.0 == name) {
                if self.checks.len() == HISTORY_MAX {
                    self.checks.remove(0);
                }
                self.checks
                    .push((name.to_owned(), check.severity.as_str().to_owned(), true));
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
    let status: u64 = match health.effective_status() {
        Some(HealthStatus::Ok) => 0,
        Some(HealthStatus::Warn) => 1,
        Some(HealthStatus::Err) => 2,
        other => {
            let text = other.map_or("", HealthStatus::as_str);
            return Err(UnknownStatus(text.to_owned()));
        }
    };
    out.push("ceph_health_status", [], status);
    let slow = match slow_ops_message(health) {
        None => SlowOps::Count(0),
        Some(m) => leading_number(m).map_or(SlowOps::Incompatible, SlowOps::Count),
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

/// The summary message of the active `SLOW_OPS` check.
pub(crate) fn slow_ops_message<'h>(health: &'h Health<'_>) -> Option<&'h str> {
    health
        .checks
        .get("SLOW_OPS")
        .map(|c| c.summary.message.as_ref())
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
    slow_ops_message: Option<&str>,
    creating: &HashMap<i64, u64>,
) {
    let mut slow: HashMap<&str, u64> = HashMap::new();
    if let Some(message) = slow_ops_message {
        let total = leading_number(message).unwrap_or(0);
        if let Some((_, rest)) = message.split_once("daemons [") {
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
    use crate::daemons::md;
    use crate::spec::static_specs;

    fn samples(out: StaticFamilies, name: &str) -> Vec<(Vec<String>, f64)> {
        out.into_families(&[])
            .find(|f| f.name == name)
            .map(|f| crate::testutil::samples(&f))
            .unwrap_or_default()
    }

    /// A `health detail` document with `status` and WARN checks `(name, summary message)`.
    fn doc(status: &str, checks: &[(&str, &str)]) -> String {
        // Written by hand: the checks' order matters and `serde_json::Map` sorts keys.
        let checks: Vec<String> = checks
            .iter()
            .map(|(name, message)| {
                let check = serde_json::json!({"severity": "HEALTH_WARN",
                    "summary": {"message": message, "count": 1}, "muted": false});
                format!("{}: {check}", serde_json::Value::from(*name))
            })
            .collect();
        format!(
            r#"{{"status": "{status}", "checks": {{{}}}, "mutes": []}}"#,
            checks.join(", ")
        )
    }

    #[test]
    fn status_and_slow_ops() {
        let cases = [
            ("HEALTH_OK", vec![], Ok(SlowOps::Count(0))),
            (
                "HEALTH_WARN",
                vec![("SLOW_OPS", "42 slow ops, oldest one blocked for 12 sec")],
                Ok(SlowOps::Count(42)),
            ),
            (
                "HEALTH_WARN",
                vec![("SLOW_OPS", "slow ops everywhere")],
                Ok(SlowOps::Incompatible),
            ),
            (
                "HEALTH_WARN",
                vec![("SLOW_OPS", "")],
                Ok(SlowOps::Incompatible),
            ),
            (
                "HEALTH_UNKNOWN",
                vec![],
                Err(UnknownStatus("HEALTH_UNKNOWN".into())),
            ),
            (
                "HEALTH_BOGUS",
                vec![],
                Err(UnknownStatus("HEALTH_UNKNOWN".into())),
            ),
        ];
        for (status, checks, want) in cases {
            let text = doc(status, &checks);
            let h = Health::parse(&text).unwrap();
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
        let first = doc(
            "HEALTH_WARN",
            &[("PG_AVAILABILITY", "x"), ("OSD_DOWN", "1 osds down")],
        );
        let first = Health::parse(&first).unwrap();
        let second = doc("HEALTH_WARN", &[("OSD_DOWN", "1 osds down")]);
        let second = Health::parse(&second).unwrap();
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
        let h = [("hostname", "h")];
        let osds = [md("0", &h), md("1", &h), md("3", &h)];
        let mons = [md("a", &h)];
        let mdss = [md("x", &h)];
        let index = crate::daemons::DaemonIndex::new(
            &[("osd", &osds), ("mon", &mons), ("mds", &mdss)],
            &[],
            None,
        );
        let names: Vec<(String, String)> = index
            .iter()
            .map(|d| (d.kind.to_owned(), d.id.to_string()))
            .collect();
        let slow = "5 slow ops, oldest one blocked for 3 sec, daemons [osd.0,osd.3] have slow ops.";
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        let pg = crate::pools::summarize(
            ceph_types::Command::PgDump,
            &br#"{"pg_map": {"pg_stats": [
                {"pgid": "1.0", "state": "creating+peering", "acting_primary": 1},
                {"pgid": "1.1", "state": "active+clean", "acting_primary": 1}]}}"#[..],
        )
        .unwrap();
        daemon_health(&mut out, &names, Some(slow), &pg.creating);
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
