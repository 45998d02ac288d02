//! A schema prepared once for a flavour, then mapped with any number of dumps.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use expfmt::{Label, Metric, MetricType, Value};

use crate::families::Target;
use crate::rules::{
    exporter_daemon_label, exporter_data_sync, mgr_daemon_label, mgr_data_sync, rbd_mirror_image,
};
use ceph_types::{Number, PerfCounterSchema, PerfValue};

use crate::{
    Dump, Error, Families, Flavor, Mapper, MetricKind, PerfCounterType, Priority, Schema,
    SkipReason, Skipped, promethize, promethize_exporter,
};

/// A schema prepared for one [`Mapper`]: every counter's family names, types, HELP texts and
/// static labels decided once. Made by [`Mapper::prepare`].
///
/// Mapping a dump then only looks values up and builds samples, so one prepared schema serves
/// every daemon that shares the schema (the OSDs of one release have identical schemas).
#[derive(Debug, Clone)]
pub struct PreparedSchema<'s> {
    /// Unique per preparation: keys the family-position caches of [`Families`].
    id: u64,
    mapper: Mapper,
    loggers: Vec<PLogger<'s>>,
    logger_index: HashMap<&'s str, usize>,
    plans: Vec<Plan<'s>>,
    /// Plan indices in emission order (by path for the mgr, as its `std::map` holds them).
    order: Vec<usize>,
    families: Vec<PFamily<'s>>,
    skipped: Vec<(&'s str, &'s str, SkipReason)>,
}

#[derive(Debug, Clone)]
struct PLogger<'s> {
    name: &'s str,
    instances: Vec<PInstance<'s>>,
}

#[derive(Debug, Clone)]
struct PInstance<'s> {
    /// Counter names in schema order, with their plan when exported.
    counters: Vec<(&'s str, Option<usize>)>,
    /// Counter name to position in `counters`, for dumps in another order.
    index: HashMap<&'s str, usize>,
}

#[derive(Debug, Clone)]
struct Plan<'s> {
    logger: &'s str,
    counter: &'s str,
    counter_type: PerfCounterType,
    plain: Emit<'s>,
    /// The mgr's rbd-mirror per-image variant, used for `rbd-mirror.*` daemons.
    rbd: Option<Emit<'s>>,
}

#[derive(Debug, Clone)]
struct Emit<'s> {
    /// The family of a plain value, or of the `_sum` of an average.
    family: usize,
    /// The `_count` family of an average.
    count: Option<usize>,
    /// Labels besides the daemon label (exporter flavour: sorted by name).
    labels: Vec<Label<'s>>,
    /// The mgr's `data-sync-from-zone` copy: families (plain or `_sum`, `_count`) and zone.
    copy: Option<(usize, Option<usize>, Cow<'s, str>)>,
}

#[derive(Debug, Clone)]
struct PFamily<'s> {
    name: String,
    help: Cow<'s, str>,
    metric_type: MetricType,
    uses: u32,
}

impl<'s> PreparedSchema<'s> {
    pub(crate) fn new(mapper: Mapper, schema: &'s Schema<'s>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let mut p = PreparedSchema {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            mapper,
            loggers: Vec::new(),
            logger_index: HashMap::new(),
            plans: Vec::new(),
            order: Vec::new(),
            families: Vec::new(),
            skipped: Vec::new(),
        };
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut paths: Vec<(String, usize)> = Vec::new();
        for (li, (lname, logger)) in schema.loggers().enumerate() {
            p.logger_index.entry(lname).or_insert(li);
            let mut instances = Vec::new();
            for (inst_labels, inst_counters) in logger {
                let mut counters = Vec::with_capacity(inst_counters.len());
                let mut index = HashMap::with_capacity(inst_counters.len());
                let labels = match mapper.flavor() {
                    Flavor::Mgr => None,
                    Flavor::Exporter => Some(instance_labels(inst_labels)),
                };
                // The mgr only ever sees unlabeled instances.
                let visible = labels.is_some() || inst_labels.is_empty();
                for (pos, (cname, cs)) in inst_counters.iter().enumerate() {
                    let cname: &'s str = cname;
                    index.entry(cname).or_insert(pos);
                    let plan = if visible {
                        p.plan_counter(lname, cname, cs, labels.as_deref(), &mut names)
                    } else {
                        None
                    };
                    if let (Some(idx), Flavor::Mgr) = (plan, mapper.flavor()) {
                        paths.push((format!("{lname}.{cname}"), idx));
                    }
                    counters.push((cname, plan));
                }
                instances.push(PInstance { counters, index });
            }
            p.loggers.push(PLogger {
                name: lname,
                instances,
            });
        }
        p.order = match mapper.flavor() {
            Flavor::Mgr => {
                paths.sort();
                paths.into_iter().map(|(_, i)| i).collect()
            }
            Flavor::Exporter => (0..p.plans.len()).collect(),
        };
        p
    }

