//! Sample lines, shared by both formats: `name[{labels}] value [timestamp]`, and in
//! OpenMetrics an optional exemplar.

use super::builder::{Sample, SampleKind};
use super::cursor::Fault;
use super::labels::{LabelSet, Special};
use super::{Parser, Pos, number};
use crate::{Exemplar, MetricType, ParseErrorKind, Timestamp};

/// A sample's timestamp, where it is (or where the sample ends), its text, and the sample's
/// exemplar.
type TimestampPart<'a> = (Option<Timestamp>, Pos, &'a str, Option<Exemplar<'a>>);

/// The combined length limit of an exemplar's label names and values, in characters.
const EXEMPLAR_LABELS_LIMIT: usize = 128;

impl<'a> Parser<'a> {
    /// Reads a sample line and adds it to its family.
    pub(super) fn sample_line(&mut self) -> Result<(), Fault> {
        let om = self.openmetrics;
        let at = self.cur.pos_of(self.cur.pos);
        // Prometheus 3: `{"my.metric",labels...}`, the quoted name first inside the braces.
        let quoted = self.cur.peek() == Some(b'{');
        let (name, prefixed) = if quoted {
            self.cur.pos += 1;
            if !om {
                self.cur.skip_blanks();
            }
            let name = self
                .cur
                .quoted_name(|name| ParseErrorKind::InvalidMetricName { name })?;
            let prefixed = self
                .family
                .as_ref()
                .is_some_and(|f| name.starts_with(f.name));
            (name, prefixed)
        } else {
            match &self.family {
                Some(family) => self.cur.metric_name_with_prefix(family.name)?,
                None => (self.cur.metric_name()?, false),
            }
        };
        let (kind, metric_type) = self.bind_sample(name, prefixed, at)?;
        let special = match (metric_type, kind) {
            (MetricType::Histogram | MetricType::GaugeHistogram, SampleKind::Bucket) => {
                Special::Extract("le")
            }
            (MetricType::Histogram | MetricType::GaugeHistogram, _) => Special::Reserve("le"),
            (MetricType::Summary, SampleKind::Quantile) => Special::Extract("quantile"),
            (MetricType::Summary, _) => Special::Reserve("quantile"),
            _ => Special::None,
        };

        let name_end = self.cur.pos;
        if !om {
            self.cur.skip_blanks();
        }
        let mut labels = Vec::with_capacity(self.labels_hint);
        let set = if quoted {
            // After the quoted name: `}`, or `,` and the labels.
            let set = match self.cur.peek() {
                Some(b'}') => {
                    self.cur.pos += 1;
                    LabelSet::default()
                }
                Some(b',') => {
                    self.cur.pos += 1;
                    if !om {
                        self.cur.skip_blanks();
                    }
                    if !om && self.cur.peek() == Some(b'}') {
                        self.cur.pos += 1;
                        LabelSet::default()
                    } else {
                        self.labels
                            .read_open(&mut self.cur, om, special, &mut labels)?
                    }
                }
                _ => {
                    return Err(self
                        .cur
                        .unexpected(self.cur.pos, "`,` or `}` after the quoted metric name"));
                }
            };
            if !om {
                self.cur.skip_blanks();
            }
            set
        } else if self.cur.peek() == Some(b'{') {
            let set = self.labels.read(&mut self.cur, om, special, &mut labels)?;
            if !om {
                self.cur.skip_blanks();
            }
            set
        } else {
            LabelSet::default()
        };
        self.labels_hint = labels.len();
        if let Special::Extract(label) = special {
            let Some(v) = set.special else {
                return Err(at.error(ParseErrorKind::MissingLabel {
                    name: name.into(),
                    label,
                }));
            };
            let reason = match kind {
                SampleKind::Bucket if v.is_nan() => Some("bucket bound is NaN"),
                SampleKind::Quantile if !(0.0..=1.0).contains(&v) => {
                    Some("quantile outside [0, 1]")
                }
                _ => None,
            };
            if let Some(reason) = reason {
                return Err(self.cur.error(
                    set.special_at,
                    ParseErrorKind::InvalidDistribution {
                        name: name.into(),
                        metric_type,
                        reason,
                    },
                ));
            }
        }

        // The separator before the value.
        if om {
            self.cur.expect(b' ', "` ` before the value")?;
        } else if self.cur.pos == name_end {
            return Err(self
                .cur
                .unexpected(self.cur.pos, "blank or `{` after the metric name"));
        }
        let value_start = self.cur.pos;
        let value_at = self.cur.pos_of(value_start);
        let (value_text, value) = match number::fast_integer(&self.cur.bytes[value_start..]) {
            Some((len, value)) => {
                self.cur.pos += len;
                (self.cur.str(value_start, self.cur.pos)?, value)
            }
            None => {
                let text = self.cur.token()?;
                let value = number::value(text).ok_or_else(|| {
                    value_at.error(ParseErrorKind::BadValue {
                        expected: "float",
                        found: text.into(),
                    })
                })?;
                (text, value)
            }
        };

        let (timestamp, timestamp_at, timestamp_text, exemplar) = if om {
            self.openmetrics_sample_end(kind)?
        } else {
            self.text_sample_end()?
        };
        self.cur.end_line()?;
        let Some(family) = self.family.as_mut() else {
            // `bind_sample` always leaves a family in place.
            return Ok(());
        };
        if kind == SampleKind::Value {
            return family.add_value(
                name, labels, set.hash, value, timestamp, at, value_at, value_text,
            );
        }
        family.add_part(Sample {
            name,
            kind,
            labels,
            hash: set.hash,
            special: set.special,
            value,
            value_text,
            timestamp,
            at,
            value_at,
            timestamp_at,
            timestamp_text,
            exemplar,
        })
    }

