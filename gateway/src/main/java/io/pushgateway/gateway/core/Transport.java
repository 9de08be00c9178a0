package io.pushgateway.gateway.core;

import java.util.Arrays;
import java.util.Optional;

/**
 * The four ways the same event stream reaches a subscriber. The names are the ones used by the
 * {@code transports} option, the metrics' {@code transport} label, the browser client and the
 * load test.
 */
public enum Transport {
  WS("ws"),
  SSE("sse"),
  LONG("long"),
  SHORT("short");

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Optional<Transport> find(String label) {
    return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst();
  }

  public static Transport byName(String label) {
    return find(label).orElseThrow(() -> new IllegalArgumentException("unknown transport " + label));
  }
}
