package io.pushgateway.client;

/**
 * The gateway could not resume {@link #topic()} from the cursor (its history restarted, or no
 * longer holds what was missed): events continue from {@link #from()} in {@link #epoch()}.
 */
public final class Reset {

  private final String topic;
  private final long from;
  private final String epoch;

  Reset(String topic, long from, String epoch) {
    this.topic = topic;
    this.from = from;
    this.epoch = epoch;
  }

  public String topic() {
    return topic;
  }

  public long from() {
    return from;
  }

  public String epoch() {
    return epoch;
  }

  @Override
  public String toString() {
    return "reset " + topic + " from " + from + " (" + epoch + ")";
  }
}
