package io.pushgateway.gateway.hardening;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** Retries an assertion on a Vert.x timer until it holds or 10 s pass; never an open-ended sleep. */
final class Eventually {

  interface Check {
    void run() throws Exception;
  }

  private Eventually() {
  }

  static void check(Vertx vertx, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      vertx.timer(25).await(1, TimeUnit.SECONDS);
    }
  }
}
