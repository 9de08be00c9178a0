# Gateway processes on 127.0.0.1 for the scripts beside it, sourced once $nodes (cluster members,
# ports 18081-1808N, Hazelcast 15701-1570N) and $sets (extra --set arguments) are set. Every process
# started is stopped when the script exits.
members="$(seq -s, -f '127.0.0.1:%g' 15701 $((15700 + nodes)))"
logs="$(mktemp -d)"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

wait_ready() {
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$1/ready" >/dev/null && return 0
    sleep 0.5
  done
  echo "gateway on port $1 not ready; see $logs" >&2
  return 1
}

# Starts a gateway and waits until it is ready; a jar may carry JVM options after a colon.
start() { # jar[:jvm options] port [cluster-port]
  local jar="${1%%:*}" port="$2" args=(--port "$2" --host 127.0.0.1) opts=()
  # a gateway of another run still on the port would answer in this one's place
  if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then
    echo "port $port already serves something (another run?): stop it first" >&2
    return 1
  fi
  [ "$jar" = "$1" ] || read -r -a opts <<<"${1#*:}"
  if [ $# -gt 2 ]; then
    args+=(--cluster --cluster-host 127.0.0.1 --cluster-port "$3"
      --cluster-members "$members")
  fi
  java -Xmx1g "${opts[@]}" -jar "$jar" "${args[@]}" "${sets[@]}" >"$logs/$port.log" 2>&1 &
  pids+=($!)
  wait_ready "$port"
}
