//! Collecting families by name, so a name is never written twice.

use std::collections::HashMap;

use crate::{Error, MetricFamily};

/// Families keyed by name, in first-seen order. Adding a family whose name is already present
/// appends its metrics to the existing family (same type required), so the set can always be
/// encoded with exactly one `# HELP`/`# TYPE` per name.
///
/// ```
/// use expfmt::{FamilySet, Label, Metric, MetricFamily, MetricType};
///
/// let mut set = FamilySet::new();
/// let mut a = MetricFamily::new("ceph_osd_up", MetricType::Gauge).with_help("OSD status up");
/// a.metrics.push(Metric::scalar(vec![Label::new("ceph_daemon", "osd.0")], 1u64));
/// let mut b = MetricFamily::new("ceph_osd_up", MetricType::Gauge);
/// b.metrics.push(Metric::scalar(vec![Label::new("ceph_daemon", "osd.1")], 0u64));
/// set.insert(a)?;
/// set.insert(b)?;
/// assert_eq!(set.len(), 1);
/// assert_eq!(set.families()[0].metrics.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct FamilySet<'a> {
    families: Vec<MetricFamily<'a>>,
    index: HashMap<String, usize>,
}

impl<'a> FamilySet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        FamilySet::default()
    }

    /// Adds a family, merging it into an existing family of the same name. The first help and
    /// unit seen win; a later family only fills in a missing help or unit.
    ///
    /// # Errors
    ///
    /// [`Error::ConflictingType`] when a family of that name exists with another type. The set
    /// is unchanged.
    pub fn insert(&mut self, family: MetricFamily<'a>) -> Result<(), Error> {
        if let Some(&i) = self.index.get(family.name.as_ref()) {
            let existing = &mut self.families[i];
            if existing.metric_type != family.metric_type {
                return Err(Error::ConflictingType {
                    name: family.name.as_ref().into(),
                    existing: existing.metric_type,
                    new: family.metric_type,
                });
            }
            if existing.help.is_none() {
                existing.help = family.help;
            }
            if existing.unit.is_none() {
                existing.unit = family.unit;
            }
            existing.metrics.extend(family.metrics);
        } else {
            self.index
                .insert(family.name.as_ref().to_owned(), self.families.len());
            self.families.push(family);
        }
        Ok(())
    }

    /// The family named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&MetricFamily<'a>> {
        self.index.get(name).map(|&i| &self.families[i])
    }

    /// The family named `name` for adding metrics, if any.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut MetricFamily<'a>> {
        self.index.get(name).map(|&i| &mut self.families[i])
    }

    /// The families, in first-seen order.
    pub fn families(&self) -> &[MetricFamily<'a>] {
        &self.families
    }

    /// The number of families.
    pub fn len(&self) -> usize {
        self.families.len()
    }

    /// Whether the set has no family.
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }

    /// Sorts the families by name.
    pub fn sort_by_name(&mut self) {
        self.families.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, f) in self.families.iter().enumerate() {
            if let Some(slot) = self.index.get_mut(f.name.as_ref()) {
                *slot = i;
            }
        }
    }

    /// The families, consuming the set.
    pub fn into_families(self) -> Vec<MetricFamily<'a>> {
        self.families
    }
}

impl<'a> IntoIterator for FamilySet<'a> {
    type Item = MetricFamily<'a>;
    type IntoIter = std::vec::IntoIter<MetricFamily<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.families.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Label, Metric, MetricType};

    fn fam(name: &str, t: MetricType, help: Option<&str>, daemon: &str) -> MetricFamily<'static> {
        let mut f = MetricFamily::new(name.to_owned(), t);
        f.help = help.map(|h| h.to_owned().into());
        f.metrics.push(Metric::scalar(
            vec![Label::new("ceph_daemon", daemon.to_owned())],
            1.0,
        ));
        f
    }

    #[test]
    fn merges_same_name_and_type() {
        let mut set = FamilySet::new();
        set.insert(fam("a", MetricType::Gauge, None, "osd.0"))
            .unwrap();
        set.insert(fam("b", MetricType::Counter, Some("B"), "osd.0"))
            .unwrap();
        set.insert(fam("a", MetricType::Gauge, Some("A"), "osd.1"))
            .unwrap();
        assert_eq!(set.len(), 2);
        let a = set.get("a").unwrap();
        assert_eq!(a.metrics.len(), 2);
        assert_eq!(a.help.as_deref(), Some("A"));
        set.sort_by_name();
        assert_eq!(set.families()[1].name, "b");
        assert_eq!(set.get("b").unwrap().help.as_deref(), Some("B"));
    }

    #[test]
    fn rejects_type_conflict() {
        let mut set = FamilySet::new();
        set.insert(fam("a", MetricType::Gauge, None, "osd.0"))
            .unwrap();
        let err = set
            .insert(fam("a", MetricType::Counter, None, "osd.1"))
            .unwrap_err();
        assert_eq!(
            err,
            Error::ConflictingType {
                name: "a".into(),
                existing: MetricType::Gauge,
                new: MetricType::Counter
            }
        );
        assert_eq!(set.get("a").unwrap().metrics.len(), 1);
    }
}
