"""What the statsd conformance run and the statsd benchmark share: a gnocchi.conf for
gnocchi-statsd 4.7.1 (PostgreSQL indexer on WORK/sock port 19510, file incoming and storage
under WORK/gnocchi-data), the database schema, and the configured service and indexer.
"""
import subprocess

from gnocchi import indexer, service


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
