#!/usr/bin/env python3
"""Writes the seed inputs of the timeserie/carbonara/perfcounter fuzz targets
from testdata/ into fuzz/corpus/<target>/ (run from the repository root).
Seeds are small: whole objects from the carbonara golden vectors, policies
rewritten in Gnocchi's REST form, the first counters of real perf schemas."""
import json
import os

S = 10**9
GRANULARITIES = [1, 1000, S, 5 * S, 60 * S, 300 * S, 3600 * S, 86400 * S]


def write(target, name, data):
    folder = f"fuzz/corpus/{target}"
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


cases = json.load(open("testdata/carbonara/serialization.json"))["cases"]
for c in cases:
    if c["kind"] == "bound":
        write("timeserie_bound", c["id"], bytes.fromhex(c["serialized_hex"]))
        write("timeserie_lz4", c["id"], bytes.fromhex(c["serialized_hex"]))
    elif c["kind"] == "bound_unserialize":
        write("timeserie_bound", c["id"], bytes.fromhex(c["data_hex"]))
    elif c["kind"] == "aggregated":
        g = c["granularity"]
        gi = GRANULARITIES.index(g)
        k = (c["key"] // (3600 * g)) % 256
        for f in ("compressed", "uncompressed"):
            write("carbonara_split", f"{c['id']}-{f}", bytes([gi, k]) + bytes.fromhex(c[f + "_hex"]))
        write("timeserie_lz4", c["id"], bytes.fromhex(c["compressed_hex"])[1:])
    elif c["kind"] == "aggregated_unserialize":
        write("carbonara_split", c["id"], bytes([4, 0]) + bytes.fromhex(c["data_hex"]))
for c in json.load(open("testdata/carbonara/bound_timeserie.json"))["cases"]:
    if "serialized_hex" in c:
        write("timeserie_bound", c["id"], bytes.fromhex(c["serialized_hex"]))

policies = json.load(open("testdata/carbonara/archive_policies.json"))["policies"]
for p in policies:
    rest = {
        "name": p["name"],
        "back_window": p["back_window"],
        "aggregation_methods": p["aggregation_methods"],
        "definition": [{"granularity": d["granularity"] / S, "points": d["points"]} for d in p["definition"]],
    }
    write("carbonara_policy", p["name"], json.dumps(rest))
write("carbonara_policy", "timespans", json.dumps({
    "name": "spans", "aggregation_methods": ["-max", "+95pct", "rate:mean"],
    "definition": [{"granularity": "60s", "timespan": "1 day"}, {"granularity": 3600, "points": 24},
                   {"points": 7, "timespan": 100.5}]}))


def first_counters(path, n):
    doc = json.load(open(path))
    return {section: dict(list(counters.items())[:n]) if isinstance(counters, dict) else counters
            for section, counters in list(doc.items())[:4]}


for release, daemon, kind in [("pacific-healthy", "osd.0", "perf"), ("reef-healthy", "mds.a", "perf"),
                              ("reef-healthy", "osd.0", "counter"), ("pacific-healthy", "mon.a", "perf")]:
    base = f"testdata/perfcounter/{release}"
    schema = first_counters(f"{base}/{kind}_schema.{daemon}.json", 6)
    dump = first_counters(f"{base}/{kind}_dump.{daemon}.json", 6)
    write("perfcounter_map", f"{release}-{kind}-{daemon}", json.dumps(schema) + "\0" + json.dumps(dump))


# rollup's CSV: the pipeline vectors' batches as rollup reads them.
def rfc3339(ns):
    import datetime
    secs, frac = divmod(ns, 10**9)
    t = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


pipeline = json.load(open("testdata/carbonara/pipeline.json"))["cases"]
for c in pipeline[:3]:
    text = "# from pipeline.json\n"
    for batch in c["batches"][:2]:
        for t, v in batch[:20]:
            text += f"{rfc3339(t) if len(text) % 2 else t / 1e9},{v}\n"
        text += "\n"
    write("carbonara_measures", c["id"], text)
write("carbonara_measures", "errors", "1600000000,1\r\n  1600000060 , nan\n\nx,1\n")
