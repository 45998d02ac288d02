//! `carbonara-dump` on objects Gnocchi wrote (testdata/carbonara/serialization.json).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn case(id: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/carbonara/serialization.json");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("serialization.json"))
            .expect("json");
    v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .expect("case")
        .clone()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Writes `data` to a temp file and runs the dump on it.
fn dump(name: &str, data: &[u8], extra: &[&str]) -> (Option<i32>, String, String) {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, data).expect("write object");
    let out = Command::new(env!("CARGO_BIN_EXE_carbonara-dump"))
        .arg(&path)
        .args(extra)
        .output()
        .expect("run carbonara-dump");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The expected `timestamp,value` lines for vector points.
fn lines(points: &Value) -> Vec<String> {
    points
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            let mut s = String::new();
            timeserie::write_timestamp(&mut s, p[0].as_i64().expect("ts")).expect("format");
            let v = match p[1].as_str() {
                Some(special) => special.to_owned(),
                None => ryu::Buffer::new()
                    .format(p[1].as_f64().expect("value"))
                    .to_owned(),
            };
            format!("{s},{v}")
        })
        .collect()
}

fn key_seconds(c: &Value) -> String {
    format!("{}", c["key"].as_i64().expect("key") / 1_000_000_000)
}

fn granularity_seconds(c: &Value) -> String {
    format!(
        "{}",
        c["granularity"].as_i64().expect("granularity") / 1_000_000_000
    )
}

#[test]
fn dumps_objects_gnocchi_wrote() {
    let bound = case("bound_nan_inf");
    let (code, out, err) = dump(
        "bound.bin",
        &hex(bound["serialized_hex"].as_str().expect("hex")),
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let mut want = vec![format!(
        "# bound, {} points",
        bound["points"].as_array().expect("points").len()
    )];
    want.extend(lines(&bound["points"]));
    assert_eq!(out.lines().collect::<Vec<_>>(), want);

    let split = case("agg_split_60000000000");
    let (g, k) = (granularity_seconds(&split), key_seconds(&split));
    let (code, out, err) = dump(
        "split-c.bin",
        &hex(split["compressed_hex"].as_str().expect("hex")),
        &["--granularity", &g, "--key", &k],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("# compressed split, "));
    assert_eq!(
        out.lines().skip(1).map(str::to_owned).collect::<Vec<_>>(),
        lines(&split["unserialized_compressed"])
    );

    let offset = split["uncompressed_offset"].as_u64().expect("offset") as usize;
    let mut object = vec![0u8; offset];
    object.extend(hex(split["uncompressed_hex"].as_str().expect("hex")));
    let (code, out, err) = dump(
        "split-u.bin",
        &object,
        &[
            "--granularity",
            &format!("{g}s"),
            "--key",
            &format!("{k}.0"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("# uncompressed split, "));
    assert_eq!(
        out.lines().skip(1).map(str::to_owned).collect::<Vec<_>>(),
        lines(&split["unserialized_uncompressed_with_offset"])
    );
}

#[test]
fn errors_table() {
    let split = case("agg_split_60000000000");
    let compressed = hex(split["compressed_hex"].as_str().expect("hex"));
    let corrupt = hex(case("unser_compressed_corrupt")["data_hex"]
        .as_str()
        .expect("hex"));
    let bound = hex(case("bound_random")["serialized_hex"]
        .as_str()
        .expect("hex"));
    let truncated = bound[..bound.len() - 9].to_vec();
    // (file bytes, extra args, exit code, stderr fragment)
    let cases: [(&[u8], &[&str], i32, &str); 7] = [
        (
            &compressed,
            &[],
            1,
            "split key and granularity are required",
        ),
        // Issue 12: a truncated raw buffer was printed as an uncompressed split.
        (&truncated, &[], 1, "does not decode to the"),
        (
            &bound,
            &["--max-points", "10"],
            1,
            "more than the limit of `10`",
        ),
        (&bound, &["--max-points", "0"], 2, "invalid value '0'"),
        (
            &corrupt,
            &["--granularity", "60", "--key", "0"],
            1,
            "lz4 size prefix claims",
        ),
        (&[1, 2, 3, 4], &[], 1, "not a carbonara object"),
        (
            &compressed,
            &["--granularity", "never"],
            2,
            "bad granularity `never`",
        ),
    ];
    for (i, (data, extra, code, fragment)) in cases.into_iter().enumerate() {
        let (got, _, err) = dump(&format!("bad-{i}.bin"), data, extra);
        assert_eq!(got, Some(code), "case {i}: {err}");
        assert!(err.contains(fragment), "case {i}: {err}");
    }
}
