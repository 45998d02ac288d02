//! Archive policies, their items and rules, with Gnocchi's arithmetic.

use std::collections::BTreeSet;

use crate::error::{Error, PolicyError};
use crate::method::{Aggregation, AggregationMethod};

const NS_PER_S: i64 = 1_000_000_000;

/// Gnocchi's default `archive_policy.default_aggregation_methods`.
pub const DEFAULT_AGGREGATION_METHODS: [&str; 6] = ["mean", "min", "max", "sum", "std", "count"];

/// Seconds to ns as Gnocchi does: `int(seconds * 10e8)` (float multiply, then
/// truncation toward zero; 1.001 s gives 1,000,999,999 ns).
#[must_use]
pub fn seconds_to_ns(seconds: f64) -> i64 {
    (seconds * 10e8) as i64
}

/// One granularity of a policy: bucket width, number of points kept and the
/// resulting timespan, all in ns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArchivePolicyItem {
    granularity: i64,
    points: Option<u64>,
    timespan: Option<i64>,
}

impl ArchivePolicyItem {
    /// Builds an item from at least two of granularity, points and timespan
    /// (ns), completing the third as Gnocchi does: missing points =
    /// `int(timespan / granularity)` (float division), missing granularity =
    /// `timespan / points` truncated to whole ns, and the timespan always
    /// recomputed as `granularity × points`. A granularity alone gives an
    /// item without retention.
    ///
    /// # Errors
    ///
    /// [`PolicyError`] (reported for definition index 0; the builder
    /// re-indexes) for missing fields, inconsistent values, a non-positive
    /// granularity or zero points.
    pub fn new(
        granularity: Option<i64>,
        points: Option<u64>,
        timespan: Option<i64>,
    ) -> Result<Self, PolicyError> {
        Self::build(0, granularity, points, timespan)
    }

    /// As [`ArchivePolicyItem::new`] with seconds as floats (the numbers of
    /// Gnocchi's API), converted with [`seconds_to_ns`].
    ///
    /// # Errors
    ///
    /// As [`ArchivePolicyItem::new`].
    pub fn from_seconds(
        granularity: Option<f64>,
        points: Option<u64>,
        timespan: Option<f64>,
    ) -> Result<Self, PolicyError> {
        if let (Some(g), Some(p), Some(t)) = (granularity, points, timespan)
            && t != g * p as f64
        {
            return Err(PolicyError::Inconsistent { index: 0 });
        }
        // With all three given and consistent, the timespan is recomputed
        // from the converted granularity anyway.
        let timespan = if granularity.is_some() && points.is_some() {
            None
        } else {
            timespan
        };
        Self::build(
            0,
            granularity.map(seconds_to_ns),
            points,
            timespan.map(seconds_to_ns),
        )
    }

    fn build(
        index: usize,
        granularity: Option<i64>,
        points: Option<u64>,
        timespan: Option<i64>,
    ) -> Result<Self, PolicyError> {
        if let (Some(g), Some(p), Some(t)) = (granularity, points, timespan)
            && i128::from(t) != i128::from(g) * i128::from(p)
        {
            return Err(PolicyError::Inconsistent { index });
        }
        if let Some(g) = granularity
            && g <= 0
        {
            return Err(PolicyError::Granularity { index, nanos: g });
        }
        if points == Some(0) {
            return Err(PolicyError::Points { index });
        }
        // Points are multiplied into an i64 timespan: 2^63 or more would wrap
        // negative and truncate every point away.
        if let Some(p) = points
            && i64::try_from(p).is_err()
        {
            return Err(PolicyError::TooManyPoints { index, points: p });
        }
        let granularity = match granularity {
            Some(g) => g,
            None => match (points, timespan) {
                (Some(p), Some(t)) => {
                    let g = (t as f64 / p as f64) as i64;
                    if g <= 0 {
                        return Err(PolicyError::Granularity { index, nanos: g });
                    }
                    g
                }
                _ => return Err(PolicyError::MissingFields { index }),
            },
        };
        let points = match points {
            Some(p) => Some(p),
            None => match timespan {
                None => None,
                Some(t) => {
                    let p = (t as f64 / granularity as f64) as i64;
                    if p <= 0 {
                        return Err(PolicyError::Points { index });
                    }
                    Some(p as u64)
                }
            },
        };
        let timespan = points.map(|p| granularity.saturating_mul(p as i64));
        Ok(ArchivePolicyItem {
            granularity,
            points,
            timespan,
        })
    }

