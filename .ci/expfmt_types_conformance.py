#!/usr/bin/env python3
"""Every OpenMetrics metric type, both ways, between expfmt (through `promcat`) and Python's
prometheus_client.

usage: expfmt_types_conformance.py PROMCAT VALID_DIR OUT_DIR

1. We write, they read: each `VALID_DIR/*.om` (one per type, the OpenMetrics specification's
   examples) is re-encoded by `promcat --to openmetrics`; prometheus_client's OpenMetrics
   parser must read the same samples from our output as from the original. It is also
   re-encoded `--to text` into OUT_DIR for `promtool check metrics` (run by the caller), and
   prometheus_client's text parser must read it.
2. They write, we read: a registry with a counter, gauge, summary, histogram, info, enum
   (stateset), gauge histogram and unknown metric, with exemplars on the counter and the
   histogram, is written by prometheus_client in both formats; `promcat --check` must accept
   each, and its OpenMetrics re-encoded by `promcat` must read back in prometheus_client as
   the same samples and exemplars. So must several points (timestamps increasing) of a
   counter metric, in OpenMetrics.

Samples are compared with their exemplars (labels, value, timestamp).

Exit status 1 on any disagreement, with one line per problem.
"""
import math
import os
import subprocess
import sys

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    UnknownMetricFamily,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_latest_om
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text

TIMEOUT = 30


def promcat(promcat_path, args, data=None):
    return subprocess.run(
        [promcat_path, *args],
        input=data,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )


def timestamp(ts):
    """A sample's or an exemplar's timestamp, exactly: (seconds, nanoseconds) or a float."""
    if ts is None:
        return None
    if hasattr(ts, "sec"):
        return (ts.sec, ts.nsec)
    return float(ts)


def exemplar(ex):
    if ex is None:
        return None
    v = float(ex.value)
    return (tuple(sorted(ex.labels.items())), "nan" if math.isnan(v) else v, timestamp(ex.timestamp))


def samples(families):
    """Every sample with its exemplar, `le`/`quantile` compared as numbers; sorted, since the
    order of `_sum` and `_count` within a metric is free."""
    out = []
    for f in families:
        for s in f.samples:
            v = float(s.value)
            labels = tuple(sorted(
                (k, repr(float(x)) if k in ("le", "quantile") else x) for k, x in s.labels.items()
            ))
            out.append((f.name, f.type, s.name, labels, "nan" if math.isnan(v) else v,
                        timestamp(s.timestamp), exemplar(s.exemplar)))
    return sorted(out, key=repr)


def we_write(promcat_path, valid_dir, out_dir):
    problems = []
    files = sorted(f for f in os.listdir(valid_dir) if f.endswith(".om"))
    for name in files:
        path = os.path.join(valid_dir, name)
        with open(path, encoding="utf-8") as f:
            original = f.read()
        want = samples(parse_om(original))
        om = promcat(promcat_path, ["--from", "openmetrics", "--to", "openmetrics", path])
        if om.returncode != 0:
            problems.append(f"{name}: promcat --to openmetrics failed: {om.stderr.decode()}")
            continue
        try:
            got = samples(parse_om(om.stdout.decode()))
        except Exception as e:  # noqa: BLE001 - any parser failure is a disagreement
            problems.append(f"{name}: prometheus_client cannot read our OpenMetrics: {e}")
            continue
        if got != want:
            problems.append(f"{name}: our OpenMetrics reads as {got} instead of {want}")
        text = promcat(promcat_path, ["--from", "openmetrics", "--to", "text", path])
        if text.returncode != 0:
            problems.append(f"{name}: promcat --to text failed: {text.stderr.decode()}")
            continue
        with open(os.path.join(out_dir, name.removesuffix(".om") + ".txt"), "wb") as f:
            f.write(text.stdout)
        try:
            list(parse_text(text.stdout.decode()))
        except Exception as e:  # noqa: BLE001
            problems.append(f"{name}: prometheus_client cannot read our text: {e}")
    return len(files), problems


