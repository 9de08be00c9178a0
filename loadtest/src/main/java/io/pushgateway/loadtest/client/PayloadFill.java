package io.pushgateway.loadtest.client;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * What the payload string {@code p} of each event is made of. {@code random} (the default) is
 * random base64, which neither gzip nor permessage-deflate can shrink much below 6/8 of its size,
 * so no transport is flattered; {@code repeat} is one 16-character pattern over and over, the best
 * case for compression, for measuring what compression can save at most.
 */
public enum PayloadFill {
  RANDOM("random"),
  REPEAT("repeat");

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final String PATTERN = "abcdefghijklmnop";
  /** Random payloads cycled through, so events differ without a new string per event. */
  private static final int RANDOM_VARIANTS = 64;

  private final String wireName;

  PayloadFill(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The payloads the publisher cycles through, each {@code bytes} characters. */
  String[] payloads(int bytes) {
    if (this == REPEAT) {
      return new String[] {PATTERN.repeat(bytes / PATTERN.length() + 1).substring(0, bytes)};
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    String[] out = new String[RANDOM_VARIANTS];
    for (int v = 0; v < out.length; v++) {
      StringBuilder sb = new StringBuilder(bytes);
      for (int i = 0; i < bytes; i++) {
        sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
      }
      out[v] = sb.toString();
    }
    return out;
  }

  /**
   * The bytes of binary payloads, each {@code bytes} long: uniformly random (nothing compresses
   * them, and base64 costs its full 4/3), or the pattern's characters repeated.
   */
  byte[][] bytes(int bytes) {
    if (this == REPEAT) {
      return new byte[][] {payloads(bytes)[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII)};
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    byte[][] out = new byte[RANDOM_VARIANTS][bytes];
    for (byte[] variant : out) {
      rnd.nextBytes(variant);
    }
    return out;
  }

  public static PayloadFill of(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (PayloadFill f : values()) {
      if (f.wireName.equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown payload fill '" + name + "', expected one of "
      + Arrays.stream(values()).map(PayloadFill::wireName).collect(Collectors.joining(",")));
  }
}
