#!/usr/bin/env bash
# Live proof: a real Pacific cluster (Debian's Ceph packages, .ci/ceph-minicluster.sh), the mgr
# prometheus module, ceph-exporter --ceph (librados build, perf counters over the admin
# sockets) and ceph-exporter --asok-dir (per-host mode, the module's names), both with
# --listen, and a real Prometheus (Debian's) scraping all three with default scrape settings but
# a 5 s interval. Through Prometheus' HTTP API (.ci/live_check.py) it asserts:
#   - up is 1 for every job;
#   - every perf-counter series of the module is in the per-host job;
#   - every series the module job has (but RBD image and the module's timing series) exists in
#     ours, with equal values for the static families;
#   - after stopping osd.2, ceph_osd_up for it is 0 in both, and ours still has its counters;
#   - after stopping the mon, ours answers 503 (--stale-cache fail) within two intervals, and
#     200 again once the mon is back;
#   - SIGTERM leaves no ceph child of ours running (a --cli instance, children in flight).
# Every process it starts is stopped by PID on exit. Takes about 3-4 minutes (timings printed).
# Ports: LIVE_PORT_BASE (default 19300) for ours and Prometheus; the cluster uses the
# minicluster's defaults (PORT_BASE=40000, PROM_PORT=9283) unless set.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
T0=$(date +%s)
t() { echo "[+$(( $(date +%s) - T0 ))s] $*"; }

base=${LIVE_PORT_BASE:-19300}
ours_port=$base
cli_port=$((base + 1))
asok_port=$((base + 2))
prom_port=$((base + 90))
interval=5

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
need=()
command -v ceph-mon >/dev/null 2>&1 || need+=(ceph)
[ -e /usr/include/rados/librados.h ] || need+=(librados-dev)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
    t "installing ${need[*]}"
    $sudo apt-get update -qq
    if [[ " ${need[*]} " == *" ceph "* ]]; then $sudo bash .ci/ceph-minicluster.sh install; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        librados-dev prometheus jq curl >/dev/null
fi
t "$(ceph --version)"

# The librados build is not covered by the workspace-wide steps (the feature is off there).
cargo clippy --locked -q -p exporter -p examples --features examples/rados --all-targets -- -D warnings
cargo test --locked -q -p exporter --features rados --lib rados 2>&1 | grep -E '^test result' || true
cargo build --locked -q -p examples --features rados --bin ceph-exporter
bin=$root/target/debug/ceph-exporter
work=$root/target/conformance-live
rm -rf "$work"
mkdir -p "$work"
cluster=${LIVE_CEPH_DIR:-$(mktemp -d /tmp/live-ceph.XXXXXX)}
conf=$cluster/ceph.conf
pids=()

cleanup() {
    local rc=$?
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    if [ -s "$cluster/pids" ]; then bash .ci/ceph-minicluster.sh stop "$cluster" >"$work/stop.log" 2>&1 || true; fi
    [ -z "${LIVE_CEPH_DIR:-}" ] && rm -rf "$cluster"
    t "done (exit $rc)"
    exit $rc
}
trap cleanup EXIT

t "starting the cluster in $cluster"
bash .ci/ceph-minicluster.sh start "$cluster" >"$work/start.log" 2>&1 || { tail -20 "$work/start.log"; exit 1; }
CAPTURE_LOAD=1 bash .ci/ceph-minicluster.sh populate "$cluster" >"$work/populate.log" 2>&1 \
    || { tail -20 "$work/populate.log"; exit 1; }
mgr_url=$(grep -o 'prometheus module serving on 127.0.0.1:[0-9]*' "$work/populate.log" | tail -1 | sed 's/.* on //')
[ -n "$mgr_url" ] || { echo "FAIL: no prometheus module address in populate.log"; exit 1; }
# The module refreshes its cache every scrape_interval (15 s by default); as often as ours.
ceph -c "$conf" config set mgr mgr/prometheus/scrape_interval $interval
t "cluster up; module on $mgr_url"

"$bin" --ceph --conf "$conf" --tell-asok-dir "$cluster/run" --listen "127.0.0.1:$ours_port" \
    --interval $interval --timeout 3 --stale-cache fail >"$work/ours.log" 2>&1 &
ours=$!
pids+=("$ours")
"$bin" --asok-dir "$cluster/run" --asok-flavor mgr --listen "127.0.0.1:$asok_port" \
    --interval $interval >"$work/asok.log" 2>&1 &
