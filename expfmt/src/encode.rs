//! The encoder: families into a caller-owned buffer, one HELP/TYPE per name, always escaped.

use std::collections::HashSet;

use crate::escape;
use crate::float::write_f64;
use crate::sink::{Line, Out, put_i64, put_u64};
use crate::{
    Error, EscapingScheme, Exemplar, FloatStyle, Format, Histogram, Label, Metric, MetricFamily,
    MetricType, MetricValue, PreparedEncoder, Summary, Timestamp, Value, validate_label_name,
    validate_metric_name,
};

/// Builds an [`Encoder`] with non-default options.
///
/// ```
/// use expfmt::{Encoder, FloatStyle, Format};
///
/// let mut buf = Vec::new();
/// let enc = Encoder::builder()
///     .format(Format::Text)
///     .float_style(FloatStyle::Python)
///     .build(&mut buf);
/// enc.finish();
/// ```
#[derive(Debug, Clone, Default)]
pub struct EncoderBuilder {
    format: Format,
    float_style: Option<FloatStyle>,
    integers_as_floats: bool,
    escaping: Option<EscapingScheme>,
}

impl EncoderBuilder {
    /// The output format (default: text 0.0.4).
    pub fn format(&mut self, format: Format) -> &mut Self {
        self.format = format;
        self
    }

    /// The float layout (default: [`FloatStyle::Go`] for text, [`FloatStyle::OpenMetrics`]
    /// for OpenMetrics). Integers given as [`Value::U64`]/[`Value::I64`] are always written
    /// exactly, whatever the style.
    pub fn float_style(&mut self, style: FloatStyle) -> &mut Self {
        self.float_style = Some(style);
        self
    }

    /// Writes integer values ([`Value::U64`], [`Value::I64`], histogram and summary counts)
    /// as floats in the float style, as a Python exporter that converts every value with
    /// `float()` does: with [`FloatStyle::Python`], `2` is written `2.0`, and integers above
    /// 2^53 round to the nearest `f64` (default `false`: integers are written exactly).
    ///
    /// ```
    /// use expfmt::{Encoder, FloatStyle, Metric, MetricFamily, MetricType};
    ///
    /// let mut family = MetricFamily::new("ceph_health_status", MetricType::Gauge);
    /// family.metrics.push(Metric::scalar(vec![], 2u64));
    /// let mut buf = Vec::new();
    /// let mut enc = Encoder::builder()
    ///     .float_style(FloatStyle::Python)
    ///     .integers_as_floats(true)
    ///     .build(&mut buf);
    /// enc.encode_family(&family)?;
    /// assert!(buf.ends_with(b"\nceph_health_status 2.0\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn integers_as_floats(&mut self, yes: bool) -> &mut Self {
        self.integers_as_floats = yes;
        self
    }

    /// The output format.
    pub(crate) fn format_of(&self) -> Format {
        self.format
    }

    /// A [`PreparedEncoder`] with these options: families and series rendered once, values
    /// written many times.
    pub fn prepare(&self) -> PreparedEncoder {
        let float_style = self.float_style.unwrap_or(match self.format {
            Format::Text => FloatStyle::Go,
            Format::OpenMetrics => FloatStyle::OpenMetrics,
        });
        PreparedEncoder::with(
            self.format,
            float_style,
            self.integers_as_floats,
            self.escaping,
        )
    }

    /// The name escaping scheme negotiated with the scraper
    /// ([`negotiate_escaping`](crate::negotiate_escaping)); by default none, and every name
    /// must be a classic name.
    ///
    /// - [`EscapingScheme::AllowUtf8`]: any non-empty UTF-8 metric and label name is written;
    ///   names that are not classic are quoted the way Prometheus 3 reads them
    ///   (`{"my.metric","label.name"="v"} 1`, `# TYPE "my.metric" gauge`).
    /// - The other schemes: [`Encoder::encode_family`] escapes the names of a family whose
    ///   names are not classic with [`escape_family`](crate::escape_family) before writing
    ///   it. Names given to [`Encoder::family`] must still be classic (escape them with
    ///   [`escape_name`](crate::escape_name)).
    ///
    /// ```
    /// use expfmt::{Encoder, EscapingScheme, Label, Metric, MetricFamily, MetricType};
    ///
    /// let mut f = MetricFamily::new("my.metric", MetricType::Gauge);
    /// f.metrics.push(Metric::scalar(vec![Label::new("label.name", "v")], 1u64));
    /// for (scheme, want) in [
    ///     (EscapingScheme::AllowUtf8, "# TYPE \"my.metric\" gauge\n{\"my.metric\",\"label.name\"=\"v\"} 1\n"),
    ///     (EscapingScheme::Underscores, "# TYPE my_metric gauge\nmy_metric{label_name=\"v\"} 1\n"),
    /// ] {
    ///     let mut out = Vec::new();
    ///     let mut enc = Encoder::builder().escaping(scheme).build(&mut out);
    ///     enc.encode_family(&f)?;
    ///     enc.finish();
    ///     assert_eq!(String::from_utf8(out)?, want);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn escaping(&mut self, scheme: EscapingScheme) -> &mut Self {
        self.escaping = Some(scheme);
        self
    }

    /// An encoder appending to `buf`.
    pub fn build<'b>(&self, buf: &'b mut Vec<u8>) -> Encoder<'b> {
        let float_style = self.float_style.unwrap_or(match self.format {
            Format::Text => FloatStyle::Go,
            Format::OpenMetrics => FloatStyle::OpenMetrics,
        });
        Encoder {
            buf,
            format: self.format,
            float_style,
            integers_as_floats: self.integers_as_floats,
            names: HashSet::new(),
            escaping: self.escaping,
        }
    }
}

/// Writes families into a caller-owned buffer.
///
/// The encoder remembers every name it wrote: a second family with the same name, or one whose
/// name clashes with the samples of an earlier family (`x_sum` after a histogram `x`, `x_total`
/// after an OpenMetrics counter `x`), is rejected with [`Error::DuplicateFamily`] before anything
/// is written. Samples of a family are written through the [`FamilyEncoder`] that borrows the
/// encoder, so they are always contiguous. Label values and HELP text are always escaped.
///
/// Writing into a `Vec<u8>` cannot fail; the errors are about names and values. Once the buffer
/// has grown, encoding allocates nothing per sample.
///
/// ```
/// use expfmt::{Desc, Encoder, Format, MetricType};
///
/// let mut buf = Vec::new();
/// let mut enc = Encoder::new(&mut buf, Format::Text);
/// let desc = Desc::new("ceph_osd_up", MetricType::Gauge)
///     .help("OSD status up")
///     .label_names(&["ceph_daemon"]);
/// let mut fam = enc.family(&desc)?;
/// fam.sample(&["osd.0"], 1u64)?;
/// fam.sample(&["osd.1"], 0.5)?;
/// enc.finish();
/// assert_eq!(
///     String::from_utf8(buf)?,
///     "# HELP ceph_osd_up OSD status up\n\
///      ## TYPE ceph_osd_up gauge\n\
///      ceph_osd_up{ceph_daemon=\"osd.0\"} 1\n\
///      ceph_osd_up{ceph_daemon=\"osd.1\"} 0.5\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Encoder<'b> {
    buf: &'b mut Vec<u8>,
    format: Format,
    float_style: FloatStyle,
    /// [`EncoderBuilder::integers_as_floats`].
    integers_as_floats: bool,
    names: HashSet<Box<str>>,
    escaping: Option<EscapingScheme>,
}

/// The description of a family: name, type, help, unit, and optionally fixed label names.
///
/// With fixed label names each sample gives only the values ([`FamilyEncoder::sample`]); the
/// names are validated once, when the family starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Desc<'a> {
    name: &'a str,
    metric_type: MetricType,
    help: Option<&'a str>,
    unit: Option<&'a str>,
    label_names: &'a [&'a str],
}

impl<'a> Desc<'a> {
    /// A family `name` of type `metric_type`, without help, unit or label names.
    pub const fn new(name: &'a str, metric_type: MetricType) -> Self {
        Desc {
            name,
            metric_type,
            help: None,
            unit: None,
            label_names: &[],
        }
    }

    /// Sets the help text (written escaped).
    #[must_use]
    pub const fn help(mut self, help: &'a str) -> Self {
        self.help = Some(help);
        self
    }

    /// Sets the unit (OpenMetrics `# UNIT`; the name must end with `_<unit>`).
    #[must_use]
    pub const fn unit(mut self, unit: &'a str) -> Self {
        self.unit = Some(unit);
        self
    }

