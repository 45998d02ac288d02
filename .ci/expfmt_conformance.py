#!/usr/bin/env python3
"""Reads every exposition in a folder with Python's prometheus_client parsers and compares what
they read with the samples the encoder was asked to write (the `<file>.json` next to each file,
written by `cargo test -p expfmt --test lib conformance`).

usage: expfmt_conformance.py DIR

Files ending in `.om.txt` go through the OpenMetrics parser, other `.txt` files through the
text 0.0.4 parser. Exit status 1 on any disagreement or parse error, with one line per problem.
"""
import json
import math
import os
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text


def fnum(s):
    return float(s)


def same_number(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b


def family_key(name, typ):
    # prometheus_client names counter families without `_total`; untyped is `unknown`.
    if typ == "counter" and name.endswith("_total"):
        name = name[: -len("_total")]
    if typ == "untyped":
        typ = "unknown"
    return name, typ


def norm_labels(labels):
    out = {}
    for k, v in labels.items():
        out[k] = repr(float(v)) if k in ("le", "quantile") else v
    return out


def timestamp_ms(ts, om):
    if ts is None:
        return None
    if om:
        return ts.sec * 1000 + ts.nsec // 1_000_000
    return ts


def check(path):
    om = path.endswith(".om.txt")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path + ".json", encoding="utf-8") as f:
        want = json.load(f)
    try:
        got = list((parse_om if om else parse_text)(text))
    except Exception as e:  # noqa: BLE001 - any parser failure is a disagreement
        return [f"{path}: prometheus_client cannot parse it: {e}"]
    problems = []
    want_fams = [family_key(w["name"], w["type"]) for w in want]
    got_fams = [family_key(g.name, g.type) for g in got]
    if om:
        got_fams = [(n, t) for n, t in got_fams]
    # A family without samples may be dropped by a reader; compare the ones with samples too.
    if got_fams != want_fams and [f for f, w in zip(want_fams, want) if w["samples"]] != [
        f for f, g in zip(got_fams, got) if g.samples
    ]:
        problems.append(f"{path}: families {got_fams} != {want_fams}")
        return problems
    for w, g in zip([w for w in want], got):
        help_want = w["help"] or ""
        if g.documentation.strip() != help_want.strip():
            problems.append(f"{path}: {w['name']}: help {g.documentation!r} != {help_want!r}")
        ws, gs = w["samples"], g.samples
        if len(ws) != len(gs):
            problems.append(f"{path}: {w['name']}: {len(gs)} samples read, {len(ws)} written")
            continue
        for a, b in zip(ws, gs):
            got_name = b.name
            if not om and w["type"] == "counter" and not a["name"].endswith("_total"):
                # The 0.0.4 reader names counter samples `<name>_total`.
                got_name = got_name.removesuffix("_total")
            if a["name"] != got_name:
                problems.append(f"{path}: sample name {b.name!r} != {a['name']!r}")
            elif norm_labels(a["labels"]) != norm_labels(b.labels):
                problems.append(f"{path}: {a['name']}: labels {b.labels!r} != {a['labels']!r}")
            elif not same_number(a["value"], b.value):
                problems.append(f"{path}: {a['name']}{a['labels']}: value {b.value!r} != {a['value']}")
            else:
                want_ts = a["timestamp_ms"]
                got_ts = timestamp_ms(b.timestamp, om)
                if want_ts is None or got_ts is None:
                    if want_ts != got_ts:
                        problems.append(f"{path}: {a['name']}: timestamp {got_ts!r} != {want_ts!r}")
                elif om and got_ts != want_ts:
                    problems.append(f"{path}: {a['name']}: timestamp {got_ts} != {want_ts}")
                elif not om and got_ts != want_ts / 1000:
                    problems.append(f"{path}: {a['name']}: timestamp {got_ts} != {want_ts / 1000}")
    return problems


def main():
    folder = sys.argv[1]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".txt"))
    problems = []
    for name in files:
        problems.extend(check(os.path.join(folder, name)))
    for p in problems:
        print(p)
    print(f"prometheus_client {len(files)} expositions, {len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