    /// After a text value: optional blanks, an optional timestamp, optional blanks.
    fn text_sample_end(&mut self) -> Result<TimestampPart<'a>, Fault> {
        self.cur.skip_blanks();
        let at = self.cur.pos_of(self.cur.pos);
        if matches!(self.cur.peek(), Some(b'\n') | None) {
            return Ok((None, at, "", None));
        }
        let text = self.cur.token()?;
        let t = number::text_timestamp(text).ok_or_else(|| {
            at.error(ParseErrorKind::BadTimestamp {
                expected: "integer",
                found: text.into(),
            })
        })?;
        self.cur.skip_blanks();
        Ok((Some(t), at, text, None))
    }

    /// After an OpenMetrics value: ` timestamp`, ` # exemplar`, both, or nothing.
    fn openmetrics_sample_end(&mut self, kind: SampleKind) -> Result<TimestampPart<'a>, Fault> {
        let mut at = self.cur.pos_of(self.cur.pos);
        if self.cur.peek() != Some(b' ') {
            return Ok((None, at, "", None));
        }
        self.cur.pos += 1;
        let mut timestamp = (None, "");
        if self.cur.peek() != Some(b'#') {
            at = self.cur.pos_of(self.cur.pos);
            let (t, text) = self.openmetrics_timestamp()?;
            timestamp = (Some(t), text);
            if self.cur.peek() != Some(b' ') {
                return Ok((timestamp.0, at, timestamp.1, None));
            }
            self.cur.pos += 1;
        }
        let exemplar = self.exemplar(kind)?;
        Ok((timestamp.0, at, timestamp.1, Some(exemplar)))
    }

    /// Reads an OpenMetrics timestamp token.
    fn openmetrics_timestamp(&mut self) -> Result<(Timestamp, &'a str), Fault> {
        let start = self.cur.pos;
        let text = self.cur.token()?;
        let t = number::openmetrics_timestamp(text).ok_or_else(|| {
            self.cur.error(
                start,
                ParseErrorKind::BadTimestamp {
                    expected: "seconds as a decimal number",
                    found: text.into(),
                },
            )
        })?;
        Ok((t, text))
    }

    /// Reads an exemplar: `# {labels} value [timestamp]`.
    fn exemplar(&mut self, kind: SampleKind) -> Result<Exemplar<'a>, Fault> {
        let start = self.cur.pos;
        self.cur.expect(b'#', "`#` starting an exemplar")?;
        if !matches!(kind, SampleKind::Total | SampleKind::Bucket) {
            return Err(self.cur.unexpected(
                start,
                "end of line (exemplars belong to `_total` and `_bucket` samples)",
            ));
        }
        self.cur.expect(b' ', "` ` after `#`")?;
        let labels_at = self.cur.pos;
        self.scratch.clear();
        self.exemplar_labels
            .read(&mut self.cur, true, Special::None, &mut self.scratch)?;
        let mut exemplar = Exemplar::new(std::mem::take(&mut self.scratch), 0.0);
        let length = exemplar.label_chars();
        if length > EXEMPLAR_LABELS_LIMIT {
            return Err(self.cur.error(
                labels_at,
                ParseErrorKind::Unexpected {
                    expected: "exemplar labels of at most 128 characters",
                    found: format!("{length} characters").into(),
                },
            ));
        }
        self.cur.expect(b' ', "` ` before the exemplar value")?;
        let value_start = self.cur.pos;
        let text = self.cur.token()?;
        let Some(value) = number::value(text) else {
            return Err(self.cur.error(
                value_start,
                ParseErrorKind::BadValue {
                    expected: "float as exemplar value",
                    found: text.into(),
                },
            ));
        };
        exemplar.value = value.as_f64();
        if self.cur.peek() == Some(b' ') {
            self.cur.pos += 1;
            exemplar.timestamp = Some(self.openmetrics_timestamp()?.0);
        }
        Ok(exemplar)
    }
}