    /// Bucket width in ns.
    #[must_use]
    pub fn granularity(&self) -> i64 {
        self.granularity
    }

    /// Points kept (`None`: unbounded).
    #[must_use]
    pub fn points(&self) -> Option<u64> {
        self.points
    }

    /// Retention in ns, `granularity × points` (`None`: unbounded).
    #[must_use]
    pub fn timespan(&self) -> Option<i64> {
        self.timespan
    }
}

/// An archive policy: back window, granularities and aggregation methods.
///
/// Build one with [`ArchivePolicyBuilder`], take a built-in with
/// [`ArchivePolicy::builtin`], or parse Gnocchi's REST form with
/// [`ArchivePolicy::from_rest_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePolicy {
    name: String,
    back_window: u64,
    definition: Vec<ArchivePolicyItem>,
    methods: Vec<AggregationMethod>,
}

impl ArchivePolicy {
    /// Names of the built-in policies (`gnocchi-upgrade` creates them).
    pub const BUILTIN_NAMES: [&'static str; 4] = ["bool", "high", "low", "medium"];

    /// A built-in policy: `bool`, `low`, `medium` or `high`, with the
    /// default methods where Gnocchi stores none.
    #[must_use]
    pub fn builtin(name: &str) -> Option<ArchivePolicy> {
        const DAY: i64 = 86_400;
        let items: &[(i64, i64)] = match name {
            "bool" => &[(1, 365 * DAY)],
            "low" => &[(300, 30 * DAY)],
            "medium" => &[(60, 7 * DAY), (3600, 365 * DAY)],
            "high" => &[(1, 3600), (60, 7 * DAY), (3600, 365 * DAY)],
            _ => return None,
        };
        let mut b = ArchivePolicyBuilder::new(name);
        if name == "bool" {
            b.back_window(3600).aggregation_methods(["last"]);
        }
        for &(g, t) in items {
            b.item_ns(Some(g * NS_PER_S), None, Some(t * NS_PER_S));
        }
        b.build().ok()
    }

    /// Parses Gnocchi's REST form of a policy:
    /// `{"aggregation_methods": ["mean", "95pct"], "back_window": 0,
    /// "definition": [{"granularity": "60s", "timespan": "1 day"}, {"granularity": 3600, "points": 24}]}`.
    /// Durations are seconds (numbers or numeric strings) or time
    /// expressions (`60s`, `1 day`, `1h30m`, `2 weeks`); `name` is optional
    /// (default `custom`); `aggregation_methods` defaults to Gnocchi's
    /// defaults.
    ///
    /// # Errors
    ///
    /// [`Error::PolicyJson`] for malformed JSON or fields of the wrong type
    /// (with line and column), [`Error::InvalidPolicy`] for invalid values.
    pub fn from_rest_json(json: &str) -> Result<ArchivePolicy, Error> {
        let rest: rest::Policy = serde_json::from_str(json).map_err(Error::PolicyJson)?;
        let mut b = ArchivePolicyBuilder::new(rest.name.as_deref().unwrap_or("custom"));
        b.back_window(rest.back_window.unwrap_or(0));
        if let Some(methods) = &rest.aggregation_methods {
            b.aggregation_methods(methods.iter().map(String::as_str));
        }
        for (index, item) in rest.definition.iter().enumerate() {
            let g = item
                .granularity
                .as_ref()
                .map(|d| d.to_ns(index, "granularity"))
                .transpose();
            let t = item
                .timespan
                .as_ref()
                .map(|d| d.to_ns(index, "timespan"))
                .transpose();
            match (g, t) {
                (Ok(g), Ok(t)) => {
                    b.item_ns(g, item.points, t);
                }
                (Err(reason), _) | (_, Err(reason)) => return Err(Error::InvalidPolicy { reason }),
            }
        }
        b.build()
    }

    /// The policy name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many blocks late points may arrive.
    #[must_use]
    pub fn back_window(&self) -> u64 {
        self.back_window
    }

    /// The items, in the order given.
    #[must_use]
    pub fn definition(&self) -> &[ArchivePolicyItem] {
        &self.definition
    }

    /// The resolved aggregation methods, sorted by name.
    #[must_use]
    pub fn aggregation_methods(&self) -> &[AggregationMethod] {
        &self.methods
    }

    /// The largest granularity: the block size of the raw buffer.
    #[must_use]
    pub fn max_block_size(&self) -> i64 {
        self.definition
            .iter()
            .map(|d| d.granularity)
            .max()
            .unwrap_or(0)
    }

    /// Whether any method is a `rate:` method (the pipeline then keeps one
    /// more block of raw data).
    #[must_use]
    pub fn has_rate(&self) -> bool {
        self.methods.iter().any(|m| m.is_rate())
    }

    /// Every aggregation: items by ascending granularity, then methods by
    /// name.
    #[must_use]
    pub fn aggregations(&self) -> Vec<Aggregation> {
        let mut items = self.definition.clone();
        items.sort_by_key(|d| d.granularity);
        items
            .iter()
            .flat_map(|d| {
                self.methods
                    .iter()
                    .map(|&m| Aggregation::new(m, d.granularity, d.timespan))
            })
            .collect()
    }

    /// The aggregation of `method` at `granularity`, if the policy has it.
    #[must_use]
    pub fn aggregation(&self, method: AggregationMethod, granularity: i64) -> Option<Aggregation> {
        if !self.methods.contains(&method) {
            return None;
        }
        self.definition
            .iter()
            .find(|d| d.granularity == granularity)
            .map(|d| Aggregation::new(method, d.granularity, d.timespan))
    }
}

/// Builds a validated [`ArchivePolicy`].
///
/// ```
/// use carbonara::ArchivePolicyBuilder;
/// let policy = ArchivePolicyBuilder::new("custom")
///     .item_seconds(Some(60.0), None, Some(86_400.0))
///     .aggregation_methods(["-std", "+median"])
///     .build()?;
/// assert_eq!(policy.definition()[0].points(), Some(1440));
/// assert_eq!(policy.aggregation_methods().len(), 6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArchivePolicyBuilder {
    name: String,
    back_window: u64,
    items: Vec<ItemSpec>,
    methods: Option<Vec<String>>,
}

