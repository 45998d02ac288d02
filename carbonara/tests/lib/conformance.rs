//! Runs every case of every golden vector file (Gnocchi 4.7.1) and compares
//! floats by bits and bytes exactly. Vectors come from
//! `testdata/carbonara/`, or the folder named by `CARBONARA_VECTORS`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use carbonara::{
    AggregatedTimeSerie, Aggregation, AggregationMethod, ArchivePolicy, ArchivePolicyBuilder,
    ArchivePolicyItem, ArchivePolicyRule, Error, Metric, SplitKey,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use timeserie::{
    BoundTimeSerie, CalendarUnit, GroupBy, TimeSerie, decompress_block, round_timestamp,
};

use super::json::{compare, hex, int, opt_int, points, same_value, serie, to_hex, value};

/// Outcome of one case: `Err` lists what differed.
type Outcome = Result<(), String>;

fn vectors_dir() -> PathBuf {
    match std::env::var_os("CARBONARA_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/carbonara"),
    }
}

/// Gnocchi's exception class for one of our errors.
fn error_name(e: &Error) -> &'static str {
    match e {
        Error::UnknownMethod { .. } => "UnknownAggregationMethod",
        Error::CalendarRate { .. } => "TypeError",
        Error::Timeserie(t) => timeserie_error_name(t),
        Error::SplitLength { .. } => "InvalidData",
        Error::SplitCountMismatch { .. } => "ValueError",
        _ => "unexpected error",
    }
}

fn timeserie_error_name(e: &timeserie::Error) -> &'static str {
    match e {
        timeserie::Error::BeforeEpoch { .. } => "BeforeEpochError",
        timeserie::Error::PayloadLength { .. }
        | timeserie::Error::Lz4Truncated { .. }
        | timeserie::Error::Lz4SizeTooLarge { .. }
        | timeserie::Error::Lz4Corrupt { .. } => "InvalidData",
        _ => "unexpected error",
    }
}

fn expect_error(got: Result<TimeSerie, String>, case: &Value) -> Outcome {
    let want = case["error"].as_str().unwrap_or("?");
    match got {
        Ok(s) => Err(format!("expected {want}, got {} points", s.len())),
        Err(name) if name == want => Ok(()),
        Err(name) => Err(format!("expected {want}, got {name}")),
    }
}

fn check_points(got: Result<TimeSerie, String>, case: &Value, key: &str) -> Outcome {
    if case.get("error").is_some() {
        return expect_error(got, case);
    }
    let got = got.map_err(|e| format!("unexpected error {e}"))?;
    compare(&got, &points(&case[key]))
}

fn group_by(v: &Value) -> GroupBy {
    match v {
        Value::String(s) => GroupBy::Calendar(s.parse::<CalendarUnit>().expect("calendar unit")),
        other => GroupBy::Duration(int(other)),
    }
}

fn round_timestamp_case(case: &Value) -> Outcome {
    let (ts, freq, want) = (int(&case["ts"]), int(&case["freq"]), int(&case["expected"]));
    let got = round_timestamp(ts, freq);
    if got == want {
        Ok(())
    } else {
        Err(format!("round({ts}, {freq}) = {got}, expected {want}"))
    }
}

/// One aggregate check: group, then method (Gnocchi's order of errors).
fn aggregate_check(input: &TimeSerie, check: &Value) -> Result<TimeSerie, String> {
    let by = group_by(&check["granularity"]);
    let grouped = input
        .group_serie(by, opt_int(check.get("start")))
        .map_err(|e| timeserie_error_name(&e).to_owned())?;
    let method: AggregationMethod = check["method"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|e: Error| error_name(&e).to_owned())?;
    carbonara::aggregate(&grouped, method).map_err(|e| error_name(&e).to_owned())
}

