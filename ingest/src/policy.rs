//! Which archive policy a new metric gets: one fixed policy, or Gnocchi's
//! archive policy rules over a set of named policies.

use std::collections::BTreeMap;
use std::path::Path;

use carbonara::{
    ArchivePolicy, ArchivePolicyBuilder, ArchivePolicyRule, match_archive_policy_rule,
};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The policies of a daemon and how a new metric picks one: a fixed
/// policy (gnocchi-statsd's `archive_policy_name`), else the first
/// matching rule (`match_archive_policy_rule`).
///
/// ```
/// use ingest::Policies;
///
/// let fixed = Policies::load("medium")?;
/// assert_eq!(fixed.for_metric("anything|c")?.name(), "medium");
/// let rules = Policies::from_json(r#"{
///     "archive_policies": [{"name": "fine", "definition": [{"granularity": "1s", "points": 60}]}],
///     "archive_policy_rules": [{"name": "web", "metric_pattern": "web.*", "archive_policy_name": "fine"}]
/// }"#)?;
/// assert_eq!(rules.for_metric("web.hits|c")?.name(), "fine");
/// assert_eq!(rules.for_metric("db.hits|c")?.name(), "low"); // the default rule
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Policies {
    fixed: Option<ArchivePolicy>,
    by_name: BTreeMap<String, ArchivePolicy>,
    rules: Vec<ArchivePolicyRule>,
}

#[derive(Deserialize)]
struct PolicyFile {
    #[serde(default)]
    archive_policies: Vec<serde_json::Value>,
    #[serde(default)]
    archive_policy_rules: Vec<RuleJson>,
}

#[derive(Deserialize)]
struct RuleJson {
    name: String,
    metric_pattern: String,
    archive_policy_name: String,
}

impl Policies {
    /// One policy for every metric.
    #[must_use]
    pub fn fixed(policy: ArchivePolicy) -> Self {
        Policies {
            fixed: Some(policy),
            by_name: BTreeMap::new(),
            rules: Vec::new(),
        }
    }

    /// `NAME` (a built-in: `low`, `medium`, `high`, `bool`) or `FILE`: a
    /// single policy in Gnocchi's REST JSON form, or an object with
    /// `archive_policies` (REST forms, added to the built-ins) and
    /// `archive_policy_rules` (`name`, `metric_pattern`,
    /// `archive_policy_name`; Gnocchi's `default` rule `*` → `low`, which
    /// `gnocchi-upgrade` creates, is added unless a rule of that name is
    /// given).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if FILE cannot be read, [`Error::PolicyFile`] or
    /// [`Error::Carbonara`] if it does not parse, [`Error::UnknownPolicy`]
    /// if a rule names an undefined policy.
    pub fn load(spec: &str) -> Result<Self, Error> {
        if let Some(p) = ArchivePolicy::builtin(spec) {
            return Ok(Policies::fixed(p));
        }
        let path = Path::new(spec);
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text).map_err(|e| match e {
            Error::PolicyFile { source, .. } => Error::PolicyFile {
                path: path.to_owned(),
                source,
            },
            other => other,
        })
    }

    /// Parses the FILE form of [`Policies::load`].
    ///
    /// # Errors
    ///
    /// As [`Policies::load`].
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|source| Error::PolicyFile {
                path: "<inline>".into(),
                source,
            })?;
        let is_set =
            value.get("archive_policies").is_some() || value.get("archive_policy_rules").is_some();
        let policy_error = |source| Error::Carbonara {
            metric: String::new(),
            source,
        };
        if !is_set {
            return Ok(Policies::fixed(
                ArchivePolicy::from_rest_json(text).map_err(policy_error)?,
            ));
        }
        let file: PolicyFile =
            serde_json::from_value(value).map_err(|source| Error::PolicyFile {
                path: "<inline>".into(),
                source,
            })?;
        let mut by_name: BTreeMap<String, ArchivePolicy> = ArchivePolicy::BUILTIN_NAMES
            .iter()
            .filter_map(|n| ArchivePolicy::builtin(n).map(|p| ((*n).to_owned(), p)))
            .collect();
        for p in &file.archive_policies {
            let policy = ArchivePolicy::from_rest_json(&p.to_string()).map_err(policy_error)?;
            by_name.insert(policy.name().to_owned(), policy);
        }
        let mut rules: Vec<ArchivePolicyRule> = file
            .archive_policy_rules
            .into_iter()
            .map(|r| ArchivePolicyRule {
                name: r.name,
                metric_pattern: r.metric_pattern,
                archive_policy_name: r.archive_policy_name,
            })
            .collect();
        if !rules.iter().any(|r| r.name == "default") {
            rules.push(ArchivePolicyRule::default_rule());
        }
        if let Some(r) = rules
            .iter()
            .find(|r| !by_name.contains_key(&r.archive_policy_name))
        {
            return Err(Error::UnknownPolicy {
                name: r.archive_policy_name.clone(),
            });
        }
        Ok(Policies {
            fixed: None,
            by_name,
            rules,
        })
    }

    /// The policy of a new metric named `name`.
    ///
    /// # Errors
    ///
    /// [`Error::Carbonara`] ([`carbonara::Error::NoRuleMatch`]) when no
    /// rule matches.
    pub fn for_metric(&self, name: &str) -> Result<&ArchivePolicy, Error> {
        if let Some(p) = &self.fixed {
            return Ok(p);
        }
        let rule = match_archive_policy_rule(&self.rules, Some(name)).map_err(|source| {
            Error::Carbonara {
                metric: name.to_owned(),
                source,
            }
        })?;
        self.by_name
            .get(&rule.archive_policy_name)
            .ok_or_else(|| Error::UnknownPolicy {
                name: rule.archive_policy_name.clone(),
            })
    }
}

