package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.util.List;
import java.util.OptionalLong;

/** Gateways already running, given by {@code --target}; nothing to start or stop. */
public record ExternalTarget(List<Endpoint> endpoints, OptionalLong pid) implements Target {

  @Override
  public String kind() {
    return "external";
  }

  @Override
  public void close() {
  }
}
