#!/usr/bin/env bash
# ceph-exporter --listen under a real Prometheus (Debian's prometheus 2.42) over TLS with basic
# auth from an exporter-toolkit web config (self-signed certificate made here with openssl,
# bcrypt hash with htpasswd). Through Prometheus' HTTP API: `up` is 1, and the sample names
# Prometheus stored are exactly the mgr module's (no `_total`), compared with the module's own
# output for the embedded capture (testdata/ceph/18.2.7-healthy). Also, with curl: Prometheus
# 2.42's exact Accept header and no --format gets text 0.0.4; Accept-Encoding: gzip gets a
# gzip body; a wrong password gets 401; plain HTTP to the TLS port gets no HTTP answer.
# Everything started here is stopped by PID. About 15 s after the build.
# Ports 19210 (exporter) and 19211 (Prometheus).
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
prometheus --version 2>&1 | head -1

cargo build --locked -q -p examples --bin ceph-exporter
bin=$PWD/target/debug/ceph-exporter
work=$PWD/target/conformance-exporter-web
rm -rf "$work"
mkdir -p "$work"
exporter_addr=127.0.0.1:19210
prom_addr=127.0.0.1:19211

pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    for f in "$work"/exporter.log "$work"/prometheus.log; do
        [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }
    done
    exit 1
}

# A self-signed certificate for 127.0.0.1, and a user.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$work/server.key" -out "$work/server.crt" 2>/dev/null
hash=$(htpasswd -nbBC 10 "" s3cr3t | tr -d ':\n')
cat > "$work/web.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  prometheus: '$hash'
EOF

"$bin" --listen "$exporter_addr" --interval 2 --web.config.file "$work/web.yml" \
    --log-level debug 2> "$work/exporter.log" &
pids+=($!)

cat > "$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: ceph
    scheme: https
    tls_config:
      ca_file: $work/server.crt
    basic_auth:
      username: prometheus
      password: s3cr3t
    static_configs:
      - targets: ['$exporter_addr']
EOF
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="$prom_addr" > "$work/prometheus.log" 2>&1 &
pids+=($!)

url=https://$exporter_addr/metrics
auth=(--cacert "$work/server.crt" -u prometheus:s3cr3t)

# The exporter answers (first collection cached).
for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${auth[@]}" "$url" || true)
    [ "$code" = 200 ] && break
    sleep 0.2
done
[ "$code" = 200 ] || fail "exporter never answered 200 (last: $code)"

# Prometheus 2.42's exact Accept header, no --format: text 0.0.4.
accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
curl -sS --max-time 10 "${auth[@]}" -H "Accept: $accept" -D "$work/text.head" -o "$work/text.body" "$url"
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$work/text.head" ||
    fail "content type for Prometheus' Accept: $(grep -i content-type "$work/text.head")"
grep -q '^ceph_pool_rd{' "$work/text.body" || fail "no ceph_pool_rd sample in the body"
! grep -q '^ceph_pool_rd_total' "$work/text.body" || fail "ceph_pool_rd_total in the text body"
echo "ok   Prometheus 2.42 Accept header: text/plain; version=0.0.4"

# Accept-Encoding: gzip.
curl -sS --max-time 10 "${auth[@]}" -H 'Accept-Encoding: gzip' -D "$work/gz.head" -o "$work/gz.body" "$url"
grep -qi '^content-encoding: gzip' "$work/gz.head" || fail "no Content-Encoding: gzip"
gzip -dc "$work/gz.body" > "$work/gz.text" || fail "the gzip body does not decompress"
grep -q '^# TYPE ceph_health_status ' "$work/gz.text" || fail "the gzip body is not the exposition"
echo "ok   Accept-Encoding: gzip: $(stat -c %s "$work/gz.body") bytes for $(stat -c %s "$work/gz.text")"

