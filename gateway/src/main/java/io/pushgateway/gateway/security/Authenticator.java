package io.pushgateway.gateway.security;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.transport.HttpReplies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer JWT auth (RFC 6750) of the transports and {@code /api}, when {@code auth} is on: the
 * token comes in {@code Authorization: Bearer …} or, for browsers' WebSocket and EventSource that
 * cannot set headers, {@code ?token=}. HS256 with {@code jwtHmacSecret}, RS256 with the public key
 * in {@code jwtPublicKeyPath}. No token, or a bad, forged or expired one: {@code 401 unauthorized}.
 * A subscription naming a topic outside the token's {@code topics.sub} patterns:
 * {@code 403 forbidden}, before any transport runs (so before a WebSocket upgrade). Publishing is
 * checked against {@code topics.pub} by {@link Access#checkPublish}. {@code /health},
 * {@code /ready}, {@code /metrics} and the page stay open.
 */
public final class Authenticator implements Handler<RoutingContext> {

  private final JWTAuth jwt;
  private final GatewayMetrics metrics;

  private Authenticator(JWTAuth jwt, GatewayMetrics metrics) {
    this.jwt = jwt;
    this.metrics = metrics;
  }

  /** Reads the RS256 public key file (if any) without blocking the event loop. */
  public static Future<Authenticator> create(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
    Future<String> publicKey = config.jwtPublicKeyPath().isEmpty()
      ? Future.succeededFuture(null)
      : vertx.fileSystem().readFile(config.jwtPublicKeyPath()).map(Object::toString);
    return publicKey.map(pem -> {
      JWTAuthOptions options = new JWTAuthOptions();
      if (!config.jwtHmacSecret().isEmpty()) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtHmacSecret()));
      }
      if (pem != null) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem));
      }
      return new Authenticator(JWTAuth.create(vertx, options), metrics);
    });
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = request.path();
    boolean subscription = path.equals("/ws") || path.equals("/sse") || path.equals("/poll") || path.equals("/poll/long");
    if (!subscription && !path.startsWith("/api/")) {
      ctx.next();
      return;
    }
    String token = token(request);
    if (token == null) {
      unauthorized(ctx, "a bearer token is required: Authorization: Bearer <jwt> or ?token=<jwt>");
      return;
    }
    jwt.authenticate(new TokenCredentials(token))
      .onFailure(e -> unauthorized(ctx, "the token is invalid or expired"))
      .onSuccess(user -> {
        Grants grants = Grants.of(user.principal());
        String refused = subscription ? refusedTopic(request.getParam("topics"), grants) : refusedInfo(request, grants);
        if (refused != null) {
          HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.FORBIDDEN,
            "the token does not allow subscribing to " + refused), metrics);
          return;
        }
        ctx.put(Access.KEY, Access.of(ctx).authorized(grants, expiresAtMillis(user)));
        ctx.next();
      });
  }

  /** The first well-formed topic of {@code topics=} the grants do not cover; bad names are the transport's to refuse. */
  private static String refusedTopic(String topics, Grants grants) {
    if (topics == null) {
      return null;
    }
    for (String topic : topics.split(",", -1)) {
      String t = topic.trim();
      if (Topics.isValid(t) && !grants.maySubscribe(t)) {
        return t;
      }
    }
    return null;
  }

  /** {@code GET /api/topics/{topic}} shows a topic's state: a subscriber's right. */
  private static String refusedInfo(HttpServerRequest request, Grants grants) {
    String prefix = "/api/topics/";
    String path = request.path();
    if (request.method() != HttpMethod.GET || !path.startsWith(prefix) || path.length() == prefix.length()) {
      return null;
    }
    return refusedTopic(path.substring(prefix.length()), grants);
  }

  private static String token(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7) {
      return header.substring(7).trim();
    }
    String param = request.getParam("token");
    return param == null || param.isBlank() ? null : param.trim();
  }

  private static long expiresAtMillis(User user) {
    Object exp = user.attributes().getValue("exp");
    if (!(exp instanceof Number)) {
      exp = user.principal().getValue("exp");
    }
    return exp instanceof Number n ? n.longValue() * 1000 : 0;
  }

  private void unauthorized(RoutingContext ctx, String message) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"push-gateway\"");
    HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.UNAUTHORIZED, message), metrics);
  }
}
