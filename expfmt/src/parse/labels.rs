//! Label sets: `{name="value",...}`, duplicate names, the `le`/`quantile` labels of
//! histograms and summaries, and an order-insensitive hash of the set.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::cursor::{Cursor, Escapes, Fault};
use super::number;
use crate::{Label, ParseErrorKind};

/// Above this many labels, duplicate names are found with a hash set instead of a scan.
const LINEAR_LIMIT: usize = 16;

/// What a label set does with the labels a histogram or summary reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    /// No label is special.
    None,
    /// Take this label out of the set and read its value as a float (`le` on `_bucket`,
    /// `quantile` on a summary's quantile samples).
    Extract(&'static str),
    /// Reject this label (`le` on a histogram's `_sum`, ...).
    Reserve(&'static str),
}

/// What [`label_set`] found besides the labels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct LabelSet {
    /// The order-insensitive hash of the labels (without the extracted one): the wrapping
    /// sum of each label's hash, the value hashed with the name's hash as seed.
    pub(super) hash: u64,
    /// The extracted label's value.
    pub(super) special: Option<f64>,
    /// Where the extracted label's value starts (for range errors).
    pub(super) special_at: usize,
}

/// Reads label sets. It remembers the label names of the previous set (and their hashes),
/// since consecutive samples nearly always repeat them: a name that matches is taken without
/// a byte-by-byte scan.
#[derive(Debug)]
pub(super) struct LabelReader<'a> {
    /// Seed of the label-set hash.
    seed: u64,
    /// The names of the last label set read, in order, with their seeded hashes.
    names: Vec<(&'a str, u64)>,
}

impl<'a> LabelReader<'a> {
    pub(super) fn new(seed: u64) -> Self {
        LabelReader {
            seed,
            names: Vec::new(),
        }
    }

    /// Reads a label set starting at `{` into `out`.
    ///
    /// Text 0.0.4 allows blanks around every token and a trailing comma; OpenMetrics allows
    /// neither.
    pub(super) fn read(
        &mut self,
        c: &mut Cursor<'a>,
        openmetrics: bool,
        special: Special,
        out: &mut Vec<Label<'a>>,
    ) -> Result<LabelSet, Fault> {
        c.expect(b'{', "`{`")?;
        self.read_open(c, openmetrics, special, out)
    }

    /// As [`LabelReader::read`], after the `{` (and, for a quoted metric name inside the
    /// braces, after the name and its comma).
    pub(super) fn read_open(
        &mut self,
        c: &mut Cursor<'a>,
        openmetrics: bool,
        special: Special,
        out: &mut Vec<Label<'a>>,
    ) -> Result<LabelSet, Fault> {
        let escapes = if openmetrics {
            Escapes::OpenMetrics
        } else {
            Escapes::TextLabel
        };
        let mut set = LabelSet::default();
        let mut seen: Option<HashSet<&'a str>> = None;
        if !openmetrics {
            c.skip_blanks();
        }
        if c.peek() == Some(b'}') {
            c.pos += 1;
            return Ok(set);
        }
        let mut index = 0;
        loop {
            let name_at = c.pos;
            let (name, name_hash) = match self.names.get(index) {
                Some(&(name, hash)) if c.take_name(name) => (name, hash),
                _ => {
                    let name = if c.peek() == Some(b'"') {
                        c.quoted_name(|name| ParseErrorKind::InvalidLabelName { name })?
                    } else {
                        c.label_name()?
                    };
                    let hash = hash_bytes(self.seed, name.as_bytes());
                    self.names.truncate(index);
                    self.names.push((name, hash));
                    (name, hash)
                }
            };
            index += 1;
            if !openmetrics {
                c.skip_blanks();
            }
            c.expect(b'=', "`=` after the label name")?;
            if !openmetrics {
                c.skip_blanks();
            }
            c.expect(b'"', "`\"` starting the label value")?;
            let value_at = c.pos;
            let value = c.escaped(b'"', escapes)?;
            match special {
                Special::Extract(label) if name == label => {
                    if set.special.is_some() {
                        return Err(c.error(name_at, duplicate(name)));
                    }
                    let v = number::float_value(&value).ok_or_else(|| {
                        c.error(
                            value_at,
                            ParseErrorKind::BadLabelNumber {
                                label,
                                found: value.as_ref().into(),
                            },
                        )
                    })?;
                    set.special = Some(v);
                    set.special_at = value_at;
                }
                Special::Reserve(label) if name == label => {
                    return Err(c.error(name_at, reserved(name)));
                }
                _ if name == "__name__" => return Err(c.error(name_at, reserved(name))),
                _ => {
                    if is_duplicate(out, &mut seen, name) {
                        return Err(c.error(name_at, duplicate(name)));
                    }
                    let h = hash_bytes(name_hash, value.as_bytes());
                    set.hash = set.hash.wrapping_add(h);
                    out.push(Label {
                        name: super::cursor::name_value(name),
                        value,
                    });
                }
            }
            if !openmetrics {
                c.skip_blanks();
            }
            match c.peek() {
                Some(b',') => {
                    c.pos += 1;
                    if !openmetrics {
                        c.skip_blanks();
                        if c.peek() == Some(b'}') {
                            c.pos += 1;
                            return Ok(set);
                        }
                    }
                }
                Some(b'}') => {
                    c.pos += 1;
                    return Ok(set);
                }
                _ => return Err(c.unexpected(c.pos, "`,` or `}` after the label value")),
            }
        }
    }
}

