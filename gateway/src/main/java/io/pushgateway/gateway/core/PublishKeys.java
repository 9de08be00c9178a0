package io.pushgateway.gateway.core;

/**
 * Idempotency keys: a publisher may name each event it publishes, and a publish retried with the
 * same key (its answer was lost, its connection dropped) is answered with the event its first try
 * stored instead of storing another, as long as the topic's history keeps that event. Keys are
 * per topic; a key given again with other data is refused ({@link ErrorCode#KEY_CONFLICT}), so a
 * publisher that reuses keys by mistake learns it instead of losing events.
 */
public final class PublishKeys {

  /** Characters in a key at most: room for a UUID and a prefix, little to hold per event. */
  public static final int MAX_LENGTH = 128;
  /** What history holds per key besides its characters: the string, its array, the index's entry. */
  private static final int OVERHEAD = 96;

  private PublishKeys() {
  }

  /** {@code key} if it is one (1 to 128 printable ASCII characters, no space), null if null; else refused. */
  public static String check(String key) {
    if (key == null) {
      return null;
    }
    boolean valid = !key.isEmpty() && key.length() <= MAX_LENGTH;
    for (int i = 0; valid && i < key.length(); i++) {
      char c = key.charAt(i);
      valid = c > ' ' && c < 0x7f;
    }
    if (!valid) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "an idempotency key is 1 to " + MAX_LENGTH + " printable ASCII characters without spaces");
    }
    return key;
  }

  /** The refusal of a publish whose key the topic keeps for an event of other data. */
  public static GatewayException conflict(String topic, String key) {
    return new GatewayException(ErrorCode.KEY_CONFLICT, "topic " + topic + " keeps an event of idempotency key " + key
      + " with other data; a key names one event");
  }

  /** The heap a kept key takes, counted against history's byte bounds with its event. */
  public static long heapBytes(String key) {
    return key == null ? 0 : key.length() + OVERHEAD;
  }
}