/// An item as given to the builder, in ns or in seconds.
#[derive(Debug, Clone, Copy)]
enum ItemSpec {
    Nanos(Option<i64>, Option<u64>, Option<i64>),
    Seconds(Option<f64>, Option<u64>, Option<f64>),
}

impl ArchivePolicyBuilder {
    /// A builder for a policy named `name`, back window 0, default methods.
    #[must_use]
    pub fn new(name: &str) -> Self {
        ArchivePolicyBuilder {
            name: name.to_owned(),
            back_window: 0,
            items: Vec::new(),
            methods: None,
        }
    }

    /// Blocks of late data accepted.
    pub fn back_window(&mut self, blocks: u64) -> &mut Self {
        self.back_window = blocks;
        self
    }

    /// Adds an item in ns (see [`ArchivePolicyItem::new`]).
    pub fn item_ns(
        &mut self,
        granularity: Option<i64>,
        points: Option<u64>,
        timespan: Option<i64>,
    ) -> &mut Self {
        self.items
            .push(ItemSpec::Nanos(granularity, points, timespan));
        self
    }

    /// Adds an item in seconds (see [`ArchivePolicyItem::from_seconds`]).
    pub fn item_seconds(
        &mut self,
        granularity: Option<f64>,
        points: Option<u64>,
        timespan: Option<f64>,
    ) -> &mut Self {
        self.items
            .push(ItemSpec::Seconds(granularity, points, timespan));
        self
    }

