package io.pushgateway.loadtest.stats;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The publisher's timetable: event {@code seq} is due at {@code origin + seq / rate}. Latency is
 * measured from that due time, not from when the publisher got round to sending, so a stalled
 * publisher or event loop shows up in the figures instead of hiding (coordinated omission).
 * The actual send times are kept too, for the uncorrected figure.
 */
public final class PublishSchedule {
  private volatile long originNanos;
  private final double rate;
  private final long warmupEvents;
  private final long measuredEvents;
  private final AtomicLongArray sentAt;

  public PublishSchedule(double rate, double warmupSeconds, double durationSeconds) {
    this.rate = rate;
    this.warmupEvents = (long) Math.floor(warmupSeconds * rate);
    this.measuredEvents = Math.max(1, (long) Math.floor(durationSeconds * rate));
    this.sentAt = new AtomicLongArray(Math.toIntExact(warmupEvents + measuredEvents));
  }

  /** Fixes the timetable's origin; called once, before the first event is published. */
  public void begin(long originNanos) {
    this.originNanos = originNanos;
  }

  public long originNanos() {
    return originNanos;
  }

  public double rate() {
    return rate;
  }

  public long totalEvents() {
    return warmupEvents + measuredEvents;
  }

  public long warmupEvents() {
    return warmupEvents;
  }

  public long measuredEvents() {
    return measuredEvents;
  }

  /** Due time of an event, nanoseconds after the origin. */
  public long dueOffsetNanos(long seq) {
    return (long) (seq * 1_000_000_000.0 / rate);
  }

  public long measureStartNanos() {
    return originNanos + dueOffsetNanos(warmupEvents);
  }

  public long measureEndNanos() {
    return originNanos + dueOffsetNanos(totalEvents());
  }

  public boolean measured(long seq) {
    return seq >= warmupEvents && seq < warmupEvents + measuredEvents;
  }

  public void markSent(long seq, long nanos) {
    sentAt.set((int) seq, nanos);
  }

  /** When the event really left the publisher, 0 if it has not. */
  public long sentAt(long seq) {
    return seq >= 0 && seq < sentAt.length() ? sentAt.get((int) seq) : 0;
  }
}
