//! OpenMetrics 1.0: `# TYPE`, `# UNIT`, `# HELP` and `# EOF` lines.

use super::cursor::{Escapes, Fault};
use super::{Meta, Parser};
use crate::{MetricType, ParseErrorKind};

impl Parser<'_> {
    /// Reads one line of OpenMetrics.
    pub(super) fn openmetrics_line(&mut self) -> Result<(), Fault> {
        if self.cur.peek() == Some(b'#') {
            self.openmetrics_metadata()
        } else {
            self.sample_line()
        }
    }

    /// Reads a `# TYPE`, `# UNIT`, `# HELP` or `# EOF` line.
    fn openmetrics_metadata(&mut self) -> Result<(), Fault> {
        let c = &mut self.cur;
        c.pos += 1;
        c.expect(b' ', "` ` after `#`")?;
        let keyword_start = c.pos;
        let meta = match c.token()? {
            "EOF" => return self.eof(),
            "HELP" => Meta::Help,
            "TYPE" => Meta::Type,
            "UNIT" => Meta::Unit,
            other => {
                return Err(c.error(
                    keyword_start,
                    ParseErrorKind::Unexpected {
                        expected: "`TYPE`, `UNIT`, `HELP` or `EOF`",
                        found: format!("`{other}`").into(),
                    },
                ));
            }
        };
        c.expect(b' ', "` ` after the keyword")?;
        let at = c.pos_of(c.pos);
        let name = c.metric_name_or_quoted()?;
        c.expect(b' ', "` ` after the metric name")?;
        match meta {
            Meta::Help => {
                let help = c.escaped(b'\n', Escapes::OpenMetrics)?;
                c.end_line()?;
                let help = (!help.is_empty()).then_some(help);
                self.meta_family(name, at, meta)?.set_help(help, at)
            }
            Meta::Unit => {
                let unit = c.unit()?;
                c.end_line()?;
                let unit = (!unit.is_empty()).then_some(unit);
                self.meta_family(name, at, meta)?.set_unit(unit, at)
            }
            Meta::Type => {
                let type_at = c.pos;
                let keyword = c.token()?;
                let t = openmetrics_type(keyword).ok_or_else(|| {
                    c.error(
                        type_at,
                        ParseErrorKind::UnknownType {
                            keyword: keyword.into(),
                        },
                    )
                })?;
                c.end_line()?;
                self.check_type_clash(name, t, at)?;
                self.meta_family(name, at, meta)?.set_type(t, at)
            }
        }
    }

    /// After `# EOF`: an optional line feed, then nothing.
    fn eof(&mut self) -> Result<(), Fault> {
        let c = &mut self.cur;
        if !c.at_end() {
            c.end_line()?;
            if !c.at_end() {
                return Err(c.error(c.pos, ParseErrorKind::ContentAfterEof));
            }
        }
        self.finish_input()
    }
}