fn duplicate(name: &str) -> ParseErrorKind {
    ParseErrorKind::DuplicateLabelName { name: name.into() }
}

fn reserved(name: &str) -> ParseErrorKind {
    ParseErrorKind::ReservedLabelName { name: name.into() }
}

/// Whether `name` is already in `out`: a scan for small sets, a hash set beyond.
fn is_duplicate<'a>(
    out: &[Label<'a>],
    names: &mut Option<HashSet<&'a str>>,
    name: &'a str,
) -> bool {
    if out.len() < LINEAR_LIMIT {
        return out.iter().any(|l| l.name == name);
    }
    let set = names.get_or_insert_with(|| {
        out.iter()
            .filter_map(|l| match l.name {
                Cow::Borrowed(n) => Some(n),
                Cow::Owned(_) => None,
            })
            .collect()
    });
    !set.insert(name)
}

/// Whether two label sets hold the same labels, in any order. Names are unique within each
/// set, so a one-way check with equal lengths is exact. Large sets go through a map, so the
/// check stays linear.
pub(super) fn same_labels(a: &[Label<'_>], b: &[Label<'_>]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() <= LINEAR_LIMIT {
        return a
            .iter()
            .all(|l| b.iter().any(|m| m.name == l.name && m.value == l.value));
    }
    let by_name: HashMap<&str, &str> = b.iter().map(|m| (&*m.name, &*m.value)).collect();
    a.iter()
        .all(|l| by_name.get(&*l.name).is_some_and(|v| *v == l.value))
}

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xBF58_476D_1CE4_E5B9;
const K2: u64 = 0x94D0_49BB_1331_11EB;

/// Multiplies and folds the 128-bit product: the mixing step of the hash.
#[inline]
#[expect(
    clippy::cast_possible_truncation,
    reason = "folding the 128-bit product"
)]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A fast seeded hash of bytes (multiply-fold over 8-byte words, wyhash-style reads of the
/// tail). The seed is random per parser, so an input cannot be crafted to collide.
#[inline]
pub(super) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let mut h = fold(seed ^ K0, (n as u64) ^ K1);
    if n <= 8 {
        return fold(h ^ small(bytes), K2);
    }
    let mut words = bytes[..n - 1].chunks_exact(8);
    for w in &mut words {
        h = fold(h ^ word(w), K1);
    }
    // The last 8 bytes, overlapping the words already read; the length is in `h`.
    fold(h ^ word(&bytes[n - 8..]), K2)
}

/// Eight bytes as a little-endian word.
#[inline]
fn word(b: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&b[..8]);
    u64::from_le_bytes(buf)
}

