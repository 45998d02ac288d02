//! Property tests: every model writes text that parses back to an equal model.
//!
//! Two kinds: models built from generated values (perf dumps with arbitrary names, numbers and
//! averages; health; addresses; PG state strings), and real fixtures of every command whose
//! values are replaced by generated ones (strings with escapes and non-ASCII text, integers,
//! finite floats) before parsing, so that each model meets content no capture has.

use ceph_types::{
    Command, CounterDump, CounterSchema, Df, EntityAddr, FsDump, Health, HealthStatus, Map,
    MdsMetadata, MgrDump, MgrMetadata, Model, MonDump, MonMetadata, MonStatus, Number,
    OsdCrushDump, OsdDf, OsdDump, OsdMetadata, OsdPerf, OsdPoolStats, OsdTree, PerfAvg, PerfDump,
    PerfSchema, PerfValue, PgDump, PgStat, PgState, PgStateSet, QuorumStatus, RbdImages,
    ServiceDump, Status, Versions,
};
use proptest::prelude::*;
use serde_json::Value;

use crate::walker::{command_of, fixture_root, json_files};

/// Strings with the characters that need escaping or are not ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9_ .:+/\"\\\\\n\t\u{e9}\u{1f600}-]{0,12}").unwrap()
}

/// Any perf value, non-finite reals included.
fn perf_value() -> impl Strategy<Value = PerfValue> {
    prop_oneof![
        any::<u64>().prop_map(PerfValue::Uint),
        (i64::MIN..0).prop_map(PerfValue::Int),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY)
        ]
        .prop_map(PerfValue::Real),
        (
            any::<u64>(),
            any::<u64>(),
            proptest::option::of(0.0..1e6f64)
        )
            .prop_map(|(c, s, t)| { PerfValue::Avg(PerfAvg::new(c, Number::Uint(s), t)) }),
        (any::<u64>(), 0.0..1e9f64, 0.0..1.0f64)
            .prop_map(|(c, s, t)| PerfValue::Avg(PerfAvg::new(c, Number::Float(s), Some(t)))),
    ]
}

/// Compares written forms: NaN != NaN, so equality of models is checked through their text.
fn written<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

proptest! {
    #[test]
    fn perf_dump_round_trips(
        groups in proptest::collection::vec(
            (text(), proptest::collection::vec((text(), perf_value()), 0..6)),
            0..5,
        )
    ) {
        let mut dump = PerfDump::default();
        for (g, counters) in groups {
            let m: Map<'_, PerfValue> = counters.into_iter().collect();
            dump.groups.push(g, m);
        }
        let text = written(&dump);
        let back = PerfDump::parse(&text).unwrap();
        prop_assert_eq!(back.groups.len(), dump.groups.len());
        prop_assert_eq!(written(&back), text.clone());
    }

    #[test]
    fn health_round_trips(
        status in prop_oneof![Just("HEALTH_OK"), Just("HEALTH_WARN"), Just("HEALTH_ERR")],
        checks in proptest::collection::vec((text(), text(), any::<Option<u32>>(), any::<bool>()), 0..4),
    ) {
        let checks_json: serde_json::Map<String, Value> = checks
            .iter()
            .map(|(code, msg, count, muted)| {
                let mut summary = serde_json::json!({ "message": msg });
                if let Some(c) = count {
                    summary["count"] = (*c).into();
                }
                (code.clone(), serde_json::json!({
                    "severity": status, "summary": summary,
                    "detail": [{"message": msg}], "muted": muted,
                }))
            })
            .collect();
        let input = serde_json::json!({"status": status, "checks": checks_json}).to_string();
        let h = Health::parse(&input).unwrap();
        prop_assert_eq!(h.status.map(HealthStatus::as_str), Some(status));
        let text = written(&h);
        prop_assert_eq!(Health::parse(&text).unwrap(), h);
    }

    #[test]
    fn addresses_round_trip(
        kind in prop_oneof![Just("v1"), Just("v2"), Just("any")],
        v6 in any::<bool>(),
        ip in any::<[u8; 16]>(),
        port in any::<u16>(),
        nonce in any::<u32>(),
    ) {
        let host = if v6 {
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        } else {
            std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string()
        };
        let text = format!("{kind}:{host}:{port}/{nonce}");
        let a: EntityAddr = text.parse().unwrap();
        prop_assert_eq!((a.port, a.nonce), (port, nonce));
        prop_assert_eq!(a.to_string(), text);
    }

    #[test]
    fn pg_states_round_trip(
        parts in proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(PgState::ALL).prop_map(|s| s.as_str().to_owned()),
                "[a-z_]{1,8}",
            ],
            0..6,
        )
    ) {
        let text = parts.join("+");
        let s = PgStateSet::new(text.as_str());
        for p in &parts {
            match p.parse::<PgState>() {
                Ok(st) => prop_assert!(s.contains(st)),
                Err(_) => prop_assert!(s.unknown().any(|u| u == p)),
            }
        }
        let json = written(&s);
        let back: PgStateSet<'_> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn any_input_errors_or_parses_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        for &c in Command::ALL {
            // Only the absence of a panic is checked here; the result may be either.
            let _ = crate::walker::parse_with_model(c, &text);
        }
    }
}