    /// The mapper this schema was prepared for.
    pub fn mapper(&self) -> &Mapper {
        &self.mapper
    }

    /// The number of counters that will be exported (when the dump has them).
    pub fn planned(&self) -> usize {
        self.plans.len()
    }

    /// Plans one counter; `None` when it is filtered out or skipped.
    fn plan_counter(
        &mut self,
        logger: &'s str,
        counter: &'s str,
        cs: &'s PerfCounterSchema<'s>,
        labels: Option<&[Label<'s>]>,
        names: &mut HashMap<String, usize>,
    ) -> Option<usize> {
        let t = match self.check(cs) {
            Ok(Some(t)) => t,
            Ok(None) => return None,
            Err(reason) => {
                self.skipped.push((logger, counter, reason));
                return None;
            }
        };
        let desc: &'s str = cs.description.as_deref().unwrap_or("");
        let planned = match labels {
            None => self.plan_mgr(logger, counter, t, desc, names),
            Some(labels) => self.plan_exporter(logger, counter, cs, t, desc, labels, names),
        };
        match planned {
            Ok((plain, rbd)) => {
                self.plans.push(Plan {
                    logger,
                    counter,
                    counter_type: t,
                    plain,
                    rbd,
                });
                Some(self.plans.len() - 1)
            }
            Err(reason) => {
                self.skipped.push((logger, counter, reason));
                None
            }
        }
    }

    /// Priority filter and type checks common to both flavours; `Ok(None)` when filtered.
    fn check(&self, cs: &PerfCounterSchema<'_>) -> Result<Option<PerfCounterType>, SkipReason> {
        let priority = match cs.priority.map(|p| Priority::try_from(i64::from(p))) {
            Some(Ok(p)) => p,
            None => return Err(SkipReason::MissingPriority),
            Some(Err(_)) => {
                return Err(SkipReason::PriorityOutOfRange {
                    value: cs.priority.map_or(0, i64::from),
                });
            }
        };
        if priority < self.mapper.min_priority() {
            return Ok(None);
        }
        let counter_type = PerfCounterType::try_from(cs.type_bits).map_err(|e| match e {
            Error::UnknownTypeBits { bits } => SkipReason::UnknownTypeBits { bits },
            _ => SkipReason::UnknownTypeBits {
                bits: u64::from(cs.type_bits),
            },
        })?;
        if counter_type.is_histogram() {
            return Err(SkipReason::Histogram);
        }
        Ok(Some(counter_type))
    }

    fn plan_mgr(
        &mut self,
        logger: &'s str,
        counter: &'s str,
        t: PerfCounterType,
        desc: &'s str,
        names: &mut HashMap<String, usize>,
    ) -> Result<(Emit<'s>, Option<Emit<'s>>), SkipReason> {
        let stattype = match t.mgr_metric_type() {
            Some(MetricType::Histogram) => return Err(SkipReason::Histogram),
            Some(m) => m,
            None => return Err(SkipReason::UnsupportedType { counter_type: t }),
        };
        let path = format!("{logger}.{counter}");
        let mut plain = self.mgr_emit(&path, t, stattype, desc, Vec::new(), names)?;
        plain.copy = self.mgr_copy(&path, t, stattype, desc, names)?;
        let rbd = match rbd_mirror_image(&path) {
            Some(img) => {
                let labels = vec![
                    Label::new("pool", img.pool.to_owned()),
                    Label::new("namespace", img.namespace.to_owned()),
                    Label::new("image", img.image.to_owned()),
                ];
                let rpath = format!("rbd_mirror_image_{}", img.counter);
                Some(self.mgr_emit(&rpath, t, stattype, desc, labels, names)?)
            }
            None => None,
        };
        Ok((plain, rbd))
    }

    /// The families of one mgr metric key (`path`, or `path_sum` and `path_count`).
    fn mgr_emit(
        &mut self,
        path: &str,
        t: PerfCounterType,
        stattype: MetricType,
        desc: &'s str,
        labels: Vec<Label<'s>>,
        names: &mut HashMap<String, usize>,
    ) -> Result<Emit<'s>, SkipReason> {
        let (family, count) = if t.is_long_running_avg() {
            let sum = self.family(
                promethize(&format!("{path}_sum")),
                Cow::Owned(format!("{desc} Total")),
                stattype,
                names,
            )?;
            let count = self.family(
                promethize(&format!("{path}_count")),
                Cow::Owned(format!("{desc} Count")),
                MetricType::Counter,
                names,
            )?;
            (sum, Some(count))
        } else {
            (
                self.family(promethize(path), Cow::Borrowed(desc), stattype, names)?,
                None,
            )
        };
        Ok(Emit {
            family,
            count,
            labels,
            copy: None,
        })
    }