    /// The `aggregation_methods` list as Gnocchi takes it: names, `*`, and
    /// `+name` / `-name` edits (see [`resolve_aggregation_methods`]).
    pub fn aggregation_methods<'a>(
        &mut self,
        spec: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.methods = Some(spec.into_iter().map(str::to_owned).collect());
        self
    }

    /// Validates and builds the policy.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`]: an invalid item (with its index), no item,
    /// two items with one granularity, an invalid method entry, or a mixed
    /// plain and `+`/`-` list that leaves a bogus name (Gnocchi would keep
    /// `-mean` as a method name; this builder refuses it).
    pub fn build(&self) -> Result<ArchivePolicy, Error> {
        let invalid = |reason| Error::InvalidPolicy { reason };
        let mut definition = Vec::with_capacity(self.items.len());
        for (index, spec) in self.items.iter().enumerate() {
            let item = match *spec {
                ItemSpec::Seconds(g, p, t) => ArchivePolicyItem::from_seconds(g, p, t),
                ItemSpec::Nanos(g, p, t) => ArchivePolicyItem::build(index, g, p, t),
            };
            definition.push(item.map_err(|e| invalid(reindex(e, index)))?);
        }
        if definition.is_empty() {
            return Err(invalid(PolicyError::Empty));
        }
        if i64::try_from(self.back_window).is_err() {
            return Err(invalid(PolicyError::BackWindow {
                blocks: self.back_window,
            }));
        }
        let mut seen = BTreeSet::new();
        for d in &definition {
            if !seen.insert(d.granularity) {
                return Err(invalid(PolicyError::DuplicateGranularity {
                    nanos: d.granularity,
                }));
            }
        }
        let spec: Vec<&str> = match &self.methods {
            Some(m) => m.iter().map(String::as_str).collect(),
            None => DEFAULT_AGGREGATION_METHODS.to_vec(),
        };
        let names = resolve_aggregation_methods(&spec).map_err(invalid)?;
        let mut methods = Vec::with_capacity(names.len());
        for name in names {
            match name.parse::<AggregationMethod>() {
                Ok(m) => methods.push(m),
                Err(_) => return Err(invalid(PolicyError::MixedMethodSpec { value: name })),
            }
        }
        methods.sort_by_key(|m| m.as_str());
        Ok(ArchivePolicy {
            name: self.name.clone(),
            back_window: self.back_window,
            definition,
            methods,
        })
    }
}

fn reindex(e: PolicyError, index: usize) -> PolicyError {
    match e {
        PolicyError::MissingFields { .. } => PolicyError::MissingFields { index },
        PolicyError::Inconsistent { .. } => PolicyError::Inconsistent { index },
        PolicyError::Granularity { nanos, .. } => PolicyError::Granularity { index, nanos },
        PolicyError::Points { .. } => PolicyError::Points { index },
        PolicyError::TooManyPoints { points, .. } => PolicyError::TooManyPoints { index, points },
        other => other,
    }
}

/// Resolves an `aggregation_methods` list as Gnocchi does, at the level of
/// names: `*` → all 216 valid names; a list of only `+`/`-` entries starts
/// from [`DEFAULT_AGGREGATION_METHODS`]; otherwise from the entries
/// themselves; then every `-name` is removed and every `+name` added. When
/// plain and `+`/`-` entries are mixed the `+x`/`-x` strings stay in the
/// result, as in Gnocchi (`["mean", "-mean"]` → `{"-mean"}`).
///
/// # Errors
///
/// [`PolicyError::Method`] for an entry that is not a valid name, `*`, or a
/// valid name with `+`/`-`.
pub fn resolve_aggregation_methods(spec: &[&str]) -> Result<BTreeSet<String>, PolicyError> {
    let valid = |s: &str| s.parse::<AggregationMethod>().is_ok();
    for &entry in spec {
        let ok = entry == "*" || valid(entry) || entry.strip_prefix(['+', '-']).is_some_and(valid);
        if !ok {
            return Err(PolicyError::Method {
                value: entry.to_owned(),
            });
        }
    }
    let mut set: BTreeSet<String> = if spec.contains(&"*") {
        AggregationMethod::all()
            .map(|m| m.as_str().to_owned())
            .collect()
    } else if spec.iter().all(|s| s.starts_with(['+', '-'])) {
        DEFAULT_AGGREGATION_METHODS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        spec.iter().map(|s| (*s).to_owned()).collect()
    };
    for &entry in spec {
        if let Some(name) = entry.strip_prefix('-') {
            set.remove(name);
        } else if let Some(name) = entry.strip_prefix('+') {
            set.insert(name.to_owned());
        }
    }
    Ok(set)
}

