//! Per-pool and cluster-wide space and PG families: `get_df`, `get_pool_stats`,
//! `get_pg_status`, `get_pool_repaired_objects` and `get_num_objects`.

use std::collections::HashMap;

use ceph_types::Number;
use expfmt::Value;

use crate::daemons::{int, owned};
use crate::spec::{DF_CLUSTER, DF_POOL, NUM_OBJECTS, OSD_POOL_STATS, PG_STATES, StaticFamilies};

/// `get_df`: cluster totals, per-class totals (Reef and later) and per-pool usage.
pub(crate) fn df(out: &mut StaticFamilies, df: &ceph_types::Df<'_>) {
    for stat in DF_CLUSTER {
        if let Some(v) = df.stats.get(stat) {
            out.push(&format!("ceph_cluster_{stat}"), [], value(v));
        }
        let by_class = format!("ceph_cluster_by_class_{stat}");
        for (class, stats) in df.stats_by_class.iter() {
            if let Some(v) = stats.get(stat) {
                out.push(&by_class, [owned(class)], value(v));
            }
        }
    }
    for stat in DF_POOL {
        let name = format!("ceph_pool_{stat}");
        for pool in &df.pools {
            if let Some(v) = pool.stats.get(stat) {
                out.push(&name, [int(pool.id)], value(v));
            }
        }
    }
}

/// `get_pool_stats`: per-pool recovery rates (absent rates are 0, as the module reads them).
pub(crate) fn pool_stats(out: &mut StaticFamilies, stats: &ceph_types::OsdPoolStats<'_>) {
    for pool in &stats.pools {
        for stat in OSD_POOL_STATS {
            let rate = pool.recovery_rate.get(stat).unwrap_or(0);
            out.push(&format!("ceph_pool_{stat}"), [int(pool.pool_id)], rate);
        }
    }
}

/// What the module reads from the PG map, aggregated: a large `pg dump` reduces to a few
/// numbers per pool and per OSD, so the dump can go as soon as this is built.
#[derive(Debug, Clone, Default)]
pub(crate) struct PgSummary {
    /// Per pool (string-sorted, as the mgr's `pg_summary`): PGs per `PG_STATES` entry, total.
    pub(crate) by_pool: Vec<(String, [u64; PG_STATES.len()], u64)>,
    pub(crate) pool_repaired: Vec<(i64, Value)>,
    pub(crate) osd_latency: Vec<(i64, Value, Value)>,
    pub(crate) objects: [Option<Value>; 3],
    /// PGs in state `creating`, per acting primary.
    pub(crate) creating: HashMap<i64, u64>,
}

/// Builds a [`PgSummary`] from the parts [`ceph_types::PgDumpReader`] hands out: each `+`
/// part of a state string counts once for its state; parts that are not in `PG_STATES` are
/// skipped (the module logs them).
#[derive(Debug, Default)]
pub(crate) struct PgAggregator {
    /// pool -> state -> PGs.
    by_pool: HashMap<String, HashMap<String, u64>>,
    summary: PgSummary,
}

/// Whether a state string has the `creating` part (such PGs count on their acting primary).
fn is_creating(state: &str) -> bool {
    state.split('+').any(|p| p == "creating")
}

impl ceph_types::PgDumpVisitor for PgAggregator {
    fn pg(&mut self, pg: ceph_types::StreamedPg<'_>) {
        let pool = pg.pool();
        if !self.by_pool.contains_key(pool) {
            self.by_pool.insert(pool.to_owned(), HashMap::new());
        }
        if let Some(states) = self.by_pool.get_mut(pool) {
            match states.get_mut(pg.state) {
                Some(n) => *n += 1,
                None => {
                    states.insert(pg.state.to_owned(), 1);
                }
            }
        }
        if is_creating(pg.state) {
            let primary = pg.acting_primary.unwrap_or(-1);
            *self.summary.creating.entry(primary).or_insert(0) += 1;
        }
    }

    fn wants_acting_primary(&mut self, state: &str) -> bool {
        is_creating(state)
    }

    fn pool_stats(&mut self, s: ceph_types::StreamedPoolStats) {
        let repaired = s.num_objects_repaired.map_or(Value::U64(0), value);
        self.summary.pool_repaired.push((s.poolid, repaired));
    }

    fn osd_stats(&mut self, s: ceph_types::StreamedOsdStats) {
        if let Some(osd) = s.osd {
            let ms = |v: Option<Number>| Value::F64(v.map_or(0.0, Number::as_f64));
            self.summary
                .osd_latency
                .push((osd, ms(s.apply_latency_ms), ms(s.commit_latency_ms)));
        }
    }

