//! Encode → parse differential: whatever either parser accepts is re-encoded in both formats,
//! and the encoding must parse back; text → text, text → OpenMetrics and OpenMetrics →
//! OpenMetrics must give back the same families.
//! The first byte picks the input format; the rest is the exposition.
#![no_main]

use expfmt::{Encoder, Format, MetricFamily, MetricValue, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let from = if sel & 1 == 0 { Format::Text } else { Format::OpenMetrics };
    let Ok(families) = expfmt::parse(input, from) else {
        return;
    };
    for to in [Format::Text, Format::OpenMetrics] {
        let mut out = Vec::new();
        // Quoted UTF-8 names (Prometheus 3) are written back quoted.
        let mut enc = Encoder::builder()
            .format(to)
            .escaping(expfmt::EscapingScheme::AllowUtf8)
            .build(&mut out);
        let mut ok = true;
        for f in &families {
            if enc.encode_family(f).is_err() {
                // Valid input of one format can be invalid in the other (a negative counter
                // read from text); the encoder refuses it rather than writing bad output.
                ok = false;
                break;
            }
        }
        if !ok {
            continue;
        }
        enc.finish();
        let back = match expfmt::parse(&out, to) {
            Ok(b) => b,
            Err(e) => panic!(
                "{to} output does not parse: {e}\n--- input ({from})\n{}\n--- output\n{}",
                String::from_utf8_lossy(input),
                String::from_utf8_lossy(&out)
            ),
        };
        if from == Format::OpenMetrics && to == Format::Text {
            // Lossy by design: text has no UNIT, no `_created`, no stateset/info/gaugehistogram
            // (mapped as client_python maps them) and no HELP with leading blanks. It must
            // parse; it cannot compare.
            continue;
        }
        assert_eq!(back.len(), families.len(), "family count, output:\n{}", String::from_utf8_lossy(&out));
        for (a, b) in families.iter().zip(&back) {
            assert!(
                same_family(a, b, to),
                "family differs after {from} -> {to}:\n{a:?}\n{b:?}\n--- output\n{}",
                String::from_utf8_lossy(&out)
            );
        }
    }
});

fn same_family(a: &MetricFamily<'_>, b: &MetricFamily<'_>, to: Format) -> bool {
    let help = |f: &MetricFamily<'_>| f.help.as_deref().filter(|h| !h.is_empty()).map(str::to_owned);
    // An OpenMetrics counter family is named without `_total` (its sample adds it back).
    let name = |f: &MetricFamily<'_>| {
        if to == Format::OpenMetrics && f.metric_type == expfmt::MetricType::Counter {
            f.name.strip_suffix("_total").unwrap_or(&f.name).to_owned()
        } else {
            f.name.to_string()
        }
    };
    name(a) == name(b)
        && a.metric_type == b.metric_type
        && help(a) == help(b)
        && (to == Format::Text || a.unit == b.unit)
        && a.metrics.len() == b.metrics.len()
        && a.metrics.iter().zip(&b.metrics).all(|(x, y)| {
            x.labels == y.labels
                && x.timestamp == y.timestamp
                // Exemplars are OpenMetrics only (text drops them).
                && (to == Format::Text || format!("{:?}", x.exemplars) == format!("{:?}", y.exemplars))
                && match (&x.value, &y.value) {
                    (MetricValue::Scalar(p), MetricValue::Scalar(q)) => same_value(*p, *q),
                    (p, q) => format!("{p:?}") == format!("{q:?}"),
                }
        })
}

fn same_value(a: Value, b: Value) -> bool {
    let (x, y) = (a.as_f64(), b.as_f64());
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()) || (x == y)
}