/// Up to eight bytes as a word, without a byte-by-byte copy.
#[inline]
fn small(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        (u64::from(hi) << 32) | u64::from(lo)
    } else if n > 0 {
        (u64::from(b[0]) << 16) | (u64::from(b[n / 2]) << 8) | u64::from(b[n - 1])
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn parse(input: &str, om: bool, special: Special) -> Result<(Vec<Label<'_>>, LabelSet), Error> {
        let mut c = Cursor::new(input.as_bytes());
        let mut out = Vec::new();
        let set = LabelReader::new(7)
            .read(&mut c, om, special, &mut out)
            .map_err(|e| *e)?;
        Ok((out, set))
    }

    fn pairs<'a>(labels: &'a [Label<'a>]) -> Vec<(&'a str, &'a str)> {
        labels.iter().map(|l| (&*l.name, &*l.value)).collect()
    }

    #[test]
    fn accepted() {
        type Case<'a> = (&'a str, bool, &'a [(&'a str, &'a str)]);
        let cases: &[Case<'_>] = &[
            ("{}", false, &[]),
            ("{}", true, &[]),
            ("{ }", false, &[]),
            ("{a=\"1\"}", true, &[("a", "1")]),
            ("{a=\"1\",b=\"x\\\"y\"}", true, &[("a", "1"), ("b", "x\"y")]),
            ("{ a = \"1\" , b=\"2\", }", false, &[("a", "1"), ("b", "2")]),
            ("{a=\"1\",}", false, &[("a", "1")]),
            ("{\ta=\"\"}", false, &[("a", "")]),
        ];
        for (input, om, want) in cases {
            let (labels, _) = parse(input, *om, Special::None).unwrap();
            assert_eq!(pairs(&labels), *want, "{input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases: &[(&str, bool, usize, &str)] = &[
            ("{a=\"1\",}", true, 8, "Unexpected"),
            ("{ a=\"1\"}", true, 2, "Unexpected"),
            ("{a =\"1\"}", true, 3, "Unexpected"),
            ("{a=\"1\" }", true, 7, "Unexpected"),
            ("{,}", false, 2, "Unexpected"),
            ("{a=1}", false, 4, "Unexpected"),
            ("{a}", false, 3, "Unexpected"),
            ("{a=\"1\"b=\"2\"}", false, 7, "Unexpected"),
            ("{a=\"1\"", false, 7, "Unexpected"),
            ("{9a=\"1\"}", false, 2, "InvalidLabelName"),
            ("{a:b=\"1\"}", false, 3, "InvalidLabelName"),
            ("{a=\"1\",a=\"2\"}", false, 8, "DuplicateLabelName"),
            ("{__name__=\"x\"}", false, 2, "ReservedLabelName"),
            ("{a=\"x\ny\"}", false, 6, "UnescapedNewline"),
            ("{a=\"x\\ty\"}", false, 6, "InvalidEscape"),
        ];
        for (input, om, column, kind) in cases {
            match parse(input, *om, Special::None) {
                Err(Error::Parse {
                    column: col,
                    kind: k,
                    ..
                }) => {
                    assert_eq!(col, *column, "{input:?}: {k:?}");
                    assert!(format!("{k:?}").starts_with(kind), "{input:?}: {k:?}");
                }
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn special_labels() {
        let (labels, set) = parse("{a=\"1\",le=\"+Inf\"}", true, Special::Extract("le")).unwrap();
        assert_eq!(pairs(&labels), [("a", "1")]);
        assert_eq!(set.special, Some(f64::INFINITY));
        let (_, without) = parse("{a=\"1\"}", true, Special::Extract("le")).unwrap();
        assert_eq!(set.hash, without.hash);
        assert_eq!(without.special, None);

        let cases: &[(&str, Special, usize, &str)] = &[
            ("{le=\"x\"}", Special::Extract("le"), 6, "BadLabelNumber"),
            (
                "{le=\"1\",le=\"2\"}",
                Special::Extract("le"),
                9,
                "DuplicateLabelName",
            ),
            ("{le=\"1\"}", Special::Reserve("le"), 2, "ReservedLabelName"),
            (
                "{a=\"1\",quantile=\"0.5\"}",
                Special::Reserve("quantile"),
                8,
                "ReservedLabelName",
            ),
        ];
        for (input, special, column, kind) in cases {
            match parse(input, true, *special) {
                Err(Error::Parse {
                    column: col,
                    kind: k,
                    ..
                }) => {
                    assert_eq!(col, *column, "{input:?}");
                    assert!(format!("{k:?}").starts_with(kind), "{input:?}: {k:?}");
                }
                other => panic!("{input:?}: {other:?}"),
            }
        }
        // `le` is an ordinary label where nothing is special.
        let (labels, _) = parse("{le=\"x\"}", true, Special::None).unwrap();
        assert_eq!(pairs(&labels), [("le", "x")]);
    }

    #[test]
    fn hash_ignores_order_and_sees_values() {
        let (_, ab) = parse("{a=\"1\",b=\"2\"}", true, Special::None).unwrap();
        let (_, ba) = parse("{b=\"2\",a=\"1\"}", true, Special::None).unwrap();
        let (_, other) = parse("{a=\"2\",b=\"1\"}", true, Special::None).unwrap();
        assert_eq!(ab.hash, ba.hash);
        assert_ne!(ab.hash, other.hash);
        assert_ne!(hash_bytes(1, b"abcdefgh"), hash_bytes(2, b"abcdefgh"));
        assert_ne!(hash_bytes(1, b""), hash_bytes(1, b"\0"));
    }

    #[test]
    fn many_labels_use_the_set() {
        let mut input = String::from("{");
        for i in 0..40 {
            input.push_str(&format!("l{i}=\"v\","));
        }
        let full = format!("{input}}}");
        let (labels, _) = parse(&full, false, Special::None).unwrap();
        assert_eq!(labels.len(), 40);
        let dup = format!("{input}l39=\"w\"}}");
        let column = dup.rfind("l39").unwrap() + 1;
        match parse(&dup, false, Special::None) {
            Err(Error::Parse {
                column: col,
                kind: ParseErrorKind::DuplicateLabelName { name },
                ..
            }) => {
                assert_eq!((col, &*name), (column, "l39"));
            }
            other => panic!("{other:?}"),
        }
        let reversed: Vec<_> = labels.iter().rev().cloned().collect();
        assert!(same_labels(&labels, &reversed));
        assert!(!same_labels(&labels, &labels[1..]));
        let mut changed = reversed.clone();
        changed[3].value = "other".into();
        assert!(!same_labels(&labels, &changed));
        assert!(!same_labels(&labels[..3], &changed[..3]));
        assert!(same_labels(&labels[..3], &labels[..3]));
    }
}
