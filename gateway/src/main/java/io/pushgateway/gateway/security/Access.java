package io.pushgateway.gateway.security;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What one request (and the WebSocket it may become) is allowed: its connection's and its IP's
 * publish buckets, and with auth on, its token's grants and expiry. Attached to the routing context by the HTTP server's connection guard; transports ask it
 * before they publish.
 */
public final class Access {

  static final String KEY = "pushgateway.access";

  /** {@link #issuedAtSeconds} of a token without an {@code iat} claim. */
  public static final long NO_IAT = Long.MIN_VALUE;

  /** No limits at all (a request that did not pass the guard, e.g. in unit tests). */
  public static final Access OPEN = new Access(null, null, null, 0, null, null, false, null, NO_IAT);

  private final TokenBucket connectionBucket;
  private final TokenBucket ipBucket;
  /** The token's grants; null when auth is off. */
  private final Grants grants;
  private final long expiresAtMillis;
  /** The token's {@code sub}: who the bearer is, for presence; null when auth is off. */
  private final String subject;
  /** The token's {@code info} claim: what the bearer shows others in presence; may be null. */
  private final JsonObject info;
  /** Auth is on and no token came: the {@code publicTopics} alone may be read. */
  private final boolean anonymous;
  /** The token's {@code jti}, which a revocation may name; null when it has none. */
  private final String tokenId;
  /** The token's {@code iat}, epoch seconds, which a revocation of its {@code sub} compares; {@link #NO_IAT} when it has none. */
  private final long issuedAtSeconds;

  Access(TokenBucket connectionBucket, TokenBucket ipBucket) {
    this(connectionBucket, ipBucket, null, 0, null, null, false, null, NO_IAT);
  }

  private Access(TokenBucket connectionBucket, TokenBucket ipBucket, Grants grants, long expiresAtMillis,
                 String subject, JsonObject info, boolean anonymous, String tokenId, long issuedAtSeconds) {
    this.connectionBucket = connectionBucket;
    this.ipBucket = ipBucket;
    this.grants = grants;
    this.expiresAtMillis = expiresAtMillis;
    this.subject = subject;
    this.info = info;
    this.anonymous = anonymous;
    this.tokenId = tokenId;
    this.issuedAtSeconds = issuedAtSeconds;
  }

  /** The same limits, for the bearer of a verified token. */
  Access authorized(Grants grants, long expiresAtMillis, String subject, JsonObject info, String tokenId,
                    long issuedAtSeconds) {
    return new Access(connectionBucket, ipBucket, grants, expiresAtMillis, subject, info, false, tokenId,
      issuedAtSeconds);
  }

  /** The same limits, for a request without a token that reads public topics only ({@link Grants#anonymous}). */
  Access anonymous(Grants publicOnly) {
    return new Access(connectionBucket, ipBucket, publicOnly, 0, null, null, true, null, NO_IAT);
  }

  /** True once a token was verified: auth is on and the identity below is the token's. */
  public boolean authenticated() {
    return grants != null && !anonymous;
  }

  /** True when auth is on and the request came without a token, to read public topics. */
  public boolean anonymous() {
    return anonymous;
  }

  /** The token's {@code sub} claim, or null (auth off, or a token without one). */
  public String subject() {
    return subject;
  }

  /** The token's {@code jti} claim, or null. */
  public String tokenId() {
    return tokenId;
  }

  /** The token's {@code iat} claim, epoch seconds, or {@link #NO_IAT}. */
  public long issuedAtSeconds() {
    return issuedAtSeconds;
  }

  /** The token's {@code info} claim (an object), or null. */
  public JsonObject info() {
    return info;
  }

  /** Whether the subscription may include {@code topic} (always, when auth is off). */
  public boolean maySubscribe(String topic) {
    return grants == null || grants.maySubscribe(topic);
  }

  /**
   * Throws unless the connection may add {@code topic}: {@code unauthorized} without a token
   * (it is not a public topic), {@code forbidden} when the token does not grant it.
   */
  public void checkSubscribe(String topic) {
    if (maySubscribe(topic)) {
      return;
    }
    throw anonymous
      ? new GatewayException(ErrorCode.UNAUTHORIZED, topic + " is not a public topic: subscribing to it needs a token")
      : new GatewayException(ErrorCode.FORBIDDEN, "the token does not allow subscribing to " + topic);
  }

  /** When the token expires, epoch milliseconds; 0 when it never does or auth is off. */
  public long expiresAtMillis() {
    return expiresAtMillis;
  }

  /** Makes this the access of the request (and of the WebSocket it may become). */
  public void attachTo(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  public static Access of(RoutingContext ctx) {
    Access access = ctx.get(KEY);
    return access == null ? OPEN : access;
  }

  /**
   * Checks the token's {@code topics.pub} ({@code forbidden}), then takes a publish token from the
   * connection's bucket and the IP's ({@code rate_limited}).
   */
  public void checkPublish(String topic) {
    if (anonymous) {
      throw new GatewayException(ErrorCode.UNAUTHORIZED, "publishing needs a bearer token; this connection has none");
    }
    if (grants != null && !grants.mayPublish(topic)) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "the token does not allow publishing to " + topic);
    }
    if (connectionBucket != null && !connectionBucket.tryTake()) {
      throw new GatewayException(ErrorCode.RATE_LIMITED, "publish rate limit of this connection reached, slow down");
    }
    if (ipBucket != null && !ipBucket.tryTake()) {
      throw new GatewayException(ErrorCode.RATE_LIMITED, "publish rate limit of this address reached, slow down");
    }
  }
}
