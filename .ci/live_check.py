#!/usr/bin/env python3
"""Assertions of the live conformance step (.ci/conformance.d/live.sh) through Prometheus'
HTTP API. Standard library only.

  live_check.py PROM wait-up JOB... [--deadline S]
  live_check.py PROM parity MGR_JOB OURS_JOB
  live_check.py PROM osd-down MGR_JOB OURS_JOB ID [--deadline S]
  live_check.py PROM wait EXPR VALUE [--deadline S]     (every sample of EXPR equals VALUE)
  live_check.py PROM perf-parity MGR_JOB ASOK_JOB         (per-host mode, the module's names)

Each command exits 1 with what failed, and prints what it measured.
"""
import json
import sys
import time
import urllib.parse
import urllib.request

# Families the comparison leaves out: RBD image families (the module reads them per image
# from the OSDs, ours does not), and the module's own timing series.
SKIP_PREFIXES = ("ceph_rbd_",)
SKIP_NAMES = {"ceph_prometheus_collect_duration_seconds_sum",
              "ceph_prometheus_collect_duration_seconds_count"}
# Families whose values do not move on an idle cluster: compared value by value.
STATIC = [
    "ceph_health_status", "ceph_mon_quorum_status", "ceph_mon_metadata", "ceph_mgr_metadata",
    "ceph_mgr_status", "ceph_mgr_module_status", "ceph_mgr_module_can_run", "ceph_osd_metadata",
    "ceph_osd_up", "ceph_osd_in", "ceph_osd_weight", "ceph_pool_metadata", "ceph_mds_metadata",
    "ceph_fs_metadata", "ceph_pg_total", "ceph_osd_stat_bytes", "ceph_osd_numpg",
    "ceph_disk_occupation", "ceph_pool_objects_repaired", "ceph_osd_flag_noout",
    "ceph_osd_flag_noup", "ceph_osd_flag_nodown", "ceph_mds_inodes", "ceph_cluster_total_bytes",
    "ceph_pg_active", "ceph_pg_clean", "ceph_num_objects_degraded", "ceph_mon_num_elections",
]


def query(prom, expr):
    url = prom.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise SystemExit(f"FAIL query `{expr}`: {body}")
    return body["data"]["result"]


def labels(sample):
    return tuple(sorted((k, v) for k, v in sample["metric"].items()
                        if k not in ("job", "instance")))


def arg_deadline(args, default):
    if "--deadline" in args:
        i = args.index("--deadline")
        value = float(args[i + 1])
        del args[i:i + 2]
        return value
    return default


def wait_up(prom, jobs, deadline):
    start = time.time()
    while True:
        ups = {s["metric"].get("job"): s["value"][1] for s in query(prom, "up")}
        if all(ups.get(j) == "1" for j in jobs):
            print(f"ok   up is 1 for {', '.join(jobs)} after {time.time() - start:.1f} s")
            return
        if time.time() - start > deadline:
            raise SystemExit(f"FAIL up after {deadline} s: {ups}")
        time.sleep(1)


def series(prom, job):
    out = {}
    for s in query(prom, '{job="%s"}' % job):
        out[(s["metric"]["__name__"], labels(s))] = float(s["value"][1])
    return out


def parity(prom, mgr, ours):
    theirs = series(prom, mgr)
    mine = series(prom, ours)
    names_t = {n for n, _ in theirs if not n.startswith(SKIP_PREFIXES) and n not in SKIP_NAMES}
    names_m = {n for n, _ in mine}
    missing_names = sorted(names_t - names_m)
    keys_t = {k for k in theirs if k[0] in names_t}
    missing = sorted(k for k in keys_t if k not in mine)
    static_keys = [k for k in keys_t if k[0] in STATIC]
    unequal = [(k, theirs[k], mine.get(k)) for k in static_keys
               if k in mine and theirs[k] != mine[k]]
    print(f"     module job: {len(names_t)} families, {len(keys_t)} series (after leaving out "
          f"RBD image and timing series); ours: {len(names_m)} families, {len(mine)} series")
    print(f"     families matched {len(names_t) - len(missing_names)}/{len(names_t)}, "
          f"series matched {len(keys_t) - len(missing)}/{len(keys_t)}, "
          f"static values equal {len(static_keys) - len(unequal)}/{len(static_keys)} "
          f"in {len({k[0] for k in static_keys})} static families")
    failed = False
    for n in missing_names[:20]:
        print(f"FAIL family {n} missing in ours")
        failed = True
    for k in missing[:20]:
        print(f"FAIL series {k[0]}{dict(k[1])} missing in ours")
        failed = True
    for k, t, m in unequal[:20]:
        print(f"FAIL {k[0]}{dict(k[1])}: module {t}, ours {m}")
        failed = True
    if failed:
        raise SystemExit(1)
    print("ok   parity with the module")


