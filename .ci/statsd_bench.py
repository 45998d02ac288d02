"""Packets per second with zero loss: our `statsd` vs gnocchi-statsd 4.7.1, same stream.

Run as `STATSD_MODE=bench .ci/conformance.d/statsd.sh` (it sets up PostgreSQL and the venv).
argv: WORK VENV STATSD. Each trial sends single-line counter packets `bench.<trial>:1|c` at a
fixed rate for TRIAL seconds to one daemon; after its flushes, the counter's stored sum (read
by Gnocchi's own storage code for both daemons) must equal the packets sent. The rate grows by
1.25x from 500/s until a trial loses packets; the last lossless rate is the daemon's figure.
"""
import json
import os
import socket
import subprocess
import sys
import time
import types
import uuid
import warnings

work, venv, ours_bin = sys.argv[1:4]
warnings.simplefilter("ignore")
FLUSH, TRIAL = 1.0, float(os.environ.get("STATSD_BENCH_TRIAL", "2"))
GNOCCHI_PORT, OURS_PORT = 19513, 19514

from gnocchi import carbonara, chef, incoming, storage  # noqa: E402
from gnocchi.cli import metricd  # noqa: E402
from gnocchi.storage import file as storage_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statsd_common import gnocchi_setup, stop_all, wait_log  # noqa: E402

resource_id = uuid.UUID("5a3f3a2e-0c1b-4d6e-9f00-000000000002")
conf_path, conf, index = gnocchi_setup(work, venv, GNOCCHI_PORT, resource_id, "bench", "low",
                                       FLUSH)
procs = []


try:
    procs.append(subprocess.Popen([f"{venv}/bin/gnocchi-statsd", "--config-file", conf_path],
                                  stdout=open(f"{work}/g.log", "w"), stderr=subprocess.STDOUT))
    wait_log(f"{work}/g.log", "Started on", "gnocchi-statsd", procs)
    procs.append(subprocess.Popen(
        [ours_bin, "--listen", f"127.0.0.1:{OURS_PORT}", "--storage", f"{work}/ours",
         "--policy", "low", "--flush-delay", str(FLUSH), "--log-level", "warn"],
        stdout=subprocess.DEVNULL, stderr=open(f"{work}/o.log", "w")))
    time.sleep(1)
    coord = metricd.get_coordinator_and_start(str(uuid.uuid4()), conf.coordination_url)
    inc = incoming.get_driver(conf)
    gstore = storage.get_driver(conf)
    kitchen = chef.Chef(coord, inc, index, gstore)
    ostore = storage_file.FileStorage(types.SimpleNamespace(file_basepath=f"{work}/ours",
                                                            file_subdir_len=2))
    low = index.get_archive_policy("low")

    def stored_sum(which, name):
        if which == "gnocchi":
            metrics = [m for m in index.list_metrics(
                attribute_filter={"=": {"resource_id": resource_id}}) if m.name == name]
            if not metrics:
                return 0
            m = metrics[0]
            kitchen.process_new_measures_for_sack(inc.sack_for_metric(m.id), blocking=True,
                                                  sync=True)
            st = gstore
        else:
            entry = json.load(open(f"{work}/ours/ingest-index.json"))["metrics"].get(name)
            if entry is None:
                return 0
            st = ostore

            class M:
                def __init__(self, i, p):
                    self.id, self.archive_policy = i, p
            m = M(uuid.UUID(entry["id"]), low)
        d = m.archive_policy.definition[0]
        agg = carbonara.Aggregation("sum", d.granularity, d.timespan)
        return int(sum(float(v) for _, v in st.get_aggregated_measures({m: [agg]})[m][agg]))

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    trial_no = [0]

    def trial(which, port, rate):
        trial_no[0] += 1
        name = f"bench.{which}.{trial_no[0]}"
        packet = f"{name}:1|c".encode()
        total = int(rate * TRIAL)
        dest = ("127.0.0.1", port)
        t0 = time.perf_counter()
        sent = 0
        while sent < total:
            due = min(total, int((time.perf_counter() - t0) * rate) + 1)
            while sent < due:
                sock.sendto(packet, dest)
                sent += 1
            if sent < total:
                ahead = sent / rate - (time.perf_counter() - t0)
                if ahead > 0.0005:
                    time.sleep(ahead)
        elapsed = time.perf_counter() - t0
        time.sleep(FLUSH * 2.5)
        got = stored_sum(which, name + "|c")
        return sent / elapsed, got, sent

    results = {}
    for which, port in (("gnocchi", GNOCCHI_PORT), ("ours", OURS_PORT)):
        rate, best, limited = 500.0, 0.0, False
        while True:
            achieved, got, sent = trial(which, port, rate)
            lossless = got == sent
            print(f"{which}: target {rate:,.0f}/s sent {sent} at {achieved:,.0f}/s, "
                  f"stored {got} ({'no loss' if lossless else f'lost {sent - got}'})",
                  file=sys.stderr)
            if not lossless:
                break
            best = max(best, achieved)
            if achieved < rate * 0.9:
                limited = True  # the sender cannot go faster
                break
            rate *= 1.25
        results[which] = (best, limited)
finally:
    stop_all(procs)

g, (o, limited) = results["gnocchi"][0], results["ours"]
note = " (sender-limited: ours lost nothing at the fastest rate this sender reaches)" if limited else ""
ratio = f"{o / g:.1f}x" if g > 0 else "n/a (gnocchi-statsd lost packets at the lowest rate)"
print(f"statsd bench: gnocchi-statsd 4.7.1 {g:,.0f} packets/s, ours {o:,.0f} packets/s "
      f"with zero loss, ratio {ratio}{note}")
