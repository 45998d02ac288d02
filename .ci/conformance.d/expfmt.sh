#!/usr/bin/env bash
# expfmt against real peers: every golden and the encoder's output for the property-test corpus
# must parse with `promtool check metrics` (lint findings about naming are fine, parse errors are
# not) and read back identically with Python's prometheus_client parsers.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null; then
    echo "installing promtool (Debian package prometheus)"
    export DEBIAN_FRONTEND=noninteractive
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
venv=target/conformance-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import prometheus_client' 2>/dev/null; then
    echo "installing prometheus_client into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q prometheus_client
fi

corpus=target/expfmt-conformance
EXPFMT_CONFORMANCE_DIR="$PWD/$corpus" cargo test -q -p expfmt --locked --test lib conformance_corpus >/dev/null

# promtool: exit 0 = clean, 3 = lint findings only, anything else = cannot parse.
checked=0
failed=0
for f in testdata/expfmt/golden/*.txt "$corpus"/*.txt; do
    case "$f" in *.om.txt) continue ;; esac
    rc=0
    out=$(promtool check metrics <"$f" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
        echo "promtool cannot parse $f (exit $rc): $out"
        failed=$((failed + 1))
    fi
    checked=$((checked + 1))
done
echo "promtool: $checked expositions, $failed parse failures"
[ "$failed" -eq 0 ]

"$venv/bin/python" .ci/expfmt_conformance.py "$corpus"

# Every OpenMetrics type both ways (stateset, info, gaugehistogram included): prometheus_client
# reads what promcat writes from the specification's examples, promcat --check accepts what
# prometheus_client writes, and promtool parses the text form (client_python's mapping).
cargo build -q -p examples --locked --bin promcat
types_out=target/expfmt-types
"$venv/bin/python" .ci/expfmt_types_conformance.py target/debug/promcat \
    testdata/expfmt/openmetrics/valid "$types_out"
checked=0
failed=0
for f in "$types_out"/*.txt; do
    rc=0
    out=$(promtool check metrics <"$f" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
        echo "promtool cannot parse $f (exit $rc): $out"
        failed=$((failed + 1))
    fi
    checked=$((checked + 1))
done
echo "promtool: $checked type examples as text, $failed parse failures"
[ "$failed" -eq 0 ]
