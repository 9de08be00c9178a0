package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a run drives: one or more gateway nodes. Subscribers are spread over the endpoints, the
 * publisher uses the first. When the process id of a single local node is known, its CPU and
 * memory are read; otherwise those figures are reported as null.
 */
public interface Target extends AutoCloseable {

  List<Endpoint> endpoints();

  OptionalLong pid();

  /** For reports: "spawned", "external", "baseline" or a peer's name. */
  String kind();

  /** The server's kind of protocol: the gateway's, or a peer's. */
  default Peer peer() {
    return Peer.GATEWAY;
  }

  @Override
  void close();
}
