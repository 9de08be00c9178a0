package io.pushgateway.loadtest.net;

import java.util.Arrays;

/**
 * The IP packets of one subscriber connection on its emulated link, in order: when each left or
 * arrived at the phone, its size with headers, and its direction. Appended from the connection's
 * event loop, read by the load test's driver as a snapshot. Bounded: past {@link #MAX_PACKETS}
 * it stops recording and says so.
 */
public final class PacketTimeline {
  /** About 12 MB per connection at most. */
  static final int MAX_PACKETS = 1_000_000;

  private long[] at = new long[64];
  /** Packet size in bytes, negative for a packet up (phone to server). */
  private int[] sizes = new int[64];
  private int count;
  private boolean truncated;

  public synchronized void add(long nanos, int bytes, boolean up) {
    if (count == MAX_PACKETS) {
      truncated = true;
      return;
    }
    if (count == at.length) {
      at = Arrays.copyOf(at, count * 2);
      sizes = Arrays.copyOf(sizes, count * 2);
    }
    at[count] = nanos;
    sizes[count] = up ? -bytes : bytes;
    count++;
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(Arrays.copyOf(at, count), Arrays.copyOf(sizes, count), truncated);
  }

  /** The packets recorded so far; times are {@link System#nanoTime()} values. */
  public record Snapshot(long[] at, int[] sizes, boolean truncated) {
    /** Builds one from (nanos, signed size) pairs: a size below zero is a packet up. */
    public static Snapshot of(long[] at, int[] signedSizes) {
      return new Snapshot(at.clone(), signedSizes.clone(), false);
    }

    public int count() {
      return at.length;
    }

    public long atNanos(int i) {
      return at[i];
    }

    public int bytes(int i) {
      return Math.abs(sizes[i]);
    }

    public boolean up(int i) {
      return sizes[i] < 0;
    }
  }
}