pids+=("$!")

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: ${interval}s
scrape_configs:
  - job_name: mgr
    static_configs: [{targets: ["$mgr_url"]}]
  - job_name: ours
    static_configs: [{targets: ["127.0.0.1:$ours_port"]}]
  - job_name: asok
    static_configs: [{targets: ["127.0.0.1:$asok_port"]}]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
prom=http://127.0.0.1:$prom_port
check() { python3 .ci/live_check.py "$prom" "$@"; }

for _ in $(seq 60); do curl -sf "$prom/-/ready" >/dev/null && break; sleep 1; done
check wait-up mgr ours asok --deadline 90
# Two scrapes of each after both are up, so every family is in.
sleep $((2 * interval))
t "parity"
check parity mgr ours
check perf-parity mgr asok

t "stopping osd.2"
osd_pid=$(awk '$1=="osd.2" {p=$2} END {print p}' "$cluster/pids")
ceph -c "$conf" osd set noout >/dev/null 2>&1
kill -TERM "$osd_pid"
for _ in $(seq 60); do kill -0 "$osd_pid" 2>/dev/null || break; sleep 0.5; done
# The mon marks it down at once (it says goodbye); two scrapes of each job after that.
check osd-down mgr ours 2 --deadline $((4 * interval + 10))

t "stopping the mon"
mon_pid=$(awk '$1=="mon.a" {p=$2} END {print p}' "$cluster/pids")
kill -TERM "$mon_pid"
for _ in $(seq 60); do kill -0 "$mon_pid" 2>/dev/null || break; sleep 0.5; done
stop_at=$(date +%s.%N)
code=""
while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$ours_port/metrics" || true)
    now=$(date +%s.%N)
    [ "$code" = 503 ] && break
    if awk -v a="$stop_at" -v b="$now" -v l=$((2 * interval + 3 + 2)) 'BEGIN {exit !(b - a > l)}'; then
        echo "FAIL: ours still answers $code $(awk -v a="$stop_at" -v b="$now" 'BEGIN {print b - a}') s after the mon stopped"
        exit 1
    fi
    sleep 0.5
done
echo "ok   ours answers 503 $(awk -v a="$stop_at" -v b="$now" 'BEGIN {printf "%.1f", b - a}') s after the mon stopped (interval $interval s, timeout 3 s)"
check wait 'up{job="ours"}' 0 --deadline $((3 * interval))
grep -m1 -E "did not answer|stale" "$work/ours.log" | sed 's/^/     ours logged: /' || true

t "restarting the mon"
setsid ceph-mon -c "$conf" -i a -f >>"$cluster/log/mon.a.stdout" 2>&1 </dev/null &
echo "mon.a $!" >>"$cluster/pids"
start_at=$(date +%s.%N)
while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$ours_port/metrics" || true)
    now=$(date +%s.%N)
    [ "$code" = 200 ] && break
    if awk -v a="$start_at" -v b="$now" 'BEGIN {exit !(b - a > 90)}'; then
        echo "FAIL: ours still answers $code 90 s after the mon restarted"
        exit 1
    fi
    sleep 0.5
done
echo "ok   ours answers 200 again $(awk -v a="$start_at" -v b="$now" 'BEGIN {printf "%.1f", b - a}') s after the mon restarted"
check wait 'up{job="ours"}' 1 --deadline $((4 * interval))

t "SIGTERM with ceph children in flight (--cli)"
"$bin" --ceph --conf "$conf" --cli --listen "127.0.0.1:$cli_port" --interval 1 --timeout 20 \
    >"$work/cli.log" 2>&1 &
cli=$!
pids+=("$cli")
kids=""
for _ in $(seq 100); do
    kids=$(pgrep -P "$cli" -x ceph | tr '\n' ' ' || true)
    [ -n "$kids" ] && break
    sleep 0.1
done
[ -n "$kids" ] || { echo "FAIL: no ceph child of ours seen"; exit 1; }
kill -TERM "$cli"
for _ in $(seq 50); do kill -0 "$cli" 2>/dev/null || break; sleep 0.1; done
kill -0 "$cli" 2>/dev/null && { echo "FAIL: ours did not exit on SIGTERM"; exit 1; }
sleep 0.5
left=""
for k in $kids; do
    # A pid is still ours if it is alive and still a ceph client of this cluster.
    if [ -r "/proc/$k/cmdline" ] && tr '\0' ' ' <"/proc/$k/cmdline" | grep -qF -- "$conf"; then left+="$k "; fi
done
[ -z "$left" ] || { echo "FAIL: ceph children left running after SIGTERM: $left"; exit 1; }
echo "ok   SIGTERM: ours exited, its ceph children ($kids) are gone"
t "live conformance passed"
