//! Prometheus 3's name escaping schemes: how UTF-8 metric and label names are written for a
//! scraper that negotiated `escaping=` in its `Accept` header.

use std::fmt;
use std::str::FromStr;

use crate::{Error, MetricFamily};

/// How names that are not valid classic names (`[a-zA-Z_:][a-zA-Z0-9_:]*`) are written, as
/// Prometheus 3 defines the `escaping` parameter of its exposition media types.
///
/// | scheme | `escaping=` | `http.status:sum` | `my_metric` | `数` |
/// |---|---|---|---|---|
/// | [`AllowUtf8`](EscapingScheme::AllowUtf8) | `allow-utf-8` | unchanged (quoted in the exposition) | unchanged | unchanged |
/// | [`Underscores`](EscapingScheme::Underscores) | `underscores` | `http_status:sum` | `my_metric` | `_` |
/// | [`Dots`](EscapingScheme::Dots) | `dots` | `http_dot_status:sum` | `my__metric` | `__` |
/// | [`Values`](EscapingScheme::Values) | `values` | `U__http_2e_status:sum` | `my_metric` | `U___6570_` |
///
/// `Underscores` loses information; `Dots` and `Values` can be undone with
/// [`unescape_name`]. A name that is already valid is never changed, except by `Dots`, which
/// doubles its underscores so that every name can be undone.
///
/// ```
/// use expfmt::{EscapingScheme, escape_name};
///
/// assert_eq!(escape_name("http.status:sum", EscapingScheme::Underscores), "http_status:sum");
/// assert_eq!(escape_name("http.status:sum", EscapingScheme::Dots), "http_dot_status:sum");
/// assert_eq!(escape_name("http.status:sum", EscapingScheme::Values), "U__http_2e_status:sum");
/// assert_eq!("values".parse::<EscapingScheme>()?, EscapingScheme::Values);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EscapingScheme {
    /// `allow-utf-8`: names are written as they are (quoted when not classic).
    AllowUtf8,
    /// `underscores`: every character not allowed in a classic name becomes `_`. The default
    /// of Prometheus' Go libraries when a scraper asks for nothing.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, any other character not allowed becomes
    /// `__`.
    Dots,
    /// `values`: a name that is not classic gets the prefix `U__`; `_` becomes `__`, and any
    /// other character not allowed becomes `_<hex code point>_`.
    Values,
}

impl EscapingScheme {
    /// The value of the `escaping` media-type parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            EscapingScheme::AllowUtf8 => "allow-utf-8",
            EscapingScheme::Underscores => "underscores",
            EscapingScheme::Dots => "dots",
            EscapingScheme::Values => "values",
        }
    }
}

impl fmt::Display for EscapingScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscapingScheme {
    type Err = Error;

    /// Parses an `escaping=` value: `allow-utf-8`, `underscores`, `dots` or `values`.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "allow-utf-8" => EscapingScheme::AllowUtf8,
            "underscores" => EscapingScheme::Underscores,
            "dots" => EscapingScheme::Dots,
            "values" => EscapingScheme::Values,
            _ => return Err(Error::UnknownEscapingScheme { name: s.into() }),
        })
    }
}

/// Whether `c`, at character index `i`, may appear in a classic name.
fn classic(c: char, i: usize) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (c.is_ascii_digit() && i > 0)
}

/// `name` written under `scheme` (see [`EscapingScheme`] for the rules and examples).
/// Empty names stay empty. This validates nothing: a name escaped by any scheme but
/// [`EscapingScheme::AllowUtf8`] is a valid classic name unless it was empty.
pub fn escape_name(name: &str, scheme: EscapingScheme) -> String {
    let is_classic = crate::is_valid_metric_name(name);
    match scheme {
        EscapingScheme::AllowUtf8 => name.to_owned(),
        EscapingScheme::Underscores => {
            if is_classic {
                return name.to_owned();
            }
            name.chars()
                .enumerate()
                .map(|(i, c)| if classic(c, i) { c } else { '_' })
                .collect()
        }
        EscapingScheme::Dots => {
            let mut out = String::with_capacity(name.len() + 8);
            for (i, c) in name.chars().enumerate() {
                match c {
                    '_' => out.push_str("__"),
                    '.' => out.push_str("_dot_"),
                    c if classic(c, i) => out.push(c),
                    _ => out.push_str("__"),
                }
            }
            out
        }
        EscapingScheme::Values => {
            if is_classic || name.is_empty() {
                return name.to_owned();
            }
            let mut out = String::with_capacity(name.len() + 8);
            out.push_str("U__");
            for (i, c) in name.chars().enumerate() {
                match c {
                    '_' => out.push_str("__"),
                    c if classic(c, i) => out.push(c),
                    c => {
                        use fmt::Write;
                        // Writing into a String cannot fail.
                        let _ = write!(out, "_{:x}_", u32::from(c));
                    }
                }
            }
            out
        }
    }
}

