#!/usr/bin/env bash
# Conformance against real peers: runs every .ci/conformance.d/*.sh in name order.
# Each script installs what it needs itself and fails on any disagreement.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for s in .ci/conformance.d/*.sh; do
    printf -- '--> %s\n' "$s"
    bash "$s"
done
