package io.pushgateway.gateway.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Idempotency keys: a publisher may name each event it publishes, and a publish retried with the
 * same key (its answer was lost, its connection dropped) is answered with the event its first try
 * stored instead of storing another, as long as the topic's history keeps that event and for the
 * key window after it ({@link RetiredKeys}). Keys are
 * per topic; a key given again with other data is refused ({@link ErrorCode#KEY_CONFLICT}), so a
 * publisher that reuses keys by mistake learns it instead of losing events.
 */
public final class PublishKeys {

  /** Characters in a key at most: room for a UUID and a prefix, little to hold per event. */
  public static final int MAX_LENGTH = 128;
  /** What history holds per key besides its characters: the string, its array, the index's entry. */
  private static final int OVERHEAD = 96;
  /** What a key whose event left takes besides its characters: the string, the entry, its place in two indexes. */
  private static final int RETIRED_OVERHEAD = 144;

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

  /** The heap a key takes once its event left the history ({@link RetiredKeys}). */
  public static long retiredHeapBytes(String key) {
    return key.length() + RETIRED_OVERHEAD;
  }

  /**
   * 64 bits of a SHA-256 of an event's content type and data: what a key whose event left keeps to
   * tell a retry (the same data) from a key given again with other data. A strong hash, so that a
   * publisher cannot make other data pass for a repeat and have it dropped.
   */
  public static long fingerprint(String contentType, byte[] data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      if (contentType != null) {
        sha.update(contentType.getBytes(StandardCharsets.US_ASCII));
      }
      sha.update((byte) 0); // no content type can end where data begins
      return ByteBuffer.wrap(sha.digest(data)).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The same for data held as a string (JSON, or the base64 of binary data). */
  public static long fingerprint(String contentType, String data) {
    return fingerprint(contentType, data.getBytes(StandardCharsets.UTF_8));
  }
}
