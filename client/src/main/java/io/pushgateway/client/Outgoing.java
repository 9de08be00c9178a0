package io.pushgateway.client;

import java.util.Objects;

/**
 * One event of a batch ({@link PushClient#publishAll}): its topic, its data as JSON, and
 * optionally an idempotency key (without one the client makes one, as for a single publish).
 */
public final class Outgoing {

  private final String topic;
  private final String dataJson;
  private final String key;

  private Outgoing(String topic, String dataJson, String key) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.dataJson = Objects.requireNonNull(dataJson, "dataJson");
    this.key = key;
  }

  /** An event of {@code topic} with {@code dataJson} (any JSON value) as its data. */
  public static Outgoing of(String topic, String dataJson) {
    return new Outgoing(topic, dataJson, null);
  }

  /** The same event with an idempotency key of the caller's. */
  public Outgoing key(String key) {
    return new Outgoing(topic, dataJson, key);
  }

  public String topic() {
    return topic;
  }

  public String dataJson() {
    return dataJson;
  }

  /** The caller's idempotency key, or null. */
  public String key() {
    return key;
  }
}