    /// Sets the label names every sample gives values for.
    #[must_use]
    pub const fn label_names(mut self, names: &'a [&'a str]) -> Self {
        self.label_names = names;
        self
    }

    /// The family name.
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The family type.
    pub const fn metric_type(&self) -> MetricType {
        self.metric_type
    }

    /// The fixed label names.
    pub(crate) const fn label_names_slice(&self) -> &'a [&'a str] {
        self.label_names
    }
}

impl<'b> Encoder<'b> {
    /// An encoder appending `format` to `buf`, with the format's default float style.
    pub fn new(buf: &'b mut Vec<u8>, format: Format) -> Self {
        EncoderBuilder {
            format,
            ..EncoderBuilder::default()
        }
        .build(buf)
    }

    /// A builder for non-default options.
    pub fn builder() -> EncoderBuilder {
        EncoderBuilder::default()
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The float layout in use.
    pub fn float_style(&self) -> FloatStyle {
        self.float_style
    }

    /// Whether names that are not classic are written quoted.
    fn utf8(&self) -> bool {
        self.escaping == Some(EscapingScheme::AllowUtf8)
    }

    /// The names written so far, for a [`PreparedEncoder`] that borrows this encoder's checks.
    pub(crate) fn names_mut(&mut self) -> &mut HashSet<Box<str>> {
        &mut self.names
    }

    /// Starts a family: validates its names, writes its metadata lines, and returns the writer
    /// for its samples.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMetricName`], [`Error::InvalidLabelName`], [`Error::ReservedLabelName`],
    /// [`Error::DuplicateLabelName`], [`Error::InvalidUnit`], or [`Error::DuplicateFamily`] when
    /// the name (or a sample name it implies) was already written. Nothing is written on error.
    pub fn family<'e, 'd>(
        &'e mut self,
        desc: &'d Desc<'d>,
    ) -> Result<FamilyEncoder<'e, 'b, 'd>, Error> {
        let base = self.start(
            desc.name,
            desc.metric_type,
            desc.help,
            desc.unit,
            desc.label_names,
        )?;
        let mut open = Vec::with_capacity(base + 32);
        let quoted = !crate::is_valid_metric_name(&desc.name[..base]);
        let suffix = scalar_suffix(self.format, desc.metric_type);
        put_sample_name(&mut open, &desc.name[..base], suffix);
        let mut mids = Vec::new();
        let close: &'static [u8] = match desc.label_names.split_first() {
            None => {
                if quoted {
                    open.push(b'}');
                }
                b" "
            }
            Some((first, rest)) => {
                open.push(if quoted { b',' } else { b'{' });
                put_label_name(&mut open, first);
                open.extend_from_slice(b"=\"");
                for n in rest {
                    let mut m = Vec::with_capacity(n.len() + 20);
                    m.extend_from_slice(b"\",");
                    put_label_name(&mut m, n);
                    m.extend_from_slice(b"=\"");
                    mids.push(pad16(m));
                }
                b"\"} "
            }
        };
        let open = pad16(open);
        Ok(FamilyEncoder {
            enc: self,
            base,
            quoted,
            desc,
            open,
            mids,
            close,
            line: Line::new(),
        })
    }

    /// Writes a whole family from the model.
    ///
    /// # Errors
    ///
    /// As [`Encoder::family`], plus the errors of [`FamilyEncoder::metric`] for each metric.
    /// On error the buffer may hold part of the family; discard it.
    pub fn encode_family(&mut self, family: &MetricFamily<'_>) -> Result<(), Error> {
        if let Some(scheme) = self.escaping.filter(|s| *s != EscapingScheme::AllowUtf8)
            && needs_escaping(family)
        {
            let mut escaped = family.clone();
            crate::escape_family(&mut escaped, scheme);
            return self.encode_family_as_is(&escaped);
        }
        self.encode_family_as_is(family)
    }

    fn encode_family_as_is(&mut self, family: &MetricFamily<'_>) -> Result<(), Error> {
        let desc = Desc {
            name: &family.name,
            metric_type: family.metric_type,
            help: family.help.as_deref(),
            unit: family.unit.as_deref(),
            label_names: &[],
        };
        let mut fam = self.family(&desc)?;
        for m in &family.metrics {
            fam.metric(m)?;
        }
        Ok(())
    }

    /// Writes several families.
    ///
    /// # Errors
    ///
    /// The first error of [`Encoder::encode_family`].
    pub fn encode_families<'f>(
        &mut self,
        families: impl IntoIterator<Item = &'f MetricFamily<'f>>,
    ) -> Result<(), Error> {
        for f in families {
            self.encode_family(f)?;
        }
        Ok(())
    }

    /// Ends the exposition: writes `# EOF` in OpenMetrics, nothing in text.
    pub fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.buf.extend_from_slice(b"# EOF\n");
        }
    }

    /// Validates and writes metadata; returns the sample base name length (the family name,
    /// or for OpenMetrics counters the name without `_total`).
    fn start(
        &mut self,
        name: &str,
        metric_type: MetricType,
        help: Option<&str>,
        unit: Option<&str>,
        label_names: &[&str],
    ) -> Result<usize, Error> {
        let utf8 = self.utf8();
        check_metric_name(name, utf8)?;
        let om = self.format == Format::OpenMetrics;
        let base = if om && metric_type == MetricType::Counter {
            name.strip_suffix("_total").unwrap_or(name)
        } else {
            name
        };
        if base.is_empty() {
            return Err(Error::InvalidMetricName { name: name.into() });
        }
        for l in label_names {
            check_label_name(l, utf8)?;
            check_reserved_for_type(l, metric_type)?;
        }
        if metric_type == MetricType::StateSet
            && !label_names.is_empty()
            && !label_names.contains(&base)
        {
            // Every state carries a label named after the family.
            return Err(Error::LabelCount {
                family: name.into(),
                expected: label_names.len() + 1,
                found: label_names.len(),
            });
        }
        if let Some(l) = first_duplicate(label_names.iter().copied()) {
            return Err(Error::DuplicateLabelName { name: l.into() });
        }
        let unit = unit.filter(|u| !u.is_empty());
        if let Some(u) = unit {
            let ok = !matches!(metric_type, MetricType::StateSet | MetricType::Info)
                && !u.is_empty()
                && u.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':')
                && base.len() > u.len() + 1
                && base.ends_with(u)
                && base.as_bytes()[base.len() - u.len() - 1] == b'_';
            if !ok {
                return Err(Error::InvalidUnit {
                    family: name.into(),
                    unit: u.into(),
                });
            }
        }
        // Every name this family writes, checked against every name written before.
        let suffixes: &[&str] = match (metric_type, om) {
            (MetricType::Histogram, _) => &["", "_bucket", "_sum", "_count", "_created"],
            (MetricType::GaugeHistogram, _) => &["", "_bucket", "_gsum", "_gcount"],
            (MetricType::Summary, _) => &["", "_sum", "_count", "_created"],
            (MetricType::Counter, true) => &["", "_total", "_created"],
            (MetricType::Info, _) => &["", "_info"],
            _ => &[""],
        };
        let mut owned = String::with_capacity(base.len() + 8);
        for s in suffixes {
            owned.clear();
            owned.push_str(base);
            owned.push_str(s);
            if self.names.contains(owned.as_str()) {
                return Err(Error::DuplicateFamily {
                    name: owned.as_str().into(),
                });
            }
        }
        for s in suffixes {
            owned.clear();
            owned.push_str(base);
            owned.push_str(s);
            self.names.insert(owned.as_str().into());
        }
        // In text, a histogram/summary family `x` also claims `x_sum` etc. by the check above;
        // a later plain family named `x` after a `x_sum` gauge is caught because the histogram
        // checks all its sample names.
        let buf = &mut *self.buf;
        // Text has no info type: the family is the gauge its samples are (client_python).
        let meta_suffix = if !om && metric_type == MetricType::Info {
            "_info"
        } else {
            ""
        };
        let write_help = |buf: &mut Vec<u8>| {
            if let Some(h) = help {
                buf.extend_from_slice(b"# HELP ");
                put_metric_name(buf, base, meta_suffix);
                buf.push(b' ');
                escape::help(buf, h, om);
                buf.push(b'\n');
            }
        };
        if !om {
            write_help(buf);
        }
        buf.extend_from_slice(b"# TYPE ");
        put_metric_name(buf, base, meta_suffix);
        buf.push(b' ');
        buf.extend_from_slice(metric_type.keyword(self.format).as_bytes());
        buf.push(b'\n');
        if om {
            if let Some(u) = unit {
                buf.extend_from_slice(b"# UNIT ");
                put_metric_name(buf, base, "");
                buf.push(b' ');
                buf.extend_from_slice(u.as_bytes());
                buf.push(b'\n');
            }
            write_help(buf);
        }
        Ok(base.len())
    }
}

