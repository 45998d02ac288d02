//! Properties of what the parser reads: values bit for bit, escapes, label-set identity,
//! OpenMetrics timestamps.

use expfmt::{Error, Format, MetricValue, ParseErrorKind, Timestamp, Value};
use proptest::prelude::*;

/// The scalar value of the single metric in `input`.
fn single_value(input: &str, format: Format) -> Value {
    let families =
        expfmt::parse(input.as_bytes(), format).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    match families[0].metrics[0].value {
        MetricValue::Scalar(v) => v,
        ref other => panic!("{other:?}"),
    }
}

/// Escapes a label value (both formats) or an OpenMetrics HELP text.
fn escape(s: &str, quote: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// Milliseconds as OpenMetrics seconds with three decimals, from the integer.
fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

proptest! {
    #[test]
    fn floats_come_back_bit_for_bit(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        for text in [format!("{v:?}"), format!("{v:e}"), format!("{v:E}")] {
            for format in [Format::Text, Format::OpenMetrics] {
                let eof = if format == Format::OpenMetrics { "# EOF\n" } else { "" };
                let got = single_value(&format!("a {text}\n{eof}"), format);
                match got {
                    Value::F64(g) if v.is_nan() => prop_assert!(g.is_nan()),
                    Value::F64(g) => prop_assert_eq!(g.to_bits(), v.to_bits(), "{}", text),
                    // An integral float written without a point or exponent is an integer
                    // literal; `{:?}` and `{:e}` always write one of them.
                    other => prop_assert!(false, "{text}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn integers_come_back_exactly(u in any::<u64>(), i in i64::MIN..0) {
        let unsigned = single_value(&format!("a {u}\n"), Format::Text);
        prop_assert!(unsigned.bit_eq(Value::U64(u)), "{:?}", unsigned);
        let signed = single_value(&format!("a {i}\n# EOF\n"), Format::OpenMetrics);
        prop_assert!(signed.bit_eq(Value::I64(i)), "{:?}", signed);
    }

    #[test]
    fn label_values_and_help_come_back_unescaped(value in "\\PC*", help in "[^\n]*") {
        // Label values: `\\`, `\"`, `\n` in both formats.
        let text = format!(
            "# HELP a {}\na{{v=\"{}\"}} 1\n",
            escape(&help.replace('\n', " "), false),
            escape(&value, true)
        );
        let om = format!(
            "# HELP a {}\na{{v=\"{}\"}} 1\n# EOF\n",
            escape(&help, true),
            escape(&value, true)
        );
        for (input, format) in [(text, Format::Text), (om, Format::OpenMetrics)] {
            let families = expfmt::parse(input.as_bytes(), format).unwrap();
            prop_assert_eq!(&families[0].metrics[0].labels[0].value, &value);
            // 0.0.4 HELP text starts after the blanks that follow the name (as in Go), and
            // an empty OpenMetrics HELP counts as absent.
            let want_help = match format {
                Format::Text => Some(help.trim_start_matches([' ', '\t'])),
                Format::OpenMetrics => (!help.is_empty()).then_some(help.as_str()),
            };
            prop_assert_eq!(families[0].help.as_deref(), want_help);
        }
    }

    #[test]
    fn a_label_set_in_another_order_is_the_same_series(
        labels in proptest::collection::btree_map("[a-z_][a-z0-9_]{0,6}", "\\PC{0,8}", 1..12),
        seed in any::<u64>(),
    ) {
        let mut pairs: Vec<_> = labels
            .iter()
            .filter(|(k, _)| !k.starts_with("__"))
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v, true)))
            .collect();
        prop_assume!(!pairs.is_empty());
        let first = pairs.join(",");
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..pairs.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            pairs.swap(i, (s >> 33) as usize % (i + 1));
        }
        let second = pairs.join(",");
        let input = format!("a{{{first}}} 1\na{{{second}}} 2\n");
        prop_assert_eq!(
            expfmt::parse(input.as_bytes(), Format::Text),
            Err(Error::Parse {
                line: 2,
                column: 1,
                kind: ParseErrorKind::DuplicateSeries { name: "a".into() },
            })
        );
        // One value changed: a different series.
        let changed = format!("a{{{first},zz_extra=\"\"}} 2\n");
        let two = format!("a{{{first}}} 1\n{changed}");
        let parsed = expfmt::parse(two.as_bytes(), Format::Text);
        prop_assert!(parsed.is_ok(), "{:?}", parsed);
    }

    #[test]
    fn openmetrics_timestamps_come_back_to_the_millisecond(ms in any::<i64>()) {
        let input = format!("a 1 {}\n# EOF\n", seconds(ms));
        let families = expfmt::parse(input.as_bytes(), Format::OpenMetrics).unwrap();
        prop_assert_eq!(families[0].metrics[0].timestamp, Some(Timestamp::from_millis(ms)));
        let text = format!("a 1 {ms}\n");
        let families = expfmt::parse(text.as_bytes(), Format::Text).unwrap();
        prop_assert_eq!(families[0].metrics[0].timestamp, Some(Timestamp::from_millis(ms)));
    }
}