    fn stats_sum(&mut self, s: ceph_types::StreamedStatsSum) {
        self.summary.objects = [
            s.num_objects_degraded,
            s.num_objects_misplaced,
            s.num_objects_unfound,
        ]
        .map(|v| Some(v.map_or(Value::U64(0), value)));
    }
}

/// A number as Ceph wrote it, as an exposition value.
fn value(n: Number) -> Value {
    match n {
        Number::Uint(u) => Value::U64(u),
        Number::Int(i) => Value::I64(i),
        Number::Float(f) => Value::F64(f),
    }
}

impl PgAggregator {
    /// The summary of what was visited.
    pub(crate) fn finish(self) -> PgSummary {
        let mut by_pool: Vec<(String, [u64; PG_STATES.len()], u64)> = self
            .by_pool
            .into_iter()
            .map(|(pool, states)| {
                let mut counts = [0u64; PG_STATES.len()];
                let mut total = 0;
                for (state, n) in states {
                    for part in state.split('+') {
                        if let Some(i) = PG_STATES.iter().position(|s| *s == part) {
                            counts[i] += n;
                        }
                    }
                    total += n;
                }
                (pool, counts, total)
            })
            .collect();
        // String order of pools, as the mgr's `pg_summary`.
        by_pool.sort_by(|a, b| a.0.cmp(&b.0));
        PgSummary {
            by_pool,
            ..self.summary
        }
    }
}

/// Reads one PG input (`pg dump`, or one of the two smaller dumps, as `command` says) into
/// the module's summary, in one streaming pass.
///
/// # Errors
///
/// The reader's, with the byte offset.
pub(crate) fn summarize(
    command: ceph_types::Command,
    reader: impl std::io::Read,
) -> Result<PgSummary, ceph_types::Error> {
    let mut agg = PgAggregator::default();
    ceph_types::PgDumpReader::new(reader)
        .command(command)
        .visit(&mut agg)?;
    Ok(agg.finish())
}

impl PgSummary {
    /// Adds the parts of another summary of the same PG map (`pg dump pgs_brief pools osds`
    /// and `pg dump sum` each hold some of it).
    pub(crate) fn merge(&mut self, other: PgSummary) {
        for (pool, counts, total) in other.by_pool {
            match self.by_pool.binary_search_by(|p| p.0.cmp(&pool)) {
                Ok(i) => {
                    for (a, b) in self.by_pool[i].1.iter_mut().zip(counts) {
                        *a += b;
                    }
                    self.by_pool[i].2 += total;
                }
                Err(i) => self.by_pool.insert(i, (pool, counts, total)),
            }
        }
        self.pool_repaired.extend(other.pool_repaired);
        self.osd_latency.extend(other.osd_latency);
        for (a, b) in self.objects.iter_mut().zip(other.objects) {
            if b.is_some() {
                *a = b;
            }
        }
        for (osd, n) in other.creating {
            *self.creating.entry(osd).or_insert(0) += n;
        }
    }
}

/// `get_pg_status`: PGs per state and per pool, every known state zero-filled.
pub(crate) fn pg_status(out: &mut StaticFamilies, pg: &PgSummary) {
    let names: Vec<String> = PG_STATES.iter().map(|s| format!("ceph_pg_{s}")).collect();
    for (pool, counts, total) in &pg.by_pool {
        let label = || [owned(pool)];
        for (i, n) in counts.iter().enumerate() {
            out.push(&names[i], label(), *n);
        }
        out.push("ceph_pg_total", label(), *total);
    }
}

/// `get_pool_repaired_objects`: `num_objects_repaired` per pool, in `pool_stats` order.
/// The label name (`poolid` before Reef, `pool_id` from Reef) is the spec's.
pub(crate) fn repaired(out: &mut StaticFamilies, pg: &PgSummary) {
    for &(pool, v) in &pg.pool_repaired {
        out.push("ceph_pool_objects_repaired", [int(pool)], v);
    }
}

