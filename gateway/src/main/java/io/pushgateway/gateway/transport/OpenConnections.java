package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open connections of one transport on one event loop: what its sweeps (heartbeats,
 * keep-alives) and its drain walk, and what the {@code pushgateway_connections} meter counts.
 * Tracking and counting are one step, so a connection is never counted without being tracked or
 * left counted after it is gone. Confined to its event loop.
 *
 * @param <C> the transport's connection (a session, a waiting poll)
 */
public final class OpenConnections<C> {

  private final Transport transport;
  private final GatewayMetrics metrics;
  private final Set<C> open = new LinkedHashSet<>();

  public OpenConnections(Transport transport, GatewayMetrics metrics) {
    this.transport = transport;
    this.metrics = metrics;
  }

  public void opened(C connection) {
    if (open.add(connection)) {
      metrics.connectionOpened(transport);
    }
  }

  /** Idempotent: every exit of a connection may call it. */
  public void closed(C connection) {
    if (open.remove(connection)) {
      metrics.connectionClosed(transport);
    }
  }

  /** A copy to walk while connections close. */
  public List<C> list() {
    return new ArrayList<>(open);
  }
}
