#!/usr/bin/env python3
"""Compare `ceph-exporter --asok-dir` output with a reference exposition of the same daemons.

  asok_compare.py OURS REF_BEFORE REF_AFTER [--drop-families FILE]

OURS, REF_BEFORE and REF_AFTER are text expositions (files), read in that order from a live
cluster: the reference is read once before and once after ours.  The references are either the
mgr prometheus module's /metrics with `exclude_perf_counters=false` (for `--asok-flavor mgr`;
pass the module's default output, without perf counters, as `--drop-families` so only its
perf-counter families are compared), or Ceph's own rendering of the admin sockets (for
`--asok-flavor exporter`).

Checks, each printed with its figures:
  * families: every reference family is ours with the same TYPE and HELP, and we have no other
    (but our own scrape-health families, `ceph_daemon_socket_up` and `ceph_asok_scrape_*`);
  * series: the same series (name + label set) in every family;
  * values: a series whose value is equal in REF_BEFORE and REF_AFTER is static over the time
    ours was read in between, so ours must be equal to it.
The RBD image families and the module's own timings are left out of the references (the
module reads them from its OSD perf query and its clock, not from the daemons).
Exit status 1 when a check fails.  Standard library only.
"""
import argparse
import re
import sys

OWN = ("ceph_daemon_socket_up", "ceph_asok_scrape_")
SKIP = ("ceph_rbd_", "ceph_prometheus_collect_duration_seconds")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse(path):
    """{family: {"type", "help", "series": {(name, labels): value}}}"""
    fams = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("# HELP ") or line.startswith("# TYPE "):
                kind, rest = line[2:6], line[7:]
                name, _, text = rest.partition(" ")
                fam = fams.setdefault(name, {"type": None, "help": None, "series": {}})
                key = "help" if kind == "HELP" else "type"
                if fam[key] is None:
                    fam[key] = text
                continue
            if line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f"{path}:{n}: not a sample: {line!r}")
            name, body, value = m.group(1), m.group(3) or "", m.group(4)
            labels, pos = [], 0
            while pos < len(body):
                lm = LABEL.match(body, pos)
                if not lm:
                    sys.exit(f"{path}:{n}: bad labels at {pos}: {line!r}")
                labels.append((lm.group(1), lm.group(2)))
                pos = lm.end()
            family = name
            if family not in fams:
                for suffix in ("_sum", "_count", "_bucket", "_total"):
                    if name.endswith(suffix) and name[: -len(suffix)] in fams:
                        family = name[: -len(suffix)]
                        break
            fam = fams.setdefault(family, {"type": None, "help": None, "series": {}})
            fam["series"][(name, tuple(sorted(labels)))] = float(value)
    return fams


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ours")
    ap.add_argument("ref_before")
    ap.add_argument("ref_after")
    ap.add_argument("--drop-families", help="an exposition whose families are not compared")
    args = ap.parse_args()

    ours = parse(args.ours)
    before = parse(args.ref_before)
    after = parse(args.ref_after)
    drop = set(parse(args.drop_families)) if args.drop_families else set()

    def wanted(name):
        return name not in drop and not name.startswith(SKIP)

    ref_names = {n for n in before if wanted(n)}
    our_names = {n for n in ours if not n.startswith(OWN)}
    failed = False

    missing = sorted(ref_names - our_names)
    extra = sorted(our_names - ref_names)
    matched = sorted(ref_names & our_names)
    print(f"families: {len(matched)} matched of {len(ref_names)} in the reference "
          f"({len(our_names)} ours, own health families aside)")
    for what, names in (("missing in ours", missing), ("extra in ours", extra)):
        if names:
            failed = True
            print(f"FAIL {len(names)} families {what}: {' '.join(names[:12])}")
    meta = [n for n in matched
            if (ours[n]["type"], ours[n]["help"]) != (before[n]["type"], before[n]["help"])]
    if meta:
        failed = True
        for n in meta[:12]:
            print(f"FAIL TYPE/HELP of {n}: ours {ours[n]['type']!r} {ours[n]['help']!r}, "
                  f"reference {before[n]['type']!r} {before[n]['help']!r}")

    series_ref = series_matched = 0
    series_missing, series_extra = [], []
    static = equal = 0
    differing = []
    for n in matched:
        ref_series = before[n]["series"]
        our_series = ours[n]["series"]
        series_ref += len(ref_series)
        series_missing += [(n, k) for k in ref_series if k not in our_series]
        series_extra += [(n, k) for k in our_series if k not in ref_series]
        for k, v in ref_series.items():
            if k not in our_series:
                continue
            series_matched += 1
            if after.get(n, {}).get("series", {}).get(k) != v:
                continue
            static += 1
            if our_series[k] == v:
                equal += 1
            else:
                differing.append((k, our_series[k], v))
    print(f"series: {series_matched} matched of {series_ref} in the reference")
    for what, items in (("missing in ours", series_missing), ("extra in ours", series_extra)):
        if items:
            failed = True
            print(f"FAIL {len(items)} series {what}, e.g. "
                  + ", ".join(f"{k[0]}{dict(k[1])}" for _, k in items[:5]))
    print(f"values: {equal} of {static} static series equal "
          f"(unchanged between the two reference reads)")
    if differing:
        failed = True
        for k, ov, rv in differing[:12]:
            print(f"FAIL value {k[0]}{dict(k[1])}: ours {ov!r}, reference {rv!r}")
    print("FAILED" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
