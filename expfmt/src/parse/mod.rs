//! The strict parser: text format 0.0.4 and OpenMetrics 1.0 into [`MetricFamily`] values.

mod builder;
mod cursor;
mod labels;
mod number;
mod openmetrics;
mod sample;
mod text;

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::iter::FusedIterator;

use builder::{FamilyBuilder, SampleKind, Seen, Spare};
use cursor::{Cursor, Fault, Pos};
use labels::LabelReader;

use crate::{Error, Format, Label, MetricFamily, MetricType, ParseErrorKind};

/// At most this many metrics are reserved for a family, from the size of the one before.
const METRICS_HINT_LIMIT: usize = 4096;

/// Parses a whole exposition.
///
/// This is [`Parser`] collected into a `Vec`; see there for the rules and how values,
/// timestamps and errors are reported.
///
/// ```
/// use expfmt::{Format, MetricType, MetricValue, Value};
///
/// let text = concat!(
///     "# HELP ceph_osd_up OSD status up\n",
///     "# TYPE ceph_osd_up gauge\n",
///     "ceph_osd_up{ceph_daemon=\"osd.0\"} 1\n",
///     "ceph_osd_up{ceph_daemon=\"osd.1\"} 0.5\n",
/// );
/// let families = expfmt::parse(text.as_bytes(), Format::Text)?;
/// assert_eq!(families.len(), 1);
/// assert_eq!(families[0].metric_type, MetricType::Gauge);
/// assert_eq!(families[0].metrics[0].value, MetricValue::Scalar(Value::U64(1)));
/// assert_eq!(families[0].metrics[1].value, MetricValue::Scalar(Value::F64(0.5)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The first [`Error::Parse`] in the input, with its line, column and
/// [`ParseErrorKind`].
pub fn parse(input: &[u8], format: Format) -> Result<Vec<MetricFamily<'_>>, Error> {
    Parser::new(input, format).collect()
}