/// A rule giving new metrics a policy by name pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchivePolicyRule {
    /// Rule name.
    pub name: String,
    /// Shell-style pattern (`*`, `?`, `[seq]`, `[!seq]`), case-sensitive.
    pub metric_pattern: String,
    /// The policy a matching metric gets.
    pub archive_policy_name: String,
}

impl ArchivePolicyRule {
    /// The rule `gnocchi-upgrade` creates: `default`, `*` → `low`.
    #[must_use]
    pub fn default_rule() -> Self {
        ArchivePolicyRule {
            name: "default".to_owned(),
            metric_pattern: "*".to_owned(),
            archive_policy_name: "low".to_owned(),
        }
    }

    /// Whether `metric` matches the pattern.
    #[must_use]
    pub fn matches(&self, metric: &str) -> bool {
        fnmatch(self.metric_pattern.as_bytes(), metric.as_bytes())
    }
}

/// The rule that applies to a new metric: rules are tried by pattern
/// descending (string order), then name ascending; a metric without a name
/// matches as the empty string.
///
/// # Errors
///
/// [`Error::NoRuleMatch`] if no rule matches.
pub fn match_archive_policy_rule<'a>(
    rules: &'a [ArchivePolicyRule],
    metric: Option<&str>,
) -> Result<&'a ArchivePolicyRule, Error> {
    let metric = metric.unwrap_or("");
    let mut ordered: Vec<&ArchivePolicyRule> = rules.iter().collect();
    ordered.sort_by(|a, b| {
        b.metric_pattern
            .cmp(&a.metric_pattern)
            .then(a.name.cmp(&b.name))
    });
    ordered
        .into_iter()
        .find(|r| r.matches(metric))
        .ok_or_else(|| Error::NoRuleMatch {
            metric: metric.to_owned(),
        })
}

