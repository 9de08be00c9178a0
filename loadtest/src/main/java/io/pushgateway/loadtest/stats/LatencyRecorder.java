package io.pushgateway.loadtest.stats;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A latency recorder fed from several event loops without contention: each thread gets its own
 * single-writer recorder (HdrHistogram's wait-free one), and the reader merges their intervals.
 * A shared multi-writer recorder would make every delivery on every loop fight over one counter.
 */
final class LatencyRecorder {
  private final List<SingleWriterRecorder> recorders = new CopyOnWriteArrayList<>();
  private final ThreadLocal<SingleWriterRecorder> mine = ThreadLocal.withInitial(() -> {
    SingleWriterRecorder r = new SingleWriterRecorder(3);
    recorders.add(r);
    return r;
  });

  void record(long micros) {
    mine.get().recordValue(micros);
  }

  /** What every thread recorded since the last call. */
  Histogram interval() {
    Histogram sum = new Histogram(3);
    for (SingleWriterRecorder r : recorders) {
      sum.add(r.getIntervalHistogram());
    }
    return sum;
  }
}