/// A streaming parser: an iterator over the families of an exposition, yielding each one
/// when the next one starts (or the input ends), and stopping after the first error.
///
/// Strings borrow from the input (`Cow::Borrowed`) unless they hold escapes.
///
/// ```
/// use expfmt::{Error, Format, ParseErrorKind, Parser};
///
/// let text = b"a 1\nb 2\nb 3\n";
/// let mut parser = Parser::new(text, Format::Text);
/// assert_eq!(parser.next().transpose()?.map(|f| f.name), Some("a".into()));
/// let Some(Err(Error::Parse { line, column, kind })) = parser.next() else {
///     panic!("expected an error");
/// };
/// assert_eq!((line, column), (3, 1));
/// assert!(matches!(kind, ParseErrorKind::DuplicateSeries { .. }));
/// assert!(parser.next().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Values and timestamps
///
/// - A value written as an integer literal (optional `-`, digits only) that fits gives
///   [`Value::U64`](crate::Value::U64) or [`Value::I64`](crate::Value::I64); `-0` gives
///   `F64(-0.0)` so its sign survives. Anything else (`1.5`, `1e3`, `1.0`, `+5`, `NaN`,
///   `+Inf`, `-Inf`, case-insensitive `inf`/`infinity`/`nan`) gives
///   [`Value::F64`](crate::Value::F64), correctly rounded, so a float written with its
///   shortest round-trip digits comes back bit for bit. A float written as an integral
///   literal (Go writes `1` for `1.0`) therefore comes back as an integer.
/// - Counts (`_count`, `_bucket`) must be non-negative integers; a float text is accepted when
///   it is exactly integral and at most 2^53 (`3.0`, `3e0`).
/// - Text timestamps are `int64` milliseconds. OpenMetrics timestamps are seconds written as a
///   decimal number; they are converted to nanoseconds exactly from the digits (digits past
///   the nanosecond round to the nearest, halves away from zero), so any timestamp of
///   nanosecond precision whose milliseconds fit an `i64` comes back as written.
///
/// # The rules
///
/// Both formats: one `# HELP` and one `# TYPE` per family, the `# TYPE` before the samples
/// ([`SecondHelp`](ParseErrorKind::SecondHelp), [`SecondType`](ParseErrorKind::SecondType));
/// the samples of a family contiguous ([`Interleaved`](ParseErrorKind::Interleaved));
/// no duplicate label name or series (same sample name and label set, in any order);
/// histogram `_bucket` samples carry `le`, a `+Inf` bucket is present
/// ([`MissingInfBucket`](ParseErrorKind::MissingInfBucket)), buckets are cumulative and the
/// `+Inf` bucket equals `_count`; summary quantile samples carry `quantile` in `[0, 1]`;
/// a histogram's `+Inf` bucket equals `_count` when there is one; `_sum`, `_count` and
/// `_bucket` samples belong to the histogram or summary declared by `# TYPE`; a sample that
/// fits no declared family starts an untyped
/// family of its own name. Families declared but without samples are returned too.
///
/// Text 0.0.4: blank lines and `#` comments other than `HELP`/`TYPE` are ignored; tokens are
/// separated by spaces or tabs, leading and trailing blanks are ignored; HELP escapes only
/// `\\` and `\n`, label values `\\`, `\"` and `\n` (anything else is an
/// [`InvalidEscape`](ParseErrorKind::InvalidEscape)); a trailing comma in a label set is
/// allowed; every line ends with a line feed.
///
/// OpenMetrics 1.0: the exact ABNF spacing (single spaces, no blank lines, no comments); the
/// input ends with `# EOF` ([`MissingEof`](ParseErrorKind::MissingEof),
/// [`ContentAfterEof`](ParseErrorKind::ContentAfterEof)); `TYPE`, `UNIT` and `HELP` at most
/// once each and before the samples; an empty `HELP` or `UNIT` counts as absent; a `UNIT`
/// must be a `_<unit>` suffix of the family name; all eight types: `unknown` (which is
/// [`MetricType::Untyped`](crate::MetricType::Untyped)), `gauge`, `counter`, `histogram`,
/// `summary`, `stateset` (value 0 or 1, a label named after the family, no unit), `info`
/// (`<name>_info` samples of value 1, no unit) and `gaugehistogram` (`_bucket`, `_gcount`,
/// `_gsum`); a histogram's `_sum` and `_count` (`_gsum`, `_gcount`) both or neither, no `_sum`
/// with a negative bucket, summary sums and quantile values not negative; counter samples are `<name>_total` and `<name>_created` (the total non-negative), histogram
/// and summary `_created` fills [`Metric::created`](crate::Metric::created); buckets in
/// increasing `le` order; the samples of one metric contiguous
/// ([`InterleavedMetric`](ParseErrorKind::InterleavedMetric)); exemplars (`# {...} value
/// [timestamp]`, on `_total` and `_bucket` samples, their labels at most 128 characters) are
/// checked and dropped. A gauge, unknown, stateset or info metric may have several points
/// with increasing timestamps (each a [`Metric`](crate::Metric) with the same labels); a
/// counter, histogram or summary has one point per metric here. Families whose names could
/// clash (`foo_created` and a counter `foo`) are refused
/// ([`NameClash`](ParseErrorKind::NameClash)). Names may be quoted, as Prometheus 3 writes
/// UTF-8 names: `{"my.metric","label.name"="v"}`, `# TYPE "my.metric" gauge` (in text 0.0.4
/// too); a quoted name that needs escapes is refused.
///
/// # Errors
///
/// Each item is an [`Error::Parse`] once the input breaks a rule: 1-based line and byte
/// column of the fault, and the [`ParseErrorKind`]. The parser never panics and never
/// allocates according to a number read from the input.
#[derive(Debug)]
pub struct Parser<'a> {
    cur: Cursor<'a>,
    openmetrics: bool,
    /// The family being read.
    family: Option<FamilyBuilder<'a>>,
    /// Every family finished so far, by name.
    seen: HashMap<&'a str, Seen>,
    /// A family finished by the last line, to be yielded.
    ready: Option<MetricFamily<'a>>,
    /// An error found after `ready` was finished, yielded next.
    pending: Option<Error>,
    done: bool,
    /// Reads the samples' label sets.
    labels: LabelReader<'a>,
    /// Reads exemplars' label sets.
    exemplar_labels: LabelReader<'a>,
    metrics_hint: usize,
    labels_hint: usize,
    spare: Spare,
    /// Exemplar labels, read and dropped.
    scratch: Vec<Label<'a>>,
}

/// A metadata keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meta {
    Help,
    Type,
    Unit,
}

