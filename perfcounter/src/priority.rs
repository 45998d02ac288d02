//! Perf-counter priorities and units.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A perf counter's priority (`PerfCountersBuilder::prio_t`), as written in a schema's
/// `priority` field.
///
/// Ceph names five levels; schemas carry the *adjusted* priority (the daemon's
/// `perf_counters_prio_adjust` applied), so other values occur (7 and 9 are seen on OSDs).
/// Priorities order as numbers, which is how both exporters filter: a counter is exported when
/// its priority is at least the limit ([`Priority::USEFUL`] by default).
///
/// ```
/// use perfcounter::Priority;
///
/// assert!(Priority::new(7) >= Priority::USEFUL);
/// assert_eq!("useful".parse::<Priority>()?, Priority::USEFUL);
/// assert_eq!("9".parse::<Priority>()?.to_string(), "9");
/// assert_eq!(Priority::CRITICAL.to_string(), "critical");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Priority(u8);

/// The named levels, highest first.
const NAMED: [(Priority, &str); 5] = [
    (Priority::CRITICAL, "critical"),
    (Priority::INTERESTING, "interesting"),
    (Priority::USEFUL, "useful"),
    (Priority::UNINTERESTING, "uninteresting"),
    (Priority::DEBUGONLY, "debugonly"),
];

impl Priority {
    /// `PRIO_CRITICAL` (10).
    pub const CRITICAL: Priority = Priority(10);
    /// `PRIO_INTERESTING` (8).
    pub const INTERESTING: Priority = Priority(8);
    /// `PRIO_USEFUL` (5): the default export limit of the mgr module and of ceph-exporter.
    pub const USEFUL: Priority = Priority(5);
    /// `PRIO_UNINTERESTING` (2).
    pub const UNINTERESTING: Priority = Priority(2);
    /// `PRIO_DEBUGONLY` (0).
    pub const DEBUGONLY: Priority = Priority(0);

    /// A priority from its number.
    pub const fn new(value: u8) -> Self {
        Priority(value)
    }

    /// The number.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The level's name (`critical`, `interesting`, `useful`, `uninteresting`, `debugonly`),
    /// or `None` for an unnamed (adjusted) value.
    pub const fn as_str(self) -> Option<&'static str> {
        match self.0 {
            10 => Some("critical"),
            8 => Some("interesting"),
            5 => Some("useful"),
            2 => Some("uninteresting"),
            0 => Some("debugonly"),
            _ => None,
        }
    }
}

impl fmt::Display for Priority {
    /// The level's name, or the number for an unnamed value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

impl FromStr for Priority {
    type Err = Error;

    /// Parses a level name (any case, with or without `PRIO_`) or a number in `0..=255`.
    fn from_str(s: &str) -> Result<Self, Error> {
        if let Ok(n) = s.parse::<u8>() {
            return Ok(Priority(n));
        }
        let bare = s
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("prio_"))
            .map_or(s, |_| &s[5..]);
        NAMED
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(bare))
            .map(|(p, _)| *p)
            .ok_or_else(|| Error::UnknownPriority { name: s.into() })
    }
}

impl TryFrom<i64> for Priority {
    type Error = Error;

    /// A schema's numeric `priority`.
    ///
    /// # Errors
    ///
    /// [`Error::PriorityOutOfRange`] outside `0..=255`.
    fn try_from(value: i64) -> Result<Self, Error> {
        u8::try_from(value)
            .map(Priority)
            .map_err(|_| Error::PriorityOutOfRange { value })
    }
}

impl From<u8> for Priority {
    fn from(value: u8) -> Self {
        Priority(value)
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

/// A perf counter's unit (`unit_t`), the schema's `units` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Unit {
    /// `bytes` (`UNIT_BYTES`, 0).
    Bytes,
    /// `none` (`UNIT_NONE`, 1).
    #[default]
    None,
}

impl Unit {
    /// `bytes` or `none`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::None => "none",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = Error;

    /// Parses `bytes` or `none`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "bytes" => Ok(Unit::Bytes),
            "none" => Ok(Unit::None),
            _ => Err(Error::UnknownUnit { name: s.into() }),
        }
    }
}

impl TryFrom<u8> for Unit {
    type Error = Error;

    /// The raw `unit_t` value the mgr holds: 0 is bytes, 1 is none.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownUnit`] for any other value.
    fn try_from(raw: u8) -> Result<Self, Error> {
        match raw {
            0 => Ok(Unit::Bytes),
            1 => Ok(Unit::None),
            _ => Err(Error::UnknownUnit {
                name: raw.to_string().into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities() {
        let cases = [
            ("critical", Some(10)),
            ("PRIO_CRITICAL", Some(10)),
            ("Interesting", Some(8)),
            ("useful", Some(5)),
            ("uninteresting", Some(2)),
            ("debugonly", Some(0)),
            ("prio_debugonly", Some(0)),
            ("7", Some(7)),
            ("255", Some(255)),
            ("256", None),
            ("-1", None),
            ("", None),
            ("prio_", None),
            ("usefull", None),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<Priority>().ok().map(Priority::get), want, "{s:?}");
        }
        for (p, name) in NAMED {
            assert_eq!(p.to_string(), name);
            assert_eq!(p.as_str(), Some(name));
        }
        assert_eq!(Priority::new(9).as_str(), None);
        assert!(Priority::INTERESTING > Priority::USEFUL);
        assert!(matches!(
            Priority::try_from(-3i64),
            Err(Error::PriorityOutOfRange { value: -3 })
        ));
        assert_eq!(Priority::try_from(9i64).unwrap(), Priority::new(9));
    }

    #[test]
    fn units() {
        let cases = [
            ("bytes", Some(Unit::Bytes)),
            ("none", Some(Unit::None)),
            ("", None),
            ("Bytes", None),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<Unit>().ok(), want, "{s:?}");
            if let Some(u) = want {
                assert_eq!(u.to_string(), s);
            }
        }
        assert_eq!(Unit::try_from(0u8).unwrap(), Unit::Bytes);
        assert_eq!(Unit::try_from(1u8).unwrap(), Unit::None);
        assert!(matches!(
            Unit::try_from(2u8),
            Err(Error::UnknownUnit { .. })
        ));
    }
}
