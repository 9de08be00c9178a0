package io.pushgateway.client;

/** How the client reaches the gateway; {@link #AUTO} tries them in this order and falls back. */
public enum Transport {
  WS("ws"), SSE("sse"), LONG("long"), SHORT("short"), AUTO("auto");

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  /** The name the gateway, its metrics and push-client.js use. */
  public String label() {
    return label;
  }
}