impl<'a> Parser<'a> {
    /// A parser over `input` in `format`. Nothing is read until the first call to `next`,
    /// except a UTF-8 check of the whole input.
    pub fn new(input: &'a [u8], format: Format) -> Self {
        Parser {
            cur: Cursor::new(input),
            openmetrics: format == Format::OpenMetrics,
            family: None,
            seen: HashMap::new(),
            ready: None,
            pending: None,
            done: false,
            labels: LabelReader::new(RandomState::new().hash_one(0x5EED_u64)),
            exemplar_labels: LabelReader::new(0),
            metrics_hint: 0,
            labels_hint: 0,
            spare: Spare::default(),
            scratch: Vec::new(),
        }
    }

    /// Reads one line, or handles the end of the input.
    fn step(&mut self) -> Result<(), Fault> {
        if self.cur.at_end() {
            if self.openmetrics {
                return Err(self.cur.error(self.cur.pos, ParseErrorKind::MissingEof));
            }
            return self.finish_input();
        }
        if self.openmetrics {
            self.openmetrics_line()
        } else {
            self.text_line()
        }
    }

    /// Ends the input: the last family becomes ready.
    fn finish_input(&mut self) -> Result<(), Fault> {
        self.done = true;
        if let Some(at) = self.cur.utf8_error_at() {
            // Every byte is checked on the way, so this is not reached; it guarantees that
            // invalid UTF-8 is never accepted.
            return Err(self.cur.error(at, ParseErrorKind::InvalidUtf8));
        }
        self.finish_family()
    }

    /// Finishes the current family, if any, into `ready`.
    fn finish_family(&mut self) -> Result<(), Fault> {
        let Some(builder) = self.family.take() else {
            return Ok(());
        };
        let name = builder.name;
        let (family, seen, spare) = builder.finish()?;
        self.seen.insert(name, seen);
        self.spare = spare;
        self.metrics_hint = family.metrics.len().min(METRICS_HINT_LIMIT);
        self.ready = Some(family);
        Ok(())
    }

