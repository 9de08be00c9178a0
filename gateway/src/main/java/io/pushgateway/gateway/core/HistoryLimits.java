package io.pushgateway.gateway.core;

import java.util.List;

/**
 * What a log keeps of each topic's history: at most {@code events} events, none older than
 * {@code maxAgeMillis} (0: no age limit), at most {@code topicBytes} bytes of events per topic
 * (always the newest event, whatever its size), and at most {@code totalBytes} over all topics
 * (the oldest events of the least recently used topics go first; a cluster checks it now and then,
 * see {@code HistoryBudget}). An event's bytes are the heap its JSON form takes
 * ({@link HeapFootprint}). The idempotency key of an event that left is remembered until
 * {@code keyWindowMillis} after the event was accepted ({@link RetiredKeys}; 0: no longer than
 * its event), counted against the byte bounds and forgotten before any event is dropped for them.
 *
 * <p>{@code rules} give some topics their own count and age ({@link #forTopic}): a chat room
 * keeps its last day, a price only its newest value, beside the defaults of every other topic.
 */
public record HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes, long keyWindowMillis,
                            List<Rule> rules) {

  public HistoryLimits {
    rules = List.copyOf(rules);
  }

  /** No rules: every topic alike. */
  public HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes, long keyWindowMillis) {
    this(events, maxAgeMillis, topicBytes, totalBytes, keyWindowMillis, List.of());
  }

  /** Keys no longer than their events. */
  public HistoryLimits(int events, long maxAgeMillis, long topicBytes, long totalBytes) {
    this(events, maxAgeMillis, topicBytes, totalBytes, 0);
  }

  /** Bounded by count and age only. */
  public static HistoryLimits of(int events, long maxAgeMillis) {
    return new HistoryLimits(events, maxAgeMillis, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** The topics matching {@code pattern} ({@link TopicPattern}) keep {@code events}, none older than {@code maxAgeMillis}. */
  public record Rule(String pattern, int events, long maxAgeMillis) {
  }

  /** The same limits, with these rules; the first rule a topic matches is its. */
  public HistoryLimits withRules(List<Rule> rules) {
    return new HistoryLimits(events, maxAgeMillis, topicBytes, totalBytes, keyWindowMillis, rules);
  }

  /**
   * What {@code topic} keeps: the count and age of the first rule its name matches, the other
   * bounds shared; these limits when no rule matches.
   */
  public HistoryLimits forTopic(String topic) {
    if (rules.isEmpty()) {
      return this; // the usual case, asked on every long poll's shortcut
    }
    for (Rule rule : rules) {
      if (TopicPattern.matches(rule.pattern(), topic)) {
        return new HistoryLimits(rule.events(), rule.maxAgeMillis(), topicBytes, totalBytes, keyWindowMillis);
      }
    }
    return this;
  }

  /** The oldest timestamp {@code topic} keeps at {@code nowMillis} (0: no age limit). */
  public long cutoff(String topic, long nowMillis) {
    long maxAge = forTopic(topic).maxAgeMillis();
    return maxAge > 0 ? nowMillis - maxAge : 0;
  }
}
