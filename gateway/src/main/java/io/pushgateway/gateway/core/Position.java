package io.pushgateway.gateway.core;

/**
 * Where a subscriber stands in one topic: it has everything up to and including {@code id} of
 * the history named {@code epoch}. A null epoch means "trust the id" (clients may omit it).
 */
public record Position(long id, String epoch) {

  /** The cursor entry {@code topic:id:epoch} (or {@code topic:id} without an epoch). */
  public String entry(String topic) {
    return epoch == null ? topic + ":" + id : topic + ":" + id + ":" + epoch;
  }
}
