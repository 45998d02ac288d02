//! PG state names and `+`-joined state strings.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cow::CowStr;

/// Defines [`PgState`] from one table so names, bits and the list cannot drift apart.
macro_rules! pg_states {
    ($($variant:ident => $name:literal,)*) => {
        /// A PG state, one part of a state string such as `active+clean+scrubbing+deep`.
        ///
        /// The variants are the 34 states ceph-mgr's prometheus module counts per pool
        /// (`ceph_pg_<state>`), in its order. Parts not in this list are kept as text by
        /// [`PgStateSet`], not rejected.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum PgState {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl PgState {
            /// Every known state, in ceph-mgr's order.
            pub const ALL: &'static [PgState] = &[$(PgState::$variant),*];

            /// The state as Ceph writes it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(PgState::$variant => $name,)*
                }
            }
        }

        impl FromStr for PgState {
            type Err = UnknownPgState;

            fn from_str(s: &str) -> Result<Self, UnknownPgState> {
                match s {
                    $($name => Ok(PgState::$variant),)*
                    _ => Err(UnknownPgState { name: s.into() }),
                }
            }
        }
    };
}

pg_states! {
    Active => "active",
    Clean => "clean",
    Down => "down",
    RecoveryUnfound => "recovery_unfound",
    BackfillUnfound => "backfill_unfound",
    Scrubbing => "scrubbing",
    Degraded => "degraded",
    Inconsistent => "inconsistent",
    Peering => "peering",
    Repair => "repair",
    Recovering => "recovering",
    ForcedRecovery => "forced_recovery",
    BackfillWait => "backfill_wait",
    Incomplete => "incomplete",
    Stale => "stale",
    Remapped => "remapped",
    Deep => "deep",
    Backfilling => "backfilling",
    ForcedBackfill => "forced_backfill",
    BackfillToofull => "backfill_toofull",
    RecoveryWait => "recovery_wait",
    RecoveryToofull => "recovery_toofull",
    Undersized => "undersized",
    Activating => "activating",
    Peered => "peered",
    Snaptrim => "snaptrim",
    SnaptrimWait => "snaptrim_wait",
    SnaptrimError => "snaptrim_error",
    Creating => "creating",
    Unknown => "unknown",
    Premerge => "premerge",
    FailedRepair => "failed_repair",
    Laggy => "laggy",
    Wait => "wait",
}

impl PgState {
    /// The state's bit in a [`PgStateSet`] (its position in [`PgState::ALL`]).
    const fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

impl fmt::Display for PgState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<u8> for PgState {
    type Error = UnknownPgState;

    /// The state at position `index` of [`PgState::ALL`].
    fn try_from(index: u8) -> Result<Self, UnknownPgState> {
        PgState::ALL
            .get(usize::from(index))
            .copied()
            .ok_or_else(|| UnknownPgState {
                name: index.to_string().into(),
            })
    }
}

/// A PG state name (or index) that is not one of the 34 known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown pg state `{name}`")]
pub struct UnknownPgState {
    /// The name (or the index, in decimal) that was not recognised.
    pub name: Box<str>,
}

/// A PG state string (`active+clean+scrubbing+deep`) with its known parts as a bit set.
///
/// The text is kept as printed (borrowed from the input); parts that are not a [`PgState`]
/// are available from [`PgStateSet::unknown`].
///
/// ```
/// use ceph_types::{PgState, PgStateSet};
///
/// let s = PgStateSet::new("active+clean+scrubbing+deep+new_state");
/// assert!(s.contains(PgState::Scrubbing) && s.contains(PgState::Deep));
/// assert!(!s.contains(PgState::Degraded));
/// assert_eq!(s.known().count(), 4);
/// assert_eq!(s.unknown().collect::<Vec<_>>(), ["new_state"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PgStateSet<'a> {
    text: Cow<'a, str>,
    bits: u64,
}

impl<'a> PgStateSet<'a> {
    /// Parses a state string.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        let text = text.into();
        let bits = text
            .split('+')
            .filter_map(|p| p.parse::<PgState>().ok())
            .fold(0, |acc, s| acc | s.bit());
        PgStateSet { text, bits }
    }

    /// The string as printed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the string has part `state`.
    pub fn contains(&self, state: PgState) -> bool {
        self.bits & state.bit() != 0
    }

    /// The known parts, in [`PgState::ALL`] order.
    pub fn known(&self) -> impl Iterator<Item = PgState> + '_ {
        PgState::ALL.iter().copied().filter(|s| self.contains(*s))
    }

    /// The parts that are not a known [`PgState`], in the order printed.
    pub fn unknown(&self) -> impl Iterator<Item = &str> {
        self.text
            .split('+')
            .filter(|p| !p.is_empty() && p.parse::<PgState>().is_err())
    }
}

impl fmt::Display for PgStateSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PgStateSet<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CowStr::deserialize(d).map(|s| PgStateSet::new(s.0))
    }
}

impl Serialize for PgStateSet<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl crate::IntoOwned for PgStateSet<'_> {
    type Owned = PgStateSet<'static>;

    fn into_owned(self) -> PgStateSet<'static> {
        PgStateSet {
            text: crate::IntoOwned::into_owned(self.text),
            bits: self.bits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_states() {
        assert_eq!(PgState::ALL.len(), 34);
        for (i, s) in PgState::ALL.iter().enumerate() {
            assert_eq!(s.as_str().parse::<PgState>(), Ok(*s));
            assert_eq!(PgState::try_from(i as u8), Ok(*s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert!(PgState::try_from(34).is_err());
        assert!("Active".parse::<PgState>().is_err());
    }

    #[test]
    fn state_strings() {
        let cases: &[(&str, &[PgState], &[&str])] = &[
            ("active+clean", &[PgState::Active, PgState::Clean], &[]),
            (
                "active+undersized+degraded",
                &[PgState::Active, PgState::Degraded, PgState::Undersized],
                &[],
            ),
            ("unknown", &[PgState::Unknown], &[]),
            (
                "active+clean+scrubbing+deep+repair",
                &[
                    PgState::Active,
                    PgState::Clean,
                    PgState::Scrubbing,
                    PgState::Repair,
                    PgState::Deep,
                ],
                &[],
            ),
            ("creating+foo+bar", &[PgState::Creating], &["foo", "bar"]),
            ("", &[], &[]),
            ("+active+", &[PgState::Active], &[]),
        ];
        for (text, known, unknown) in cases {
            let s = PgStateSet::new(*text);
            assert_eq!(s.known().collect::<Vec<_>>(), *known, "{text}");
            assert_eq!(s.unknown().collect::<Vec<_>>(), *unknown, "{text}");
            assert_eq!(s.as_str(), *text);
            let json = serde_json::to_string(&s).unwrap();
            let back: PgStateSet<'_> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s);
        }
    }
}
