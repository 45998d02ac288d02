#!/usr/bin/env bash
# ceph-exporter --asok-dir on a live cluster running in a debootstrap chroot (made for the Reef
# 18.2.7 cluster of testdata/exporter/README.md, "Live admin-socket run on Reef"), both flavours:
#   mgr:      ours against the live mgr prometheus module's /metrics with
#             exclude_perf_counters=false, only the module's perf-counter families (those its
#             default output, perf counters excluded, does not have);
#   exporter: ours against Ceph's own rendering of the same sockets: `ceph --admin-daemon SOCK
#             counter schema|dump` (Ceph's Python admin-socket client) mapped by `perf2prom
#             --flavor exporter` per daemon. Debian (up to 20.2.4) ships no C++ ceph-exporter,
#             so that binary cannot be the reference; this checks our socket client, the
#             daemon discovery and the per-host assembly against Ceph's client. Ours is
#             served with --listen 127.0.0.1:LISTEN_PORT (default 19785) for this one.
# Each reference is read before and after ours, MGR_GAP (module) or REF_GAP (sockets) seconds
# apart each way; .ci/asok_compare.py checks families, series and the values of series static
# in between. The module serves a cache it refreshes every scrape_interval (15 s) from daemon
# reports sent every mgr_stats_period (5 s), so MGR_GAP > 20 s: the read after ours then comes
# from a collection of reports sent after ours, and the two reads from different collections
# (checked).
# Not run by CI (needs the chroot cluster). Run as root from the repository root, after
#   chroot $R ceph-minicluster.sh start $C && chroot $R ceph-minicluster.sh populate $C
# and `cargo build -p examples --bin ceph-exporter --bin perf2prom`. About 90 s.
#   R=/srv/chroot-reef C=/srv/reef-mini .ci/asok_live.sh
set -euo pipefail
R=${R:-/srv/chroot-reef}
C=${C:-/srv/reef-mini}
BIN=${BIN:-target/debug/ceph-exporter}
P2P=${P2P:-target/debug/perf2prom}
OUT=${OUT:-target/asok-live}
REF_GAP=${REF_GAP:-6}
MGR_GAP=${MGR_GAP:-22}
LISTEN_PORT=${LISTEN_PORT:-19785}
asok="$R$C/run"
rm -rf "$OUT"
mkdir -p "$OUT"

ceph() { chroot "$R" timeout 60 ceph -c "$C/ceph.conf" "$@"; }
url=$(ceph mgr services -f json | python3 -c 'import json,sys; print(json.load(sys.stdin)["prometheus"])')
url=${url%/}/metrics
echo "module: $url; sockets: $asok ($(cd "$asok" && ls *.asok | tr '\n' ' '))"
curl_m() { curl -sfS --max-time 30 "$url" -o "$1"; }
# until the module's output has (1) or has not (0) perf-counter families, and the same family
# list in two reads 2 s apart (a restarted module's first answers can be partial); 120 s at most
wait_perf() {
    local want=$1 t=0 last="" n fams
    while :; do
        curl_m "$OUT/probe.txt" 2>/dev/null || : >"$OUT/probe.txt"
        n=$(grep -c '^ceph_osd_op_r{' "$OUT/probe.txt" || true)
        fams=$( (grep '^# TYPE' "$OUT/probe.txt" || true) | md5sum)
        if grep -q '^ceph_health_status ' "$OUT/probe.txt" && [ "$fams" = "$last" ] &&
            { { [ "$want" = 1 ] && [ "$n" -gt 0 ]; } || { [ "$want" = 0 ] && [ "$n" = 0 ]; }; }; then
            return 0
        fi
        last=$fams
        t=$((t + 2))
        if [ $t -ge 120 ]; then
            echo "FAIL: module perf counters never became $want" >&2
            return 1
        fi
        sleep 2
    done
}

# Ceph's own rendering of every socket in the exporter's names: one exposition per daemon.
ref_exporter() {
    local out=$1 s name
    : >"$out"
    for s in "$asok"/*.asok; do
        name=$(basename "$s")
        case $name in
        # The C++ ceph-exporter skips these (DaemonMetricCollector::update_sockets), as ours.
        *mgr* | *ceph-exporter*) continue ;;
        esac
        if ! chroot "$R" timeout 10 ceph --admin-daemon "$C/run/$name" counter schema \
            >"$OUT/schema.$name.json" 2>/dev/null ||
            ! chroot "$R" timeout 10 ceph --admin-daemon "$C/run/$name" counter dump \
                >"$OUT/dump.$name.json" 2>/dev/null; then
            echo "  $name: no answer (a socket without a daemon), left out of the reference"
            continue
        fi
        "$P2P" --schema "$OUT/schema.$name.json" --dump "$OUT/dump.$name.json" --daemon "$name" \
            --flavor exporter >>"$out"
    done
}

start=$(date +%s)
echo "== mgr flavour"
ceph config set mgr mgr/prometheus/exclude_perf_counters true
# A module that once exported perf counters keeps their families (HELP/TYPE, no samples) after
# the option is set back: restart it so its default output lists only its other families.
ceph mgr module disable prometheus
ceph mgr module enable prometheus
wait_perf 0
cp "$OUT/probe.txt" "$OUT/module_default.txt"
ceph config set mgr mgr/prometheus/exclude_perf_counters false
wait_perf 1
curl_m "$OUT/module_before.txt"
sleep "$MGR_GAP"
"$BIN" --asok-dir "$asok" --asok-flavor mgr >"$OUT/ours_mgr.txt"
sleep "$MGR_GAP"
curl_m "$OUT/module_after.txt"
ceph config set mgr mgr/prometheus/exclude_perf_counters true
rc=0
timing='^ceph_prometheus_collect_duration_seconds_sum'
if cmp -s <(grep "$timing" "$OUT/module_before.txt") <(grep "$timing" "$OUT/module_after.txt"); then
    echo "FAIL: both module reads are the same cached collection (raise MGR_GAP)"
    rc=1
fi
python3 .ci/asok_compare.py "$OUT/ours_mgr.txt" "$OUT/module_before.txt" "$OUT/module_after.txt" \
    --drop-families "$OUT/module_default.txt" || rc=1

echo "== exporter flavour"
ref_exporter "$OUT/ceph_before.txt"
sleep "$REF_GAP"
# Served this time: --listen, the first collection's /metrics.
"$BIN" --asok-dir "$asok" --asok-flavor exporter --listen "127.0.0.1:$LISTEN_PORT" \
    --interval 60 >"$OUT/serve.log" 2>&1 &
pid=$!
t=0
until curl -sf --max-time 5 "http://127.0.0.1:$LISTEN_PORT/metrics" -o "$OUT/ours_exporter.txt"; do
    t=$((t + 1))
    if [ $t -ge 30 ] || ! kill -0 $pid 2>/dev/null; then
        echo "FAIL: ceph-exporter --listen did not serve within 30 s" >&2
        cat "$OUT/serve.log" >&2
        kill $pid 2>/dev/null || true
        exit 1
    fi
    sleep 1
done
kill -TERM $pid
wait $pid || true
sleep "$REF_GAP"
ref_exporter "$OUT/ceph_after.txt"
python3 .ci/asok_compare.py "$OUT/ours_exporter.txt" "$OUT/ceph_before.txt" "$OUT/ceph_after.txt" || rc=1
echo "done in $(($(date +%s) - start)) s; files in $OUT"
exit $rc
