//! How a collection is written: the one decision of format and float layout.

use expfmt::{EncoderBuilder, FloatStyle, Format};

/// The exposition format and float layout of a collection's output, decided in one place for
/// the printed output and for every `/metrics` answer ([`Encoding::for_request`]).
///
/// - Text (the default, and the mgr module's only format) with the configured float style:
///   [`FloatStyle::Go`] (integers exact, `1e+06`), or [`FloatStyle::Python`], which writes
///   *every* value as the module does, a Python float (`1.0`, `32212254720.0`; integers above
///   2^53 round, as the module's `float()` does).
/// - OpenMetrics, only when configured, always with [`FloatStyle::OpenMetrics`] (counters gain
///   `_total`, so Prometheus stores other names than from the module).
///
/// ```
/// use expfmt::{FloatStyle, Format};
/// use exporter::Encoding;
///
/// let mgr = Encoding::new(Format::Text, FloatStyle::Python);
/// // Text is answered whatever the client asks for, as the module does.
/// assert_eq!(mgr.for_request(Some("application/openmetrics-text;version=1.0.0")), mgr);
/// let om = Encoding::new(Format::OpenMetrics, FloatStyle::Python);
/// assert_eq!(om.float_style(), FloatStyle::OpenMetrics);
/// // OpenMetrics only to a client that takes it.
/// assert_eq!(om.for_request(Some("text/plain;version=0.0.4")).format(), Format::Text);
/// assert_eq!(om.for_request(None), om);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Encoding {
    format: Format,
    float_style: FloatStyle,
}

impl Encoding {
    /// `format`, with `float_style` for text (OpenMetrics has its own layout).
    pub fn new(format: Format, float_style: FloatStyle) -> Self {
        let float_style = match format {
            Format::Text => float_style,
            Format::OpenMetrics => FloatStyle::OpenMetrics,
        };
        Encoding {
            format,
            float_style,
        }
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The float layout.
    pub fn float_style(&self) -> FloatStyle {
        self.float_style
    }

    /// The HTTP `Content-Type` of the body.
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// What a `/metrics` request with the `Accept` header `accept` gets when the operator
    /// configured `self`: text as configured, whatever the header (the module's behaviour, so
    /// Prometheus stores the module's names); OpenMetrics, unless the header is present and
    /// excludes it (`text/plain;version=0.0.4` only), then text with [`FloatStyle::Go`].
    pub fn for_request(&self, accept: Option<&str>) -> Encoding {
        match (self.format, accept) {
            (Format::OpenMetrics, Some(a)) if !accepts_openmetrics(a) => {
                Encoding::new(Format::Text, FloatStyle::Go)
            }
            _ => *self,
        }
    }

    /// The encoder options: the format, the float style, and for [`FloatStyle::Python`]
    /// integers written as floats.
    pub(crate) fn builder(&self) -> EncoderBuilder {
        let mut b = expfmt::Encoder::builder();
        b.format(self.format)
            .float_style(self.float_style)
            .integers_as_floats(self.float_style == FloatStyle::Python);
        b
    }
}

/// Whether an `Accept` header lets the client take OpenMetrics: an empty header, a wildcard,
/// or a range that selects it.
fn accepts_openmetrics(accept: &str) -> bool {
    accept.trim().is_empty()
        || accept.split(',').any(|r| {
            let media = r.split(';').next().unwrap_or("").trim();
            media == "*/*" || media.eq_ignore_ascii_case("application/*")
        })
        || expfmt::negotiate(accept) == Format::OpenMetrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        let om = Encoding::new(Format::OpenMetrics, FloatStyle::Go);
        let go = Encoding::new(Format::Text, FloatStyle::Go);
        let prometheus_2_42 = "application/openmetrics-text;version=1.0.0,\
            application/openmetrics-text;version=0.0.1;q=0.75,\
            text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        // Configured, Accept, answered.
        let cases = [
            (go, Some(prometheus_2_42), go),
            (go, None, go),
            (om, Some(prometheus_2_42), om),
            (om, Some("*/*"), om),
            (om, Some(""), om),
            (om, None, om),
            (om, Some("text/plain;version=0.0.4"), go),
            (om, Some("text/plain"), go),
        ];
        for (configured, accept, want) in cases {
            assert_eq!(configured.for_request(accept), want, "{accept:?}");
        }
        assert_eq!(om.float_style(), FloatStyle::OpenMetrics);
        assert_eq!(
            om.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
    }
}
