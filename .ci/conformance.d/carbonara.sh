#!/usr/bin/env bash
# Gnocchi 4.7.1 reads what we write. For every case of testdata/carbonara/pipeline.json,
# `rollup --objects` writes the metric's objects (none_v3 and every split) in the file
# driver's layout; then the real gnocchi.storage.file.FileStorage reads them through its own
# read path (get_aggregated_measures, BoundTimeSerie.unserialize) and the results must equal
# Gnocchi's own expected results bit for bit, and rollup's JSON output too.
# Installs gnocchi==4.7.1 into target/gnocchi-venv (about a minute with a warm pip cache).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/gnocchi-venv
if ! "$venv/bin/python" -c 'import gnocchi.storage.file' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check gnocchi==4.7.1
fi
cargo build --quiet --locked -p examples --bin rollup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$venv/bin/python" - "$work" target/debug/rollup testdata/carbonara/pipeline.json <<'PY'
import json, struct, subprocess, sys, types, uuid, warnings
import numpy
from gnocchi import archive_policy, carbonara
from gnocchi.storage import file as storage_file

warnings.simplefilter("ignore")
work, rollup, vectors = sys.argv[1:4]
cases = json.load(open(vectors))["cases"]


def val(v):
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.get(v, v)


def same(a, b):
    a, b = float(val(a)), float(val(b))
    return (a != a and b != b) or struct.pack("<d", a) == struct.pack("<d", b)


class Metric:
    """The two attributes the storage driver reads; hashable by identity."""

    def __init__(self, metric_id, policy):
        self.id = metric_id
        self.archive_policy = policy


def iso(ns):
    return str(numpy.datetime64(int(ns), "ns")) + "Z"


failures, checked = [], 0
for n, case in enumerate(cases, start=1):
    pol = case["archive_policy"]
    rest = {"name": pol["name"], "back_window": pol["back_window"],
            "aggregation_methods": pol["aggregation_methods"],
            "definition": [{"granularity": d["granularity"] / 1e9, "points": d["points"]}
                           for d in pol["definition"]]}
    policy_file = f"{work}/{case['id']}.json"
    json.dump(rest, open(policy_file, "w"))
    csv = "".join("".join(f"{iso(t)},{float(val(v))!r}\n" for t, v in batch) + "\n"
                  for batch in case["batches"])
    metric_id = uuid.UUID(int=n)
    base = f"{work}/{case['id']}"
    # Gnocchi drops too-old points silently; rollup reports them and accepts with the flag.
    out = subprocess.run([rollup, "--policy", policy_file, "--format", "json", "--accept-too-old",
                          "--objects", f"{base}/{metric_id}"],
                         input=csv.encode(), capture_output=True, check=True)
    ours = {(e["method"], round(e["granularity"] * 1e9)): e["points"]
            for e in json.loads(out.stdout)}

    conf = types.SimpleNamespace(file_basepath=base, file_subdir_len=0)
    st = storage_file.FileStorage(conf)
    st.upgrade()
    ap = archive_policy.ArchivePolicy(
        pol["name"], pol["back_window"],
        [archive_policy.ArchivePolicyItem(granularity=numpy.timedelta64(d["granularity"], "ns"),
                                          points=d["points"]) for d in pol["definition"]],
        pol["aggregation_methods"])
    metric = Metric(metric_id, ap)
    aggs = [carbonara.Aggregation(m, d.granularity, d.timespan)
            for d in ap.definition for m in ap.aggregation_methods]
    read = st.get_aggregated_measures({metric: aggs})[metric]
    for want in case["expected_aggregates"]:
        key = (want["method"], want["granularity"])
        agg = next(a for a in aggs if a.method == key[0]
                   and int(a.granularity.astype("int64")) == key[1])
        got = [[int(t.astype("int64")), float(v)] for t, v in read[agg]]
        mine = ours.get(key, [])
        checked += 1
        if len(got) != len(want["points"]) or not all(
                g[0] == w[0] and same(g[1], w[1]) for g, w in zip(got, want["points"])):
            failures.append(f"{case['id']} {key}: gnocchi read {len(got)} points, differ from expected")
        if len(mine) != len(got) or not all(
                numpy.datetime64(m[0].rstrip("Z"), "ns").astype("int64") == g[0] and same(m[1], g[1])
                for m, g in zip(mine, got)):
            failures.append(f"{case['id']} {key}: rollup output differs from gnocchi's read")
    raw = st._get_or_create_unaggregated_timeseries_unbatched(metric)
    bound = carbonara.BoundTimeSerie.unserialize(raw, ap.max_block_size, 0)
    got = [[int(t.astype("int64")), float(v)] for t, v in bound]
    checked += 1
    if len(got) != len(case["expected_bound_points"]) or not all(
            g[0] == w[0] and same(g[1], w[1]) for g, w in zip(got, case["expected_bound_points"])):
        failures.append(f"{case['id']}: gnocchi decodes our none_v3 to other points")

for f in failures:
    print("FAIL", f)
print(f"carbonara: gnocchi 4.7.1 read our objects: {checked} checks, {checked - len(failures)} passed")
sys.exit(1 if failures else 0)
PY
