//! Ceph releases, named and numbered as Ceph does, and their detection from version strings.

use std::fmt;
use std::str::FromStr;

/// A Ceph release, named as Ceph names it (`ceph version 18.2.7 (...) reef (stable)`).
///
/// Detected from a daemon's `ceph_version` ([`Release::from_version`],
/// [`DaemonMetadata::release`](crate::DaemonMetadata::release)) or from `ceph versions`
/// ([`Versions::newest_release`](crate::Versions::newest_release)). Releases differ in the
/// shape of some dumps, and the mgr prometheus module of each release in its families.
///
/// ```
/// use ceph_types::Release;
///
/// let r = Release::from_version("ceph version 16.2.15 (618f44) pacific (stable)");
/// assert_eq!(r, Some(Release::Pacific));
/// assert_eq!("reef".parse::<Release>()?, Release::Reef);
/// assert_eq!(Release::try_from(18)?, Release::Reef);
/// assert_eq!(Release::Reef.to_string(), "reef");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Release {
    /// 12.x.
    Luminous,
    /// 13.x.
    Mimic,
    /// 14.x.
    Nautilus,
    /// 15.x.
    Octopus,
    /// 16.x.
    Pacific,
    /// 17.x.
    Quincy,
    /// 18.x.
    Reef,
    /// 19.x.
    Squid,
    /// 20.x.
    Tentacle,
}

const ALL: [Release; 9] = [
    Release::Luminous,
    Release::Mimic,
    Release::Nautilus,
    Release::Octopus,
    Release::Pacific,
    Release::Quincy,
    Release::Reef,
    Release::Squid,
    Release::Tentacle,
];

impl Release {
    /// The major version number (`16` for Pacific).
    pub const fn major(self) -> u32 {
        match self {
            Release::Luminous => 12,
            Release::Mimic => 13,
            Release::Nautilus => 14,
            Release::Octopus => 15,
            Release::Pacific => 16,
            Release::Quincy => 17,
            Release::Reef => 18,
            Release::Squid => 19,
            Release::Tentacle => 20,
        }
    }

    /// The lowercase release name, as in `mgr dump`'s `always_on_modules` keys.
    pub const fn as_str(self) -> &'static str {
        match self {
            Release::Luminous => "luminous",
            Release::Mimic => "mimic",
            Release::Nautilus => "nautilus",
            Release::Octopus => "octopus",
            Release::Pacific => "pacific",
            Release::Quincy => "quincy",
            Release::Reef => "reef",
            Release::Squid => "squid",
            Release::Tentacle => "tentacle",
        }
    }

    /// The release of a major version number, if known.
    pub fn from_major(major: u32) -> Option<Release> {
        ALL.into_iter().find(|r| r.major() == major)
    }

    /// The release of a daemon's `ceph_version` string
    /// (`ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)`),
    /// from its version number; `None` when the string has no known major version.
    pub fn from_version(version: &str) -> Option<Release> {
        let number = version
            .split_whitespace()
            .find(|w| w.as_bytes().first().is_some_and(u8::is_ascii_digit))?;
        let major = number.split('.').next()?.parse().ok()?;
        Release::from_major(major)
    }

    /// Every known release, oldest first.
    pub const ALL: &'static [Release] = &ALL;

    /// The newest release this crate knows.
    pub const fn newest() -> Release {
        Release::Tentacle
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A release name or number that is not a known Ceph release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ceph release `{name}`")]
pub struct UnknownRelease {
    /// The name or number given.
    pub name: Box<str>,
}

impl FromStr for Release {
    type Err = UnknownRelease;

    /// Parses a release name (`reef`, case-insensitive) or a major number (`18`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownRelease { name: s.into() };
        if let Ok(major) = s.parse::<u32>() {
            return Release::from_major(major).ok_or_else(unknown);
        }
        ALL.into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(unknown)
    }
}

impl TryFrom<u32> for Release {
    type Error = UnknownRelease;

    /// The release of a major version number.
    fn try_from(major: u32) -> Result<Self, Self::Error> {
        Release::from_major(major).ok_or_else(|| UnknownRelease {
            name: major.to_string().into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let cases = [
            (
                "ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)",
                Some(Release::Pacific),
            ),
            (
                "ceph version 18.2.7 (6b0e988052ec84cf2d4a54ff9bbbc5e720b621ad) reef (stable)",
                Some(Release::Reef),
            ),
            (
                "ceph version 19.2.0-123-gabc (abc) squid (dev)",
                Some(Release::Squid),
            ),
            ("ceph version 99.0.0 (x) future (dev)", None),
            ("ceph version Development (no_version)", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(Release::from_version(text), want, "{text}");
        }
    }

    #[test]
    fn names_and_numbers_round_trip() {
        for r in ALL {
            assert_eq!(r.as_str().parse::<Release>(), Ok(r));
            assert_eq!(r.major().to_string().parse::<Release>(), Ok(r));
            assert_eq!(Release::try_from(r.major()), Ok(r));
        }
        assert!("bobtail".parse::<Release>().is_err());
        assert_eq!(
            Release::try_from(11).unwrap_err().to_string(),
            "unknown ceph release `11`"
        );
    }
}
