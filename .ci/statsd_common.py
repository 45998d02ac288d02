"""What the statsd conformance run and the statsd benchmark share: a gnocchi.conf for
gnocchi-statsd 4.7.1 (PostgreSQL indexer on WORK/sock port 19510, file incoming and storage
under WORK/gnocchi-data), the database schema, and the configured service and indexer.

Also: waiting for a daemon's log line with a deadline, and stopping the daemons started.
"""
import re
import signal
import subprocess
import sys
import time

from gnocchi import indexer, service


def wait_log(path, pattern, what, procs, deadline=60.0):
    """Waits until the log at PATH matches PATTERN; exits naming WHAT if one of PROCS exits
    first or DEADLINE seconds pass."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if re.search(pattern, open(path, errors="replace").read()):
            return
        for p in procs:
            if p.poll() is not None:
                sys.exit(f"{what}: exited early, log:\n" + open(path, errors="replace").read())
        time.sleep(0.05)
    sys.exit(f"{what}: not ready after {deadline} s")


def stop_all(procs):
    """SIGTERM to each of PROCS still running, SIGKILL after 10 s."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def gnocchi_setup(work, venv, port, resource_id, creator, policy, flush):
    """Writes WORK/gnocchi.conf, upgrades the schema; returns (conf_path, conf, index)."""
    conf_path = f"{work}/gnocchi.conf"
    with open(conf_path, "w") as f:
        f.write(f"""[DEFAULT]
coordination_url = file://{work}/coord
[indexer]
url = postgresql+psycopg2://postgres@/gnocchi?host={work}/sock&port=19510
[storage]
driver = file
file_basepath = {work}/gnocchi-data
[incoming]
driver = file
file_basepath = {work}/gnocchi-data
[statsd]
host = 127.0.0.1
port = {port}
resource_id = {resource_id}
creator = {creator}
archive_policy_name = {policy}
flush_delay = {flush}
""")
    subprocess.run([f"{venv}/bin/gnocchi-upgrade", "--config-file", conf_path],
                   check=True, capture_output=True, timeout=120)
    conf = service.prepare_service(args=["--config-file", conf_path], log_to_std=True,
                                   logging_level=40)
    return conf_path, conf, indexer.get_driver(conf)
