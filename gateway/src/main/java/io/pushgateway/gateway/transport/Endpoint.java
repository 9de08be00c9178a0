package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.security.Grant;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One route as its owner declares it: method, path (with {@code :topic} if any), the grant it
 * needs, and its handlers in order. The HTTP server mounts it with the auth check in front, on
 * the same route, so nobody compares path strings to decide auth.
 */
public record Endpoint(HttpMethod method, String path, Grant grant, List<Handler<RoutingContext>> handlers) {

  public Endpoint {
    handlers = List.copyOf(handlers);
  }

  public static Endpoint get(String path, Grant grant, Handler<RoutingContext> handler) {
    return new Endpoint(HttpMethod.GET, path, grant, List.of(handler));
  }
}