fn aggregate_case(case: &Value, checks: &mut usize) -> Outcome {
    let input = serie(&case["input"]);
    let mut failures = Vec::new();
    for check in case["checks"].as_array().into_iter().flatten() {
        *checks += 1;
        if let Err(e) = check_points(aggregate_check(&input, check), check, "expected") {
            failures.push(format!(
                "{} g={} start={}: {e}",
                check["method"], check["granularity"], check["start"]
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn merge_case(case: &Value) -> Outcome {
    let mut s = TimeSerie::new();
    for (i, (batch, want)) in case["batches"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(case["expected_after_each"].as_array().into_iter().flatten())
        .enumerate()
    {
        s.set_values(&points(batch));
        compare(&s, &points(want)).map_err(|e| format!("after batch {i}: {e}"))?;
    }
    Ok(())
}

fn check_len_or_points(got: &TimeSerie, step: &Value, key: &str) -> Outcome {
    if let Some(n) = step.get(format!("{key}_len")) {
        let n = int(n) as usize;
        return if got.len() == n {
            Ok(())
        } else {
            Err(format!("{key}: {} points, expected {n}", got.len()))
        };
    }
    compare(got, &points(&step[key])).map_err(|e| format!("{key}: {e}"))
}

fn bound_case(case: &Value) -> Outcome {
    let block = opt_int(case.get("block_size"));
    let back_window = int(&case["back_window"]) as u64;
    let mut bound = BoundTimeSerie::new(block, back_window).map_err(|e| e.to_string())?;
    let rollups: Vec<&Value> = case["rollups"].as_array().into_iter().flatten().collect();
    let mut acc: BTreeMap<(String, i64), AggregatedTimeSerie> = BTreeMap::new();
    let steps = case["steps"].as_array().cloned().unwrap_or_default();
    for (i, (batch, step)) in case["batches"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(&steps)
        .enumerate()
    {
        let batch = points(batch);
        let want_before = opt_int(step.get("first_block_timestamp_before"));
        if bound.first_block_timestamp() != want_before {
            return Err(format!(
                "batch {i}: fbt before {:?}, expected {want_before:?}",
                bound.first_block_timestamp()
            ));
        }
        let seen = bound.set_values_with(&batch, |b| -> Result<TimeSerie, String> {
            for r in &rollups {
                let g = int(&r["granularity"]);
                let method = r["method"].as_str().unwrap_or_default();
                let agg = Aggregation::new(
                    method.parse().map_err(|e: Error| e.to_string())?,
                    g,
                    opt_int(r.get("timespan")),
                );
                let first = b.serie().first().unwrap_or(batch[0].timestamp);
                let start = round_timestamp(first.max(batch[0].timestamp), g);
                let grouped = b
                    .serie()
                    .group_serie(GroupBy::Duration(g), Some(start))
                    .map_err(|e| e.to_string())?;
                let new =
                    AggregatedTimeSerie::from_grouped(&grouped, agg).map_err(|e| e.to_string())?;
                let slot = acc
                    .entry((method.to_owned(), g))
                    .or_insert_with(|| AggregatedTimeSerie::new(agg));
                slot.merge(&new);
                slot.truncate();
            }
            Ok(b.serie().clone())
        })?;
        check_len_or_points(&seen, step, "seen_by_callback")
            .map_err(|e| format!("batch {i}: {e}"))?;
        check_len_or_points(bound.serie(), step, "after").map_err(|e| format!("batch {i}: {e}"))?;
        let want_after = opt_int(step.get("first_block_timestamp_after"));
        if bound.first_block_timestamp() != want_after {
            return Err(format!(
                "batch {i}: fbt after {:?}, expected {want_after:?}",
                bound.first_block_timestamp()
            ));
        }
    }
    let mut ours = Vec::new();
    bound.serialize(&mut ours).map_err(|e| e.to_string())?;
    let mut payload = Vec::new();
    bound.encode_payload(&mut payload);
    if let Some(want) = case.get("serialized_payload_hex")
        && payload != hex(want)
    {
        return Err(format!("payload {} expected {want}", to_hex(&payload)));
    }
    if let Some(want) = case.get("serialized_payload_sha256") {
        let digest = to_hex(&Sha256::digest(&payload));
        if Some(digest.as_str()) != want.as_str() {
            return Err(format!("payload sha256 {digest} expected {want}"));
        }
    }
    if let Some(want) = case.get("serialized_hex") {
        // DIFFERENCE: LZ4 encoders differ; Gnocchi's bytes must decode to our payload.
        let theirs = BoundTimeSerie::unserialize(&hex(want), block, back_window)
            .map_err(|e| e.to_string())?;
        if theirs.serie() != bound.serie() {
            return Err("gnocchi's serialized buffer decodes to other points".into());
        }
    }
    if decompress_block(&ours).map_err(|e| e.to_string())? != payload {
        return Err("our serialized buffer does not decode to the payload".into());
    }
    for r in &rollups {
        let key = (
            r["method"].as_str().unwrap_or_default().to_owned(),
            int(&r["granularity"]),
        );
        let got = acc.get(&key).map(|a| a.serie().clone()).unwrap_or_default();
        compare(&got, &points(&r["expected"])).map_err(|e| format!("rollup {key:?}: {e}"))?;
    }
    Ok(())
}

fn aggregated_input(case: &Value) -> Result<AggregatedTimeSerie, String> {
    let method = case.get("method").and_then(Value::as_str).unwrap_or("mean");
    let agg = Aggregation::new(
        method.parse().map_err(|e: Error| e.to_string())?,
        int(&case["granularity"]),
        opt_int(case.get("timespan")),
    );
    Ok(AggregatedTimeSerie::from_serie(agg, serie(&case["input"])))
}

fn aggregated_ops_case(case: &Value) -> Outcome {
    let mut a = aggregated_input(case)?;
    let args = &case["args"];
    match case["op"].as_str().unwrap_or_default() {
        "truncate" => {
            let returned = match opt_int(args.get("oldest_point")) {
                Some(oldest) => a.truncate_before(oldest),
                None => a.truncate(),
            };
            let want = opt_int(case.get("returned"));
            if returned != want {
                return Err(format!("returned {returned:?}, expected {want:?}"));
            }
            compare(a.serie(), &points(&case["expected"]))
        }
        "fetch" => compare(
            a.fetch(opt_int(args.get("from")), opt_int(args.get("to")))
                .serie(),
            &points(&case["expected"]),
        ),
        "resample" => {
            let r = a
                .resample(int(&args["sampling"]))
                .map_err(|e| e.to_string())?;
            compare(r.serie(), &points(&case["expected"]))
        }
        "merge" => {
            a.merge(&AggregatedTimeSerie::from_serie(
                a.aggregation(),
                serie(&args["other"]),
            ));
            compare(a.serie(), &points(&case["expected"]))
        }
        "split" => {
            let got = a.split();
            let want = case["expected_splits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if got.len() != want.len() {
                return Err(format!("{} splits, expected {}", got.len(), want.len()));
            }
            for ((key, part), w) in got.iter().zip(&want) {
                if key.key() != int(&w["key"])
                    || Some(key.to_string().as_str()) != w["key_str"].as_str()
                {
                    return Err(format!("split key {key} expected {}", w["key_str"]));
                }
                compare(part.serie(), &points(&w["points"]))
                    .map_err(|e| format!("split {key}: {e}"))?;
            }
            Ok(())
        }
        other => Err(format!("unknown op `{other}`")),
    }
}

fn split_key_case(case: &Value) -> Outcome {
    let k = SplitKey::from_timestamp_and_sampling(int(&case["ts"]), int(&case["granularity"]));
    let ok = k.key() == int(&case["key"])
        && k.next().key() == int(&case["next_key"])
        && Some(k.to_string().as_str()) == case["key_str"].as_str()
        && same_value(k.as_f64(), value(&case["key_float"]));
    if ok {
        Ok(())
    } else {
        Err(format!("got {k} ({}), expected {}", k.key(), case["key"]))
    }
}

fn serialization_case(case: &Value) -> Outcome {
    match case["kind"].as_str().unwrap_or_default() {
        "bound" => {
            let s = serie(&case["points"]);
            let bound =
                BoundTimeSerie::with_serie(s.clone(), None, 0).map_err(|e| e.to_string())?;
            let mut payload = Vec::new();
            bound.encode_payload(&mut payload);
            if payload != hex(&case["payload_hex"]) {
                return Err(format!("payload {}", to_hex(&payload)));
            }
            let mut ours = Vec::new();
            bound.serialize(&mut ours).map_err(|e| e.to_string())?;
            if decompress_block(&ours).map_err(|e| e.to_string())? != payload {
                return Err("our block does not decode to the payload".into());
            }
            // DIFFERENCE: LZ4 bytes may differ; Gnocchi's must decode to the same points.
            let theirs = BoundTimeSerie::unserialize(&hex(&case["serialized_hex"]), None, 0)
                .map_err(|e| e.to_string())?;
            compare(theirs.serie(), &points(&case["points"]))
        }
        "aggregated" => {
            let g = int(&case["granularity"]);
            let key = SplitKey::new(int(&case["key"]), g);
            let s = serie(&case["points"]);
            let mut ours = Vec::new();
            carbonara::serialize_compressed(&s, key, &mut ours).map_err(|e| e.to_string())?;
            let want_payload = hex(&case["compressed_payload_hex"]);
            if ours[0] != b'c'
                || decompress_block(&ours[1..]).map_err(|e| e.to_string())? != want_payload
            {
                return Err("compressed payload differs".into());
            }
            // DIFFERENCE: LZ4 bytes may differ; Gnocchi's object must decode.
            let theirs = carbonara::unserialize(&hex(&case["compressed_hex"]), key)
                .map_err(|e| e.to_string())?;
            compare(&theirs, &points(&case["unserialized_compressed"]))
                .map_err(|e| format!("gnocchi compressed: {e}"))?;
            compare(
                &carbonara::unserialize(&ours, key).map_err(|e| e.to_string())?,
                &points(&case["unserialized_compressed"]),
            )
            .map_err(|e| format!("our compressed: {e}"))?;
            let mut raw = Vec::new();
            let offset =
                carbonara::serialize_uncompressed(&s, key, &mut raw).map_err(|e| e.to_string())?;
            if offset as i64 != int(&case["uncompressed_offset"])
                || raw != hex(&case["uncompressed_hex"])
            {
                return Err(format!(
                    "uncompressed offset {offset} data {}",
                    to_hex(&raw)
                ));
            }
            let mut object = vec![0u8; offset];
            object.extend_from_slice(&raw);
            compare(
                &carbonara::unserialize(&object, key).map_err(|e| e.to_string())?,
                &points(&case["unserialized_uncompressed_with_offset"]),
            )
        }
        "aggregated_unserialize" => {
            let key = SplitKey::new(int(&case["key"]), int(&case["granularity"]));
            let got = carbonara::unserialize(&hex(&case["data_hex"]), key)
                .map_err(|e| error_name(&e).to_owned());
            check_points(got, case, "expected")
        }
        "bound_unserialize" => {
            let got = BoundTimeSerie::unserialize(&hex(&case["data_hex"]), None, 0)
                .map(BoundTimeSerie::into_serie)
                .map_err(|e| timeserie_error_name(&e).to_owned());
            check_points(got, case, "expected")
        }
        other => Err(format!("unknown serialization kind `{other}`")),
    }
}

fn policy_from_vector(p: &Value) -> Result<ArchivePolicy, String> {
    let mut b = ArchivePolicyBuilder::new(p["name"].as_str().unwrap_or("vector"));
    b.back_window(int(&p["back_window"]) as u64);
    for d in p["definition"].as_array().into_iter().flatten() {
        b.item_ns(
            opt_int(d.get("granularity")),
            d.get("points").and_then(Value::as_u64),
            opt_int(d.get("timespan")),
        );
    }
    let methods: Vec<&str> = p["aggregation_methods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    b.aggregation_methods(methods);
    b.build().map_err(|e| e.to_string())
}

fn pipeline_case(case: &Value) -> Outcome {
    let policy = policy_from_vector(&case["archive_policy"])?;
    let mut metric = Metric::new(policy.clone());
    if metric.block_size() != int(&case["block_size"])
        || metric.back_window() as i64 != int(&case["effective_back_window"])
    {
        return Err(format!(
            "block size {} / back window {}",
            metric.block_size(),
            metric.back_window()
        ));
    }
    let read_all = |metric: &Metric, want: &Value| -> Outcome {
        for w in want.as_array().into_iter().flatten() {
            let method: AggregationMethod = w["method"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e: Error| e.to_string())?;
            let g = int(&w["granularity"]);
            let got = metric.aggregates(method, g).map_err(|e| e.to_string())?;
            compare(got.serie(), &points(&w["points"]))
                .map_err(|e| format!("{method} @ {g}: {e}"))?;
        }
        Ok(())
    };
    let after_each = case
        .get("expected_aggregates_after_each_batch")
        .and_then(Value::as_array);
    for (i, batch) in case["batches"].as_array().into_iter().flatten().enumerate() {
        metric
            .add_measures(&points(batch))
            .map_err(|e| e.to_string())?;
        if let Some(want) = after_each.and_then(|a| a.get(i)) {
            read_all(&metric, want).map_err(|e| format!("after batch {i}: {e}"))?;
        }
    }
    let bound = metric
        .bound()
        .map(|b| b.serie().clone())
        .unwrap_or_default();
    compare(&bound, &points(&case["expected_bound_points"])).map_err(|e| format!("bound: {e}"))?;
    read_all(&metric, &case["expected_aggregates"])?;
    if let Some(want) = case.get("expected_bound_serialized_hex") {
        // DIFFERENCE: compare decompressed payloads.
        let mut payload = Vec::new();
        metric
            .bound()
            .ok_or("no bound")?
            .encode_payload(&mut payload);
        if decompress_block(&hex(want)).map_err(|e| e.to_string())? != payload {
            return Err("bound payload differs from gnocchi's".into());
        }
    }
    for w in case["expected_splits"].as_array().into_iter().flatten() {
        let method: AggregationMethod = w["method"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .map_err(|e: Error| e.to_string())?;
        let agg = policy
            .aggregation(method, int(&w["granularity"]))
            .ok_or("no such aggregation")?;
        let keys: Vec<i64> = metric.split_keys(&agg).iter().map(|k| k.key()).collect();
        let want: Vec<i64> = w["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .map(int)
            .collect();
        if keys != want {
            return Err(format!("{method} split keys {keys:?}, expected {want:?}"));
        }
        for (k, obj) in keys.iter().zip(
            w.get("objects_hex")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        ) {
            let key = SplitKey::new(*k, agg.granularity);
            let ours = metric.split_object(&agg, key).ok_or("missing object")?;
            let theirs = hex(obj);
            // DIFFERENCE: LZ4 bytes may differ; the decompressed payloads must not.
            if ours[0] != theirs[0]
                || decompress_block(&ours[1..]).map_err(|e| e.to_string())?
                    != decompress_block(&theirs[1..]).map_err(|e| e.to_string())?
            {
                return Err(format!("{method} split {k}: payload differs"));
            }
        }
    }
    Ok(())
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn archive_policies_cases(file: &Value) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    let mut defaults = carbonara::DEFAULT_AGGREGATION_METHODS
        .map(str::to_owned)
        .to_vec();
    defaults.sort();
    let mut want = names(&file["default_aggregation_methods"]);
    want.sort();
    out.push((
        "default_aggregation_methods".into(),
        if defaults == want {
            Ok(())
        } else {
            Err(format!("{defaults:?}"))
        },
    ));
    let mut valid: Vec<String> = AggregationMethod::all()
        .map(|m| m.as_str().to_owned())
        .collect();
    valid.sort();
    let mut want = names(&file["valid_aggregation_methods"]);
    want.sort();
    out.push((
        "valid_aggregation_methods".into(),
        if valid == want {
            Ok(())
        } else {
            Err(format!("{} names", valid.len()))
        },
    ));
    let rule = ArchivePolicyRule::default_rule();
    let r = &file["default_archive_policy_rule"];
    let same = Some(rule.name.as_str()) == r["name"].as_str()
        && Some(rule.metric_pattern.as_str()) == r["metric_pattern"].as_str()
        && Some(rule.archive_policy_name.as_str()) == r["archive_policy_name"].as_str();
    out.push((
        "default_archive_policy_rule".into(),
        if same {
            Ok(())
        } else {
            Err(format!("{rule:?}"))
        },
    ));
    for p in file["policies"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default();
        let outcome = (|| -> Outcome {
            let ours = ArchivePolicy::builtin(name).ok_or("no such builtin")?;
            let theirs = policy_from_vector(p)?;
            if ours != theirs.clone() || ours.max_block_size() != int(&p["max_block_size"]) {
                return Err(format!("{ours:?} vs {theirs:?}"));
            }
            let methods: Vec<&str> = ours
                .aggregation_methods()
                .iter()
                .map(|m| m.as_str())
                .collect();
            if methods != names(&p["aggregation_methods"]) {
                return Err(format!("methods {methods:?}"));
            }
            Ok(())
        })();
        out.push((format!("policy {name}"), outcome));
    }
    for r in file["aggregation_methods_resolution"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let spec = names(&r["spec"]);
        let refs: Vec<&str> = spec.iter().map(String::as_str).collect();
        let got: Vec<String> = carbonara::resolve_aggregation_methods(&refs)
            .map(|s| s.into_iter().collect())
            .unwrap_or_default();
        let mut want = names(&r["resolved"]);
        want.sort();
        out.push((
            format!("resolution {spec:?}"),
            if got == want {
                Ok(())
            } else {
                Err(format!("{got:?}"))
            },
        ));
    }
    for e in file["archive_policy_item_examples"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let i = &e["input_seconds"];
        let got = ArchivePolicyItem::from_seconds(
            i.get("granularity").and_then(Value::as_f64),
            i.get("points").and_then(Value::as_u64),
            i.get("timespan").and_then(Value::as_f64),
        );
        let outcome = match got {
            Ok(item)
                if item.granularity() == int(&e["granularity"])
                    && item.points() == e["points"].as_u64()
                    && item.timespan() == opt_int(e.get("timespan")) =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        };
        out.push((format!("item {i}"), outcome));
    }
    out
}

#[test]
fn every_vector_case_matches_gnocchi() {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read vectors in {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let (mut cases, mut passed, mut checks) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(path).expect("vector file");
        let file: Value = serde_json::from_str(&text).expect("vector json");
        let results: Vec<(String, Outcome)> = match name.as_str() {
            "manifest.json" => continue,
            "archive_policies.json" => archive_policies_cases(&file),
            _ => {
                let runner: fn(&Value, &mut usize) -> Outcome = match name.as_str() {
                    "round_timestamp.json" => |c, _| round_timestamp_case(c),
                    "aggregate.json" | "calendar.json" => aggregate_case,
                    "timeserie_merge.json" => |c, _| merge_case(c),
                    "bound_timeserie.json" => |c, _| bound_case(c),
                    "aggregated_ops.json" => |c, _| aggregated_ops_case(c),
                    "split_keys.json" => |c, _| split_key_case(c),
                    "serialization.json" => |c, _| serialization_case(c),
                    "pipeline.json" => |c, _| pipeline_case(c),
                    _ => |_, _| Err("unknown vector file: no runner for this case kind".to_owned()),
                };
                file["cases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, c)| {
                        let id = c
                            .get("id")
                            .and_then(Value::as_str)
                            .map_or_else(|| i.to_string(), str::to_owned);
                        (id, runner(c, &mut checks))
                    })
                    .collect()
            }
        };
        for (id, outcome) in results {
            cases += 1;
            match outcome {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{name}#{id}: {e}")),
            }
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    println!(
        "carbonara conformance ({}): {cases} cases, {passed} passed ({checks} aggregate checks)",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed",
        failures.len()
    );
}
