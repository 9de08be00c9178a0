package io.pushgateway.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * What every push output shares about its bounded write queue, whichever write path carries it:
 * while the queue is full ({@link #writable()} false), one future that completes once the peer
 * has read enough. The output says when its queue has drained.
 */
public abstract class BoundedOutput {

  private Promise<Void> drained;

  /** False once more than the queue's bound waits for the peer. */
  public abstract boolean writable();

  /** Completes once the peer has read enough for {@link #writable()} to be true again. */
  public Future<Void> drained() {
    if (writable()) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    return drained.future();
  }

  /** The queue has drained: what waits on {@link #drained()} goes on. */
  protected final void onDrained() {
    if (drained != null) {
      Promise<Void> waiting = drained;
      drained = null;
      waiting.complete();
    }
  }

  /** The connection is released: nothing waits any more. */
  protected final void forgetDrained() {
    drained = null;
  }
}