    /// Finishes the current family and starts `name`.
    fn start_family(&mut self, name: &'a str) -> Result<&mut FamilyBuilder<'a>, Fault> {
        self.finish_family()?;
        Ok(self.current_family(name))
    }

    /// The current family, started as `name` if there is none.
    fn current_family(&mut self, name: &'a str) -> &mut FamilyBuilder<'a> {
        self.family.get_or_insert_with(|| {
            let spare = std::mem::take(&mut self.spare);
            FamilyBuilder::new(name, self.openmetrics, self.metrics_hint, spare)
        })
    }

    /// The family a `# HELP`, `# TYPE` or `# UNIT` line for `name` applies to: the current
    /// one, or a new one. A name seen before is an error, named the way Go's parser names it
    /// when the repeated line is one the family already had.
    fn meta_family(
        &mut self,
        name: &'a str,
        at: Pos,
        meta: Meta,
    ) -> Result<&mut FamilyBuilder<'a>, Fault> {
        if self.family.as_ref().is_some_and(|f| f.name == name) {
            return Ok(self.current_family(name));
        }
        if let Some(seen) = self.seen.get(name) {
            let name: Box<str> = name.into();
            return Err(at.error(match meta {
                Meta::Help if seen.help => ParseErrorKind::SecondHelp { name },
                Meta::Type if seen.typed => ParseErrorKind::SecondType { name },
                Meta::Unit if seen.unit => ParseErrorKind::SecondUnit { name },
                _ => ParseErrorKind::Interleaved { name },
            }));
        }
        let current_owner = self
            .family
            .as_ref()
            .filter(|_| self.openmetrics)
            .and_then(|f| {
                SampleKind::of(f.name, f.metric_type(), self.openmetrics, name)
                    .filter(|_| name != f.name)
                    .map(|_| f.name)
            });
        let owner =
            current_owner.or_else(|| self.openmetrics.then(|| self.seen_owner(name)).flatten());
        if let Some(owner) = owner {
            // `# TYPE foo_created gauge` after counter `foo`: the names could clash.
            return Err(at.error(ParseErrorKind::NameClash {
                name: name.into(),
                other: owner.into(),
            }));
        }
        self.start_family(name)
    }

    /// What a sample named `name` is to the current family, starting a new untyped family
    /// when it is not part of the current one. `prefixed` says whether `name` starts with
    /// the current family's name.
    fn bind_sample(
        &mut self,
        name: &'a str,
        prefixed: bool,
        at: Pos,
    ) -> Result<(SampleKind, MetricType), Fault> {
        if let Some(family) = &self.family {
            let t = family.metric_type();
            let suffix = if prefixed {
                name.get(family.name.len()..)
            } else {
                None
            };
            if let Some(kind) =
                suffix.and_then(|suffix| SampleKind::of_suffix(t, self.openmetrics, suffix))
            {
                return Ok((kind, t));
            }
            if name == family.name {
                return Err(at.error(ParseErrorKind::SampleNameMismatch {
                    sample: name.into(),
                    family: family.name.into(),
                    metric_type: t,
                }));
            }
        }
        if let Some(owner) = self.seen_owner(name) {
            return Err(at.error(ParseErrorKind::Interleaved { name: owner.into() }));
        }
        self.start_family(name)?;
        Ok((SampleKind::Value, MetricType::Untyped))
    }

    /// Refuses a `# TYPE` that would make family `name` claim a sample name that an earlier
    /// family has (`# TYPE foo counter` after a family `foo_created`).
    fn check_type_clash(&self, name: &str, t: MetricType, at: Pos) -> Result<(), Fault> {
        if !self.openmetrics {
            // A rule of OpenMetrics; Prometheus' text parser takes such names.
            return Ok(());
        }
        const SUFFIXES: [&str; 8] = [
            "_bucket", "_sum", "_count", "_total", "_created", "_info", "_gsum", "_gcount",
        ];
        for suffix in SUFFIXES {
            if SampleKind::of_suffix(t, self.openmetrics, suffix).is_none() {
                continue;
            }
            let mut claimed = String::with_capacity(name.len() + suffix.len());
            claimed.push_str(name);
            claimed.push_str(suffix);
            let current = self
                .family
                .as_ref()
                .map(|f| f.name)
                .filter(|&f| f == claimed);
            if let Some(other) = current.or_else(|| {
                self.seen
                    .get_key_value(claimed.as_str())
                    .map(|(&other, _)| other)
            }) {
                return Err(at.error(ParseErrorKind::NameClash {
                    name: name.into(),
                    other: other.into(),
                }));
            }
        }
        Ok(())
    }

    /// The finished family a sample named `name` would belong to.
    fn seen_owner(&self, name: &'a str) -> Option<&'a str> {
        if let Some((&owner, _)) = self.seen.get_key_value(name) {
            return Some(owner);
        }
        [
            "_bucket", "_sum", "_count", "_total", "_created", "_info", "_gsum", "_gcount",
        ]
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix))
        .filter_map(|parent| self.seen.get_key_value(parent))
        .find(|(owner, seen)| {
            SampleKind::of(owner, seen.metric_type, self.openmetrics, name).is_some()
        })
        .map(|(&owner, _)| owner)
    }
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<MetricFamily<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        while !self.done {
            if let Err(e) = self.step() {
                self.done = true;
                self.family = None;
                return match self.ready.take() {
                    Some(family) => {
                        self.pending = Some(*e);
                        Some(Ok(family))
                    }
                    None => Some(Err(*e)),
                };
            }
            if let Some(family) = self.ready.take() {
                return Some(Ok(family));
            }
        }
        self.ready.take().map(Ok)
    }
}

impl FusedIterator for Parser<'_> {}

