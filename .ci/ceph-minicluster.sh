#!/usr/bin/env bash
# Provenance: copied unchanged from the team's shared tools (shared/tools/ceph-minicluster.sh, 2026-12-04)
# so that CI, which runs on a clean clone, has it; keep the two in step.
# ceph-minicluster.sh - throw-away single-host Ceph for capturing real JSON / perf-counter /
# prometheus fixtures.  Tested with 16.2.15 "pacific" (Debian bookworm, on the host),
# 18.2.7 "reef" (Debian trixie) and 20.2.4 "tentacle" (Debian sid), the last two in a chroot.
#
#   ceph-minicluster.sh install              apt-get install the packages (non-interactive)
#   ceph-minicluster.sh start    DIR         fresh 1 mon + 1 mgr + 3 bluestore OSDs (+2 MDS, CephFS)
#   ceph-minicluster.sh populate DIR         pools, quota, rados bench, rbd image, prometheus module
#                                            (+ ceph-exporter if that binary is installed)
#   ceph-minicluster.sh capture  DIR OUTDIR  dump JSON, admin-socket and /metrics outputs
#   ceph-minicluster.sh degrade  DIR [ID]    set noout, stop osd.ID (default: last), wait for OSD_DOWN+PG_DEGRADED
#   ceph-minicluster.sh stop     DIR         SIGTERM only the PIDs recorded in DIR/pids, wait, then SIGKILL stragglers
#   ceph-minicluster.sh status   DIR         ceph -s
#   ceph-minicluster.sh all      DIR FIXROOT start, populate, capture FIXROOT/healthy, degrade, capture FIXROOT/degraded, stop
#   ceph-minicluster.sh prom-families FIXROOT  FIXROOT/prometheus_families.tsv from the /metrics captures
#   ceph-minicluster.sh promtool-check OUTDIR  promtool check metrics on every /metrics file in OUTDIR
#                                            (needs no ceph: run it on the host after a chroot run)
#
# Everything binds to 127.0.0.1; everything lives under DIR (conf, keyrings, data,
# sockets, logs); /etc/ceph and /var/lib/ceph are not used.  Auth: cephx.
# OSDs: BlueStore on sparse files of OSD_SIZE bytes each, either attached as loop
# devices (OSD_BACKEND=loop, default when root and losetup works: osd metadata then
# has bluestore_bdev_dev_node=/dev/loopN, so the prometheus ceph_disk_occupation
# metric has samples) or used directly as files (OSD_BACKEND=file: DIR/osd.N/block).
# Daemons run as root in the foreground (-f), detached with setsid; their PIDs
# are appended to DIR/pids as "<name> <pid>".
# Release differences are keyed on the major version of `ceph --version` (CEPH_MAJOR):
#   >= 18 (reef): also captures admin-socket `counter dump`/`counter schema` (labeled perf
#   counters; the asok loop already asks every daemon for them, "n/a" on pacific), and the
#   prometheus module's /metrics a second time with mgr/prometheus/exclude_perf_counters=false
#   (mgr_prometheus_metrics_with_perf.txt; the option does not exist in pacific, where perf
#   counters are always exported).  If a `ceph-exporter` binary is installed (any release; Debian's
#   packages up to 20.2.4 do not ship one, so this path is untested), it is started on 127.0.0.1
#   against DIR/run and its /metrics saved as ceph_exporter_metrics.txt (command line in
#   ceph_exporter_cmdline.txt).
#
# Environment knobs (defaults): NUM_OSD=3 OSD_SIZE=10737418240 WITH_MDS=1 OSD_BACKEND=auto
#   PORT_BASE=40000 (mon v2=PORT_BASE, v1=PORT_BASE+1, daemons PORT_BASE+10..+300)
#   PROM_PORT=9283 (falls back to a free port if taken) EXPORTER_PORT=9926 (idem)
#   CAPTURE_LOAD=1 WITH_PROMTOOL=1 MGR_PYO3_STUB=auto (0: never use the bcrypt stub, see below)
#
# ceph-mgr < 19 loads every python module in its own sub-interpreter.  PyO3 extensions
# (python3-bcrypt >= 4.1, python3-cryptography >= 41, e.g. Debian trixie) refuse to load there,
# and mgr_util.py does `import bcrypt` at the top, so *no* mgr module loads (HEALTH_WARN
# MGR_MODULE_DEPENDENCY, no prometheus module).  When a test import of bcrypt in a sub-interpreter
# fails with a PyO3 error, `start` writes a stub `bcrypt` package (raises if called; only the
# dashboard's password hashing uses it) to DIR/mgr-pyshim and starts ceph-mgr with
# PYTHONPATH=DIR/mgr-pyshim (which the mgr puts right after mgr_module_path in sys.path).  Nothing
# outside DIR is changed.  Enabled, not always-on modules that still cannot load (restful:
# pyOpenSSL -> cryptography) are then disabled with `ceph mgr module disable`.  Both are
# recorded in DIR/workarounds.  Ceph 20 has mgr_subinterpreter_modules (empty by default: all
# modules share the main interpreter), so it needs neither.
#
# Newer release in a chroot (e.g. on a bookworm host; as root; R is any directory outside a git
# checkout; use suite trixie for 18.2.x, sid for 20.2.x):
#   apt-get install -y debootstrap
#   R=/srv/chroot-reef; debootstrap --variant=minbase trixie "$R" http://deb.debian.org/debian
#   printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod +x "$R/usr/sbin/policy-rc.d"
#   # sid only, if this machine's clock is ahead of the mirror ("Release file ... is expired"):
#   echo 'Acquire::Check-Valid-Until "false";' >"$R/etc/apt/apt.conf.d/99no-valid-until"
#   for m in proc sys dev dev/pts; do mount --bind "/$m" "$R/$m"; done   # postinst scripts need /proc
#   mkdir -p "$R/run/ceph"                                               # ceph-mds postinst chowns it
#   cp ceph-minicluster.sh "$R/usr/local/bin/"
#   chroot "$R" /bin/bash -c 'apt-get update && WITH_PROMTOOL=0 ceph-minicluster.sh install'
#   chroot "$R" /bin/bash -c 'ceph-minicluster.sh all /srv/ceph-mini /srv/fixtures/ceph-18.2.7'
#   ceph-minicluster.sh promtool-check "$R/srv/fixtures/ceph-18.2.7/healthy"   # on the host (idem degraded)
#   for m in dev/pts dev sys proc; do umount "$R/$m"; done
# Loop devices attached inside the chroot are host devices (the bind-mounted /dev); `stop`
# detaches them.  Leave the bind mounts in place until `stop` has finished.
set -euo pipefail

