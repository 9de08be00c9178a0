package io.pushgateway.gateway.security;

import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * The end of a stream's token: its {@code exp} ("token expired") or its revocation ("token
 * revoked"), whichever comes first, told once on the stream's event loop; cancelled when the
 * stream ends first or takes a new token.
 */
public final class TokenWatch {

  /** Watches nothing: what a stream has before it watches its token. */
  public static final TokenWatch NONE = new TokenWatch(null, -1, Revocations.Watch.NONE);

  private final Vertx vertx;
  private final long expiryTimer;
  private final Revocations.Watch revocation;

  private TokenWatch(Vertx vertx, long expiryTimer, Revocations.Watch revocation) {
    this.vertx = vertx;
    this.expiryTimer = expiryTimer;
    this.revocation = revocation;
  }

  /** Watches {@code access}'s token; {@code end} gets the reason. Call on the stream's event loop. */
  public static TokenWatch start(Vertx vertx, Revocations revocations, Access access, Consumer<String> end) {
    long expiryTimer = access.expiresAtMillis() > 0
      ? vertx.setTimer(Math.max(1, access.expiresAtMillis() - System.currentTimeMillis()),
        id -> end.accept("token expired"))
      : -1;
    return new TokenWatch(vertx, expiryTimer, revocations.watch(access, () -> end.accept("token revoked")));
  }

  public void cancel() {
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    revocation.cancel();
  }
}
