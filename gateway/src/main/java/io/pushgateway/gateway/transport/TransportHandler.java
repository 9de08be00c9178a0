package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Transport;
import io.vertx.core.Future;
import java.util.List;

/**
 * The seam between the HTTP server and one transport. A transport owns its routes and its
 * connections, and knows nothing of the other transports.
 */
public interface TransportHandler {

  Transport transport();

  /**
   * The transport's routes, each with the grant it needs; the HTTP server mounts them with the
   * auth check in front. Called once on the verticle's event loop.
   */
  List<Endpoint> routes();

  /** Starts what runs beside the routes (timers); called once on the verticle's event loop. */
  default void start() {
  }

  /** Graceful stop: tells every open connection to go elsewhere, then releases it. */
  Future<Void> drain();
}
