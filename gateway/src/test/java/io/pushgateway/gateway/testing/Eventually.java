package io.pushgateway.gateway.testing;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Retries an assertion until it holds or a deadline passes. A counter moves just after the write
 * the client already saw, so an exact assertion may need a second scrape; a bounded retry on a
 * Vert.x timer, never an open-ended sleep.
 */
public final class Eventually {

  public interface Check {
    void run() throws Exception;
  }

  private static final long DEADLINE_MILLIS = 10_000;
  private static final long INTERVAL_MILLIS = 25;

  private Eventually() {
  }

  public static void check(Vertx vertx, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      vertx.timer(INTERVAL_MILLIS).await(1, TimeUnit.SECONDS);
    }
  }
}
