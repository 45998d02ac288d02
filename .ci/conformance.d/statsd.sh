#!/usr/bin/env bash
# statsd conformance: the same packet stream goes to the real gnocchi-statsd 4.7.1 (PostgreSQL
# indexer, file incoming and storage) and to our `statsd`; gnocchi's measures are processed by
# its own metricd code (Chef.process_new_measures_for_sack); then Gnocchi's FileStorage reads both
# storages and every aggregate of every metric must be equal bit for bit, with the same metric
# names on both sides (so bad lines and packet-ending faults were refused alike).
# Installs gnocchi==4.7.1 + its PostgreSQL extras into target/gnocchi-venv and Debian's
# postgresql if missing; runs PostgreSQL on a unix socket in a temp dir (port 19510), the two
# daemons on 127.0.0.1:19511/19512, and stops all of them. About 45 s with a warm venv.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/gnocchi-venv
if ! "$venv/bin/python" -c 'import gnocchi.storage.file, psycopg2, sqlalchemy_utils, alembic, oslo_db' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check gnocchi==4.7.1 psycopg2-binary \
        'oslo.db>=4.29.0' 'sqlalchemy>=1.4.24' sqlalchemy-utils 'alembic!=0.8.1,!=0.9.0,>=0.7.6'
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$initdb" ]; then
    $sudo apt-get install -y -qq postgresql >/dev/null
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)
fi
pgbin=$(dirname "$initdb")
# STATSD_MODE=bench runs the packet-rate benchmark (.ci/statsd_bench.py) on release builds
# instead of the conformance run.
mode=${STATSD_MODE:-conformance}
profile=debug
if [ "$mode" = bench ]; then
    cargo build --quiet --locked --release -p examples --bin statsd --bin carbonara-dump
    profile=release
else
    cargo build --quiet --locked -p examples --bin statsd --bin carbonara-dump
fi

work=$(mktemp -d)
chmod 755 "$work"
mkdir "$work/pg" "$work/sock"
# PostgreSQL refuses to run as root: as root it runs as the postgres user.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$work/pg" "$work/sock"
    as_pg=(runuser -u postgres --)
fi
cleanup() {
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$initdb" -D "$work/pg" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/sock/log" -w -t 60 \
    -o "-k $work/sock -p 19510 -c listen_addresses=''" start >/dev/null
"$pgbin/psql" -q -h "$work/sock" -p 19510 -U postgres -c 'create database gnocchi' >/dev/null

"$venv/bin/python" ".ci/statsd_$mode.py" "$work" "$venv" "target/$profile/statsd"
