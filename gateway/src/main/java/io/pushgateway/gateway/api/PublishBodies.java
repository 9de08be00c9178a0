package io.pushgateway.gateway.api;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Predicate;

/**
 * Reads a publish's body within two bounds, both judged at the request's head, before a byte of
 * the body is read: its own limit, by its kind ({@code maxPayloadBytes} for JSON, {@code
 * maxBinaryBytes} for any other media type, {@code maxBatchBytes} for a batch; past it, 413), and
 * what every publish being received may hold at once ({@code maxReceivingBytes}), of which it
 * reserves its Content-Length (its limit when it has none) until its exchange ends; past that,
 * 503 and the connection closes. Without the second, slow clients that each send most of a large
 * body could make the gateway hold {@code maxBinaryBytes} per connection.
 */
final class PublishBodies implements Handler<RoutingContext> {

  /** Where the 413 handler finds the limit the body passed. */
  static final String LIMIT = "publishBodyLimit";

  private final Limits limits;
  private final GatewayMetrics metrics;
  private final Predicate<RoutingContext> small;
  private final int smallLimit;
  private final int largeLimit;
  private final BodyHandler smallBodies;
  private final BodyHandler largeBodies;

  /** Bodies that {@code small} picks are held to {@code smallLimit}, the others to {@code largeLimit}. */
  PublishBodies(Limits limits, GatewayMetrics metrics, Predicate<RoutingContext> small, int smallLimit,
                int largeLimit) {
    this.limits = limits;
    this.metrics = metrics;
    this.small = small;
    this.smallLimit = smallLimit;
    this.largeLimit = largeLimit;
    this.smallBodies = BodyHandler.create(false).setBodyLimit(smallLimit);
    this.largeBodies = BodyHandler.create(false).setBodyLimit(largeLimit);
  }

  /** Every body held to one limit. */
  PublishBodies(Limits limits, GatewayMetrics metrics, int limit) {
    this(limits, metrics, ctx -> true, limit, limit);
  }

  @Override
  public void handle(RoutingContext ctx) {
    boolean isSmall = small.test(ctx);
    int limit = isSmall ? smallLimit : largeLimit;
    BodyHandler bodies = isSmall ? smallBodies : largeBodies;
    ctx.put(LIMIT, limit);
    long length = contentLength(ctx);
    if (length > limit) {
      bodies.handle(ctx); // refuses it (413) from its head, unread: nothing to reserve
      return;
    }
    long reserved = length >= 0 ? length : limit;
    if (!limits.reserveReceiving(reserved)) {
      refuse(ctx);
      return;
    }
    ctx.addEndHandler(ended -> limits.releaseReceiving(reserved));
    bodies.handle(ctx);
  }

  /** The declared length, or -1: chunked, or none (the request decoder refuses a malformed one). */
  private static long contentLength(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The body stays unread: the connection closes once the client has the answer. */
  private void refuse(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close")
      .endHandler(v -> RawConnection.of(ctx.request().connection()).closeAfterAnswer());
    HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.OVERLOADED,
      "too many publishes are being received at once, retry later"), metrics);
  }
}
