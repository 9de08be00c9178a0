package io.pushgateway.gateway.security;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.vertx.ext.web.RoutingContext;

/**
 * What one request (and the WebSocket it may become) is allowed: its connection's and its IP's
 * publish buckets. Attached to the routing context by {@link ConnectionGuard}; transports ask it
 * before they publish.
 */
public final class Access {

  static final String KEY = "pushgateway.access";

  /** No limits at all (a request that did not pass the guard, e.g. in unit tests). */
  public static final Access OPEN = new Access(null, null);

  private final TokenBucket connectionBucket;
  private final TokenBucket ipBucket;

  Access(TokenBucket connectionBucket, TokenBucket ipBucket) {
    this.connectionBucket = connectionBucket;
    this.ipBucket = ipBucket;
  }

  public static Access of(RoutingContext ctx) {
    Access access = ctx.get(KEY);
    return access == null ? OPEN : access;
  }

  /** Takes a publish token from the connection's bucket, then the IP's; throws {@code rate_limited}. */
  public void checkPublish(String topic) {
    if (connectionBucket != null && !connectionBucket.tryTake()) {
      throw new GatewayException(ErrorCode.RATE_LIMITED, "publish rate limit of this connection reached, slow down");
    }
    if (ipBucket != null && !ipBucket.tryTake()) {
      throw new GatewayException(ErrorCode.RATE_LIMITED, "publish rate limit of this address reached, slow down");
    }
  }
}