/// Undoes [`escape_name`] for the schemes that can be undone ([`EscapingScheme::Dots`],
/// [`EscapingScheme::Values`]). `None` when `escaped` is not something `scheme` writes; the
/// other schemes give the name back unchanged.
///
/// ```
/// use expfmt::{EscapingScheme, unescape_name};
///
/// assert_eq!(unescape_name("U__http_2e_status:sum", EscapingScheme::Values).as_deref(), Some("http.status:sum"));
/// assert_eq!(unescape_name("http_dot_status:sum", EscapingScheme::Dots).as_deref(), Some("http.status:sum"));
/// assert_eq!(unescape_name("U__bad_zz_", EscapingScheme::Values), None);
/// ```
pub fn unescape_name(escaped: &str, scheme: EscapingScheme) -> Option<String> {
    match scheme {
        EscapingScheme::AllowUtf8 | EscapingScheme::Underscores => Some(escaped.to_owned()),
        EscapingScheme::Dots => {
            let mut out = String::with_capacity(escaped.len());
            let mut rest = escaped;
            while let Some(c) = rest.chars().next() {
                if let Some(r) = rest.strip_prefix("_dot_") {
                    out.push('.');
                    rest = r;
                } else if let Some(r) = rest.strip_prefix("__") {
                    out.push('_');
                    rest = r;
                } else if c == '_' {
                    return None;
                } else {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
            Some(out)
        }
        EscapingScheme::Values => {
            let Some(mut rest) = escaped.strip_prefix("U__") else {
                return Some(escaped.to_owned());
            };
            let mut out = String::with_capacity(escaped.len());
            while let Some(c) = rest.chars().next() {
                if let Some(r) = rest.strip_prefix("__") {
                    out.push('_');
                    rest = r;
                } else if let Some(r) = rest.strip_prefix('_') {
                    let end = r.find('_')?;
                    let hex = &r[..end];
                    if hex.is_empty() || hex.len() > 6 {
                        return None;
                    }
                    let code = u32::from_str_radix(hex, 16).ok()?;
                    out.push(char::from_u32(code)?);
                    rest = &r[end + 1..];
                } else {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
            Some(out)
        }
    }
}

/// Escapes the family name and every label name of `family` under `scheme`, as Prometheus'
/// Go libraries do before writing for a scraper that asked for `scheme` (label values are
/// never changed). With [`EscapingScheme::AllowUtf8`] nothing changes.
///
/// ```
/// use expfmt::{EscapingScheme, Label, Metric, MetricFamily, MetricType, escape_family};
///
/// let mut f = MetricFamily::new("my.metric", MetricType::Gauge);
/// f.metrics.push(Metric::scalar(vec![Label::new("label.name", "v.1")], 1u64));
/// escape_family(&mut f, EscapingScheme::Underscores);
/// assert_eq!(f.name, "my_metric");
/// assert_eq!(f.metrics[0].labels[0], Label::new("label_name", "v.1"));
/// ```
pub fn escape_family(family: &mut MetricFamily<'_>, scheme: EscapingScheme) {
    if scheme == EscapingScheme::AllowUtf8 {
        return;
    }
    let esc = |s: &str| -> Option<String> {
        let e = escape_name(s, scheme);
        (e != s).then_some(e)
    };
    if let Some(n) = esc(&family.name) {
        family.name = n.into();
    }
    for m in &mut family.metrics {
        for l in &mut m.labels {
            if let Some(n) = esc(&l.name) {
                l.name = n.into();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from Prometheus' documentation (UTF-8 names and content negotiation) and from the
    /// behaviour of `prometheus/common`'s `EscapeName`.
    #[test]
    fn schemes() {
        use EscapingScheme::*;
        let cases: &[(&str, EscapingScheme, &str)] = &[
            ("http.status:sum", Underscores, "http_status:sum"),
            ("http.status:sum", Dots, "http_dot_status:sum"),
            ("http.status:sum", Values, "U__http_2e_status:sum"),
            ("http.status:sum", AllowUtf8, "http.status:sum"),
            ("my_metric", Underscores, "my_metric"),
            ("my_metric", Dots, "my__metric"),
            ("my_metric", Values, "my_metric"),
            ("no:escaping_required", Underscores, "no:escaping_required"),
            ("no:escaping_required", Dots, "no:escaping__required"),
            ("no:escaping_required", Values, "no:escaping_required"),
            (
                "mysystem.prod.west.cpu.load",
                Dots,
                "mysystem_dot_prod_dot_west_dot_cpu_dot_load",
            ),
            (
                "mysystem.prod.west.cpu.load_total",
                Dots,
                "mysystem_dot_prod_dot_west_dot_cpu_dot_load__total",
            ),
            (
                "mysystem.prod.west.cpu.load",
                Values,
                "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load",
            ),
            (
                "mysystem.prod.west.cpu.load_total",
                Values,
                "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total",
            ),
            ("1leading", Underscores, "_leading"),
            ("1leading", Values, "U___31_leading"),
            ("label with 😱", Underscores, "label_with__"),
            ("label with 😱", Dots, "label__with____"),
            ("label with 😱", Values, "U__label_20_with_20__1f631_"),
            ("数", Values, "U___6570_"),
            ("", Values, ""),
            ("", Dots, ""),
        ];
        for (name, scheme, want) in cases {
            assert_eq!(escape_name(name, *scheme), *want, "{name} {scheme}");
            let undoable = match scheme {
                Values => true,
                Dots => name
                    .chars()
                    .enumerate()
                    .all(|(i, c)| c == '.' || classic(c, i)),
                _ => false,
            };
            if undoable {
                assert_eq!(
                    unescape_name(want, *scheme).as_deref(),
                    Some(*name),
                    "{want} {scheme}"
                );
            }
            if *scheme != AllowUtf8 && !name.is_empty() {
                assert!(crate::is_valid_metric_name(want), "{want}");
            }
        }
    }

    #[test]
    fn unescaping_refuses_what_no_scheme_writes() {
        use EscapingScheme::*;
        for (s, scheme) in [
            ("U__a_zz_", Values),
            ("U__a_110000_", Values),
            ("U__a_d800_", Values),
            ("U__a_", Values),
            ("U__a__1234567_", Values),
            ("a_b", Dots),
        ] {
            assert_eq!(unescape_name(s, scheme), None, "{s}");
        }
        assert_eq!(unescape_name("plain", Values).as_deref(), Some("plain"));
    }

    /// Quoted names as Prometheus 3 writes them (the example of Prometheus' documentation on
    /// UTF-8 names), read back and written again byte for byte.
    #[test]
    fn quoted_names_round_trip() {
        use crate::{Encoder, Format, MetricType, parse};
        let doc = "# HELP \"my.dotted.metric\" this is a dotted metric\n\
                   # TYPE \"my.dotted.metric\" gauge\n\
                   {\"my.dotted.metric\", \"label.name\"=\"value\"} 1\n";
        let f = parse(doc.as_bytes(), Format::Text).expect("Prometheus' example parses");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name, "my.dotted.metric");
        assert_eq!(f[0].metric_type, MetricType::Gauge);
        assert_eq!(f[0].metrics[0].labels[0].name, "label.name");
        for (format, want) in [
            (
                Format::Text,
                "# HELP \"my.dotted.metric\" this is a dotted metric\n\
                 # TYPE \"my.dotted.metric\" gauge\n\
                 {\"my.dotted.metric\",\"label.name\"=\"value\"} 1\n",
            ),
            (
                Format::OpenMetrics,
                "# TYPE \"my.dotted.metric\" gauge\n\
                 # HELP \"my.dotted.metric\" this is a dotted metric\n\
                 {\"my.dotted.metric\",\"label.name\"=\"value\"} 1\n# EOF\n",
            ),
        ] {
            let mut out = Vec::new();
            let mut enc = Encoder::builder()
                .format(format)
                .float_style(crate::FloatStyle::Go)
                .escaping(AllowUtf8Scheme::SCHEME)
                .build(&mut out);
            enc.encode_families(&f).expect("encodes");
            enc.finish();
            assert_eq!(String::from_utf8_lossy(&out), want);
            let back = parse(&out, format).expect("reads back");
            assert_eq!(back, f);
        }
        // Every type, quoted, with a plain label too; a counter's `_total` inside the quotes.
        let om = "# TYPE \"a.b\" counter\n{\"a.b_total\",x=\"1\"} 2\n\
                  # TYPE \"h.s\" histogram\n{\"h.s_bucket\",\"le\"=\"+Inf\"} 1\n\
                  {\"h.s_count\"} 1\n{\"h.s_sum\"} 0.5\n# EOF\n";
        let f = parse(om.as_bytes(), Format::OpenMetrics).expect("parses");
        assert_eq!(f[0].name, "a.b");
        let mut out = Vec::new();
        let mut enc = Encoder::builder()
            .format(Format::OpenMetrics)
            .escaping(AllowUtf8Scheme::SCHEME)
            .build(&mut out);
        enc.encode_families(&f).expect("encodes");
        enc.finish();
        assert_eq!(parse(&out, Format::OpenMetrics).expect("reads back"), f);
        // Without allow-utf-8 the encoder refuses such names, or escapes a whole family.
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::Text);
        assert!(enc.encode_family(&f[0]).is_err());
        // Bad quoted names.
        for bad in ["{\"\"} 1\n", "{\"a\" 1\n", "x{\"\"=\"v\"} 1\n"] {
            assert!(parse(bad.as_bytes(), Format::Text).is_err(), "{bad}");
        }
        // Quoted names with escapes (`\"`, `\\`, `\n`), as Prometheus 3 reads them: the model
        // holds the names unescaped, and they are written back escaped the same.
        for (format, text) in [
            (
                Format::Text,
                "# HELP \"a\\\"b\\\\c\\nd\" h\n# TYPE \"a\\\"b\\\\c\\nd\" gauge\n\
                 {\"a\\\"b\\\\c\\nd\",\"l\\\"x\"=\"v\",plain=\"w\"} 1\n",
            ),
            (
                Format::OpenMetrics,
                "# TYPE \"c\\\"q\" counter\n# HELP \"c\\\"q\" h\n\
                 {\"c\\\"q_total\",\"l\\\\x\"=\"v\"} 1 # {\"t\\\"id\"=\"1\"} 1.0\n# EOF\n",
            ),
        ] {
            let f = parse(text.as_bytes(), format).expect("parses");
            let (name, label) = match format {
                Format::Text => ("a\"b\\c\nd", "l\"x"),
                Format::OpenMetrics => ("c\"q", "l\\x"),
            };
            assert_eq!(f[0].name, name, "{format}");
            assert_eq!(f[0].metrics[0].labels[0].name, label, "{format}");
            let mut out = Vec::new();
            let mut enc = Encoder::builder()
                .format(format)
                .escaping(AllowUtf8Scheme::SCHEME)
                .build(&mut out);
            enc.encode_families(&f).expect("encodes");
            enc.finish();
            assert_eq!(String::from_utf8_lossy(&out), text, "{format}");
        }
    }

    /// Shorthand for the tests.
    struct AllowUtf8Scheme;
    impl AllowUtf8Scheme {
        const SCHEME: EscapingScheme = EscapingScheme::AllowUtf8;
    }

    #[test]
    fn names_and_parse() {
        for s in [
            EscapingScheme::AllowUtf8,
            EscapingScheme::Underscores,
            EscapingScheme::Dots,
            EscapingScheme::Values,
        ] {
            assert_eq!(s.as_str().parse::<EscapingScheme>(), Ok(s));
        }
        assert!("utf-8".parse::<EscapingScheme>().is_err());
    }
}