/// Bytes zero-padded to a multiple of 16, so the line buffer can copy them in fixed-size
/// pieces; `len` is the real length.
#[derive(Debug)]
struct Padded {
    bytes: Box<[u8]>,
    len: usize,
}

impl Padded {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn pad16(mut v: Vec<u8>) -> Padded {
    let len = v.len();
    v.resize(len.div_ceil(16) * 16, 0);
    Padded {
        bytes: v.into_boxed_slice(),
        len,
    }
}

/// As [`put_metric_name`], opening the braces before a quoted name: the start of a sample
/// line (the caller closes the braces).
pub(crate) fn put_sample_name(buf: &mut Vec<u8>, name: &str, suffix: &str) {
    if !crate::is_valid_metric_name(name) {
        buf.push(b'{');
    }
    put_metric_name(buf, name, suffix);
}

/// Writes `name` + `suffix`: as it is when it is a classic name, else quoted and escaped
/// (Prometheus 3).
fn put_metric_name(buf: &mut Vec<u8>, name: &str, suffix: &str) {
    if crate::is_valid_metric_name(name) {
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(suffix.as_bytes());
    } else {
        buf.push(b'"');
        escape::label_value(buf, name);
        buf.extend_from_slice(suffix.as_bytes());
        buf.push(b'"');
    }
}

/// Writes a label name, quoted and escaped when it is not a classic one.
pub(crate) fn put_label_name(buf: &mut Vec<u8>, name: &str) {
    if crate::is_valid_label_name(name) {
        buf.extend_from_slice(name.as_bytes());
    } else {
        buf.push(b'"');
        escape::label_value(buf, name);
        buf.push(b'"');
    }
}

/// A metric name the encoder takes: classic, or with `utf8` any non-empty UTF-8.
fn check_metric_name(name: &str, utf8: bool) -> Result<(), Error> {
    if utf8 && !name.is_empty() {
        return Ok(());
    }
    validate_metric_name(name)
}

/// A label name the encoder takes: classic, or with `utf8` any non-empty UTF-8; never one
/// starting with `__`.
fn check_label_name(name: &str, utf8: bool) -> Result<(), Error> {
    if utf8 && !name.is_empty() && !name.starts_with("__") {
        return Ok(());
    }
    validate_label_name(name)
}

/// Whether a name of `family` is not classic.
fn needs_escaping(family: &MetricFamily<'_>) -> bool {
    !crate::is_valid_metric_name(&family.name)
        || family.metrics.iter().any(|m| {
            m.labels
                .iter()
                .any(|l| !crate::is_valid_label_name(&l.name))
        })
}

/// The first name that repeats an earlier one, in time linear in the number of names: a
/// pairwise scan for the few names of a usual label set, a hash set past that.
fn first_duplicate<'n>(names: impl Iterator<Item = &'n str> + Clone) -> Option<&'n str> {
    const PAIRWISE: usize = 16;
    if names.clone().nth(PAIRWISE).is_none() {
        let mut seen: [&str; PAIRWISE] = [""; PAIRWISE];
        for (i, n) in names.enumerate() {
            if seen[..i].contains(&n) {
                return Some(n);
            }
            seen[i] = n;
        }
        return None;
    }
    let mut set = HashSet::with_capacity(names.clone().count());
    names.into_iter().find(|&n| !set.insert(n))
}

/// What a scalar sample adds to the family name: `_total` for an OpenMetrics counter, `_info`
/// for an info family.
pub(crate) fn scalar_suffix(format: Format, metric_type: MetricType) -> &'static str {
    match (metric_type, format) {
        (MetricType::Counter, Format::OpenMetrics) => "_total",
        (MetricType::Info, _) => "_info",
        _ => "",
    }
}

fn check_reserved_for_type(label: &str, metric_type: MetricType) -> Result<(), Error> {
    let reserved = match metric_type {
        MetricType::Histogram | MetricType::GaugeHistogram => label == "le",
        MetricType::Summary => label == "quantile",
        _ => false,
    };
    if reserved {
        Err(Error::ReservedLabelName { name: label.into() })
    } else {
        Ok(())
    }
}

/// Writes the samples of one family; returned by [`Encoder::family`].
#[derive(Debug)]
pub struct FamilyEncoder<'e, 'b, 'd> {
    enc: &'e mut Encoder<'b>,
    base: usize,
    /// The family name is not classic: samples start `{"name"`.
    quoted: bool,
    desc: &'d Desc<'d>,
    /// Pre-rendered scalar line start: `name[_total]{first_label="` (or `name ` alone).
    open: Padded,
    /// `",label="` for the second and later label names.
    mids: Vec<Padded>,
    /// `"} `, or nothing extra when there are no labels.
    close: &'static [u8],
    /// The line buffer, kept across samples so it is not cleared for each.
    line: Line,
}

/// A label set to write: values for the family's fixed names, then extra `(name, value)` pairs.
#[derive(Clone, Copy)]
struct Labels<'l> {
    names: &'l [&'l str],
    values: &'l [&'l str],
    pairs: &'l [Label<'l>],
}

impl<'e, 'b, 'd> FamilyEncoder<'e, 'b, 'd> {
    /// The length of the family name samples are written under (without an OpenMetrics
    /// counter's `_total`).
    pub(crate) fn sample_name_len(&self) -> usize {
        self.base
    }

