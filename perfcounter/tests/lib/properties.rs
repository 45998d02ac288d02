//! Property tests: whatever the logger and counter names, the output is valid exposition; the
//! vocabularies round-trip.

use std::collections::BTreeSet;

use perfcounter::{
    Dump, Families, Flavor, Mapper, MetricKind, PerfCounterType, Priority, Schema, promethize,
    promethize_exporter,
};
use proptest::prelude::*;

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Names mixing what Ceph loggers use with whatever else.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        "[a-zA-Z0-9_:.+/ -]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ]
}

fn counter_type() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![1u32, 2, 5, 6, 9, 10, 12, 26])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_names_give_valid_exposition(
        counters in prop::collection::vec((name(), name(), counter_type(), 0i32..12), 1..12),
        labels in prop::collection::vec((name(), name()), 0..3),
        labeled in any::<bool>(),
        exporter in any::<bool>(),
    ) {
        let mut schema = String::from("{");
        let mut dump = String::from("{");
        for (i, (logger, counter, t, prio)) in counters.iter().enumerate() {
            if i > 0 {
                schema.push(',');
                dump.push(',');
            }
            let entry = format!(r#"{{{}: {{"type": {t}, "metric_type": "{}", "description": {}, "priority": {prio}}}}}"#,
                quote(counter),
                if t & 8 != 0 { "counter" } else { "gauge" },
                quote(&format!("{logger}\n\"{counter}\\")));
            let value = if t & 4 != 0 { r#"{"avgcount": 3, "sum": 1.5}"#.to_owned() } else { "7".to_owned() };
            let value = format!("{{{}: {value}}}", quote(counter));
            if labeled {
                let l: Vec<String> = labels.iter().map(|(k, v)| format!("{}: {}", quote(k), quote(v))).collect();
                let l = l.join(",");
                schema.push_str(&format!(r#"{}: [{{"labels": {{{l}}}, "counters": {entry}}}]"#, quote(logger)));
                dump.push_str(&format!(r#"{}: [{{"labels": {{{l}}}, "counters": {value}}}]"#, quote(logger)));
            } else {
                schema.push_str(&format!("{}: {entry}", quote(logger)));
                dump.push_str(&format!("{}: {value}", quote(logger)));
            }
        }
        schema.push('}');
        dump.push('}');
        let schema = Schema::parse(&schema).unwrap();
        let dump = Dump::parse(&dump).unwrap();
        let flavor = if exporter { Flavor::Exporter } else { Flavor::Mgr };
        let mut out = Families::new();
        Mapper::new(flavor).map("osd.0", &schema, &dump, &mut out);
        let set = out.into_set();
        let mut names = BTreeSet::new();
        for f in set.families() {
            prop_assert!(expfmt::is_valid_metric_name(&f.name), "{}", f.name);
            prop_assert!(names.insert(f.name.to_string()), "{} twice", f.name);
            let mut series = BTreeSet::new();
            for m in &f.metrics {
                for l in &m.labels {
                    prop_assert!(expfmt::validate_label_name(&l.name).is_ok(), "{}", l.name);
                }
                let pairs: Vec<(String, String)> =
                    m.labels.iter().map(|l| (l.name.to_string(), l.value.to_string())).collect();
                prop_assert!(series.insert(pairs), "duplicate series in {}", f.name);
            }
        }
        for format in [expfmt::Format::Text, expfmt::Format::OpenMetrics] {
            let mut text = Vec::new();
            let mut enc = expfmt::Encoder::new(&mut text, format);
            let encoded = enc.encode_families(set.families());
            prop_assert!(encoded.is_ok(), "{format}: {encoded:?}");
            enc.finish();
        }
    }

    #[test]
    fn promethize_replaces_what_it_promises(path in any::<String>()) {
        let py = promethize(&path);
        let cpp = promethize_exporter(&path);
        for name in [&py, &cpp] {
            prop_assert!(name.starts_with("ceph_"));
            prop_assert!(!name.contains(['.', '/', '+', ' ']), "{name:?}");
            prop_assert!(!name.contains("::"), "{name:?}");
        }
        prop_assert!(!py.contains(char::is_whitespace));
        prop_assert!(!cpp.contains('-'));
        // The Python rule keeps `-` only when it ended the path.
        prop_assert!(!py.contains('-') || py.ends_with("_minus"));
        // Both agree on paths without `-` and without whitespace other than spaces.
        if !path.contains('-') && !path.chars().any(|c| c.is_whitespace() && c != ' ')
            && !path.chars().any(|c| ('\u{1c}'..='\u{1f}').contains(&c)) {
            prop_assert_eq!(&py, &cpp);
        }
    }

    #[test]
    fn unknown_type_bits_are_rejected(bits in 0x20u32..) {
        prop_assert!(PerfCounterType::try_from(bits).is_err());
    }
}

#[test]
fn type_vocabulary_round_trips() {
    for bits in 0u32..=0x1f {
        let t = PerfCounterType::try_from(bits).unwrap();
        assert_eq!(t.to_string().parse::<PerfCounterType>().unwrap(), t);
        assert_eq!(u32::from(t), bits);
        // metric_type and value_type give the bits back for every type Ceph can write: one
        // value bit, and not both LONGRUNAVG and HISTOGRAM.
        let one_value_bit = bits & 3 == 1 || bits & 3 == 2;
        let writable = one_value_bit && bits & 0x14 != 0x14;
        let back = PerfCounterType::from_kinds(t.metric_kind(), t.value_type());
        if writable {
            assert_eq!(back, t, "{t}");
            assert_eq!(
                PerfCounterType::from_schema_strings(
                    t.metric_kind().as_str(),
                    t.value_type().as_str()
                )
                .unwrap(),
                t
            );
        }
        assert_eq!(back.metric_kind() == MetricKind::Counter, bits & 8 != 0);
    }
}

#[test]
fn priority_vocabulary_round_trips() {
    for n in 0..=u8::MAX {
        let p = Priority::new(n);
        assert_eq!(p.to_string().parse::<Priority>().unwrap(), p);
        assert_eq!(Priority::try_from(i64::from(n)).unwrap(), p);
    }
}
