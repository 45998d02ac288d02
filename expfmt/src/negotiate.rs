//! Content negotiation from an HTTP `Accept` header.

use crate::{EscapingScheme, Format};

/// Picks the exposition format for an HTTP `Accept` header, as Prometheus' Go `expfmt` does.
///
/// Media ranges are tried in decreasing `q` order (ties keep header order; `q=0` excludes):
/// `application/openmetrics-text` with no `version` or version `1.0.0` or `0.0.1` selects
/// OpenMetrics, `text/plain` with no `version` or version `0.0.4` selects text. Anything else,
/// including an empty or malformed header, falls back to text 0.0.4. Send
/// [`Format::content_type`] of the result.
///
/// ```
/// use expfmt::{Format, negotiate};
///
/// let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,\
///                    application/openmetrics-text;version=0.0.1;q=0.4,\
///                    text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,\
///                    text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
/// let format = negotiate(prometheus3);
/// assert_eq!(format, Format::OpenMetrics);
/// assert_eq!(
///     format.content_type(),
///     "application/openmetrics-text; version=1.0.0; charset=utf-8"
/// );
/// assert_eq!(negotiate("text/plain;version=0.0.4"), Format::Text);
/// assert_eq!(negotiate(""), Format::Text);
/// ```
pub fn negotiate(accept: &str) -> Format {
    negotiate_escaping(accept).0
}

/// As [`negotiate`], and the name escaping scheme Prometheus 3 asked for with the `escaping`
/// parameter of the chosen media range ([`EscapingScheme::Underscores`] when it asked for none
/// or for one this crate does not know, as Prometheus' Go libraries do). Send
/// [`Format::content_type_escaped`] of the result, and write names as
/// [`escape_family`](crate::escape_family) escapes them.
///
/// ```
/// use expfmt::{EscapingScheme, Format, negotiate_escaping};
///
/// let accept = "application/openmetrics-text;version=1.0.0;escaping=values;q=0.6,text/plain;q=0.5";
/// let (format, escaping) = negotiate_escaping(accept);
/// assert_eq!((format, escaping), (Format::OpenMetrics, EscapingScheme::Values));
/// assert_eq!(
///     format.content_type_escaped(escaping),
///     "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values"
/// );
/// assert_eq!(negotiate_escaping(""), (Format::Text, EscapingScheme::Underscores));
/// ```
pub fn negotiate_escaping(accept: &str) -> (Format, EscapingScheme) {
    let mut best: Option<(u32, Format, EscapingScheme)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim();
        let mut q: u32 = 1000;
        let mut version: Option<&str> = None;
        let mut escaping = EscapingScheme::default();
        for p in parts {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim().trim_matches('"'));
            if k.eq_ignore_ascii_case("q") {
                q = parse_q(v).unwrap_or(0);
            } else if k.eq_ignore_ascii_case("version") {
                version = Some(v);
            } else if k.eq_ignore_ascii_case("escaping") {
                escaping = v.parse().unwrap_or_default();
            }
        }
        if q == 0 {
            continue;
        }
        let format = if media.eq_ignore_ascii_case("application/openmetrics-text")
            && matches!(version, None | Some("1.0.0" | "0.0.1"))
        {
            Format::OpenMetrics
        } else if media.eq_ignore_ascii_case("text/plain")
            && matches!(version, None | Some("0.0.4"))
        {
            Format::Text
        } else {
            continue;
        };
        if best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, format, escaping));
        }
    }
    best.map_or((Format::Text, EscapingScheme::default()), |(_, f, e)| {
        (f, e)
    })
}

/// `q` as thousandths: `1`, `0.5`, `0.123` (RFC 9110 allows at most three decimals).
fn parse_q(v: &str) -> Option<u32> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u32 = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut f = 0;
    for (i, b) in frac.bytes().enumerate() {
        f += u32::from(b - b'0') * [100, 10, 1][i];
    }
    let q = int * 1000 + f;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        let cases = [
            ("", Format::Text),
            ("*/*", Format::Text),
            ("garbage;;;,", Format::Text),
            ("text/plain", Format::Text),
            ("text/plain; version=0.0.4", Format::Text),
            ("application/openmetrics-text", Format::OpenMetrics),
            (
                "application/openmetrics-text; version=1.0.0",
                Format::OpenMetrics,
            ),
            (
                "application/openmetrics-text; version=0.0.1",
                Format::OpenMetrics,
            ),
            ("application/openmetrics-text; version=2.0.0", Format::Text),
            (
                "text/plain;q=0.9,application/openmetrics-text;q=0.8",
                Format::Text,
            ),
            (
                "text/plain;q=0.5,application/openmetrics-text;q=0.8",
                Format::OpenMetrics,
            ),
            ("application/openmetrics-text;q=0,text/plain", Format::Text),
            (
                "Application/OpenMetrics-Text; Version=\"1.0.0\"",
                Format::OpenMetrics,
            ),
            (
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
                Format::Text,
            ),
            (
                "text/plain;version=1.0.0,application/openmetrics-text;q=0.1",
                Format::OpenMetrics,
            ),
            ("application/openmetrics-text;q=1.5", Format::Text),
        ];
        for (accept, want) in cases {
            assert_eq!(negotiate(accept), want, "{accept:?}");
        }
    }

    #[test]
    fn q_values() {
        let cases = [
            ("1", Some(1000)),
            ("1.000", Some(1000)),
            ("0.5", Some(500)),
            ("0.123", Some(123)),
            ("0.1234", None),
            ("2", None),
            ("1.5", None),
            ("x", None),
            ("", None),
        ];
        for (v, want) in cases {
            assert_eq!(parse_q(v), want, "{v:?}");
        }
    }
}
