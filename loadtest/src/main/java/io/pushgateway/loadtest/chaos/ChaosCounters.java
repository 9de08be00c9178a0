package io.pushgateway.loadtest.chaos;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What a chaos run counts, from any thread: connections, events, and every answer by its code. */
final class ChaosCounters {
  final LongAdder connections = new LongAdder();
  final LongAdder published = new LongAdder();
  final LongAdder deliveries = new LongAdder();
  final LongAdder drops = new LongAdder();
  final LongAdder garbage = new LongAdder();
  /** Answers the chaos provoked on purpose: "http 413 payload_too_large", "ws close 1009", … */
  private final Map<String, LongAdder> provoked = new ConcurrentHashMap<>();
  /** Answers well-behaved clients got: "ws close 1013", "sse end", … */
  private final Map<String, LongAdder> served = new ConcurrentHashMap<>();

  void provoked(String code) {
    provoked.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  void served(String code) {
    served.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  JsonObject provokedJson() {
    return json(provoked);
  }

  JsonObject servedJson() {
    return json(served);
  }

  private static JsonObject json(Map<String, LongAdder> map) {
    JsonObject out = new JsonObject();
    new TreeMap<>(map).forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