NUM_OSD=${NUM_OSD:-3}
OSD_SIZE=${OSD_SIZE:-10737418240}
WITH_MDS=${WITH_MDS:-1}
OSD_BACKEND=${OSD_BACKEND:-auto}
PORT_BASE=${PORT_BASE:-40000}
PROM_PORT=${PROM_PORT:-9283}
EXPORTER_PORT=${EXPORTER_PORT:-9926}
CAPTURE_LOAD=${CAPTURE_LOAD:-1}
MGR_PYO3_STUB=${MGR_PYO3_STUB:-auto}
WITH_PROMTOOL=${WITH_PROMTOOL:-1}
PY=/usr/bin/python3
MARKER=.ceph-minicluster
T0=$(date +%s)

log() { echo "[$(date +%T) +$(( $(date +%s) - T0 ))s] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# major version of the installed ceph (16 pacific, 17 quincy, 18 reef, 19 squid, 20 tentacle)
CEPH_MAJOR=
ceph_major() {
    [ -n "$CEPH_MAJOR" ] || CEPH_MAJOR=$(ceph --version 2>/dev/null | sed -n 's/^ceph version \([0-9][0-9]*\)\..*/\1/p')
    echo "${CEPH_MAJOR:-0}"
}

setdir() {
    [ -n "${1:-}" ] || die "missing DIR"
    mkdir -p "$1"
    DIR=$(cd "$1" && pwd)
    CONF=$DIR/ceph.conf
}
c()    { timeout 120 ceph -c "$CONF" --connect-timeout 60 "$@"; }
cj()   { c "$@" -f json; }

health_status() { cj health 2>/dev/null | jq -r .status 2>/dev/null || echo UNKNOWN; }
health_checks() { cj health 2>/dev/null | jq -r '.checks | keys | join(",")' 2>/dev/null || true; }

wait_for() { # wait_for TIMEOUT DESCRIPTION CMD...
    local to=$1 what=$2; shift 2
    local end=$(( $(date +%s) + to ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$end" ] || { log "timeout (${to}s) waiting for: $what"; return 1; }
        sleep 1
    done
    log "ok: $what"
}
# "active+clean" count == num_pgs (health alone is HEALTH_OK while new PGs are still peering)
all_pgs_clean() {
    cj pg stat 2>/dev/null | jq -e '.pg_summary as $s | ([$s.num_pg_by_state[] | select(.name=="active+clean") | .num] | add // 0) == $s.num_pgs' >/dev/null 2>&1
}
wait_health_ok() { # HEALTH_OK and all PGs active+clean
    local to=${1:-300} end=$(( $(date +%s) + ${1:-300} )) st
    while :; do
        st=$(health_status)
        [ "$st" = HEALTH_OK ] && all_pgs_clean && { log "HEALTH_OK, all PGs active+clean"; return 0; }
        [ "$(date +%s)" -lt "$end" ] || { log "timeout (${to}s) waiting for HEALTH_OK+clean; now $st: $(health_checks)"; return 1; }
        sleep 2
    done
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run a daemon in the foreground, detached from our session; record its PID
spawn() { # spawn NAME CMD...
    local name=$1; shift
    setsid "$@" -f >>"$DIR/log/$name.stdout" 2>&1 < /dev/null &
    local pid=$!
    sleep 0.5
    kill -0 "$pid" 2>/dev/null || die "$name exited immediately; see $DIR/log/$name.stdout and $DIR/log/$name.log"
    echo "$name $pid" >>"$DIR/pids"
    log "started $name pid $pid"
}

pid_of() { awk -v n="$1" '$1==n {p=$2} END {print p}' "$DIR/pids" 2>/dev/null; }
# only treat a PID as ours if it is alive and its command line references our conf
pid_is_ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$CONF"; }

# loop devices we attached are listed in DIR/loops as "<device> <backing file>"
detach_loops() {
    [ -s "$DIR/loops" ] || return 0
    local dev file
    while read -r dev file; do
        if losetup -j "$file" 2>/dev/null | grep -q "^$dev:"; then
            losetup -d "$dev" && log "detached $dev ($file)"
        fi
    done <"$DIR/loops"
    rm -f "$DIR/loops"
}

# --- ceph-mgr vs PyO3 (see the header) ---
PYO3_STUB_MARK='ceph-minicluster.sh PyO3 stub'
pyo3_subinterp_fails() { # pyo3_subinterp_fails MODULE: true if importing MODULE in a legacy sub-interpreter fails with a PyO3 error
    $PY - "$1" <<'PYEOF' 2>/dev/null
import sys
try:
    import _interpreters as I          # 3.13+
except ImportError:
    import _xxsubinterpreters as I     # 3.8-3.12
try:
    iid = I.create('legacy')           # like Py_NewInterpreter()
except (TypeError, ValueError):
    iid = I.create()
try:
    r = I.run_string(iid, 'import ' + sys.argv[1])
    msg = '' if r is None else str(getattr(r, 'msg', r))
except Exception as e:                 # < 3.13 raises RunFailedError
    msg = str(e)
sys.exit(0 if 'PyO3' in msg else 1)
PYEOF
}
MGR_ENV=()   # prefix for the ceph-mgr command line (env PYTHONPATH=... when the stub is used)
mgr_pyo3_stub_install() {
    MGR_ENV=()
    [ "$MGR_PYO3_STUB" != 0 ] || return 0
    ceph-conf -D 2>/dev/null | grep -q '^mgr_subinterpreter_modules' && return 0
    pyo3_subinterp_fails bcrypt || return 0
    mkdir -p "$DIR/mgr-pyshim/bcrypt"
    cat >"$DIR/mgr-pyshim/bcrypt/__init__.py" <<PYEOF
# $PYO3_STUB_MARK: python3-bcrypt is a PyO3 extension, which cannot be imported in ceph-mgr's
# per-module sub-interpreters (ceph < 19), so mgr_util.py's "import bcrypt" stops every mgr module
# from loading.  Only password hashing (dashboard) calls bcrypt; this stub raises if it is used.
def _unavailable(*args, **kwargs):
    raise NotImplementedError('bcrypt is stubbed out by ceph-minicluster.sh (PyO3 sub-interpreter problem)')
gensalt = hashpw = checkpw = kdf = _unavailable
PYEOF
    MGR_ENV=(env "PYTHONPATH=$DIR/mgr-pyshim${PYTHONPATH:+:$PYTHONPATH}")
    echo "mgr-bcrypt-stub PYTHONPATH=$DIR/mgr-pyshim" >>"$DIR/workarounds"
    log "workaround: ceph-mgr gets PYTHONPATH=$DIR/mgr-pyshim (stub bcrypt; python3-bcrypt is PyO3, ceph-mgr $(ceph_major) uses sub-interpreters)"
}
# disable enabled (not always-on) mgr modules that cannot load (MGR_MODULE_DEPENDENCY/MGR_MODULE_ERROR)
mgr_disable_broken_modules() {
    local mods m
    mods=$(cj health detail 2>/dev/null | jq -r '.checks | (.MGR_MODULE_DEPENDENCY.detail // []) + (.MGR_MODULE_ERROR.detail // []) | .[].message' \
        | sed -n "s/^Module '\([^']*\)' has.*/\1/p" | sort -u)
    [ -n "$mods" ] || return 0
    local always; always=$(cj mgr module ls | jq -r '.always_on_modules | if type == "object" then (to_entries | map(.value) | add) else . end | .[]' | sort -u)
    for m in $mods; do
        if grep -qx "$m" <<<"$always"; then
            log "WARNING: always-on mgr module $m cannot load: $(cj health detail | jq -r --arg m "$m" '.checks[].detail[]?.message | select(startswith("Module '"'"'" + $m + "'"'"'"))')"
        else
            c mgr module disable "$m"
            echo "mgr-module-disabled $m" >>"$DIR/workarounds"
            log "workaround: disabled mgr module $m (cannot load)"
        fi
    done
}

cmd_install() {
    export DEBIAN_FRONTEND=noninteractive
    local pkgs=(ceph-mon ceph-mgr ceph-osd ceph-mds ceph-common ceph-mgr-modules-core curl jq python3
                iproute2 procps util-linux mount)
    [ "$WITH_PROMTOOL" = 1 ] && pkgs+=(prometheus)
    if ! apt-cache policy ceph-mon | grep -q 'Candidate: [0-9]'; then apt-get update -q; fi
    # upstream's packages have a separate ceph-exporter package; Debian's (16.2.15, 18.2.7, 20.2.4) do not
    if apt-cache policy ceph-exporter 2>/dev/null | grep -q 'Candidate: [0-9]'; then pkgs+=(ceph-exporter); fi
    # policy-rc.d (if present) keeps postinst from starting services; there is no systemd anyway
    apt-get install -y -q --no-install-recommends "${pkgs[@]}"
    ceph --version
}

write_conf() {
    cat >"$CONF" <<EOF
; generated by ceph-minicluster.sh
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$PORT_BASE,v1:127.0.0.1:$((PORT_BASE + 1))]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind port min = $((PORT_BASE + 10))
ms bind port max = $((PORT_BASE + 300))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $DIR/run
admin socket = $DIR/run/\$cluster-\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
osd pool default size = 3
osd pool default min size = 2
osd pool default pg num = 32
mon allow pool delete = true
; shared root fs of CI machines is often <30% free
mon data avail warn = 5
mon data avail crit = 1
mon osd down out interval = 600
osd memory target = 939524096

[client]
keyring = $DIR/ceph.client.admin.keyring
log file = $DIR/log/client.\$pid.log
; per-process socket, so concurrent clients (e.g. background rbd bench) do not collide
admin socket = $DIR/run/\$cluster-\$name.\$pid.asok

[mon]
mon data = $DIR/\$name
keyring = $DIR/\$name/keyring
mon cluster log file = $DIR/log/cluster.log

[mgr]
mgr data = $DIR/\$name
keyring = $DIR/\$name/keyring

[osd]
osd data = $DIR/\$name
keyring = $DIR/\$name/keyring
osd objectstore = bluestore
bluestore block create = true
bluestore block size = $OSD_SIZE
osd crush update on start = true

[mds]
mds data = $DIR/\$name
keyring = $DIR/\$name/keyring
EOF
}

cmd_start() {
    setdir "$1"
    if [ -s "$DIR/pids" ]; then
        while read -r n p; do pid_is_ours "$p" && die "$n (pid $p) from a previous run is still alive; run: $0 stop $DIR"; done <"$DIR/pids"
    fi
    if [ -n "$(ls -A "$DIR")" ]; then
        [ -e "$DIR/$MARKER" ] || die "$DIR is not empty and not a ceph-minicluster dir; refusing to wipe it"
        detach_loops
        find "$DIR" -mindepth 1 -delete
    fi
    touch "$DIR/$MARKER"
    mkdir -p "$DIR"/{run,log,crash,mon.a,mgr.x}
    port_free "$PORT_BASE" && port_free $((PORT_BASE + 1)) || die "mon ports $PORT_BASE/$((PORT_BASE + 1)) are taken; set PORT_BASE"
    if [ "$OSD_BACKEND" = auto ]; then
        if [ "$(id -u)" = 0 ] && losetup -f >/dev/null 2>&1; then OSD_BACKEND=loop; else OSD_BACKEND=file; fi
    fi
    echo "$OSD_BACKEND" >"$DIR/osd_backend"
    log "OSD backend: $OSD_BACKEND"
    FSID=$(cat /proc/sys/kernel/random/uuid)
    write_conf
    log "fsid $FSID, conf $CONF"

    # --- mon ---
    ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool --create-keyring "$DIR/ceph.client.admin.keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
    ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/ceph.client.admin.keyring" >/dev/null
    monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$PORT_BASE,v1:127.0.0.1:$((PORT_BASE + 1))]" "$DIR/monmap" >/dev/null
    ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring"
    spawn mon.a ceph-mon -c "$CONF" -i a
    wait_for 60 "mon quorum" c quorum_status
    c config set mon auth_allow_insecure_global_id_reclaim false >/dev/null

    # --- mgr ---
    mgr_pyo3_stub_install
    c auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$DIR/mgr.x/keyring"
    spawn mgr.x "${MGR_ENV[@]}" ceph-mgr -c "$CONF" -i x

    # --- osds ---
    local i id uuid secret
    for ((i = 0; i < NUM_OSD; i++)); do
        uuid=$(cat /proc/sys/kernel/random/uuid)
        secret=$(ceph-authtool --gen-print-key)
        printf '{"cephx_secret": "%s"}' "$secret" >"$DIR/osd-new.json"
        id=$(c osd new "$uuid" -i "$DIR/osd-new.json")
        rm -f "$DIR/osd-new.json"
        mkdir -p "$DIR/osd.$id"
        # one pseudo host per OSD so the default (host failure domain) rule works
        printf '\n[osd.%s]\ncrush location = root=default host=node%s\n' "$id" "$id" >>"$CONF"
        if [ "$OSD_BACKEND" = loop ]; then
            local img=$DIR/disks/osd.$id.img dev
            mkdir -p "$DIR/disks"
            truncate -s "$OSD_SIZE" "$img"
            dev=$(losetup --find --show --direct-io=on "$img" 2>/dev/null || losetup --find --show "$img")
            echo "$dev $img" >>"$DIR/loops"
            printf 'bluestore block path = %s\n' "$dev" >>"$CONF"
            log "osd.$id: $img attached as $dev"
        fi
        ceph-osd -c "$CONF" -i "$id" --mkfs --key "$secret" --osd-uuid "$uuid" >>"$DIR/log/osd.$id.mkfs" 2>&1 \
            || die "mkfs osd.$id failed, see $DIR/log/osd.$id.mkfs and $DIR/log/osd.$id.log"
        printf '[osd.%s]\n\tkey = %s\n' "$id" "$secret" >"$DIR/osd.$id/keyring"
        spawn "osd.$id" ceph-osd -c "$CONF" -i "$id"
    done
    wait_for 180 "$NUM_OSD OSDs up" sh -c "[ \"\$(timeout 60 ceph -c '$CONF' osd stat -f json | jq .num_up_osds)\" = $NUM_OSD ]"
    wait_for 120 "mgr available" sh -c "timeout 60 ceph -c '$CONF' mgr dump -f json | jq -e .available"

    # --- cephfs: mds.a becomes active, mds.b (started afterwards) stays standby ---
    if [ "$WITH_MDS" = 1 ]; then
        local m
        for m in a b; do
            mkdir -p "$DIR/mds.$m"
            c auth get-or-create "mds.$m" mon 'allow profile mds' osd 'allow rwx' mds 'allow' mgr 'allow profile mds' \
                -o "$DIR/mds.$m/keyring"
        done
        spawn mds.a ceph-mds -c "$CONF" -i a
        c osd pool create cephfs.cephfs.meta 16 16 replicated >/dev/null 2>&1
        c osd pool create cephfs.cephfs.data 16 16 replicated >/dev/null 2>&1
        wait_for 60 "mds.a standby" sh -c "timeout 60 ceph -c '$CONF' fs dump -f json | jq -e '.standbys | length > 0'"
        c fs new cephfs cephfs.cephfs.meta cephfs.cephfs.data
        wait_for 120 "mds active" sh -c "timeout 60 ceph -c '$CONF' fs dump -f json | jq -e '[.filesystems[].mdsmap.info[] | select(.state==\"up:active\")] | length > 0'"
        spawn mds.b ceph-mds -c "$CONF" -i b
        wait_for 60 "mds.b standby" sh -c "timeout 60 ceph -c '$CONF' fs dump -f json | jq -e '.standbys | length > 0'"
    fi
    mgr_disable_broken_modules
    wait_health_ok 300 || true
    log "start done in $(( $(date +%s) - T0 ))s: $(health_status) $(health_checks)"
}

cmd_populate() {
    setdir "$1"
    # replicated size 3 / min_size 2, used by rbd
    c osd pool create mini-rbd 32 32 replicated >/dev/null
    c osd pool set mini-rbd size 3 >/dev/null
    c osd pool set mini-rbd min_size 2 >/dev/null
    timeout 120 rbd -c "$CONF" pool init mini-rbd         # also enables application "rbd"
    # bench pool with a quota
    c osd pool create mini-bench 32 32 replicated >/dev/null
    c osd pool application enable mini-bench rados-bench >/dev/null
    c osd pool set-quota mini-bench max_objects 100000 >/dev/null
    c osd pool set-quota mini-bench max_bytes 10737418240 >/dev/null
    wait_health_ok 180 || true
    log "rados bench write 10s (at most 200 x 4 MiB objects)"
    timeout 120 rados -c "$CONF" bench -p mini-bench 10 write --no-cleanup --max-objects 200 >"$DIR/log/bench-write.out" 2>&1
    log "rados bench seq 5s"
    timeout 60 rados -c "$CONF" bench -p mini-bench 5 seq >"$DIR/log/bench-seq.out" 2>&1 || true
    log "rbd image + rbd bench"
    timeout 60 rbd -c "$CONF" create --size 1024 mini-rbd/img0
    timeout 60 rbd -c "$CONF" create --size 512 mini-rbd/img1
    timeout 120 rbd -c "$CONF" bench --io-type write --io-size 4096 --io-total 16M --io-pattern rand mini-rbd/img0 \
        >"$DIR/log/rbd-bench.out" 2>&1
    # mgr prometheus module, bound to loopback
    local port=$PROM_PORT
    port_free "$port" || port=$(free_port)
    c config set mgr mgr/prometheus/server_addr 127.0.0.1
    c config set mgr mgr/prometheus/server_port "$port"
    c config set mgr mgr/prometheus/rbd_stats_pools mini-rbd
    c mgr module enable prometheus
    wait_for 60 "prometheus module serving on 127.0.0.1:$port" curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null
    exporter_start
    wait_health_ok 180 || true
    log "populate done: $(health_status) $(health_checks)"
}

prom_url() { cj mgr services | jq -r '.prometheus // empty'; }

# ceph-exporter (upstream packages it since 17.2.6/18.2; Debian does not): reads the perf
# counters of every daemon from the admin sockets in DIR/run, serves them on 127.0.0.1.
# Its PID goes to DIR/pids (cmdline contains $CONF, so stop/pid_is_ours handle it).
exporter_start() {
    command -v ceph-exporter >/dev/null || { log "no ceph-exporter binary; skipping it"; return 0; }
    local port=$EXPORTER_PORT
    port_free "$port" || port=$(free_port)
    local cmd=(ceph-exporter -c "$CONF" -n client.admin --sock-dir "$DIR/run" --addrs 127.0.0.1 --port "$port")
    spawn ceph-exporter "${cmd[@]}"          # spawn appends -f
    echo "${cmd[*]} -f" >"$DIR/ceph_exporter_cmdline"
    echo "http://127.0.0.1:$port/metrics" >"$DIR/ceph_exporter_url"
    wait_for 60 "ceph-exporter serving on 127.0.0.1:$port" sh -c "curl -sf 'http://127.0.0.1:$port/metrics' | grep -q '^ceph_'" || true
}

# restart the prometheus module (fresh instance, config re-read); wait until it serves again,
# without perf counters, and (if rbd_stats_pools is set) with rbd image stats
prom_module_restart() {
    local url
    c mgr module disable prometheus
    c mgr module enable prometheus
    wait_for 90 "prometheus module serving again" sh -c "url=\$(timeout 60 ceph -c '$CONF' mgr services -f json | jq -r '.prometheus // empty'); [ -n \"\$url\" ] && curl -sf --max-time 30 \"\${url%/}/metrics\" | grep -c '^ceph_health_status' >/dev/null" || return 0
    url=$(prom_url)
    wait_for 60 "prometheus module without perf counters" sh -c "! curl -sf --max-time 30 '${url%/}/metrics' | grep -cE '$PERF_FAMILY_RE' >/dev/null" || true
    if [ -n "$(c config get mgr mgr/prometheus/rbd_stats_pools 2>/dev/null)" ]; then
        wait_for 90 "prometheus module has rbd image stats" metrics_has "${url%/}/metrics" '^ceph_rbd_write_ops\{' || true
    fi
}

# metrics_has URL REGEX: the /metrics body has a line matching REGEX
# (not grep -q: with pipefail, curl's SIGPIPE after an early match would fail the pipeline)
metrics_has() { curl -sf --max-time 30 "$1" | grep -cE "$2" >/dev/null; }
# families that only the perf-counter part of the prometheus module emits (present in all releases)
PERF_FAMILY_RE='^ceph_(osd_op_r|mon_num_sessions|paxos_commit)\{'

# background client load so that io rates / latencies are non-zero while capturing:
# 4 KiB random read/write on an RBD image (bounded footprint: overwrites inside img0)
LOAD_PIDS=()
load_start() {
    setsid rbd -c "$CONF" bench --io-type readwrite --rw-mix-read 70 --io-size 4096 --io-threads 2 \
        --io-total 100G --io-pattern rand mini-rbd/img0 >"$DIR/log/load-rbd.out" 2>&1 </dev/null &
    LOAD_PIDS+=($!)
    log "background load pid: ${LOAD_PIDS[*]}"
}
load_stop() {
    local p
    for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${LOAD_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    LOAD_PIDS=()
}

cmd_capture() {
    setdir "$1"
    [ -n "${2:-}" ] || die "missing OUTDIR"
    mkdir -p "$2"; local OUT; OUT=$(cd "$2" && pwd)
    # re-capturing into a previous capture dir: drop its old files first
    if [ -e "$OUT/_capture_log.tsv" ]; then find "$OUT" -maxdepth 1 -type f -delete; fi
    local clog=$OUT/_capture_log.tsv
    printf 'file\trc\tbytes\tcommand\n' >"$clog"
    if [ "$CAPTURE_LOAD" = 1 ]; then load_start; trap load_stop EXIT; sleep 12; fi
    [ ! -s "$DIR/workarounds" ] || cp "$DIR/workarounds" "$OUT/_workarounds.txt"

    run1() { # run1 FILE CMD...  (stdout -> FILE; keep file only if rc==0 and non-empty)
        local f=$1; shift
        local rc=0
        "$@" >"$OUT/$f" 2>"$OUT/.stderr" || rc=$?
        if [ "$rc" != 0 ] || [ ! -s "$OUT/$f" ]; then
            printf '%s\t%s\t-\t%s\t%s\n' "$f" "$rc" "$*" "$(tr '\n' ' ' <"$OUT/.stderr" | cut -c1-200)" >>"$clog"
            rm -f "$OUT/$f"
        else
            printf '%s\t%s\t%s\t%s\n' "$f" "$rc" "$(stat -c %s "$OUT/$f")" "$*" >>"$clog"
        fi
        rm -f "$OUT/.stderr"
    }
    local cmds=(
        "status" "health" "health detail" "df" "df detail"
        "osd dump" "osd tree" "osd metadata" "osd df" "osd df tree" "osd perf" "osd pool stats"
        "osd pool ls detail" "osd pool autoscale-status" "osd pool get-quota mini-bench" "osd stat"
        "osd utilization" "osd crush dump" "osd crush rule dump" "osd crush tree" "osd blocked-by"
        "osd numa-status" "osd versions"
        "pg dump" "pg dump pgs_brief" "pg stat" "pg ls" "pg dump_stuck"
        "mon dump" "mon stat" "mon metadata" "mon versions" "quorum_status" "mon_status" "tell mon.a mon_status"
        "mgr dump" "mgr services" "mgr module ls" "mgr metadata" "mgr stat" "mgr versions"
        "fs dump" "fs ls" "fs status" "mds stat" "mds metadata" "mds versions"
        "versions" "features" "service dump" "service status" "device ls" "config dump"
        "crash ls" "balancer status" "progress json" "time-sync-status" "log last 100" "report"
    )
    local cmd f
    for cmd in "${cmds[@]}"; do
        f=$(echo "$cmd" | tr ' -' '__').json
        # shellcheck disable=SC2086
        run1 "$f" c $cmd -f json
    done
    run1 status.txt c status
    run1 health_detail.txt c health detail
    run1 rados_df.json timeout 60 rados -c "$CONF" df -f json
    run1 rbd_du.json timeout 60 rbd -c "$CONF" du -p mini-rbd --format json

    # admin sockets of every live daemon
    local name pid sub
    while read -r name pid; do
        case $name in mon.*|mgr.*|osd.*|mds.*) ;; *) continue ;; esac
        pid_is_ours "$pid" || { log "skip $name (pid $pid not running)"; continue; }
        local help; help=$(timeout 30 ceph -c "$CONF" daemon "$name" help 2>/dev/null || echo '{}')
        for sub in "perf dump" "perf schema" "perf histogram dump" "perf histogram schema" \
                   "counter dump" "counter schema" "version" "status" "dump_mempools" "mon_status" "config diff"; do
            if echo "$help" | jq -e --arg k "$sub" 'has($k)' >/dev/null; then
                run1 "$(echo "$sub" | tr ' ' '_').$name.json" timeout 30 ceph -c "$CONF" daemon "$name" $sub
            else
                printf '%s\tn/a\t-\tceph daemon %s %s\tnot in asok help\n' "$(echo "$sub" | tr ' ' '_').$name.json" "$name" "$sub" >>"$clog"
            fi
        done
        echo "$help" >"$OUT/asok_help.$name.json"
    done <"$DIR/pids"

    # resident memory of our daemons
    {
        printf 'name\tpid\tvmrss_kib\n'
        while read -r name pid; do
            pid_is_ours "$pid" && printf '%s\t%s\t%s\n' "$name" "$pid" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
        done <"$DIR/pids"
    } >"$OUT/_daemon_rss.tsv"

    # mgr prometheus module
    local url; url=$(prom_url)
    if [ -n "$url" ]; then
        run1 mgr_prometheus_metrics.txt curl -sfS --max-time 60 "${url%/}/metrics"
        # reef+: perf counters are left out by default (mgr/prometheus/exclude_perf_counters=true);
        # capture once more with them, then restore the default
        if [ "$(ceph_major)" -ge 18 ]; then
            c config set mgr mgr/prometheus/exclude_perf_counters false
            printf '%s\t%s\t-\t%s\n' "-" 0 "ceph config set mgr mgr/prometheus/exclude_perf_counters false" >>"$clog"
            if wait_for 90 "prometheus module exports perf counters" metrics_has "${url%/}/metrics" "$PERF_FAMILY_RE"; then
                run1 mgr_prometheus_metrics_with_perf.txt curl -sfS --max-time 60 "${url%/}/metrics"
            fi
            # Back to the default.  `config rm` alone does not reach the running module (it keeps
            # the last value it was given), and the module never forgets a metric family: after
            # switching perf counters off again it still prints HELP/TYPE (without samples) for
            # every perf family.  So: set the default explicitly, remove the setting, and restart
            # the module (disable/enable), which gives a fresh module instance.
            c config set mgr mgr/prometheus/exclude_perf_counters true
            c config rm mgr mgr/prometheus/exclude_perf_counters
            prom_module_restart
            printf '%s\t%s\t-\t%s\n' "-" 0 "ceph config set mgr mgr/prometheus/exclude_perf_counters true; ceph config rm mgr mgr/prometheus/exclude_perf_counters; ceph mgr module disable prometheus; ceph mgr module enable prometheus" >>"$clog"
        fi
    else
        log "prometheus module not serving (mgr services has no prometheus url)"
    fi
    # ceph-exporter, if running
    if [ -s "$DIR/ceph_exporter_url" ]; then
        run1 ceph_exporter_metrics.txt curl -sfS --max-time 60 "$(cat "$DIR/ceph_exporter_url")"
        cp "$DIR/ceph_exporter_cmdline" "$OUT/ceph_exporter_cmdline.txt"
    fi
    if command -v promtool >/dev/null; then cmd_promtool_check "$OUT"; fi
    if [ "$CAPTURE_LOAD" = 1 ]; then load_stop; trap - EXIT; fi
    log "capture into $OUT done: $(ls "$OUT" | wc -l) files"
}

# promtool check metrics on each /metrics capture in OUTDIR -> promtool_check<suffix>.txt.
# promtool stops at the first parse error (16.2.x repeats HELP/TYPE for
# ceph_pool_objects_repaired): then also lint a copy that keeps only the first HELP/TYPE per
# family -> promtool_check<suffix>_dedup.txt
cmd_promtool_check() {
    [ -d "${1:-}" ] || die "usage: $0 promtool-check OUTDIR"
    command -v promtool >/dev/null || die "promtool not found"
    local out=$1 f sfx rc
    for f in mgr_prometheus_metrics.txt:"" mgr_prometheus_metrics_with_perf.txt:_with_perf ceph_exporter_metrics.txt:_ceph_exporter; do
        sfx=${f#*:}; f=${f%%:*}
        [ -s "$out/$f" ] || continue
        rm -f "$out/promtool_check$sfx.txt" "$out/promtool_check${sfx}_dedup.txt"
        rc=0
        promtool check metrics <"$out/$f" >"$out/promtool_check$sfx.txt" 2>&1 || rc=$?
        echo "# promtool check metrics exit status: $rc" >>"$out/promtool_check$sfx.txt"
        if [ "$rc" = 1 ]; then
            rc=0
            awk '/^# (HELP|TYPE) /{k=$2" "$3; if (seen[k]++) next} {print}' "$out/$f" \
                | promtool check metrics >"$out/promtool_check${sfx}_dedup.txt" 2>&1 || rc=$?
            echo "# promtool check metrics exit status (after dropping repeated HELP/TYPE lines): $rc" >>"$out/promtool_check${sfx}_dedup.txt"
        fi
        log "promtool check $f: $(tail -n 1 "$out/promtool_check$sfx.txt")"
    done
}

cmd_degrade() {
    setdir "$1"
    local id=${2:-$((NUM_OSD - 1))} pid
    pid=$(pid_of "osd.$id")
    [ -n "$pid" ] && pid_is_ours "$pid" || die "osd.$id pid '$pid' not running"
    c osd set noout
    log "stopping osd.$id (pid $pid)"
    kill -TERM "$pid"
    local n=0; while kill -0 "$pid" 2>/dev/null; do sleep 1; n=$((n + 1)); [ $n -lt 60 ] || kill -KILL "$pid"; done
    wait_for 120 "OSD_DOWN + PG_DEGRADED" sh -c "timeout 60 ceph -c '$CONF' health -f json | jq -e '.checks | has(\"OSD_DOWN\") and has(\"PG_DEGRADED\")'"
    # let the prometheus module (15 s scrape cache) notice the down OSD
    local url; url=$(prom_url)
    if [ -n "$url" ]; then
        wait_for 90 "prometheus shows osd.$id down" sh -c "curl -sf '${url%/}/metrics' | grep -q '^ceph_osd_up{ceph_daemon=\"osd.$id\"} 0'" || true
    fi
    log "degraded: $(health_status) $(health_checks)"
}

cmd_stop() {
    setdir "$1"
    [ -s "$DIR/pids" ] || { log "no $DIR/pids"; return 0; }
    local name pid live=()
    while read -r name pid; do
        if pid_is_ours "$pid"; then kill -TERM "$pid" && live+=("$pid") && log "SIGTERM $name ($pid)"; fi
    done <"$DIR/pids"
    local n=0
    for pid in "${live[@]}"; do
        while pid_is_ours "$pid"; do
            sleep 1; n=$((n + 1))
            if [ $n -ge 30 ]; then log "SIGKILL $pid"; kill -KILL "$pid" 2>/dev/null || true; sleep 1; fi
        done
    done
    log "stopped ${#live[@]} daemons"
    detach_loops
}

cmd_prom_families() { # family, type, samples per capture, help text
    [ -d "${1:-}" ] || die "usage: $0 prom-families FIXROOT"
    # prometheus_families.tsv: the mgr module's captures (reef+: default, then with perf counters);
    # ceph_exporter_families.tsv: ceph-exporter's captures, if any
    $PY - "$1" <<'PYEOF'
import collections, os, re, sys
root = sys.argv[1]
def parse(path):
    fam, order, samples = {}, [], collections.Counter()
    for line in open(path):
        line = line.rstrip('\n')
        if line.startswith('# HELP '):
            parts = line.split(' ', 3)
            fam.setdefault(parts[2], {}).setdefault('help', parts[3] if len(parts) > 3 else '')
            if parts[2] not in order:
                order.append(parts[2])
        elif line.startswith('# TYPE '):
            _, _, name, typ = line.split(' ', 3)
            fam.setdefault(name, {}).setdefault('type', typ)
            if name not in order:
                order.append(name)
        elif line and not line.startswith('#'):
            samples[re.match(r'[^{ ]+', line).group(0)] += 1
    return fam, order, samples
def write(outname, files):
    caps = []
    for fname, suffix in files:
        for d in ('healthy', 'degraded'):
            path = os.path.join(root, d, fname)
            if os.path.exists(path):
                caps.append((d + suffix, parse(path)))
    if not caps:
        return
    names = []
    for _, (fam, order, _) in caps:
        seen = set(names)
        names += [n for n in order if n not in seen]
    with open(os.path.join(root, outname), 'w') as out:
        out.write('family\ttype\t' + '\t'.join('samples_' + d for d, _ in caps) + '\thelp\n')
        for n in names:
            meta = next(c[0][n] for _, c in caps if n in c[0])
            counts = [str(c[2].get(n, 0)) if n in c[0] else '-' for _, c in caps]
            out.write('\t'.join([n, meta.get('type', '')] + counts + [meta.get('help', '')]) + '\n')
    print(len(names), 'families ->', os.path.join(root, outname))
write('prometheus_families.tsv', [('mgr_prometheus_metrics.txt', ''), ('mgr_prometheus_metrics_with_perf.txt', '_with_perf')])
write('ceph_exporter_families.tsv', [('ceph_exporter_metrics.txt', '')])
PYEOF
}

case "${1:-}" in
    install)  cmd_install ;;
    start)    cmd_start "${2:-}" ;;
    populate) cmd_populate "${2:-}" ;;
    capture)  cmd_capture "${2:-}" "${3:-}" ;;
    degrade)  cmd_degrade "${2:-}" "${3:-}" ;;
    stop)     cmd_stop "${2:-}" ;;
    status)   setdir "${2:-}"; c status ;;
    prom-families) cmd_prom_families "${2:-}" ;;
    promtool-check) cmd_promtool_check "${2:-}" ;;
    all)
        [ -n "${3:-}" ] || die "usage: $0 all DIR FIXROOT"
        ts=$(date +%s); cmd_start "$2";                 t1=$(date +%s)
        cmd_populate "$2";                              t2=$(date +%s)
        cmd_capture "$2" "$3/healthy";                  t3=$(date +%s)
        cmd_degrade "$2";                               t4=$(date +%s)
        cmd_capture "$2" "$3/degraded";                 t5=$(date +%s)
        cmd_stop "$2";                                  t6=$(date +%s)
        cmd_prom_families "$3"
        log "TIMING start=$((t1 - ts))s populate=$((t2 - t1))s capture_healthy=$((t3 - t2))s degrade=$((t4 - t3))s capture_degraded=$((t5 - t4))s stop=$((t6 - t5))s total=$((t6 - ts))s"
        ;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
esac
