package io.pushgateway.loadtest.net;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One direction of a proxied connection. Shows each chunk to its listeners as it is read and as it
 * reaches the far side (the moment the emulated link delivers it) and, when shaped, holds each
 * chunk until the emulated link would have delivered it: serialised behind earlier chunks at the
 * link's bandwidth, then delayed by half the round-trip time. Both sockets of a connection live on
 * the same event loop, so this class needs no locking; its only timer re-arms for the queue head,
 * which keeps chunks in order whatever the timer resolution.
 */
final class ShapedPipe {
  /** Bytes held in the emulated link before the sender is paused (TCP would stop on its window). */
  private static final long MAX_IN_FLIGHT = 4L * 1024 * 1024;

  private record Pending(long deliverAt, Buffer data) { }

  private final Context context;
  private final NetSocket from;
  private final NetSocket to;
  private final Consumer<Buffer> onRead;
  private final IntConsumer onDelivered;
  private final Runnable onSourceClosed;
  private final long delayNanos;
  private final long bitsPerS;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long linkFreeAt;
  private long inFlight;
  private long timerId = -1;
  private boolean paused;
  private boolean sourceClosed;
  private boolean done;

  /**
   * @param onRead         each chunk as it is read from {@code from}
   * @param onDelivered    each chunk's length as it is written to {@code to}
   * @param onSourceClosed {@code from} closed
   */
  ShapedPipe(Context context, NetSocket from, NetSocket to, Consumer<Buffer> onRead, IntConsumer onDelivered,
             Runnable onSourceClosed, int rttMs, long bitsPerS) {
    this.context = context;
    this.from = from;
    this.to = to;
    this.onRead = onRead;
    this.onDelivered = onDelivered;
    this.onSourceClosed = onSourceClosed;
    this.delayNanos = rttMs * 500_000L;
    this.bitsPerS = bitsPerS;
  }

  void start() {
    from.handler(this::onData);
    from.closeHandler(v -> {
      onSourceClosed.run();
      sourceClosed = true;
      flush();
    });
    to.drainHandler(v -> flush());
  }

  private boolean shaped() {
    return delayNanos > 0 || bitsPerS > 0;
  }

  private void onData(Buffer data) {
    onRead.accept(data);
    if (!shaped()) {
      deliver(data);
      if (to.writeQueueFull()) {
        pause();
      }
      return;
    }
    long now = System.nanoTime();
    long start = Math.max(now, linkFreeAt);
    long transmit = bitsPerS > 0 ? data.length() * 8L * 1_000_000_000L / bitsPerS : 0;
    linkFreeAt = start + transmit;
    queue.add(new Pending(linkFreeAt + delayNanos, data));
    inFlight += data.length();
    if (inFlight > MAX_IN_FLIGHT) {
      pause();
    }
    flush();
  }

  private void deliver(Buffer data) {
    onDelivered.accept(data.length());
    to.write(data);
  }

  private void pause() {
    if (!paused) {
      paused = true;
      from.pause();
    }
  }

  private void flush() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    while (!queue.isEmpty() && queue.peek().deliverAt() <= now && !to.writeQueueFull()) {
      Pending p = queue.poll();
      inFlight -= p.data().length();
      deliver(p.data());
    }
    if (paused && inFlight < MAX_IN_FLIGHT / 2 && !to.writeQueueFull()) {
      paused = false;
      from.resume();
    }
    if (queue.isEmpty()) {
      if (sourceClosed) {
        // the peer hung up and everything it sent has arrived: pass the close on
        done = true;
        to.close();
      }
      return;
    }
    long wait = queue.peek().deliverAt() - now;
    if (wait > 0 && timerId < 0) {
      long ms = Math.max(1, (wait + 999_999) / 1_000_000);
      timerId = context.owner().setTimer(ms, id -> {
        timerId = -1;
        flush();
      });
    }
  }
}
