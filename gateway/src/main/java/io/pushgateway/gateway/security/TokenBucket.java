package io.pushgateway.gateway.security;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket of {@code ratePerSecond} tokens and a burst of one second's worth, kept as one
 * number (the generic cell rate algorithm: the time at which the bucket would be full again), so
 * it is lock-free and safe to share between event loops.
 */
public final class TokenBucket {

  private final long intervalNanos;
  private final long burstNanos;
  private final AtomicLong fullAt = new AtomicLong(Long.MIN_VALUE);

  public TokenBucket(int ratePerSecond) {
    this.intervalNanos = 1_000_000_000L / ratePerSecond;
    this.burstNanos = intervalNanos * ratePerSecond;
  }

  /** Takes one token if there is one. */
  public boolean tryTake() {
    long now = System.nanoTime();
    while (true) {
      long current = fullAt.get();
      long start = current == Long.MIN_VALUE || current - now < 0 ? now : current;
      long next = start + intervalNanos;
      if (next - now > burstNanos) {
        return false;
      }
      if (fullAt.compareAndSet(current, next)) {
        return true;
      }
    }
  }

  /** Full again: forgetting it changes nothing. */
  public boolean isIdle() {
    long current = fullAt.get();
    return current == Long.MIN_VALUE || current - System.nanoTime() <= 0;
  }
}
