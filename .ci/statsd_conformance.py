"""Drives the statsd conformance run (see .ci/conformance.d/statsd.sh).

argv: WORK VENV STATSD. PostgreSQL is already up on WORK/sock port 19510 with database `gnocchi`.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time
import types
import uuid
import warnings

work, venv, ours_bin = sys.argv[1:4]
warnings.simplefilter("ignore")
FLUSH = 3.0
GNOCCHI_PORT, OURS_PORT = 19511, 19512
DEADLINE = 60.0

import numpy  # noqa: E402
from gnocchi import archive_policy, carbonara, chef, incoming, storage  # noqa: E402
from gnocchi.cli import metricd  # noqa: E402
from gnocchi.storage import file as storage_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statsd_common import gnocchi_setup, stop_all, wait_log  # noqa: E402

resource_id = uuid.UUID("5a3f3a2e-0c1b-4d6e-9f00-000000000001")
conf_path, conf, index = gnocchi_setup(work, venv, GNOCCHI_PORT, resource_id, "conformance", "conformance",
                                       FLUSH)

METHODS = ["mean", "min", "max", "sum", "std", "count", "first", "last", "median", "95pct",
           "rate:last"]
DEFINITION = [(1, 3600), (5, 720), (60, 1440)]
index.create_archive_policy(archive_policy.ArchivePolicy(
    "conformance", 0,
    [archive_policy.ArchivePolicyItem(granularity=numpy.timedelta64(g, "s"), points=p)
     for g, p in DEFINITION],
    METHODS))
policy_file = f"{work}/policy.json"
json.dump({"name": "conformance", "back_window": 0, "aggregation_methods": METHODS,
           "definition": [{"granularity": g, "points": p} for g, p in DEFINITION]},
          open(policy_file, "w"))

procs = []


try:
    glog = open(f"{work}/gnocchi-statsd.log", "w")
    procs.append(subprocess.Popen([f"{venv}/bin/gnocchi-statsd", "--config-file", conf_path],
                                  stdout=glog, stderr=subprocess.STDOUT))
    wait_log(f"{work}/gnocchi-statsd.log", "Started on", "gnocchi-statsd", procs, DEADLINE)
    olog = open(f"{work}/statsd.log", "w")
    procs.append(subprocess.Popen(
        [ours_bin, "--listen", f"127.0.0.1:{OURS_PORT}", "--storage", f"{work}/ours",
         "--policy", policy_file, "--flush-delay", str(FLUSH), "--log-level", "info"],
        stdout=olog, stderr=subprocess.STDOUT))
    wait_log(f"{work}/statsd.log", "statsd listening", "statsd", procs, DEADLINE)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def send(packet):
        sock.sendto(packet, ("127.0.0.1", GNOCCHI_PORT))
        sock.sendto(packet, ("127.0.0.1", OURS_PORT))

    def count_files(path):
        return sum(len(files) for _, _, files in os.walk(path))

    # Find each daemon's flush phase: a probe gauge shows up in its storage
    # right after a flush.
    def probe_phase(path, name):
        before = count_files(path)
        end = time.monotonic() + FLUSH * 3
        while time.monotonic() < end:
            send(b"probe:1|g")
            t0 = time.time()
            while time.time() < t0 + FLUSH + 1:
                if count_files(path) > before:
                    return time.time() % FLUSH
                time.sleep(0.003)
        sys.exit(f"{name}: probe measure never stored")

    phase_g = probe_phase(f"{work}/gnocchi-data", "gnocchi-statsd")
    phase_o = probe_phase(f"{work}/ours", "statsd")

    def circ(a, b, period):
        d = (a - b) % period
        return min(d, period - d)

    now = time.time()
    best, start = -1.0, None
    for k in range(1, 400):
        t = now + 0.5 + k * 0.01
        margin = min(circ(t % FLUSH, phase_g, FLUSH) / 0.3, circ(t % FLUSH, phase_o, FLUSH) / 0.3,
                     circ(t % 1.0, 0.0, 1.0) / 0.15)
        if margin > best:
            best, start = margin, t
    if best < 1.0:
        sys.exit(f"no send time clear of both flushes (phases {phase_g:.3f}, {phase_o:.3f})")

    def phase_packets(i):
        v = i + 1
        yield f"api.hits:1|c\napi.hits:3|c|@0.5\napi.hits:2|c|@0.1\n".encode()
        yield f"bytes:{1.5e3 * v}|c|@0.25\nneg:-{v}|c\ncafé.hits:{v}|c\n\n".encode()
        yield f"load:{0.1 * v}|g\ntemp:-0.0|g\nbig:1e308|g\nlat:{12.5 + v}|ms\nlat:{3 * v}|ms".encode()
        yield f"us:1_000|g\nsp: 2.5 |g\ninf.g:inf|g\nc.hash:1|c|#0.5\n".encode()
        yield f"load:{0.3 * v}|g\napi.hits:{v}|c|@0.3".encode()
        if i % 2 == 0:
            yield b"slow:7|ms"
        # Refused lines, each alone in the packet or followed by a good one.
        yield b"nopipe\nok.after.nopipe:1|g"
        yield b"a:1|c|@1|x\nok.after.pipes:1|g"
        yield b"u:1|s\nok.after.type:1|g"
        yield b"gs:1|g|@0.5\nok.after.gauge.rate:1|g"
        yield b"ts:1|ms|@1\nok.after.timer.rate:1|g"
        yield b"c0:1|c|@0\nok.after.zero.rate:1|g"
        yield b"nul\x00name:1|g\nok.after.nul:1|g"
        yield ("n" * 254 + ":1|g\nok.after.long:1|g").encode()
        yield ("m" * 253 + ":1|g").encode()
        # Packet-ending faults: the lines after them are lost on both sides.
        yield b"ok.before.value:1|g\nx:notanumber|g\nlost.after.value:1|g"
        yield b"a:1:2|g\nlost.after.colons:1|g"
        yield b"c:1|c|@\nlost.after.rate:1|g"
        yield b"c:1|c|@x\nlost.after.rate2:1|g"
        yield b"\xff\xfe:1|g\nlost.after.utf8:1|g"

    # gnocchi's own metricd code processes what gnocchi-statsd stored after
    # each flush, as a prompt metricd does: each flush is one batch on both
    # sides (rate: and percentile aggregates depend on the batching).
    coord = metricd.get_coordinator_and_start(str(uuid.uuid4()), conf.coordination_url)
    inc = incoming.get_driver(conf)
    store = storage.get_driver(conf)
    kitchen = chef.Chef(coord, inc, index, store)

    def process():
        started = time.monotonic()
        metrics = index.list_metrics(attribute_filter={"=": {"resource_id": resource_id}})
        for sack in {inc.sack_for_metric(m.id) for m in metrics}:
            kitchen.process_new_measures_for_sack(sack, blocking=True, sync=True)
        print(f"processed gnocchi's measures of {len(metrics)} metrics in "
              f"{time.monotonic() - started:.2f} s", file=sys.stderr)

    process()  # the probes
    def incoming_files():
        return sum(count_files(f"{work}/gnocchi-data/{sack}") for sack in inc.iter_sacks())

    def wait_stable():
        # The first flush creates the metrics in PostgreSQL and takes a
        # while: process only once gnocchi-statsd stopped writing.
        end = time.monotonic() + DEADLINE
        last, since = incoming_files(), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.05)
            now_files = incoming_files()
            if now_files != last:
                last, since = now_files, time.monotonic()
            elif time.monotonic() - since > 0.5:
                return
        sys.exit("gnocchi-statsd never finished its flush")

    phases, spacing = 5, 3 * FLUSH
    for i in range(phases):
        at = start + i * spacing
        time.sleep(max(0.0, at - time.time()))
        for packet in phase_packets(i):
            send(packet)
        # Past gnocchi-statsd's next flush, then process it.
        flushed = at + ((phase_g - at) % FLUSH) + 0.4
        time.sleep(max(0.0, flushed - time.time()))
        wait_stable()
        process()
        if time.time() > start + (i + 1) * spacing - 0.2:
            sys.exit("processing gnocchi's measures took longer than the phase spacing")
    # Our last flush is written.
    time.sleep(max(0.0, start + (phases - 1) * spacing + FLUSH + 1.0 - time.time()))
    coord.stop()
finally:
    stop_all(procs)


gmetrics = {m.name: m for m in index.list_metrics(
    attribute_filter={"=": {"resource_id": resource_id}})}
ours_index = json.load(open(f"{work}/ours/ingest-index.json"))["metrics"]


class Metric:
    def __init__(self, metric_id, policy):
        self.id = metric_id
        self.archive_policy = policy


ours_store = storage_file.FileStorage(types.SimpleNamespace(file_basepath=f"{work}/ours",
                                                            file_subdir_len=2))


def same(a, b):
    return (a != a and b != b) or struct.pack("<d", a) == struct.pack("<d", b)


failures, checked, points = [], 0, 0
names_g = set(gmetrics) - {"probe|g"}
names_o = set(ours_index) - {"probe|g"}
if names_g != names_o:
    failures.append(f"metric names differ: only gnocchi {sorted(names_g - names_o)}, "
                    f"only ours {sorted(names_o - names_g)}")
for name in sorted(names_g & names_o):
    gm = gmetrics[name]
    entry = ours_index[name]
    pol = entry["archive_policy"]
    ap = archive_policy.ArchivePolicy(
        pol["name"], pol["back_window"],
        [archive_policy.ArchivePolicyItem(
            granularity=numpy.timedelta64(d["granularity_ns"], "ns"), points=d.get("points"))
         for d in pol["definition"]],
        pol["aggregation_methods"])
    om = Metric(uuid.UUID(entry["id"]), ap)
    aggs_g = [carbonara.Aggregation(m, d.granularity, d.timespan)
              for d in gm.archive_policy.definition for m in gm.archive_policy.aggregation_methods]
    aggs_o = [carbonara.Aggregation(m, d.granularity, d.timespan)
              for d in ap.definition for m in ap.aggregation_methods]
    if sorted(map(str, aggs_g)) != sorted(map(str, aggs_o)):
        failures.append(f"{name}: aggregations differ")
        continue
    read_g = store.get_aggregated_measures({gm: aggs_g})[gm]
    read_o = ours_store.get_aggregated_measures({om: aggs_o})[om]
    for ag in aggs_g:
        ao = next(a for a in aggs_o if str(a) == str(ag))
        g = [(int(t.astype("int64")), float(v)) for t, v in read_g[ag]]
        o = [(int(t.astype("int64")), float(v)) for t, v in read_o[ao]]
        checked += 1
        points += len(g)
        if len(g) != len(o) or not all(a[0] == b[0] and same(a[1], b[1]) for a, b in zip(g, o)):
            failures.append(f"{name} {ag.method} {ag.granularity}: gnocchi {g[:4]}... "
                            f"ours {o[:4]}...")
    # Every metric has values at the finest granularity. (Not "the first aggregation":
    # gnocchi holds the methods in a set, and rate:last at 60 s is legitimately empty
    # when the five phases fall in one minute.)
    finest = min(d.granularity for d in gm.archive_policy.definition)
    mean = next(a for a in aggs_g if a.method == "mean" and a.granularity == finest)
    if not len(list(read_g[mean])):
        failures.append(f"{name}: no points in {mean}")

# Our read-back tool prints what Gnocchi read.
dump = subprocess.run([ours_bin.replace("statsd", "carbonara-dump"), "--storage", f"{work}/ours",
                       "--metric", "api.hits|c", "--method", "sum", "--granularity", "1"],
                      capture_output=True, text=True, timeout=60)
gm = gmetrics.get("api.hits|c")
if gm is not None:
    agg = next(a for a in [carbonara.Aggregation("sum", d.granularity, d.timespan)
                           for d in gm.archive_policy.definition]
               if a.granularity == numpy.timedelta64(1, "s"))
    want = [float(v) for _, v in store.get_aggregated_measures({gm: [agg]})[gm][agg]]
    got = [float(line.split(",")[1]) for line in dump.stdout.splitlines() if line]
    checked += 1
    if got != want or dump.returncode != 0:
        failures.append(f"carbonara-dump --storage: {got} != {want} ({dump.stderr.strip()})")

for f in failures:
    print("FAIL", f)
print(f"statsd: {len(names_g & names_o)} metrics, {checked} aggregations ({points} points) "
      f"compared with gnocchi-statsd 4.7.1, {checked - len(failures)} equal bit for bit")
sys.exit(1 if failures else 0)