class GaugeHistogramCollector:
    def collect(self):
        g = GaugeHistogramMetricFamily("queue_depth", "Queued items", labels=["queue"])
        g.add_metric(["a"], [("1.0", 4), ("10.0", 6), ("+Inf", 7)], gsum_value=31.5)
        yield g
        u = UnknownMetricFamily("mystery", "An unknown metric", labels=["x"])
        u.add_metric(["1"], 3.5)
        yield u


class PointsCollector:
    """Several points of one counter metric (OpenMetrics allows them, timestamps increasing;
    text 0.0.4 wants each series once). Not a histogram or a summary: prometheus_client 0.26
    cannot read back the points of those it writes (`+Inf bucket missing`; a point's second
    `_count`/`_sum` dropped as a duplicate); our unit tests cover them."""

    def collect(self):
        c = CounterMetricFamily("points", "Several points", labels=["a"])
        c.add_metric(["1"], 1, timestamp=10)
        c.add_metric(["1"], 2, timestamp=11.5)
        c.add_metric(["2"], 7, timestamp=10)
        yield c


def through_promcat(promcat_path, body, what):
    """Their OpenMetrics `body`, read and written again by us, reads back the same in theirs."""
    problems = []
    r = promcat(promcat_path, ["--from", "openmetrics", "--to", "openmetrics", "-"], body)
    if r.returncode != 0:
        return [f"promcat cannot re-encode prometheus_client's OpenMetrics ({what}): {r.stderr.decode()}"]
    want = samples(parse_om(body.decode()))
    got = samples(parse_om(r.stdout.decode()))
    if got != want:
        problems.append(f"prometheus_client's OpenMetrics ({what}) through promcat reads as {got} "
                        f"instead of {want}")
    return problems


def they_write(promcat_path):
    reg = CollectorRegistry()
    Counter("ops", "Operations", ["op"], registry=reg).labels("read").inc(
        3, exemplar={"trace_id": "KOO5S4vxi0o", "span_id": "é 1"})
    Gauge("temp_celsius", "Temperature", registry=reg).set(-1.5)
    s = Summary("latency_seconds", "Latency", registry=reg)
    s.observe(0.25)
    h = Histogram("size_bytes", "Sizes", buckets=[1, 10, 100], registry=reg)
    h.observe(5, exemplar={"trace_id": "oHg5SJYRHA0"})
    h.observe(50)
    # (Not `\\`, `"` or a line feed in exemplar label values: prometheus_client 0.26 cannot
    # read back its own exemplars with escapes; our unit tests cover them.)
    h.observe(0.5, exemplar={"q": "a b"})
    Info("build", "Build information", registry=reg).info({"version": "18.2.7", "name": "reef"})
    Enum("state", "OSD state", states=["up", "down", "out"], registry=reg).state("down")
    reg.register(GaugeHistogramCollector())
    problems = []
    for fmt, body in (("openmetrics", generate_latest_om(reg)), ("text", generate_latest(reg))):
        r = promcat(promcat_path, ["--check", "--from", fmt, "-"], body)
        if r.returncode != 0:
            problems.append(
                f"prometheus_client {fmt} output refused: {r.stderr.decode().strip()}\n{body.decode()}"
            )
    body = generate_latest_om(reg)
    problems += through_promcat(promcat_path, body, "every type")
    if b" # {" not in body:
        problems.append("no exemplar in prometheus_client's output: the check is void")
    points = CollectorRegistry()
    points.register(PointsCollector())
    problems += through_promcat(promcat_path, generate_latest_om(points), "several points")
    return problems


def main():
    promcat_path, valid_dir, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    n, problems = we_write(promcat_path, valid_dir, out_dir)
    problems += they_write(promcat_path)
    for p in problems:
        print(p)
    print(f"prometheus_client: {n} type examples both ways and every type from prometheus_client, "
          f"{len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
