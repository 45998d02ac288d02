//! Comma-separated flag lists (`"noout,sortbitwise,recovery_deletes"`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A comma-separated set of flag names as Ceph prints it in `osd dump` (`flags`, pools'
/// `flags_names`), kept as the original text and split on demand.
///
/// ```
/// use ceph_types::Flags;
///
/// let f = Flags::from("noout,sortbitwise,recovery_deletes");
/// assert!(f.contains("noout"));
/// assert!(!f.contains("nodown"));
/// assert_eq!(f.iter().count(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flags<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'a> Flags<'a> {
    /// The flag names, in the order printed, empty names skipped.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(',').map(str::trim).filter(|s| !s.is_empty())
    }

    /// Whether `name` is set.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|f| f == name)
    }

    /// The text as printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether no flag is set.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl<'a> From<&'a str> for Flags<'a> {
    fn from(s: &'a str) -> Self {
        Flags(Cow::Borrowed(s))
    }
}

impl crate::IntoOwned for Flags<'_> {
    type Owned = Flags<'static>;

    fn into_owned(self) -> Flags<'static> {
        Flags(crate::IntoOwned::into_owned(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("noout", &["noout"]),
            ("noout,sortbitwise", &["noout", "sortbitwise"]),
            ("a,,b, c", &["a", "b", "c"]),
        ];
        for (text, want) in cases {
            let f = Flags::from(*text);
            assert_eq!(f.iter().collect::<Vec<_>>(), *want, "{text}");
            assert_eq!(f.is_empty(), want.is_empty());
            assert_eq!(f.as_str(), *text);
            for w in *want {
                assert!(f.contains(w));
            }
        }
    }
}
