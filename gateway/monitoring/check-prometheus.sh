#!/usr/bin/env bash
# Proves that a real Prometheus reads the gateway's metrics (issue 5):
#   1. starts the built gateway jar on a free loopback port and publishes a few events;
#   2. `promtool check metrics` on a live scrape, `promtool check rules` and
#      `promtool test rules` on the alerting rules, `promtool check config` on the example config;
#   3. every metric the alerts, the Grafana dashboard and the README name exists in the live scrape;
#   4. starts a real Prometheus on 127.0.0.1 (free port, temporary storage) with the example
#      prometheus.yml (target and interval rewritten) and polls its HTTP API until
#      up == 1 and pushgateway_events_published_total is non-zero; the dashboard's queries
#      must then all be valid PromQL against it.
# Every wait is bounded; both processes are stopped on exit, whatever happens.
#
# Usage: gateway/monitoring/check-prometheus.sh [path/to/push-gateway.jar]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="${1:-$here/../target/push-gateway.jar}"
PROMETHEUS="${PROMETHEUS:-/usr/bin/prometheus}"
PROMTOOL="${PROMTOOL:-/usr/bin/promtool}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

log() { echo "check-prometheus: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

for tool in "$PROMETHEUS" "$PROMTOOL"; do
  [ -x "$tool" ] || fail "$tool not found (apt-get install prometheus)"
done
command -v curl >/dev/null || fail "curl not found"
command -v java >/dev/null || fail "java not found"
[ -f "$jar" ] || fail "$jar not found (mvn -B package first)"

work="$(mktemp -d)"
gateway_pid=""
prometheus_pid=""
client_pids=()
cleanup() {
  status=$?
  for pid in "${client_pids[@]}" "$prometheus_pid" "$gateway_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      # Graceful stop first; a process still there after 10 s is killed.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ "$status" -ne 0 ]; then
    log "gateway log:"; tail -n 30 "$work/gateway.log" >&2 2>/dev/null || true
    log "prometheus log:"; tail -n 30 "$work/prometheus.log" >&2 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until "$@" succeeds, at most WAIT_SECONDS.
wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${WAIT_SECONDS}s waiting for $what"
    sleep 0.25
  done
}

# A loopback port nobody listens on (bash's /dev/tcp: a refused connection means free).
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  fail "no free port found"
}

# ---- 1. the gateway, on a port it picks itself
java -jar "$jar" --host 127.0.0.1 --port 0 >"$work/gateway.log" 2>&1 &
gateway_pid=$!
gateway_listening() { grep -q "listening on http://" "$work/gateway.log"; }
wait_for "the gateway to listen" gateway_listening
gateway_port="$(grep -o 'listening on http://[^ ]*' "$work/gateway.log" | head -n 1 | sed 's/.*://')"
gateway="127.0.0.1:$gateway_port"
wait_for "GET /ready" curl -sf "http://$gateway/ready"
log "gateway pid $gateway_pid on $gateway"

# A WebSocket and an SSE subscriber stay open (curl holds the streams) while events flow.
curl -sN --max-time $((WAIT_SECONDS * 4)) -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
  -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
  "http://$gateway/ws?topics=ci.metrics" >"$work/ws.out" 2>/dev/null &
client_pids+=($!)
curl -sN --max-time $((WAIT_SECONDS * 4)) "http://$gateway/sse?topics=ci.metrics&cursor=ci.metrics:0" \
  >"$work/sse.out" 2>/dev/null &
client_pids+=($!)
ws_subscribed() { grep -aq '"op":"subscribed"' "$work/ws.out"; }
wait_for "the WebSocket subscription" ws_subscribed
for i in 1 2 3; do
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"n\":$i}" \
    "http://$gateway/api/topics/ci.metrics/events" >/dev/null || fail "publish $i"
done
curl -sf "http://$gateway/poll?topics=ci.metrics&cursor=ci.metrics:0" >/dev/null || fail "short poll"
sse_received() { [ "$(grep -c '^data: ' "$work/sse.out")" -ge 3 ]; }
wait_for "3 events over SSE" sse_received

# ---- 2. promtool on a live scrape, the rules and the config
curl -sf "http://$gateway/metrics" >"$work/scrape.txt" || fail "GET /metrics"
"$PROMTOOL" check metrics <"$work/scrape.txt" || fail "promtool check metrics on a live scrape"
log "promtool check metrics: OK ($(grep -vc '^#' "$work/scrape.txt") series)"
"$PROMTOOL" check rules "$here/alerts.yml" || fail "promtool check rules"
(cd "$here" && "$PROMTOOL" test rules alerts-test.yml) || fail "promtool test rules"