    /// The mgr's `data-sync-from-zone` copy families of `path`, if it is an RGW sync counter.
    #[expect(
        clippy::type_complexity,
        reason = "private helper returning the Emit::copy field as is"
    )]
    fn mgr_copy(
        &mut self,
        path: &str,
        t: PerfCounterType,
        stattype: MetricType,
        desc: &'s str,
        names: &mut HashMap<String, usize>,
    ) -> Result<Option<(usize, Option<usize>, Cow<'s, str>)>, SkipReason> {
        // Each metric key is matched on its own; `_sum`/`_count` have no `.`, so the zone and
        // the rewrite are those of the path.
        let Some((new_path, zone)) = mgr_data_sync(path) else {
            return Ok(None);
        };
        let zone = Cow::Owned(zone.to_owned());
        let copy = self.mgr_emit(&new_path, t, stattype, desc, Vec::new(), names)?;
        Ok(Some((copy.family, copy.count, zone)))
    }

    #[expect(clippy::too_many_arguments, reason = "private; one call site")]
    fn plan_exporter(
        &mut self,
        logger: &'s str,
        counter: &'s str,
        cs: &'s PerfCounterSchema<'s>,
        t: PerfCounterType,
        desc: &'s str,
        instance: &[Label<'s>],
        names: &mut HashMap<String, usize>,
    ) -> Result<(Emit<'s>, Option<Emit<'s>>), SkipReason> {
        let kind = match &cs.metric_type {
            Some(s) => s
                .parse::<MetricKind>()
                .map_err(|_| SkipReason::UnknownMetricKind {
                    name: s.as_ref().into(),
                })?,
            None => t.metric_kind(),
        };
        let mut name = promethize_exporter(&format!("{logger}_{counter}"));
        let mut labels = instance.to_vec();
        if let Some((new_name, zone)) = exporter_data_sync(&name) {
            if !labels.iter().any(|l| l.name == "source_zone") {
                labels.push(Label::new("source_zone", zone.to_owned()));
                labels.sort_by(|a, b| a.name.cmp(&b.name));
            }
            name = new_name;
        }
        let (family, count) = if t.is_long_running_avg() {
            let count = self.family(
                format!("{name}_count"),
                Cow::Owned(format!("{desc} Count")),
                MetricType::Counter,
                names,
            )?;
            let sum = self.family(
                format!("{name}_sum"),
                Cow::Owned(format!("{desc} Total")),
                kind.metric_type(),
                names,
            )?;
            (sum, Some(count))
        } else {
            (
                self.family(name, Cow::Borrowed(desc), kind.metric_type(), names)?,
                None,
            )
        };
        Ok((
            Emit {
                family,
                count,
                labels,
                copy: None,
            },
            None,
        ))
    }

    /// The family named `name` (sanitized when invalid), created on first use.
    fn family(
        &mut self,
        name: String,
        help: Cow<'s, str>,
        metric_type: MetricType,
        names: &mut HashMap<String, usize>,
    ) -> Result<usize, SkipReason> {
        let name = if expfmt::is_valid_metric_name(&name) {
            name
        } else {
            expfmt::sanitize_metric_name(&name)
        };
        if let Some(&i) = names.get(&name) {
            let f = &mut self.families[i];
            if f.metric_type != metric_type {
                return Err(SkipReason::ConflictingType {
                    family: name.into(),
                    existing: f.metric_type,
                    new: metric_type,
                });
            }
            f.uses += 1;
            return Ok(i);
        }
        self.families.push(PFamily {
            name: name.clone(),
            help,
            metric_type,
            uses: 1,
        });
        names.insert(name, self.families.len() - 1);
        Ok(self.families.len() - 1)
    }

    /// Maps one daemon's dump into `out`.
    ///
    /// `daemon` is the daemon's name (`osd.0`); for the exporter flavour it may also be its
    /// admin-socket file name (`ceph-osd.0.asok`). Counters the schema lists at the required
    /// priority but the dump lacks, or holds in another shape, are skipped and recorded in
    /// `out` (see [`Families::skipped`]), as are daemons whose label was already mapped into
    /// `out`. Dump counters the schema does not list are ignored.
    pub fn map<'a>(&self, daemon: &'a str, dump: &Dump<'_>, out: &mut Families<'a>)
    where
        's: 'a,
    {
        let flavor = self.mapper.flavor();
        let skip = |out: &mut Families<'a>, logger, counter, reason| {
            out.skipped.push(Skipped {
                daemon,
                logger,
                counter,
                reason,
            });
        };
        let (label_name, label_value, rbd_daemon) = match flavor {
            Flavor::Mgr => {
                let (n, v) = mgr_daemon_label(daemon);
                (n, v, v.starts_with("rbd-mirror."))
            }
            Flavor::Exporter => match exporter_daemon_label(daemon) {
                Some((n, v)) => (n, v, false),
                None => {
                    skip(out, "", "", SkipReason::NoDaemonLabel);
                    return;
                }
            },
        };
        if !out.claim_daemon(label_name, label_value) {
            skip(out, "", "", SkipReason::DuplicateDaemon);
            return;
        }
        for (logger, counter, reason) in &self.skipped {
            skip(out, logger, counter, reason.clone());
        }
        let daemon_label = Label::new(label_name, label_value);
        let values = self.lookup(dump);
        let mut seen = HashSet::new();
        if out.set.families.is_empty() {
            out.set.reserve(self.families.len());
        }
        let mut slots = out.set.take_slots(self.id, self.families.len());
        let mut copy_slots = out.copies.take_slots(self.id, self.families.len());
        for &i in &self.order {
            let plan = &self.plans[i];
            let emit = match (&plan.rbd, rbd_daemon) {
                (Some(rbd), true) => rbd,
                _ => &plan.plain,
            };
            let Some(value) = values[i] else {
                skip(out, plan.logger, plan.counter, SkipReason::MissingValue);
                continue;
            };
            let (main, count) = match self.convert(plan, value) {
                Ok(v) => v,
                Err(reason) => {
                    skip(out, plan.logger, plan.counter, reason);
                    continue;
                }
            };
            let labels = self.labels(&daemon_label, &emit.labels);
            if let Some((copy, copy_count, zone)) = &emit.copy {
                let mut l = labels.clone();
                l.push(Label::new("source_zone", zone.clone()));
                let pairs = [(Some(*copy), Some(main)), (*copy_count, count)];
                for (f, v) in pairs {
                    if let (Some(f), Some(v)) = (f, v) {
                        let m = Metric::scalar(l.clone(), v);
                        let t = self.target(f);
                        if let Err(reason) = out.copies.push(&mut copy_slots, &t, m, &mut seen) {
                            skip(out, plan.logger, plan.counter, reason);
                        }
                    }
                }
            }
            let (first, second) = match (emit.count, count) {
                (Some(f), Some(c)) => (Metric::scalar(labels.clone(), main), Some((f, c, labels))),
                _ => (Metric::scalar(labels, main), None),
            };
            let t = self.target(emit.family);
            let mut result = out.set.push(&mut slots, &t, first, &mut seen);
            if let Some((f, c, labels)) = second {
                let m = Metric::scalar(labels, c);
                let t = self.target(f);
                result = result.and(out.set.push(&mut slots, &t, m, &mut seen));
            }
            if let Err(reason) = result {
                skip(out, plan.logger, plan.counter, reason);
            }
        }
        out.set.put_slots(self.id, slots);
        out.copies.put_slots(self.id, copy_slots);
    }

    fn target(&self, family: usize) -> Target<'_, 's> {
        let f = &self.families[family];
        Target {
            number: family,
            name: &f.name,
            help: &f.help,
            metric_type: f.metric_type,
            shared: f.uses > 1,
        }
    }

    /// The dump's value for every plan, by walking the dump in step with the schema.
    fn lookup<'d>(&self, dump: &'d Dump<'_>) -> Vec<Option<&'d PerfValue>> {
        let mut values = vec![None; self.plans.len()];
        for (i, (dname, instances)) in dump.loggers().enumerate() {
            let li = match self.loggers.get(i) {
                Some(l) if l.name == dname => i,
                _ => match self.logger_index.get(dname) {
                    Some(&li) => li,
                    None => continue,
                },
            };
            // Instances pair by position, as ceph-exporter zips schema and dump arrays.
            for ((_, counters), pi) in instances.zip(&self.loggers[li].instances) {
                for (k, (cname, v)) in counters.iter().enumerate() {
                    let plan = match pi.counters.get(k) {
                        Some((n, plan)) if *n == cname.as_ref() => *plan,
                        _ => pi
                            .index
                            .get(cname.as_ref())
                            .and_then(|&pos| pi.counters[pos].1),
                    };
                    if let Some(p) = plan {
                        values[p] = Some(v);
                    }
                }
            }
        }
        values
    }

    /// The sample value(s) of a counter: the value, or the `_sum` and `_count` of an average.
    fn convert(
        &self,
        plan: &Plan<'_>,
        value: &PerfValue,
    ) -> Result<(Value, Option<Value>), SkipReason> {
        const AVG: &str = "an object with avgcount and sum";
        const NUMBER: &str = "a number";
        let avg = plan.counter_type.is_long_running_avg();
        let scalar = match *value {
            PerfValue::Uint(u) => Some(Value::U64(u)),
            PerfValue::Int(i) => Some(Value::I64(i)),
            PerfValue::Real(f) => Some(Value::F64(f)),
            _ => None,
        };
        let (main, count) = match (scalar, value.as_avg(), avg) {
            (Some(v), _, false) => (v, None),
            (_, Some(a), true) => (number(a.sum), Some(Value::U64(a.avgcount))),
            (found, found_avg, _) => {
                return Err(SkipReason::ValueShape {
                    expected: if avg { AVG } else { NUMBER },
                    found: match (found, found_avg) {
                        (Some(_), _) => NUMBER,
                        (_, Some(_)) => AVG,
                        _ => "a value of another shape",
                    },
                });
            }
        };
        // The mgr divides its nanoseconds by 1e9; dumps already hold seconds, and parsing
        // `secs.nnnnnnnnn` rounds exactly as that division does (for sums below 2^53 ns).
        let main = if self.mapper.flavor() == Flavor::Mgr && plan.counter_type.is_time() {
            Value::F64(main.as_f64())
        } else {
            main
        };
        if self.mapper.exact_integers() {
            Ok((main, count))
        } else {
            Ok((
                Value::F64(main.as_f64()),
                count.map(|c| Value::F64(c.as_f64())),
            ))
        }
    }

    /// The sample's labels: the daemon label and the counter's static labels.
    fn labels<'a>(&self, daemon: &Label<'a>, extra: &[Label<'s>]) -> Vec<Label<'a>>
    where
        's: 'a,
    {
        let mut labels = Vec::with_capacity(extra.len() + 1);
        match self.mapper.flavor() {
            Flavor::Mgr => {
                labels.push(daemon.clone());
                labels.extend(extra.iter().cloned());
            }
            Flavor::Exporter => {
                // A std::map: sorted by name; the counter's own label wins over the daemon's.
                labels.extend(extra.iter().cloned());
                if let Err(pos) = labels.binary_search_by(|l| l.name.cmp(&daemon.name)) {
                    labels.insert(pos, daemon.clone());
                }
            }
        }
        labels
    }
}

