//! A schema prepared once for a flavour, then mapped with any number of dumps.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use expfmt::{Label, Metric, MetricType, Value};

use crate::families::{Target, push};
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
        let mut p = PreparedSchema {
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
                        if let Err(reason) = push(&mut out.copies, &self.target(f), m, &mut seen) {
                            skip(out, plan.logger, plan.counter, reason);
                        }
                    }
                }
            }
            let (first, second) = match (emit.count, count) {
                (Some(f), Some(c)) => (Metric::scalar(labels.clone(), main), Some((f, c, labels))),
                _ => (Metric::scalar(labels, main), None),
            };
            let mut result = push(&mut out.set, &self.target(emit.family), first, &mut seen);
            if let Some((f, c, labels)) = second {
                let m = Metric::scalar(labels, c);
                result = result.and(push(&mut out.set, &self.target(f), m, &mut seen));
            }
            if let Err(reason) = result {
                skip(out, plan.logger, plan.counter, reason);
            }
        }
    }

    fn target(&self, family: usize) -> Target<'_, 's> {
        let f = &self.families[family];
        Target {
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
