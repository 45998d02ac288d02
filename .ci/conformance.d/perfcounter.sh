#!/usr/bin/env bash
# perfcounter's mgr flavour against the real ceph-mgr prometheus module: Debian bookworm's
# 16.2.15 module, imported unchanged by ../shared/tools/mgr_harness.py, which answers its C++
# calls from a directory of dumps.
#  1. The Pacific oracle files committed in testdata/perfcounter are regenerated and must be
#     identical (but for the module's timing of its own collect()); Reef's are the 18.2.7
#     module's, regenerated in a trixie chroot (testdata/perfcounter/README.md).
#  2. More captures (both degraded ones, and a 24-OSD cluster scaled from the Pacific capture
#     with perturbed counters) are prepared with the module's output and checked by
#     `captures_named_by_the_environment`: every perf family, type, HELP, series and value.
# Needs apt (as root or through sudo) on Debian bookworm, and the team's shared folder (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."

# The team's harness (not part of the repository): $CEPH_SHARED, ../shared, or /work/shared.
shared=""
for d in "${CEPH_SHARED:-}" ../shared /work/shared; do
    if [ -n "$d" ] && [ -f "$d/tools/mgr_harness.py" ]; then
        shared=$d
        break
    fi
done
if [ -z "$shared" ]; then
    echo "perfcounter: mgr_harness.py not found (set CEPH_SHARED to the team's shared folder)" >&2
    exit 1
fi
work=target/perfcounter-conformance
rm -rf "$work"
mkdir -p "$work/debs" "$work/cases"

# What the module imports, from Debian; the module itself is only extracted, not installed.
py=/usr/bin/python3
mods='import rados, cephfs, rbd, ceph_argparse, ceph, cherrypy, yaml, pkg_resources, dateutil, OpenSSL'
if ! "$py" -c "$mods" 2>/dev/null || ! (cd "$work/debs" && apt-get download -qq ceph-mgr ceph-mgr-modules-core 2>/dev/null); then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        python3-rados python3-cephfs python3-rbd python3-ceph-argparse python3-ceph-common \
        python3-cherrypy3 python3-yaml python3-pkg-resources python3-dateutil python3-openssl >/dev/null
    (cd "$work/debs" && apt-get download -qq ceph-mgr ceph-mgr-modules-core 2>/dev/null)
fi
for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
done
mgr="$work/root/usr/share/ceph/mgr"
"$py" -c "import sys; sys.path[:0] = ['$mgr']; $mods"
echo "module: $(ls "$work"/debs | tr '\n' ' ')"

harness() { "$py" "$shared/tools/mgr_harness.py" "$1" --mgr-dir "$mgr" -o "$2"; }

# The family names of the module's output for SRC without its perf files.
non_perf() {
    local src=$1 out=$2 tmp
    tmp=$(mktemp -d "$work/noperf.XXXX")
    for f in "$src"/*; do
        case $(basename "$f") in perf_*) ;; *) ln -s "$(realpath "$f")" "$tmp/" ;; esac
    done
    harness "$tmp" "$tmp.txt"
    grep '^# TYPE' "$tmp.txt" | awk '{print $3}' | awk '!s[$0]++' >"$out"
}

# 1. The committed oracle of this module's release (reef-healthy's is the 18.2.7 module's, made
#    in a Debian trixie chroot: see testdata/perfcounter/README.md; its perf-counter lines are
#    the ones 16.2.15 writes for the same dumps, which the reef-degraded case below relies on).
src=$shared/fixtures/ceph-16.2.15/healthy
dst=testdata/perfcounter/pacific-healthy
harness "$src" "$work/oracle.txt"
# Identical but for the module's own collect() timings.
timing='^ceph_prometheus_collect_duration_seconds_sum\{'
diff <(grep -Ev "$timing" "$work/oracle.txt") <(grep -Ev "$timing" "$dst/mgr_harness.txt")
echo "ok: $dst/mgr_harness.txt is the module's output for $src (timings aside)"
non_perf "$shared/fixtures/ceph-16.2.15/healthy" "$work/non_perf.txt"
cmp "$work/non_perf.txt" testdata/perfcounter/pacific-healthy/non_perf_families.txt
echo "ok: testdata/perfcounter/pacific-healthy/non_perf_families.txt"

# 2. More captures.
case_dir() {
    local src=$1 name=$2
    local dst="$work/cases/$name"
    mkdir -p "$dst"
    cp "$src"/perf_schema.*.json "$src"/perf_dump.*.json "$dst/"
    harness "$src" "$dst/mgr_harness.txt"
    non_perf "$src" "$dst/non_perf_families.txt"
    captures="${captures:+$captures:}$(realpath "$dst")"
}
captures=
case_dir "$shared/fixtures/ceph-16.2.15/degraded" pacific-degraded
case_dir "$shared/fixtures/ceph-18.2.7/degraded" reef-degraded
"$py" "$shared/tools/scale_cluster.py" "$shared/fixtures/ceph-16.2.15/healthy" "$work/scaled-24" \
    --osds 24 --pgs 512 >/dev/null
case_dir "$work/scaled-24" pacific-scaled-24-osds

if ! PERFCOUNTER_MGR_CAPTURES=$captures cargo test -p perfcounter --test lib --locked \
    captures_named_by_the_environment -- --nocapture >"$work/test.log" 2>&1; then
    cat "$work/test.log"
    exit 1
fi
grep -E 'perf families|captures checked|test result' "$work/test.log"
