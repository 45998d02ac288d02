//! The mapping's options: flavour, priority limit, integer layout.

use std::fmt;
use std::str::FromStr;

use crate::{Dump, Error, Families, PreparedSchema, Priority, Schema};

/// Which exporter's rules the mapping follows.
///
/// | | [`Mgr`](Flavor::Mgr) | [`Exporter`](Flavor::Exporter) |
/// |---|---|---|
/// | input | unlabeled counters (`perf dump`; labeled instances are ignored) | every instance of `counter dump` (or `perf dump`) |
/// | name | [`promethize`](crate::promethize) of `logger.counter` | [`promethize_exporter`](crate::promethize_exporter) of `logger_counter` |
/// | daemon label | `ceph_daemon`, or `instance_id` for `rgw.*` | from the socket name: `ceph_daemon`, or `instance_id` for rgw |
/// | other labels | rbd-mirror `pool`/`namespace`/`image` | the instance's labels |
/// | type | `_stattype_to_str`: combined bits and histograms skipped | the schema's `metric_type` |
/// | long-running average | `_sum` counter (HELP + ` Total`), `_count` counter (HELP + ` Count`) | `_sum` typed by `metric_type`, `_count` counter |
/// | time values | seconds (the mgr divides its nanoseconds by 1e9; dumps already hold seconds) | seconds, as dumped |
/// | RGW multisite | a copy of each `data-sync-from-<zone>.*` family as `data-sync-from-zone.*` with `source_zone` | the name rewritten to `data_sync_from_zone`, with `source_zone` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Flavor {
    /// ceph-mgr's prometheus module (`exclude_perf_counters=false`; always on before Reef).
    #[default]
    Mgr,
    /// The per-host C++ `ceph-exporter` (Reef and later), labeled counters.
    Exporter,
}

impl Flavor {
    /// `mgr` or `exporter`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Flavor::Mgr => "mgr",
            Flavor::Exporter => "exporter",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Flavor {
    type Err = Error;

    /// Parses `mgr` or `exporter`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "mgr" => Ok(Flavor::Mgr),
            "exporter" => Ok(Flavor::Exporter),
            _ => Err(Error::UnknownFlavor { name: s.into() }),
        }
    }
}

/// Maps perf-counter schemas and dumps to Prometheus families with one flavour's rules.
///
/// ```
/// use perfcounter::{Flavor, Mapper, Priority};
///
/// let mapper = Mapper::builder()
///     .flavor(Flavor::Exporter)
///     .min_priority(Priority::INTERESTING)
///     .build();
/// assert_eq!(mapper.flavor(), Flavor::Exporter);
/// assert_eq!(Mapper::default().min_priority(), Priority::USEFUL);
/// ```
///
/// Names the flavour's rules leave invalid (the mgr keeps characters such as `@` or a
/// non-trailing `-`) are made valid with [`expfmt::sanitize_metric_name`]; invalid label names
/// of labeled counters with [`expfmt::sanitize_label_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mapper {
    flavor: Flavor,
    min_priority: Priority,
    exact_integers: bool,
}

impl Default for Mapper {
    fn default() -> Self {
        Mapper::new(Flavor::Mgr)
    }
}

impl Mapper {
    /// A mapper with `flavor`'s rules and the default options: priority at least
    /// [`Priority::USEFUL`], integers kept exact.
    pub const fn new(flavor: Flavor) -> Self {
        Mapper {
            flavor,
            min_priority: Priority::USEFUL,
            exact_integers: true,
        }
    }

    /// A builder for non-default options.
    pub fn builder() -> MapperBuilder {
        MapperBuilder {
            mapper: Mapper::default(),
        }
    }

    /// The flavour.
    pub const fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The lowest priority exported.
    pub const fn min_priority(&self) -> Priority {
        self.min_priority
    }

    /// Whether integer values stay integers ([`expfmt::Value::U64`]) rather than floats.
    pub const fn exact_integers(&self) -> bool {
        self.exact_integers
    }

    /// Decides, once per schema, what each counter becomes: names, types, HELP texts and
    /// static labels. A prepared schema maps any number of dumps of daemons that share it
    /// (every OSD of a release, say).
    pub fn prepare<'s>(&self, schema: &'s Schema<'s>) -> PreparedSchema<'s> {
        PreparedSchema::new(*self, schema)
    }

    /// Maps one daemon's dump into `out`: [`prepare`](Self::prepare) then
    /// [`PreparedSchema::map`].
    ///
    /// `daemon` is the daemon's name (`osd.0`, `rgw.foo`); for the exporter flavour it may
    /// also be its admin-socket file name (`ceph-osd.0.asok`), from which the daemon label is
    /// derived the way ceph-exporter does.
    pub fn map<'a>(
        &self,
        daemon: &'a str,
        schema: &'a Schema<'a>,
        dump: &Dump<'_>,
        out: &mut Families<'a>,
    ) {
        self.prepare(schema).map(daemon, dump, out);
    }
}

/// Builds a [`Mapper`].
#[derive(Debug, Clone)]
pub struct MapperBuilder {
    mapper: Mapper,
}

impl MapperBuilder {
    /// The flavour (default [`Flavor::Mgr`]).
    pub fn flavor(&mut self, flavor: Flavor) -> &mut Self {
        self.mapper.flavor = flavor;
        self
    }

    /// The lowest priority exported (default [`Priority::USEFUL`], as both exporters). The
    /// mgr itself only ever receives counters of at least its `mgr_stats_threshold` (5), so a
    /// lower limit exports more than the real module can.
    pub fn min_priority(&mut self, priority: Priority) -> &mut Self {
        self.mapper.min_priority = priority;
        self
    }

    /// Whether integers stay exact (default `true`). With `false` every value becomes an
    /// `f64`, as the mgr module's `float()` does (integers above 2^53 round).
    pub fn exact_integers(&mut self, exact: bool) -> &mut Self {
        self.mapper.exact_integers = exact;
        self
    }

    /// The mapper.
    pub fn build(&self) -> Mapper {
        self.mapper
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavors() {
        for (s, f) in [("mgr", Flavor::Mgr), ("exporter", Flavor::Exporter)] {
            assert_eq!(s.parse::<Flavor>().unwrap(), f);
            assert_eq!(f.to_string(), s);
        }
        assert!(matches!(
            "Mgr".parse::<Flavor>(),
            Err(Error::UnknownFlavor { .. })
        ));
    }

    #[test]
    fn builder() {
        let m = Mapper::builder()
            .flavor(Flavor::Exporter)
            .min_priority(Priority::new(0))
            .exact_integers(false)
            .build();
        assert_eq!(m.flavor(), Flavor::Exporter);
        assert_eq!(m.min_priority(), Priority::DEBUGONLY);
        assert!(!m.exact_integers());
        assert_eq!(Mapper::default(), Mapper::new(Flavor::Mgr));
        assert!(Mapper::default().exact_integers());
    }
}
