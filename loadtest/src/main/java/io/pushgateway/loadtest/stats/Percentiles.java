package io.pushgateway.loadtest.stats;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** Latency summary in milliseconds, read from a histogram of microseconds. */
public record Percentiles(long count, double mean, double p50, double p90, double p99, double p999, double max) {

  public static Percentiles of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Percentiles(h.getTotalCount(), ms(h.getMean()), ms(h.getValueAtPercentile(50)),
      ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
      ms(h.getMaxValue()));
  }

  private static double ms(double micros) {
    return Math.round(micros) / 1000.0;
  }

  /** JSON as in SCHEMA.md; an empty histogram gives nulls, never NaN. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("count", count)
      .put("mean", num(mean))
      .put("p50", num(p50))
      .put("p90", num(p90))
      .put("p99", num(p99))
      .put("p999", num(p999))
      .put("max", num(max));
  }

  private static Double num(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
