//! Per-pool and cluster-wide space and PG families: `get_df`, `get_pool_stats`,
//! `get_pg_status`, `get_pool_repaired_objects` and `get_num_objects`.

use std::collections::HashMap;

use crate::daemons::{int, owned};
use expfmt::Value;

#[cfg(test)]
use crate::input::PgMap;
use crate::input::{Df, PoolRecovery};
use crate::spec::{DF_CLUSTER, DF_POOL, NUM_OBJECTS, OSD_POOL_STATS, PG_STATES, StaticFamilies};

/// `get_df`: cluster totals, per-class totals (Reef and later) and per-pool usage.
pub(crate) fn df(out: &mut StaticFamilies, df: &Df<'_>) {
    for (i, stat) in DF_CLUSTER.iter().enumerate() {
        if let Some(v) = df.cluster[i] {
            out.push(&format!("ceph_cluster_{stat}"), [], v);
        }
        let by_class = format!("ceph_cluster_by_class_{stat}");
        for (class, values) in &df.by_class {
            if let Some(v) = values[i] {
                out.push(&by_class, [owned(class)], v);
            }
        }
    }
    for (i, stat) in DF_POOL.iter().enumerate() {
        let name = format!("ceph_pool_{stat}");
        for (id, values) in &df.pools {
            if let Some(v) = values[i] {
                out.push(&name, [int(*id)], v);
            }
        }
    }
}

/// `get_pool_stats`: per-pool recovery rates.
pub(crate) fn pool_stats(out: &mut StaticFamilies, pools: &[PoolRecovery]) {
    for pool in pools {
        for (i, stat) in OSD_POOL_STATS.iter().enumerate() {
            out.push(
                &format!("ceph_pool_{stat}"),
                [int(pool.pool_id)],
                pool.rates[i],
            );
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

impl PgSummary {
    /// Aggregates the PG map (the `ceph-types` path, the reference of the streaming reader
    /// in `pgscan`): each `+` part of a state string counts once for its state; parts
    /// that are not in `PG_STATES` are skipped (the module logs them).
    #[cfg(test)]
    pub(crate) fn new(pg: &PgMap<'_>) -> PgSummary {
        let mut by_pool: Vec<(&str, HashMap<&str, u64>)> = Vec::new();
        let mut pool_index: HashMap<&str, usize> = HashMap::new();
        let mut creating: HashMap<i64, u64> = HashMap::new();
        for p in &pg.pgs {
            let i = *pool_index.entry(p.pool).or_insert_with(|| {
                by_pool.push((p.pool, HashMap::new()));
                by_pool.len() - 1
            });
            *by_pool[i].1.entry(p.state).or_insert(0) += 1;
        }
        by_pool.sort_by(|a, b| a.0.cmp(b.0));
        let by_pool = by_pool
            .into_iter()
            .map(|(pool, states)| {
                let mut counts = [0u64; PG_STATES.len()];
                let mut total = 0u64;
                for (state, n) in states {
                    for part in state.split('+') {
                        if let Some(i) = PG_STATES.iter().position(|s| *s == part) {
                            counts[i] += n;
                        }
                    }
                    total += n;
                }
                (pool.to_owned(), counts, total)
            })
            .collect();
        for p in &pg.pgs {
            if p.state.split('+').any(|s| s == "creating") {
                *creating.entry(p.acting_primary).or_insert(0) += 1;
            }
        }
        PgSummary {
            by_pool,
            pool_repaired: pg.pool_repaired.clone(),
            osd_latency: pg.osd_latency.clone(),
            objects: pg.objects,
            creating,
        }
    }
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
    use crate::input::Pg;
    use crate::spec::static_specs;
    use expfmt::{MetricFamily, MetricValue, Value};

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
        let pg = PgMap {
            pgs: vec![
                Pg {
                    pool: "10",
                    state: "active+clean",
                    acting_primary: 0,
                },
                Pg {
                    pool: "2",
                    state: "active+undersized+degraded",
                    acting_primary: 0,
                },
                Pg {
                    pool: "2",
                    state: "active+undersized+degraded",
                    acting_primary: 0,
                },
                Pg {
                    pool: "2",
                    state: "active+clean+scrubbing+deep+weird",
                    acting_primary: 0,
                },
            ],
            ..PgMap::default()
        };
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        pg_status(&mut out, &PgSummary::new(&pg));
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
        let d = Df {
            cluster: [Some(Value::U64(100)), Some(Value::U64(40)), None],
            by_class: vec![("hdd", [Some(Value::U64(100)), None, None])],
            pools: vec![(4, {
                let mut v = [None; 16];
                v[0] = Some(Value::U64(7));
                v[15] = Some(Value::F64(0.25));
                v
            })],
        };
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
        let pg = PgMap {
            pool_repaired: vec![(5, Value::U64(2))],
            objects: [Some(Value::U64(490)), Some(Value::U64(0)), None],
            ..PgMap::default()
        };
        for (release, label) in [(Release::Pacific, "poolid"), (Release::Reef, "pool_id")] {
            let mut out = StaticFamilies::new(static_specs(release));
            let pg = PgSummary::new(&pg);
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
        let pools = [PoolRecovery {
            pool_id: 3,
            rates: [
                Value::U64(1),
                Value::U64(2),
                Value::U64(0),
                Value::U64(4),
                Value::U64(5),
            ],
        }];
        let mut out = StaticFamilies::new(static_specs(Release::Reef));
        pool_stats(&mut out, &pools);
        let fams: Vec<_> = out.into_families(&[]).collect();
        let f = fams
            .iter()
            .find(|f| f.name == "ceph_pool_num_bytes_recovered")
            .unwrap();
        assert_eq!(value(f, &["3"]), Some(5.0));
    }
}
