package io.pushgateway.gateway.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * A blocking scan whose answer is shared by everyone who asks while it runs, and for a while after:
 * at least {@code minReuseNanos}, and ten times as long as it took, so however often it is asked
 * for, it keeps a worker busy a tenth of the time at most. A failed scan is not reused. Any thread.
 */
final class SharedScan<T> {

  private final Vertx vertx;
  private final Callable<T> scan;
  private final LongSupplier nanoClock;
  private final long minReuseNanos;
  private Future<T> last;
  private long freshUntil;

  SharedScan(Vertx vertx, Callable<T> scan, LongSupplier nanoClock, long minReuseNanos) {
    this.vertx = vertx;
    this.scan = scan;
    this.nanoClock = nanoClock;
    this.minReuseNanos = minReuseNanos;
  }

  /** The scan in flight, the last one while fresh, or a new one (on a worker). */
  synchronized Future<T> get() {
    if (last == null || (last.isComplete() && (last.failed() || nanoClock.getAsLong() - freshUntil >= 0))) {
      last = vertx.executeBlocking(() -> {
        long started = nanoClock.getAsLong();
        T answer = scan.call();
        long took = nanoClock.getAsLong() - started;
        synchronized (this) { // before the future completes: no one asking in between scans again
          freshUntil = nanoClock.getAsLong() + Math.max(minReuseNanos, 10 * took);
        }
        return answer;
      }, false);
    }
    return last;
  }
}