/// A policy as the storage index keeps it: every duration in ns, so it
/// rebuilds exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredPolicy {
    name: String,
    back_window: u64,
    aggregation_methods: Vec<String>,
    definition: Vec<StoredItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredItem {
    granularity_ns: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    points: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timespan_ns: Option<i64>,
}

impl StoredPolicy {
    pub(crate) fn from_policy(p: &ArchivePolicy) -> Self {
        StoredPolicy {
            name: p.name().to_owned(),
            back_window: p.back_window(),
            aggregation_methods: p
                .aggregation_methods()
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            definition: p
                .definition()
                .iter()
                .map(|d| StoredItem {
                    granularity_ns: d.granularity(),
                    points: d.points(),
                    timespan_ns: if d.points().is_some() {
                        None
                    } else {
                        d.timespan()
                    },
                })
                .collect(),
        }
    }

    pub(crate) fn to_policy(&self) -> Result<ArchivePolicy, carbonara::Error> {
        let mut b = ArchivePolicyBuilder::new(&self.name);
        b.back_window(self.back_window)
            .aggregation_methods(self.aggregation_methods.iter().map(String::as_str));
        for d in &self.definition {
            b.item_ns(Some(d.granularity_ns), d.points, d.timespan_ns);
        }
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_policies_rebuild_exactly() {
        let mut custom = ArchivePolicyBuilder::new("odd");
        custom
            .back_window(2)
            .aggregation_methods(["mean", "95pct", "rate:last"])
            .item_ns(Some(1_000_999_999), Some(10), None)
            .item_ns(Some(60_000_000_000), None, None);
        let custom = custom.build().expect("valid policy");
        let mut all: Vec<ArchivePolicy> = ArchivePolicy::BUILTIN_NAMES
            .iter()
            .filter_map(|n| ArchivePolicy::builtin(n))
            .collect();
        all.push(custom);
        for p in all {
            let stored = StoredPolicy::from_policy(&p);
            let json = serde_json::to_string(&stored).expect("serializes");
            let back: StoredPolicy = serde_json::from_str(&json).expect("parses");
            assert_eq!(back.to_policy().expect("rebuilds"), p, "{json}");
        }
    }

    #[test]
    fn rules_and_errors() {
        let p = Policies::from_json(
            r#"{"archive_policy_rules": [{"name": "a", "metric_pattern": "x*", "archive_policy_name": "high"},
                                          {"name": "b", "metric_pattern": "*", "archive_policy_name": "medium"}]}"#,
        )
        .expect("valid");
        assert_eq!(p.for_metric("xy").expect("rule").name(), "high");
        assert_eq!(p.for_metric("yx").expect("rule").name(), "medium");
        let bad = Policies::from_json(
            r#"{"archive_policy_rules": [{"name": "a", "metric_pattern": "*", "archive_policy_name": "nope"}]}"#,
        );
        assert!(matches!(bad, Err(Error::UnknownPolicy { name }) if name == "nope"));
        assert!(matches!(
            Policies::from_json("{"),
            Err(Error::PolicyFile { .. })
        ));
        let none = Policies::from_json(
            r#"{"archive_policy_rules": [{"name": "default", "metric_pattern": "x*", "archive_policy_name": "low"}]}"#,
        )
        .expect("valid");
        assert!(matches!(none.for_metric("y"), Err(Error::Carbonara { .. })));
    }
}
