package io.pushgateway.loadtest.client;

import java.net.URI;

/** Where a client connects: the gateway itself or the proxy in front of it. */
public record Endpoint(String host, int port) {

  public static Endpoint of(URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
    return new Endpoint(uri.getHost(), port);
  }

  @Override
  public String toString() {
    return "http://" + host + ":" + port;
  }
}