prometheus_port="$(free_port)"
mkdir -p "$work/prometheus"
cp "$here/alerts.yml" "$work/prometheus/alerts.yml"
sed -e "s/localhost:8080/$gateway/" -e 's/scrape_interval: 15s/scrape_interval: 1s/' \
  -e 's/evaluation_interval: 15s/evaluation_interval: 1s/' \
  "$here/prometheus.yml" >"$work/prometheus/prometheus.yml"
grep -q "$gateway" "$work/prometheus/prometheus.yml" || fail "prometheus.yml has no localhost:8080 target to rewrite"
"$PROMTOOL" check config "$work/prometheus/prometheus.yml" || fail "promtool check config"

# ---- 3. the alerts, the dashboard and the README only name metrics the gateway serves
missing=0
# Registered on first use, so possibly absent from a young process: the first GC's pause timer.
lazy=" jvm_gc_pause_seconds jvm_gc_pause_seconds_sum jvm_gc_pause_seconds_count "
for name in $(grep -ho '\b\(pushgateway\|vertx\|jvm\|process\|system\)_[a-z0-9_]*[a-z0-9]' \
    "$here/alerts.yml" "$here/grafana-dashboard.json" "$here/README.md" | sort -u); do
  case "$lazy" in *" $name "*) continue ;; esac
  # A histogram or timer is served as name_bucket, name_count, name_sum and name_max.
  if ! grep -q "^$name\(_bucket\|_count\)\?[{ ]" "$work/scrape.txt"; then
    log "named by the alerts, the dashboard or the README but not served: $name"
    missing=1
  fi
done
[ "$missing" -eq 0 ] || fail "unknown metric names"

# ---- 4. a real Prometheus scraping the gateway
"$PROMETHEUS" --config.file="$work/prometheus/prometheus.yml" \
  --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" \
  --log.level=warn >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
api="http://127.0.0.1:$prometheus_port/api/v1"
log "prometheus pid $prometheus_pid on 127.0.0.1:$prometheus_port"
wait_for "Prometheus to be ready" curl -sf "http://127.0.0.1:$prometheus_port/-/ready"

query() { curl -sf --get "$api/query" --data-urlencode "query=$1"; }
up_is_one() { query 'up{job="push-gateway"}' | grep -q '"value":\[[0-9.]*,"1"\]'; }
published_non_zero() {
  query 'pushgateway_events_published_total{job="push-gateway"} > 0' | grep -q '"result":\[{'
}
wait_for 'up{job="push-gateway"} == 1' up_is_one
wait_for 'pushgateway_events_published_total > 0' published_non_zero
ws_open() { query 'pushgateway_connections{job="push-gateway",transport="ws"} == 1' | grep -q '"result":\[{'; }
wait_for 'pushgateway_connections{transport="ws"} == 1' ws_open
log "Prometheus: up == 1, pushgateway_events_published_total = $(query 'pushgateway_events_published_total' \
  | grep -o '"value":\[[0-9.]*,"[0-9.]*"\]' | sed 's/.*,"\(.*\)"\]/\1/')"

rules_loaded() { curl -sf "$api/rules" | grep -q '"name":"PushGatewayNoReadyNode"'; }
wait_for "the alerting rules to load" rules_loaded
# The gateway is ready: once an evaluation has seen a scrape, "no ready node" must be inactive
# (an evaluation before the first scrape may have made it pending, rightly).
no_ready_alert_inactive() { ! curl -sf "$api/alerts" | grep -q '"alertname":"PushGatewayNoReadyNode"'; }
wait_for "PushGatewayNoReadyNode to be inactive" no_ready_alert_inactive

# Every dashboard query must parse and evaluate (Grafana's variables filled in).
if command -v jq >/dev/null; then
  while IFS= read -r expr; do
    expr="${expr//\$__rate_interval/1m}"
    expr="${expr//\$instance/.*}"
    answer="$(query "$expr" || true)"
    echo "$answer" | grep -q '"status":"success"' || fail "dashboard query does not evaluate: $expr"
  done < <(jq -r '.panels[].targets[]?.expr' "$here/grafana-dashboard.json")
  log "all $(jq '[.panels[].targets[]?] | length' "$here/grafana-dashboard.json") dashboard queries evaluate"
else
  log "jq not found: dashboard queries not evaluated"
fi

log "OK: promtool checks pass and a real Prometheus scrapes the gateway"