/// An OpenMetrics 1.0 type keyword.
fn openmetrics_type(keyword: &str) -> Option<MetricType> {
    Some(match keyword {
        "counter" => MetricType::Counter,
        "gauge" => MetricType::Gauge,
        "histogram" => MetricType::Histogram,
        "summary" => MetricType::Summary,
        "unknown" => MetricType::Untyped,
        "stateset" => MetricType::StateSet,
        "info" => MetricType::Info,
        "gaugehistogram" => MetricType::GaugeHistogram,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_faults, families, name, scalars};
    use crate::{Format, MetricType, MetricValue, ParseErrorKind as K, Timestamp, Value};

    const OM: Format = Format::OpenMetrics;

    #[test]
    fn the_spec_example() {
        let input = "# TYPE acme_http_router_request_seconds summary\n\
# UNIT acme_http_router_request_seconds seconds\n\
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.\n\
acme_http_router_request_seconds_sum{path=\"/api/v1\",method=\"GET\"} 9036.32\n\
acme_http_router_request_seconds_count{path=\"/api/v1\",method=\"GET\"} 807283.0\n\
acme_http_router_request_seconds_created{path=\"/api/v1\",method=\"GET\"} 1605281325.0\n\
acme_http_router_request_seconds_sum{path=\"/api/v2\",method=\"POST\"} 479.3\n\
acme_http_router_request_seconds_count{path=\"/api/v2\",method=\"POST\"} 34.0\n\
acme_http_router_request_seconds_created{path=\"/api/v2\",method=\"POST\"} 1605281325.0\n\
# TYPE go_goroutines gauge\n\
# HELP go_goroutines Number of goroutines that currently exist.\n\
go_goroutines 69\n\
# TYPE process_cpu_seconds counter\n\
# UNIT process_cpu_seconds seconds\n\
# HELP process_cpu_seconds Total user and system CPU time spent in seconds.\n\
process_cpu_seconds_total 4.20072246e+06\n\
# EOF\n";
        let f = families(input, OM);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].unit.as_deref(), Some("seconds"));
        assert_eq!(f[0].metrics.len(), 2);
        let MetricValue::Summary(s) = &f[0].metrics[0].value else {
            panic!("not a summary: {:?}", f[0].metrics[0].value);
        };
        assert_eq!(
            (s.sum, s.count, s.quantiles.len()),
            (Some(9036.32), Some(807_283), 0)
        );
        assert_eq!(f[0].metrics[1].created, Some(1_605_281_325.0));
        assert_eq!(f[1].metric_type, MetricType::Gauge);
        assert_eq!(f[2].name, "process_cpu_seconds");
        assert_eq!(f[2].metric_type, MetricType::Counter);
        assert!(scalars(&f)[1].bit_eq(Value::F64(4_200_722.46)));
    }

    #[test]
    fn counters_timestamps_and_exemplars() {
        let input = "# TYPE foo counter\n\
foo_total{a=\"1\"} 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67 1520879602.1\n\
foo_created{a=\"1\"} 1520430000.123 1520879607.789\n\
foo_total{a=\"2\"} 3 # {} 1\n\
# TYPE h histogram\n\
h_bucket{le=\"0.1\"} 8 # {} 0.054\n\
h_bucket{le=\"+Inf\"} 17\n\
h_count 17\n\
h_sum 324789.3\n\
h_created  1520430000.123\n\
# EOF";
        // `h_created  1520...` has two spaces: the value is empty.
        assert!(crate::parse(input.as_bytes(), OM).is_err());
        let input = input.replace("h_created  ", "h_created ");
        let f = families(&input, OM);
        let foo = &f[0];
        assert_eq!(foo.metrics.len(), 2);
        assert!(matches!(foo.metrics[0].value, MetricValue::Scalar(Value::F64(v)) if v == 17.0));
        assert_eq!(
            foo.metrics[0].timestamp,
            Some(Timestamp::from_millis(1_520_879_607_789))
        );
        assert_eq!(foo.metrics[0].created, Some(1_520_430_000.123));
        assert!(matches!(
            foo.metrics[1].value,
            MetricValue::Scalar(Value::U64(3))
        ));
        let MetricValue::Histogram(h) = &f[1].metrics[0].value else {
            panic!("not a histogram");
        };
        assert_eq!(h.buckets.len(), 2);
        assert_eq!((h.count, h.sum), (Some(17), Some(324_789.3)));
        assert_eq!(f[1].metrics[0].created, Some(1_520_430_000.123));
        // The exemplars, in the model.
        assert_eq!(
            foo.metrics[0].exemplars,
            vec![Some(crate::Exemplar {
                labels: vec![crate::Label::new("trace_id", "KOO5S4vxi0o")],
                value: 0.67,
                timestamp: Some(Timestamp::from_millis(1_520_879_602_100)),
            })]
        );
        assert_eq!(
            foo.metrics[1].exemplars,
            vec![Some(crate::Exemplar::new(vec![], 1.0))]
        );
        assert_eq!(
            f[1].metrics[0].exemplars,
            vec![Some(crate::Exemplar::new(vec![], 0.054))]
        );
        // The second bucket's exemplar only: the first slot is empty.
        let second = "# TYPE h gaugehistogram\n\
h_bucket{le=\"1.0\"} 0\n\
h_bucket{le=\"+Inf\"} 2 # {id=\"\\\"q\\\"\"} 7.5 12\n\
# EOF\n";
        let f = families(second, OM);
        assert_eq!(
            f[0].metrics[0].exemplars,
            vec![
                None,
                Some(crate::Exemplar {
                    labels: vec![crate::Label::new("id", "\"q\"")],
                    value: 7.5,
                    timestamp: Some(Timestamp::from_millis(12_000)),
                })
            ]
        );
        // And written back the same.
        let mut out = Vec::new();
        let mut enc = crate::Encoder::new(&mut out, OM);
        enc.encode_family(&f[0]).expect("encode");
        enc.finish();
        assert_eq!(String::from_utf8_lossy(&out), second);
    }

    #[test]
    fn metadata() {
        let cases: &[(&str, MetricType, Option<&str>, Option<&str>)] = &[
            (
                "# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n# HELP a_seconds h\n# EOF\n",
                MetricType::Gauge,
                Some("seconds"),
                Some("h"),
            ),
            (
                "# HELP a_seconds h\n# UNIT a_seconds seconds\n# TYPE a_seconds gauge\n# EOF\n",
                MetricType::Gauge,
                Some("seconds"),
                Some("h"),
            ),
            ("# TYPE a unknown\n# EOF\n", MetricType::Untyped, None, None),
            ("# HELP a \n# EOF\n", MetricType::Untyped, None, None),
            ("# UNIT a \n# EOF\n", MetricType::Untyped, None, None),
            (
                "# HELP a \n# HELP a second\n# EOF\n",
                MetricType::Untyped,
                None,
                Some("second"),
            ),
            (
                "# HELP a  x\\\\ \\\" \\n \\q\n# EOF\n",
                MetricType::Untyped,
                None,
                Some(" x\\ \" \n \\q"),
            ),
        ];
        for (input, t, unit, help) in cases {
            let f = families(input, OM);
            assert_eq!(f.len(), 1, "{input:?}");
            assert_eq!(f[0].metric_type, *t, "{input:?}");
            assert_eq!(f[0].unit.as_deref(), *unit, "{input:?}");
            assert_eq!(f[0].help.as_deref(), *help, "{input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases = [
            // The end.
            ("a 1\n", 2, 1, K::MissingEof),
            ("", 1, 1, K::MissingEof),
            ("a 1", 1, 4, unexpected("end of line", "end of input")),
            ("# EOF\na 1\n", 2, 1, K::ContentAfterEof),
            ("# EOF\n\n", 2, 1, K::ContentAfterEof),
            ("# EOF \n", 1, 6, unexpected("end of line", "` `")),
            // Metadata.
            (
                "# HELP a x\n# HELP a y\n# EOF\n",
                2,
                8,
                K::SecondHelp { name: name("a") },
            ),
            (
                "# TYPE a gauge\n# TYPE a gauge\n# EOF\n",
                2,
                8,
                K::SecondType { name: name("a") },
            ),
            (
                "# TYPE a gauge\na 1\n# TYPE a gauge\n# EOF\n",
                3,
                8,
                K::SecondType { name: name("a") },
            ),
            (
                "# UNIT a_s s\n# UNIT a_s s\n# EOF\n",
                2,
                8,
                K::SecondUnit { name: name("a_s") },
            ),
            (
                "# UNIT a_s s\nb 1\n# UNIT a_s s\n# EOF\n",
                3,
                8,
                K::SecondUnit { name: name("a_s") },
            ),
            (
                "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n",
                3,
                8,
                K::MetadataAfterSamples {
                    name: name("a"),
                    keyword: "HELP",
                },
            ),
            (
                "a_s 1\n# UNIT a_s s\n# EOF\n",
                2,
                8,
                K::MetadataAfterSamples {
                    name: name("a_s"),
                    keyword: "UNIT",
                },
            ),
            (
                "# TYPE a gauge\n# UNIT a seconds\n# EOF\n",
                2,
                8,
                K::UnitMismatch {
                    name: name("a"),
                    unit: name("seconds"),
                },
            ),
            (
                "# UNIT a_xseconds seconds\n# EOF\n",
                1,
                8,
                K::UnitMismatch {
                    name: name("a_xseconds"),
                    unit: name("seconds"),
                },
            ),
            (
                "# UNIT seconds seconds\n# EOF\n",
                1,
                8,
                K::UnitMismatch {
                    name: name("seconds"),
                    unit: name("seconds"),
                },
            ),
            (
                "# TYPE a enum\n# EOF\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("enum"),
                },
            ),
            // stateset: value 0 or 1, a label named after the family, no unit, no suffix.
            (
                "# TYPE a stateset\na{a=\"x\"} 2\n# EOF\n",
                2,
                10,
                K::BadValue {
                    expected: "0 or 1 (a state)",
                    found: name("2"),
                },
            ),
            (
                "# TYPE a stateset\na{b=\"x\"} 1\n# EOF\n",
                2,
                1,
                K::MissingLabel {
                    name: name("a"),
                    label: "<family name>",
                },
            ),
            (
                "# TYPE a_bytes stateset\n# UNIT a_bytes bytes\n# EOF\n",
                2,
                8,
                K::UnitMismatch {
                    name: name("a_bytes"),
                    unit: name("bytes"),
                },
            ),
            // info: a `_info` sample of value 1, no unit.
            (
                "# TYPE a info\na_info{v=\"1\"} 2\n# EOF\n",
                2,
                15,
                K::BadValue {
                    expected: "1 (an info value)",
                    found: name("2"),
                },
            ),
            (
                "# TYPE a info\na{v=\"1\"} 1\n# EOF\n",
                2,
                1,
                K::SampleNameMismatch {
                    sample: name("a"),
                    family: name("a"),
                    metric_type: MetricType::Info,
                },
            ),
            (
                "# TYPE a_bytes info\n# UNIT a_bytes bytes\n# EOF\n",
                2,
                8,
                K::UnitMismatch {
                    name: name("a_bytes"),
                    unit: name("bytes"),
                },
            ),
            // gaugehistogram: `_gsum`/`_gcount`, both or neither.
            (
                "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 1\na_gsum 1\n# EOF\n",
                2,
                1,
                K::MissingSample {
                    name: name("a"),
                    sample: "_gcount",
                },
            ),
            (
                "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 1\na_gcount 2\na_gsum 1\n# EOF\n",
                2,
                1,
                K::InvalidDistribution {
                    name: name("a"),
                    metric_type: MetricType::GaugeHistogram,
                    reason: "the `+Inf` bucket differs from the count",
                },
            ),
            (
                "# TYPE a gaugehistogram\na_gsum{le=\"1\"} 1\n# EOF\n",
                2,
                8,
                K::ReservedLabelName { name: name("le") },
            ),
            // histogram: no sum with a negative bucket; a sum is never negative.
            (
                "# TYPE h histogram\nh_bucket{le=\"-1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n# EOF\n",
                2,
                1,
                K::InvalidDistribution {
                    name: name("h"),
                    metric_type: MetricType::Histogram,
                    reason: "a histogram with a negative bucket or sum has no `_sum`",
                },
            ),
            (
                "# TYPE s summary\ns_sum -1\n# EOF\n",
                2,
                1,
                K::InvalidDistribution {
                    name: name("s"),
                    metric_type: MetricType::Summary,
                    reason: "`_sum` is negative or NaN",
                },
            ),
            (
                "# TYPE a untyped\n# EOF\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("untyped"),
                },
            ),
            (
                "# TYPE a Gauge\n# EOF\n",
                1,
                10,
                K::UnknownType {
                    keyword: name("Gauge"),
                },
            ),
            (
                "# HELP a say \"hi\"\n# EOF\n",
                1,
                14,
                unexpected("`\\\"` (a double quote must be escaped)", "`\"`"),
            ),
            (
                "# HELP a\n# EOF\n",
                1,
                9,
                unexpected("` ` after the metric name", "end of line"),
            ),
            (
                "# comment\n# EOF\n",
                1,
                3,
                unexpected("`TYPE`, `UNIT`, `HELP` or `EOF`", "`comment`"),
            ),
            (
                "#TYPE a gauge\n# EOF\n",
                1,
                2,
                unexpected("` ` after `#`", "`T`"),
            ),
            (
                "# TYPE  a gauge\n# EOF\n",
                1,
                8,
                unexpected("metric name", "` `"),
            ),
            // Families.
            (
                "a 1\nb 1\na 2\n# EOF\n",
                3,
                1,
                K::Interleaved { name: name("a") },
            ),
            (
                "# TYPE a gauge\n# TYPE b gauge\n# HELP a x\n# EOF\n",
                3,
                8,
                K::Interleaved { name: name("a") },
            ),
            (
                "# TYPE c counter\nc 1\n# EOF\n",
                2,
                1,
                K::SampleNameMismatch {
                    sample: name("c"),
                    family: name("c"),
                    metric_type: MetricType::Counter,
                },
            ),
            (
                "# TYPE c counter\nc_total -1\n# EOF\n",
                2,
                9,
                K::BadValue {
                    expected: "non-negative counter total",
                    found: name("-1"),
                },
            ),
            (
                "# TYPE c counter\nc_total NaN\n# EOF\n",
                2,
                9,
                K::BadValue {
                    expected: "non-negative counter total",
                    found: name("NaN"),
                },
            ),
            (
                "# TYPE c counter\nc_created 1\n# EOF\n",
                2,
                1,
                K::MissingSample {
                    name: name("c"),
                    sample: "_total",
                },
            ),
            (
                "# TYPE c counter\nc_total 1\nc_total 2\n# EOF\n",
                3,
                1,
                K::DuplicateSeries {
                    name: name("c_total"),
                },
            ),
            (
                "# TYPE c counter\nc_total 1\nc_created 1\nc_created 2\n# EOF\n",
                4,
                1,
                K::DuplicateSeries {
                    name: name("c_created"),
                },
            ),
            (
                "# TYPE c counter\nc_total{a=\"1\"} 1\nc_total{a=\"2\"} 1\nc_created{a=\"1\"} 1\n# EOF\n",
                4,
                1,
                K::InterleavedMetric { name: name("c") },
            ),
            // Syntax.
            ("\n# EOF\n", 1, 1, unexpected("metric name", "end of line")),
            (" a 1\n# EOF\n", 1, 1, unexpected("metric name", "` `")),
            (
                "a  1\n# EOF\n",
                1,
                3,
                K::BadValue {
                    expected: "float",
                    found: name(""),
                },
            ),
            (
                "a\t1\n# EOF\n",
                1,
                2,
                unexpected("` ` before the value", "tab"),
            ),
            (
                "a {b=\"1\"} 1\n# EOF\n",
                1,
                3,
                K::BadValue {
                    expected: "float",
                    found: name("{b=\"1\"}"),
                },
            ),
            (
                "a{b=\"1\",} 1\n# EOF\n",
                1,
                9,
                unexpected("label name", "`}`"),
            ),
            (
                "a{b = \"1\"} 1\n# EOF\n",
                1,
                4,
                unexpected("`=` after the label name", "` `"),
            ),
            (
                "a 1 \n# EOF\n",
                1,
                5,
                K::BadTimestamp {
                    expected: "seconds as a decimal number",
                    found: name(""),
                },
            ),
            (
                "a 1 abc\n# EOF\n",
                1,
                5,
                K::BadTimestamp {
                    expected: "seconds as a decimal number",
                    found: name("abc"),
                },
            ),
            (
                "a 1 NaN\n# EOF\n",
                1,
                5,
                K::BadTimestamp {
                    expected: "seconds as a decimal number",
                    found: name("NaN"),
                },
            ),
            (
                "a 1 1e400\n# EOF\n",
                1,
                5,
                K::BadTimestamp {
                    expected: "seconds as a decimal number",
                    found: name("1e400"),
                },
            ),
            (
                "a 1 2 3\n# EOF\n",
                1,
                7,
                unexpected("`#` starting an exemplar", "`3`"),
            ),
            (
                "a{b=\"x\\\ny\"} 1\n# EOF\n",
                1,
                8,
                unexpected("escaped character", "end of line"),
            ),
            // Exemplars.
            (
                "# TYPE g gauge\ng 1 # {a=\"b\"} 1\n# EOF\n",
                2,
                5,
                unexpected(
                    "end of line (exemplars belong to `_total` and `_bucket` samples)",
                    "`#`",
                ),
            ),
            (
                "# TYPE c counter\nc_total 1 # {a=\"b\"}\n# EOF\n",
                2,
                20,
                unexpected("` ` before the exemplar value", "end of line"),
            ),
            (
                "# TYPE c counter\nc_total 1 # {a=\"b\"} x\n# EOF\n",
                2,
                21,
                K::BadValue {
                    expected: "float as exemplar value",
                    found: name("x"),
                },
            ),
            (
                "# TYPE c counter\nc_total 1 # a\n# EOF\n",
                2,
                13,
                unexpected("`{`", "`a`"),
            ),
            (
                "# TYPE c counter\nc_total 1 #{}\n# EOF\n",
                2,
                12,
                unexpected("` ` after `#`", "`{`"),
            ),
            (
                "# TYPE c counter\nc_total 1 # {} 1 2 3\n# EOF\n",
                2,
                19,
                unexpected("end of line", "` `"),
            ),
        ];
        check_faults(OM, &cases);
    }

    /// OpenMetrics: a metric may have several points, in increasing timestamp order, each
    /// point's samples together and sharing its timestamp.
    #[test]
    fn several_points_per_metric() {
        let input = "# TYPE c counter\n\
c_total{a=\"1\"} 1 10\n\
c_created{a=\"1\"} 5.0 10\n\
c_total{a=\"1\"} 2 11.5 # {t=\"x\"} 1.0 11\n\
c_created{a=\"1\"} 5.0 11.5\n\
c_total{a=\"2\"} 7 10\n\
# TYPE h histogram\n\
h_bucket{le=\"1.0\"} 0 10\n\
h_bucket{le=\"+Inf\"} 1 10\n\
h_sum 2.0 10\n\
h_count 1 10\n\
h_bucket{le=\"1.0\"} 1 20\n\
h_bucket{le=\"+Inf\"} 3 20\n\
h_sum 2.5 20\n\
h_count 3 20\n\
# TYPE s summary\n\
s{quantile=\"0.5\"} 1.0 1\n\
s_count 1 1\n\
s{quantile=\"0.5\"} 2.0 2\n\
s_count 2 2\n\
# TYPE g gauge\n\
g 1.0 1\n\
g 2.0 2\n\
# EOF\n";
        let f = families(input, OM);
        let points: Vec<(usize, Vec<Option<Timestamp>>)> = f
            .iter()
            .map(|f| {
                (
                    f.metrics.len(),
                    f.metrics.iter().map(|m| m.timestamp).collect(),
                )
            })
            .collect();
        let s = Timestamp::from_millis;
        assert_eq!(
            points,
            vec![
                (3, vec![Some(s(10_000)), Some(s(11_500)), Some(s(10_000))]),
                (2, vec![Some(s(10_000)), Some(s(20_000))]),
                (2, vec![Some(s(1_000)), Some(s(2_000))]),
                (2, vec![Some(s(1_000)), Some(s(2_000))]),
            ]
        );
        assert_eq!(f[0].metrics[0].labels, f[0].metrics[1].labels);
        assert!(matches!(
            f[0].metrics[1].value,
            MetricValue::Scalar(Value::U64(2))
        ));
        assert_eq!(f[0].metrics[1].exemplars.len(), 1);
        let MetricValue::Histogram(h) = &f[1].metrics[1].value else {
            panic!("not a histogram");
        };
        assert_eq!((h.count, h.sum), (Some(3), Some(2.5)));
        // Written back the same.
        let mut out = Vec::new();
        let mut enc = crate::Encoder::new(&mut out, OM);
        enc.encode_families(&f).expect("encode");
        enc.finish();
        assert_eq!(String::from_utf8_lossy(&out), input);

        let bad_ts = |found: &str| K::BadTimestamp {
            expected: "the timestamp of the metric's other samples",
            found: name(found),
        };
        let cases = [
            // A timestamp going back.
            (
                "# TYPE c counter\nc_total 1 10\nc_total 2 9\n# EOF\n",
                3,
                11,
                K::BadTimestamp {
                    expected: "a timestamp after the metric's previous point",
                    found: name("9"),
                },
            ),
            // Within a point, one timestamp.
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1 10\nh_count 1\nh_sum 1.0 10\n# EOF\n",
                3,
                10,
                bad_ts("none"),
            ),
            // The same timestamp twice: the same point's total twice.
            (
                "# TYPE c counter\nc_total 1 10\nc_total 2 10\n# EOF\n",
                3,
                1,
                K::DuplicateSeries {
                    name: name("c_total"),
                },
            ),
            // Points without timestamps cannot be told apart.
            (
                "# TYPE c counter\nc_total 1\nc_total 2\n# EOF\n",
                3,
                1,
                K::DuplicateSeries {
                    name: name("c_total"),
                },
            ),
            // Another metric between two points of one.
            (
                "# TYPE c counter\nc_total{a=\"1\"} 1 10\nc_total{a=\"2\"} 1 10\nc_total{a=\"1\"} 2 11\n# EOF\n",
                4,
                1,
                K::InterleavedMetric { name: name("c") },
            ),
            // A point left incomplete (no `+Inf` bucket) before the next.
            (
                "# TYPE h histogram\nh_bucket{le=\"1.0\"} 0 10\nh_bucket{le=\"1.0\"} 1 11\nh_bucket{le=\"+Inf\"} 1 11\n# EOF\n",
                2,
                1,
                K::MissingInfBucket { name: name("h") },
            ),
        ];
        check_faults(OM, &cases);
    }

    #[test]
    fn exemplar_label_length_is_limited() {
        let ok = format!(
            "# TYPE c counter\nc_total 1 # {{a=\"{}\"}} 1\n# EOF\n",
            "x".repeat(127)
        );
        assert_eq!(families(&ok, OM).len(), 1);
        let long = format!(
            "# TYPE c counter\nc_total 1 # {{a=\"{}\"}} 1\n# EOF\n",
            "é".repeat(128)
        );
        let (line, column, kind) = super::super::tests::fault(&long, OM);
        assert_eq!((line, column), (2, 13));
        assert_eq!(
            kind,
            K::Unexpected {
                expected: "exemplar labels of at most 128 characters",
                found: name("129 characters")
            }
        );
    }

    fn unexpected(expected: &'static str, found: &str) -> K {
        K::Unexpected {
            expected,
            found: name(found),
        }
    }

    /// OpenMetrics: several points of one metric with increasing timestamps.
    #[test]
    fn points_of_one_metric_with_increasing_timestamps() {
        let f = families(
            "# TYPE g gauge\ng{a=\"1\"} 1 100\ng{a=\"1\"} 2 101.5\ng{a=\"2\"} 3\n# EOF\n",
            Format::OpenMetrics,
        );
        assert_eq!(f[0].metrics.len(), 3);
        assert_eq!(
            f[0].metrics[1].timestamp,
            Some(Timestamp::from_millis(101_500))
        );
        check_faults(
            Format::OpenMetrics,
            &[
                (
                    "# TYPE g gauge\ng 1 100\ng 2 100\n# EOF\n",
                    3,
                    1,
                    K::DuplicateSeries { name: name("g") },
                ),
                (
                    "# TYPE g gauge\ng 1 100\ng 2\n# EOF\n",
                    3,
                    1,
                    K::DuplicateSeries { name: name("g") },
                ),
            ],
        );
        // Text 0.0.4 has one point per series.
        check_faults(
            Format::Text,
            &[(
                "g 1 100\ng 2 101\n",
                2,
                1,
                K::DuplicateSeries { name: name("g") },
            )],
        );
    }
}
