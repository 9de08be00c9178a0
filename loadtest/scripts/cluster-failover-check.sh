#!/usr/bin/env bash
# kill -9 under load: starts --nodes cluster nodes of a gateway jar, publishes with
# failover-check.mjs to the first --publish-to of them (16 publishers, keep-alive, --topics topics,
# --seconds s), kills the last node with SIGKILL --kill-at s in, then reads every topic from the
# first node and checks that every acknowledged event is there once with its id (exit 1 if not).
# With --kills N the last N nodes die one after another, each once every node left reports its
# backups in sync (pushgateway_cluster_backups_in_sync 1, over as many members as are left).
#
#   loadtest/scripts/cluster-failover-check.sh [--nodes 3] [--publish-to 2] [--topics 100] \
#       [--seconds 30] [--kill-at 10] [--kills 1] [--retries 0] gateway/target/push-gateway.jar
#
# --publish-to above --nodes minus --kills also publishes to a node that dies: those publishes
# fail and are not acknowledged, unless --retries R sends each again with its idempotency key to
# the next node (see failover-check.mjs): then every publish should be acknowledged and stored once
# (--keys 0: retried without the key, which may store copies). Everything runs on 127.0.0.1 (ports 18081-1808N, Hazelcast
# 15701-1570N) and stops by itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
nodes=3 publish_to=2 topics=100 seconds=30 kill_at=10 kills=1 retries=0 keys=1 jar=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --publish-to) publish_to="$2"; shift 2 ;;
    --topics) topics="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --kill-at) kill_at="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --retries) retries="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    *) jar="$1"; shift ;;
  esac
done
[ -n "$jar" ] || { echo "usage: $0 [options] gateway.jar" >&2; exit 2; }
[ "$kills" -ge 1 ] && [ "$kills" -lt "$nodes" ] || { echo "--kills must be from 1 to --nodes minus 1" >&2; exit 2; }

sets=()
# shellcheck source=gateway-nodes.sh
. "$here/gateway-nodes.sh"

urls=""
for n in $(seq 1 "$nodes"); do
  port=$((18080 + n))
  start "$jar" "$port" $((15700 + n)) # one after the other: started at once, nodes could form clusters of their own
  [ "$n" -gt "$publish_to" ] || urls+="${urls:+,}http://127.0.0.1:$port"
done

node "$here/failover-check.mjs" --urls "$urls" --read http://127.0.0.1:18081 --topics "$topics" \
  --seconds "$seconds" --retries "$retries" --keys "$keys" &
check=$!
# Waits until the first $1 nodes each report $1 members and their backups in sync (60 s at most).
await_backups() { # members
  local n ok metrics
  for _ in $(seq 1 300); do
    ok=1
    for n in $(seq 1 "$1"); do
      metrics="$(curl -sf "http://127.0.0.1:$((18080 + n))/metrics")" || metrics=""
      grep -qx "pushgateway_cluster_members $1.0" <<<"$metrics" || ok=0
      grep -qx "pushgateway_cluster_backups_in_sync 1.0" <<<"$metrics" || ok=0
    done
    [ "$ok" = 0 ] || return 0
    sleep 0.2
  done
  echo "the $1 nodes left did not report their backups in sync within 60 s" >&2
  return 1
}

started=$SECONDS
sleep "$kill_at"
for victim in $(seq "$nodes" -1 $((nodes - kills + 1))); do
  if [ "$victim" -lt "$nodes" ]; then
    await_backups "$victim"
    echo "the $victim nodes left report their backups in sync $((SECONDS - started)) s in" >&2
  fi
  kill -9 "${pids[$((victim - 1))]}"
  { wait "${pids[$((victim - 1))]}"; } 2>/dev/null || true
  echo "killed the node on port $((18080 + victim)) (kill -9) $((SECONDS - started)) s in" >&2
done
status=0
wait "$check" || status=$?
if [ "$status" = 0 ]; then rm -rf "$logs"; else echo "node logs: $logs" >&2; fi
exit "$status"
