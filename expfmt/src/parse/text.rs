//! Text format 0.0.4: blank lines, comments, `# HELP` and `# TYPE` lines.

use std::borrow::Cow;

use super::cursor::{Escapes, Fault};
use super::{Meta, Parser};
use crate::{MetricType, ParseErrorKind};

impl Parser<'_> {
    /// Reads one line of text format.
    pub(super) fn text_line(&mut self) -> Result<(), Fault> {
        self.cur.skip_blanks();
        match self.cur.peek() {
            // Trailing blanks at the end of the input.
            None => Ok(()),
            Some(b'\n') => self.cur.end_line(),
            Some(b'#') => self.text_comment(),
            Some(_) => self.sample_line(),
        }
    }

    /// Reads a line starting with `#`: `# HELP`, `# TYPE`, or a comment.
    fn text_comment(&mut self) -> Result<(), Fault> {
        let c = &mut self.cur;
        c.pos += 1;
        c.skip_blanks();
        let keyword_start = c.pos;
        let meta = match c.token()? {
            "HELP" => Meta::Help,
            "TYPE" => Meta::Type,
            _ => {
                c.pos = keyword_start;
                return c.skip_line();
            }
        };
        if !matches!(c.peek(), Some(b' ' | b'\t')) {
            return Err(c.unexpected(c.pos, "blank and metric name after the keyword"));
        }
        c.skip_blanks();
        let at = c.pos_of(c.pos);
        let name = c.metric_name_or_quoted()?;
        if meta == Meta::Help {
            let help = match c.peek() {
                Some(b'\n') => Cow::Borrowed(""),
                Some(b' ' | b'\t') => {
                    c.skip_blanks();
                    c.escaped(b'\n', Escapes::TextHelp)?
                }
                _ => return Err(c.unexpected(c.pos, "blank or end of line after the metric name")),
            };
            c.end_line()?;
            return self.meta_family(name, at, meta)?.set_help(Some(help), at);
        }
        if !matches!(c.peek(), Some(b' ' | b'\t')) {
            return Err(c.unexpected(c.pos, "blank and metric type after the metric name"));
        }
        c.skip_blanks();
        let type_at = c.pos;
        let keyword = c.token()?;
        let t = text_type(keyword).ok_or_else(|| {
            c.error(
                type_at,
                ParseErrorKind::UnknownType {
                    keyword: keyword.into(),
                },
            )
        })?;
        c.skip_blanks();
        c.end_line()?;
        self.check_type_clash(name, t, at)?;
        self.meta_family(name, at, meta)?.set_type(t, at)
    }
}

