#!/usr/bin/env bash
# ceph-exporter's output must parse with promtool (Prometheus' Go parser, the one promtool,
# telegraf and node_exporter's textfile collector use), for every live capture in
# testdata/ceph, with and without perf counters, in both float layouts, and for the embedded
# capture. promtool's lint findings (exit 3) are expected: the mgr module's names break several
# lints by design (counters without `_total`, `_sum`/`_count` counters, `:` in names). A parse
# error (exit 1) fails the step.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null 2>&1; then
    echo "installing promtool (Debian package prometheus)"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool --version | head -1

cargo build --locked -q -p examples --bin ceph-exporter
bin=target/debug/ceph-exporter
work=target/conformance-exporter
rm -rf "$work"
mkdir -p "$work"

check() {
    local label=$1 file=$2 rc=0
    promtool check metrics < "$file" > "$file.promtool" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
        echo "FAIL $label: promtool exit $rc"
        head -5 "$file.promtool"
        exit 1
    fi
    echo "ok   $label: $(grep -vc '^#' "$file") samples, promtool exit $rc ($(wc -l < "$file.promtool") lint lines)"
}

# The check can fail: the Pacific module's own output repeats a HELP/TYPE block and does not
# parse.
rc=0
promtool check metrics < testdata/ceph/16.2.15-healthy/mgr_prometheus_metrics.txt > /dev/null 2>&1 || rc=$?
if [ "$rc" -ne 1 ]; then
    echo "FAIL: promtool accepted the Pacific module's invalid output (exit $rc)"
    exit 1
fi
echo "ok   (the Pacific module's own output is refused by promtool, as expected)"

n=0
for cap in 16.2.15-healthy 16.2.15-degraded 18.2.7-healthy 18.2.7-degraded 20.2.4-healthy \
           20.2.4-degraded; do
    dir=testdata/ceph/"$cap"
    for opts in "" "--no-perf" "--float-style mgr"; do
        out="$work/$cap${opts// /_}.prom"
        # shellcheck disable=SC2086
        "$bin" --dump-dir "$dir" $opts > "$out"
        check "$cap $opts" "$out"
        n=$((n + 1))
    done
done
"$bin" > "$work/embedded.prom"
check "embedded" "$work/embedded.prom"
n=$((n + 1))
echo "exporter conformance: $n expositions parsed by promtool"