def perf_parity(prom, mgr, asok):
    """Every perf-counter series of the module (a family with a `ceph_daemon` label that the
    per-host job serves) exists in the per-host job with the same labels."""
    theirs = series(prom, mgr)
    mine = series(prom, asok)
    names_m = {n for n, _ in mine}
    perf = {k for k in theirs
            if k[0] in names_m and any(l == "ceph_daemon" for l, _ in k[1])}
    families = {k[0] for k in perf}
    missing = sorted(k for k in perf if k not in mine)
    print(f"     per-host job: {len(names_m)} families, {len(mine)} series; module perf-counter "
          f"series in its families: {len(perf)} in {len(families)} families, "
          f"matched {len(perf) - len(missing)}/{len(perf)}")
    for k in missing[:20]:
        print(f"FAIL series {k[0]}{dict(k[1])} missing in {asok}")
    if missing or len(families) < 50:
        raise SystemExit(1)
    print("ok   per-host perf-counter parity with the module")


def osd_down(prom, mgr, ours, osd, deadline):
    start = time.time()
    daemon = f"osd.{osd}"
    seen = {}
    while len(seen) < 2:
        for job in (mgr, ours):
            if job in seen:
                continue
            r = query(prom, 'ceph_osd_up{job="%s",ceph_daemon="%s"}' % (job, daemon))
            if r and r[0]["value"][1] == "0":
                seen[job] = time.time() - start
        if time.time() - start > deadline:
            raise SystemExit(f"FAIL ceph_osd_up of {daemon} not 0 in both jobs after "
                             f"{deadline} s: {seen}")
        time.sleep(0.5)
    print("ok   ceph_osd_up{ceph_daemon=\"%s\"} is 0: module after %.1f s, ours after %.1f s"
          % (daemon, seen[mgr], seen[ours]))
    for job in (mgr, ours):
        counts = {}
        for fam in ("ceph_osd_stat_bytes", "ceph_osd_numpg", "ceph_osd_op_w",
                    "ceph_bluestore_kv_flush_lat_sum"):
            counts[fam] = len(query(prom, '%s{job="%s",ceph_daemon="%s"}' % (fam, job, daemon)))
        n = len(query(prom, '{job="%s",ceph_daemon="%s"}' % (job, daemon)))
        print(f"     {job}: {n} series of {daemon} while it is down; {counts}")
        if job == ours and (counts["ceph_osd_stat_bytes"] == 0 or counts["ceph_osd_numpg"] == 0
                            or counts["ceph_osd_op_w"] == 0):
            raise SystemExit(f"FAIL {job} lost the counters of {daemon}")
    print(f"ok   ours still serves the counters of the down {daemon}")


def wait_value(prom, expr, value, deadline):
    start = time.time()
    while True:
        r = query(prom, expr)
        if r and all(s["value"][1] == value for s in r):
            print(f"ok   {expr} == {value} after {time.time() - start:.1f} s")
            return
        if time.time() - start > deadline:
            raise SystemExit(f"FAIL {expr} != {value} after {deadline} s: "
                             f"{[s['value'][1] for s in r]}")
        time.sleep(0.5)


def main():
    args = sys.argv[1:]
    deadline = arg_deadline(args, 60)
    prom, cmd, rest = args[0], args[1], args[2:]
    if cmd == "wait-up":
        wait_up(prom, rest, deadline)
    elif cmd == "parity":
        parity(prom, rest[0], rest[1])
    elif cmd == "osd-down":
        osd_down(prom, rest[0], rest[1], rest[2], deadline)
    elif cmd == "perf-parity":
        perf_parity(prom, rest[0], rest[1])
    elif cmd == "wait":
        wait_value(prom, rest[0], rest[1], deadline)
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
