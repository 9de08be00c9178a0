package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** How a subscriber whose connection dropped comes back, the same for every client that streams. */
final class Reconnect {
  private Reconnect() {
  }

  /**
   * Counts a reconnect and, after {@link ClientContext#RECONNECT_DELAY_MS}, calls {@code open}
   * unless the client closed meanwhile; an open that fails counts an error and goes round again.
   */
  static void later(ClientContext ctx, SubscriberTracker tracker, BooleanSupplier closed, Supplier<Future<?>> open) {
    if (closed.getAsBoolean()) {
      return;
    }
    tracker.stats().reconnects.increment();
    ctx.vertx().setTimer(ClientContext.RECONNECT_DELAY_MS, t -> {
      if (!closed.getAsBoolean()) {
        open.get().onFailure(err -> {
          tracker.stats().errors.increment();
          later(ctx, tracker, closed, open);
        });
      }
    });
  }
}
