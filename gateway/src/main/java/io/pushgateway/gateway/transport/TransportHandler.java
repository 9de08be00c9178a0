package io.pushgateway.gateway.transport;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * The seam between the HTTP server and one transport. A transport owns its routes and its
 * connections, and knows nothing of the other transports.
 */
public interface TransportHandler {

  Transport transport();

  /** Adds the transport's routes; called once on the verticle's event loop. */
  void mount(Router router);

  /** Graceful stop: tells every open connection to go elsewhere, then releases it. */
  Future<Void> drain();
}
