package io.pushgateway.loadtest.stats;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Everything the subscribers of one transport report during a run. Subscribers run on several
 * event loops, so counts are adders and latencies go to per-thread recorders
 * ({@link LatencyRecorder}); only the driver thread reads them.
 */
public final class TransportStats {
  private final String transport;
  private final PublishSchedule schedule;
  private final LatencyRecorder corrected = new LatencyRecorder();
  private final LatencyRecorder uncorrected = new LatencyRecorder();
  private final Histogram correctedTotal = new Histogram(3);
  private final Histogram uncorrectedTotal = new Histogram(3);
  /** What was collected since the progress line last took it. */
  private final Histogram span = new Histogram(3);

  final LongAdder measuredUnique = new LongAdder();
  final LongAdder unique = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder outOfOrder = new LongAdder();
  final LongAdder idAnomalies = new LongAdder();
  public final LongAdder resets = new LongAdder();
  public final LongAdder errors = new LongAdder();
  public final LongAdder reconnects = new LongAdder();
  public final LongAdder pollAnswers = new LongAdder();
  public final LongAdder emptyPolls = new LongAdder();
  /** WebSocket subscribers whose handshake answer accepted permessage-deflate (each counted once). */
  public final LongAdder deflateNegotiated = new LongAdder();

  public TransportStats(String transport, PublishSchedule schedule) {
    this.transport = transport;
    this.schedule = schedule;
  }

  public String transport() {
    return transport;
  }

  public PublishSchedule schedule() {
    return schedule;
  }

  public SubscriberTracker newSubscriber() {
    return new SubscriberTracker(this);
  }

  void record(long seq, long tOffsetNanos, long now) {
    unique.increment();
    if (!schedule.measured(seq)) {
      return;
    }
    measuredUnique.increment();
    long due = schedule.originNanos() + tOffsetNanos;
    corrected.record(Math.max(0, (now - due) / 1000));
    long sent = schedule.sentAt(seq);
    if (sent > 0) {
      uncorrected.record(Math.max(0, (now - sent) / 1000));
    }
  }

  /** Moves what was recorded since the last call into the totals; driver thread only. */
  public synchronized void collect() {
    Histogram interval = corrected.interval();
    correctedTotal.add(interval);
    uncorrectedTotal.add(uncorrected.interval());
    span.add(interval);
  }

  public synchronized Percentiles latency() {
    return Percentiles.of(correctedTotal);
  }

  public synchronized Percentiles uncorrectedLatency() {
    return Percentiles.of(uncorrectedTotal);
  }

  /** The latency of what was collected since the last call, which starts the next span; driver thread only. */
  public synchronized Percentiles takeSpanLatency() {
    Percentiles taken = Percentiles.of(span);
    span.reset();
    return taken;
  }

  public long measuredDeliveries() {
    return measuredUnique.sum();
  }

  public long deliveries() {
    return unique.sum();
  }

  public long duplicates() {
    return duplicates.sum();
  }

  public long outOfOrder() {
    return outOfOrder.sum();
  }

  public long idAnomalies() {
    return idAnomalies.sum();
  }

  /** Poll answers and empty ones at an instant, for window differences. */
  public long[] pollCounts() {
    return new long[] {pollAnswers.sum(), emptyPolls.sum()};
  }
}
