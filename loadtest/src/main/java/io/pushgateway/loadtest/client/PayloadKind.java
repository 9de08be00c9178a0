package io.pushgateway.loadtest.client;

import java.util.Locale;

/**
 * What each event carries. {@code text}: JSON data {@code {"seq","t","p"}}. {@code binary}: bytes,
 * the sequence number and due time in their first 16 (two big-endian longs) and the payload after,
 * published as an announced binary WebSocket message; subscribers get them raw on a WebSocket
 * ({@code binary=1}) and in base64 on SSE and polls, which is what the run measures.
 */
public enum PayloadKind {
  TEXT("text"),
  BINARY("binary");

  /** The bytes a binary event needs at least: its sequence number and due time. */
  public static final int BINARY_HEADER = 16;

  private final String wireName;

  PayloadKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static PayloadKind of(String name) {
    for (PayloadKind kind : values()) {
      if (kind.wireName.equals(name.toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("--payload-kind must be text or binary, got '" + name + "'");
  }
}
