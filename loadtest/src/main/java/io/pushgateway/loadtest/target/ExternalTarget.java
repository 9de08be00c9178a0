package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.util.List;
import java.util.OptionalLong;

/**
 * Servers already running, given by {@code --target} (gateways) or {@code --peer-url} (a peer);
 * nothing to start or stop.
 */
public record ExternalTarget(List<Endpoint> endpoints, OptionalLong pid, Peer peer) implements Target {

  public ExternalTarget(List<Endpoint> endpoints, OptionalLong pid) {
    this(endpoints, pid, Peer.GATEWAY);
  }

  @Override
  public String kind() {
    return peer == Peer.GATEWAY ? "external" : peer.wireName();
  }

  @Override
  public void close() {
  }
}