# Wrong password: 401 with a challenge. Plain HTTP to the TLS port: no HTTP answer.
curl -sS --max-time 10 --cacert "$work/server.crt" -u prometheus:wrong -D "$work/401.head" -o /dev/null "$url"
grep -q '^HTTP/1.1 401' "$work/401.head" || fail "wrong password: $(head -1 "$work/401.head")"
grep -qi '^www-authenticate: Basic' "$work/401.head" || fail "401 without WWW-Authenticate"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$exporter_addr/metrics" || true)
[ "$code" = 000 ] || fail "plain HTTP to the TLS port answered $code"
echo "ok   wrong password: 401 + WWW-Authenticate; plain HTTP to the TLS port: closed"

# Prometheus scrapes over TLS with basic auth: up == 1, then the stored names.
api=http://$prom_addr/api/v1
up=""
for _ in $(seq 1 60); do
    up=$(curl -s --max-time 5 "$api/query" --data-urlencode 'query=up{job="ceph"}' |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
    [ "$up" = 1 ] && break
    sleep 1
done
[ "$up" = 1 ] || fail "up{job=\"ceph\"} is '$up'"
echo "ok   Prometheus: up{job=\"ceph\"} = 1 over TLS with basic auth"

curl -sG --max-time 10 "$api/label/__name__/values" --data-urlencode 'match[]={job="ceph"}' > "$work/names.json"
python3 - "$work/names.json" testdata/ceph/18.2.7-healthy/mgr_prometheus_metrics_with_perf.txt <<'EOF'
import json, re, sys
stored = {n for n in json.load(open(sys.argv[1]))["data"] if n.startswith("ceph_")}
module = set()
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    module.add(re.match(r"[^{ ]+", line).group(0))
# RBD image stats need the mgr's OSD perf query; no dump has them.
module = {n for n in module if not n.startswith("ceph_rbd_")}
# Ours adds one pair of per-input health series (success, duration) the module does not have.
health = {"ceph_exporter_input_success", "ceph_exporter_input_duration_seconds"}
assert health <= stored, sorted(health - stored)
stored -= health
extra, missing = sorted(stored - module), sorted(module - stored)
if extra or missing:
    print(f"FAIL: names stored by Prometheus vs the module's: extra {extra[:10]}, missing {missing[:10]}")
    sys.exit(1)
for name in ("ceph_pool_rd", "ceph_osd_op_r"):
    assert name in stored, name
assert not any(n.endswith("_total") and n[:-6] in module for n in stored)
print(f"ok   Prometheus stored {len(stored)} ceph_ sample names, exactly the module's (no _total), and the 2 per-input health series")
EOF

curl -s --max-time 5 "$api/query" --data-urlencode 'query=ceph_pool_rd' |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; assert r, "no ceph_pool_rd series"; print(f"ok   ceph_pool_rd: {len(r)} series")'

# --format openmetrics applies to --listen: OpenMetrics whatever Accept says, `_total` on
# counter samples.
"$bin" --listen 127.0.0.1:19212 --interval 60 --format openmetrics 2> "$work/exporter-om.log" &
om_pid=$!
pids+=("$om_pid")
for _ in $(seq 1 150); do
    code=$(curl -s -o "$work/om.body" -D "$work/om.head" -w '%{http_code}' --max-time 5 \
        -H 'Accept: text/plain;version=0.0.4' http://127.0.0.1:19212/metrics || true)
    [ "$code" = 200 ] && break
    sleep 0.2
done
[ "$code" = 200 ] || fail "--format openmetrics exporter never answered 200 (last: $code)"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$work/om.head" ||
    fail "--format openmetrics: $(grep -i content-type "$work/om.head")"
[ "$(tail -1 "$work/om.body")" = "# EOF" ] || fail "--format openmetrics: no # EOF"
grep -q '^ceph_pool_rd_total{' "$work/om.body" || fail "--format openmetrics: no ceph_pool_rd_total"
echo "ok   --format openmetrics with --listen: OpenMetrics (ceph_pool_rd_total) even for a text Accept"
kill -TERM "$om_pid"

# SIGTERM: the exporter stops by itself.
kill -TERM "${pids[0]}"
for _ in $(seq 1 50); do
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.1
done
! kill -0 "${pids[0]}" 2>/dev/null || fail "exporter still running 5 s after SIGTERM"
wait "${pids[0]}" || fail "exporter exit status $? after SIGTERM"
echo "ok   SIGTERM: exporter exited 0"
