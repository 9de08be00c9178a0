package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Revocations;
import io.pushgateway.gateway.security.Revocations.Revocation;
import io.pushgateway.gateway.transport.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * What a token with {@code "admin": true} may do, mounted with auth on only (without auth there is
 * nobody to tell an administrator by):
 *
 * <ul>
 *   <li>{@code POST /api/revocations} ends tokens before their {@code exp}. {@code {"sub":"alice"}}
 *   revokes every token of {@code alice} issued before now (or before {@code "issuedBefore"}, epoch
 *   seconds), {@code {"jti":"t-42"}} one token; either is kept until {@code "until"} (epoch seconds;
 *   default {@code revocationSeconds} from now). The answer is the revocation as kept.
 *   <li>{@code DELETE /api/topics/{topic}} drops a topic's history ({@code 204}; {@code 404} if it
 *   had no events): its subscribers get a reset, its next event starts a new history.
 * </ul>
 */
final class AdminApi {

  /** A revocation is a few short fields. */
  private static final int MAX_BODY_BYTES = 4096;
  /** Longer names are no token's: refused rather than kept. */
  private static final int MAX_NAME_CHARS = 1024;
  private static final Set<String> FIELDS = Set.of("sub", "jti", "issuedBefore", "until");

  private final GatewayConfig config;
  private final EventLog log;
  private final Revocations revocations;
  private final Limits limits;
  private final GatewayMetrics metrics;

  AdminApi(GatewayConfig config, EventLog log, Revocations revocations, Limits limits, GatewayMetrics metrics) {
    this.config = config;
    this.log = log;
    this.revocations = revocations;
    this.limits = limits;
    this.metrics = metrics;
  }

  List<Endpoint> routes() {
    return List.of(
      new Endpoint(HttpMethod.POST, "/api/revocations", Grant.ADMIN,
        List.of(new PublishBodies(limits, metrics, MAX_BODY_BYTES), this::revoke)),
      new Endpoint(HttpMethod.DELETE, "/api/topics/:topic", Grant.ADMIN, List.of(this::deleteTopic)));
  }

  private void deleteTopic(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(c -> Topics.require(c.pathParam("topic")))
      .compose(topic -> log.delete(topic).map(hadEvents -> {
        if (!hadEvents) {
          throw new GatewayException(ErrorCode.NOT_FOUND, "topic " + topic + " has no events");
        }
        return topic;
      }))
      .onSuccess(topic -> ctx.response().setStatusCode(204).end())
      .onFailure(e -> HttpReplies.failure(ctx.request(), e, metrics));
  }

  private void revoke(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(this::revocation)
      .compose(revocations::revoke)
      .onSuccess(kept -> HttpReplies.json(ctx.response(), 200, kept.toJson()))
      .onFailure(e -> HttpReplies.failure(ctx.request(), e, metrics));
  }

  private Revocation revocation(RoutingContext ctx) {
    JsonObject body;
    try {
      body = new JsonObject(TopicApi.jsonBody(ctx, ""));
    } catch (DecodeException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the body must be a JSON object: {\"sub\":…} or {\"jti\":…}");
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw invalid("unknown field " + field + ": a revocation has sub or jti, and may have issuedBefore and until");
      }
    }
    String subject = name(body, "sub");
    String tokenId = name(body, "jti");
    if ((subject == null) == (tokenId == null)) {
      throw invalid("name exactly one of sub (every token of a user) and jti (one token)");
    }
    long now = System.currentTimeMillis() / 1000;
    if (tokenId != null && body.containsKey("issuedBefore")) {
      throw invalid("issuedBefore goes with sub: a jti names one token");
    }
    long issuedBefore = seconds(body, "issuedBefore", now);
    long until = seconds(body, "until", now + config.revocationSeconds());
    if (until <= now) {
      throw invalid("until must be in the future (epoch seconds)");
    }
    return new Revocation(subject, tokenId, subject == null ? 0 : issuedBefore, until);
  }

  private static String name(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name) || name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      throw invalid(field + " must be a string of 1 to " + MAX_NAME_CHARS + " characters");
    }
    return name;
  }

  private static long seconds(JsonObject body, String field, long otherwise) {
    Object value = body.getValue(field);
    if (value == null) {
      return otherwise;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0) {
      throw invalid(field + " must be epoch seconds, a whole number");
    }
    return ((Number) value).longValue();
  }

  private static GatewayException invalid(String message) {
    return new GatewayException(ErrorCode.INVALID_PARAMETER, message);
  }
}