    fn base(&self) -> &'d str {
        &self.desc.name[..self.base]
    }

    #[inline]
    fn check_scalar(&self) -> Result<(), Error> {
        if self.desc.metric_type.is_scalar() {
            Ok(())
        } else {
            Err(self.wrong_kind())
        }
    }

    fn wrong_kind(&self) -> Error {
        Error::WrongValueKind {
            family: self.desc.name.into(),
            metric_type: self.desc.metric_type,
        }
    }

    /// OpenMetrics counters are never negative or NaN; states are 0 or 1, info values 1.
    #[inline]
    fn check_counter(&self, value: Value) -> Result<(), Error> {
        if matches!(
            self.desc.metric_type,
            MetricType::StateSet | MetricType::Info
        ) {
            return self.check_state(value);
        }
        let bad = match value {
            Value::F64(v) => v.is_nan() || v < 0.0,
            Value::I64(v) => v < 0,
            Value::U64(_) => false,
        };
        if bad && self.om() && self.desc.metric_type == MetricType::Counter {
            Err(Error::InvalidValue {
                family: self.desc.name.into(),
                metric_type: MetricType::Counter,
                value: format!("{value:?}").into(),
                reason: "OpenMetrics counters are never negative or NaN",
            })
        } else {
            Ok(())
        }
    }

    #[cold]
    fn check_state(&self, value: Value) -> Result<(), Error> {
        let (ok, reason) = match self.desc.metric_type {
            MetricType::Info => (value.as_f64() == 1.0, "an info value is always 1"),
            _ => (
                matches!(value.as_f64(), 0.0 | 1.0),
                "a state is 1 when true and 0 when false",
            ),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidValue {
                family: self.desc.name.into(),
                metric_type: self.desc.metric_type,
                value: format!("{value:?}").into(),
                reason,
            })
        }
    }

    #[inline]
    fn check_values(&self, values: &[&str]) -> Result<(), Error> {
        if values.len() == self.desc.label_names.len() {
            Ok(())
        } else {
            Err(Error::LabelCount {
                family: self.desc.name.into(),
                expected: self.desc.label_names.len(),
                found: values.len(),
            })
        }
    }

    /// Writes a counter, gauge or untyped sample with values for the family's label names.
    ///
    /// # Errors
    ///
    /// [`Error::LabelCount`] when `values` does not match the label names,
    /// [`Error::WrongValueKind`] on a histogram or summary family, [`Error::InvalidValue`] for
    /// a negative or NaN OpenMetrics counter.
    #[inline]
    pub fn sample(&mut self, values: &[&str], value: impl Into<Value>) -> Result<(), Error> {
        self.check_scalar()?;
        self.check_values(values)?;
        let value = value.into();
        self.check_counter(value)?;
        self.write_fast(values, value, None);
        Ok(())
    }

    /// The hot path: pre-rendered name and label names, escaped values, the value.
    #[inline]
    fn write_fast(&mut self, values: &[&str], value: Value, timestamp: Option<Timestamp>) {
        // The whole line in one buffer and one copy, when the name and the label values fit
        // and need no escaping (the common case); otherwise piece by piece.
        let line = &mut self.line;
        line.clear();
        let fitted = line.put_padded(&self.open.bytes, self.open.len)
            && match values.split_first() {
                None => true,
                Some((first, rest)) => {
                    line.put_clean_label_value(first.as_bytes())
                        && self.mids.iter().zip(rest).all(|(m, v)| {
                            line.put_padded(&m.bytes, m.len)
                                && line.put_clean_label_value(v.as_bytes())
                        })
                }
            };
        let buf = &mut *self.enc.buf;
        if !fitted {
            line.clear();
            buf.extend_from_slice(self.open.as_bytes());
            if let Some((first, rest)) = values.split_first() {
                escape::label_value(buf, first);
                for (m, v) in self.mids.iter().zip(rest) {
                    buf.extend_from_slice(m.as_bytes());
                    escape::label_value(buf, v);
                }
            }
        }
        let close: (&[u8; 4], usize) = if self.close.len() == 1 {
            (b"    ", 1)
        } else {
            (b"\"}  ", 3)
        };
        line.put4(close.0, close.1);
        let value = as_written(value, self.enc.integers_as_floats);
        write_value(line, value, self.enc.float_style);
        if let Some(ts) = timestamp {
            line.put_byte(b' ');
            write_timestamp(line, ts, self.enc.format == Format::OpenMetrics);
        }
        line.put_byte(b'\n');
        buf.extend_from_slice(line.as_bytes());
    }

    /// As [`FamilyEncoder::sample`], with a timestamp.
    ///
    /// # Errors
    ///
    /// As [`FamilyEncoder::sample`].
    pub fn sample_at(
        &mut self,
        values: &[&str],
        value: impl Into<Value>,
        timestamp: Timestamp,
    ) -> Result<(), Error> {
        self.check_scalar()?;
        self.check_values(values)?;
        let value = value.into();
        self.check_counter(value)?;
        self.write_fast(values, value, Some(timestamp));
        Ok(())
    }

    /// Writes one metric of the model: values for the family's fixed label names must be
    /// absent (a family started with label names takes [`FamilyEncoder::sample`]); the
    /// metric's own labels are validated and written in order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLabelName`], [`Error::ReservedLabelName`],
    /// [`Error::DuplicateLabelName`], [`Error::WrongValueKind`] when the value does not fit the
    /// family's type, [`Error::InvalidDistribution`] for unordered buckets or quantiles.
    pub fn metric(&mut self, metric: &Metric<'_>) -> Result<(), Error> {
        let utf8 = self.enc.utf8();
        for l in &metric.labels {
            check_label_name(&l.name, utf8)?;
            check_reserved_for_type(&l.name, self.desc.metric_type)?;
        }
        let names = self.desc.label_names.iter().copied();
        if let Some(l) = first_duplicate(names.chain(metric.labels.iter().map(|l| &*l.name))) {
            return Err(Error::DuplicateLabelName { name: l.into() });
        }
        if self.desc.metric_type == MetricType::StateSet
            && !metric.labels.iter().any(|l| l.name == self.base())
        {
            return Err(Error::LabelCount {
                family: self.desc.name.into(),
                expected: metric.labels.len() + 1,
                found: metric.labels.len(),
            });
        }
        if !self.desc.label_names.is_empty() {
            return Err(Error::LabelCount {
                family: self.desc.name.into(),
                expected: self.desc.label_names.len(),
                found: 0,
            });
        }
        let labels = Labels {
            names: &[],
            values: &[],
            pairs: &metric.labels,
        };
        match (&metric.value, self.desc.metric_type) {
            (MetricValue::Scalar(v), t) if t.is_scalar() => {
                self.check_counter(*v)?;
                self.check_exemplars(&metric.exemplars, 1)?;
                let exemplar = metric.exemplars.first().and_then(Option::as_ref);
                self.write_scalar(labels, *v, metric.timestamp, metric.created, exemplar);
                Ok(())
            }
            (MetricValue::Histogram(h), MetricType::Histogram | MetricType::GaugeHistogram) => {
                self.check_exemplars(&metric.exemplars, h.buckets.len())?;
                self.write_histogram(
                    labels,
                    h,
                    metric.timestamp,
                    metric.created,
                    &metric.exemplars,
                )
            }
            (MetricValue::Summary(s), MetricType::Summary) => {
                self.write_summary(labels, s, metric.timestamp, metric.created)
            }
            _ => Err(self.wrong_kind()),
        }
    }

    /// Writes a histogram with values for the family's label names.
    ///
    /// # Errors
    ///
    /// [`Error::LabelCount`], [`Error::WrongValueKind`] on a non-histogram family,
    /// [`Error::InvalidDistribution`] when bounds do not increase or counts decrease.
    pub fn histogram(&mut self, values: &[&str], histogram: &Histogram) -> Result<(), Error> {
        if !self.desc.metric_type.is_histogram() {
            return Err(self.wrong_kind());
        }
        let labels = self.fixed_labels(values)?;
        self.write_histogram(labels, histogram, None, None, &[])
    }

    /// Writes a summary with values for the family's label names.
    ///
    /// # Errors
    ///
    /// [`Error::LabelCount`], [`Error::WrongValueKind`] on a non-summary family,
    /// [`Error::InvalidDistribution`] when quantiles are not increasing within `[0, 1]`.
    pub fn summary(&mut self, values: &[&str], summary: &Summary) -> Result<(), Error> {
        if self.desc.metric_type != MetricType::Summary {
            return Err(self.wrong_kind());
        }
        let labels = self.fixed_labels(values)?;
        self.write_summary(labels, summary, None, None)
    }

    /// The family's label names with `values` for them, checked for count.
    fn fixed_labels<'l>(&self, values: &'l [&'l str]) -> Result<Labels<'l>, Error>
    where
        'd: 'l,
    {
        self.check_values(values)?;
        Ok(Labels {
            names: self.desc.label_names,
            values,
            pairs: &[],
        })
    }

    fn om(&self) -> bool {
        self.enc.format == Format::OpenMetrics
    }

    /// Checks a metric's exemplars: only where OpenMetrics allows them (a counter's total, a
    /// histogram's `slots` buckets), with valid, distinct label names, 128 characters of
    /// label names and values at most.
    fn check_exemplars(
        &self,
        exemplars: &[Option<Exemplar<'_>>],
        slots: usize,
    ) -> Result<(), Error> {
        let Some(last) = exemplars.iter().rposition(Option::is_some) else {
            return Ok(());
        };
        let t = self.desc.metric_type;
        let invalid = |reason| Error::InvalidExemplar {
            family: self.desc.name.into(),
            reason,
        };
        if !matches!(
            t,
            MetricType::Counter | MetricType::Histogram | MetricType::GaugeHistogram
        ) {
            return Err(invalid(
                "only counters, histograms and gauge histograms have exemplars",
            ));
        }
        if last >= slots {
            return Err(invalid(if t == MetricType::Counter {
                "a counter has one exemplar at most"
            } else {
                "an exemplar for a bucket the histogram does not have"
            }));
        }
        let utf8 = self.enc.utf8();
        for ex in exemplars.iter().flatten() {
            for l in &ex.labels {
                check_label_name(&l.name, utf8)?;
            }
            if let Some(l) = first_duplicate(ex.labels.iter().map(|l| &*l.name)) {
                return Err(Error::DuplicateLabelName { name: l.into() });
            }
            if ex.label_chars() > 128 {
                return Err(invalid(
                    "label names and values longer than 128 characters together",
                ));
            }
        }
        Ok(())
    }

    /// `name` + suffix + `{labels[,extra="v"]}` + ` `.
    #[inline]
    fn write_series(&mut self, suffix: &str, labels: Labels<'_>, extra: Option<(&str, f64)>) {
        let style = self.enc.float_style;
        let format = self.enc.format;
        let name = self.base();
        let quoted = self.quoted;
        let buf = &mut *self.enc.buf;
        put_sample_name(buf, name, suffix);
        let has_labels = !labels.names.is_empty() || !labels.pairs.is_empty() || extra.is_some();
        if has_labels || quoted {
            if !quoted {
                buf.push(b'{');
            }
            let mut first = !quoted;
            for (n, v) in labels.names.iter().zip(labels.values) {
                if !first {
                    buf.push(b',');
                }
                first = false;
                put_label_name(buf, n);
                buf.extend_from_slice(b"=\"");
                escape::label_value(buf, v);
                buf.push(b'"');
            }
            for l in labels.pairs {
                if !first {
                    buf.push(b',');
                }
                first = false;
                put_label_name(buf, &l.name);
                buf.extend_from_slice(b"=\"");
                escape::label_value(buf, &l.value);
                buf.push(b'"');
            }
            if let Some((n, v)) = extra {
                if !first {
                    buf.push(b',');
                }
                buf.extend_from_slice(n.as_bytes());
                buf.extend_from_slice(b"=\"");
                // `le` and `quantile` values are floats; OpenMetrics wants them canonical.
                let le_style = if style == FloatStyle::Go && format == Format::OpenMetrics {
                    FloatStyle::OpenMetrics
                } else {
                    style
                };
                write_f64(buf, v, le_style);
                buf.push(b'"');
            }
            buf.push(b'}');
        }
        buf.push(b' ');
    }

    #[inline]
    fn write_value(&mut self, value: Value) {
        let value = as_written(value, self.enc.integers_as_floats);
        write_value(self.enc.buf, value, self.enc.float_style);
    }

    #[inline]
    fn end_line(&mut self, timestamp: Option<Timestamp>) {
        self.end_line_with(timestamp, None);
    }

    /// Ends a sample line: the timestamp, then in OpenMetrics the exemplar.
    fn end_line_with(&mut self, timestamp: Option<Timestamp>, exemplar: Option<&Exemplar<'_>>) {
        if let (Some(ex), true) = (exemplar, self.om()) {
            if let Some(ts) = timestamp {
                self.enc.buf.push(b' ');
                write_timestamp(self.enc.buf, ts, true);
            }
            let buf = &mut *self.enc.buf;
            buf.extend_from_slice(b" # {");
            for (i, l) in ex.labels.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                put_label_name(buf, &l.name);
                buf.extend_from_slice(b"=\"");
                escape::label_value(buf, &l.value);
                buf.push(b'"');
            }
            buf.extend_from_slice(b"} ");
            write_f64(buf, ex.value, FloatStyle::OpenMetrics);
            if let Some(ts) = ex.timestamp {
                buf.push(b' ');
                write_timestamp(buf, ts, true);
            }
            buf.push(b'\n');
            return;
        }
        if let Some(ts) = timestamp {
            let om = self.om();
            let buf = &mut *self.enc.buf;
            buf.push(b' ');
            write_timestamp(buf, ts, om);
        }
        self.enc.buf.push(b'\n');
    }

    /// OpenMetrics `_created`; it carries the group's timestamp, as OpenMetrics requires every
    /// line of a metric to have one or none.
    fn write_created(
        &mut self,
        labels: Labels<'_>,
        created: Option<f64>,
        timestamp: Option<Timestamp>,
    ) {
        if let (Some(c), true) = (created, self.om()) {
            self.write_series("_created", labels, None);
            write_f64(self.enc.buf, c, FloatStyle::OpenMetrics);
            self.end_line(timestamp);
        }
    }

    #[inline]
    fn write_scalar(
        &mut self,
        labels: Labels<'_>,
        value: Value,
        timestamp: Option<Timestamp>,
        created: Option<f64>,
        exemplar: Option<&Exemplar<'_>>,
    ) {
        let counter_om = self.om() && self.desc.metric_type == MetricType::Counter;
        let suffix = scalar_suffix(self.enc.format, self.desc.metric_type);
        self.write_series(suffix, labels, None);
        self.write_value(value);
        self.end_line_with(timestamp, exemplar);
        if counter_om {
            self.write_created(labels, created, timestamp);
        }
    }

    fn invalid(&self, reason: &'static str) -> Error {
        Error::InvalidDistribution {
            family: self.desc.name.into(),
            metric_type: self.desc.metric_type,
            reason,
        }
    }

    fn write_histogram(
        &mut self,
        labels: Labels<'_>,
        h: &Histogram,
        timestamp: Option<Timestamp>,
        created: Option<f64>,
        exemplars: &[Option<Exemplar<'_>>],
    ) -> Result<(), Error> {
        let mut prev: Option<&crate::Bucket> = None;
        for b in &h.buckets {
            if b.upper_bound.is_nan() {
                return Err(self.invalid("bucket bound is NaN"));
            }
            if let Some(p) = prev {
                if b.upper_bound <= p.upper_bound {
                    return Err(self.invalid("bucket bounds do not increase"));
                }
                if b.cumulative_count < p.cumulative_count {
                    return Err(self.invalid("bucket counts decrease"));
                }
            }
            prev = Some(b);
        }
        let has_inf = h
            .buckets
            .last()
            .is_some_and(|b| b.upper_bound == f64::INFINITY);
        if let (Some(last), Some(count)) = (h.buckets.last(), h.count) {
            if last.cumulative_count > count {
                return Err(self.invalid("a bucket count exceeds the total count"));
            }
            if has_inf && last.cumulative_count != count {
                return Err(self.invalid("the +Inf bucket differs from the count"));
            }
        }
        if !has_inf && h.count.is_none() {
            return Err(self.invalid("neither a +Inf bucket nor a count"));
        }
        let gauge = self.desc.metric_type == MetricType::GaugeHistogram;
        if self.om() {
            if h.sum.is_some() != h.count.is_some() {
                return Err(self.invalid("OpenMetrics wants a sum if and only if a count"));
            }
            let negative_bucket = h.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
            match h.sum {
                Some(s) if gauge && s.is_nan() => return Err(self.invalid("the sum is NaN")),
                Some(s) if !gauge && (negative_bucket || s.is_nan() || s < 0.0) => {
                    return Err(self.invalid(
                        "a histogram with a negative bucket or sum has no sum in OpenMetrics",
                    ));
                }
                _ => {}
            }
        }
        for (i, b) in h.buckets.iter().enumerate() {
            self.write_series("_bucket", labels, Some(("le", b.upper_bound)));
            self.write_value(Value::U64(b.cumulative_count));
            self.end_line_with(timestamp, exemplars.get(i).and_then(Option::as_ref));
        }
        if let (false, Some(count)) = (has_inf, h.count) {
            self.write_series("_bucket", labels, Some(("le", f64::INFINITY)));
            self.write_value(Value::U64(count));
            self.end_line(timestamp);
        }
        let (sum_suffix, count_suffix) = if gauge {
            ("_gsum", "_gcount")
        } else {
            ("_sum", "_count")
        };
        if let Some(sum) = h.sum {
            self.write_series(sum_suffix, labels, None);
            self.write_value(Value::F64(sum));
            self.end_line(timestamp);
        }
        if let Some(count) = h.count {
            self.write_series(count_suffix, labels, None);
            self.write_value(Value::U64(count));
            self.end_line(timestamp);
        }
        if !gauge {
            self.write_created(labels, created, timestamp);
        }
        Ok(())
    }

    fn write_summary(
        &mut self,
        labels: Labels<'_>,
        s: &Summary,
        timestamp: Option<Timestamp>,
        created: Option<f64>,
    ) -> Result<(), Error> {
        let mut prev = f64::NEG_INFINITY;
        for q in &s.quantiles {
            if !(0.0..=1.0).contains(&q.quantile) {
                return Err(self.invalid("quantile outside [0, 1]"));
            }
            if q.quantile <= prev {
                return Err(self.invalid("quantiles do not increase"));
            }
            prev = q.quantile;
            if self.om() && q.value < 0.0 {
                return Err(Error::InvalidValue {
                    family: self.desc.name.into(),
                    metric_type: MetricType::Summary,
                    value: format!("{:?}", q.value).into(),
                    reason: "OpenMetrics quantile values are never negative",
                });
            }
        }
        if self.om() && s.sum.is_some_and(|v| v.is_nan() || v < 0.0) {
            return Err(self.invalid("OpenMetrics summary sums are never negative or NaN"));
        }
        for q in &s.quantiles {
            self.write_series("", labels, Some(("quantile", q.quantile)));
            self.write_value(Value::F64(q.value));
            self.end_line(timestamp);
        }
        if let Some(sum) = s.sum {
            self.write_series("_sum", labels, None);
            self.write_value(Value::F64(sum));
            self.end_line(timestamp);
        }
        if let Some(count) = s.count {
            self.write_series("_count", labels, None);
            self.write_value(Value::U64(count));
            self.end_line(timestamp);
        }
        self.write_created(labels, created, timestamp);
        Ok(())
    }
}

/// `value` as [`EncoderBuilder::integers_as_floats`] writes it.
#[inline]
pub(crate) fn as_written(value: Value, integers_as_floats: bool) -> Value {
    match value {
        Value::U64(v) if integers_as_floats => Value::F64(v as f64),
        Value::I64(v) if integers_as_floats => Value::F64(v as f64),
        other => other,
    }
}

#[inline]
pub(crate) fn write_value<O: Out>(out: &mut O, value: Value, style: FloatStyle) {
    match value {
        Value::F64(v) => write_f64(out, v, style),
        Value::U64(v) => put_u64(out, v),
        Value::I64(v) => put_i64(out, v),
    }
}

/// Milliseconds in text; seconds with up to three decimals in OpenMetrics, from the integer.
pub(crate) fn write_timestamp<O: Out>(buf: &mut O, ts: Timestamp, openmetrics: bool) {
    let mut ib = itoa::Buffer::new();
    if !openmetrics {
        buf.put(ib.format(ts.as_millis()).as_bytes());
        return;
    }
    let ns = ts.as_nanos();
    if ns < 0 {
        buf.put_byte(b'-');
    }
    let abs = ns.unsigned_abs();
    buf.put(ib.format(abs / 1_000_000_000).as_bytes());
    let frac = (abs % 1_000_000_000) as u64;
    if frac != 0 {
        // Nine digits, leading zeros kept, trailing zeros dropped.
        let mut digits = [b'0'; 9];
        let mut f = frac;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let mut n = 9;
        while digits[n - 1] == b'0' {
            n -= 1;
        }
        buf.put_byte(b'.');
        buf.put(&digits[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bucket, Quantile};

    fn text(format: Format, style: Option<FloatStyle>, f: impl FnOnce(&mut Encoder<'_>)) -> String {
        let mut buf = Vec::new();
        let mut b = Encoder::builder();
        b.format(format);
        if let Some(s) = style {
            b.float_style(s);
        }
        let mut enc = b.build(&mut buf);
        f(&mut enc);
        enc.finish();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn scalar_lines() {
        // (format, type, value, expected)
        let cases: &[(Format, MetricType, Value, &str)] = &[
            (
                Format::Text,
                MetricType::Gauge,
                Value::F64(1.5),
                "# TYPE m gauge\nm{a=\"x\"} 1.5\n",
            ),
            (
                Format::Text,
                MetricType::Counter,
                Value::U64(7),
                "# TYPE m counter\nm{a=\"x\"} 7\n",
            ),
            (
                Format::Text,
                MetricType::Untyped,
                Value::I64(-7),
                "# TYPE m untyped\nm{a=\"x\"} -7\n",
            ),
            (
                Format::OpenMetrics,
                MetricType::Untyped,
                Value::F64(2.0),
                "# TYPE m unknown\nm{a=\"x\"} 2.0\n# EOF\n",
            ),
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::U64(3),
                "# TYPE m counter\nm_total{a=\"x\"} 3\n# EOF\n",
            ),
            (
                Format::OpenMetrics,
                MetricType::Gauge,
                Value::F64(f64::INFINITY),
                "# TYPE m gauge\nm{a=\"x\"} +Inf\n# EOF\n",
            ),
        ];
        for &(format, t, v, want) in cases {
            let got = text(format, None, |enc| {
                let d = Desc::new("m", t).label_names(&["a"]);
                enc.family(&d).unwrap().sample(&["x"], v).unwrap();
            });
            assert_eq!(got, want, "{format:?} {t:?} {v:?}");
        }
    }

    #[test]
    fn escaping_is_always_on() {
        let got = text(Format::Text, None, |enc| {
            let d = Desc::new("m", MetricType::Gauge)
                .help("a \"quoted\" \\ help\nline")
                .label_names(&["host", "path"]);
            enc.family(&d)
                .unwrap()
                .sample(&["we\"ird\nhost", "C:\\dir"], 1u64)
                .unwrap();
        });
        assert_eq!(
            got,
            "# HELP m a \"quoted\" \\\\ help\\nline\n# TYPE m gauge\n\
             m{host=\"we\\\"ird\\nhost\",path=\"C:\\\\dir\"} 1\n"
        );
        let got = text(Format::OpenMetrics, None, |enc| {
            let d = Desc::new("m", MetricType::Gauge).help("a \"q\"");
            enc.family(&d).unwrap();
        });
        assert_eq!(got, "# TYPE m gauge\n# HELP m a \\\"q\\\"\n# EOF\n");
    }

    #[test]
    fn duplicate_and_clashing_families() {
        use MetricType::{Counter, Gauge, Histogram, Summary};
        // (format, first family, second family, second is refused)
        type Case<'a> = (Format, (&'a str, MetricType), (&'a str, MetricType), bool);
        let cases: &[Case<'_>] = &[
            (Format::Text, ("a", Gauge), ("a", Gauge), true),
            (Format::Text, ("a", Gauge), ("a", Counter), true),
            (Format::Text, ("a", Gauge), ("b", Gauge), false),
            (Format::Text, ("a", Histogram), ("a_bucket", Gauge), true),
            (Format::Text, ("a", Histogram), ("a_sum", Gauge), true),
            (Format::Text, ("a_count", Gauge), ("a", Summary), true),
            (Format::Text, ("a", Summary), ("a_bucket", Gauge), false),
            (Format::Text, ("a", Counter), ("a_total", Gauge), false),
            (
                Format::OpenMetrics,
                ("a", Counter),
                ("a_total", Gauge),
                true,
            ),
            (
                Format::OpenMetrics,
                ("a_total", Counter),
                ("a", Counter),
                true,
            ),
            (
                Format::OpenMetrics,
                ("a", Counter),
                ("a_created", Gauge),
                true,
            ),
            (Format::Text, ("a", Gauge), ("a_created", Gauge), false),
        ];
        for &(format, (n1, t1), (n2, t2), refused) in cases {
            let mut buf = Vec::new();
            let mut enc = Encoder::new(&mut buf, format);
            enc.family(&Desc::new(n1, t1)).unwrap();
            let before = enc.buf.len();
            let d2 = Desc::new(n2, t2);
            let got = matches!(enc.family(&d2), Err(Error::DuplicateFamily { .. }));
            assert_eq!(got, refused, "{format:?} {n1} {n2}");
            if refused {
                assert_eq!(enc.buf.len(), before, "nothing written on refusal");
            }
        }
    }

    #[test]
    fn invalid_names_and_labels() {
        let bad_family: &[Desc<'_>] = &[
            Desc::new("", MetricType::Gauge),
            Desc::new("1x", MetricType::Gauge),
            Desc::new("a.b", MetricType::Gauge),
            Desc::new("a", MetricType::Gauge).label_names(&["a-b"]),
            Desc::new("a", MetricType::Gauge).label_names(&["__x"]),
            Desc::new("a", MetricType::Gauge).label_names(&["x", "x"]),
            Desc::new("a", MetricType::Histogram).label_names(&["le"]),
            Desc::new("a", MetricType::Summary).label_names(&["quantile"]),
            Desc::new("a_seconds", MetricType::Gauge).unit("bytes"),
            Desc::new("seconds", MetricType::Gauge).unit("seconds"),
            Desc::new("_total", MetricType::Counter),
        ];
        for (i, d) in bad_family.iter().enumerate() {
            let mut buf = Vec::new();
            let format = if i == bad_family.len() - 1 {
                Format::OpenMetrics
            } else {
                Format::Text
            };
            let mut enc = Encoder::new(&mut buf, format);
            assert!(enc.family(d).is_err(), "{d:?}");
            assert!(buf.is_empty(), "{d:?} wrote something");
        }
        let mut buf = Vec::new();
        let mut enc = Encoder::new(&mut buf, Format::Text);
        let d = Desc::new("a", MetricType::Gauge).label_names(&["x"]);
        let mut fam = enc.family(&d).unwrap();
        assert!(matches!(
            fam.sample(&[], 1.0),
            Err(Error::LabelCount {
                expected: 1,
                found: 0,
                ..
            })
        ));
        assert!(matches!(
            fam.histogram(&["v"], &Histogram::default()),
            Err(Error::WrongValueKind { .. })
        ));
        let m = Metric::scalar(vec![Label::new("x", "1")], 1.0);
        assert!(matches!(
            fam.metric(&m),
            Err(Error::DuplicateLabelName { .. })
        ));
    }

    /// Issue 12: re-encoding one sample with 80,000 labels took seconds, the duplicate check
    /// being quadratic. It is linear now (the `labels_80000` bench measures it); here, that
    /// every duplicate is still found wherever it is.
    #[test]
    fn duplicate_labels_found_in_large_label_sets() {
        let names: Vec<String> = (0..80_000).map(|i| format!("l{i}")).collect();
        for (dup_at, of) in [(None, 0), (Some(79_999), 0), (Some(1), 0), (Some(17), 16)] {
            let mut labels: Vec<Label<'_>> =
                names.iter().map(|n| Label::new(n.as_str(), "v")).collect();
            if let Some(at) = dup_at {
                labels[at].name = labels[of].name.clone();
            }
            let family = MetricFamily {
                metrics: vec![Metric::scalar(labels, 1u64)],
                ..MetricFamily::new("many", MetricType::Gauge)
            };
            let mut buf = Vec::new();
            let got = Encoder::new(&mut buf, Format::Text).encode_family(&family);
            match dup_at {
                None => assert_eq!(got, Ok(())),
                Some(_) => assert_eq!(
                    got,
                    Err(Error::DuplicateLabelName {
                        name: names[of].as_str().into()
                    })
                ),
            }
        }
        for few in [&["a", "b", "a"][..], &["a", "b", "c"][..]] {
            let mut buf = Vec::new();
            let d = Desc::new("f", MetricType::Gauge).label_names(few);
            let got = Encoder::new(&mut buf, Format::Text).family(&d).map(|_| ());
            assert_eq!(got.is_err(), few[2] == "a", "{few:?}");
        }
    }

    /// The OpenMetrics-only types: written as OpenMetrics, read back the same; written as
    /// text the way client_python maps them.
    #[test]
    fn stateset_info_gaugehistogram() {
        let families = vec![
            MetricFamily {
                metrics: vec![
                    Metric::scalar(vec![Label::new("osd_state", "up")], 1u64),
                    Metric::scalar(vec![Label::new("osd_state", "down")], 0u64),
                ],
                ..MetricFamily::new("osd_state", MetricType::StateSet).with_help("state")
            },
            MetricFamily {
                metrics: vec![Metric::scalar(vec![Label::new("version", "18.2.7")], 1u64)],
                ..MetricFamily::new("ceph_build", MetricType::Info)
            },
            MetricFamily {
                metrics: vec![Metric {
                    labels: vec![Label::new("queue", "a")],
                    value: MetricValue::Histogram(Histogram {
                        buckets: vec![
                            Bucket {
                                upper_bound: -1.0,
                                cumulative_count: 1,
                            },
                            Bucket {
                                upper_bound: f64::INFINITY,
                                cumulative_count: 3,
                            },
                        ],
                        sum: Some(-2.5),
                        count: Some(3),
                    }),
                    timestamp: None,
                    created: None,
                    exemplars: Vec::new(),
                }],
                ..MetricFamily::new("queue_depth", MetricType::GaugeHistogram)
            },
        ];
        let om = text(Format::OpenMetrics, None, |e| {
            e.encode_families(&families).unwrap();
        });
        assert_eq!(
            om,
            "# TYPE osd_state stateset\n# HELP osd_state state\n\
             osd_state{osd_state=\"up\"} 1\nosd_state{osd_state=\"down\"} 0\n\
             # TYPE ceph_build info\nceph_build_info{version=\"18.2.7\"} 1\n\
             # TYPE queue_depth gaugehistogram\n\
             queue_depth_bucket{queue=\"a\",le=\"-1.0\"} 1\n\
             queue_depth_bucket{queue=\"a\",le=\"+Inf\"} 3\n\
             queue_depth_gsum{queue=\"a\"} -2.5\nqueue_depth_gcount{queue=\"a\"} 3\n# EOF\n"
        );
        assert_eq!(
            crate::parse(om.as_bytes(), Format::OpenMetrics),
            Ok(families.clone())
        );
        let txt = text(Format::Text, None, |e| {
            e.encode_families(&families).unwrap();
        });
        assert_eq!(
            txt,
            "# HELP osd_state state\n# TYPE osd_state gauge\n\
             osd_state{osd_state=\"up\"} 1\nosd_state{osd_state=\"down\"} 0\n\
             # TYPE ceph_build_info gauge\nceph_build_info{version=\"18.2.7\"} 1\n\
             # TYPE queue_depth histogram\n\
             queue_depth_bucket{queue=\"a\",le=\"-1\"} 1\n\
             queue_depth_bucket{queue=\"a\",le=\"+Inf\"} 3\n\
             queue_depth_gsum{queue=\"a\"} -2.5\nqueue_depth_gcount{queue=\"a\"} 3\n"
        );
        // The values and label rules of the types.
        let mut buf = Vec::new();
        let mut enc = Encoder::new(&mut buf, Format::OpenMetrics);
        let d = Desc::new("st", MetricType::StateSet).label_names(&["st"]);
        let mut f = enc.family(&d).unwrap();
        assert!(matches!(
            f.sample(&["on"], 2u64),
            Err(Error::InvalidValue { .. })
        ));
        f.sample(&["on"], 1.0).unwrap();
        let d = Desc::new("i", MetricType::Info).label_names(&["v"]);
        let mut f = enc.family(&d).unwrap();
        assert!(matches!(
            f.sample(&["x"], 0u64),
            Err(Error::InvalidValue { .. })
        ));
        let bad = [
            Desc::new("s2", MetricType::StateSet).label_names(&["other"]),
            Desc::new("i2_bytes", MetricType::Info).unit("bytes"),
            Desc::new("i_info", MetricType::Gauge),
            Desc::new("i", MetricType::Gauge),
        ];
        for d in &bad {
            assert!(enc.family(d).is_err(), "{d:?}");
        }
    }

    #[test]
    fn histogram_and_summary() {
        let h = Histogram {
            buckets: vec![
                Bucket {
                    upper_bound: 0.5,
                    cumulative_count: 1,
                },
                Bucket {
                    upper_bound: 1.0,
                    cumulative_count: 3,
                },
            ],
            sum: Some(2.25),
            count: Some(4),
        };
        let s = Summary {
            quantiles: vec![
                Quantile {
                    quantile: 0.5,
                    value: 0.25,
                },
                Quantile {
                    quantile: 0.99,
                    value: 1e6,
                },
            ],
            sum: Some(12.0),
            count: Some(3),
        };
        let got = text(Format::Text, None, |enc| {
            let d = Desc::new("h", MetricType::Histogram).label_names(&["a"]);
            enc.family(&d).unwrap().histogram(&["x"], &h).unwrap();
            let d = Desc::new("s", MetricType::Summary);
            enc.family(&d).unwrap().summary(&[], &s).unwrap();
        });
        assert_eq!(
            got,
            "# TYPE h histogram\n\
             h_bucket{a=\"x\",le=\"0.5\"} 1\n\
             h_bucket{a=\"x\",le=\"1\"} 3\n\
             h_bucket{a=\"x\",le=\"+Inf\"} 4\n\
             h_sum{a=\"x\"} 2.25\n\
             h_count{a=\"x\"} 4\n\
             # TYPE s summary\n\
             s{quantile=\"0.5\"} 0.25\n\
             s{quantile=\"0.99\"} 1e+06\n\
             s_sum 12\n\
             s_count 3\n"
        );
        let got = text(Format::OpenMetrics, None, |enc| {
            let d = Desc::new("h", MetricType::Histogram);
            let mut fam = enc.family(&d).unwrap();
            let m = Metric {
                labels: vec![],
                value: MetricValue::Histogram(h.clone()),
                timestamp: None,
                created: Some(1_700_000_000.5),
                exemplars: Vec::new(),
            };
            fam.metric(&m).unwrap();
        });
        assert_eq!(
            got,
            "# TYPE h histogram\n\
             h_bucket{le=\"0.5\"} 1\n\
             h_bucket{le=\"1.0\"} 3\n\
             h_bucket{le=\"+Inf\"} 4\n\
             h_sum 2.25\n\
             h_count 4\n\
             h_created 1.7000000005e+09\n\
             # EOF\n"
        );
    }

    #[test]
    fn invalid_distributions() {
        let b = |u: f64, c: u64| Bucket {
            upper_bound: u,
            cumulative_count: c,
        };
        let bad_h = [
            Histogram {
                buckets: vec![b(1.0, 1), b(1.0, 2)],
                sum: Some(0.0),
                count: Some(2),
            },
            Histogram {
                buckets: vec![b(1.0, 3), b(2.0, 2)],
                sum: Some(0.0),
                count: Some(3),
            },
            Histogram {
                buckets: vec![b(f64::NAN, 1)],
                sum: Some(0.0),
                count: Some(1),
            },
            Histogram {
                buckets: vec![b(1.0, 5)],
                sum: Some(0.0),
                count: Some(4),
            },
            Histogram {
                buckets: vec![b(f64::INFINITY, 3)],
                sum: Some(0.0),
                count: Some(4),
            },
        ];
        for h in &bad_h {
            let mut buf = Vec::new();
            let mut enc = Encoder::new(&mut buf, Format::Text);
            let d = Desc::new("h", MetricType::Histogram);
            let r = enc.family(&d).unwrap().histogram(&[], h);
            assert!(matches!(r, Err(Error::InvalidDistribution { .. })), "{h:?}");
        }
        let q = |q: f64| Quantile {
            quantile: q,
            value: 1.0,
        };
        for qs in [
            vec![q(0.5), q(0.5)],
            vec![q(1.5)],
            vec![q(f64::NAN)],
            vec![q(-0.1)],
        ] {
            let s = Summary {
                quantiles: qs,
                sum: Some(0.0),
                count: Some(0),
            };
            let mut buf = Vec::new();
            let mut enc = Encoder::new(&mut buf, Format::Text);
            let d = Desc::new("s", MetricType::Summary);
            let r = enc.family(&d).unwrap().summary(&[], &s);
            assert!(matches!(r, Err(Error::InvalidDistribution { .. })), "{s:?}");
        }
    }

    #[test]
    fn openmetrics_value_rules() {
        let cases: &[(Format, MetricType, Value, bool)] = &[
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::F64(-1.0),
                false,
            ),
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::F64(f64::NAN),
                false,
            ),
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::I64(-1),
                false,
            ),
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::I64(1),
                true,
            ),
            (
                Format::OpenMetrics,
                MetricType::Counter,
                Value::F64(f64::INFINITY),
                true,
            ),
            (
                Format::OpenMetrics,
                MetricType::Gauge,
                Value::F64(-1.0),
                true,
            ),
            (Format::Text, MetricType::Counter, Value::F64(-1.0), true),
        ];
        for &(format, t, v, ok) in cases {
            let mut buf = Vec::new();
            let mut enc = Encoder::new(&mut buf, format);
            let d = Desc::new("m", t);
            let r = enc.family(&d).unwrap().sample(&[], v);
            assert_eq!(r.is_ok(), ok, "{format:?} {t:?} {v:?}");
        }
        let s = Summary {
            quantiles: vec![Quantile {
                quantile: 0.5,
                value: -1.0,
            }],
            sum: Some(0.0),
            count: Some(1),
        };
        for (format, ok) in [(Format::Text, true), (Format::OpenMetrics, false)] {
            let mut buf = Vec::new();
            let mut enc = Encoder::new(&mut buf, format);
            let d = Desc::new("s", MetricType::Summary);
            assert_eq!(
                enc.family(&d).unwrap().summary(&[], &s).is_ok(),
                ok,
                "{format:?}"
            );
        }
    }

    #[test]
    fn timestamps_and_units() {
        let cases: &[(Format, i64, &str)] = &[
            (Format::Text, 1_520_879_607_789, "m_bytes 1 1520879607789\n"),
            (Format::Text, -5, "m_bytes 1 -5\n"),
            (
                Format::OpenMetrics,
                1_520_879_607_789,
                "m_bytes 1 1520879607.789\n",
            ),
            (
                Format::OpenMetrics,
                1_520_879_607_000,
                "m_bytes 1 1520879607\n",
            ),
            (
                Format::OpenMetrics,
                1_520_879_607_050,
                "m_bytes 1 1520879607.05\n",
            ),
            (Format::OpenMetrics, -1_500, "m_bytes 1 -1.5\n"),
        ];
        for &(format, ms, line) in cases {
            let got = text(format, None, |enc| {
                let d = Desc::new("m_bytes", MetricType::Gauge).unit("bytes");
                enc.family(&d)
                    .unwrap()
                    .sample_at(&[], 1u64, Timestamp::from_millis(ms))
                    .unwrap();
            });
            let head = match format {
                Format::Text => "# TYPE m_bytes gauge\n".to_owned(),
                Format::OpenMetrics => "# TYPE m_bytes gauge\n# UNIT m_bytes bytes\n".to_owned(),
            };
            let tail = if format == Format::OpenMetrics {
                "# EOF\n"
            } else {
                ""
            };
            assert_eq!(got, format!("{head}{line}{tail}"), "{format:?} {ms}");
        }
    }

    #[test]
    fn float_style_applies_to_values_not_integers() {
        let got = text(Format::Text, Some(FloatStyle::Python), |enc| {
            let d = Desc::new("m", MetricType::Gauge).label_names(&["k"]);
            let mut fam = enc.family(&d).unwrap();
            fam.sample(&["f"], 1e6).unwrap();
            fam.sample(&["u"], 1_000_000u64).unwrap();
            fam.sample(&["i"], i64::MIN).unwrap();
            fam.sample(&["big"], u64::MAX).unwrap();
        });
        assert_eq!(
            got,
            "# TYPE m gauge\nm{k=\"f\"} 1000000.0\nm{k=\"u\"} 1000000\n\
             m{k=\"i\"} -9223372036854775808\nm{k=\"big\"} 18446744073709551615\n"
        );
    }

    #[test]
    fn encode_family_from_model() {
        let mut f = MetricFamily::new("ceph_pool_objects_repaired", MetricType::Counter)
            .with_help("Number of objects repaired in a pool");
        for pool in ["1", "2"] {
            f.metrics
                .push(Metric::scalar(vec![Label::new("pool_id", pool)], 0u64));
        }
        let mut buf = Vec::new();
        let mut enc = Encoder::new(&mut buf, Format::Text);
        enc.encode_family(&f).unwrap();
        assert!(matches!(
            enc.encode_family(&f),
            Err(Error::DuplicateFamily { .. })
        ));
        enc.finish();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "# HELP ceph_pool_objects_repaired Number of objects repaired in a pool\n\
             # TYPE ceph_pool_objects_repaired counter\n\
             ceph_pool_objects_repaired{pool_id=\"1\"} 0\n\
             ceph_pool_objects_repaired{pool_id=\"2\"} 0\n"
        );
    }

    #[test]
    fn exemplars_are_written_in_openmetrics_only_and_checked() {
        let ex = |labels: Vec<Label<'static>>, value: f64| Some(Exemplar::new(labels, value));
        let mut counter = MetricFamily::new("c", MetricType::Counter);
        counter.metrics.push(Metric {
            exemplars: vec![Some(Exemplar {
                labels: vec![Label::new("trace_id", "a\"b")],
                value: 1.0,
                timestamp: Some(Timestamp::from_millis(1_500)),
            })],
            timestamp: Some(Timestamp::from_millis(2_000)),
            ..Metric::scalar(vec![], 3u64)
        });
        let mut hist = MetricFamily::new("h", MetricType::Histogram);
        hist.metrics.push(Metric {
            value: MetricValue::Histogram(Histogram {
                buckets: vec![
                    Bucket {
                        upper_bound: 1.0,
                        cumulative_count: 1,
                    },
                    Bucket {
                        upper_bound: f64::INFINITY,
                        cumulative_count: 2,
                    },
                ],
                sum: None,
                count: None,
            }),
            exemplars: vec![ex(vec![], 0.5)],
            ..Metric::default()
        });
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::OpenMetrics);
        enc.encode_families([&counter, &hist]).unwrap();
        enc.finish();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# TYPE c counter\nc_total 3 2 # {trace_id=\"a\\\"b\"} 1.0 1.5\n\
             # TYPE h histogram\nh_bucket{le=\"1.0\"} 1 # {} 0.5\nh_bucket{le=\"+Inf\"} 2\n\
             # EOF\n"
        );
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::Text);
        enc.encode_families([&counter, &hist]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# TYPE c counter\nc 3 2000\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n\
             h_bucket{le=\"+Inf\"} 2\n"
        );

        let bad = |f: &MetricFamily<'_>| {
            let mut out = Vec::new();
            Encoder::new(&mut out, Format::OpenMetrics).encode_family(f)
        };
        let reason = |r: Result<(), Error>| match r {
            Err(Error::InvalidExemplar { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        // 128 characters pass, 129 do not (characters, not bytes).
        let mut c = counter.clone();
        c.metrics[0].exemplars = vec![ex(vec![Label::new("a", "é".repeat(127))], 1.0)];
        assert!(bad(&c).is_ok());
        c.metrics[0].exemplars = vec![ex(vec![Label::new("a", "é".repeat(128))], 1.0)];
        assert_eq!(
            reason(bad(&c)),
            "label names and values longer than 128 characters together"
        );
        c.metrics[0].exemplars = vec![None, ex(vec![], 1.0)];
        assert_eq!(reason(bad(&c)), "a counter has one exemplar at most");
        c.metrics[0].exemplars = vec![ex(vec![Label::new("a", ""), Label::new("a", "")], 1.0)];
        assert!(matches!(bad(&c), Err(Error::DuplicateLabelName { .. })));
        c.metrics[0].exemplars = vec![ex(vec![Label::new("1a", "")], 1.0)];
        assert!(matches!(bad(&c), Err(Error::InvalidLabelName { .. })));
        let mut h = hist.clone();
        h.metrics[0].exemplars = vec![None, None, ex(vec![], 1.0)];
        assert_eq!(
            reason(bad(&h)),
            "an exemplar for a bucket the histogram does not have"
        );
        let mut g = MetricFamily::new("g", MetricType::Gauge);
        g.metrics.push(Metric {
            exemplars: vec![ex(vec![], 1.0)],
            ..Metric::scalar(vec![], 1u64)
        });
        assert_eq!(
            reason(bad(&g)),
            "only counters, histograms and gauge histograms have exemplars"
        );
        // Trailing empty slots are fine.
        g.metrics[0].exemplars = vec![None];
        assert!(bad(&g).is_ok());
    }
}