/// `get_num_objects`: degraded, misplaced and unfound objects.
pub(crate) fn num_objects(out: &mut StaticFamilies, pg: &PgSummary) {
    for (i, what) in NUM_OBJECTS.iter().enumerate() {
        if let Some(v) = pg.objects[i] {
            out.push(&format!("ceph_num_objects_{what}"), [], v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Release;
    use crate::spec::static_specs;
    use ceph_types::Command;
    use expfmt::{MetricFamily, MetricValue, Value};

    /// The summary of a `pg dump` text.
    fn summary(text: &str) -> PgSummary {
        summarize(Command::PgDump, text.as_bytes()).unwrap()
    }

    fn same(a: &PgSummary, b: &PgSummary) -> bool {
        let bits = |v: &Value| (v.as_f64().to_bits(), matches!(v, Value::F64(_)));
        a.by_pool == b.by_pool
            && a.creating == b.creating
            && a.pool_repaired.len() == b.pool_repaired.len()
            && a.pool_repaired
                .iter()
                .zip(&b.pool_repaired)
                .all(|(x, y)| x.0 == y.0 && x.1.as_f64() == y.1.as_f64())
            && a.osd_latency.len() == b.osd_latency.len()
            && a.osd_latency
                .iter()
                .zip(&b.osd_latency)
                .all(|(x, y)| x.0 == y.0 && bits(&x.1) == bits(&y.1) && bits(&x.2) == bits(&y.2))
            && a.objects
                .iter()
                .zip(&b.objects)
                .all(|(x, y)| x.map(Value::as_f64) == y.map(Value::as_f64))
    }

    /// The streamed summary of every captured `pg dump` equals the one built from the
    /// `ceph-types` model, and the two smaller dumps merge to it.
    #[test]
    fn streamed_summary_agrees_with_the_model_on_every_capture() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/ceph");
        let mut n = 0;
        for e in std::fs::read_dir(root).unwrap() {
            let path = e.unwrap().path().join("pg_dump.json");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let dump = ceph_types::PgDump::parse(&text).unwrap();
            let mut agg = PgAggregator::default();
            dump.visit(&mut agg);
            let want = agg.finish();
            let got = summary(&text);
            assert!(same(&got, &want), "{}", path.display());
            assert!(!got.by_pool.is_empty() && !got.osd_latency.is_empty());

            // `pg dump pgs_brief pools osds` and `pg dump sum`, as the mgr prints them.
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let map = &v["pg_map"];
            let brief = serde_json::json!({"pg_ready": true, "pool_stats": map["pool_stats"],
                "osd_stats": map["osd_stats"], "pg_stats": map["pg_stats"]});
            let sum = serde_json::json!({"pg_ready": true, "pg_map": {
                "pg_stats_sum": map["pg_stats_sum"], "osd_stats_sum": map["osd_stats_sum"]}});
            let mut merged = summarize(Command::PgDumpBrief, brief.to_string().as_bytes()).unwrap();
            merged.merge(summarize(Command::PgDumpSum, sum.to_string().as_bytes()).unwrap());
            assert!(same(&merged, &want), "{}", path.display());
            n += 1;
        }
        assert!(n >= 6, "{n} captures");
    }

    #[test]
    fn creating_pgs_count_on_their_acting_primary() {
        let pg = summary(
            r#"{"pg_map": {"pg_stats": [
                {"pgid": "1.0", "state": "creating+peering", "acting_primary": 3},
                {"pgid": "1.1", "state": "creating", "acting_primary": null},
                {"pgid": "1.2", "state": "active+clean", "acting_primary": 3},
                {"acting_primary": 4, "pgid": "1.3", "state": "creating"}]}}"#,
        );
        let mut got: Vec<_> = pg.creating.into_iter().collect();
        got.sort();
        assert_eq!(got, [(-1, 1), (3, 1), (4, 1)]);
    }

    fn value(f: &MetricFamily<'_>, labels: &[&str]) -> Option<f64> {
        f.metrics
            .iter()
            .find(|m| {
                m.labels
                    .iter()
                    .map(|l| l.value.as_ref())
                    .eq(labels.iter().copied())
            })
            .map(|m| match m.value {
                MetricValue::Scalar(v) => v.as_f64(),
                _ => f64::NAN,
            })
    }

    #[test]
    fn pg_states_split_and_zero_filled() {
        let pg = summary(
            r#"{"pg_map": {"pg_stats": [
                {"pgid": "10.0", "state": "active+clean"},
                {"pgid": "2.0", "state": "active+undersized+degraded"},
                {"pgid": "2.1", "state": "active+undersized+degraded"},
                {"pgid": "2.2", "state": "active+clean+scrubbing+deep+weird"}]}}"#,
        );
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        pg_status(&mut out, &pg);
        let fams: Vec<_> = out.into_families(&[]).collect();
        let get = |n: &str, pool: &str| value(fams.iter().find(|f| f.name == n).unwrap(), &[pool]);
        let cases = [
            ("ceph_pg_active", "2", Some(3.0)),
            ("ceph_pg_degraded", "2", Some(2.0)),
            ("ceph_pg_deep", "2", Some(1.0)),
            ("ceph_pg_total", "2", Some(3.0)),
            ("ceph_pg_clean", "10", Some(1.0)),
            ("ceph_pg_wait", "10", Some(0.0)),
            ("ceph_pg_total", "10", Some(1.0)),
            ("ceph_pg_total", "3", None),
        ];
        for (name, pool, want) in cases {
            assert_eq!(get(name, pool), want, "{name} {pool}");
        }
        // String order of pools, as the mgr's pg_summary.
        let total = fams.iter().find(|f| f.name == "ceph_pg_total").unwrap();
        assert_eq!(total.metrics[0].labels[0].value, "10");
    }

    #[test]
    fn df_by_class_only_where_the_release_has_it() {
        let text = r#"{"stats": {"total_bytes": 100, "total_avail_bytes": 60,
            "total_used_bytes": 40}, "stats_by_class": {"hdd": {"total_bytes": 100,
            "total_avail_bytes": 0, "total_used_bytes": 0}}, "pools": [{"name": "p", "id": 4,
            "stats": {"max_avail": 7, "percent_used": 0.25}}]}"#;
        let d = ceph_types::Df::parse(text).unwrap();
        for release in [Release::Pacific, Release::Reef] {
            let mut out = StaticFamilies::new(static_specs(release));
            df(&mut out, &d);
            let fams: Vec<_> = out.into_families(&[]).collect();
            let f = |n: &str| fams.iter().find(|f| f.name == n);
            assert_eq!(
                value(f("ceph_cluster_total_bytes").unwrap(), &[]),
                Some(100.0)
            );
            assert!(
                f("ceph_cluster_total_used_raw_bytes")
                    .unwrap()
                    .metrics
                    .is_empty()
            );
            assert_eq!(
                f("ceph_cluster_by_class_total_bytes").map(|f| value(f, &["hdd"])),
                (release == Release::Reef).then_some(Some(100.0))
            );
            assert_eq!(value(f("ceph_pool_max_avail").unwrap(), &["4"]), Some(7.0));
            assert_eq!(
                value(f("ceph_pool_percent_used").unwrap(), &["4"]),
                Some(0.25)
            );
            assert_eq!(value(f("ceph_pool_stored").unwrap(), &["4"]), None);
        }
    }

    #[test]
    fn repaired_label_follows_release() {
        let pg = PgSummary {
            pool_repaired: vec![(5, Value::U64(2))],
            objects: [Some(Value::U64(490)), Some(Value::U64(0)), None],
            ..PgSummary::default()
        };
        for (release, label) in [(Release::Pacific, "poolid"), (Release::Reef, "pool_id")] {
            let mut out = StaticFamilies::new(static_specs(release));
            repaired(&mut out, &pg);
            num_objects(&mut out, &pg);
            let fams: Vec<_> = out.into_families(&[]).collect();
            let r = fams
                .iter()
                .find(|f| f.name == "ceph_pool_objects_repaired")
                .unwrap();
            assert_eq!(r.metrics[0].labels[0].name, label);
            assert_eq!(r.metrics[0].labels[0].value, "5");
            let d = fams
                .iter()
                .find(|f| f.name == "ceph_num_objects_degraded")
                .unwrap();
            assert_eq!(value(d, &[]), Some(490.0));
            let u = fams
                .iter()
                .find(|f| f.name == "ceph_num_objects_unfound")
                .unwrap();
            assert!(u.metrics.is_empty());
        }
    }

    #[test]
    fn pool_recovery_rates() {
        let pools = ceph_types::OsdPoolStats::parse(
            r#"[{"pool_name": "p", "pool_id": 3, "recovery": {}, "client_io_rate": {},
                "recovery_rate": {"recovering_objects_per_sec": 1, "recovering_bytes_per_sec": 2,
                "num_objects_recovered": 4, "num_bytes_recovered": 5}}]"#,
        )
        .unwrap();
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        pool_stats(&mut out, &pools);
        let fams: Vec<_> = out.into_families(&[]).collect();
        let f = |n: &str| fams.iter().find(|f| f.name == n).unwrap();
        assert_eq!(value(f("ceph_pool_num_bytes_recovered"), &["3"]), Some(5.0));
        // Absent: 0, as the module reads it.
        assert_eq!(
            value(f("ceph_pool_recovering_keys_per_sec"), &["3"]),
            Some(0.0)
        );
    }
}
