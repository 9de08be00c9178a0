#!/usr/bin/env bash
# Publish rate of one node against a cluster, for one or more gateway builds, in one run: for each
# round and each jar (alternating), a single node is measured, then --nodes cluster nodes
# (published to the first node, then to all), each over one topic and over 100 (--topics), with
# publish-rate.mjs (16 publishers with keep-alive, closed loop). One JSON line per measurement,
# with each node's CPU over the measured window (cpuMs, the JIT compilers' threads left out) and the part of it spent on Hazelcast's
# partition threads (partitionMs: where the entry processors and their backups run).
#
#   loadtest/scripts/cluster-publish-compare.sh [--rounds 2] [--seconds 8] [--warmup 4] [--nodes 2] \
#       [--set key=value ...] [--only-cluster] [--only-node] [--topics 1,100] [--keys 0|1|both] old.jar new.jar
#
# --keys 1 gives every publish an idempotency key of its own; --keys both measures each setup
# without keys, then with them, one after the other (what the keys cost).
#
# A cluster takes about 40 s of this load to be warm (its code compiled): give it --warmup 45 to
# compare steady states. A jar may carry JVM options after a colon, e.g. "new.jar:-Dhazelcast.operation.response.thread.count=0"
# (space-separated), to compare settings of one build.
#
# Everything runs on 127.0.0.1 (ports 18081-1808N, Hazelcast 15701-1570N) and stops by itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds=2 seconds=8 warmup=4 only_cluster=0 only_node=0 nodes=2 topic_counts=1,100 keys=0
sets=()
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --only-cluster) only_cluster=1; shift ;;
    --only-node) only_node=1; shift ;;
    --keys) keys="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --topics) topic_counts="$2"; shift 2 ;;
    *) jars+=("$1"); shift ;;
  esac
done
[ ${#jars[@]} -gt 0 ] || { echo "usage: $0 [options] gateway.jar..." >&2; exit 2; }

# shellcheck source=gateway-nodes.sh
. "$here/gateway-nodes.sh"

# CPU ms of a process so far: its threads but the JIT compilers (warm-up, not load), or only
# Hazelcast's partition threads (found by their full names in a thread dump)
cpu_ms() { # pid [partition]
  local ticks=0 t tasks
  if [ -n "${2:-}" ]; then
    tasks="$(jcmd "$1" Thread.print 2>/dev/null | grep 'partition-operation' \
      | sed -n 's/.* nid=\(0x[0-9a-f]*\).*/\1/p' | while read -r nid; do echo "/proc/$1/task/$((nid))"; done)"
  else
    tasks="$(grep -L Compiler /proc/"$1"/task/*/comm 2>/dev/null | sed 's|/comm$||')"
  fi
  for t in $tasks; do
    ticks=$((ticks + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

measure() { # label urls topics
  local k
  for k in $([ "$keys" = both ] && echo 0 1 || echo "$keys"); do
    measure_once "$1$([ "$k" = 1 ] && echo ", keyed")" "$2" "$3" "$k"
  done
}

measure_once() { # label urls topics keys
  local out before=() after=() pid
  out="$(mktemp)"
  node "$here/publish-rate.mjs" --urls "$2" --concurrency 16 --topics "$3" \
    --seconds "$seconds" --warmup "$warmup" --keys "$4" >"$out" &
  local publisher=$!
  sleep "$warmup"
  for pid in "${pids[@]}"; do before+=("$(cpu_ms "$pid") $(cpu_ms "$pid" partition)"); done
  sleep "$seconds"
  for pid in "${pids[@]}"; do after+=("$(cpu_ms "$pid") $(cpu_ms "$pid" partition)"); done
  wait "$publisher"
  local cpu="" partition="" i b a
  for i in "${!pids[@]}"; do
    read -r -a b <<<"${before[$i]}"
    read -r -a a <<<"${after[$i]}"
    cpu+="${cpu:+,}$((a[0] - b[0]))"
    partition+="${partition:+,}$((a[1] - b[1]))"
  done
  echo "{\"jar\":\"$jar\",\"round\":$round,\"setup\":\"$1\",\"cpuMs\":[$cpu],\"partitionMs\":[$partition],\"result\":$(cat "$out")}"
  rm -f "$out"
}

for round in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    if [ "$only_cluster" = 0 ]; then
      start "$jar" 18081
      for topics in ${topic_counts//,/ }; do measure "one node" http://127.0.0.1:18081 "$topics"; done
      stop_all
    fi
    [ "$only_node" = 0 ] || continue
    all=""
    for n in $(seq 1 "$nodes"); do
      start "$jar" $((18080 + n)) $((15700 + n))
      all+="${all:+,}http://127.0.0.1:$((18080 + n))"
    done
    for topics in ${topic_counts//,/ }; do measure "$nodes nodes, to one" http://127.0.0.1:18081 "$topics"; done
    for topics in ${topic_counts//,/ }; do measure "$nodes nodes, to all" "$all" "$topics"; done
    stop_all
  done
done
rm -rf "$logs"