fn number(n: Number) -> Value {
    match n {
        Number::Uint(u) => Value::U64(u),
        Number::Int(i) => Value::I64(i),
        Number::Float(f) => Value::F64(f),
    }
}

/// A labeled instance's labels as ceph-exporter keeps them: empty names dropped, names made
/// valid, sorted by name, the first of equal names kept.
fn instance_labels<'s>(labels: &'s [(Cow<'s, str>, Cow<'s, str>)]) -> Vec<Label<'s>> {
    let mut out: Vec<Label<'s>> = Vec::with_capacity(labels.len());
    for (k, v) in labels {
        if k.is_empty() {
            continue;
        }
        let name: Cow<'s, str> = if expfmt::validate_label_name(k).is_ok() {
            Cow::Borrowed(k)
        } else {
            Cow::Owned(expfmt::sanitize_label_name(k))
        };
        if let Err(pos) = out.binary_search_by(|l| l.name.cmp(&name)) {
            out.insert(pos, Label::new(name, Cow::Borrowed(v.as_ref())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maps `dump` for each daemon and renders the families and skips as lines.
    fn run(mapper: Mapper, schema: &str, dumps: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let schema = Schema::parse(schema).unwrap();
        let prepared = mapper.prepare(&schema);
        let mut out = Families::new();
        let parsed: Vec<(&str, Dump<'_>)> = dumps
            .iter()
            .map(|(d, j)| (*d, Dump::parse(j).unwrap()))
            .collect();
        for (daemon, dump) in &parsed {
            prepared.map(daemon, dump, &mut out);
        }
        let (set, skipped) = out.into_parts();
        let mut lines = Vec::new();
        for f in set.families() {
            lines.push(format!(
                "{} {} {}",
                f.name,
                f.metric_type,
                f.help.as_deref().unwrap_or("-")
            ));
            for m in &f.metrics {
                let labels: Vec<String> = m
                    .labels
                    .iter()
                    .map(|l| format!("{}={}", l.name, l.value))
                    .collect();
                let v = match m.value {
                    expfmt::MetricValue::Scalar(v) => v,
                    _ => unreachable!(),
                };
                lines.push(format!("  {{{}}} {v:?}", labels.join(",")));
            }
        }
        let skipped = skipped.iter().map(ToString::to_string).collect();
        (lines, skipped)
    }

    /// What, schema, (daemon, dump) pairs, expected lines, expected skips.
    type Case<'a> = (
        &'a str,
        String,
        Vec<(&'a str, &'a str)>,
        Vec<&'a str>,
        Vec<&'a str>,
    );

    fn c(t: u32, prio: i32, desc: &str) -> String {
        format!(r#"{{"type": {t}, "description": "{desc}", "priority": {prio}}}"#)
    }

    #[test]
    fn mgr_rules() {
        let mgr = Mapper::new(Flavor::Mgr);
        let cases: Vec<Case<'_>> = vec![
            (
                "plain types, averages, sorted by path, priority filter",
                format!(
                    r#"{{"x": {{"u": {}, "t": {}, "lat": {}, "n": {}, "low": {}}}}}"#,
                    c(10, 5, "U"),
                    c(1, 8, "T"),
                    c(5, 5, "L"),
                    c(6, 10, "N"),
                    c(2, 4, "low")
                ),
                vec![(
                    "osd.0",
                    r#"{"x": {"u": 3, "t": 1.500000000, "lat": {"avgcount": 2, "sum": 0.250000000, "avgtime": 0.125000000},
                        "n": {"avgcount": 4, "sum": 40}, "low": 1}}"#,
                )],
                vec![
                    "ceph_x_lat_sum counter L Total",
                    "  {ceph_daemon=osd.0} F64(0.25)",
                    "ceph_x_lat_count counter L Count",
                    "  {ceph_daemon=osd.0} U64(2)",
                    "ceph_x_n_sum counter N Total",
                    "  {ceph_daemon=osd.0} U64(40)",
                    "ceph_x_n_count counter N Count",
                    "  {ceph_daemon=osd.0} U64(4)",
                    "ceph_x_t gauge T",
                    "  {ceph_daemon=osd.0} F64(1.5)",
                    "ceph_x_u counter U",
                    "  {ceph_daemon=osd.0} U64(3)",
                ],
                vec![],
            ),
            (
                "types the module skips",
                format!(
                    r#"{{"x": {{"both": {}, "h": {}, "odd": {}}}}}"#,
                    c(12, 5, "B"),
                    c(26, 5, "H"),
                    c(64, 5, "O")
                ),
                vec![(
                    "osd.0",
                    r#"{"x": {"both": {"avgcount": 1, "sum": 1}, "odd": 1}}"#,
                )],
                vec![],
                vec![
                    "osd.0: `x.both`: type `LONGRUNAVG|COUNTER` has no family type",
                    "osd.0: `x.h`: histograms are not exported",
                    "osd.0: `x.odd`: unknown type bits `0x40`",
                ],
            ),
            (
                "rgw and rbd-mirror daemons",
                format!(
                    r#"{{"rbd_mirror_image_p/ns/img": {{"replay": {}}}, "s": {{"v": {}}}}}"#,
                    c(10, 5, "R"),
                    c(2, 5, "V")
                ),
                vec![
                    (
                        "rbd-mirror.a",
                        r#"{"rbd_mirror_image_p/ns/img": {"replay": 7}, "s": {"v": 1}}"#,
                    ),
                    (
                        "rgw.z",
                        r#"{"rbd_mirror_image_p/ns/img": {"replay": 8}, "s": {"v": 2}}"#,
                    ),
                ],
                vec![
                    "ceph_rbd_mirror_image_replay counter R",
                    "  {ceph_daemon=rbd-mirror.a,pool=p,namespace=ns,image=img} U64(7)",
                    "ceph_s_v gauge V",
                    "  {ceph_daemon=rbd-mirror.a} U64(1)",
                    "  {instance_id=z} U64(2)",
                    "ceph_rbd_mirror_image_p_ns_img_replay counter R",
                    "  {instance_id=z} U64(8)",
                ],
                vec![],
            ),
            (
                "RGW sync counters get a copy with source_zone, last",
                format!(
                    r#"{{"data-sync-from-z1": {{"fetch_bytes": {}}}, "a": {{"b": {}}}}}"#,
                    c(6, 5, "F"),
                    c(2, 5, "B")
                ),
                vec![(
                    "rgw.gw1",
                    r#"{"data-sync-from-z1": {"fetch_bytes": {"avgcount": 2, "sum": 10}}, "a": {"b": 1}}"#,
                )],
                vec![
                    "ceph_a_b gauge B",
                    "  {instance_id=gw1} U64(1)",
                    "ceph_data_sync_from_z1_fetch_bytes_sum counter F Total",
                    "  {instance_id=gw1} U64(10)",
                    "ceph_data_sync_from_z1_fetch_bytes_count counter F Count",
                    "  {instance_id=gw1} U64(2)",
                    "ceph_data_sync_from_zone_fetch_bytes_sum counter F Total",
                    "  {instance_id=gw1,source_zone=z1} U64(10)",
                    "ceph_data_sync_from_zone_fetch_bytes_count counter F Count",
                    "  {instance_id=gw1,source_zone=z1} U64(2)",
                ],
                vec![],
            ),
            (
                "names that collide land in one family; never twice the same series",
                format!(
                    r#"{{"a": {{"b.c": {}, "p-q": {}, "p_q": {}}}, "a_b": {{"c": {}}}}}"#,
                    c(2, 5, "first"),
                    c(2, 5, "PQ"),
                    c(10, 5, "other type"),
                    c(2, 5, "second")
                ),
                vec![
                    (
                        "osd.0",
                        r#"{"a": {"b.c": 1, "p-q": 5, "p_q": 6}, "a_b": {"c": 2}}"#,
                    ),
                    ("osd.1", r#"{"a": {"b.c": 3}, "a_b": {"c": 4}}"#),
                ],
                vec![
                    "ceph_a_b_c gauge first",
                    "  {ceph_daemon=osd.0} U64(1)",
                    "  {ceph_daemon=osd.1} U64(3)",
                    "ceph_a_p_q gauge PQ",
                    "  {ceph_daemon=osd.0} U64(5)",
                ],
                vec![
                    "osd.0: `a.p_q`: family `ceph_a_p_q` is gauge, not counter",
                    "osd.0: `a_b.c`: family `ceph_a_b_c` already has this label set",
                    "osd.1: `a.p_q`: family `ceph_a_p_q` is gauge, not counter",
                    "osd.1: `a.p-q`: no value in the dump",
                    "osd.1: `a_b.c`: family `ceph_a_b_c` already has this label set",
                ],
            ),
            (
                "no two families write the same OpenMetrics name",
                format!(
                    r#"{{"a": {{"b": {}, "b_total": {}, "b_created": {}}}}}"#,
                    c(10, 5, "B"),
                    c(2, 5, "BT"),
                    c(10, 5, "BC")
                ),
                vec![("osd.0", r#"{"a": {"b": 1, "b_total": 2, "b_created": 3}}"#)],
                vec!["ceph_a_b counter B", "  {ceph_daemon=osd.0} U64(1)"],
                vec![
                    "osd.0: `a.b_created`: family `ceph_a_b_created` would write an OpenMetrics name of family `ceph_a_b`",
                    "osd.0: `a.b_total`: family `ceph_a_b_total` would write an OpenMetrics name of family `ceph_a_b`",
                ],
            ),
            (
                "odd dumps and names",
                format!(
                    r#"{{"a@b": {{"c-": {}, "d": {}, "e": {}, "f": {{"type": 2}}}}}}"#,
                    c(2, 5, "C"),
                    c(5, 5, "D"),
                    c(2, 5, "E")
                ),
                vec![
                    (
                        "osd.0",
                        r#"{"a@b": {"c-": 1, "d": 2, "e": {"avgcount": 1, "sum": 1}, "f": 1}}"#,
                    ),
                    ("osd.0", r#"{"a@b": {"c-": 1}}"#),
                ],
                vec!["ceph_a_b_c_minus gauge C", "  {ceph_daemon=osd.0} U64(1)"],
                vec![
                    "osd.0: `a@b.f`: no `priority`",
                    "osd.0: `a@b.d`: expected an object with avgcount and sum, found a number",
                    "osd.0: `a@b.e`: expected a number, found an object with avgcount and sum",
                    "osd.0: a daemon with this label was mapped",
                ],
            ),
        ];
        for (what, schema, dumps, want, want_skipped) in cases {
            let (lines, skipped) = run(mgr, &schema, &dumps);
            assert_eq!(lines, want, "{what}");
            assert_eq!(skipped, want_skipped, "{what}");
        }
    }

    #[test]
    fn exporter_rules() {
        let exporter = Mapper::new(Flavor::Exporter);
        let counter = |t: u32, m: &str| {
            format!(r#"{{"type": {t}, "metric_type": "{m}", "description": "D", "priority": 5}}"#)
        };
        let cases: Vec<Case<'_>> = vec![
            (
                "labels sorted, daemon label from the socket, own label wins, sum typed by metric_type",
                format!(
                    r#"{{"w": [{{"labels": {{"zz": "1", "ceph_daemon": "own", "a-b": "2", "": "x"}},
                        "counters": {{"lat": {}}}}}],
                       "g": [{{"labels": {{}}, "counters": {{"lat": {}, "n-": {}}}}}]}}"#,
                    counter(5, "gauge"),
                    counter(5, "gauge"),
                    counter(2, "gauge")
                ),
                vec![(
                    "ceph-osd.3.asok",
                    r#"{"w": [{"labels": {"zz": "1", "ceph_daemon": "own", "a-b": "2", "": "x"},
                        "counters": {"lat": {"avgcount": 1, "sum": 0.5, "avgtime": 0.5}}}],
                       "g": [{"labels": {}, "counters": {"lat": {"avgcount": 2, "sum": 1.0, "avgtime": 0.5}, "n-": 9}}]}"#,
                )],
                vec![
                    "ceph_w_lat_sum gauge D Total",
                    "  {a_b=2,ceph_daemon=own,zz=1} F64(0.5)",
                    "ceph_w_lat_count counter D Count",
                    "  {a_b=2,ceph_daemon=own,zz=1} U64(1)",
                    "ceph_g_lat_sum gauge D Total",
                    "  {ceph_daemon=osd.3} F64(1.0)",
                    "ceph_g_lat_count counter D Count",
                    "  {ceph_daemon=osd.3} U64(2)",
                    "ceph_g_n_minus gauge D",
                    "  {ceph_daemon=osd.3} U64(9)",
                ],
                vec![],
            ),
            (
                "multisite counters are renamed, with source_zone",
                format!(
                    r#"{{"data-sync-from-z1": [{{"labels": {{}}, "counters": {{"fetch_bytes": {}}}}}]}}"#,
                    counter(10, "counter")
                ),
                vec![(
                    "ceph-client.rgw.foo.host.abcd.1.2.asok",
                    r#"{"data-sync-from-z1": [{"labels": {}, "counters": {"fetch_bytes": 5}}]}"#,
                )],
                vec![
                    "ceph_data_sync_from_zone_fetch_bytes counter D",
                    "  {instance_id=abcd,source_zone=z1} U64(5)",
                ],
                vec![],
            ),
            (
                "an rgw socket without an instance id is skipped; an unknown metric_type too",
                format!(
                    r#"{{"g": {{"a": {}, "b": {}}}}}"#,
                    counter(2, "gauge"),
                    counter(2, "histogram")
                ),
                vec![
                    ("rgw.foo.bar", r#"{"g": {"a": 1}}"#),
                    ("mon.a", r#"{"g": {"a": 1, "b": 2}}"#),
                ],
                vec!["ceph_g_a gauge D", "  {ceph_daemon=mon.a} U64(1)"],
                vec![
                    "rgw.foo.bar: no daemon label can be derived",
                    "mon.a: `g.b`: unknown metric_type `histogram`",
                ],
            ),
        ];
        for (what, schema, dumps, want, want_skipped) in cases {
            let (lines, skipped) = run(exporter, &schema, &dumps);
            assert_eq!(lines, want, "{what}");
            assert_eq!(skipped, want_skipped, "{what}");
        }
    }

    #[test]
    fn float_integers_and_mgr_ignores_labeled_instances() {
        let schema = r#"{"w": [{"labels": {"id": "0"}, "counters": {"c": {"type": 10, "priority": 5}}}],
                         "g": [{"labels": {}, "counters": {"c": {"type": 10, "priority": 5}}}]}"#;
        let dump = r#"{"w": [{"labels": {"id": "0"}, "counters": {"c": 1}}],
                       "g": [{"labels": {}, "counters": {"c": 9007199254740993}}]}"#;
        let floats = Mapper::builder().exact_integers(false).build();
        let (lines, skipped) = run(floats, schema, &[("osd.0", dump)]);
        assert_eq!(
            lines,
            [
                "ceph_g_c counter ",
                "  {ceph_daemon=osd.0} F64(9007199254740992.0)"
            ]
        );
        assert!(skipped.is_empty());
        let (lines, _) = run(Mapper::default(), schema, &[("osd.0", dump)]);
        assert_eq!(lines[1], "  {ceph_daemon=osd.0} U64(9007199254740993)");
    }
}
