package io.pushgateway.gateway.core;

/**
 * What a log keeps of each topic's history: at most {@code events} events, none older than
 * {@code maxAgeMillis} (0: no age limit), at most {@code topicBytes} bytes of events per topic
 * (always the newest event, whatever its size), and at most {@code totalBytes} over all topics
 * (the oldest events of the least recently used topics go first; a cluster checks it now and then,
 * see {@code HistoryBudget}). An event's bytes are the heap its JSON form takes
 * ({@link HeapFootprint}).
 */
public record HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes) {

  /** Bounded by count and age only. */
  public static HistoryLimits of(int events, long maxAgeMillis) {
    return new HistoryLimits(events, maxAgeMillis, Long.MAX_VALUE, Long.MAX_VALUE);
  }
}