/// A deterministic generator for the fixture mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Replaces leaves of `v`: strings by generated text (keys are kept), non-negative integers by
/// one no larger (so that they still fit the field's type), floats by a finite float. One leaf
/// in three is left as it was.
fn mutate(v: &mut Value, rng: &mut Rng) {
    const PIECES: [&str; 8] = ["a", "\"", "\\", "\n", "é", "😀", "+", "0"];
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| mutate(x, rng)),
        Value::Object(o) => o.values_mut().for_each(|x| mutate(x, rng)),
        _ if rng.next().is_multiple_of(3) => {}
        Value::String(s) if s.parse::<u64>().is_ok() => {
            // A quoted number (`last_change`): keep it a number.
            let u: u64 = s.parse().unwrap_or(0);
            *s = (rng.next() % u.saturating_add(1)).to_string();
        }
        Value::String(s) => {
            let n = rng.next() % 6;
            *s = (0..n).map(|_| PIECES[(rng.next() % 8) as usize]).collect();
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                *v = Value::from(rng.next() % u.saturating_add(1));
            } else if n.is_f64() {
                let f = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 1e6;
                *v = Value::from(f);
            }
        }
        _ => {}
    }
}

/// Parses `$text` as `$t`, writes it, parses that and compares.
macro_rules! check {
    ($t:ident, $command:expr, $text:expr) => {{
        let first = match $t::parse_as($command, $text) {
            Ok(m) => m,
            // A generated string in a typed position (an address, a number written as a
            // string) may not fit; that is an error, not a panic, and not the property here.
            Err(_) => return Ok(false),
        };
        let text = written(&first);
        let back = $t::parse_as($command, &text).map_err(|e| e.to_string())?;
        // NaN != NaN: a model holding one is compared through its written form only.
        if written(&back) != text || (back != first && !text.contains("\"nan\"")) {
            return Err(format!("model differs after a round trip:\n{text}"));
        }
        Ok(true)
    }};
}