/// A 0.0.4 type keyword, in any case as Go's parser accepts it.
fn text_type(keyword: &str) -> Option<MetricType> {
    [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Untyped,
    ]
    .into_iter()
    .find(|t| t.as_str().eq_ignore_ascii_case(keyword))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_faults, families, name, scalars};
    use crate::{Format, MetricType, ParseErrorKind as K, Value};

    const TEXT: Format = Format::Text;

    #[test]
    fn accepted_layouts() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Value);
        let cases: &[Case<'_>] = &[
            ("a 1\n", &[], Value::U64(1)),
            ("\n\n  a 1\n\n", &[], Value::U64(1)),
            ("a\t \t1 \t\n", &[], Value::U64(1)),
            ("a{} 1\n", &[], Value::U64(1)),
            ("a{}1\n", &[], Value::U64(1)),
            ("a {x=\"1\"} 1\n", &[("x", "1")], Value::U64(1)),
            (
                "a{ x = \"1\" , y=\"2\" , } 1\n",
                &[("x", "1"), ("y", "2")],
                Value::U64(1),
            ),
            ("a{x=\"1\",} 1\n", &[("x", "1")], Value::U64(1)),
            (
                "a{x=\"\\\\ \\\" \\n\"} 1\n",
                &[("x", "\\ \" \n")],
                Value::U64(1),
            ),
            ("a{x=\"é\u{0}€\"} 1\n", &[("x", "é\u{0}€")], Value::U64(1)),
            (
                "# a comment\n#\n#HELPER x\n# EOF\na 1\n",
                &[],
                Value::U64(1),
            ),
            ("# é UTF-8 comment\na 1\n", &[], Value::U64(1)),
            ("a 1   \n   ", &[], Value::U64(1)),
        ];
        for (input, labels, value) in cases {
            let f = families(input, TEXT);
            assert_eq!(f.len(), 1, "{input:?}");
            assert_eq!(f[0].name, "a");
            let got: Vec<_> = f[0].metrics[0]
                .labels
                .iter()
                .map(|l| (&*l.name, &*l.value))
                .collect();
            assert_eq!(got, *labels, "{input:?}");
            assert!(scalars(&f)[0].bit_eq(*value), "{input:?}");
        }
    }

    #[test]
    fn metadata_lines() {
        let cases: &[(&str, Option<&str>, MetricType)] = &[
            (
                "# HELP a some help\n",
                Some("some help"),
                MetricType::Untyped,
            ),
            ("#HELP a x\n", Some("x"), MetricType::Untyped),
            ("#  HELP \t a \t x y \n", Some("x y "), MetricType::Untyped),
            ("# HELP a\n", Some(""), MetricType::Untyped),
            ("# HELP a \n", Some(""), MetricType::Untyped),
            (
                "# HELP a a \\\\ b \\n c \" d\n",
                Some("a \\ b \n c \" d"),
                MetricType::Untyped,
            ),
            ("# TYPE a counter\n", None, MetricType::Counter),
            ("# TYPE a gauge \t\n", None, MetricType::Gauge),
            ("# TYPE a COUNTER\n", None, MetricType::Counter),
            ("# TYPE a Histogram\n", None, MetricType::Histogram),
            ("# TYPE a summary\n", None, MetricType::Summary),
            ("# TYPE a untyped\n", None, MetricType::Untyped),
            (
                "# HELP a h\n# TYPE a gauge\na 1\n",
                Some("h"),
                MetricType::Gauge,
            ),
            (
                "# TYPE a gauge\n# HELP a h\na 1\n",
                Some("h"),
                MetricType::Gauge,
            ),
            // Go accepts a HELP after the samples in 0.0.4.
            (
                "# TYPE a gauge\na 1\n# HELP a h\n",
                Some("h"),
                MetricType::Gauge,
            ),
        ];
        for (input, help, t) in cases {
            let f = families(input, TEXT);
            assert_eq!(f.len(), 1, "{input:?}");
            assert_eq!(f[0].help.as_deref(), *help, "{input:?}");
            assert_eq!(f[0].metric_type, *t, "{input:?}");
        }
    }

    #[test]
    fn samples_without_type_are_untyped_families_of_their_own_name() {
        let input = "x_count 1\nx_sum 2\n# TYPE y gauge\ny 1\ny_count 3\n";
        let f = families(input, TEXT);
        let names: Vec<_> = f.iter().map(|f| (&*f.name, f.metric_type)).collect();
        assert_eq!(
            names,
            [
                ("x_count", MetricType::Untyped),
                ("x_sum", MetricType::Untyped),
                ("y", MetricType::Gauge),
                ("y_count", MetricType::Untyped),
            ]
        );
    }

    #[test]
    fn values_and_timestamps() {
        let f = families(
            "a{i=\"0\"} 1 -5\na{i=\"1\"} -2 +7\na{i=\"2\"} 1.5e3 0\na{i=\"3\"} NaN\n",
            TEXT,
        );
        let ts: Vec<_> = f[0]
            .metrics
            .iter()
            .map(|m| m.timestamp.map(crate::Timestamp::as_millis))
            .collect();
        assert_eq!(ts, [Some(-5), Some(7), Some(0), None]);
        let v = scalars(&f);
        assert!(v[0].bit_eq(Value::U64(1)));
        assert!(v[1].bit_eq(Value::I64(-2)));
        assert!(v[2].bit_eq(Value::F64(1500.0)));
        assert!(matches!(v[3], Value::F64(x) if x.is_nan()));
    }

    #[test]
    fn rejected() {
        let cases = [
            // Repeated metadata, Go's names.
            (
                "# HELP a x\n# HELP a y\n",
                2,
                8,
                K::SecondHelp { name: name("a") },
            ),
            (
                "# HELP a x\na 1\nb 1\n# HELP a y\n",
                4,
                8,
                K::SecondHelp { name: name("a") },
            ),
            (
                "# TYPE a gauge\n# TYPE a gauge\n",
                2,
                8,
                K::SecondType { name: name("a") },
            ),
            (
                "a 1\n# TYPE a gauge\n",
                2,
                8,
                K::SecondType { name: name("a") },
            ),
            (
                "a 1\nb 1\n# TYPE a gauge\n",
                3,
                8,
                K::SecondType { name: name("a") },
            ),
            // Families that come back.
            ("a 1\nb 1\na 2\n", 3, 1, K::Interleaved { name: name("a") }),
            (
                "a 1\nb 1\n# HELP a x\n",
                3,
                8,
                K::Interleaved { name: name("a") },
            ),
            (
                "# HELP a x\nb 1\n# TYPE a gauge\n",
                3,
                8,
                K::Interleaved { name: name("a") },
            ),
            // Escapes.
            ("# HELP a x\\ty\n", 1, 11, K::InvalidEscape { found: 't' }),
            ("# HELP a \\\"\n", 1, 10, K::InvalidEscape { found: '"' }),
            ("# HELP a x\\\n", 1, 11, K::InvalidEscape { found: '\n' }),
            ("a{b=\"\\t\"} 1\n", 1, 6, K::InvalidEscape { found: 't' }),
            ("a{b=\"\\é\"} 1\n", 1, 6, K::InvalidEscape { found: 'é' }),
            ("a{b=\"x\ny\"} 1\n", 1, 7, K::UnescapedNewline),
            // Labels and series.
            (
                "a{b=\"1\",b=\"2\"} 1\n",
                1,
                9,
                K::DuplicateLabelName { name: name("b") },
            ),
            (
                "a{b=\"1\"} 1\na{b=\"1\"} 2\n",
                2,
                1,
                K::DuplicateSeries { name: name("a") },
            ),
            (
                "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n",
                2,
                1,
                K::DuplicateSeries { name: name("a") },
            ),
            ("a 1\na 1 5\n", 2, 1, K::DuplicateSeries { name: name("a") }),
            (
                "a{__name__=\"x\"} 1\n",
                1,
                3,
                K::ReservedLabelName {
                    name: name("__name__"),
                },
            ),
            // Names.
            ("a.b 1\n", 1, 2, K::InvalidMetricName { name: name("a.b") }),
            ("0a 1\n", 1, 1, K::InvalidMetricName { name: name("0a") }),
            ("é 1\n", 1, 1, K::InvalidMetricName { name: name("é") }),
            (
                "# TYPE a-b gauge\n",
                1,
                9,
                K::InvalidMetricName { name: name("a-b") },
            ),
            (
                "a{b-c=\"1\"} 1\n",
                1,
                4,
                K::InvalidLabelName { name: name("b-c") },
            ),
            (
                "a{0=\"1\"} 1\n",
                1,
                3,
                K::InvalidLabelName { name: name("0") },
            ),
            // Types.
            (
                "# TYPE a foo\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("foo"),
                },
            ),
            (
                "# TYPE a unknown\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("unknown"),
                },
            ),
            (
                "# TYPE a gauge_histogram\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("gauge_histogram"),
                },
            ),
            ("# TYPE a \n", 1, 10, K::UnknownType { keyword: name("") }),
            // Syntax.
            ("a 1", 1, 4, unexpected("end of line", "end of input")),
            (
                "# HELP a x",
                1,
                11,
                unexpected("end of line", "end of input"),
            ),
            (
                "# comment",
                1,
                10,
                unexpected("end of line", "end of input"),
            ),
            (
                "a\n",
                1,
                2,
                unexpected("blank or `{` after the metric name", "end of line"),
            ),
            (
                "a=1\n",
                1,
                2,
                unexpected("blank or `{` after the metric name", "`=`"),
            ),
            ("a 1 2 3\n", 1, 7, unexpected("end of line", "`3`")),
            (
                "a{b=\"1\"\n",
                1,
                8,
                unexpected("`,` or `}` after the label value", "end of line"),
            ),
            (
                "{b=\"1\"} 1\n",
                1,
                2,
                unexpected("`\"` starting a quoted name", "`b`"),
            ),
            (
                "# HELP\n",
                1,
                7,
                unexpected("blank and metric name after the keyword", "end of line"),
            ),
            (
                "# TYPE a\n",
                1,
                9,
                unexpected("blank and metric type after the metric name", "end of line"),
            ),
            (
                "# TYPE a gauge x\n",
                1,
                16,
                unexpected("end of line", "`x`"),
            ),
            (
                "a 1\r\n",
                1,
                3,
                K::BadValue {
                    expected: "float",
                    found: name("1\r"),
                },
            ),
        ];
        check_faults(TEXT, &cases);
    }

    #[test]
    fn invalid_utf8() {
        let cases: &[(&[u8], usize, usize)] = &[
            (b"a{b=\"\xff\"} 1\n", 1, 6),
            (b"# comment \xff\na 1\n", 1, 11),
            (b"# HELP a \xc3\n", 1, 10),
            (b"a 1\na \xff\n", 2, 3),
        ];
        for (input, line, column) in cases {
            assert_eq!(
                crate::parse(input, TEXT),
                Err(crate::Error::Parse {
                    line: *line,
                    column: *column,
                    kind: K::InvalidUtf8
                }),
                "{input:?}"
            );
        }
    }

    fn unexpected(expected: &'static str, found: &str) -> K {
        K::Unexpected {
            expected,
            found: name(found),
        }
    }
}