#[cfg(test)]
pub(super) mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::{MetricValue, Value};

    /// The error `input` gives: (line, column, kind).
    pub(super) fn fault(input: &str, format: Format) -> (usize, usize, ParseErrorKind) {
        match parse(input.as_bytes(), format) {
            Err(Error::Parse { line, column, kind }) => (line, column, kind),
            other => panic!("{input:?}: expected a parse error, got {other:?}"),
        }
    }

    /// Checks a table of (input, line, column, kind).
    pub(super) fn check_faults(format: Format, cases: &[(&str, usize, usize, ParseErrorKind)]) {
        for (input, line, column, kind) in cases {
            assert_eq!(
                fault(input, format),
                (*line, *column, kind.clone()),
                "{format}: {input:?}"
            );
        }
    }

    /// The families of a valid `input`.
    pub(super) fn families(input: &str, format: Format) -> Vec<MetricFamily<'_>> {
        parse(input.as_bytes(), format).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    /// The scalar value of every metric, in order.
    pub(super) fn scalars(families: &[MetricFamily<'_>]) -> Vec<Value> {
        families
            .iter()
            .flat_map(|f| &f.metrics)
            .filter_map(|m| match m.value {
                MetricValue::Scalar(v) => Some(v),
                _ => None,
            })
            .collect()
    }

    pub(super) fn name(s: &str) -> Box<str> {
        s.into()
    }

    #[test]
    fn streaming_yields_each_family_then_the_error() {
        let input = b"# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\nb{x=\"1\"} 2\nc 1\nc 1\nd 1\n";
        let mut p = Parser::new(input, Format::Text);
        let names: Vec<_> = p
            .by_ref()
            .map_while(Result::ok)
            .map(|f| f.name.into_owned())
            .collect();
        assert_eq!(names, ["a", "b"]);
        // The error came right after `b`, and the parser is fused.
        assert!(p.next().is_none());
        let mut p = Parser::new(input, Format::Text);
        let items: Vec<_> = p.by_ref().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[2],
            Err(Error::Parse {
                line: 7,
                column: 1,
                kind: ParseErrorKind::DuplicateSeries { name: name("c") }
            })
        );
        assert!(p.next().is_none());
    }

    #[test]
    fn a_family_finished_by_a_bad_line_comes_before_the_error() {
        let mut p = Parser::new(b"a 1\nb x\n", Format::Text);
        assert_eq!(p.next().map(|r| r.map(|f| f.name)), Some(Ok("a".into())));
        assert!(matches!(
            p.next(),
            Some(Err(Error::Parse {
                line: 2,
                column: 3,
                ..
            }))
        ));
        assert!(p.next().is_none());
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(parse(b"", Format::Text), Ok(vec![]));
        assert_eq!(parse(b"\n \n\t\n", Format::Text), Ok(vec![]));
        assert_eq!(parse(b"# EOF\n", Format::OpenMetrics), Ok(vec![]));
        assert_eq!(parse(b"# EOF", Format::OpenMetrics), Ok(vec![]));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let input = "# HELP a plain\na{x=\"plain\",y=\"esc\\\\aped\"} 1\n";
        let f = families(input, Format::Text);
        assert!(matches!(f[0].name, Cow::Borrowed("a")));
        assert!(matches!(f[0].help, Some(Cow::Borrowed("plain"))));
        let labels = &f[0].metrics[0].labels;
        assert!(matches!(labels[0].name, Cow::Borrowed("x")));
        assert!(matches!(labels[0].value, Cow::Borrowed("plain")));
        assert_eq!(labels[1].value, "esc\\aped");
        assert!(matches!(labels[1].value, Cow::Owned(_)));
    }

    #[test]
    fn every_family_is_returned_in_order_with_its_metadata() {
        let input = "# HELP a A\n# TYPE a counter\na 1\n# TYPE empty gauge\nb 2\n# HELP c C\n";
        let f = families(input, Format::Text);
        let summary: Vec<_> = f
            .iter()
            .map(|f| (&*f.name, f.metric_type, f.help.as_deref(), f.metrics.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("a", MetricType::Counter, Some("A"), 1),
                ("empty", MetricType::Gauge, None, 0),
                ("b", MetricType::Untyped, None, 1),
                ("c", MetricType::Untyped, Some("C"), 0),
            ]
        );
    }

    #[test]
    fn many_series_and_labels_stay_linear() {
        // 20,000 series of one family, each label set a permutation-free variant: the
        // duplicate check is hashed, so this runs in milliseconds even unoptimised.
        let mut input = String::from("# TYPE big gauge\n");
        for i in 0..20_000 {
            input.push_str(&format!("big{{a=\"{i}\",b=\"x\"}} {i}\n"));
        }
        input.push_str("big{b=\"x\",a=\"777\"} 1\n");
        let (line, column, kind) = fault(&input, Format::Text);
        assert_eq!((line, column), (20_002, 1));
        assert_eq!(kind, ParseErrorKind::DuplicateSeries { name: name("big") });
    }

    #[test]
    fn a_huge_repeated_label_set_is_found_in_linear_time() {
        let labels: Vec<String> = (0..50_000).map(|i| format!("l{i}=\"v\"")).collect();
        let line = format!("a{{{}}} 1\n", labels.join(","));
        let input = format!("{line}{line}");
        let (line, column, kind) = fault(&input, Format::Text);
        assert_eq!((line, column), (2, 1));
        assert_eq!(kind, ParseErrorKind::DuplicateSeries { name: name("a") });
    }

    #[test]
    fn errors_display_with_position() {
        let e = parse(b"a 1\na 2\n", Format::Text).unwrap_err();
        assert_eq!(e.to_string(), "2:1: duplicate series for metric name `a`");
        assert_eq!(scalars(&families("a -3\n", Format::Text)), [Value::I64(-3)]);
    }
}