/// The round-trip property of the model of `command` on `text`; `Ok(false)` when the mutated
/// text does not fit the model.
fn round_trip(command: Command, text: &str) -> Result<bool, String> {
    match command {
        Command::PerfDump => check!(PerfDump, command, text),
        Command::PerfSchema => check!(PerfSchema, command, text),
        Command::CounterDump => check!(CounterDump, command, text),
        Command::CounterSchema => check!(CounterSchema, command, text),
        Command::Health | Command::HealthDetail => check!(Health, command, text),
        Command::Status => check!(Status, command, text),
        Command::Df | Command::DfDetail => check!(Df, command, text),
        Command::OsdDump => check!(OsdDump, command, text),
        Command::OsdTree => check!(OsdTree, command, text),
        Command::OsdDf => check!(OsdDf, command, text),
        Command::OsdPerf => check!(OsdPerf, command, text),
        Command::OsdMetadata => check!(OsdMetadata, command, text),
        Command::OsdCrushDump => check!(OsdCrushDump, command, text),
        Command::OsdPoolStats => check!(OsdPoolStats, command, text),
        Command::PgDump => check!(PgDump, command, text),
        Command::PgStat => check!(PgStat, command, text),
        Command::MonDump => check!(MonDump, command, text),
        Command::QuorumStatus => check!(QuorumStatus, command, text),
        Command::MonStatus => check!(MonStatus, command, text),
        Command::MgrDump => check!(MgrDump, command, text),
        Command::FsDump => check!(FsDump, command, text),
        Command::ServiceDump => check!(ServiceDump, command, text),
        Command::Versions => check!(Versions, command, text),
        Command::MonMetadata => check!(MonMetadata, command, text),
        Command::MgrMetadata => check!(MgrMetadata, command, text),
        Command::MdsMetadata => check!(MdsMetadata, command, text),
        Command::RbdLs => check!(RbdImages, command, text),
        other => Err(format!("no model for `{other}`")),
    }
}

/// Every fixture under 300 KB (all but the largest counter schemas), parsed once as JSON (after the non-finite
/// pre-pass).
fn small_fixtures() -> Vec<(Command, Value)> {
    json_files(&fixture_root())
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 300 * 1024))
        .filter_map(|p| {
            let command = command_of(&p)?;
            let text = std::fs::read_to_string(&p).ok()?;
            let value = serde_json::from_str(&ceph_types::quote_non_finite(&text)).ok()?;
            Some((command, value))
        })
        .collect()
}

#[test]
fn mutated_fixtures_round_trip() {
    let fixtures = small_fixtures();
    assert!(!fixtures.is_empty());
    let fits = std::cell::RefCell::new(std::collections::BTreeMap::<Command, (u32, u32)>::new());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(512));
    let n = fixtures.len();
    runner
        .run(&(0..n, any::<u64>()), |(i, seed)| {
            let (command, value) = &fixtures[i];
            let mut v = value.clone();
            mutate(&mut v, &mut Rng(seed | 1));
            let text = v.to_string();
            let result = round_trip(*command, &text);
            let mut f = fits.borrow_mut();
            let e = f.entry(*command).or_default();
            e.1 += 1;
            match result {
                Ok(fit) => {
                    e.0 += u32::from(fit);
                    Ok(())
                }
                Err(e) => Err(TestCaseError::fail(format!("{command}: {e}"))),
            }
        })
        .unwrap();
    // Most mutated inputs must still fit their model, or the property would say little.
    let fits = fits.into_inner();
    let (fit, all) = fits.values().fold((0, 0), |a, (f, n)| (a.0 + f, a.1 + n));
    println!("round trip: {fit} of {all} mutated fixtures fit their model: {fits:?}");
    assert!(
        fit * 2 >= all,
        "only {fit} of {all} mutated fixtures fit: {fits:?}"
    );
    // Unmutated, every small fixture fits its model and round-trips.
    let mut covered = std::collections::BTreeSet::new();
    for (command, value) in &fixtures {
        let text = value.to_string();
        assert_eq!(round_trip(*command, &text), Ok(true), "{command}");
        covered.insert(*command);
    }
    assert!(covered.len() >= 20, "models covered: {covered:?}");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let in_value = format!("{{\"g\": {{\"c\": {arrays}}}}}");
    for &c in Command::ALL {
        assert!(crate::walker::parse_with_model(c, &arrays).is_err(), "{c}");
        // A deep value in a position the model skips (an unknown key, a perf value of an
        // unmodelled shape) is valid JSON: either result is fine, a crash is not.
        let _ = crate::walker::parse_with_model(c, &objects);
        let _ = crate::walker::parse_with_model(c, &in_value);
    }
}
