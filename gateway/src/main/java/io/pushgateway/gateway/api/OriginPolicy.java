package io.pushgateway.gateway.api;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.http.HttpReplies;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code Origin} check of every transport, before anything else runs. Served: requests
 * without an {@code Origin} (curl, servers, same-origin GETs), the gateway's own origin, and the
 * configured ones ({@code *} for all). Allowed cross-origin requests get CORS answers, including
 * preflights; a WebSocket handshake from a foreign page gets 403 before the upgrade, which is
 * what stops cross-site WebSocket hijacking.
 */
final class OriginPolicy implements Handler<RoutingContext> {

  private static final String ALLOWED_HEADERS = "Content-Type, Authorization, Last-Event-ID, Idempotency-Key";

  private final boolean anyOrigin;
  private final Set<String> allowed;
  private final GatewayMetrics metrics;

  OriginPolicy(List<String> allowedOrigins, GatewayMetrics metrics) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.allowed = Set.copyOf(allowedOrigins.stream().map(OriginPolicy::normalize).toList());
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      ctx.next();
      return;
    }
    if (!isAllowed(origin, request)) {
      HttpReplies.error(ctx.response(),
        new GatewayException(ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed"), metrics);
      return;
    }
    HttpServerResponse response = ctx.response()
      .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
      .putHeader(HttpHeaders.VARY, "Origin");
    if (request.method() == HttpMethod.OPTIONS) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS")
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
        .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600")
        .setStatusCode(204)
        .end();
      return;
    }
    ctx.next();
  }

  private boolean isAllowed(String origin, HttpServerRequest request) {
    if (anyOrigin) {
      return true;
    }
    String normalized = normalize(origin);
    String host = request.getHeader(HttpHeaders.HOST);
    String own = host == null ? null : normalize((request.isSSL() ? "https://" : "http://") + host);
    return normalized.equals(own) || allowed.contains(normalized);
  }

  /** Lower case, without a trailing slash or the scheme's default port. */
  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (o.endsWith("/")) {
      o = o.substring(0, o.length() - 1);
    }
    if (o.startsWith("http://") && o.endsWith(":80")) {
      o = o.substring(0, o.length() - 3);
    } else if (o.startsWith("https://") && o.endsWith(":443")) {
      o = o.substring(0, o.length() - 4);
    }
    return o;
  }
}