/// Shell-style matching as Python's `fnmatch.fnmatchcase`.
fn fnmatch(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(&pat[p..], s[i]) {
                        if matched {
                            p += next;
                            i += 1;
                            continue;
                        }
                    } else if s[i] == b'[' {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
                c if c == s[i] => {
                    p += 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// Matches one byte against a `[...]` class at the start of `pat`; returns
/// (matched, class length) or `None` if the class is not closed.
fn class(pat: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut j = 1;
    let negate = pat.get(j) == Some(&b'!');
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    while j < pat.len() {
        if pat[j] == b']' && !first {
            return Some((matched != negate, j + 1));
        }
        first = false;
        if j + 2 < pat.len() && pat[j + 1] == b'-' && pat[j + 2] != b']' {
            matched |= pat[j] <= c && c <= pat[j + 2];
            j += 3;
        } else {
            matched |= pat[j] == c;
            j += 1;
        }
    }
    None
}

/// Parses a duration as Gnocchi's API does: a number of seconds, or a time
/// expression (pytimeparse's unit form: `1w 2d 3h 4m 5s`, words such as
/// `days`, `hours`, `min`, `sec`, optional commas, decimals), then
/// [`seconds_to_ns`]. Clock forms (`1:30`) are not supported.
#[must_use]
pub fn parse_timespan(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>()
        && secs.is_finite()
    {
        return Some(seconds_to_ns(secs));
    }
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1.0, r.trim_start()),
        None => (1.0, s.strip_prefix('+').unwrap_or(s).trim_start()),
    };
    const UNITS: [(&[&str], f64); 5] = [
        (&["weeks", "week", "wks", "wk", "w"], 604_800.0),
        (&["days", "day", "dys", "dy", "d"], 86_400.0),
        (&["hours", "hour", "hrs", "hr", "h"], 3_600.0),
        (&["minutes", "minute", "mins", "min", "m"], 60.0),
        (&["seconds", "second", "secs", "sec", "s"], 1.0),
    ];
    let mut rest = rest;
    let mut total = 0.0;
    let mut next_unit = 0;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = rest[num_len..].trim_start();
        let (idx, word) = UNITS[next_unit..]
            .iter()
            .enumerate()
            .find_map(|(k, (words, _))| {
                words
                    .iter()
                    .find(|w| {
                        // `get`: the unit may be followed by a multi-byte
                        // character, where slicing would panic.
                        rest.get(..w.len())
                            .is_some_and(|u| u.eq_ignore_ascii_case(w))
                            && !rest[w.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
                    })
                    .map(|w| (next_unit + k, w.len()))
            })?;
        total += value * UNITS[idx].1;
        next_unit = idx + 1;
        any = true;
        rest = rest[word..].trim_start();
        rest = rest.strip_prefix([',', '/']).unwrap_or(rest).trim_start();
    }
    any.then(|| seconds_to_ns(sign * total))
}

/// The serde model of Gnocchi's REST archive policy body.
mod rest {
    use serde::Deserialize;

    use crate::error::PolicyError;

    #[derive(Deserialize)]
    pub(super) struct Policy {
        pub(super) name: Option<String>,
        pub(super) back_window: Option<u64>,
        pub(super) aggregation_methods: Option<Vec<String>>,
        pub(super) definition: Vec<Item>,
    }

    #[derive(Deserialize)]
    pub(super) struct Item {
        pub(super) granularity: Option<Duration>,
        pub(super) points: Option<u64>,
        pub(super) timespan: Option<Duration>,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum Duration {
        Seconds(f64),
        Text(String),
    }

    impl Duration {
        pub(super) fn to_ns(&self, index: usize, field: &'static str) -> Result<i64, PolicyError> {
            let ns = match self {
                Duration::Seconds(s) => Some(super::seconds_to_ns(*s)),
                Duration::Text(t) => super::parse_timespan(t),
            };
            match ns {
                Some(ns) if ns > 0 => Ok(ns),
                _ => Err(PolicyError::Timespan {
                    index,
                    field,
                    value: match self {
                        Duration::Seconds(s) => s.to_string(),
                        Duration::Text(t) => t.clone(),
                    },
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = NS_PER_S;

    #[test]
    fn item_arithmetic_table() {
        // (granularity s, points, timespan s) -> (granularity ns, points, timespan ns)
        let cases = [
            (
                (Some(1.5), Some(10), None),
                (1_500_000_000, Some(10), Some(15 * S)),
            ),
            (
                (Some(60.0), None, Some(604_800.0)),
                (60 * S, Some(10_080), Some(604_800 * S)),
            ),
            (
                (None, Some(7), Some(100.0)),
                (14_285_714_285, Some(7), Some(99_999_999_995)),
            ),
            (
                (Some(0.001), Some(3), None),
                (1_000_000, Some(3), Some(3_000_000)),
            ),
            (
                (Some(7.0), None, Some(100.0)),
                (7 * S, Some(14), Some(98 * S)),
            ),
            ((Some(1.001), None, None), (1_000_999_999, None, None)),
        ];
        for ((g, p, t), (wg, wp, wt)) in cases {
            let item = ArchivePolicyItem::from_seconds(g, p, t).unwrap();
            assert_eq!(
                (item.granularity(), item.points(), item.timespan()),
                (wg, wp, wt)
            );
        }
        let bad = [
            (
                (None, Some(7), None),
                PolicyError::MissingFields { index: 0 },
            ),
            (
                (Some(1.0), Some(2), Some(3.0)),
                PolicyError::Inconsistent { index: 0 },
            ),
            (
                (Some(0.0), Some(2), None),
                PolicyError::Granularity { index: 0, nanos: 0 },
            ),
            ((Some(1.0), Some(0), None), PolicyError::Points { index: 0 }),
            (
                (Some(10.0), None, Some(5.0)),
                PolicyError::Points { index: 0 },
            ),
        ];
        for ((g, p, t), want) in bad {
            assert_eq!(ArchivePolicyItem::from_seconds(g, p, t).unwrap_err(), want);
        }
    }

    #[test]
    fn resolution_table() {
        let cases: [(&[&str], &[&str]); 5] = [
            (&["-mean"], &["count", "max", "min", "std", "sum"]),
            (
                &["+95pct"],
                &["95pct", "count", "max", "mean", "min", "std", "sum"],
            ),
            (&["mean", "-mean"], &["-mean"]),
            (&["last"], &["last"]),
            (&[], &["count", "max", "mean", "min", "std", "sum"]),
        ];
        for (spec, want) in cases {
            let got = resolve_aggregation_methods(spec).unwrap();
            assert_eq!(
                got.iter().map(String::as_str).collect::<Vec<_>>(),
                want,
                "{spec:?}"
            );
        }
        assert_eq!(
            resolve_aggregation_methods(&["*", "-std"]).unwrap().len(),
            215
        );
        assert!(resolve_aggregation_methods(&["avg"]).is_err());
        assert!(matches!(
            ArchivePolicyBuilder::new("x")
                .item_ns(Some(S), Some(1), None)
                .aggregation_methods(["mean", "-mean"])
                .build(),
            Err(Error::InvalidPolicy {
                reason: PolicyError::MixedMethodSpec { .. }
            })
        ));
    }

    #[test]
    fn builtins() {
        let medium = ArchivePolicy::builtin("medium").unwrap();
        assert_eq!(medium.max_block_size(), 3600 * S);
        assert_eq!(medium.aggregations().len(), 12);
        let b = ArchivePolicy::builtin("bool").unwrap();
        assert_eq!(b.back_window(), 3600);
        assert_eq!(b.definition()[0].points(), Some(31_536_000));
        assert!(ArchivePolicy::builtin("nope").is_none());
    }

    #[test]
    fn timespan_table() {
        let cases = [
            ("60s", Some(60 * S)),
            ("1 day", Some(86_400 * S)),
            ("1h30m", Some(5_400 * S)),
            ("2 weeks", Some(1_209_600 * S)),
            ("3600", Some(3_600 * S)),
            ("1.5 minutes", Some(90 * S)),
            ("1 minute, 24 secs", Some(84 * S)),
            ("5 parsecs", None),
            ("", None),
            ("s", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_timespan(text), want, "{text}");
        }
    }

    #[test]
    fn rest_json() {
        let p = ArchivePolicy::from_rest_json(
            r#"{"aggregation_methods": ["mean", "95pct"], "back_window": 0,
               "definition": [{"granularity": "60s", "timespan": "1 day"}, {"granularity": 3600, "points": 24}]}"#,
        )
        .unwrap();
        assert_eq!(p.definition()[0].points(), Some(1440));
        assert_eq!(p.definition()[1].timespan(), Some(86_400 * S));
        assert_eq!(p.aggregation_methods().len(), 2);
        assert!(matches!(
            ArchivePolicy::from_rest_json("{"),
            Err(Error::PolicyJson(_))
        ));
        assert!(matches!(
            ArchivePolicy::from_rest_json(
                r#"{"definition": [{"granularity": "soon", "points": 2}]}"#
            ),
            Err(Error::InvalidPolicy {
                reason: PolicyError::Timespan { index: 0, .. }
            })
        ));
    }

    #[test]
    fn rules_table() {
        let rule = |name: &str, pat: &str, pol: &str| ArchivePolicyRule {
            name: name.into(),
            metric_pattern: pat.into(),
            archive_policy_name: pol.into(),
        };
        let rules = [
            ArchivePolicyRule::default_rule(),
            rule("disk", "disk.*", "high"),
            rule("cpu", "cpu.[0-9]", "medium"),
        ];
        let cases = [
            (Some("disk.io"), "high"),
            (Some("cpu.3"), "medium"),
            (Some("cpu.x"), "low"),
            (None, "low"),
        ];
        for (metric, want) in cases {
            assert_eq!(
                match_archive_policy_rule(&rules, metric)
                    .unwrap()
                    .archive_policy_name,
                want
            );
        }
        assert!(match_archive_policy_rule(&rules[1..], Some("mem")).is_err());
        for (pat, s, want) in [
            ("a*b", "aXXb", true),
            ("a?c", "abc", true),
            ("[!a]x", "ax", false),
            ("*", "", true),
            ("[", "[", true),
        ] {
            assert_eq!(fnmatch(pat.as_bytes(), s.as_bytes()), want, "{pat} {s}");
        }
    }
}
