package io.pushgateway.loadtest;

/**
 * The load driver's main thread pausing between progress lines and bounded drain checks (never
 * an event loop: the clients run on Vert.x).
 */
public final class Pause {

  private Pause() {
  }

  public static void millis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
