package io.pushgateway.gateway.core;

/**
 * What a log keeps of each topic's history: at most {@code events} events, none older than
 * {@code maxAgeMillis} (0: no age limit), at most {@code topicBytes} bytes of events per topic
 * (always the newest event, whatever its size), and at most {@code totalBytes} over all topics
 * (the oldest events of the least recently used topics go first; a cluster checks it now and then,
 * see {@code HistoryBudget}). An event's bytes are the heap its JSON form takes
 * ({@link HeapFootprint}). The idempotency key of an event that left is remembered until
 * {@code keyWindowMillis} after the event was accepted ({@link RetiredKeys}; 0: no longer than
 * its event), counted against the byte bounds and forgotten before any event is dropped for them.
 */
public record HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes, long keyWindowMillis) {

  /** Keys no longer than their events. */
  public HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes) {
    this(events, maxAgeMillis, topicBytes, totalBytes, 0);
  }

  /** Bounded by count and age only. */
  public static HistoryLimits of(int events, long maxAgeMillis) {
    return new HistoryLimits(events, maxAgeMillis, Long.MAX_VALUE, Long.MAX_VALUE);
  }
}
