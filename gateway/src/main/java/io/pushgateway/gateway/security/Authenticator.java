package io.pushgateway.gateway.security;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.http.HttpReplies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.List;

/**
 * Bearer JWT auth (RFC 6750) of the transports and {@code /api}, when {@code auth} is on: the
 * token comes in {@code Authorization: Bearer …} or, for browsers' WebSocket and EventSource that
 * cannot set headers, {@code ?token=}. HS256 with {@code jwtHmacSecret}, RS256 with the public key
 * in {@code jwtPublicKeyPath}. No token, or a bad, forged, expired or malformed one:
 * {@code 401 unauthorized}. A token whose grants do not cover what the route's {@link Grant} asks:
 * {@code 403 forbidden}, before the route's own handler runs (so before a WebSocket upgrade).
 *
 * <p>{@link #check(Grant)} is mounted by the HTTP server on each route that declares a grant;
 * this class knows no paths. Routes that declare {@link Grant#NONE} stay open.
 */
public final class Authenticator {

  /** The claim whose object a member shows in presence (a name, an avatar), as Centrifugo's {@code info}. */
  public static final String INFO_CLAIM = "info";

  private final JWTAuth jwt;
  private final GatewayMetrics metrics;
  /** {@code publicTopics}: read by anyone, a token or not. */
  private final List<String> publicTopics;
  private final Revocations revocations;

  private Authenticator(JWTAuth jwt, GatewayMetrics metrics, List<String> publicTopics, Revocations revocations) {
    this.jwt = jwt;
    this.metrics = metrics;
    this.publicTopics = publicTopics;
    this.revocations = revocations;
  }

  /** Reads the RS256 public key file (if any) without blocking the event loop. */
  public static Future<Authenticator> create(Vertx vertx, GatewayConfig config, GatewayMetrics metrics,
                                            Revocations revocations) {
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
      return new Authenticator(JWTAuth.create(vertx, options), metrics, config.publicTopics(), revocations);
    });
  }

  /**
   * The check of one route: a valid token whose grants cover {@code grant}, read from the
   * route's own {@code :topic} parameter or {@code ?topics=} list, the same ones its handler
   * serves. On success the request's {@link Access} carries the token's grants and expiry.
   * It is a {@link SecurityPolicyHandler} in vertx-web's handler order, which lets it run before
   * a route's body handler: a refused publish is refused before its body is read.
   */
  public Handler<RoutingContext> check(Grant grant) {
    return (SecurityPolicyHandler) ctx -> {
      HttpServerRequest request = ctx.request();
      String token = token(request);
      if (token == null && !publicTopics.isEmpty() && grant.readsOnly()) {
        // no token, a read: served if it reads public topics alone
        Grants publicOnly = Grants.anonymous(publicTopics);
        String refused = grant.refused(publicOnly, request.getParam(Grant.TOPICS_QUERY), ctx.pathParam(Grant.TOPIC_PARAM));
        if (refused != null) {
          unauthorized(ctx, refused + " is not a public topic: a bearer token is required, Authorization: Bearer "
            + "<jwt> or ?token=<jwt>");
          return;
        }
        ctx.put(Access.KEY, Access.of(ctx).anonymous(publicOnly));
        ctx.next();
        return;
      }
      if (token == null) {
        unauthorized(ctx, "a bearer token is required: Authorization: Bearer <jwt> or ?token=<jwt>");
        return;
      }
      // compose: a claim of the wrong type (exp as a string) throws inside authenticate, and is
      // a bad token like any other, not a server error. JWTAuth verifies in the calling thread,
      // so a publish's body handler still sees the body's first bytes.
      Future.succeededFuture(token)
        .compose(t -> jwt.authenticate(new TokenCredentials(t)))
        .onFailure(e -> unauthorized(ctx, "the token is invalid, malformed or expired"))
        .onSuccess(user -> {
          Grants grants = Grants.of(user.principal()).withPublic(publicTopics);
          Access access = authorized(Access.of(ctx), user, grants);
          if (revocations.revoked(access)) {
            unauthorized(ctx, Revocations.REVOKED);
            return;
          }
          String refused = grant.refused(grants, request.getParam(Grant.TOPICS_QUERY), ctx.pathParam(Grant.TOPIC_PARAM));
          if (refused != null) {
            HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.FORBIDDEN, switch (grant) {
              case PUBLISH_TOPIC -> "the token does not allow publishing to " + refused;
              case ADMIN -> "the token does not allow administration: its claim \"admin\" is not true";
              default -> "the token does not allow subscribing to " + refused;
            }), metrics);
            return;
          }
          ctx.put(Access.KEY, access);
          ctx.next();
        });
    };
  }

  /**
   * A refreshed token for a connection that passed the check with {@code current}: the same
   * limits, the new token's grants, identity and expiry. Fails with {@code unauthorized} for a bad,
   * forged or expired token.
   */
  public Future<Access> refresh(Access current, String token) {
    return Future.succeededFuture(token)
      .compose(t -> jwt.authenticate(new TokenCredentials(t)))
      .recover(e -> Future.failedFuture(new GatewayException(ErrorCode.UNAUTHORIZED,
        "the token is invalid, malformed or expired")))
      .map(user -> authorized(current, user, Grants.of(user.principal()).withPublic(publicTopics)))
      .map(fresh -> {
        if (revocations.revoked(fresh)) {
          throw Revocations.refusal();
        }
        return fresh;
      });
  }

  /** {@code base}'s limits with the verified token's grants, expiry, {@code sub}, {@code info}, {@code jti} and {@code iat}. */
  private static Access authorized(Access base, User user, Grants grants) {
    JsonObject claims = user.principal();
    return base.authorized(grants, expiresAtMillis(user),
      claims.getValue("sub") instanceof String sub ? sub : null,
      claims.getValue(INFO_CLAIM) instanceof JsonObject info ? info : null,
      claims.getValue("jti") instanceof String jti ? jti : null,
      numericClaim(user, "iat") instanceof Number iat ? iat.longValue() : Access.NO_IAT);
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
    return numericClaim(user, "exp") instanceof Number exp ? exp.longValue() * 1000 : 0;
  }

  /** A time claim ({@code exp}, {@code iat}): Vert.x moves the ones it checked into the user's attributes. */
  private static Object numericClaim(User user, String name) {
    Object value = user.attributes().getValue(name);
    return value instanceof Number ? value : user.principal().getValue(name);
  }

  private void unauthorized(RoutingContext ctx, String message) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"push-gateway\"");
    HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.UNAUTHORIZED, message), metrics);
  }
}
